/*
 * fuzz_body.c: libFuzzer target for request bodies and what else arrives from clients
 * as text: khabar_json_parse, article_input_from_json, the PATCH path
 * (article_input_json_from_article_new + khabar_json_merge_patch), cursor_decode and the
 * search box (search_query_new).
 *
 * The bytes are one request body. When they parse, the document is checked as a POST
 * or PUT body (self_id 0 and 7) and applied as a merge patch to a fixed article.
 * The same bytes (up to a NUL) are also a cursor of each kind and a q. Besides what
 * AddressSanitizer, UndefinedBehaviorSanitizer and LeakSanitizer catch, these
 * properties are checked, and a failed one is a crash (__builtin_trap):
 *   - khabar_json_parse: refuses empty bodies, NULs and invalid UTF-8 with their status;
 *     what it accepts dumps and parses back equal;
 *   - article_input_from_json: fails exactly when it reports errors, each a
 *     {"field", "message"}; what it accepts keeps every limit of article_input.h
 *     (trimmed title, slug shape, tag and source keys distinct, related without self,
 *     a tsvector that parses);
 *   - round trip: the input form (article_input_json_from_article_new) of an article
 *     stored from an accepted body, with the slug given or the one made from the title
 *     (also with a "-2" clash suffix), is accepted again and gives the same article
 *     (a PATCH of {} never fails);
 *   - khabar_json_merge_patch: the result holds what RFC 7396 says, and patching twice is
 *     patching once;
 *   - cursor_decode: what it accepts re-encodes and decodes to the same key and id; a
 *     cursor made by cursor_encode_new from a valid key decodes back, for its kind only;
 *   - search_query_new: NULL for invalid UTF-8, else a tsquery text that parses, and
 *     snippets that are escaped HTML.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fuzz_common.h"
#include "http/cursor.h"
#include "infra/strict_json.h"
#include "model/article_input.h"
#include "model/formats.h"
#include "text/normalize.h"
#include "text/search.h"

#define SELF_ID 7

/* The default IMAGE_URL_SCHEMES and one more. */
static char *image_schemes[] = { "https", "http" };
static const struct article_rules rules = { .image = { image_schemes, 2 } };
#define DEFAULT_TIME "2024-05-19T00:00:00Z"

/* A stored article as db_article_get returns it: what PATCH starts from. */
static const char fixed_article_json[] =
    "{\"id\": 42, \"slug\": \"بيسكوف-الاستعدادات-جارية-لزيارة-بوتين-إلى-كوريا-الشمالية\","
    " \"title\": \"بيسكوف: الاستعدادات جارية لزيارة بوتين إلى كوريا الشمالية\","
    " \"summary\": \"قال المتحدث باسم الكرملين دميتري بيسكوف، السبت، إن الرئيس الروسي فلاديمير"
    " بوتين يستعد لزيارة كوريا الشمالية.\","
    " \"body\": \"قال المتحدث باسم الكرملين دميتري بيسكوف إن الاستعدادات جارية.\\nوأضاف أن"
    " موعد الزيارة سيعلن لاحقا.\","
    " \"lang\": \"ar\", \"dir\": \"rtl\", \"published_at\": \"2024-05-19T00:00:00Z\","
    " \"created_at\": \"2024-05-19T06:12:40Z\", \"updated_at\": \"2024-05-19T08:30:05Z\","
    " \"version\": 3, \"sources\": [\"تاس\", \"RT Arabic\"],"
    " \"tags\": [{\"slug\": \"كوريا-الشمالية\", \"name\": \"کوریا الشمالیة\"},"
    " {\"slug\": \"الكرملين\", \"name\": \"الكرملين\"}],"
    " \"related\": [{\"id\": 43, \"slug\": \"ترامب-يخطط\", \"title\": \"ترامب يخطط\","
    " \"published_at\": \"2025-03-31T00:00:00Z\"}]}";

static json_t *fixed_form; /* its input form */

/* ---- article_input ---- */

/* Every error is {"field": string, "message": non-empty string}. */
static void check_errors(const json_t *errors)
{
    size_t i;
    const json_t *e;
    CHECK(json_is_array(errors));
    json_array_foreach(errors, i, e) {
        CHECK(json_is_object(e) && json_object_size(e) == 2);
        CHECK(json_is_string(json_object_get(e, "field")));
        const char *msg = json_string_value(json_object_get(e, "message"));
        CHECK(msg != NULL && msg[0] != '\0');
    }
}

/* A checked text field: trimmed, not blank, within max characters, valid. */
static void check_text_field(const char *s, size_t max_chars)
{
    CHECK(fz_str_valid(s));
    CHECK(!text_is_blank(s) && text_char_count(s) <= max_chars);
    char *t = text_trim_new(s);
    CHECK_STREQ(t, s);
    free(t);
}

/* A slug the service stores and serves: canonical, within 120 characters, its key right. */
static void check_stored_slug(const char *slug, const char *key)
{
    CHECK(slug != NULL && key != NULL && slug[0] != '\0' && key[0] != '\0');
    CHECK(fz_str_valid(slug) && fz_dashes_ok(slug));
    CHECK(text_char_count(slug) <= TEXT_SLUG_MAX_CHARS);
    char *again = text_slugify_new(slug, SIZE_MAX);
    CHECK_STREQ(again, slug);
    free(again);
    char *k = text_slug_key_new(slug);
    CHECK_STREQ(k, key);
    free(k);
}

/* Checks an accepted article against article_input.h. */
static void check_input(const struct article_input *in, int64_t self_id)
{
    size_t i, j;
    const json_t *item, *other;
    const struct db_article_write *w = &in->write;
    CHECK(in->doc != NULL);
    check_text_field(w->title, ARTICLE_TITLE_MAX_CHARS);
    if (w->summary != NULL)
        check_text_field(w->summary, ARTICLE_SUMMARY_MAX_CHARS);
    CHECK(w->body != NULL && fz_str_valid(w->body) && !text_is_blank(w->body) &&
          strlen(w->body) <= ARTICLE_BODY_MAX_BYTES);
    CHECK(w->lang != NULL && lang_is_valid(w->lang));
    CHECK(w->published_at == NULL || rfc3339_is_valid(w->published_at));
    if (w->slug != NULL) {
        CHECK(w->title_slug == NULL && w->title_slug_key == NULL);
        check_stored_slug(w->slug, w->slug_key);
    } else {
        CHECK(w->slug_key == NULL);
        check_stored_slug(w->title_slug, w->title_slug_key);
    }

    CHECK(json_is_array(w->tags) && json_array_size(w->tags) <= ARTICLE_TAGS_MAX);
    json_array_foreach(w->tags, i, item) {
        const char *name = json_string_value(json_object_get(item, "name"));
        const char *slug = json_string_value(json_object_get(item, "slug"));
        CHECK(name != NULL && slug != NULL && slug[0] != '\0');
        check_text_field(name, ARTICLE_TAG_MAX_CHARS);
        char *k = text_slug_key_new(name);
        CHECK_STREQ(k, slug);
        free(k);
        k = text_slug_key_new(slug); /* GET /v1/tags/{slug} finds it */
        CHECK_STREQ(k, slug);
        free(k);
        for (j = 0; j < i; j++)
            CHECK(strcmp(json_string_value(json_object_get(json_array_get(w->tags, j), "slug")),
                         slug) != 0);
    }
    CHECK(json_is_array(w->sources) && json_array_size(w->sources) <= ARTICLE_SOURCES_MAX);
    json_array_foreach(w->sources, i, item) {
        const char *name = json_string_value(json_object_get(item, "name"));
        const char *key = json_string_value(json_object_get(item, "key"));
        CHECK(name != NULL && key != NULL && key[0] != '\0');
        check_text_field(name, ARTICLE_SOURCE_MAX_CHARS);
        char *k = text_normalize_new(key);
        CHECK_STREQ(k, key);
        free(k);
        for (j = 0; j < i; j++)
            CHECK(strcmp(json_string_value(json_object_get(json_array_get(w->sources, j), "key")),
                         key) != 0);
    }
    CHECK(json_is_array(w->related) && json_array_size(w->related) <= ARTICLE_RELATED_MAX);
    json_array_foreach(w->related, i, item) {
        CHECK(json_object_size(item) == 1);
        const json_t *id = json_object_get(item, "id");
        const char *key = json_string_value(json_object_get(item, "slug_key"));
        CHECK((id != NULL) != (key != NULL));
        if (id != NULL)
            CHECK(json_is_integer(id) && json_integer_value(id) >= 1 &&
                  json_integer_value(id) != self_id);
        else
            CHECK(key[0] != '\0' && fz_str_valid(key));
        json_array_foreach(w->related, j, other) {
            if (j < i)
                CHECK(!json_equal(item, other));
        }
    }
    CHECK(w->search != NULL);
    fz_check_tsvector(w->search);
}

/* Runs article_input_from_json and checks its result; returns its answer. */
static int input_checked(const json_t *obj, int64_t self_id, struct article_input *in)
{
    json_t *errors = json_array();
    int rc = article_input_from_json(obj, self_id, &rules, in, errors);
    check_errors(errors);
    CHECK((rc == 0) == (json_array_size(errors) == 0));
    CHECK(rc == 0 || rc == -1);
    if (rc == 0) {
        check_input(in, self_id);
    } else {
        CHECK(in->doc == NULL);
    }
    json_decref(errors);
    return rc;
}

/* True when related (as article_input has it) lists the id n. */
static bool id_listed(const json_t *related, json_int_t n)
{
    size_t i;
    const json_t *item;
    json_array_foreach(related, i, item) {
        const json_t *id = json_object_get(item, "id");
        if (id != NULL && json_integer_value(id) == n)
            return true;
    }
    return false;
}

/* An article as stored from in, with this id and slug, the way db_article_get shows it. */
static json_t *stored_article_new(const struct article_input *in, int64_t id, const char *slug)
{
    size_t i;
    const json_t *item;
    const struct db_article_write *w = &in->write;
    json_t *a = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i}", "id",
                          (json_int_t)id, "slug", slug, "title", w->title, "body", w->body,
                          "lang", w->lang, "dir", lang_direction(w->lang), "published_at",
                          w->published_at ? w->published_at : DEFAULT_TIME, "created_at",
                          DEFAULT_TIME, "updated_at", DEFAULT_TIME, "version", 1);
    CHECK(a != NULL);
    json_object_set_new(a, "summary", w->summary ? json_string(w->summary) : json_null());
    json_t *tags = json_array(), *sources = json_array(), *related = json_array();
    json_array_foreach(w->tags, i, item) {
        json_array_append_new(tags, json_pack("{s:O, s:O}", "slug", json_object_get(item, "slug"),
                                              "name", json_object_get(item, "name")));
    }
    json_array_foreach(w->sources, i, item) {
        json_array_append(sources, json_object_get(item, "name"));
    }
    json_array_foreach(w->related, i, item) {
        /* a slug resolves to some other article's id, one not listed already */
        const json_t *rid = json_object_get(item, "id");
        json_int_t n = rid ? json_integer_value(rid) : 1000000 + (json_int_t)i;
        while (rid == NULL && (n == id || id_listed(w->related, n)))
            n += 1000;
        json_array_append_new(related, json_pack("{s:I, s:s, s:s, s:s}", "id", n, "slug", "x",
                                                 "title", "x", "published_at", DEFAULT_TIME));
    }
    json_object_set_new(a, "tags", tags);
    json_object_set_new(a, "sources", sources);
    json_object_set_new(a, "related", related);
    return a;
}

/* Same array of objects, compared on one member. */
static bool same_members(const json_t *x, const json_t *y, const char *member)
{
    if (json_array_size(x) != json_array_size(y))
        return false;
    for (size_t i = 0; i < json_array_size(x); i++)
        if (!json_equal(json_object_get(json_array_get(x, i), member),
                        json_object_get(json_array_get(y, i), member)))
            return false;
    return true;
}

/* The input form of an article stored with slug is accepted again, and means the same. */
static void check_round_trip(const struct article_input *in, const char *slug)
{
    struct article_input again;
    const struct db_article_write *w = &in->write, *back = &again.write;
    json_t *stored = stored_article_new(in, SELF_ID, slug);
    json_t *form = article_input_json_from_article_new(stored);
    CHECK(form != NULL && json_is_object(form));
    CHECK(json_object_get(form, "id") == NULL && json_object_get(form, "version") == NULL);
    json_t *errors = json_array();
    if (article_input_from_json(form, SELF_ID, &rules, &again, errors) != 0) {
        char *e = json_dumps(errors, JSON_ENCODE_ANY), *f = json_dumps(form, 0);
        fprintf(stderr, "\ninput form of a stored article: %s\nerrors: %s\n", f, e);
        CHECK(!"the input form of a stored article is refused (a PATCH of {} would be 422)");
    }
    json_decref(errors);
    check_input(&again, SELF_ID);
    CHECK_STREQ(back->title, w->title);
    CHECK(fz_same(back->summary, w->summary));
    CHECK_STREQ(back->body, w->body);
    CHECK_STREQ(back->lang, w->lang);
    CHECK_STREQ(back->published_at, w->published_at ? w->published_at : DEFAULT_TIME);
    CHECK_STREQ(back->slug, slug); /* the slug given back is kept as it is */
    CHECK(same_members(back->tags, w->tags, "slug"));
    CHECK(same_members(back->sources, w->sources, "key"));
    CHECK(json_array_size(back->related) == json_array_size(w->related));
    CHECK_STREQ(back->search, w->search);
    article_input_free(&again);
    json_decref(form);
    json_decref(stored);
}

/* ---- merge patch ---- */

/* target holds what patch says (RFC 7396). */
static void check_patched(const json_t *target, const json_t *patch)
{
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)patch, key, value) {
        const json_t *got = json_object_get(target, key);
        if (json_is_null(value)) {
            CHECK(got == NULL);
        } else if (json_is_object(value)) {
            CHECK(json_is_object(got));
            check_patched(got, value);
        } else {
            CHECK(got != NULL && json_equal(got, value));
        }
    }
}

static void check_merge(const json_t *base, const json_t *patch)
{
    json_t *target = json_deep_copy(base);
    CHECK(target != NULL);
    khabar_json_merge_patch(target, patch);
    check_patched(target, patch);
    json_t *twice = json_deep_copy(target);
    khabar_json_merge_patch(twice, patch);
    CHECK(json_equal(twice, target));
    json_decref(twice);
    /* what PATCH does next */
    struct article_input in;
    if (input_checked(target, 42, &in) == 0)
        article_input_free(&in);
    json_decref(target);
}

/* ---- the document ---- */

static void check_document(json_t *doc)
{
    /* what was accepted dumps and parses back the same */
    char *dump = json_dumps(doc, JSON_ENCODE_ANY | JSON_COMPACT);
    CHECK(dump != NULL);
    json_t *back = NULL;
    char detail[256];
    CHECK(khabar_json_parse(dump, strlen(dump), &back, detail, sizeof detail) == KHABAR_JSON_OK);
    CHECK(json_equal(back, doc));
    json_decref(back);
    free(dump);

    struct article_input in0, in7;
    int rc0 = input_checked(doc, 0, &in0);
    int rc7 = input_checked(doc, SELF_ID, &in7);
    CHECK(rc7 != 0 || rc0 == 0); /* a self_id only adds a reason to refuse */
    if (rc7 == 0) {
        /* the article as it would be stored: with its own slug or the title's */
        const char *slug = in7.write.slug ? in7.write.slug : in7.write.title_slug;
        check_round_trip(&in7, slug);
        char *clash = text_slug_with_suffix_new(slug, 2, TEXT_SLUG_MAX_CHARS);
        CHECK(clash != NULL);
        check_round_trip(&in7, clash);
        free(clash);
        article_input_free(&in7);
    }
    if (rc0 == 0)
        article_input_free(&in0);

    if (json_is_object(doc))
        check_merge(fixed_form, doc);
}

/* ---- cursors ---- */

static const enum cursor_kind kinds[] = { CURSOR_NEWEST, CURSOR_RANKED, CURSOR_TAGS,
                                          CURSOR_SOURCES };

static void check_decode(const char *s)
{
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
        char key[48], small[4];
        int64_t id = 0;
        if (cursor_decode(s, kinds[i], key, sizeof key, &id) == 0) {
            CHECK(id >= 1 && key[0] != '\0' && strlen(key) < sizeof key);
            char *e = cursor_encode_new(kinds[i], key, id);
            CHECK(e != NULL);
            char key2[48];
            int64_t id2 = 0;
            CHECK(cursor_decode(e, kinds[i], key2, sizeof key2, &id2) == 0);
            CHECK(id2 == id && strcmp(key2, key) == 0);
            free(e);
        }
        (void)cursor_decode(s, kinds[i], small, sizeof small, &id);
    }
}

/* A key that kind's lists sort on (a valid one must survive a round trip). */
static bool key_must_decode(enum cursor_kind kind, const char *key)
{
    size_t len = strlen(key);
    switch (kind) {
    case CURSOR_NEWEST:
        return rfc3339_is_valid(key);
    case CURSOR_TAGS:
    case CURSOR_SOURCES:
        return len >= 1 && len <= 10 && strspn(key, "0123456789") == len;
    default:
        return false;
    }
}

static void check_encode(const uint8_t *data, size_t size)
{
    if (size < 8)
        return;
    int64_t id;
    memcpy(&id, data, sizeof id);
    char *key = fz_strndup(data + 8, size - 8 > 60 ? 60 : size - 8);
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
        char *c = cursor_encode_new(kinds[i], key, id);
        if (c == NULL)
            continue;
        char got[48];
        int64_t got_id = 0;
        int rc = cursor_decode(c, kinds[i], got, sizeof got, &got_id);
        if (key_must_decode(kinds[i], key) && id >= 1 && strlen(key) < sizeof got)
            CHECK(rc == 0);
        if (rc == 0)
            CHECK(got_id == id && strcmp(got, key) == 0);
        for (size_t j = 0; j < sizeof kinds / sizeof *kinds; j++)
            if (j != i)
                CHECK(cursor_decode(c, kinds[j], got, sizeof got, &got_id) < 0);
        free(c);
    }
    free(key);
}

/* ---- the search box ---- */

static void check_query(const char *q, const json_t *doc)
{
    char err[256] = "";
    struct search_query *query = search_query_new(q, err, sizeof err);
    if (!fz_str_valid(q))
        CHECK(query == NULL);
    if (query == NULL) {
        CHECK(err[0] != '\0');
        return;
    }
    const char *tsq = search_query_tsquery(query);
    CHECK(tsq != NULL && tsq[0] != '\0');
    fz_check_tsquery(tsq);
    const char *texts[] = { json_string_value(json_object_get(doc, "title")),
                            json_string_value(json_object_get(doc, "summary")),
                            json_string_value(json_object_get(doc, "body")), q };
    char *snip = search_snippet_new(query, texts, 4);
    if (snip != NULL)
        fz_check_snippet(snip);
    free(snip);
    search_query_free(query);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    json_object_seed(1); /* the same object order on every run */
    json_error_t jerr;
    json_t *article = json_loads(fixed_article_json, 0, &jerr);
    CHECK(article != NULL);
    fixed_form = article_input_json_from_article_new(article);
    json_decref(article);
    struct article_input in;
    CHECK(input_checked(fixed_form, 42, &in) == 0);
    article_input_free(&in);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    char detail[256] = "";
    json_t *doc = NULL;
    enum khabar_json_status st = khabar_json_parse(buf, size, &doc, detail, sizeof detail);
    CHECK(st <= KHABAR_JSON_TOO_DEEP);
    CHECK((st == KHABAR_JSON_OK) == (doc != NULL));
    if (st != KHABAR_JSON_OK)
        CHECK(detail[0] != '\0');
    if (size == 0 || memchr(buf, '\0', size) != NULL)
        CHECK(st == KHABAR_JSON_MALFORMED);
    else if (!fz_utf8_valid(buf, size))
        CHECK(st == KHABAR_JSON_INVALID_UTF8);
    if (doc != NULL)
        check_document(doc);

    char *s = fz_strndup(data, size);
    check_decode(s);
    check_encode(data, size);
    check_query(s, doc);
    (void)rfc3339_is_valid(s);
    CHECK(!lang_is_valid(s) || strlen(s) <= ARTICLE_LANG_MAX_CHARS);
    const char *dir = lang_direction(s);
    CHECK(strcmp(dir, "rtl") == 0 || strcmp(dir, "ltr") == 0);
    free(s);
    json_decref(doc);
    return 0;
}
