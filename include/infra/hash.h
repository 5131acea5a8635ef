/* hash.h: fast, stable 64-bit hashes (not MACs): FNV-1a for short keys and cursor
 * checksums, and a word-at-a-time hash for representations (ETags). */
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

/*
 * The bytes eight at a time (little-endian words, the last one padded with zeros after
 * the bytes it holds), each mixed in with a multiplication and a shift, the length last:
 * a representation of a few kilobytes takes an eighth of FNV-1a's multiplications, each
 * waiting for the one before. Any change of content or length changes it but by chance.
 */
static inline uint64_t hash_words64(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t h = HASH_FNV1A64_INIT;
    for (size_t i = 0; i < len; i += 8) {
        uint64_t w = 0;
        for (size_t k = 0; k < 8 && i + k < len; k++)
            w |= (uint64_t)p[i + k] << (8 * k);
        h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
        h ^= h >> 29;
    }
    h = (h ^ (uint64_t)len) * 0x9e3779b97f4a7c15ULL;
    return h ^ (h >> 32);
}

#endif
