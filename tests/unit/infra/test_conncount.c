/* test_conncount.c: unit tests of server/infra/conncount.c: open connections per client (IPv6
 * per network), the table's size from the connection limit, a full table, and removal keeping
 * every other client findable. Expected values come from conncount.h.
 */
#include "infra/conncount.h"

#include <stdio.h>
#include <string.h>

#include "unit.h"

/* text as an address; the test fails when it does not parse. */
static struct netaddr addr_of(const char *text)
{
    struct netaddr a;
    memset(&a, 0, sizeof a);
    check(netaddr_parse(text, &a), text);
    return a;
}

static unsigned held(const struct conncount *t, const char *text)
{
    struct netaddr a = addr_of(text);
    return conncount_of(t, &a);
}

static bool add(struct conncount *t, const char *text)
{
    struct netaddr a = addr_of(text);
    return conncount_add(t, &a);
}

static void drop(struct conncount *t, const char *text)
{
    struct netaddr a = addr_of(text);
    conncount_remove(t, &a);
}

static bool admits(const struct conncount *t, const char *text, unsigned limit)
{
    struct netaddr a = addr_of(text);
    return conncount_admits(t, &a, limit);
}

static void test_ipv6_per_network(void **state)
{
    (void)state;
    struct conncount *t = conncount_new(1024, 64);
    check(t != NULL, "made");
    check(add(t, "2001:db8:1:2::1") && add(t, "2001:db8:1:2::2"), "/64: two connections");
    check(held(t, "2001:db8:1:2::3") == 2, "/64: a third address of the /64 holds them too");
    check(!admits(t, "2001:db8:1:2::99", 2), "/64: at a limit of 2, a new address of it is refused");
    check(admits(t, "2001:db8:1:3::1", 2), "/64: an address of the next /64 is not");
    check(held(t, "2001:db8:1:3::1") == 0, "/64: and holds none");
    check(add(t, "192.0.2.1") && held(t, "192.0.2.2") == 0, "/64: IPv4 by address");
    drop(t, "2001:db8:1:2::7");
    check(held(t, "2001:db8:1:2::1") == 1, "/64: closing from any address of it gives one back");
    drop(t, "2001:db8:1:2::1");
    drop(t, "2001:db8:1:2::1");
    check(held(t, "2001:db8:1:2::1") == 0, "/64: never below zero");
    conncount_free(t);
    t = conncount_new(1024, 128);
    check(add(t, "2001:db8:1:2::1") && held(t, "2001:db8:1:2::2") == 0, "/128: per address");
    conncount_free(t);
    conncount_free(NULL);
}

static void test_sized_from_the_limit(void **state)
{
    (void)state;
    unsigned limits[] = { 1, 4, 1024, 1025, 65536 };
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
        struct conncount *t = conncount_new(limits[i], 64);
        size_t slots = conncount_slots(t);
        check(slots >= 2 * (size_t)limits[i], "size: at least twice the clients");
        check((slots & (slots - 1)) == 0, "size: a power of two");
        check(slots < 4 * (size_t)limits[i] + 2, "size: not more than needed");
        conncount_free(t);
    }
    check(conncount_new(0, 64) == NULL, "size: none for no clients");
}

static void test_full(void **state)
{
    (void)state;
    char addr[32];
    struct conncount *t = conncount_new(4, 64);
    for (int i = 1; i <= 4; i++) {
        snprintf(addr, sizeof addr, "192.0.2.%d", i);
        check(add(t, addr), "full: four clients fit");
    }
    check(!admits(t, "192.0.2.5", 64), "full: a fifth client is not admitted");
    check(!add(t, "192.0.2.5") && held(t, "192.0.2.5") == 0, "full: nor counted");
    check(admits(t, "192.0.2.1", 64) && add(t, "192.0.2.1"), "full: a client in it still is");
    check(held(t, "192.0.2.1") == 2, "full: with its two");
    drop(t, "192.0.2.2");
    check(add(t, "192.0.2.5"), "full: once one leaves, the new client fits");
    conncount_free(t);
}

static void test_many_come_and_go(void **state)
{
    (void)state;
    char addr[48];
    struct conncount *t = conncount_new(1000, 64);
    for (int i = 0; i < 1000; i++) {
        snprintf(addr, sizeof addr, "2001:db8:%x::1", i);
        check(add(t, addr), "many: 1000 networks fit");
    }
    /* removing every other one moves entries back; the rest must still be found */
    for (int i = 0; i < 1000; i += 2) {
        snprintf(addr, sizeof addr, "2001:db8:%x::2", i);
        drop(t, addr);
    }
    int found = 0, gone = 0;
    for (int i = 0; i < 1000; i++) {
        snprintf(addr, sizeof addr, "2001:db8:%x::3", i);
        found += held(t, addr) == 1;
        gone += held(t, addr) == 0;
    }
    check(found == 500 && gone == 500, "many: the odd ones found, the even ones gone");
    for (int i = 0; i < 500; i++) {
        snprintf(addr, sizeof addr, "198.51.%d.%d", i / 250, i % 250);
        check(add(t, addr), "many: the freed room takes 500 others");
    }
    check(!add(t, "203.0.113.1"), "many: and then the table is full again");
    conncount_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ipv6_per_network),
        cmocka_unit_test(test_sized_from_the_limit),
        cmocka_unit_test(test_full),
        cmocka_unit_test(test_many_come_and_go),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
