/* image.c: an article's lead image as input: checked, and made into the one form khabar stores and serves. */
#include "model/image.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

/* A member's path in error messages: "image.url", "image.renditions[2].width". */
static void member_path(char *out, size_t size, const char *parent, const char *key)
{
    snprintf(out, size, "%s.%s", parent, key);
}

/* Adds an error for every member of obj not in known. */
static void check_members(const json_t *obj, const char *path, const char *const *known,
                          json_t *errors)
{
    const char *key;
    const json_t *value;
    json_object_foreach((json_t *)obj, key, value) {
        bool found = false;
        for (const char *const *k = known; *k && !found; k++)
            found = strcmp(*k, key) == 0;
        if (!found) {
            char field[160];
            snprintf(field, sizeof field, "%s.%.100s", path, key);
            input_error(errors, field, "is not a field of an image");
        }
    }
}

/* A text member into out (null when absent or blank and optional); false after an error. */
static bool text_member(const json_t *obj, const char *parent, const char *key, size_t max_chars,
                        bool required, json_t *out, json_t *errors)
{
    char path[128];
    member_path(path, sizeof path, parent, key);
    const json_t *v = json_object_get(obj, key);
    if (v != NULL && !json_is_null(v) && !json_is_string(v)) {
        input_error(errors, path, "must be a string");
        return false;
    }
    size_t before = json_array_size(errors);
    char *text = input_text_new(path, json_string_value(v), max_chars, required, errors);
    json_object_set_new(out, key, text ? json_string(text) : json_null());
    free(text);
    return json_array_size(errors) == before;
}

/* A width or height member: absent or null, or a whole number of pixels in range. */
static void size_member(const json_t *obj, const char *parent, const char *key, bool required,
                        json_t *out, json_t *errors)
{
    char path[128];
    member_path(path, sizeof path, parent, key);
    const json_t *v = json_object_get(obj, key);
    if (v == NULL || json_is_null(v)) {
        if (required)
            input_error(errors, path, "is required");
        json_object_set_new(out, key, json_null());
    } else if (!json_is_integer(v) || json_integer_value(v) < 1 ||
               json_integer_value(v) > IMAGE_MAX_PIXELS) {
        input_error(errors, path, "must be a whole number of pixels from 1 to 100000");
    } else {
        json_object_set_new(out, key, json_integer(json_integer_value(v)));
    }
}

/* An absolute URL: scheme "://" host, nothing a browser would read differently (no space or
 * control character), at most IMAGE_URL_MAX_BYTES; the scheme one of schemes. */
static bool url_is_allowed(const char *url, const struct image_rules *rules)
{
    size_t len = strlen(url);
    if (len > IMAGE_URL_MAX_BYTES)
        return false;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)url[i] <= 0x20 || url[i] == 0x7f || strchr("\"<>\\`", url[i]) != NULL)
            return false;
    const char *sep = strstr(url, "://");
    if (sep == NULL || sep == url || sep[3] == '\0' || strchr("/?#", sep[3]) != NULL)
        return false;
    size_t scheme_len = (size_t)(sep - url);
    for (size_t i = 0; i < rules->scheme_count; i++)
        if (strlen(rules->schemes[i]) == scheme_len &&
            strncasecmp(url, rules->schemes[i], scheme_len) == 0)
            return true;
    return false;
}

static void url_member(const json_t *obj, const char *parent, const struct image_rules *rules,
                       json_t *out, json_t *errors)
{
    char path[128], msg[160];
    member_path(path, sizeof path, parent, "url");
    if (!text_member(obj, parent, "url", IMAGE_URL_MAX_BYTES, true, out, errors))
        return;
    if (!url_is_allowed(json_string_value(json_object_get(out, "url")), rules)) {
        snprintf(msg, sizeof msg, "must be an absolute URL (%s%s, host, path) of at most 2048 bytes",
                 rules->scheme_count ? rules->schemes[0] : "https",
                 rules->scheme_count > 1 ? " or another scheme of IMAGE_URL_SCHEMES" : "://");
        input_error(errors, path, msg);
    }
}

/* Another crop of the image: url, width and height, all required. */
static json_t *rendition_new(const json_t *in, const char *path, const struct image_rules *rules,
                             json_t *errors)
{
    static const char *const known[] = { "url", "width", "height", NULL };
    json_t *out = json_object();
    if (!json_is_object(in)) {
        input_error(errors, path, "must be an object with url, width and height");
        return out;
    }
    check_members(in, path, known, errors);
    url_member(in, path, rules, out, errors);
    size_member(in, path, "width", true, out, errors);
    size_member(in, path, "height", true, out, errors);
    return out;
}

static void renditions_member(const json_t *obj, const char *field, const struct image_rules *rules,
                              json_t *out, json_t *errors)
{
    char path[64];
    const json_t *list = json_object_get(obj, "renditions");
    json_t *checked = json_array();
    json_object_set_new(out, "renditions", checked);
    if (list == NULL || json_is_null(list))
        return;
    if (!json_is_array(list) || json_array_size(list) > IMAGE_RENDITIONS_MAX) {
        member_path(path, sizeof path, field, "renditions");
        input_error(errors, path, "must be a list of at most 20 renditions");
        return;
    }
    size_t i;
    const json_t *item;
    json_array_foreach(list, i, item) {
        snprintf(path, sizeof path, "%s.renditions[%zu]", field, i);
        json_array_append_new(checked, rendition_new(item, path, rules, errors));
    }
}

json_t *image_input_new(const json_t *in, const struct image_rules *rules, json_t *errors)
{
    return image_input_named_new(in, "image", rules, errors);
}

json_t *image_input_named_new(const json_t *in, const char *field, const struct image_rules *rules,
                              json_t *errors)
{
    char msg[96];
    static const char *const known[] = { "url", "alt", "caption", "credit", "width",
                                         "height", "renditions", NULL };
    if (in == NULL || json_is_null(in))
        return json_null();
    if (!json_is_object(in)) {
        snprintf(msg, sizeof msg, "must be an object with url and alt, or null");
        input_error(errors, field, msg);
        return NULL;
    }
    size_t before = json_array_size(errors);
    json_t *out = json_object();
    check_members(in, field, known, errors);
    url_member(in, field, rules, out, errors);
    text_member(in, field, "alt", IMAGE_ALT_MAX_CHARS, true, out, errors);
    text_member(in, field, "caption", IMAGE_CAPTION_MAX_CHARS, false, out, errors);
    text_member(in, field, "credit", IMAGE_CREDIT_MAX_CHARS, false, out, errors);
    size_member(in, field, "width", false, out, errors);
    size_member(in, field, "height", false, out, errors);
    renditions_member(in, field, rules, out, errors);
    if (json_array_size(errors) != before) {
        json_decref(out);
        return NULL;
    }
    return out;
}
