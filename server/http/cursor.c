/* cursor.c: page cursors as base64url("kind:key:id:checksum"), checked strictly on the way back. */
#include "http/cursor.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/formats.h"
#include "infra/hash.h"

#define CURSOR_MAX_BYTES 256
static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static uint64_t checksum(const char *payload, size_t len)
{
    static const char salt[] = "khabar cursor v1";
    return hash_fnv1a64(hash_fnv1a64(HASH_FNV1A64_INIT, salt, sizeof salt - 1), payload, len);
}

static char *base64url_new(const unsigned char *in, size_t len)
{
    char *out = malloc(len / 3 * 4 + 5);
    size_t o = 0;
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < len)
            v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < len)
            v |= in[i + 2];
        out[o++] = b64[(v >> 18) & 63];
        out[o++] = b64[(v >> 12) & 63];
        if (i + 1 < len)
            out[o++] = b64[(v >> 6) & 63];
        if (i + 2 < len)
            out[o++] = b64[v & 63];
    }
    out[o] = '\0';
    return out;
}

/* Decodes base64url without padding into out (out_size bytes, NUL-terminated); -1 if invalid. */
static int base64url_decode(const char *in, char *out, size_t out_size)
{
    size_t len = strlen(in), o = 0;
    uint32_t acc = 0;
    int bits = 0;
    if (len % 4 == 1)
        return -1;
    for (size_t i = 0; i < len; i++) {
        const char *p = strchr(b64, in[i]);
        if (in[i] == '\0' || p == NULL)
            return -1;
        acc = (acc << 6) | (uint32_t)(p - b64);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o + 1 >= out_size)
                return -1;
            out[o++] = (char)((acc >> bits) & 0xff);
        }
    }
    /* leftover bits must be zero, or two cursors would decode alike */
    if ((acc & ((1u << bits) - 1)) != 0)
        return -1;
    out[o] = '\0';
    return (int)o;
}

char *cursor_encode_new(enum cursor_kind kind, const char *key, int64_t id)
{
    char payload[CURSOR_MAX_BYTES];
    int n = snprintf(payload, sizeof payload, "%c:%s:%" PRId64, (char)kind, key, id);
    if (n < 0 || (size_t)n >= sizeof payload - 20)
        return NULL;
    snprintf(payload + n, sizeof payload - (size_t)n, ":%016" PRIx64,
             checksum(payload, (size_t)n));
    return base64url_new((const unsigned char *)payload, strlen(payload));
}

/* The key must look like what that kind of list sorts on. */
static bool key_is_valid(enum cursor_kind kind, const char *key)
{
    char *end = NULL;
    if (*key == '\0')
        return false;
    switch (kind) {
    case CURSOR_NEWEST:
    case CURSOR_FRONT:
        return rfc3339_is_valid(key);
    case CURSOR_RANKED: {
        /* what a PostgreSQL real holds as given: no overflow, no underflow */
        errno = 0;
        double v = strtod(key, &end);
        return *end == '\0' && errno == 0 && strspn(key, "0123456789.eE+-") == strlen(key) &&
               (strcmp(key, "0") == 0 || (fabs(v) >= 1e-37 && fabs(v) <= 1e37));
    }
    case CURSOR_TAGS:
    case CURSOR_SOURCES:
    case CURSOR_REVISIONS:
    case CURSOR_AUTHORS:
    case CURSOR_SECTIONS: /* positions are 0 to SECTION_POSITION_MAX */
        return strlen(key) <= 10 && strspn(key, "0123456789") == strlen(key);
    }
    return false;
}

int cursor_decode(const char *cursor, enum cursor_kind kind, char *key, size_t key_size,
                  int64_t *id)
{
    char payload[CURSOR_MAX_BYTES], sum[17];
    int len;
    if (strlen(cursor) > CURSOR_MAX_BYTES * 4 / 3 ||
        (len = base64url_decode(cursor, payload, sizeof payload)) < 0 ||
        memchr(payload, '\0', (size_t)len) != NULL)
        return -1;
    /* kind ':' key ':' id ':' 16 hex digits; the key holds no ':' except inside a time */
    char *last = strrchr(payload, ':');
    if (last == NULL || strlen(last + 1) != 16 || payload[0] != (char)kind || payload[1] != ':')
        return -1;
    snprintf(sum, sizeof sum, "%016" PRIx64, checksum(payload, (size_t)(last - payload)));
    if (strcmp(sum, last + 1) != 0)
        return -1;
    *last = '\0';
    char *id_part = strrchr(payload, ':');
    if (id_part == NULL || id_part == payload + 1)
        return -1;
    *id_part++ = '\0';
    char *end = NULL;
    long long v = strtoll(id_part, &end, 10);
    if (*id_part == '\0' || *end != '\0' || v < 1 || !isdigit((unsigned char)*id_part))
        return -1;
    const char *k = payload + 2;
    if (strlen(k) >= key_size || !key_is_valid(kind, k))
        return -1;
    snprintf(key, key_size, "%s", k);
    *id = v;
    return 0;
}
