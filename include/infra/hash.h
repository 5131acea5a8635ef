/* hash.h: fast, stable 64-bit hashes (not MACs): FNV-1a for short keys and cursor
 * checksums, and XXH3 for representations (ETags). */
#ifndef KHABAR_HASH_H
#define KHABAR_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <xxhash.h>

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

/* A representation's bytes (an ETag): xxHash's XXH3, which hashes a page of tens of
 * kilobytes at memory speed, where a word-at-a-time multiply chain took ten times as long.
 * Any change of content or length changes it but by chance. */
static inline uint64_t hash_representation64(const void *data, size_t len)
{
    return XXH3_64bits(data, len);
}

#endif
