/* serialize.c: the public JSON of articles, list items, tags, sources, authors and sections, built from database rows. */
#include "model/serialize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/article_input.h"
#include "text/json_text.h"
#include "text/search.h"

static json_t *text_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* A JSON array stored beside the row; an empty one when it cannot be read. */
static json_t *stored_list(const char *text)
{
    json_t *v = text ? json_loads(text, 0, NULL) : NULL;
    return v ? v : json_array();
}

/* A JSON object stored beside the row; null when there is none (or it cannot be read). */
static json_t *stored_object(const char *text)
{
    json_t *v = text ? json_loads(text, 0, NULL) : NULL;
    return json_is_object(v) ? v : (json_decref(v), json_null());
}

/* The article object, with the body only when with_body and the row has one. */
static json_t *article_object(const struct db_article *a, bool with_body)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer((json_int_t)a->id));
    json_object_set_new(o, "slug", json_string(a->slug));
    json_object_set_new(o, "title", json_string(a->title));
    json_object_set_new(o, "summary", text_or_null(a->summary));
    if (with_body && a->body != NULL) {
        json_object_set_new(o, "body", json_string(a->body));
        json_object_set_new(o, "body_html", text_or_null(a->body_html));
    }
    json_object_set_new(o, "status", json_string(a->status ? a->status : "published"));
    json_object_set_new(o, "lang", json_string(a->lang));
    json_object_set_new(o, "dir", json_string(lang_direction(a->lang)));
    json_object_set_new(o, "published_at", json_string(a->published_at));
    json_object_set_new(o, "created_at", json_string(a->created_at));
    json_object_set_new(o, "updated_at", json_string(a->updated_at));
    json_object_set_new(o, "version", json_integer((json_int_t)a->version));
    json_object_set_new(o, "sources", stored_list(a->sources));
    json_object_set_new(o, "tags", stored_list(a->tags));
    json_object_set_new(o, "related", stored_list(a->related));
    json_object_set_new(o, "image", stored_object(a->image));
    json_object_set_new(o, "authors", stored_list(a->authors));
    json_object_set_new(o, "section", stored_object(a->section));
    if (with_body && a->body != NULL) {
        json_object_set_new(o, "withdrawn_reason", text_or_null(a->withdrawn_reason));
        json_object_set_new(o, "corrections", stored_list(a->corrections));
    }
    return o;
}

json_t *serialize_article_new(const struct db_article *a)
{
    return article_object(a, true);
}

/* A stored list or object, compact: copied as it is, or through jansson when the copy
 * would not be the bytes jansson writes (stored_list, stored_object). */
static void stored_text(struct json_text *j, const char *text, bool object)
{
    if (json_text_stored(j, text, object ? '{' : '['))
        return;
    json_t *v = object ? stored_object(text) : stored_list(text);
    char *dumped = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    if (dumped != NULL)
        json_text_raw(j, dumped, strlen(dumped));
    else
        j->failed = true;
    free(dumped);
    json_decref(v);
}

/* A string member; none at all for NULL (as json_string(NULL) adds none). */
static void member_string(struct json_text *j, const char *key, const char *value)
{
    if (value == NULL)
        return;
    json_text_member(j, key);
    json_text_string(j, value);
}

/* A string member, null for NULL (text_or_null). */
static void member_nullable(struct json_text *j, const char *key, const char *value)
{
    json_text_member(j, key);
    json_text_string(j, value);
}

static void member_stored(struct json_text *j, const char *key, const char *text, bool object)
{
    json_text_member(j, key);
    stored_text(j, text, object);
}

static void member_int(struct json_text *j, const char *key, int64_t v)
{
    json_text_member(j, key);
    json_text_int(j, v);
}

/* The members of article_object(a, with_body) after an opening brace, written as
 * json_dumps(..., JSON_COMPACT) writes them, in the same order, without building them; the
 * object is left open for the caller's own members and its closing brace. */
static void article_members(struct json_text *j, const struct db_article *a, bool with_body)
{
    bool body = with_body && a->body != NULL;
    json_text_open(j);
    member_int(j, "id", a->id);
    member_string(j, "slug", a->slug);
    member_string(j, "title", a->title);
    member_nullable(j, "summary", a->summary);
    if (body) {
        member_string(j, "body", a->body);
        member_nullable(j, "body_html", a->body_html);
    }
    member_string(j, "status", a->status ? a->status : "published");
    member_string(j, "lang", a->lang);
    member_string(j, "dir", lang_direction(a->lang));
    member_string(j, "published_at", a->published_at);
    member_string(j, "created_at", a->created_at);
    member_string(j, "updated_at", a->updated_at);
    member_int(j, "version", a->version);
    member_stored(j, "sources", a->sources, false);
    member_stored(j, "tags", a->tags, false);
    member_stored(j, "related", a->related, false);
    member_stored(j, "image", a->image, true);
    member_stored(j, "authors", a->authors, false);
    member_stored(j, "section", a->section, true);
    if (body) {
        member_nullable(j, "withdrawn_reason", a->withdrawn_reason);
        member_stored(j, "corrections", a->corrections, false);
    }
}

static void article_text(struct json_text *j, const struct db_article *a)
{
    article_members(j, a, true);
    json_text_close(j);
}

/* The article's JSON with end appended ("" or a newline); through jansson when the
 * direct writer cannot write it as jansson would (a string that is not UTF-8). */
static char *article_text_new(const struct db_article *a, const char *end, size_t *len)
{
    struct json_text j = { 0 };
    article_text(&j, a);
    json_text_raw(&j, end, strlen(end));
    if (!j.failed) {
        *len = j.len;
        return j.buf;
    }
    json_text_free(&j);
    json_t *doc = serialize_article_new(a);
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    char *with_end = text && asprintf(&with_end, "%s%s", text, end) >= 0 ? with_end : NULL;
    free(text);
    *len = with_end ? strlen(with_end) : 0;
    return with_end;
}

char *serialize_article_text_new(const struct db_article *a)
{
    size_t len;
    return article_text_new(a, "", &len);
}

char *serialize_article_answer_new(const struct db_article *a, size_t *len)
{
    return article_text_new(a, "\n", len);
}

json_t *serialize_revision_new(const struct db_revision *r, bool with_article)
{
    json_t *o = json_object();
    json_object_set_new(o, "version", json_integer((json_int_t)r->version));
    json_object_set_new(o, "made_at", json_string(r->made_at));
    json_object_set_new(o, "actor", json_string(r->actor));
    json_object_set_new(o, "action", json_string(r->action));
    json_object_set_new(o, "restored_from",
                        r->restored_from ? json_integer((json_int_t)r->restored_from) : json_null());
    json_object_set_new(o, "changed", stored_list(r->changed));
    if (with_article)
        json_object_set_new(o, "article", stored_object(r->representation));
    return o;
}

json_t *serialize_related_list_new(const char *related_json)
{
    return json_pack("{s:o}", "data", stored_list(related_json));
}

json_t *serialize_tag_new(const struct db_name *t)
{
    return json_pack("{s:s, s:s, s:I}", "slug", t->slug, "name", t->name, "article_count",
                     (json_int_t)t->article_count);
}

json_t *serialize_source_new(const struct db_name *s)
{
    return json_pack("{s:s, s:I}", "name", s->name, "article_count", (json_int_t)s->article_count);
}

/* Where the page ends, from the database's end of it; items made by the caller. */
static void page_start(const struct db_page_end *end, struct list_page *out)
{
    out->items = json_array();
    out->items_text = NULL;
    out->more = end->more;
    snprintf(out->last_key, sizeof out->last_key, "%s", end->last_key);
    out->last_id = end->last_id;
    out->last_modified = end->last_modified;
}

/* Takes j's text as out's items when it was written whole (out's jansson array dropped);
 * false when it failed: j is freed and out's items are the caller's to make. */
static bool items_text_taken(struct list_page *out, struct json_text *j)
{
    if (j->failed) {
        json_text_free(j);
        return false;
    }
    json_decref(out->items);
    out->items = NULL;
    out->items_text = j->buf;
    return true;
}

/* What a list item has beside the article's members: a search's snippet, a front's pin. */
struct item_extra {
    const struct search_query *search; /* a snippet from it, when not NULL */
    int pinned;                        /* -1: no "pinned" member */
};

static void item_extra_members(struct json_text *j, const struct db_article *a, const struct item_extra *x)
{
    if (x->search != NULL) {
        const char *texts[3] = { a->title, a->summary, a->body_text };
        char *snippet = search_snippet_new(x->search, texts, 3);
        member_nullable(j, "snippet", snippet);
        free(snippet);
    }
    if (x->pinned >= 0) {
        json_text_member(j, "pinned");
        json_text_raw(j, x->pinned ? "true" : "false", x->pinned ? 4 : 5);
    }
}

/* The items of in, each an article without its body and x's members, into j (an array's
 * elements, comma separated). */
static void items_text(struct json_text *j, const struct db_article_page *in, const struct item_extra *x)
{
    for (size_t i = 0; i < in->n; i++) {
        if (i > 0)
            json_text_raw(j, ",", 1);
        article_members(j, &in->items[i], false);
        item_extra_members(j, &in->items[i], x);
        json_text_close(j);
    }
}

/* The same items as jansson values (when the direct writer cannot write them as jansson
 * would: a string that is not UTF-8). */
static void items_tree(json_t *items, const struct db_article_page *in, const struct item_extra *x)
{
    for (size_t i = 0; i < in->n; i++) {
        const struct db_article *a = &in->items[i];
        json_t *item = article_object(a, false);
        if (x->search != NULL) {
            const char *texts[3] = { a->title, a->summary, a->body_text };
            char *snippet = search_snippet_new(x->search, texts, 3);
            json_object_set_new(item, "snippet", text_or_null(snippet));
            free(snippet);
        }
        if (x->pinned >= 0)
            json_object_set_new(item, "pinned", json_boolean(x->pinned));
        json_array_append_new(items, item);
    }
}

/* The items of a page of articles, from one or two runs of rows (parts), each with its own
 * item members: as the items' text, or as jansson values when that cannot be written
 * directly. */
static void article_items(struct list_page *out, const struct db_article_page *const *parts,
                          const struct item_extra *extras, size_t nparts)
{
    struct json_text j = { 0 };
    bool any = false;
    json_text_raw(&j, "[", 1);
    for (size_t p = 0; p < nparts; p++) {
        if (any && parts[p]->n > 0)
            json_text_raw(&j, ",", 1);
        items_text(&j, parts[p], &extras[p]);
        any = any || parts[p]->n > 0;
    }
    json_text_raw(&j, "]", 1);
    if (items_text_taken(out, &j))
        return;
    for (size_t p = 0; p < nparts; p++)
        items_tree(out->items, parts[p], &extras[p]);
}

void serialize_article_page(const struct db_article_page *in, struct list_page *out)
{
    page_start(&in->end, out);
    const struct db_article_page *parts[] = { in };
    struct item_extra x = { .search = NULL, .pinned = -1 };
    article_items(out, parts, &x, 1);
}

void serialize_search_page(const struct db_article_page *in, const struct search_query *search,
                           struct list_page *out)
{
    page_start(&in->end, out);
    const struct db_article_page *parts[] = { in };
    struct item_extra x = { .search = search, .pinned = -1 };
    article_items(out, parts, &x, 1);
}

void serialize_revision_page(const struct db_revision_page *in, struct list_page *out)
{
    page_start(&in->end, out);
    for (size_t i = 0; i < in->n; i++)
        json_array_append_new(out->items, serialize_revision_new(&in->items[i], false));
}

json_t *serialize_author_new(const struct db_name *a)
{
    return json_pack("{s:I, s:s, s:s, s:o, s:o, s:I}", "id", (json_int_t)a->id, "slug", a->slug,
                     "name", a->name, "bio", text_or_null(a->bio), "avatar", stored_object(a->avatar),
                     "article_count", (json_int_t)a->article_count);
}

/* serialize_tag_new(t), serialize_source_new(s) and serialize_author_new(a) written
 * directly, as article_members writes an article. */
static void tag_text(struct json_text *j, const struct db_name *t)
{
    json_text_open(j);
    member_string(j, "slug", t->slug);
    member_string(j, "name", t->name);
    member_int(j, "article_count", t->article_count);
    json_text_close(j);
}

static void source_text(struct json_text *j, const struct db_name *s)
{
    json_text_open(j);
    member_string(j, "name", s->name);
    member_int(j, "article_count", s->article_count);
    json_text_close(j);
}

static void author_text(struct json_text *j, const struct db_name *a)
{
    json_text_open(j);
    member_int(j, "id", a->id);
    member_string(j, "slug", a->slug);
    member_string(j, "name", a->name);
    member_nullable(j, "bio", a->bio);
    member_stored(j, "avatar", a->avatar, true);
    member_int(j, "article_count", a->article_count);
    json_text_close(j);
}

/* A page of names: its items written directly by text, or as jansson values by tree when
 * they cannot be written so (a string that is not UTF-8). */
static void name_page(const struct db_name_page *in, struct list_page *out,
                      void (*text)(struct json_text *, const struct db_name *),
                      json_t *(*tree)(const struct db_name *))
{
    page_start(&in->end, out);
    struct json_text j = { 0 };
    json_text_raw(&j, "[", 1);
    for (size_t i = 0; i < in->n; i++) {
        if (i > 0)
            json_text_raw(&j, ",", 1);
        text(&j, &in->items[i]);
    }
    json_text_raw(&j, "]", 1);
    if (items_text_taken(out, &j))
        return;
    for (size_t i = 0; i < in->n; i++)
        json_array_append_new(out->items, tree(&in->items[i]));
}

void serialize_tag_page(const struct db_name_page *in, struct list_page *out)
{
    name_page(in, out, tag_text, serialize_tag_new);
}

void serialize_source_page(const struct db_name_page *in, struct list_page *out)
{
    name_page(in, out, source_text, serialize_source_new);
}

void serialize_author_page(const struct db_name_page *in, struct list_page *out)
{
    name_page(in, out, author_text, serialize_author_new);
}

json_t *serialize_section_new(const struct db_section *s)
{
    return json_pack("{s:I, s:s, s:s, s:o, s:I}", "id", (json_int_t)s->id, "slug", s->slug, "name",
                     s->name, "description", text_or_null(s->description), "position",
                     (json_int_t)s->position);
}

void serialize_section_page(const struct db_section_page *in, struct list_page *out)
{
    page_start(&in->end, out);
    for (size_t i = 0; i < in->n; i++)
        json_array_append_new(out->items, serialize_section_new(&in->items[i]));
}

void serialize_front_page(const struct db_front *in, struct list_page *out)
{
    page_start(&in->newest.end, out);
    const struct db_article_page *parts[] = { &in->pinned, &in->newest };
    struct item_extra x[] = { { .search = NULL, .pinned = 1 }, { .search = NULL, .pinned = 0 } };
    article_items(out, parts, x, 2);
}

json_t *serialize_suggestions_new(const struct db_article_page *articles,
                                  const struct db_name_page *tags,
                                  const struct db_name_page *authors,
                                  const struct db_section_page *sections)
{
    json_t *a = json_array(), *t = json_array(), *au = json_array(), *s = json_array();
    for (size_t i = 0; i < articles->n; i++) {
        const struct db_article *x = &articles->items[i];
        json_array_append_new(a, json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)x->id, "slug",
                                           x->slug, "title", x->title, "published_at",
                                           x->published_at));
    }
    for (size_t i = 0; i < tags->n; i++)
        json_array_append_new(t, serialize_tag_new(&tags->items[i]));
    for (size_t i = 0; i < authors->n; i++)
        json_array_append_new(au, serialize_author_new(&authors->items[i]));
    for (size_t i = 0; i < sections->n; i++)
        json_array_append_new(s, serialize_section_new(&sections->items[i]));
    return json_pack("{s:o, s:o, s:o, s:o}", "articles", a, "tags", t, "authors", au, "sections", s);
}

json_t *serialize_webhook_new(const struct db_webhook *w, const char *secret)
{
    json_t *o = json_pack("{s:I, s:s, s:o, s:o, s:b, s:o, s:o, s:o, s:o, s:s, s:s, s:I}", "id",
                          (json_int_t)w->id, "url", w->url, "events", stored_list(w->events),
                          "description", text_or_null(w->description), "enabled", w->enabled,
                          "disabled_reason", text_or_null(w->disabled_reason), "last_error",
                          text_or_null(w->last_error), "last_error_at", text_or_null(w->last_error_at),
                          "last_success_at", text_or_null(w->last_success_at), "created_at",
                          w->created_at, "updated_at", w->updated_at, "pending", (json_int_t)w->pending);
    if (o != NULL && secret != NULL)
        json_object_set_new(o, "secret", json_string(secret));
    return o;
}
