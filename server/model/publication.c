/* publication.c: the publication fields of an article's input: status, withdrawn_reason and dated corrections. */
#include "model/publication.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "model/formats.h"

static const char *const statuses[] = { "draft", "published", "withdrawn", NULL };

/* The status of obj (published when absent), or NULL after an error. */
static const char *checked_status(const json_t *obj, json_t *errors)
{
    const char *status;
    if (input_string(obj, "status", &status, errors) < 0)
        return NULL;
    if (status == NULL)
        return "published";
    for (const char *const *s = statuses; *s; s++)
        if (strcmp(*s, status) == 0)
            return *s;
    input_error(errors, "status", "must be draft, published or withdrawn");
    return NULL;
}

/* Now in UTC, RFC 3339 to the second: the date of a correction sent without one. */
static void now_rfc3339(char *out, size_t size)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* One correction {"at", "text"} as stored, or NULL after an error. */
static json_t *correction_new(const json_t *in, size_t i, json_t *errors)
{
    char field[48], at_field[48], now[32];
    snprintf(field, sizeof field, "corrections[%zu]", i);
    snprintf(at_field, sizeof at_field, "corrections[%zu].at", i);
    if (!json_is_object(in) || json_object_size(in) > 2 ||
        json_object_size(in) != (size_t)(json_object_get(in, "text") != NULL) +
                                    (json_object_get(in, "at") != NULL)) {
        input_error(errors, field, "must be an object with text and, optionally, at");
        return NULL;
    }
    const json_t *at = json_object_get(in, "at"), *text = json_object_get(in, "text");
    if (at != NULL && !json_is_null(at) &&
        (!json_is_string(at) || !rfc3339_is_valid(json_string_value(at)))) {
        input_error(errors, at_field, "must be an RFC 3339 date-time such as 2024-05-19T08:00:00Z");
        return NULL;
    }
    snprintf(field, sizeof field, "corrections[%zu].text", i);
    if (text != NULL && !json_is_string(text)) {
        input_error(errors, field, "must be a string");
        return NULL;
    }
    char *checked = input_text_new(field, json_string_value(text), PUBLICATION_CORRECTION_MAX_CHARS,
                                   1, errors);
    if (checked == NULL)
        return NULL;
    now_rfc3339(now, sizeof now);
    json_t *out = json_pack("{s:s, s:s}", "at", at && !json_is_null(at) ? json_string_value(at) : now,
                            "text", checked);
    free(checked);
    return out;
}

/* The corrections of obj as stored JSON text into doc (errors to errors); -1 on no memory. */
static int checked_corrections(const json_t *obj, json_t *doc, json_t *errors)
{
    const json_t *list = json_object_get(obj, "corrections");
    json_t *out = json_array();
    bool ok = true;
    if (list != NULL && !json_is_null(list) &&
        (!json_is_array(list) || json_array_size(list) > PUBLICATION_CORRECTIONS_MAX)) {
        input_error(errors, "corrections", "must be a list of at most 50 corrections");
        ok = false;
    }
    size_t i;
    const json_t *item;
    json_array_foreach(ok ? list : NULL, i, item) {
        json_t *c = correction_new(item, i, errors);
        if (c != NULL)
            json_array_append_new(out, c);
    }
    char *text = json_dumps(out, JSON_COMPACT);
    json_decref(out);
    if (text == NULL)
        return -1;
    json_object_set_new(doc, "corrections", json_string(text));
    free(text);
    return 0;
}

int publication_input(const json_t *obj, json_t *doc, json_t *errors)
{
    const char *status = checked_status(obj, errors);
    if (status != NULL)
        json_object_set_new(doc, "status", json_string(status));
    if (status != NULL && strcmp(status, "withdrawn") == 0) {
        const char *reason_in;
        if (input_string(obj, "withdrawn_reason", &reason_in, errors) == 0) {
            char *reason = input_text_new("withdrawn_reason", reason_in, PUBLICATION_REASON_MAX_CHARS,
                                          1, errors);
            if (reason != NULL)
                json_object_set_new(doc, "withdrawn_reason", json_string(reason));
            free(reason);
        }
    }
    return checked_corrections(obj, doc, errors);
}
