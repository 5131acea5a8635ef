/* test_ratelimit.c: unit tests of server/infra/ratelimit.c: a client's token bucket allows its
 * burst, then refuses, refills at the rate as (simulated) time passes, and is its own (an IPv6
 * client's is its network's); the verdict's limit, remaining, reset and retry-after; the table's
 * size from the connection limit. Expected values come from ratelimit.h.
 */
#include "infra/ratelimit.h"

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

/* The verdict for client at now, as "allowed|refused limit remaining reset retry". */
static const char *take(struct ratelimit *rl, const char *client, double now, char *out,
                        size_t size)
{
    struct netaddr a = addr_of(client);
    struct ratelimit_verdict v = ratelimit_take(rl, &a, now);
    snprintf(out, size, "%s %u %u %u %u", v.allowed ? "allowed" : "refused", v.limit,
             v.remaining, v.reset_s, v.retry_after_s);
    return out;
}

#define check_take(rl, client, now, want, name) check_into(96, want, name, take, rl, client, now)

/* How many of n requests of client at now are allowed. */
static int allowed_of(struct ratelimit *rl, const char *client, double now, int n)
{
    struct netaddr a = addr_of(client);
    int allowed = 0;
    for (int i = 0; i < n; i++)
        allowed += ratelimit_take(rl, &a, now).allowed;
    return allowed;
}

static void test_burst_then_refused(void **state)
{
    (void)state;
    /* one token a second, five at most */
    struct ratelimit *rl = ratelimit_new(1, 5, 1024, 128);
    check(rl != NULL, "made");
    check_take(rl, "192.0.2.1", 100, "allowed 5 4 1 0", "first of the burst: 4 left, full in 1 s");
    check_take(rl, "192.0.2.1", 100, "allowed 5 3 2 0", "second: 3 left, full in 2 s");
    check_take(rl, "192.0.2.1", 100, "allowed 5 2 3 0", "third");
    check_take(rl, "192.0.2.1", 100, "allowed 5 1 4 0", "fourth");
    check_take(rl, "192.0.2.1", 100, "allowed 5 0 5 0", "fifth, the last of the burst");
    check_take(rl, "192.0.2.1", 100, "refused 5 0 5 1", "sixth: refused, a token back in 1 s");
    check_take(rl, "192.0.2.1", 100, "refused 5 0 5 1", "refused again: a refusal takes nothing");
    ratelimit_free(rl);
    ratelimit_free(NULL);
}

static void test_refill(void **state)
{
    (void)state;
    struct ratelimit *rl = ratelimit_new(1, 5, 1024, 128);
    check(allowed_of(rl, "192.0.2.1", 100, 10) == 5, "refill: the burst is spent");
    check(allowed_of(rl, "192.0.2.1", 100.5, 1) == 0, "refill: half a token is not one");
    check_take(rl, "192.0.2.1", 100.5, "refused 5 0 5 1",
               "refill: half a token in, the next whole one in 0.5 s, shown as 1");
    check(allowed_of(rl, "192.0.2.1", 102, 10) == 2, "refill: 2 s later, 2 tokens");
    check(allowed_of(rl, "192.0.2.1", 1000, 10) == 5, "refill: long after, a full burst, no more");
    /* ten a second: a token every 0.1 s */
    struct ratelimit *fast = ratelimit_new(10, 3, 1024, 128);
    check(allowed_of(fast, "192.0.2.1", 50, 5) == 3, "fast: a burst of 3");
    check(allowed_of(fast, "192.0.2.1", 50.25, 5) == 2, "fast: 0.25 s gives 2.5 tokens, 2 used");
    check_take(fast, "192.0.2.1", 50.25, "refused 3 0 1 1",
               "fast: half a token left, full in 0.25 s, shown as 1 s");
    ratelimit_free(fast);
    ratelimit_free(rl);
}

static void test_slow_rate(void **state)
{
    (void)state;
    /* one token every two seconds, one at most */
    struct ratelimit *rl = ratelimit_new(0.5, 1, 1024, 128);
    check_take(rl, "2001:db8::1", 10, "allowed 1 0 2 0", "slow: the one token; full in 2 s");
    check_take(rl, "2001:db8::1", 11, "refused 1 0 1 1", "slow: half a token back after 1 s");
    check_take(rl, "2001:db8::1", 12, "allowed 1 0 2 0", "slow: a whole token after 2 s");
    check_take(rl, "2001:db8::1", 12, "refused 1 0 2 2", "slow: none left, back in 2 s");
    ratelimit_free(rl);
}

static void test_clients_apart(void **state)
{
    (void)state;
    struct ratelimit *rl = ratelimit_new(1, 3, 1024, 128);
    check(allowed_of(rl, "192.0.2.1", 100, 5) == 3, "apart: the first client spends its burst");
    check(allowed_of(rl, "192.0.2.2", 100, 5) == 3, "apart: the next address has its own");
    check(allowed_of(rl, "2001:db8::1", 100, 5) == 3, "apart: an IPv6 address has its own");
    check(allowed_of(rl, "::ffff:192.0.2.1", 100, 1) == 0,
          "apart: the IPv4-mapped form is the same client as 192.0.2.1");
    check(allowed_of(rl, "192.0.2.1", 100, 1) == 0, "apart: the first is still refused");
    ratelimit_free(rl);
}

static void test_table_full(void **state)
{
    (void)state;
    /* a small table: the 300 clients after the first cannot all have a slot */
    struct ratelimit *rl = ratelimit_new(1, 3, 16, 128);
    char client[32];
    check(allowed_of(rl, "198.51.100.7", 100, 5) == 3, "full: one client spends its burst");
    for (int i = 0; i < 300; i++) {
        snprintf(client, sizeof client, "203.0.113.%d", i % 250);
        if (i >= 250)
            snprintf(client, sizeof client, "2001:db8::%x", i);
        check(allowed_of(rl, client, 100, 1) == 1, "full: every other client allowed once");
    }
    /* the others each kept 2 of 3 tokens: closer to full than it, so it is not forgotten */
    check(allowed_of(rl, "198.51.100.7", 100, 1) == 0,
          "full: the emptiest bucket is the last one forgotten");
    check(allowed_of(rl, "198.51.100.7", 101, 2) == 1, "full: and it refills as before");
    ratelimit_free(rl);
}

static void test_ipv6_per_network(void **state)
{
    (void)state;
    /* three at most, one a second; IPv6 clients per /64 */
    struct ratelimit *rl = ratelimit_new(1, 3, 1024, 64);
    check(allowed_of(rl, "2001:db8:1:2::1", 100, 2) == 2, "/64: two from ::1");
    check(allowed_of(rl, "2001:db8:1:2::2", 100, 2) == 1, "/64: ::2 has the same bucket: one left");
    check(allowed_of(rl, "2001:db8:1:2:ffff:ffff:ffff:ffff", 100, 1) == 0,
          "/64: the last address of the /64 too");
    check(allowed_of(rl, "2001:db8:1:3::1", 100, 3) == 3, "/64: the next /64 has its own");
    check(allowed_of(rl, "192.0.2.1", 100, 3) == 3, "/64: IPv4 clients by address");
    check(allowed_of(rl, "192.0.2.2", 100, 3) == 3, "/64: the next IPv4 address its own");
    ratelimit_free(rl);
    rl = ratelimit_new(1, 3, 1024, 128);
    check(allowed_of(rl, "2001:db8:1:2::1", 100, 3) == 3, "/128: ::1 its own three");
    check(allowed_of(rl, "2001:db8:1:2::2", 100, 3) == 3, "/128: ::2 its own three");
    ratelimit_free(rl);
}

static void test_slots_for(void **state)
{
    (void)state;
    check(ratelimit_slots_for(1024) == 16 * 1024, "slots: 16 per connection (the default 1024)");
    check(ratelimit_slots_for(65536) == 16 * 65536, "slots: MAX_CONNECTIONS' most, 65536");
    check(ratelimit_slots_for(65536) > 65536, "slots: more than the connections, whatever they are");
    check(ratelimit_slots_for(1) >= 64, "slots: enough for every shard's probe window");
    struct ratelimit *rl = ratelimit_new(1, 3, ratelimit_slots_for(65536), 64);
    check(rl != NULL, "slots: a table for 65536 connections is made");
    ratelimit_free(rl);
}

static void test_limit_is_the_burst(void **state)
{
    (void)state;
    struct ratelimit *rl = ratelimit_new(50, 100, 1024, 128);
    check_take(rl, "192.0.2.9", 1, "allowed 100 99 1 0", "limit: 100, 99 left, full in 0.02 s");
    ratelimit_free(rl);
}

/* A limiter of one token a second, three at most, freed even when its test fails. */
static int limiter_setup(void **state)
{
    *state = ratelimit_new(1, 3, 1024, 128);
    return *state == NULL ? -1 : 0;
}

static int limiter_teardown(void **state)
{
    ratelimit_free(*state);
    return 0;
}

static void test_clock_at_zero(void **state)
{
    /* the header asks only for monotonic seconds: a clock may start at 0 */
    struct ratelimit *rl = *state;
    check(allowed_of(rl, "192.0.2.1", 0, 5) == 3, "zero: a burst of 3 at time 0, then refused");
    check(allowed_of(rl, "192.0.2.1", 0.5, 1) == 0, "zero: half a second later, still none");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_burst_then_refused),
        cmocka_unit_test(test_refill),
        cmocka_unit_test(test_slow_rate),
        cmocka_unit_test(test_clients_apart),
        cmocka_unit_test(test_table_full),
        cmocka_unit_test(test_limit_is_the_burst),
        cmocka_unit_test(test_ipv6_per_network),
        cmocka_unit_test(test_slots_for),
        cmocka_unit_test_setup_teardown(test_clock_at_zero, limiter_setup, limiter_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
