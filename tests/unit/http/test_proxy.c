/* test_proxy.c: unit tests of server/http/proxy.c: the client behind trusted proxies (Forwarded of
 * RFC 7239, X-Forwarded-For), read right to left. Expected values come from proxy.h and the RFCs.
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
/* The client client_address gives for peer and the two headers, formatted into buf. */
static const char *client_of(const char *peer, const char *forwarded, const char *xff,
                             char *buf, size_t size)
{
    struct cidr trusted[sizeof trusted_text / sizeof trusted_text[0]];
    size_t n = sizeof trusted / sizeof trusted[0];
    for (size_t i = 0; i < n; i++)
        check(cidr_parse(trusted_text[i], &trusted[i]), trusted_text[i]);
    struct netaddr p = addr_of(peer);
    struct netaddr c = client_address(&p, trusted, n, forwarded, xff);
    netaddr_format(&c, buf, size);
    return buf;
}

#define check_client(peer, forwarded, xff, want, name) \
    check_into(64, want, name, client_of, peer, forwarded, xff)
static void test_client_untrusted_peer(void **state)
{
    (void)state;
    check_client("203.0.113.5", NULL, "198.51.100.1", "203.0.113.5",
                 "client: an untrusted peer's X-Forwarded-For is not believed");
    check_client("203.0.113.5", "for=198.51.100.1", NULL, "203.0.113.5",
                 "client: an untrusted peer's Forwarded is not believed");
    check_client("10.0.0.1", NULL, NULL, "10.0.0.1", "client: a trusted peer without headers");
    check_client("192.0.2.127", NULL, "198.51.100.1", "192.0.2.127",
                 "client: a peer just outside a trusted /25");
}

static void test_client_x_forwarded_for(void **state)
{
    (void)state;
    check_client("10.0.0.1", NULL, "203.0.113.7", "203.0.113.7", "xff: one hop");
    check_client("10.0.0.1", NULL, "1.2.3.4, 203.0.113.7", "203.0.113.7",
                 "xff: right-most untrusted wins; what the client wrote left of it is not read");
    check_client("10.0.0.1", NULL, "198.51.100.9, 10.0.0.2", "198.51.100.9",
                 "xff: a trusted hop is passed over");
    check_client("10.0.0.1", NULL, "198.51.100.9,10.0.0.3 , 192.0.2.200", "198.51.100.9",
                 "xff: several trusted hops, with and without spaces");
    check_client("10.0.0.1", NULL, "10.0.0.3, 10.0.0.2", "10.0.0.3",
                 "xff: every hop trusted: the left-most");
    check_client("::1", NULL, "2001:db8::5", "2001:db8::5", "xff: IPv6 peer and client");
    check_client("10.0.0.1", NULL, "\t203.0.113.7 ", "203.0.113.7", "xff: blanks around");
    check_client("10.0.0.1", NULL, "203.0.113.7:5555", "203.0.113.7", "xff: a port is dropped");
}

static void test_client_forwarded(void **state)
{
    (void)state;
    check_client("10.0.0.1", "for=192.0.2.60;proto=http;by=203.0.113.43", NULL, "192.0.2.60",
                 "forwarded: for= with other parameters");
    check_client("10.0.0.1", "proto=https;for=192.0.2.60", NULL, "192.0.2.60",
                 "forwarded: for= not first");
    check_client("10.0.0.1", "For=198.51.100.17", NULL, "198.51.100.17",
                 "forwarded: parameter name in any case");
    check_client("10.0.0.1", "for=\"[2001:db8:cafe::17]:4711\"", NULL, "2001:db8:cafe::17",
                 "forwarded: quoted IPv6 with a port");
    check_client("10.0.0.1", "for=\"192.0.2.43:47011\"", NULL, "192.0.2.43",
                 "forwarded: quoted IPv4 with a port");
    check_client("10.0.0.1", "for=198.51.100.1, for=10.0.0.5", NULL, "198.51.100.1",
                 "forwarded: two elements, the trusted right one passed over");
    check_client("10.0.0.1", "for=192.0.2.60", "198.51.100.9", "192.0.2.60",
                 "forwarded: Forwarded is read, X-Forwarded-For then ignored");
}

static void test_client_garbled(void **state)
{
    (void)state;
    check_client("10.0.0.1", NULL, "garbage", "10.0.0.1", "garbled: an unreadable hop: the peer");
    check_client("10.0.0.1", NULL, "198.51.100.9, garbage, 10.0.0.2", "10.0.0.2",
                 "garbled: stops at an unreadable hop, the last trusted one read is the client");
    check_client("10.0.0.1", NULL, "", "10.0.0.1", "garbled: an empty header: the peer");
    check_client("10.0.0.1", NULL, "203.0.113.7,", "10.0.0.1",
                 "garbled: a trailing comma is an empty, unreadable hop");
    check_client("10.0.0.1", NULL, "203.0.113.7,,10.0.0.2", "10.0.0.2",
                 "garbled: an empty hop in the middle stops the walk");
    check_client("10.0.0.1", "for=unknown", NULL, "10.0.0.1", "garbled: for=unknown");
    check_client("10.0.0.1", "for=_hidden", NULL, "10.0.0.1", "garbled: an obfuscated for=");
    check_client("10.0.0.1", "by=10.0.0.9;proto=http", NULL, "10.0.0.1",
                 "garbled: an element without for=");
    char longer[200];
    memset(longer, ' ', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    memcpy(longer + sizeof longer - 12, "203.0.113.7", 11);
    check_client("10.0.0.1", NULL, longer, "10.0.0.1",
                 "garbled: an element of 128 bytes or more is not read");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_client_untrusted_peer),
        cmocka_unit_test(test_client_x_forwarded_for),
        cmocka_unit_test(test_client_forwarded),
        cmocka_unit_test(test_client_garbled),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
