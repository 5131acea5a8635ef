/* strict_json.h: strict reading of JSON texts and RFC 7396 merge patch, under khabar's names. */
#ifndef KHABAR_INFRA_STRICT_JSON_H
#define KHABAR_INFRA_STRICT_JSON_H

#include <jansson.h>
#include <stddef.h>

/* Nesting deeper than this is refused before jansson sees the text. */
#define KHABAR_JSON_MAX_DEPTH 32

enum khabar_json_status {
    KHABAR_JSON_OK = 0,
    KHABAR_JSON_MALFORMED,    /* not JSON, duplicate keys, trailing bytes, empty */
    KHABAR_JSON_INVALID_UTF8, /* bytes that are not UTF-8 */
    KHABAR_JSON_TOO_DEEP,     /* nested deeper than KHABAR_JSON_MAX_DEPTH */
};

/*
 * Parses len bytes of a JSON text (a request body, a line of an import file): UTF-8
 * checked, duplicate keys refused, no trailing bytes, depth limited; any JSON value is
 * accepted, its shape is the caller's business. On KHABAR_JSON_OK *out is the document
 * (caller owns); otherwise *out is NULL and detail (detail_size bytes) says what is wrong,
 * with a position when jansson gives one.
 */
enum khabar_json_status khabar_json_parse(const char *buf, size_t len, json_t **out,
                                          char *detail, size_t detail_size);

/* RFC 7396 JSON Merge Patch: applies patch to target in place (target must be an object). */
void khabar_json_merge_patch(json_t *target, const json_t *patch);

#endif
