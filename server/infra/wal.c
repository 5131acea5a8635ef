/* wal.c: PostgreSQL's WAL positions read from their text, and kept as the highest seen. */
#include <stdatomic.h>
#include <stdlib.h>

#include "infra/wal.h"

/* One half: 1 to 8 hexadecimal digits; where it ends in *end. */
static bool half_parse(const char *p, const char **end, uint32_t *out)
{
    uint32_t v = 0;
    int n = 0;
    for (; n < 9; n++, p++) {
        int d = *p >= '0' && *p <= '9' ? *p - '0'
                : *p >= 'A' && *p <= 'F' ? *p - 'A' + 10
                : *p >= 'a' && *p <= 'f' ? *p - 'a' + 10
                                         : -1;
        if (d < 0)
            break;
        v = v << 4 | (uint32_t)d;
    }
    *end = p;
    *out = v;
    return n >= 1 && n <= 8;
}

bool wal_position_parse(const char *text, uint64_t *out)
{
    uint32_t hi, lo;
    const char *p;
    if (text == NULL || !half_parse(text, &p, &hi) || *p != '/' || !half_parse(p + 1, &p, &lo) ||
        *p != '\0')
        return false;
    *out = (uint64_t)hi << 32 | lo;
    return true;
}

void wal_position_raise(_Atomic uint64_t *at, uint64_t position)
{
    uint64_t seen = atomic_load(at);
    while (seen < position && !atomic_compare_exchange_weak(at, &seen, position))
        ;
}
