/* unit.h: cmocka for the unit tests, and the checks that fail naming what they check. */
#ifndef KHABAR_UNIT_H
#define KHABAR_UNIT_H

/* cmocka.h needs these before it */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

/* Fails the running test when cond is false, with name and the condition's text. */
#define check(cond, name)                                                              \
    do {                                                                               \
        if (!(cond))                                                                   \
            fail_msg("%s (%s)", (name), #cond);                                        \
    } while (0)

/* Fails the running test unless the strings are equal (either may be NULL), showing both. */
#define check_str(got, want, name)                                                     \
    do {                                                                               \
        const char *got_ = (got), *want_ = (want);                                     \
        if (got_ == NULL || want_ == NULL ? got_ != want_ : strcmp(got_, want_) != 0)  \
            fail_msg("%s: got \"%s\", want \"%s\"", (name), got_ ? got_ : "(null)",    \
                     want_ ? want_ : "(null)");                                        \
    } while (0)

/* check_str on a string the caller owned, freed once it passed. */
#define check_new_str(got, want, name)                                                 \
    do {                                                                               \
        char *new_ = (got);                                                            \
        check_str(new_, (want), (name));                                               \
        free(new_);                                                                    \
    } while (0)

/* check_str on what fn(args..., buf, size) writes into a buffer of size bytes and returns. */
#define check_into(size, want, name, fn, ...)                                          \
    do {                                                                               \
        char into_[size];                                                              \
        check_str(fn(__VA_ARGS__, into_, sizeof into_), (want), (name));               \
    } while (0)

/* A repeatable stream of pseudo-random numbers below n (xorshift64) for the randomized
 * tests: each test program draws its own, from the same seed. */
static inline unsigned rnd(unsigned n)
{
    static uint64_t state = 0x2545f4914f6cdd1dull;
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return (unsigned)(state % n);
}

#endif
