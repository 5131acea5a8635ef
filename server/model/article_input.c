/* article_input.c: strict JSON body parsing and the field checks of an article. */
#include "model/article_input.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/search.h"
#include "text/text.h"

/* Nesting depth of JSON text, counted outside strings, stopping once over the limit. */
static size_t json_depth_exceeds(const char *buf, size_t len, size_t limit)
{
    size_t depth = 0;
    int in_string = 0, escaped = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = buf[i];
        if (in_string) {
            if (escaped)
                escaped = 0;
            else if (ch == '\\')
                escaped = 1;
            else if (ch == '"')
                in_string = 0;
        } else if (ch == '"') {
            in_string = 1;
        } else if (ch == '{' || ch == '[') {
            if (++depth > limit)
                return 1;
        } else if ((ch == '}' || ch == ']') && depth > 0) {
            depth--;
        }
    }
    return 0;
}

enum json_body_status json_body_parse(const char *buf, size_t len, json_t **out, char *detail,
                                      size_t detail_size)
{
    json_error_t jerr;
    *out = NULL;
    if (len == 0) {
        snprintf(detail, detail_size, "the request body is empty");
        return JSON_BODY_MALFORMED;
    }
    if (memchr(buf, '\0', len) != NULL) {
        snprintf(detail, detail_size, "the request body holds a NUL byte");
        return JSON_BODY_MALFORMED;
    }
    if (!text_is_valid_utf8(buf, len)) {
        snprintf(detail, detail_size, "the request body is not valid UTF-8");
        return JSON_BODY_INVALID_UTF8;
    }
    if (json_depth_exceeds(buf, len, JSON_MAX_DEPTH)) {
        snprintf(detail, detail_size, "JSON nested deeper than %d levels", JSON_MAX_DEPTH);
        return JSON_BODY_TOO_DEEP;
    }
    /* Any JSON value parses; whether it is the right shape is the caller's 422. */
    *out = json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (*out == NULL) {
        snprintf(detail, detail_size, "%s (line %d, column %d)", jerr.text, jerr.line,
                 jerr.column);
        return JSON_BODY_MALFORMED;
    }
    return JSON_BODY_OK;
}

static void add_error(json_t *errors, const char *field, const char *message)
{
    json_array_append_new(errors, json_pack("{s:s, s:s}", "field", field, "message", message));
}

/* Reads a string field; absent or null leave *out NULL. Returns -1 on a wrong type. */
static int optional_string(const json_t *obj, const char *field, const char **out,
                           json_t *errors)
{
    const json_t *v = json_object_get(obj, field);
    *out = NULL;
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_string(v)) {
        add_error(errors, field, "must be a string");
        return -1;
    }
    *out = json_string_value(v);
    return 0;
}

/* A trimmed copy of a required-or-optional text field, checked for blankness and length. */
static char *checked_text_new(const char *field, const char *value, size_t max_chars,
                              int required, json_t *errors)
{
    char msg[96];
    if (value == NULL) {
        if (required)
            add_error(errors, field, "is required");
        return NULL;
    }
    char *trimmed = text_trim_new(value);
    if (trimmed == NULL)
        return NULL;
    if (trimmed[0] == '\0') {
        if (required)
            add_error(errors, field, "must not be blank");
        free(trimmed);
        return NULL;
    }
    if (text_char_count(trimmed) > max_chars) {
        snprintf(msg, sizeof msg, "must be at most %zu characters", max_chars);
        add_error(errors, field, msg);
        free(trimmed);
        return NULL;
    }
    return trimmed;
}

static int days_in_month(int year, int month)
{
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

/* Reads exactly n decimal digits at *p. */
static int read_digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

bool rfc3339_is_valid(const char *s)
{
    int year, month, day, hour, minute, second, oh, om;
    const char *p = s;
    if (read_digits(&p, 4, &year) || *p++ != '-' || read_digits(&p, 2, &month) || *p++ != '-' ||
        read_digits(&p, 2, &day))
        return false;
    if (*p != 'T' && *p != 't' && *p != ' ')
        return false;
    p++;
    if (read_digits(&p, 2, &hour) || *p++ != ':' || read_digits(&p, 2, &minute) ||
        *p++ != ':' || read_digits(&p, 2, &second))
        return false;
    if (year < 1000 || year > 9998 || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) ||
        hour > 23 || minute > 59 || second > 59)
        return false;
    if (*p == '.') {
        p++;
        int digits = 0;
        while (isdigit((unsigned char)*p))
            p++, digits++;
        if (digits == 0 || digits > 9)
            return false;
    }
    if (*p == 'Z' || *p == 'z')
        return p[1] == '\0';
    if (*p != '+' && *p != '-')
        return false;
    p++;
    if (read_digits(&p, 2, &oh) || *p++ != ':' || read_digits(&p, 2, &om))
        return false;
    return oh <= 15 && om <= 59 && *p == '\0'; /* PostgreSQL stores offsets to ±15:59 */
}

/* BCP 47 in its common shape: a 2-3 (or 4-8) letter language, then 1-8 character subtags. */
bool lang_is_valid(const char *s)
{
    size_t len = strlen(s), run = 0, i;
    if (len == 0 || len > ARTICLE_LANG_MAX_CHARS)
        return false;
    for (i = 0; i < len && s[i] != '-'; i++)
        if (!isalpha((unsigned char)s[i]) || !isascii((unsigned char)s[i]))
            return false;
    if (i < 2 || i > 8)
        return false;
    for (; i < len; i++) {
        if (s[i] == '-') {
            if (i + 1 == len || s[i + 1] == '-')
                return false;
            run = 0;
        } else if (!isalnum((unsigned char)s[i]) || !isascii((unsigned char)s[i]) || ++run > 8) {
            return false;
        }
    }
    return true;
}

const char *lang_direction(const char *lang)
{
    static const char *const rtl[] = { "ar", "fa", "ur", "he", "iw", "yi", "ps", "sd", "ug",
                                       "ckb", "dv", "ku-arab", "syr", "arc", "nqo", NULL };
    for (const char *const *r = rtl; *r != NULL; r++) {
        size_t n = strlen(*r);
        if (strncasecmp(lang, *r, n) == 0 && (lang[n] == '\0' || lang[n] == '-'))
            return "rtl";
    }
    return "ltr";
}

/* Checks a list of names (tags or sources); fills out with {"name", key_field} per distinct key. */
static void check_names(const json_t *obj, const char *field, size_t max_items, size_t max_chars,
                        const char *key_field, char *(*key_of)(const char *), json_t *out,
                        json_t *errors)
{
    const json_t *list = json_object_get(obj, field);
    char name_field[48], msg[96];
    size_t i;
    const json_t *item;
    if (list == NULL || json_is_null(list))
        return;
    if (!json_is_array(list)) {
        add_error(errors, field, "must be an array of strings");
        return;
    }
    if (json_array_size(list) > max_items) {
        snprintf(msg, sizeof msg, "must hold at most %zu items", max_items);
        add_error(errors, field, msg);
        return;
    }
    json_array_foreach(list, i, item) {
        snprintf(name_field, sizeof name_field, "%s[%zu]", field, i);
        if (!json_is_string(item)) {
            add_error(errors, name_field, "must be a string");
            continue;
        }
        char *name = checked_text_new(name_field, json_string_value(item), max_chars, 1, errors);
        char *key = name ? key_of(name) : NULL;
        if (name != NULL && (key == NULL || key[0] == '\0')) {
            add_error(errors, name_field, "must contain a letter or a digit");
        } else if (name != NULL) {
            int seen = 0;
            size_t j;
            const json_t *prev;
            json_array_foreach(out, j, prev) {
                seen |= strcmp(json_string_value(json_object_get(prev, key_field)), key) == 0;
            }
            if (!seen)
                json_array_append_new(out, json_pack("{s:s, s:s}", "name", name, key_field, key));
        }
        free(name);
        free(key);
    }
}

static char *source_key_new(const char *name)
{
    return text_normalize_new(name);
}

/* Related articles: ids (integers >= 1) or slugs (strings), in order, without repeats. */
static void check_related(const json_t *obj, int64_t self_id, json_t *out, json_t *errors)
{
    const json_t *list = json_object_get(obj, "related");
    char field[32], msg[96];
    size_t i;
    const json_t *item;
    if (list == NULL || json_is_null(list))
        return;
    if (!json_is_array(list)) {
        add_error(errors, "related", "must be an array of article ids or slugs");
        return;
    }
    if (json_array_size(list) > ARTICLE_RELATED_MAX) {
        snprintf(msg, sizeof msg, "must hold at most %d items", ARTICLE_RELATED_MAX);
        add_error(errors, "related", msg);
        return;
    }
    json_array_foreach(list, i, item) {
        json_t *ref = NULL;
        snprintf(field, sizeof field, "related[%zu]", i);
        if (json_is_integer(item) && json_integer_value(item) >= 1) {
            if (json_integer_value(item) == self_id) {
                add_error(errors, field, "an article cannot be related to itself");
                continue;
            }
            ref = json_pack("{s:I}", "id", (json_int_t)json_integer_value(item));
        } else if (json_is_string(item)) {
            char *key = text_slug_key_new(json_string_value(item));
            if (key != NULL && key[0] != '\0')
                ref = json_pack("{s:s}", "slug_key", key);
            free(key);
        }
        if (ref == NULL) {
            add_error(errors, field, "must be an article id (a whole number from 1) or a slug");
            continue;
        }
        int seen = 0;
        size_t j;
        const json_t *prev;
        json_array_foreach(out, j, prev) {
            seen |= json_equal(prev, ref);
        }
        if (!seen)
            json_array_append(out, ref);
        json_decref(ref);
    }
}

static int check_fields_known(const json_t *obj, json_t *errors)
{
    static const char *const writable[] = { "slug", "title", "summary", "body", "lang",
                                            "published_at", "tags", "sources", "related", NULL };
    static const char *const read_only[] = { "id", "dir", "version", "created_at", "updated_at",
                                             NULL };
    const char *key;
    const json_t *value;
    int bad = 0;
    json_object_foreach((json_t *)obj, key, value) {
        int known = 0, ro = 0;
        for (const char *const *w = writable; *w; w++)
            known |= strcmp(*w, key) == 0;
        for (const char *const *r = read_only; *r; r++)
            ro |= strcmp(*r, key) == 0;
        if (!known) {
            add_error(errors, key, ro ? "is read-only" : "is not a field of an article");
            bad = 1;
        }
        (void)value;
    }
    return bad ? -1 : 0;
}

/* The slug a client sent, made canonical; NULL after recording an error. */
static char *checked_slug_new(const char *value, json_t *errors)
{
    char msg[96];
    char *slug = text_slugify_new(value, (size_t)-1);
    if (slug == NULL || slug[0] == '\0') {
        add_error(errors, "slug", "must contain a letter or a digit");
    } else if (text_char_count(slug) > TEXT_SLUG_MAX_CHARS) {
        snprintf(msg, sizeof msg, "must be at most %d characters", TEXT_SLUG_MAX_CHARS);
        add_error(errors, "slug", msg);
    } else {
        return slug;
    }
    free(slug);
    return NULL;
}

static void set_string(json_t *doc, const char *key, const char *value)
{
    if (value != NULL)
        json_object_set_new(doc, key, json_string(value));
}

int article_input_from_json(const json_t *obj, int64_t self_id, struct article_input *in,
                            json_t *errors)
{
    const char *title_in, *summary_in, *body_in, *slug_in, *lang_in, *published_in;
    char *title = NULL, *summary = NULL, *slug = NULL, *slug_key = NULL, *title_slug = NULL;
    size_t errors_before = json_array_size(errors);
    memset(in, 0, sizeof *in);
    if (!json_is_object(obj)) {
        add_error(errors, "", "the body must be a JSON object");
        return -1;
    }
    check_fields_known(obj, errors);
    json_t *doc = json_pack("{s:[], s:[], s:[]}", "tags", "sources", "related");
    if (doc == NULL)
        return -1;

    if (optional_string(obj, "title", &title_in, errors) == 0)
        title = checked_text_new("title", title_in, ARTICLE_TITLE_MAX_CHARS, 1, errors);
    else
        title_in = "";
    if (optional_string(obj, "summary", &summary_in, errors) == 0)
        summary = checked_text_new("summary", summary_in, ARTICLE_SUMMARY_MAX_CHARS, 0, errors);
    if (optional_string(obj, "body", &body_in, errors) == 0) {
        if (body_in == NULL)
            add_error(errors, "body", "is required");
        else if (text_is_blank(body_in))
            add_error(errors, "body", "must not be blank");
        else if (strlen(body_in) > ARTICLE_BODY_MAX_BYTES)
            add_error(errors, "body", "must be at most 1 MiB");
    }
    if (optional_string(obj, "slug", &slug_in, errors) == 0 && slug_in != NULL)
        slug = checked_slug_new(slug_in, errors);
    if (optional_string(obj, "lang", &lang_in, errors) == 0 && lang_in != NULL &&
        !lang_is_valid(lang_in))
        add_error(errors, "lang", "must be a BCP 47 language tag such as ar or en-GB");
    if (optional_string(obj, "published_at", &published_in, errors) == 0 && published_in != NULL &&
        !rfc3339_is_valid(published_in))
        add_error(errors, "published_at", "must be an RFC 3339 date-time such as 2024-05-19T00:00:00Z");
    check_names(obj, "tags", ARTICLE_TAGS_MAX, ARTICLE_TAG_MAX_CHARS, "slug", text_slug_key_new,
                json_object_get(doc, "tags"), errors);
    check_names(obj, "sources", ARTICLE_SOURCES_MAX, ARTICLE_SOURCE_MAX_CHARS, "key",
                source_key_new, json_object_get(doc, "sources"), errors);
    check_related(obj, self_id, json_object_get(doc, "related"), errors);

    if (json_array_size(errors) > errors_before)
        goto fail;
    if (slug != NULL) {
        slug_key = text_slug_key_new(slug);
    } else {
        title_slug = text_slugify_new(title, TEXT_SLUG_MAX_CHARS);
        if (title_slug != NULL && title_slug[0] == '\0') {
            free(title_slug);
            title_slug = strdup("article"); /* a title of punctuation alone */
        }
    }
    char *title_slug_key = title_slug ? text_slug_key_new(title_slug) : NULL;
    if ((slug != NULL && slug_key == NULL) || (slug == NULL && title_slug_key == NULL))
        goto fail;
    set_string(doc, "title_slug_key", title_slug_key);
    free(title_slug_key);
    set_string(doc, "slug", slug);
    set_string(doc, "slug_key", slug_key);
    set_string(doc, "title_slug", title_slug);
    set_string(doc, "title", title);
    set_string(doc, "summary", summary);
    set_string(doc, "body", body_in);
    set_string(doc, "lang", lang_in ? lang_in : "ar");
    set_string(doc, "published_at", published_in);
    char *search = search_vector_new(title, summary, body_in);
    if (search == NULL)
        goto fail;
    json_object_set_new(doc, "search", json_string(search));
    free(search);
    in->doc = doc;
    in->slug = json_string_value(json_object_get(doc, "slug"));
    in->slug_key = json_string_value(json_object_get(doc, "slug_key"));
    in->title_slug = json_string_value(json_object_get(doc, "title_slug"));
    in->title_slug_key = json_string_value(json_object_get(doc, "title_slug_key"));
    in->title = json_string_value(json_object_get(doc, "title"));
    in->summary = json_string_value(json_object_get(doc, "summary"));
    in->body = json_string_value(json_object_get(doc, "body"));
    in->lang = json_string_value(json_object_get(doc, "lang"));
    in->published_at = json_string_value(json_object_get(doc, "published_at"));
    in->tags = json_object_get(doc, "tags");
    in->sources = json_object_get(doc, "sources");
    in->related = json_object_get(doc, "related");
    in->search = json_string_value(json_object_get(doc, "search"));
    free(title);
    free(summary);
    free(slug);
    free(slug_key);
    free(title_slug);
    return 0;
fail:
    json_decref(doc);
    free(title);
    free(summary);
    free(slug);
    free(slug_key);
    free(title_slug);
    if (json_array_size(errors) == errors_before)
        add_error(errors, "", "out of memory");
    return -1;
}

void article_input_free(struct article_input *in)
{
    if (in == NULL)
        return;
    json_decref(in->doc);
    memset(in, 0, sizeof *in);
}

/* The values of one member of each object in an array, as a new array. */
static json_t *pluck_new(const json_t *list, const char *member)
{
    json_t *out = json_array();
    size_t i;
    const json_t *item;
    json_array_foreach(list, i, item) {
        json_array_append(out, json_object_get(item, member));
    }
    return out;
}

json_t *article_input_json_from_article_new(const json_t *article)
{
    static const char *const copied[] = { "slug", "title", "summary", "body", "lang",
                                          "published_at", "sources", NULL };
    json_t *out = json_object();
    for (const char *const *k = copied; *k; k++) {
        json_t *v = json_object_get(article, *k);
        if (v != NULL && !json_is_null(v))
            json_object_set(out, *k, v);
    }
    json_object_set_new(out, "tags", pluck_new(json_object_get(article, "tags"), "name"));
    json_object_set_new(out, "related", pluck_new(json_object_get(article, "related"), "id"));
    return out;
}

void json_merge_patch(json_t *target, const json_t *patch)
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
            json_merge_patch(current, value);
        } else {
            json_object_set_new(target, key, json_deep_copy(value));
        }
    }
}
