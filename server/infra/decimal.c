/* decimal.c: the one strict reader of unsigned decimal numbers in request parts and settings. */
#include "infra/decimal.h"

#include <string.h>

bool decimal_parse(const char *s, size_t max_digits, unsigned long long *out)
{
    unsigned long long v = 0;
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > max_digits || max_digits > 19)
        return false;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        v = v * 10 + (unsigned long long)(*p - '0');
    }
    *out = v;
    return true;
}
