/* test_netaddr.c: unit tests of server/infra/netaddr.c: address parsing and formatting, CIDR
 * matching, and the client key (IPv6 per network). Expected values come from netaddr.h and the RFCs, not from the code.
 */
#include "infra/netaddr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "unit.h"

/* text as an address; the test fails when it does not parse. */
static struct netaddr addr_of(const char *text)
{
    struct netaddr a;
    memset(&a, 0, sizeof a);
    check(netaddr_parse(text, &a), text);
    return a;
}
/* The formatted form of what text parses to (NULL when it does not parse), in buf. */
static const char *parsed(const char *text, char *buf, size_t size)
{
    struct netaddr a;
    if (!netaddr_parse(text, &a))
        return NULL;
    netaddr_format(&a, buf, size);
    return buf;
}

#define check_parsed(text, want, name) check_into(64, want, name, parsed, text)

/* Whether cidr (which must parse) contains the address text. */
static bool in_range(const char *cidr, const char *text)
{
    struct cidr c;
    check(cidr_parse(cidr, &c), cidr);
    struct netaddr a = addr_of(text);
    return cidr_contains(&c, &a);
}
static void test_parse(void **state)
{
    (void)state;
    check_parsed("192.0.2.1", "192.0.2.1", "parse: IPv4");
    check_parsed("2001:db8::1", "2001:db8::1", "parse: IPv6");
    check_parsed("2001:DB8:0:0:0:0:0:1", "2001:db8::1", "parse: IPv6 in full, upper case");
    check_parsed("::1", "::1", "parse: IPv6 loopback");
    check_parsed("[2001:db8::1]", "2001:db8::1", "parse: IPv6 in brackets");
    check_parsed("[2001:db8::1]:443", "2001:db8::1", "parse: IPv6 in brackets with a port");
    check_parsed("192.0.2.1:8080", "192.0.2.1", "parse: IPv4 with a port");
    check_parsed("::ffff:192.0.2.1", "192.0.2.1", "parse: IPv4-mapped IPv6 shown as IPv4");
    check_parsed("", NULL, "parse: empty");
    check_parsed("unknown", NULL, "parse: a word");
    check_parsed("256.1.1.1", NULL, "parse: IPv4 octet over 255");
    check_parsed("1.2.3", NULL, "parse: three octets");
    check_parsed("1.2.3.4.5", NULL, "parse: five octets");
    check_parsed("[2001:db8::1", NULL, "parse: bracket not closed");
    check_parsed("[2001:db8::1]x", NULL, "parse: bytes after the bracket");
    check_parsed("[192.0.2.1]", NULL, "parse: brackets hold IPv6 only");
    check_parsed("2001:db8::1::2", NULL, "parse: two '::'");
    check_parsed("1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa:bbbb:cccc:dddd", NULL,
                 "parse: 64 characters or more refused");
    struct netaddr v4 = addr_of("192.0.2.1"), mapped = addr_of("::ffff:192.0.2.1");
    check(memcmp(&v4, &mapped, sizeof v4) == 0, "parse: IPv4 is kept as IPv4-mapped IPv6");
}

static void test_from_sockaddr(void **state)
{
    (void)state;
    struct sockaddr_in in4 = { .sin_family = AF_INET };
    struct sockaddr_in6 in6 = { .sin6_family = AF_INET6 };
    struct sockaddr_un un = { .sun_family = AF_UNIX };
    struct netaddr a;
    char buf[64];
    inet_pton(AF_INET, "198.51.100.7", &in4.sin_addr);
    inet_pton(AF_INET6, "2001:db8::7", &in6.sin6_addr);
    check(netaddr_from_sockaddr((struct sockaddr *)&in4, &a), "sockaddr: AF_INET read");
    netaddr_format(&a, buf, sizeof buf);
    check_str(buf, "198.51.100.7", "sockaddr: AF_INET address");
    check(netaddr_from_sockaddr((struct sockaddr *)&in6, &a), "sockaddr: AF_INET6 read");
    netaddr_format(&a, buf, sizeof buf);
    check_str(buf, "2001:db8::7", "sockaddr: AF_INET6 address");
    check(!netaddr_from_sockaddr((struct sockaddr *)&un, &a), "sockaddr: AF_UNIX refused");
    check(!netaddr_from_sockaddr(NULL, &a), "sockaddr: NULL refused");
}

static void test_cidr_parse(void **state)
{
    (void)state;
    static const char *const good[] = { "10.0.0.0/8", "0.0.0.0/0", "192.0.2.1/32", "192.0.2.1",
                                        "::/0", "::1/128", "::1", "2001:db8::/32", NULL };
    static const char *const bad[] = { "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/8x",
                                       "/8", "10.0.0.0/-1", "x/8", "", "10.0.0.0/8/8", NULL };
    char name[96];
    struct cidr c;
    for (const char *const *s = good; *s; s++) {
        snprintf(name, sizeof name, "cidr: \"%s\" parses", *s);
        check(cidr_parse(*s, &c), name);
    }
    for (const char *const *s = bad; *s; s++) {
        snprintf(name, sizeof name, "cidr: \"%s\" refused", *s);
        check(!cidr_parse(*s, &c), name);
    }
}

static void test_cidr_contains(void **state)
{
    (void)state;
    check(in_range("10.0.0.0/8", "10.255.1.2"), "contains: 10.255.1.2 in 10/8");
    check(!in_range("10.0.0.0/8", "11.0.0.1"), "contains: 11.0.0.1 not in 10/8");
    check(in_range("10.1.2.3/8", "10.9.9.9"), "contains: host bits of the range ignored");
    check(in_range("192.0.2.128/25", "192.0.2.200"), "contains: /25, upper half in");
    check(!in_range("192.0.2.128/25", "192.0.2.127"), "contains: /25, lower half out");
    check(in_range("192.0.2.1", "192.0.2.1"), "contains: a bare address is itself");
    check(!in_range("192.0.2.1", "192.0.2.2"), "contains: a bare address is only itself");
    check(in_range("0.0.0.0/0", "203.0.113.9"), "contains: 0.0.0.0/0 holds every IPv4");
    check(!in_range("0.0.0.0/0", "2001:db8::1"), "contains: 0.0.0.0/0 holds no IPv6");
    check(in_range("::/0", "2001:db8::1"), "contains: ::/0 holds IPv6");
    check(in_range("::/0", "192.0.2.1"), "contains: ::/0 holds IPv4 too (mapped)");
    check(in_range("::1", "::1"), "contains: ::1 is itself");
    check(!in_range("::1", "::2"), "contains: ::2 is not ::1");
    check(!in_range("::1", "127.0.0.1"), "contains: IPv6 loopback is not IPv4 loopback");
    check(in_range("2001:db8::/32", "2001:db8:ffff::1"), "contains: 2001:db8::/32 in");
    check(!in_range("2001:db8::/32", "2001:db9::1"), "contains: 2001:db9:: out");
    check(in_range("2001:db8::/33", "2001:db8:7fff::1"), "contains: /33, lower half in");
    check(!in_range("2001:db8::/33", "2001:db8:8000::1"), "contains: /33, upper half out");
}

/* The client key of text with prefix, formatted into buf. */
static const char *key_of(const char *text, unsigned prefix, char *buf, size_t size)
{
    struct netaddr a = addr_of(text), k = netaddr_client_key(&a, prefix);
    netaddr_format(&k, buf, size);
    return buf;
}

#define check_key(text, prefix, want, name) check_into(64, want, name, key_of, text, prefix)

static void test_client_key(void **state)
{
    (void)state;
    check_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd", 64, "2001:db8:1:2::", "key: IPv6 /64 keeps 64 bits");
    check_key("2001:db8:1:2::1", 64, "2001:db8:1:2::", "key: two addresses of one /64 ...");
    check_key("2001:db8:1:2:ffff::9", 64, "2001:db8:1:2::", "key: ... share one key");
    check_key("2001:db8:1:3::1", 64, "2001:db8:1:3::", "key: the next /64 has its own");
    check_key("2001:db8:1:2::1", 128, "2001:db8:1:2::1", "key: /128 is the address itself");
    check_key("2001:db8:1:2::1", 200, "2001:db8:1:2::1", "key: past 128 is taken as 128");
    check_key("2001:db8:abcd:12ff::1", 56, "2001:db8:abcd:1200::", "key: /56, on a byte");
    check_key("2001:db8:abcd:12ff::1", 52, "2001:db8:abcd:1000::", "key: /52, within a byte");
    check_key("2001:db8:abcd:12ff::1", 1, "::", "key: /1 of an address below 8000::");
    check_key("fe80::1", 1, "8000::", "key: /1 keeps the first bit");
    check_key("2001:db8::1", 0, "::", "key: /0: every IPv6 client is one");
    check_key("192.0.2.1", 64, "192.0.2.1", "key: IPv4 is the address, whatever the prefix");
    check_key("192.0.2.1", 0, "192.0.2.1", "key: IPv4 with prefix 0 too");
    check_key("::ffff:198.51.100.7", 64, "198.51.100.7", "key: IPv4-mapped is IPv4");
    check_key("::1", 64, "::", "key: the IPv6 loopback's /64");
}

/* Whether the address text is public, as a webhook's target is judged. */
static bool public_text(const char *text)
{
    struct netaddr a;
    check(netaddr_parse(text, &a), text);
    return netaddr_is_public(&a);
}

static void test_is_public(void **state)
{
    (void)state;
    static const char *const inside[] = {
        "127.0.0.1",   "127.255.0.9", "10.0.0.1",    "10.255.255.255", "172.16.0.1",  "172.31.255.254",
        "192.168.1.1", "169.254.169.254", "100.64.0.1", "100.127.255.255", "0.0.0.0",   "0.1.2.3",
        "192.0.0.8",   "192.0.2.1",   "198.18.0.1",  "198.19.255.255", "198.51.100.7", "203.0.113.9",
        "224.0.0.1",   "239.255.255.250", "240.0.0.1", "255.255.255.255", "::",         "::1",
        "fe80::1",     "febf::1",     "fc00::1",     "fd12:3456::1",   "ff02::1",     "2001:db8::1",
        "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "64:ff9b::7f00:1",
        "64:ff9b::a00:1", "100::1",   "2002:7f00:1::", "fec0::1",
    };
    static const char *const outside[] = {
        "8.8.8.8",       "93.184.215.14", "1.1.1.1",      "172.15.255.255", "172.32.0.1", "192.167.1.1",
        "100.63.255.255", "100.128.0.1",  "169.253.1.1",  "198.17.255.255", "198.20.0.1", "223.255.255.255",
        "2606:4700::1111", "2a00:1450:4001::200e", "::ffff:8.8.8.8", "64:ff9b::808:808",
    };
    for (size_t i = 0; i < sizeof inside / sizeof inside[0]; i++)
        if (public_text(inside[i]))
            fail_msg("%s is inside the network, not public", inside[i]);
    for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++)
        if (!public_text(outside[i]))
            fail_msg("%s is a public address", outside[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_from_sockaddr),
        cmocka_unit_test(test_cidr_parse),
        cmocka_unit_test(test_cidr_contains),
        cmocka_unit_test(test_client_key),
        cmocka_unit_test(test_is_public),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
