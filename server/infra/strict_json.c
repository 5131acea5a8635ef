/* strict_json.c: strict JSON parsing (UTF-8, duplicates, trailing bytes, depth), RFC 7396 patch. */
#include "infra/strict_json.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "text/normalize.h"

/* True when the JSON text nests deeper than limit, counted outside strings. */
static bool depth_exceeds(const char *buf, size_t len, size_t limit)
{
    size_t depth = 0;
    bool in_string = false, escaped = false;
    for (size_t i = 0; i < len; i++) {
        char ch = buf[i];
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (ch == '\\')
                escaped = true;
            else if (ch == '"')
                in_string = false;
        } else if (ch == '"') {
            in_string = true;
        } else if (ch == '{' || ch == '[') {
            if (++depth > limit)
                return true;
        } else if ((ch == '}' || ch == ']') && depth > 0) {
            depth--;
        }
    }
    return false;
}

enum khabar_json_status khabar_json_parse(const char *buf, size_t len, json_t **out,
                                          char *detail, size_t detail_size)
{
    json_error_t jerr;
    *out = NULL;
    if (len == 0) {
        snprintf(detail, detail_size, "the request body is empty");
        return KHABAR_JSON_MALFORMED;
    }
    if (memchr(buf, '\0', len) != NULL) {
        snprintf(detail, detail_size, "the request body holds a NUL byte");
        return KHABAR_JSON_MALFORMED;
    }
    if (!text_is_valid_utf8(buf, len)) {
        snprintf(detail, detail_size, "the request body is not valid UTF-8");
        return KHABAR_JSON_INVALID_UTF8;
    }
    if (depth_exceeds(buf, len, KHABAR_JSON_MAX_DEPTH)) {
        snprintf(detail, detail_size, "JSON nested deeper than %d levels", KHABAR_JSON_MAX_DEPTH);
        return KHABAR_JSON_TOO_DEEP;
    }
    *out = json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (*out == NULL) {
        snprintf(detail, detail_size, "%s (line %d, column %d)", jerr.text, jerr.line,
                 jerr.column);
        return KHABAR_JSON_MALFORMED;
    }
    return KHABAR_JSON_OK;
}

void khabar_json_merge_patch(json_t *target, const json_t *patch)
{
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)patch, key, value) {
        if (json_is_null(value)) {
            json_object_del(target, key);
        } else if (json_is_object(value)) {
            json_t *current = json_object_get(target, key);
            if (!json_is_object(current)) {
                current = json_object();
                json_object_set_new(target, key, current);
            }
            khabar_json_merge_patch(current, value);
        } else {
            json_object_set_new(target, key, json_deep_copy(value));
        }
    }
}
