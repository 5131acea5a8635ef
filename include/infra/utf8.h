/* utf8.h: the one check of a well-formed UTF-8 sequence, for code that walks text a byte at
 * a time (the log's escaping, the JSON writer), inline as it runs on every byte. */
#ifndef KHABAR_UTF8_H
#define KHABAR_UTF8_H

#include <stddef.h>

/* The length of the well-formed UTF-8 sequence of two to four bytes at p (RFC 3629: no
 * overlong form, no surrogate, nothing past U+10FFFF); 0 when there is none. Reads no
 * byte past a NUL. */
static inline size_t utf8_sequence(const unsigned char *p)
{
    unsigned char c = p[0];
    size_t n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    unsigned char lo = 0x80, hi = 0xbf; /* the bounds of the second byte */
    if (c == 0xe0)
        lo = 0xa0;
    else if (c == 0xed)
        hi = 0x9f;
    else if (c == 0xf0)
        lo = 0x90;
    else if (c == 0xf4)
        hi = 0x8f;
    if (n == 0 || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (p[i] < 0x80 || p[i] > 0xbf)
            return 0;
    return n;
}

#endif
