/* test_wal.c: unit tests of server/infra/wal.c: WAL positions read from PostgreSQL's text
 * of a pg_lsn, and kept as the highest seen. Expected values are the pg_lsn arithmetic of
 * PostgreSQL's documentation (hi/lo, each 32 bits of hexadecimal).
 */
#include "infra/wal.h"

#include <stdatomic.h>

#include "unit.h"

static void test_parse(void **state)
{
    (void)state;
    uint64_t v = 0;
    check(wal_position_parse("0/0", &v) && v == 0, "parse: 0/0");
    check(wal_position_parse("16/B374D848", &v) && v == 0x16B374D848ULL, "parse: 16/B374D848");
    check(wal_position_parse("0/1", &v) && v == 1, "parse: the low half alone");
    check(wal_position_parse("1/0", &v) && v == 0x100000000ULL, "parse: the high half counts 2^32");
    check(wal_position_parse("ffffffff/FFFFFFFF", &v) && v == UINT64_MAX, "parse: the largest, either case");
    check(wal_position_parse("0/16B374D8", &v) && wal_position_parse("0/16B374D9", &v) &&
              v == 0x16B374D9ULL, "parse: a later position is a larger number");
}

static void test_parse_refused(void **state)
{
    (void)state;
    const char *bad[] = { "", "/", "0/", "/0", "0", "0/0/0", "0/0 ", " 0/0", "-1/0", "g/0",
                          "123456789/0", "0/123456789", "0x1/0" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        uint64_t v = 42;
        check(!wal_position_parse(bad[i], &v) && v == 42, bad[i]);
    }
    uint64_t v = 42;
    check(!wal_position_parse(NULL, &v) && v == 42, "parse: NULL (SQL NULL) is no position");
}

static void test_raise(void **state)
{
    (void)state;
    _Atomic uint64_t at = 0;
    wal_position_raise(&at, 10);
    check(atomic_load(&at) == 10, "raise: from 0 to 10");
    wal_position_raise(&at, 5);
    check(atomic_load(&at) == 10, "raise: a lower position leaves it");
    wal_position_raise(&at, 11);
    check(atomic_load(&at) == 11, "raise: a higher one takes its place");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_parse_refused),
        cmocka_unit_test(test_raise),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
