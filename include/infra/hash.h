/* hash.h: FNV-1a, 64 bits: a fast, stable hash for ETags and cursor checksums (not a MAC). */
#ifndef KHABAR_HASH_H
#define KHABAR_HASH_H

#include <stddef.h>
#include <stdint.h>

static inline uint64_t hash_fnv1a64(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

#define HASH_FNV1A64_INIT 0xcbf29ce484222325ULL

#endif
