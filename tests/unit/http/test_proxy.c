/* test_proxy.c: unit tests of server/http/proxy.c: the client behind trusted proxies (Forwarded of
 * RFC 7239, or X-Forwarded-For: one kind at a time), read right to left. Expected values come
 * from proxy.h and the RFCs.
 */
#include "http/proxy.h"

#include <stdio.h>
#include <string.h>

#include "unit.h"

/* The trusted proxies of the client_address tests: a private range and the loopback. */
static const char *const trusted_text[] = { "10.0.0.0/8", "::1", "192.0.2.128/25" };
/* text as an address; the test fails when it does not parse. */
static struct netaddr addr_of(const char *text)
{
    struct netaddr a;
    memset(&a, 0, sizeof a);
    check(netaddr_parse(text, &a), text);
    return a;
}
/* The client client_address gives for peer and the chain of a header of kind, into buf. */
static const char *client_of(const char *peer, enum proxy_header kind, const char *chain,
                             char *buf, size_t size)
{
    struct cidr trusted[sizeof trusted_text / sizeof trusted_text[0]];
    size_t n = sizeof trusted / sizeof trusted[0];
    for (size_t i = 0; i < n; i++)
        check(cidr_parse(trusted_text[i], &trusted[i]), trusted_text[i]);
    struct netaddr p = addr_of(peer);
    struct netaddr c = client_address(&p, trusted, n, kind, chain);
    netaddr_format(&c, buf, size);
    return buf;
}

#define check_xff(peer, chain, want, name) \
    check_into(64, want, name, client_of, peer, PROXY_HEADER_X_FORWARDED_FOR, chain)
#define check_fwd(peer, chain, want, name) \
    check_into(64, want, name, client_of, peer, PROXY_HEADER_FORWARDED, chain)
static void test_client_untrusted_peer(void **state)
{
    (void)state;
    check_xff("203.0.113.5", "198.51.100.1", "203.0.113.5",
              "client: an untrusted peer's X-Forwarded-For is not believed");
    check_fwd("203.0.113.5", "for=198.51.100.1", "203.0.113.5",
              "client: an untrusted peer's Forwarded is not believed");
    check_xff("10.0.0.1", NULL, "10.0.0.1", "client: a trusted peer without headers");
    check_xff("192.0.2.127", "198.51.100.1", "192.0.2.127",
              "client: a peer just outside a trusted /25");
}

static void test_client_x_forwarded_for(void **state)
{
    (void)state;
    check_xff("10.0.0.1", "203.0.113.7", "203.0.113.7", "xff: one hop");
    check_xff("10.0.0.1", "1.2.3.4, 203.0.113.7", "203.0.113.7",
              "xff: right-most untrusted wins; what the client wrote left of it is not read");
    check_xff("10.0.0.1", "198.51.100.9, 10.0.0.2", "198.51.100.9",
              "xff: a trusted hop is passed over");
    check_xff("10.0.0.1", "198.51.100.9,10.0.0.3 , 192.0.2.200", "198.51.100.9",
              "xff: several trusted hops, with and without spaces");
    check_xff("10.0.0.1", "10.0.0.3, 10.0.0.2", "10.0.0.3",
              "xff: every hop trusted: the left-most");
    check_xff("::1", "2001:db8::5", "2001:db8::5", "xff: IPv6 peer and client");
    check_xff("10.0.0.1", "\t203.0.113.7 ", "203.0.113.7", "xff: blanks around");
    check_xff("10.0.0.1", "203.0.113.7:5555", "203.0.113.7", "xff: a port is dropped");
}

static void test_client_forwarded(void **state)
{
    (void)state;
    check_fwd("10.0.0.1", "for=192.0.2.60;proto=http;by=203.0.113.43", "192.0.2.60",
              "forwarded: for= with other parameters");
    check_fwd("10.0.0.1", "proto=https;for=192.0.2.60", "192.0.2.60",
              "forwarded: for= not first");
    check_fwd("10.0.0.1", "For=198.51.100.17", "198.51.100.17",
              "forwarded: parameter name in any case");
    check_fwd("10.0.0.1", "for=\"[2001:db8:cafe::17]:4711\"", "2001:db8:cafe::17",
              "forwarded: quoted IPv6 with a port");
    check_fwd("10.0.0.1", "for=\"192.0.2.43:47011\"", "192.0.2.43",
              "forwarded: quoted IPv4 with a port");
    check_fwd("10.0.0.1", "for=198.51.100.1, for=10.0.0.5", "198.51.100.1",
              "forwarded: two elements, the trusted right one passed over");
}

static void test_client_one_kind(void **state)
{
    (void)state;
    check_xff("10.0.0.1", "for=192.0.2.60", "10.0.0.1",
              "one kind: a Forwarded element read as X-Forwarded-For is no address: the peer");
    check_fwd("10.0.0.1", "192.0.2.60", "10.0.0.1",
              "one kind: an X-Forwarded-For item read as Forwarded has no for=: the peer");
    check_str(proxy_header_name(PROXY_HEADER_X_FORWARDED_FOR), "X-Forwarded-For",
              "one kind: the name of X-Forwarded-For");
    check_str(proxy_header_name(PROXY_HEADER_FORWARDED), "Forwarded",
              "one kind: the name of Forwarded");
}

static void test_client_garbled(void **state)
{
    (void)state;
    check_xff("10.0.0.1", "garbage", "10.0.0.1", "garbled: an unreadable hop: the peer");
    check_xff("10.0.0.1", "198.51.100.9, garbage, 10.0.0.2", "10.0.0.2",
              "garbled: stops at an unreadable hop, the last trusted one read is the client");
    check_xff("10.0.0.1", "", "10.0.0.1", "garbled: an empty header: the peer");
    check_xff("10.0.0.1", "203.0.113.7,", "10.0.0.1",
              "garbled: a trailing comma is an empty, unreadable hop");
    check_xff("10.0.0.1", "203.0.113.7,,10.0.0.2", "10.0.0.2",
              "garbled: an empty hop in the middle stops the walk");
    check_fwd("10.0.0.1", "for=unknown", "10.0.0.1", "garbled: for=unknown");
    check_fwd("10.0.0.1", "for=_hidden", "10.0.0.1", "garbled: an obfuscated for=");
    check_fwd("10.0.0.1", "by=10.0.0.9;proto=http", "10.0.0.1",
              "garbled: an element without for=");
    char longer[200];
    memset(longer, ' ', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    memcpy(longer + sizeof longer - 12, "203.0.113.7", 11);
    check_xff("10.0.0.1", longer, "10.0.0.1",
              "garbled: an element of 128 bytes or more is not read");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_client_untrusted_peer),
        cmocka_unit_test(test_client_x_forwarded_for),
        cmocka_unit_test(test_client_forwarded),
        cmocka_unit_test(test_client_one_kind),
        cmocka_unit_test(test_client_garbled),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
