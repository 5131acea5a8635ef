/* testhelp.h: a tiny assertion kit for the C unit tests (one header, no library). */
#ifndef KHABAR_TESTHELP_H
#define KHABAR_TESTHELP_H

#include <stdio.h>
#include <string.h>

/* Each check prints "ok - ..." or "FAIL - ..."; the test runner counts those lines. */
static int test_passed, test_failed;

#define TEST_CHECK(cond, name)                                                         \
    do {                                                                               \
        if (cond) {                                                                    \
            test_passed++;                                                             \
            printf("ok - %s\n", (name));                                               \
        } else {                                                                       \
            test_failed++;                                                             \
            printf("FAIL - %s (%s:%d: %s)\n", (name), __FILE__, __LINE__, #cond);      \
        }                                                                              \
    } while (0)

/* Compares two strings, either may be NULL; prints both when they differ. */
#define TEST_STREQ(got, want, name)                                                    \
    do {                                                                               \
        const char *got_ = (got), *want_ = (want);                                     \
        int same_ = (got_ == NULL || want_ == NULL) ? got_ == want_                    \
                                                     : strcmp(got_, want_) == 0;       \
        if (same_) {                                                                   \
            test_passed++;                                                             \
            printf("ok - %s\n", (name));                                               \
        } else {                                                                       \
            test_failed++;                                                             \
            printf("FAIL - %s (%s:%d: got \"%s\", want \"%s\")\n", (name), __FILE__,   \
                   __LINE__, got_ ? got_ : "(null)", want_ ? want_ : "(null)");        \
        }                                                                              \
    } while (0)

/* Last line of every test program; the exit status says whether all passed. */
#define TEST_REPORT()                                                                  \
    (printf("# %d passed, %d failed\n", test_passed, test_failed), test_failed ? 1 : 0)

#endif
