/* article_input.c: the field checks of an article and its input form for a merge patch. */
#include "model/article_input.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "model/formats.h"
#include "model/publication.h"
#include "text/markup.h"
#include "text/normalize.h"
#include "text/search.h"

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
        input_error(errors, field, "must be an array of strings");
        return;
    }
    if (json_array_size(list) > max_items) {
        snprintf(msg, sizeof msg, "must hold at most %zu items", max_items);
        input_error(errors, field, msg);
        return;
    }
    json_array_foreach(list, i, item) {
        snprintf(name_field, sizeof name_field, "%s[%zu]", field, i);
        if (!json_is_string(item)) {
            input_error(errors, name_field, "must be a string");
            continue;
        }
        char *name = input_text_new(name_field, json_string_value(item), max_chars, 1, errors);
        char *key = name ? key_of(name) : NULL;
        if (name != NULL && (key == NULL || key[0] == '\0')) {
            input_error(errors, name_field, "must contain a letter or a digit");
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
        input_error(errors, "related", "must be an array of article ids or slugs");
        return;
    }
    if (json_array_size(list) > ARTICLE_RELATED_MAX) {
        snprintf(msg, sizeof msg, "must hold at most %d items", ARTICLE_RELATED_MAX);
        input_error(errors, "related", msg);
        return;
    }
    json_array_foreach(list, i, item) {
        json_t *ref = NULL;
        snprintf(field, sizeof field, "related[%zu]", i);
        if (json_is_integer(item) && json_integer_value(item) >= 1) {
            if (json_integer_value(item) == self_id) {
                input_error(errors, field, "an article cannot be related to itself");
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
            input_error(errors, field, "must be an article id (a whole number from 1) or a slug");
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

/*
 * A reference to an author or a section: an id (a whole number from 1) as {"id": n}, or a
 * slug as {"slug_key", "slug", "name"} (the name and slug an import creates it with);
 * NULL when item is neither.
 */
static json_t *catalog_ref_new(const json_t *item)
{
    if (json_is_integer(item) && json_integer_value(item) >= 1 &&
        json_integer_value(item) <= FORMAT_ID_MAX)
        return json_pack("{s:I}", "id", (json_int_t)json_integer_value(item));
    if (!json_is_string(item))
        return NULL;
    json_t *ref = NULL;
    char *name = text_trim_new(json_string_value(item));
    char *slug = name ? text_slugify_new(name, TEXT_SLUG_MAX_CHARS) : NULL;
    char *key = slug ? text_slug_key_new(slug) : NULL;
    if (key != NULL && key[0] != '\0' && text_char_count(name) <= CATALOG_NAME_MAX_CHARS)
        ref = json_pack("{s:s, s:s, s:s}", "slug_key", key, "slug", slug, "name", name);
    free(name);
    free(slug);
    free(key);
    return ref;
}

/* Two references naming the same author the same way (id, or slug in any letter variant). */
static bool same_ref(const json_t *a, const json_t *b)
{
    const json_t *ka = json_object_get(a, "slug_key"), *kb = json_object_get(b, "slug_key");
    if (ka != NULL || kb != NULL)
        return ka != NULL && kb != NULL && json_equal(ka, kb);
    return json_equal(a, b);
}

/* The byline: author ids or slugs, in order; an author named twice is refused. */
static void check_authors(const json_t *obj, json_t *out, json_t *errors)
{
    const json_t *list = json_object_get(obj, "authors");
    char field[32], msg[96];
    size_t i;
    const json_t *item;
    if (list == NULL || json_is_null(list))
        return;
    if (!json_is_array(list) || json_array_size(list) > ARTICLE_AUTHORS_MAX) {
        snprintf(msg, sizeof msg, "must be an array of at most %d author ids or slugs",
                 ARTICLE_AUTHORS_MAX);
        input_error(errors, "authors", msg);
        return;
    }
    json_array_foreach(list, i, item) {
        snprintf(field, sizeof field, "authors[%zu]", i);
        json_t *ref = catalog_ref_new(item);
        if (ref == NULL) {
            input_error(errors, field, "must be an author id (a whole number from 1) or a slug");
            continue;
        }
        bool seen = false;
        size_t j;
        const json_t *prev;
        json_array_foreach(out, j, prev) {
            seen |= same_ref(prev, ref);
        }
        if (seen)
            input_error(errors, field, "names an author already in the byline");
        else
            json_array_append(out, ref);
        json_decref(ref);
    }
}

/* The section: an id or a slug, or absent or null for none. */
static void check_section(const json_t *obj, json_t *doc, json_t *errors)
{
    const json_t *v = json_object_get(obj, "section");
    if (v == NULL || json_is_null(v))
        return;
    json_t *ref = catalog_ref_new(v);
    if (ref == NULL)
        input_error(errors, "section", "must be a section id (a whole number from 1), a slug, or null");
    else
        json_object_set_new(doc, "section", ref);
}

static int check_fields_known(const json_t *obj, json_t *errors)
{
    static const char *const writable[] = { "slug", "title", "summary", "body", "lang",
                                            "published_at", "tags", "sources", "related", "image",
                                            "status", "withdrawn_reason", "corrections",
                                            "authors", "section", NULL };
    static const char *const read_only[] = { "id", "dir", "version", "created_at", "updated_at",
                                             "body_html", NULL };
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
            input_error(errors, key, ro ? "is read-only" : "is not a field of an article");
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
        input_error(errors, "slug", "must contain a letter or a digit");
    } else if (text_char_count(slug) > TEXT_SLUG_MAX_CHARS) {
        snprintf(msg, sizeof msg, "must be at most %d characters", TEXT_SLUG_MAX_CHARS);
        input_error(errors, "slug", msg);
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

/* An article's scalar fields once checked: copies it owns, and values borrowed from the body. */
struct checked_fields {
    char *title, *summary, *slug;           /* trimmed or made canonical; owned */
    const char *body, *lang, *published_at; /* as sent; NULL when absent */
};

/* Checks title, summary, body, slug, lang and published_at of obj into f, errors to errors. */
static void check_scalars(const json_t *obj, struct checked_fields *f, json_t *errors)
{
    const char *title_in, *summary_in, *slug_in;
    if (input_string(obj, "title", &title_in, errors) == 0)
        f->title = input_text_new("title", title_in, ARTICLE_TITLE_MAX_CHARS, 1, errors);
    if (input_string(obj, "summary", &summary_in, errors) == 0)
        f->summary = input_text_new("summary", summary_in, ARTICLE_SUMMARY_MAX_CHARS, 0, errors);
    if (input_string(obj, "body", &f->body, errors) == 0) {
        if (f->body == NULL)
            input_error(errors, "body", "is required");
        else if (text_is_blank(f->body))
            input_error(errors, "body", "must not be blank");
        else if (strlen(f->body) > ARTICLE_BODY_MAX_BYTES)
            input_error(errors, "body", "must be at most 1 MiB");
    }
    if (input_string(obj, "slug", &slug_in, errors) == 0 && slug_in != NULL)
        f->slug = checked_slug_new(slug_in, errors);
    if (input_string(obj, "lang", &f->lang, errors) == 0 && f->lang != NULL &&
        !lang_is_valid(f->lang))
        input_error(errors, "lang", "must be a BCP 47 language tag such as ar or en-GB");
    if (input_string(obj, "published_at", &f->published_at, errors) == 0 &&
        f->published_at != NULL && !rfc3339_is_valid(f->published_at))
        input_error(errors, "published_at", "must be an RFC 3339 date-time such as 2024-05-19T00:00:00Z");
}

static void checked_fields_clear(struct checked_fields *f)
{
    free(f->title);
    free(f->summary);
    free(f->slug);
}

/*
 * Stores the checked fields of f in doc, with the slug's key (or, without a slug, the
 * slug and key made from the title) and the search text. Returns 0, or -1 on no memory.
 */
static int fill_doc(json_t *doc, const struct checked_fields *f)
{
    char *slug_key = NULL, *title_slug = NULL, *title_slug_key = NULL, *search = NULL;
    struct markup body = { 0 };
    int rc = -1;
    if (f->slug != NULL) {
        slug_key = text_slug_key_new(f->slug);
        if (slug_key == NULL)
            goto out;
    } else {
        title_slug = text_slugify_new(f->title, TEXT_SLUG_MAX_CHARS);
        if (title_slug != NULL && title_slug[0] == '\0') {
            free(title_slug);
            title_slug = strdup("article"); /* a title of punctuation alone */
        }
        title_slug_key = title_slug ? text_slug_key_new(title_slug) : NULL;
        if (title_slug_key == NULL)
            goto out;
    }
    set_string(doc, "title_slug_key", title_slug_key);
    set_string(doc, "slug", f->slug);
    set_string(doc, "slug_key", slug_key);
    set_string(doc, "title_slug", title_slug);
    set_string(doc, "title", f->title);
    set_string(doc, "summary", f->summary);
    set_string(doc, "body", f->body);
    set_string(doc, "lang", f->lang ? f->lang : "ar");
    set_string(doc, "published_at", f->published_at);
    if (markup_render(f->body, strlen(f->body), &body) != 0)
        goto out;
    set_string(doc, "body_html", body.html);
    set_string(doc, "body_text", body.text);
    search = search_vector_new(f->title, f->summary, body.text);
    if (search == NULL)
        goto out;
    json_object_set_new(doc, "search", json_string(search));
    rc = 0;
out:
    free(slug_key);
    free(title_slug);
    free(title_slug_key);
    free(search);
    markup_clear(&body);
    return rc;
}

/*
 * Points in's write into doc and hands doc over to in. The lists stay doc's to change;
 * write only reads them, hence its const pointers.
 */
static void input_from_doc(json_t *doc, struct article_input *in)
{
    in->doc = doc;
    in->write = (struct db_article_write){
        .slug = json_string_value(json_object_get(doc, "slug")),
        .slug_key = json_string_value(json_object_get(doc, "slug_key")),
        .title_slug = json_string_value(json_object_get(doc, "title_slug")),
        .title_slug_key = json_string_value(json_object_get(doc, "title_slug_key")),
        .title = json_string_value(json_object_get(doc, "title")),
        .summary = json_string_value(json_object_get(doc, "summary")),
        .body = json_string_value(json_object_get(doc, "body")),
        .body_html = json_string_value(json_object_get(doc, "body_html")),
        .body_text = json_string_value(json_object_get(doc, "body_text")),
        .lang = json_string_value(json_object_get(doc, "lang")),
        .published_at = json_string_value(json_object_get(doc, "published_at")),
        .search = json_string_value(json_object_get(doc, "search")),
        .tags = json_object_get(doc, "tags"),
        .sources = json_object_get(doc, "sources"),
        .related = json_object_get(doc, "related"),
        .image = json_string_value(json_object_get(doc, "image")),
        .status = json_string_value(json_object_get(doc, "status")),
        .withdrawn_reason = json_string_value(json_object_get(doc, "withdrawn_reason")),
        .corrections = json_string_value(json_object_get(doc, "corrections")),
        .authors = json_object_get(doc, "authors"),
        .section = json_object_get(doc, "section"),
    };
}

struct article_rules article_rules_of(const struct config *cfg)
{
    return (struct article_rules){ .image = { cfg->image_schemes, cfg->image_scheme_count } };
}

int article_input_from_json(const json_t *obj, int64_t self_id, const struct article_rules *rules,
                            struct article_input *in, json_t *errors)
{
    struct checked_fields f = { 0 };
    size_t errors_before = json_array_size(errors);
    int rc = -1;
    memset(in, 0, sizeof *in);
    if (!json_is_object(obj)) {
        input_error(errors, "", "the body must be a JSON object");
        return -1;
    }
    check_fields_known(obj, errors);
    json_t *doc = json_pack("{s:[], s:[], s:[], s:[]}", "tags", "sources", "related", "authors");
    if (doc == NULL)
        return -1;
    check_scalars(obj, &f, errors);
    check_names(obj, "tags", ARTICLE_TAGS_MAX, ARTICLE_TAG_MAX_CHARS, "slug", text_slug_key_new,
                json_object_get(doc, "tags"), errors);
    check_names(obj, "sources", ARTICLE_SOURCES_MAX, ARTICLE_SOURCE_MAX_CHARS, "key",
                source_key_new, json_object_get(doc, "sources"), errors);
    check_related(obj, self_id, json_object_get(doc, "related"), errors);
    check_authors(obj, json_object_get(doc, "authors"), errors);
    check_section(obj, doc, errors);
    json_t *image = image_input_new(json_object_get(obj, "image"), &rules->image, errors);
    if (json_is_object(image)) {
        char *text = json_dumps(image, JSON_COMPACT);
        json_object_set_new(doc, "image", text ? json_string(text) : json_null());
        free(text);
    }
    json_decref(image);
    if (publication_input(obj, doc, errors) < 0 || json_array_size(errors) > errors_before ||
        fill_doc(doc, &f) < 0)
        goto out;
    input_from_doc(doc, in);
    doc = NULL;
    rc = 0;
out:
    json_decref(doc);
    checked_fields_clear(&f);
    if (rc < 0 && json_array_size(errors) == errors_before)
        input_error(errors, "", "out of memory");
    return rc;
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
                                          "published_at", "sources", "image", "status",
                                          "withdrawn_reason", "corrections", NULL };
    json_t *out = json_object();
    for (const char *const *k = copied; *k; k++) {
        json_t *v = json_object_get(article, *k);
        if (v != NULL && !json_is_null(v))
            json_object_set(out, *k, v);
    }
    /* A draft's time is not yet its publication time: published without one named, it
     * is published when it is (the database decides, see STMT_ARTICLE_UPDATE). */
    const char *status = json_string_value(json_object_get(article, "status"));
    if (status != NULL && strcmp(status, "draft") == 0)
        json_object_del(out, "published_at");
    json_object_set_new(out, "tags", pluck_new(json_object_get(article, "tags"), "name"));
    json_object_set_new(out, "related", pluck_new(json_object_get(article, "related"), "id"));
    json_object_set_new(out, "authors", pluck_new(json_object_get(article, "authors"), "id"));
    const json_t *section = json_object_get(article, "section");
    if (json_is_object(section))
        json_object_set(out, "section", json_object_get(section, "id"));
    return out;
}
