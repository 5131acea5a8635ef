/* input.c: the checks every input field of the model shares: types, trimming, blankness, lengths. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "text/normalize.h"

void input_error(json_t *errors, const char *field, const char *message)
{
    json_array_append_new(errors, json_pack("{s:s, s:s}", "field", field, "message", message));
}

int input_string(const json_t *obj, const char *field, const char **out, json_t *errors)
{
    const json_t *v = json_object_get(obj, field);
    *out = NULL;
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_string(v)) {
        input_error(errors, field, "must be a string");
        return -1;
    }
    *out = json_string_value(v);
    return 0;
}

char *input_text_new(const char *field, const char *value, size_t max_chars, int required,
                     json_t *errors)
{
    char msg[96];
    if (value == NULL) {
        if (required)
            input_error(errors, field, "is required");
        return NULL;
    }
    char *trimmed = text_trim_new(value);
    if (trimmed == NULL)
        return NULL;
    if (trimmed[0] == '\0') {
        if (required)
            input_error(errors, field, "must not be blank");
        free(trimmed);
        return NULL;
    }
    if (text_char_count(trimmed) > max_chars) {
        snprintf(msg, sizeof msg, "must be at most %zu characters", max_chars);
        input_error(errors, field, msg);
        free(trimmed);
        return NULL;
    }
    return trimmed;
}

/* Adds an error for every member of obj not in writable ("is read-only" for read_only). */
void input_check_known(const json_t *obj, const char *const *writable, const char *const *read_only,
                        const char *what, json_t *errors)
{
    const char *key;
    const json_t *value;
    char msg[64];
    json_object_foreach((json_t *)obj, key, value) {
        bool known = false, ro = false;
        for (const char *const *w = writable; *w; w++)
            known |= strcmp(*w, key) == 0;
        for (const char *const *r = read_only; *r; r++)
            ro |= strcmp(*r, key) == 0;
        snprintf(msg, sizeof msg, "is not a field of %s", what);
        if (!known)
            input_error(errors, key, ro ? "is read-only" : msg);
        (void)value;
    }
}
