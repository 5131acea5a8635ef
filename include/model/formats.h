/* formats.h: the formats of an article's fields: RFC 3339 date-times and BCP 47 language tags. */
#ifndef KHABAR_MODEL_FORMATS_H
#define KHABAR_MODEL_FORMATS_H

#include <stdbool.h>

/* The largest id accepted in input (2^53: exact in every JSON reader). */
#define FORMAT_ID_MAX (1LL << 53)

/* Longest language tag accepted, in characters. */
#define FORMAT_LANG_TAG_MAX_CHARS 35

/* True when s is an RFC 3339 date-time ("2024-05-19T00:00:00Z", offsets, fractions)
 * that PostgreSQL stores as given: years 1000 to 9998, offsets up to ±15:59. */
bool rfc3339_is_valid(const char *s);

/* True when s has the shape of a BCP 47 language tag (ar, en-GB, zh-Hant-TW), at most
 * FORMAT_LANG_TAG_MAX_CHARS characters. */
bool lang_is_valid(const char *s);

/* The text direction of a BCP 47 language tag: "rtl" or "ltr". */
const char *lang_direction(const char *lang);

#endif
