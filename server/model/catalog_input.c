/* catalog_input.c: the field checks of authors and sections, and of a section front's pinned list. */
#include "model/catalog_input.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "model/article_input.h"
#include "model/formats.h"
#include "text/normalize.h"

/* The name (required) and the slug (sent, or made from the name) with its key, into doc. */
static void check_name_and_slug(const json_t *obj, json_t *doc, json_t *errors)
{
    const char *name_in = NULL, *slug_in = NULL;
    char msg[96];
    char *name = NULL, *slug = NULL, *key = NULL;
    if (input_string(obj, "name", &name_in, errors) == 0)
        name = input_text_new("name", name_in, CATALOG_NAME_MAX_CHARS, 1, errors);
    if (input_string(obj, "slug", &slug_in, errors) < 0 || (name == NULL && slug_in == NULL))
        goto out;
    const char *from = slug_in ? slug_in : name;
    slug = text_slugify_new(from, slug_in ? (size_t)-1 : TEXT_SLUG_MAX_CHARS);
    key = slug ? text_slug_key_new(slug) : NULL;
    if (slug == NULL || key == NULL || key[0] == '\0') {
        input_error(errors, "slug", slug_in ? "must contain a letter or a digit"
                                            : "the name must contain a letter or a digit");
    } else if (text_char_count(slug) > TEXT_SLUG_MAX_CHARS) {
        snprintf(msg, sizeof msg, "must be at most %d characters", TEXT_SLUG_MAX_CHARS);
        input_error(errors, "slug", msg);
    } else if (name != NULL) {
        json_object_set_new(doc, "name", json_string(name));
        json_object_set_new(doc, "slug", json_string(slug));
        json_object_set_new(doc, "slug_key", json_string(key));
    }
out:
    free(name);
    free(slug);
    free(key);
}

/* An optional text field into doc (absent or blank: not set). */
static void check_text(const json_t *obj, const char *field, size_t max_chars, json_t *doc,
                       json_t *errors)
{
    const char *in = NULL;
    if (input_string(obj, field, &in, errors) < 0)
        return;
    char *text = input_text_new(field, in, max_chars, 0, errors);
    if (text != NULL)
        json_object_set_new(doc, field, json_string(text));
    free(text);
}

/* What an author or a section is made of: its members, and its one free text. */
struct entry_fields {
    const char *const *writable, *const *read_only;
    const char *what; /* "an author" */
    const char *text; /* the free text member */
    size_t text_max_chars;
};

/* The checks an author and a section share (an object of known members, the name and slug,
 * the free text), into a new document for the checked values; NULL (with its error) when obj
 * is not an object or there is no memory. */
static json_t *entry_doc_new(const json_t *obj, const struct entry_fields *fields, json_t *errors)
{
    if (!json_is_object(obj)) {
        input_error(errors, "", "the body must be a JSON object");
        return NULL;
    }
    json_t *doc = json_object();
    if (doc == NULL) {
        input_error(errors, "", "out of memory");
        return NULL;
    }
    input_check_known(obj, fields->writable, fields->read_only, fields->what, errors);
    check_name_and_slug(obj, doc, errors);
    check_text(obj, fields->text, fields->text_max_chars, doc, errors);
    return doc;
}

/* Takes over doc into *doc_out when no error was added since errors_before; else frees it. */
static int finish_doc(json_t *doc, size_t errors_before, json_t *errors, json_t **doc_out)
{
    if (json_array_size(errors) != errors_before || doc == NULL) {
        json_decref(doc);
        if (json_array_size(errors) == errors_before)
            input_error(errors, "", "out of memory");
        return -1;
    }
    *doc_out = doc;
    return 0;
}

int author_input_from_json(const json_t *obj, const struct image_rules *rules,
                           struct author_input *in, json_t *errors)
{
    static const char *const writable[] = { "name", "slug", "bio", "avatar", NULL };
    static const char *const read_only[] = { "id", "article_count", NULL };
    static const struct entry_fields fields = { writable, read_only, "an author", "bio",
                                                AUTHOR_BIO_MAX_CHARS };
    size_t before = json_array_size(errors);
    memset(in, 0, sizeof *in);
    json_t *doc = entry_doc_new(obj, &fields, errors);
    if (doc == NULL)
        return -1;
    json_t *avatar = image_input_named_new(json_object_get(obj, "avatar"), "avatar", rules, errors);
    if (json_is_object(avatar)) {
        char *text = json_dumps(avatar, JSON_COMPACT);
        json_object_set_new(doc, "avatar", text ? json_string(text) : json_null());
        free(text);
    }
    json_decref(avatar);
    if (finish_doc(doc, before, errors, &in->doc) < 0)
        return -1;
    in->write = (struct db_author_write){
        .name = json_string_value(json_object_get(doc, "name")),
        .slug = json_string_value(json_object_get(doc, "slug")),
        .slug_key = json_string_value(json_object_get(doc, "slug_key")),
        .bio = json_string_value(json_object_get(doc, "bio")),
        .avatar = json_string_value(json_object_get(doc, "avatar")),
    };
    return 0;
}

void author_input_free(struct author_input *in)
{
    if (in == NULL)
        return;
    json_decref(in->doc);
    memset(in, 0, sizeof *in);
}

int section_input_from_json(const json_t *obj, struct section_input *in, json_t *errors)
{
    static const char *const writable[] = { "name", "slug", "description", "position", NULL };
    static const char *const read_only[] = { "id", NULL };
    static const struct entry_fields fields = { writable, read_only, "a section", "description",
                                                SECTION_DESCRIPTION_MAX_CHARS };
    char msg[96];
    size_t before = json_array_size(errors);
    memset(in, 0, sizeof *in);
    json_t *doc = entry_doc_new(obj, &fields, errors);
    if (doc == NULL)
        return -1;
    const json_t *position = json_object_get(obj, "position");
    if (position != NULL && !json_is_null(position)) {
        if (!json_is_integer(position) || json_integer_value(position) < 0 ||
            json_integer_value(position) > SECTION_POSITION_MAX) {
            snprintf(msg, sizeof msg, "must be a whole number from 0 to %d", SECTION_POSITION_MAX);
            input_error(errors, "position", msg);
        } else {
            snprintf(msg, sizeof msg, "%" JSON_INTEGER_FORMAT, json_integer_value(position));
            json_object_set_new(doc, "position", json_string(msg));
        }
    }
    if (finish_doc(doc, before, errors, &in->doc) < 0)
        return -1;
    in->write = (struct db_section_write){
        .name = json_string_value(json_object_get(doc, "name")),
        .slug = json_string_value(json_object_get(doc, "slug")),
        .slug_key = json_string_value(json_object_get(doc, "slug_key")),
        .description = json_string_value(json_object_get(doc, "description")),
        .position = json_string_value(json_object_get(doc, "position")),
    };
    return 0;
}

void section_input_free(struct section_input *in)
{
    if (in == NULL)
        return;
    json_decref(in->doc);
    memset(in, 0, sizeof *in);
}

json_t *catalog_input_json_new(const json_t *stored)
{
    static const char *const copied[] = { "name", "slug", "bio", "avatar", "description",
                                          "position", NULL };
    json_t *out = json_object();
    for (const char *const *k = copied; *k; k++) {
        json_t *v = json_object_get(stored, *k);
        if (v != NULL && !json_is_null(v))
            json_object_set(out, *k, v);
    }
    return out;
}

json_t *front_input_new(const json_t *obj, json_t *errors)
{
    char field[32], msg[96];
    size_t i;
    const json_t *item;
    if (!json_is_array(obj) || json_array_size(obj) > FRONT_PINNED_MAX) {
        snprintf(msg, sizeof msg, "must be an array of at most %d article ids", FRONT_PINNED_MAX);
        input_error(errors, "", msg);
        return NULL;
    }
    size_t before = json_array_size(errors);
    json_t *ids = json_array();
    json_array_foreach(obj, i, item) {
        snprintf(field, sizeof field, "[%zu]", i);
        if (!json_is_integer(item) || json_integer_value(item) < 1 ||
            json_integer_value(item) > FORMAT_ID_MAX) {
            input_error(errors, field, "must be an article id (a whole number from 1)");
            continue;
        }
        bool seen = false;
        size_t j;
        const json_t *prev;
        json_array_foreach(ids, j, prev) {
            seen |= json_equal(prev, item);
        }
        if (seen)
            input_error(errors, field, "is pinned already");
        else
            json_array_append(ids, (json_t *)item);
    }
    if (json_array_size(errors) != before) {
        json_decref(ids);
        return NULL;
    }
    return ids;
}
