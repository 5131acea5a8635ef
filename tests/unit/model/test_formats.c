/* test_formats.c: unit tests of server/model/formats.c: RFC 3339, BCP 47 tags, text direction. */
#include "model/formats.h"

#include <stdio.h>

#include "unit.h"

static void test_rfc3339(void **state)
{
    (void)state;
    static const char *const good[] = {
        "2024-05-19T00:00:00Z",
        "2024-05-19T03:00:00+03:00",
        "2024-05-18T18:30:00-05:30",
        "2024-05-19T00:00:00-00:00",
        "2024-05-19T00:00:00.1Z",
        "2024-05-19T00:00:00.123456789Z",
        "2024-05-19T00:00:00.5+01:00",
        "2024-05-19t00:00:00z",
        "2024-02-29T00:00:00Z",
        "2000-02-29T00:00:00Z",
        "1000-01-01T00:00:00Z",
        "9998-12-31T23:59:59Z",
        "2024-05-19T00:00:00+15:59",
        "2024-05-19T00:00:00-15:59",
        "2024-01-31T00:00:00Z",
        "2024-04-30T00:00:00Z",
        "2024-12-31T23:59:59+14:00",
        "2024-12-31T23:59:59-12:00",
        NULL,
    };
    static const char *const bad[] = {
        "",
        "yesterday",
        "2024-05-19",
        "2024-05-19T00:00:00",
        "2024-05-19T00:00Z",
        "2024-05-19T00:00:00+0300",
        "2024-05-19T00:00:00+03",
        "2024-05-19T00:00:00+3:00",
        "2024-05-19T00:00:00+24:00",
        "2024-05-19T00:00:00+03:60",
        "2024-05-19T00:00:00.Z",
        "2024-05-19T00:00:00,5Z",
        "2024-05-19T00:00:00ZZ",
        "2024-05-19T00:00:00Z ",
        " 2024-05-19T00:00:00Z",
        "2024-05-19T00:00:00 Z",
        "2024-05-19X00:00:00Z",
        "2024-02-30T00:00:00Z",
        "2023-02-29T00:00:00Z",
        "1900-02-29T00:00:00Z",
        "2024-04-31T00:00:00Z",
        "2024-13-01T00:00:00Z",
        "2024-00-10T00:00:00Z",
        "2024-05-00T00:00:00Z",
        "2024-05-32T00:00:00Z",
        "2024-05-19T24:00:00Z",
        "2024-05-19T23:60:00Z",
        "0000-01-01T00:00:00Z",
        /* PostgreSQL cannot store these as given (a 500 before they were refused here) */
        "0001-01-01T00:00:00Z",
        "0999-12-31T23:59:59Z",
        "9999-12-31T23:59:59Z",
        "2024-05-19T00:00:00+16:00",
        "2024-05-19T00:00:00-23:59",
        "24-05-19T00:00:00Z",
        "20240519T000000Z",
        "2024-5-19T00:00:00Z",
        "2024-05-19T0:00:00Z",
        "+2024-05-19T00:00:00Z",
        "2024-05-19T00:00:00+03:00:00",
        "٢٠٢٤-05-19T00:00:00Z",
        NULL,
    };
    char name[160];
    for (const char *const *s = good; *s; s++) {
        snprintf(name, sizeof name, "rfc3339: \"%s\" valid", *s);
        check(rfc3339_is_valid(*s), name);
    }
    for (const char *const *s = bad; *s; s++) {
        snprintf(name, sizeof name, "rfc3339: \"%s\" invalid", *s);
        check(!rfc3339_is_valid(*s), name);
    }
}

/* ---------------------------------------------------------------- lang_is_valid */

static void test_lang_valid(void **state)
{
    (void)state;
    static const char *const good[] = { "ar", "AR", "en-GB", "zh-Hant-TW", "sr-Latn-RS",
                                         "de-CH-1996", "es-419", "ckb", "ar-EG",
                                         "en-abcdefgh-bcdefghi-cdefghij-defgh", NULL };
    static const char *const bad[] = { "", "a", "toolonglanguage1", "abcdefghi", "en_GB",
                                       "ar-", "-ar", "en--GB", "ar EG", " ar", "12", "e1",
                                       "\u0639\u0631", "en-abcdefghi",
                                       "en-abcdefgh-bcdefghi-cdefghij-defghi", NULL };
    char name[96];
    for (const char *const *s = good; *s; s++) {
        snprintf(name, sizeof name, "lang: \"%s\" valid", *s);
        check(lang_is_valid(*s), name);
    }
    for (const char *const *s = bad; *s; s++) {
        snprintf(name, sizeof name, "lang: \"%s\" invalid", *s);
        check(!lang_is_valid(*s), name);
    }
}

/* ---------------------------------------------------------------- lang_direction */

static void test_direction(void **state)
{
    (void)state;
    static const char *const rtl[] = { "ar", "AR", "Ar", "ar-EG", "ar-SA", "fa", "fa-IR",
                                       "he", "he-IL", "ur", "ur-PK", "yi", "ps", NULL };
    /* "arn" (Mapudungun), "fat" (Fanti), "urh" (Urhobo), "hei" (Heiltsuk): only the whole language
     * subtag counts, not a prefix of it */
    static const char *const ltr[] = { "en", "en-GB", "fr", "zh-Hant-TW", "arn", "fat", "urh",
                                       "hei", "eng", "ru", "", NULL };
    char name[80];
    for (const char *const *s = rtl; *s; s++) {
        snprintf(name, sizeof name, "direction: %s is rtl", *s);
        check_str(lang_direction(*s), "rtl", name);
    }
    for (const char *const *s = ltr; *s; s++) {
        snprintf(name, sizeof name, "direction: \"%s\" is ltr", *s);
        check_str(lang_direction(*s), "ltr", name);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc3339),
        cmocka_unit_test(test_lang_valid),
        cmocka_unit_test(test_direction),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
