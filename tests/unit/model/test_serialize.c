/* test_serialize.c: unit tests of server/model/serialize.c: the public JSON of an article, a
 * list item, a search result, a tag, a source and a "read also" list, built from the rows of
 * db/db.h, with the fields in the order of openapi.yaml's schemas. Expected values come from
 * serialize.h, db.h and openapi.yaml (Article, ArticleSummary, Tag, Source, RelatedList).
 */
#include "model/serialize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/search.h"
#include "unit.h"

/* The compact JSON text of v (as replies send it), v released; the caller frees. */
static char *dump_new(json_t *v)
{
    check(v != NULL, "serialize: a value is made");
    char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(v);
    return text;
}

/* An article row as the database layer fills it (no text_ block: nothing to release). */
static struct db_article row(void)
{
    struct db_article a = {
        .id = 42,
        .version = 3,
        .slug = "putin-visits",
        .title = "بوتين يزور",
        .summary = "A short summary",
        .body = "The **body**",
        .body_html = "<p>The <strong>body</strong></p>\n",
        .body_text = "The body",
        .lang = "ar",
        .published_at = "2024-05-19T10:00:00Z",
        .created_at = "2024-05-19T10:00:01Z",
        .updated_at = "2024-05-20T08:30:00Z",
        .sources = "[\"Reuters\",\"AFP\"]",
        .tags = "[{\"slug\":\"روسيا\",\"name\":\"روسيا\"}]",
        .related = "[{\"id\":43,\"slug\":\"b\",\"title\":\"B\",\"published_at\":"
                   "\"2024-05-18T00:00:00Z\"}]",
        .image = "{\"url\":\"https://cdn.example/a.jpg\",\"alt\":\"صورة\"}",
        .authors = "[{\"id\":7,\"slug\":\"sara\",\"name\":\"سارة\"}]",
        .section = "{\"id\":1,\"slug\":\"سياسة\",\"name\":\"سياسة\"}",
        .last_modified = 1716194200,
    };
    return a;
}

#define ARTICLE_HEAD "{\"id\":42,\"slug\":\"putin-visits\",\"title\":\"بوتين يزور\","
/* The article's fields after dir, up to the closing brace (left open for a snippet). */
#define ARTICLE_REST                                                                   \
    "\"published_at\":\"2024-05-19T10:00:00Z\",\"created_at\":\"2024-05-19T10:00:01Z\","   \
    "\"updated_at\":\"2024-05-20T08:30:00Z\",\"version\":3,"                              \
    "\"sources\":[\"Reuters\",\"AFP\"],\"tags\":[{\"slug\":\"روسيا\",\"name\":\"روسيا\"}],"  \
    "\"related\":[{\"id\":43,\"slug\":\"b\",\"title\":\"B\","                             \
    "\"published_at\":\"2024-05-18T00:00:00Z\"}],"                                      \
    "\"image\":{\"url\":\"https://cdn.example/a.jpg\",\"alt\":\"صورة\"},"              \
    "\"authors\":[{\"id\":7,\"slug\":\"sara\",\"name\":\"سارة\"}],"                      \
    "\"section\":{\"id\":1,\"slug\":\"سياسة\",\"name\":\"سياسة\"}"
#define ARTICLE_TAIL ARTICLE_REST "}"
/* The same, of one article read with its body: its withdrawal reason and corrections last. */
#define ARTICLE_DETAIL_TAIL ARTICLE_REST ",\"withdrawn_reason\":null,\"corrections\":[]}"

static void test_article(void **state)
{
    (void)state;
    struct db_article a = row();
    check_new_str(dump_new(serialize_article_new(&a)),
                  ARTICLE_HEAD "\"summary\":\"A short summary\",\"body\":\"The **body**\",\"body_html\":\"<p>The <strong>body</strong></p>\\n\","
                               "\"status\":\"published\",\"lang\":\"ar\",\"dir\":\"rtl\"," ARTICLE_DETAIL_TAIL,
                  "article: every field of the Article schema, in its order");
    a.summary = NULL;
    check_new_str(dump_new(serialize_article_new(&a)),
                  ARTICLE_HEAD "\"summary\":null,\"body\":\"The **body**\",\"body_html\":\"<p>The <strong>body</strong></p>\\n\","
                               "\"status\":\"published\",\"lang\":\"ar\",\"dir\":\"rtl\"," ARTICLE_DETAIL_TAIL,
                  "article: no summary is null, not absent");
    a.body = NULL;
    check_new_str(dump_new(serialize_article_new(&a)),
                  ARTICLE_HEAD "\"summary\":null,\"status\":\"published\",\"lang\":\"ar\",\"dir\":\"rtl\"," ARTICLE_TAIL,
                  "article: a row without its body gives none");
}

/* The dir of an article whose lang is lang. */
static const char *dir_of(const char *lang, char *out, size_t size)
{
    struct db_article a = row();
    a.lang = lang;
    json_t *o = serialize_article_new(&a);
    snprintf(out, size, "%s", json_string_value(json_object_get(o, "dir")));
    json_decref(o);
    return out;
}

#define check_dir(lang, want)                                                          \
    do {                                                                               \
        char buf_[8];                                                                  \
        check_str(dir_of(lang, buf_, sizeof buf_), want, "dir of " lang);              \
    } while (0)

static void test_dir_from_lang(void **state)
{
    (void)state;
    check_dir("ar", "rtl");
    check_dir("ar-EG", "rtl");
    check_dir("AR", "rtl");
    check_dir("fa", "rtl");
    check_dir("ur", "rtl");
    check_dir("he", "rtl");
    check_dir("en", "ltr");
    check_dir("en-GB", "ltr");
    check_dir("fr", "ltr");
    check_dir("ary", "ltr"); /* a language of its own, not "ar" with more letters */
}

static void test_stored_lists(void **state)
{
    (void)state;
    struct db_article a = row();
    a.sources = "[]";
    a.tags = NULL;
    a.related = "not json";
    json_t *o = serialize_article_new(&a);
    char *sources = dump_new(json_incref(json_object_get(o, "sources")));
    char *tags = dump_new(json_incref(json_object_get(o, "tags")));
    char *related = dump_new(json_incref(json_object_get(o, "related")));
    json_decref(o);
    /* the schema requires the three arrays: a list that cannot be read is shown empty */
    check_new_str(sources, "[]", "lists: an empty list passed through");
    check_new_str(tags, "[]", "lists: no stored list is an empty one");
    check_new_str(related, "[]", "lists: an unreadable list is an empty one");
    static const char stored[] = "[{\"id\":7,\"slug\":\"s\",\"title\":\"T\","
                                 "\"published_at\":\"2024-01-01T00:00:00Z\"}]";
    char want[256];
    snprintf(want, sizeof want, "{\"data\":%s}", stored);
    check_new_str(dump_new(serialize_related_list_new(stored)), want,
                  "related list: the stored list under data");
    check_new_str(dump_new(serialize_related_list_new(NULL)), "{\"data\":[]}",
                  "related list: none is empty");
}

static void test_large_id(void **state)
{
    (void)state;
    struct db_article a = row();
    a.id = 9007199254740993LL; /* 2^53 + 1: no double holds it */
    a.version = 2147483648LL;
    json_t *o = serialize_article_new(&a);
    check(json_integer_value(json_object_get(o, "id")) == 9007199254740993LL,
          "large id: an exact integer");
    check(json_integer_value(json_object_get(o, "version")) == 2147483648LL,
          "large version: past 32 bits");
    json_decref(o);
}

/* The items of a serialized page as jansson values, whichever way they were written (the
 * page's items_text, or items); the page gives them up. */
static json_t *page_items(struct list_page *out)
{
    json_t *items = out->items;
    if (out->items_text != NULL) {
        check(items == NULL, "page: the items are written one way only");
        items = json_loads(out->items_text, 0, NULL);
        check(json_is_array(items), "page: the items' text is a JSON array");
        free(out->items_text);
    }
    out->items = NULL;
    out->items_text = NULL;
    return items;
}

static void test_tag_and_source(void **state)
{
    (void)state;
    struct db_name tag = { .slug = "روسيا", .name = "روسيا", .article_count = 12 };
    struct db_name source = { .name = "Reuters", .article_count = 0 };
    check_new_str(dump_new(serialize_tag_new(&tag)),
                  "{\"slug\":\"روسيا\",\"name\":\"روسيا\",\"article_count\":12}",
                  "tag: slug, name, article_count");
    check_new_str(dump_new(serialize_source_new(&source)),
                  "{\"name\":\"Reuters\",\"article_count\":0}", "source: name, article_count");
    struct db_name items[] = { tag, { .slug = "x", .name = "X", .article_count = 1 } };
    struct db_name_page page = { .items = items, .n = 2,
                                 .end = { .more = true, .last_key = "1", .last_id = 9,
                                          .last_modified = 1716194200 } };
    struct list_page out;
    serialize_tag_page(&page, &out);
    check(out.more && out.last_id == 9 && out.last_modified == 1716194200,
          "tag page: where it ends");
    check_str(out.last_key, "1", "tag page: the last count");
    check_new_str(dump_new(page_items(&out)),
                  "[{\"slug\":\"روسيا\",\"name\":\"روسيا\",\"article_count\":12},"
                  "{\"slug\":\"x\",\"name\":\"X\",\"article_count\":1}]",
                  "tag page: the items in order");
    page.n = 1;
    page.items = &source;
    page.end.more = false;
    serialize_source_page(&page, &out);
    check(!out.more, "source page: the last page");
    check_new_str(dump_new(page_items(&out)), "[{\"name\":\"Reuters\",\"article_count\":0}]",
                  "source page: the items");
}

static void test_article_page(void **state)
{
    (void)state;
    struct db_article items[2] = { row(), row() };
    items[1].id = 41;
    items[1].body = NULL;
    struct db_article_page page = {
        .items = items, .n = 2,
        .end = { .more = true, .last_key = "2024-05-19T10:00:00Z", .last_id = 41 },
    };
    struct list_page out;
    serialize_article_page(&page, &out);
    check(out.more && out.last_id == 41, "page: where it ends");
    check_str(out.last_key, "2024-05-19T10:00:00Z", "page: the last published_at");
    json_t *got = page_items(&out);
    check(json_array_size(got) == 2, "page: two items");
    char *first = dump_new(json_incref(json_array_get(got, 0)));
    json_decref(got);
    check_new_str(first,
                  ARTICLE_HEAD "\"summary\":\"A short summary\","
                               "\"status\":\"published\",\"lang\":\"ar\",\"dir\":\"rtl\"," ARTICLE_TAIL,
                  "page: an ArticleSummary, without the body the row holds");
    page.n = 0;
    page.end.more = false;
    serialize_article_page(&page, &out);
    check_new_str(dump_new(page_items(&out)), "[]", "page: an empty page");
}

static void test_search_page(void **state)
{
    (void)state;
    char err[128];
    struct search_query *q = search_query_new("body", err, sizeof err);
    check(q != NULL, "search: the query");
    struct db_article items[2] = { row(), row() };
    items[1].body_text = "nothing here";
    items[1].summary = NULL;
    struct db_article_page page = { .items = items, .n = 2 };
    struct list_page out;
    serialize_search_page(&page, q, &out);
    search_query_free(q);
    json_t *got = page_items(&out);
    char *first = dump_new(json_incref(json_array_get(got, 0)));
    json_t *second_item = json_array_get(got, 1);
    char *second = dump_new(json_incref(json_object_get(second_item, "snippet")));
    json_decref(got);
    check_new_str(first,
                  ARTICLE_HEAD "\"summary\":\"A short summary\",\"status\":\"published\",\"lang\":\"ar\",\"dir\":\"rtl\","
                      ARTICLE_REST ",\"snippet\":\"The <mark>body</mark>\"}",
                  "search: the summary, then the snippet last, the body left out");
    check_new_str(second, "null", "search: no text matches, the snippet is null");
}

static void test_revision(void **state)
{
    (void)state;
    struct db_revision r = { .article_id = 42, .version = 3, .restored_from = 1,
                             .made_at = "2024-05-20T08:30:00Z", .actor = "env-2",
                             .action = "restored", .changed = "[\"body\",\"title\"]",
                             .representation = "{\"id\": 42, \"title\": \"بوتين يزور\"}" };
    check_new_str(dump_new(serialize_revision_new(&r, true)),
                  "{\"version\":3,\"made_at\":\"2024-05-20T08:30:00Z\",\"actor\":\"env-2\","
                  "\"action\":\"restored\",\"restored_from\":1,\"changed\":[\"body\",\"title\"],"
                  "\"article\":{\"id\":42,\"title\":\"بوتين يزور\"}}",
                  "revision: its metadata, then the stored article");
    r.action = "deleted";
    r.restored_from = 0;
    r.changed = "[]";
    r.representation = NULL;
    check_new_str(dump_new(serialize_revision_new(&r, true)),
                  "{\"version\":3,\"made_at\":\"2024-05-20T08:30:00Z\",\"actor\":\"env-2\","
                  "\"action\":\"deleted\",\"restored_from\":null,\"changed\":[],\"article\":null}",
                  "a deletion's revision: no article, restored_from null");
    struct db_revision_page page = { .items = &r, .n = 1,
                                     .end = { .more = true, .last_key = "3", .last_id = 42 } };
    struct list_page out;
    serialize_revision_page(&page, &out);
    check(out.more && out.last_id == 42, "revision page: where it ends (the article's id)");
    check_str(out.last_key, "3", "revision page: the last version");
    char *first = dump_new(json_incref(json_array_get(out.items, 0)));
    json_decref(out.items);
    check(strstr(first, "\"article\"") == NULL, "revision page: items without the article");
    free(first);
    struct db_article a = row();
    char *served = dump_new(serialize_article_new(&a));
    check_new_str(serialize_article_text_new(&a), served,
                  "what a revision keeps is the article's JSON as served");
    free(served);
}

/*==== The answer written directly: the bytes of the jansson tree dumped ====*/

/* Pieces strings are made of: every kind of byte a JSON writer escapes or copies. */
static const char *const string_pieces[] = {
    "a", "Z", " ", "\"", "\\", "/", "\b", "\f", "\n", "\r", "\t", "\x01", "\x1f", "\x7f",
    "ب", "ة", "ی", "ک", "😀", "\xe2\x80\xa8", "\xc2\x80", "{", "}", "[", ",", ":", "0", "-",
};

/* A random string of up to max pieces into buf (NUL-terminated). */
static char *random_string(char *buf, size_t size, unsigned max)
{
    size_t n = 0;
    unsigned pieces = rnd(max + 1);
    buf[0] = '\0';
    for (unsigned i = 0; i < pieces; i++) {
        const char *p = string_pieces[rnd(sizeof string_pieces / sizeof string_pieces[0])];
        size_t len = strlen(p);
        if (n + len + 1 > size)
            break;
        memcpy(buf + n, p, len + 1);
        n += len;
    }
    return buf;
}

/* Stored JSON texts as PostgreSQL's json builders write them (" : ", ", "), and ones the
 * direct writer must leave to jansson: reals, -0, \u escapes, text that is not JSON, a
 * value of the other kind. */
static const char *const stored_lists[] = {
    "[]", "[ ]", " [\"Reuters\", \"AFP\"] ", "[{\"slug\" : \"روسيا\", \"name\" : \"روسيا\"}]",
    "[{\"id\" : 43, \"slug\" : \"b\", \"title\" : \"B \\\"q\\\" \\\\ \\n\", \"x\" : [1, -2, [], {}]}]",
    "[{\"a\" : true, \"b\" : false, \"c\" : null}]", "[1.5, 2]", "[1e5]", "[-0]", "[0, 10, -7]",
    "[\"\\u0001\"]", "[\"\\u00e9\"]", "[1 2]", "[,]", "[", "[\"x\"", "{\"a\" : 1}", "7", "",
    "[{\"a\" : 1,}]", "[{\"a\" 1}]", "[{1 : 2}]", "[\"x\"]]", "[01]", "[\"\\/\"]",
};
static const char *const stored_objects[] = {
    NULL, "{}", "{\"url\" : \"https://cdn.example/a.jpg\", \"alt\" : \"صورة\", \"width\" : 800}",
    "{\"id\" : 1, \"slug\" : \"سياسة\", \"name\" : \"سياسة\"}", "{\"w\" : 0.5}", "[1]", "null",
    "{\"a\" : {\"b\" : [1, {\"c\" : \"d\"}]}}", "{\"a\" : }", "{\"a\" : \"\\u2028\"}",
};

#define PICK(list) (list)[rnd(sizeof(list) / sizeof((list)[0]))]

static void test_answer_is_the_tree_dumped(void **state)
{
    (void)state;
    char bufs[8][256];
    for (int i = 0; i < 20000; i++) {
        struct db_article a = row();
        a.id = (int64_t)rnd(1u << 31) * (rnd(2) ? 1 : -1) * (rnd(3) ? 1 : 4294967296LL);
        a.version = rnd(1000);
        a.slug = random_string(bufs[0], sizeof bufs[0], 6);
        a.title = random_string(bufs[1], sizeof bufs[1], 12);
        a.summary = rnd(4) ? random_string(bufs[2], sizeof bufs[2], 12) : NULL;
        a.body = rnd(3) ? random_string(bufs[3], sizeof bufs[3], 40) : NULL;
        a.body_html = rnd(4) ? random_string(bufs[4], sizeof bufs[4], 40) : NULL;
        a.withdrawn_reason = rnd(4) ? NULL : random_string(bufs[5], sizeof bufs[5], 8);
        a.status = rnd(4) ? "published" : NULL;
        a.lang = PICK(((const char *[]){ "ar", "en", "fa", "ur", "he" }));
        a.published_at = rnd(5) ? "2024-05-19T10:00:00Z" : NULL;
        a.sources = PICK(stored_lists);
        a.tags = PICK(stored_lists);
        a.related = PICK(stored_lists);
        a.authors = PICK(stored_lists);
        a.corrections = PICK(stored_lists);
        a.image = PICK(stored_objects);
        a.section = PICK(stored_objects);
        if (rnd(20) == 0) /* bytes that are not UTF-8: the answer is jansson's too */
            a.title = (const char *[]){ "\xff", "a\xc0\xaf" "b", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xd8" }[rnd(5)];
        char *tree = dump_new(serialize_article_new(&a));
        size_t len = 0;
        char *direct = serialize_article_answer_new(&a, &len);
        size_t n = strlen(tree);
        if (direct == NULL || len != n + 1 || memcmp(direct, tree, n) != 0 || direct[n] != '\n') {
            fail_msg("row %d: direct\n%s\njansson\n%s", i, direct ? direct : "(null)", tree);
        }
        free(direct);
        free(tree);
    }
}

/* The list {"data": [...]} of the rows as jansson trees: each an article without its
 * body (serialize_article_new of the row with no body), as a list item is. */
static json_t *tree_list_new(const struct db_article *rows, size_t n)
{
    json_t *items = json_array();
    for (size_t k = 0; k < n; k++) {
        struct db_article summary = rows[k];
        summary.body = NULL;
        json_array_append_new(items, serialize_article_new(&summary));
    }
    return json_pack("{s:o}", "data", items);
}

/* A page's items written directly are the bytes jansson writes for the same list, for the
 * rows of the randomized test above. */
static void test_page_text_is_the_tree_dumped(void **state)
{
    (void)state;
    char bufs[6][256];
    struct db_article rows[4];
    for (int i = 0; i < 3000; i++) {
        size_t n = rnd(5);
        for (size_t k = 0; k < n; k++) {
            struct db_article a = row();
            a.id = rnd(100000);
            a.title = random_string(bufs[k], sizeof bufs[k], 10);
            a.summary = rnd(3) ? random_string(bufs[4], sizeof bufs[4], 8) : NULL;
            a.tags = PICK(stored_lists);
            a.image = PICK(stored_objects);
            a.published_at = rnd(5) ? "2024-05-19T10:00:00Z" : NULL;
            if (rnd(30) == 0)
                a.title = "\xff";
            rows[k] = a;
        }
        struct db_article_page page = { .items = rows, .n = n };
        struct list_page out;
        serialize_article_page(&page, &out);
        char *tree = dump_new(tree_list_new(rows, n));
        char *direct = NULL;
        if (out.items_text != NULL && asprintf(&direct, "{\"data\":%s}", out.items_text) < 0)
            direct = NULL;
        if (out.items_text == NULL) /* written through jansson: a string that is not UTF-8 */
            direct = dump_new(json_pack("{s:O}", "data", out.items));
        if (direct == NULL || strcmp(direct, tree) != 0)
            fail_msg("page %d: direct\n%s\njansson\n%s", i, direct ? direct : "(null)", tree);
        free(direct);
        free(tree);
        free(out.items_text);
        json_decref(out.items);
    }
}

/* Pages of tags, sources and authors written directly are the bytes jansson writes for
 * the same names (serialize_tag_new, serialize_source_new, serialize_author_new). */
static void test_name_page_text_is_the_tree_dumped(void **state)
{
    (void)state;
    void (*pages[])(const struct db_name_page *, struct list_page *) = {
        serialize_tag_page, serialize_source_page, serialize_author_page };
    json_t *(*trees[])(const struct db_name *) = {
        serialize_tag_new, serialize_source_new, serialize_author_new };
    char bufs[4][3][256];
    struct db_name rows[4];
    for (int i = 0; i < 6000; i++) {
        size_t n = rnd(5), kind = (size_t)i % 3;
        for (size_t k = 0; k < n; k++) {
            rows[k] = (struct db_name){
                .id = (int64_t)rnd(1u << 31) * (rnd(3) ? 1 : 4294967296LL),
                .slug = random_string(bufs[k][0], sizeof bufs[k][0], 6),
                .name = random_string(bufs[k][1], sizeof bufs[k][1], 10),
                .bio = rnd(3) ? random_string(bufs[k][2], sizeof bufs[k][2], 20) : NULL,
                .avatar = PICK(stored_objects),
                .article_count = rnd(100000),
            };
            if (rnd(30) == 0)
                rows[k].name = "\xff";
        }
        struct db_name_page page = { .items = rows, .n = n };
        struct list_page out;
        pages[kind](&page, &out);
        json_t *tree_items = json_array();
        for (size_t k = 0; k < n; k++)
            json_array_append_new(tree_items, trees[kind](&rows[k]));
        char *tree = dump_new(tree_items);
        char *direct = out.items_text ? strdup(out.items_text) : dump_new(json_incref(out.items));
        if (direct == NULL || strcmp(direct, tree) != 0)
            fail_msg("%s page %d: direct\n%s\njansson\n%s", (const char *[]){ "tag", "source", "author" }[kind],
                     i, direct ? direct : "(null)", tree);
        free(direct);
        free(tree);
        free(out.items_text);
        json_decref(out.items);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_article),
        cmocka_unit_test(test_dir_from_lang),
        cmocka_unit_test(test_stored_lists),
        cmocka_unit_test(test_large_id),
        cmocka_unit_test(test_tag_and_source),
        cmocka_unit_test(test_article_page),
        cmocka_unit_test(test_search_page),
        cmocka_unit_test(test_revision),
        cmocka_unit_test(test_answer_is_the_tree_dumped),
        cmocka_unit_test(test_page_text_is_the_tree_dumped),
        cmocka_unit_test(test_name_page_text_is_the_tree_dumped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
