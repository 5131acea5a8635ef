/* test_decimal.c: unit tests of server/infra/decimal.c: digits only, within the length asked. */
#include "infra/decimal.h"

#include "unit.h"

static void test_accepts_plain_digits(void **state)
{
    (void)state;
    unsigned long long v = 0;
    check(decimal_parse("0", 1, &v) && v == 0, "0");
    check(decimal_parse("42", 2, &v) && v == 42, "42 in two digits");
    check(decimal_parse("0007", 4, &v) && v == 7, "leading zeros count as digits");
    check(decimal_parse("9007199254740992", 16, &v) && v == 9007199254740992ULL, "2^53");
    check(decimal_parse("9999999999999999999", 19, &v) && v == 9999999999999999999ULL,
          "nineteen nines fit");
}

static void test_refuses_anything_else(void **state)
{
    (void)state;
    unsigned long long v = 99;
    check(!decimal_parse(NULL, 5, &v), "NULL");
    check(!decimal_parse("", 5, &v), "empty");
    check(!decimal_parse("123", 2, &v), "more digits than allowed");
    check(!decimal_parse("+5", 5, &v), "a sign");
    check(!decimal_parse("-5", 5, &v), "a minus");
    check(!decimal_parse(" 5", 5, &v), "a leading space");
    check(!decimal_parse("5 ", 5, &v), "a trailing space");
    check(!decimal_parse("1e3", 5, &v), "an exponent");
    check(!decimal_parse("0x10", 5, &v), "hexadecimal");
    check(!decimal_parse("١٢", 5, &v), "Arabic-Indic digits are not ASCII digits");
    check(!decimal_parse("1", 20, &v), "more than 19 digits asked for");
    check(v == 99, "a refused text leaves the value alone");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepts_plain_digits),
        cmocka_unit_test(test_refuses_anything_else),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
