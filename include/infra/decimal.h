/* decimal.h: the one strict reader of unsigned decimal numbers in request parts and settings. */
#ifndef KHABAR_INFRA_DECIMAL_H
#define KHABAR_INFRA_DECIMAL_H

#include <stdbool.h>
#include <stddef.h>

/*
 * True when s is 1 to max_digits ASCII digits and nothing else (no sign, no space), with
 * its value in *out. max_digits is at most 19, so that every accepted text fits.
 */
bool decimal_parse(const char *s, size_t max_digits, unsigned long long *out);

#endif
