/*
 * test_article_input.c: unit tests of server/model/article_input.c. Expected values come from
 * article_input.h, /work/shared/api.md and the RFCs (3339, 7396), not from the code.
 *
 * Fixture cases (jansson style): tests/fixtures/article_input/<case>/input holds the exact
 * body bytes and <case>/expect one line: ok, malformed, invalid-utf8, too-deep, or
 * "invalid FIELD..." (the set of "field" values of the errors; "" is the empty field).
 * Each case goes through json_body_parse, then article_input_from_json(doc, 0, ...).
 * The folder is argv[1] when given, else tests/fixtures/article_input (run from the
 * repository root).
 */
#include "model/article_input.h"

#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testhelp.h"

#define SAMPLE_TITLE "بيسكوف: الاستعدادات جارية لزيارة بوتين إلى كوريا الشمالية"
#define SAMPLE_SLUG "بيسكوف-الاستعدادات-جارية-لزيارة-بوتين-إلى-كوريا-الشمالية"
/* کوریا الشمالیة (Keheh U+06A9, Farsi Yeh U+06CC) and كوريا الشمالية (Kaf, Yeh) */
#define KOREA_FA "\u06A9\u0648\u0631\u06CC\u0627 \u0627\u0644\u0634\u0645\u0627\u0644\u06CC\u0629"
#define KOREA_AR "\u0643\u0648\u0631\u064A\u0627 \u0627\u0644\u0634\u0645\u0627\u0644\u064A\u0629"
#define KOREA_AR_SLUG                                                                      \
    "\u0643\u0648\u0631\u064A\u0627-\u0627\u0644\u0634\u0645\u0627\u0644\u064A\u0629"

#define MIB (1024 * 1024)

/* ---------------------------------------------------------------- fixture cases */

/* The whole file at path (binary), its length in *len; NULL when unreadable. */
static char *read_file_new(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 4096, n = 0, got;
    char *buf = malloc(cap);
    while (buf != NULL && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *bigger = realloc(buf, cap *= 2);
            if (bigger == NULL)
                free(buf);
            buf = bigger;
        }
    }
    fclose(f);
    if (buf != NULL)
        buf[n] = '\0';
    *len = n;
    return buf;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "invalid" followed by the distinct words of words[0..n), sorted, in out. */
static void invalid_line(const char **words, size_t n, char *out, size_t size)
{
    size_t used;
    qsort(words, n, sizeof *words, compare_strings);
    used = (size_t)snprintf(out, size, "invalid");
    for (size_t i = 0; i < n && used < size; i++)
        if (i == 0 || strcmp(words[i], words[i - 1]) != 0)
            used += (size_t)snprintf(out + used, size - used, " %s", words[i]);
}

/* The expect line in canonical form (the field set sorted, without repeats). */
static void canonical_expect(char *line, char *out, size_t size)
{
    const char *words[256];
    size_t n = 0;
    line[strcspn(line, "\r\n")] = '\0';
    if (strncmp(line, "invalid", 7) != 0 || (line[7] != ' ' && line[7] != '\0')) {
        snprintf(out, size, "%s", line);
        return;
    }
    for (char *w = strtok(line + 7, " "); w != NULL && n < 256; w = strtok(NULL, " "))
        words[n++] = w;
    invalid_line(words, n, out, size);
}

/* What the code makes of a body, in the form of an expect line. */
static void outcome(const char *buf, size_t len, char *out, size_t size, char *detail,
                    size_t detail_size)
{
    json_t *doc = NULL;
    detail[0] = '\0';
    switch (json_body_parse(buf, len, &doc, detail, detail_size)) {
    case JSON_BODY_OK:
        break;
    case JSON_BODY_MALFORMED:
        snprintf(out, size, "malformed");
        return;
    case JSON_BODY_INVALID_UTF8:
        snprintf(out, size, "invalid-utf8");
        return;
    case JSON_BODY_TOO_DEEP:
        snprintf(out, size, "too-deep");
        return;
    default:
        snprintf(out, size, "unknown json_body_parse status");
        return;
    }
    struct article_input in;
    json_t *errors = json_array();
    if (article_input_from_json(doc, 0, &in, errors) == 0) {
        snprintf(out, size, json_array_size(errors) == 0 ? "ok" : "ok but errors were added");
        article_input_free(&in);
    } else {
        const char *words[256];
        size_t n = 0, i;
        json_t *e;
        json_array_foreach(errors, i, e) {
            const char *field = json_string_value(json_object_get(e, "field"));
            if (n < 256)
                words[n++] = field == NULL ? "(no-field)" : field[0] == '\0' ? "\"\"" : field;
        }
        invalid_line(words, n, out, size);
        if (n == 0)
            snprintf(out, size, "invalid with no error listed");
    }
    json_decref(errors);
    json_decref(doc);
}

static void run_case(const char *dir, const char *name)
{
    char path[4096], label[512], want[4096], got[4096], detail[256];
    size_t len, elen;
    snprintf(label, sizeof label, "article_input/%s", name);
    snprintf(path, sizeof path, "%s/%s/expect", dir, name);
    char *expect = read_file_new(path, &elen);
    snprintf(path, sizeof path, "%s/%s/input", dir, name);
    char *input = read_file_new(path, &len);
    if (expect == NULL || input == NULL) {
        TEST_CHECK(0, label); /* a case without input or expect */
    } else {
        canonical_expect(expect, want, sizeof want);
        outcome(input, len, got, sizeof got, detail, sizeof detail);
        TEST_STREQ(got, want, label);
        if (strcmp(got, want) != 0 && detail[0] != '\0')
            printf("#   detail: %s\n", detail);
    }
    free(expect);
    free(input);
}

static void test_fixtures(const char *dir)
{
    char *names[1024];
    size_t n = 0;
    DIR *d = opendir(dir);
    char msg[4200];
    snprintf(msg, sizeof msg, "fixtures: folder %s opens", dir);
    TEST_CHECK(d != NULL, msg);
    if (d == NULL)
        return;
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL && n < 1024) {
        char path[4096];
        struct stat st;
        if (ent->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            names[n++] = strdup(ent->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, compare_strings);
    TEST_CHECK(n > 0, "fixtures: the folder holds cases");
    for (size_t i = 0; i < n; i++) {
        run_case(dir, names[i]);
        free(names[i]);
    }
}

/* ---------------------------------------------------------------- json_body_parse */

static enum json_body_status parse_str(const char *s, json_t **doc, char *detail, size_t size)
{
    return json_body_parse(s, strlen(s), doc, detail, size);
}

static void test_body_parse(void)
{
    json_t *doc = (json_t *)1;
    char detail[128];
    enum json_body_status st;

    st = parse_str("{\"a\": [1, {\"b\": \"ب\"}]}", &doc, detail, sizeof detail);
    TEST_CHECK(st == JSON_BODY_OK && json_is_object(doc), "parse: object parsed");
    json_t *want = json_pack("[i, {s:s}]", 1, "b", "ب");
    TEST_CHECK(doc != NULL && json_equal(json_object_get(doc, "a"), want), "parse: content kept");
    json_decref(want);
    json_decref(doc);

    /* the length is honoured: bytes after len are not read */
    const char *longer = "{\"a\": 1} trailing";
    st = json_body_parse(longer, 8, &doc, detail, sizeof detail);
    TEST_CHECK(st == JSON_BODY_OK, "parse: only len bytes read");
    json_decref(doc);

    doc = (json_t *)1;
    detail[0] = '\0';
    st = parse_str("{\"a\": 1,}", &doc, detail, sizeof detail);
    TEST_CHECK(st == JSON_BODY_MALFORMED, "parse: malformed status");
    TEST_CHECK(doc == NULL, "parse: *out NULL on failure");
    TEST_CHECK(detail[0] != '\0', "parse: malformed has a detail");

    detail[0] = '\0';
    st = parse_str("{\"a\": \"\xff\"}", &doc, detail, sizeof detail);
    TEST_CHECK(st == JSON_BODY_INVALID_UTF8 && doc == NULL, "parse: invalid UTF-8 status");
    TEST_CHECK(detail[0] != '\0', "parse: invalid UTF-8 has a detail");

    detail[0] = '\0';
    char deep[80];
    memset(deep, '[', JSON_MAX_DEPTH + 1);
    memset(deep + JSON_MAX_DEPTH + 1, ']', JSON_MAX_DEPTH + 1);
    st = json_body_parse(deep, 2 * (JSON_MAX_DEPTH + 1), &doc, detail, sizeof detail);
    TEST_CHECK(st == JSON_BODY_TOO_DEEP && doc == NULL, "parse: 33 nested arrays too deep");
    TEST_CHECK(detail[0] != '\0', "parse: too deep has a detail");
    st = json_body_parse(deep + 1, 2 * JSON_MAX_DEPTH, &doc, detail, sizeof detail);
    TEST_CHECK(st == JSON_BODY_OK && json_is_array(doc), "parse: 32 nested arrays ok");
    json_decref(doc);

    /* a depth limit that is not fooled by many shallow siblings */
    char wide[4096] = "[";
    for (int i = 0; i < 500; i++)
        strcat(wide, i ? ",[]" : "[]");
    strcat(wide, "]");
    st = parse_str(wide, &doc, detail, sizeof detail);
    TEST_CHECK(st == JSON_BODY_OK, "parse: 500 sibling arrays are 2 levels deep");
    json_decref(doc);

    /* detail is cut to its size, not written past it */
    char small[8];
    memset(small, 'x', sizeof small);
    st = parse_str("", &doc, small, 4);
    TEST_CHECK(st == JSON_BODY_MALFORMED && strlen(small) < 4 && small[4] == 'x',
               "parse: detail bounded by detail_size");
}

/* ---------------------------------------------------------------- article_input_from_json */

/* Parses json (must be valid) and checks it as an article with self_id. */
static int from_json(const char *text, int64_t self_id, struct article_input *in,
                     json_t *errors)
{
    json_error_t jerr;
    json_t *doc = json_loads(text, 0, &jerr);
    if (doc == NULL) {
        printf("# test bug: %s: %s\n", text, jerr.text);
        memset(in, 0, sizeof *in);
        return -2;
    }
    int rc = article_input_from_json(doc, self_id, in, errors);
    json_decref(doc);
    return rc;
}

/* True when errors holds exactly one error, on field, with a non-empty message. */
static int one_error_on(const json_t *errors, const char *field)
{
    const json_t *e = json_array_get(errors, 0);
    const char *f = json_string_value(json_object_get(e, "field"));
    const char *m = json_string_value(json_object_get(e, "message"));
    return json_array_size(errors) == 1 && f != NULL && strcmp(f, field) == 0 && m != NULL &&
           m[0] != '\0';
}

static void test_good_article(void)
{
    struct article_input in;
    json_t *errors = json_array();
    int rc = from_json("{\"title\": \"  " SAMPLE_TITLE " \\n\", \"body\": \"p1\\np2\","
                       " \"published_at\": \"2024-05-19T03:00:00+03:00\"}",
                       0, &in, errors);
    TEST_CHECK(rc == 0 && json_array_size(errors) == 0, "input: sample article accepted");
    if (rc == 0) {
        TEST_STREQ(in.title, SAMPLE_TITLE, "input: title trimmed");
        TEST_STREQ(in.title_slug, SAMPLE_SLUG, "input: title_slug of the sample title");
        TEST_STREQ(in.slug, NULL, "input: slug NULL when absent");
        TEST_STREQ(in.slug_key, NULL, "input: slug_key NULL when no slug");
        TEST_STREQ(in.summary, NULL, "input: summary NULL when absent");
        TEST_STREQ(in.body, "p1\np2", "input: body kept");
        TEST_STREQ(in.lang, "ar", "input: lang defaults to ar");
        TEST_STREQ(in.published_at, "2024-05-19T03:00:00+03:00", "input: published_at kept");
        TEST_CHECK(json_is_array(in.tags) && json_array_size(in.tags) == 0,
                   "input: tags empty array when absent");
        TEST_CHECK(json_is_array(in.sources) && json_array_size(in.sources) == 0,
                   "input: sources empty array when absent");
        TEST_CHECK(json_is_array(in.related) && json_array_size(in.related) == 0,
                   "input: related empty array when absent");
        TEST_CHECK(in.doc != NULL, "input: doc owned");
        article_input_free(&in);
        TEST_CHECK(in.doc == NULL && in.title == NULL, "input: free clears the struct");
    }
    article_input_free(&in); /* twice is harmless after the clear */
    article_input_free(NULL);

    json_array_clear(errors);
    rc = from_json("{\"title\": \"t\", \"body\": \"b\", \"summary\": \" \\t \", \"lang\": null,"
                   " \"published_at\": null}",
                   0, &in, errors);
    TEST_CHECK(rc == 0, "input: blank summary accepted");
    if (rc == 0) {
        TEST_STREQ(in.summary, NULL, "input: summary NULL when blank");
        TEST_STREQ(in.lang, "ar", "input: lang null defaults to ar");
        TEST_STREQ(in.published_at, NULL, "input: published_at NULL when null");
        article_input_free(&in);
    }

    rc = from_json("{\"title\": \"t\", \"body\": \"b\", \"summary\": \"  ملخص  \","
                   " \"lang\": \"en-GB\"}",
                   0, &in, errors);
    TEST_CHECK(rc == 0, "input: summary and lang accepted");
    if (rc == 0) {
        TEST_STREQ(in.summary, "ملخص", "input: summary trimmed");
        TEST_STREQ(in.lang, "en-GB", "input: lang kept");
        article_input_free(&in);
    }

    /* a title of punctuation alone still gives a usable slug */
    rc = from_json("{\"title\": \"!!! ؟\", \"body\": \"b\"}", 0, &in, errors);
    TEST_CHECK(rc == 0, "input: punctuation-only title accepted");
    if (rc == 0) {
        TEST_CHECK(in.title_slug != NULL && in.title_slug[0] != '\0',
                   "input: punctuation-only title gets a non-empty title_slug");
        article_input_free(&in);
    }

    /* a long title: its slug stays within 120 characters */
    char title[1200] = "";
    for (int i = 0; i < 60; i++)
        strcat(title, "كلمة ");
    char text[1400];
    snprintf(text, sizeof text, "{\"title\": \"%s\", \"body\": \"b\"}", title);
    rc = from_json(text, 0, &in, errors);
    TEST_CHECK(rc == 0, "input: 300-character title accepted");
    if (rc == 0) {
        size_t chars = 0;
        for (const unsigned char *p = (const unsigned char *)in.title_slug; *p; p++)
            chars += (*p & 0xC0) != 0x80;
        TEST_CHECK(chars > 0 && chars <= 120, "input: title_slug at most 120 characters");
        article_input_free(&in);
    }
    json_decref(errors);
}

static void test_client_slug(void)
{
    struct article_input in;
    json_t *errors = json_array();
    int rc = from_json("{\"title\": \"t\", \"body\": \"b\", \"slug\": \"Hello, World!\"}", 0, &in,
                       errors);
    TEST_CHECK(rc == 0, "slug: client slug accepted");
    if (rc == 0) {
        TEST_STREQ(in.slug, "hello-world", "slug: client slug made canonical");
        TEST_STREQ(in.slug_key, "hello-world", "slug: slug_key of an ASCII slug");
        TEST_STREQ(in.title_slug, NULL, "slug: no title_slug when a slug is given");
        article_input_free(&in);
    }
    rc = from_json("{\"title\": \"t\", \"body\": \"b\", \"slug\": \"" KOREA_FA "\"}", 0, &in,
                   errors);
    TEST_CHECK(rc == 0, "slug: Persian-letter slug accepted");
    if (rc == 0) {
        TEST_STREQ(in.slug,
                   "\u06A9\u0648\u0631\u06CC\u0627-\u0627\u0644\u0634\u0645\u0627\u0644\u06CC\u0629",
                   "slug: letters kept as written in the slug");
        TEST_STREQ(in.slug_key, KOREA_AR_SLUG, "slug: slug_key maps Keheh and Farsi Yeh");
        article_input_free(&in);
    }
    rc = from_json("{\"title\": \"t\", \"body\": \"b\", \"slug\": \"" SAMPLE_SLUG "\"}", 0, &in,
                   errors);
    TEST_CHECK(rc == 0, "slug: the sample slug accepted");
    if (rc == 0) {
        TEST_STREQ(in.slug, SAMPLE_SLUG, "slug: a canonical slug is unchanged");
        article_input_free(&in);
    }
    TEST_CHECK(json_array_size(errors) == 0, "slug: no errors for good slugs");
    json_decref(errors);
}

static void test_tags_sources_related(void)
{
    struct article_input in;
    json_t *errors = json_array();
    int rc = from_json("{\"title\": \"t\", \"body\": \"b\","
                       " \"tags\": [\"" KOREA_FA "\", \" " KOREA_AR " \", \"روسيا\"],"
                       " \"sources\": [\"تاس\", \"RT Arabic\", \"rt  arabic\"],"
                       " \"related\": [5, \"Some Slug\", 5, \"some-slug\", 6]}",
                       0, &in, errors);
    TEST_CHECK(rc == 0, "lists: accepted");
    if (rc == 0) {
        TEST_CHECK(json_array_size(in.tags) == 2, "tags: variants collapse to one tag");
        json_t *t0 = json_array_get(in.tags, 0);
        TEST_STREQ(json_string_value(json_object_get(t0, "name")), KOREA_FA,
                   "tags: the first spelling is the name");
        TEST_STREQ(json_string_value(json_object_get(t0, "slug")), KOREA_AR_SLUG,
                   "tags: slug is the normalized key");
        json_t *t1 = json_array_get(in.tags, 1);
        TEST_STREQ(json_string_value(json_object_get(t1, "name")), "روسيا", "tags: order kept");
        TEST_STREQ(json_string_value(json_object_get(t1, "slug")), "روسيا", "tags: plain slug");

        TEST_CHECK(json_array_size(in.sources) == 2, "sources: case and space variants collapse");
        json_t *s0 = json_array_get(in.sources, 0), *s1 = json_array_get(in.sources, 1);
        TEST_STREQ(json_string_value(json_object_get(s0, "name")), "تاس", "sources: first name");
        TEST_STREQ(json_string_value(json_object_get(s0, "key")), "تاس", "sources: first key");
        TEST_STREQ(json_string_value(json_object_get(s1, "name")), "RT Arabic",
                   "sources: first spelling kept, in order");
        TEST_STREQ(json_string_value(json_object_get(s1, "key")), "rt arabic",
                   "sources: key case folded, spaces folded");

        json_t *want = json_pack("[{s:I}, {s:s}, {s:I}]", "id", (json_int_t)5, "slug_key",
                                 "some-slug", "id", (json_int_t)6);
        TEST_CHECK(json_equal(in.related, want), "related: ids and slug keys, repeats dropped");
        json_decref(want);
        article_input_free(&in);
    }

    /* the brief's case: the two spellings alone give one tag */
    rc = from_json("{\"title\": \"t\", \"body\": \"b\", \"tags\": [\"" KOREA_FA "\", \"" KOREA_AR
                   "\"], \"sources\": [\"" KOREA_AR "\", \"" KOREA_FA "\"]}",
                   0, &in, errors);
    TEST_CHECK(rc == 0 && json_array_size(in.tags) == 1, "tags: two variants, tags size 1");
    if (rc == 0) {
        TEST_STREQ(json_string_value(json_object_get(json_array_get(in.tags, 0), "slug")),
                   KOREA_AR_SLUG, "tags: variant slug is كوريا-الشمالية");
        TEST_CHECK(json_array_size(in.sources) == 1, "sources: letter variants collapse");
        article_input_free(&in);
    }
    TEST_CHECK(json_array_size(errors) == 0, "lists: no errors");

    /* self_id */
    rc = from_json("{\"title\": \"t\", \"body\": \"b\", \"related\": [7]}", 7, &in, errors);
    TEST_CHECK(rc == -1 && one_error_on(errors, "related[0]"),
               "related: an article cannot list itself");
    json_array_clear(errors);
    rc = from_json("{\"title\": \"t\", \"body\": \"b\", \"related\": [8, 7]}", 7, &in, errors);
    TEST_CHECK(rc == -1 && one_error_on(errors, "related[1]"),
               "related: self at index 1 names related[1]");
    json_array_clear(errors);
    rc = from_json("{\"title\": \"t\", \"body\": \"b\", \"related\": [0]}", 7, &in, errors);
    TEST_CHECK(rc == -1 && one_error_on(errors, "related[0]"), "related: 0 refused with a self_id");
    json_array_clear(errors);
    rc = from_json("{\"title\": \"t\", \"body\": \"b\", \"related\": [7]}", 8, &in, errors);
    TEST_CHECK(rc == 0, "related: another article's id with a self_id");
    if (rc == 0)
        article_input_free(&in);
    rc = from_json("{\"title\": \"t\", \"body\": \"b\", \"related\": [7]}", 0, &in, errors);
    TEST_CHECK(rc == 0, "related: self_id 0 means no self");
    if (rc == 0)
        article_input_free(&in);
    rc = from_json("{\"title\": \"t\", \"body\": \"b\", \"related\": [9007199254740993]}", 0,
                   &in, errors);
    TEST_CHECK(rc == 0 && json_integer_value(json_object_get(json_array_get(in.related, 0), "id")) ==
                              INT64_C(9007199254740993),
               "related: a large id kept exactly");
    if (rc == 0)
        article_input_free(&in);
    json_decref(errors);
}

static void test_errors_shape(void)
{
    struct article_input in;
    json_t *errors = json_pack("[{s:s, s:s}]", "field", "earlier", "message", "kept");
    int rc = from_json("{\"title\": \"\", \"body\": \"b\"}", 0, &in, errors);
    TEST_CHECK(rc == -1, "errors: blank title refused");
    TEST_CHECK(json_array_size(errors) == 2, "errors: one error appended");
    TEST_STREQ(json_string_value(json_object_get(json_array_get(errors, 0), "field")), "earlier",
               "errors: earlier errors kept");
    json_t *e = json_array_get(errors, 1);
    const char *m = json_string_value(json_object_get(e, "message"));
    TEST_STREQ(json_string_value(json_object_get(e, "field")), "title", "errors: field named");
    TEST_CHECK(m != NULL && m[0] != '\0', "errors: message present");
    TEST_CHECK(json_object_size(e) == 2, "errors: exactly field and message");

    json_array_clear(errors);
    json_t *arr = json_array();
    rc = article_input_from_json(arr, 0, &in, errors);
    TEST_CHECK(rc == -1 && one_error_on(errors, ""), "errors: an array is refused with field \"\"");
    json_decref(arr);
    json_decref(errors);
}

/* A body of n bytes of unit (repeated; n a multiple of its length) as an article. */
static int body_of(const char *unit, size_t n, struct article_input *in, json_t *errors)
{
    size_t u = strlen(unit);
    char *body = malloc(n + 1);
    for (size_t i = 0; i < n; i += u)
        memcpy(body + i, unit, u);
    body[n] = '\0';
    json_t *doc = json_pack("{s:s, s:s}", "title", "t", "body", body);
    int rc = article_input_from_json(doc, 0, in, errors);
    if (rc == 0 && (in->body == NULL || strlen(in->body) != n))
        rc = -3;
    json_decref(doc);
    free(body);
    return rc;
}

static void test_big_body(void)
{
    struct article_input in;
    json_t *errors = json_array();
    int rc = body_of("a", MIB, &in, errors);
    TEST_CHECK(rc == 0, "body: exactly 1 MiB of ASCII accepted");
    if (rc == 0)
        article_input_free(&in);
    rc = body_of("a", MIB + 1, &in, errors);
    TEST_CHECK(rc == -1 && one_error_on(errors, "body"), "body: 1 MiB + 1 byte refused");
    json_array_clear(errors);
    rc = body_of("ب", MIB, &in, errors);
    TEST_CHECK(rc == 0, "body: 1 MiB of Arabic (512 Ki letters) accepted");
    if (rc == 0)
        article_input_free(&in);
    rc = body_of("ب", MIB + 2, &in, errors);
    TEST_CHECK(rc == -1 && one_error_on(errors, "body"),
               "body: 1 MiB + one Arabic letter refused (bytes, not characters)");
    json_decref(errors);

    /* through json_body_parse too: a 1 MiB body inside a JSON text */
    size_t n = MIB + 64;
    char *text = malloc(n);
    int len = snprintf(text, n, "{\"title\": \"t\", \"body\": \"");
    memset(text + len, 'x', MIB);
    strcpy(text + len + MIB, "\"}");
    json_t *doc = NULL;
    char detail[128];
    enum json_body_status st = json_body_parse(text, strlen(text), &doc, detail, sizeof detail);
    TEST_CHECK(st == JSON_BODY_OK, "body: 1 MiB body parses");
    errors = json_array();
    rc = doc ? article_input_from_json(doc, 0, &in, errors) : -2;
    TEST_CHECK(rc == 0, "body: parsed 1 MiB body accepted");
    if (rc == 0)
        article_input_free(&in);
    json_decref(doc);
    json_decref(errors);
    free(text);
}

/* ---------------------------------------------------------------- input form of an article */

static void test_input_form(void)
{
    json_error_t jerr;
    json_t *article = json_loads(
        "{\"id\": 42, \"slug\": \"" SAMPLE_SLUG "\", \"title\": \"" SAMPLE_TITLE "\","
        " \"summary\": null, \"body\": \"p1\\np2\", \"lang\": \"ar\", \"dir\": \"rtl\","
        " \"published_at\": \"2024-05-19T00:00:00Z\", \"created_at\": \"2024-05-19T01:00:00Z\","
        " \"updated_at\": \"2024-05-20T01:00:00Z\", \"version\": 3,"
        " \"sources\": [\"تاس\", \"RT Arabic\"],"
        " \"tags\": [{\"slug\": \"" KOREA_AR_SLUG "\", \"name\": \"" KOREA_FA "\"},"
        "          {\"slug\": \"روسيا\", \"name\": \"روسيا\"}],"
        " \"related\": [{\"id\": 43, \"slug\": \"s43\", \"title\": \"t43\","
        "               \"published_at\": \"2024-05-18T00:00:00Z\"}, {\"id\": 44}]}",
        0, &jerr);
    json_t *want = json_loads(
        "{\"slug\": \"" SAMPLE_SLUG "\", \"title\": \"" SAMPLE_TITLE "\","
        " \"body\": \"p1\\np2\", \"lang\": \"ar\", \"published_at\": \"2024-05-19T00:00:00Z\","
        " \"sources\": [\"تاس\", \"RT Arabic\"], \"tags\": [\"" KOREA_FA "\", \"روسيا\"],"
        " \"related\": [43, 44]}",
        0, &jerr);
    TEST_CHECK(article != NULL && want != NULL, "input form: test data parses");
    json_t *got = article_input_json_from_article_new(article);
    TEST_CHECK(json_equal(got, want), "input form: client fields only, tags names, related ids");
    TEST_CHECK(json_object_get(got, "summary") == NULL, "input form: null summary omitted");
    TEST_CHECK(json_object_get(got, "id") == NULL && json_object_get(got, "dir") == NULL &&
                   json_object_get(got, "version") == NULL,
               "input form: read-only fields left out");
    if (!json_equal(got, want)) {
        char *s = json_dumps(got, JSON_SORT_KEYS | JSON_COMPACT);
        printf("#   got %s\n", s);
        free(s);
    }

    /* the input form is itself a valid article body (PATCH checks it after merging) */
    struct article_input in;
    json_t *errors = json_array();
    int rc = article_input_from_json(got, 0, &in, errors);
    TEST_CHECK(rc == 0, "input form: passes article_input_from_json");
    if (rc == 0) {
        TEST_STREQ(in.slug, SAMPLE_SLUG, "input form: slug round-trips");
        TEST_CHECK(json_array_size(in.tags) == 2 && json_array_size(in.related) == 2,
                   "input form: tags and related round-trip");
        article_input_free(&in);
    }
    json_decref(got);

    json_object_set_new(article, "summary", json_string("ملخص"));
    json_object_set_new(article, "tags", json_array());
    json_object_set_new(article, "related", json_array());
    got = article_input_json_from_article_new(article);
    TEST_STREQ(json_string_value(json_object_get(got, "summary")), "ملخص",
               "input form: summary copied when set");
    TEST_CHECK(json_is_array(json_object_get(got, "tags")) &&
                   json_array_size(json_object_get(got, "tags")) == 0,
               "input form: no tags gives []");
    TEST_CHECK(json_is_array(json_object_get(got, "related")) &&
                   json_array_size(json_object_get(got, "related")) == 0,
               "input form: no related gives []");
    json_decref(got);
    json_decref(article);
    json_decref(want);
    json_decref(errors);
}

/* ---------------------------------------------------------------- JSON merge patch */

/*
 * RFC 7396 Appendix A, all 15 examples. json_merge_patch works on an object target in
 * place, so each example is checked twice where it can be: at the top (when target and
 * patch are objects) and one level down, as member "x" (MergePatch({"x": T}, {"x": P})
 * is {"x": MergePatch(T, P)}, or {} when P is null: section 2's recursion).
 */
static const struct {
    const char *target, *patch, *result;
} rfc7396[] = {
    { "{\"a\":\"b\"}", "{\"a\":\"c\"}", "{\"a\":\"c\"}" },
    { "{\"a\":\"b\"}", "{\"b\":\"c\"}", "{\"a\":\"b\",\"b\":\"c\"}" },
    { "{\"a\":\"b\"}", "{\"a\":null}", "{}" },
    { "{\"a\":\"b\",\"b\":\"c\"}", "{\"a\":null}", "{\"b\":\"c\"}" },
    { "{\"a\":[\"b\"]}", "{\"a\":\"c\"}", "{\"a\":\"c\"}" },
    { "{\"a\":\"c\"}", "{\"a\":[\"b\"]}", "{\"a\":[\"b\"]}" },
    { "{\"a\":{\"b\":\"c\"}}", "{\"a\":{\"b\":\"d\",\"c\":null}}", "{\"a\":{\"b\":\"d\"}}" },
    { "{\"a\":[{\"b\":\"c\"}]}", "{\"a\":[1]}", "{\"a\":[1]}" },
    { "[\"a\",\"b\"]", "[\"c\",\"d\"]", "[\"c\",\"d\"]" },
    { "{\"a\":\"b\"}", "[\"c\"]", "[\"c\"]" },
    { "{\"a\":\"foo\"}", "null", "null" },
    { "{\"a\":\"foo\"}", "\"bar\"", "\"bar\"" },
    { "{\"e\":null}", "{\"a\":1}", "{\"e\":null,\"a\":1}" },
    { "[1,2]", "{\"a\":\"b\",\"c\":null}", "{\"a\":\"b\"}" },
    { "{}", "{\"a\":{\"bb\":{\"ccc\":null}}}", "{\"a\":{\"bb\":{}}}" },
};

static json_t *load_any(const char *s)
{
    json_error_t jerr;
    json_t *v = json_loads(s, JSON_DECODE_ANY, &jerr);
    if (v == NULL)
        printf("# test bug: %s: %s\n", s, jerr.text);
    return v;
}

static void test_merge_patch(void)
{
    char name[160];
    for (size_t i = 0; i < sizeof rfc7396 / sizeof rfc7396[0]; i++) {
        json_t *target = load_any(rfc7396[i].target), *patch = load_any(rfc7396[i].patch);
        json_t *result = load_any(rfc7396[i].result);
        json_t *patch_before = json_deep_copy(patch);
        if (json_is_object(target) && json_is_object(patch)) {
            json_t *t = json_deep_copy(target);
            json_merge_patch(t, patch);
            snprintf(name, sizeof name, "merge patch: RFC 7396 A.%zu %s + %s", i + 1,
                     rfc7396[i].target, rfc7396[i].patch);
            TEST_CHECK(json_equal(t, result), name);
            json_decref(t);
        }
        json_t *outer = json_pack("{s:O, s:s}", "x", target, "keep", "k");
        json_t *outer_patch = json_pack("{s:O}", "x", patch);
        json_t *want = json_is_null(patch) ? json_pack("{s:s}", "keep", "k")
                                           : json_pack("{s:O, s:s}", "x", result, "keep", "k");
        json_merge_patch(outer, outer_patch);
        snprintf(name, sizeof name, "merge patch: RFC 7396 A.%zu as member x: %s + %s", i + 1,
                 rfc7396[i].target, rfc7396[i].patch);
        TEST_CHECK(json_equal(outer, want), name);
        snprintf(name, sizeof name, "merge patch: A.%zu leaves the patch unchanged", i + 1);
        TEST_CHECK(json_equal(patch, patch_before), name);
        json_decref(outer);
        json_decref(outer_patch);
        json_decref(want);
        json_decref(target);
        json_decref(patch);
        json_decref(result);
        json_decref(patch_before);
    }

    /* the result does not share the patch's values: changing the patch later changes nothing */
    json_t *target = load_any("{\"tags\":[\"a\"]}");
    json_t *patch = load_any("{\"tags\":[\"b\"],\"o\":{\"k\":[1]}}");
    json_merge_patch(target, patch);
    json_array_append_new(json_object_get(patch, "tags"), json_string("c"));
    json_array_append_new(json_object_get(json_object_get(patch, "o"), "k"), json_integer(2));
    json_t *want = load_any("{\"tags\":[\"b\"],\"o\":{\"k\":[1]}}");
    TEST_CHECK(json_equal(target, want), "merge patch: the target holds copies of patch values");
    json_decref(target);
    json_decref(patch);
    json_decref(want);

    /* an empty patch changes nothing */
    target = load_any("{\"title\":\"t\",\"tags\":[\"a\"]}");
    patch = load_any("{}");
    want = json_deep_copy(target);
    json_merge_patch(target, patch);
    TEST_CHECK(json_equal(target, want), "merge patch: {} is the identity");
    json_decref(target);
    json_decref(patch);
    json_decref(want);
}

/* ---------------------------------------------------------------- RFC 3339 */

static void test_rfc3339(void)
{
    static const char *const good[] = {
        "2024-05-19T00:00:00Z",
        "2024-05-19T03:00:00+03:00",
        "2024-05-18T18:30:00-05:30",
        "2024-05-19T00:00:00-00:00",
        "2024-05-19T00:00:00.1Z",
        "2024-05-19T00:00:00.123456789Z",
        "2024-05-19T00:00:00.5+01:00",
        "2024-05-19t00:00:00z",
        "2024-02-29T00:00:00Z",
        "2000-02-29T00:00:00Z",
        "1000-01-01T00:00:00Z",
        "9998-12-31T23:59:59Z",
        "2024-05-19T00:00:00+15:59",
        "2024-05-19T00:00:00-15:59",
        "2024-01-31T00:00:00Z",
        "2024-04-30T00:00:00Z",
        "2024-12-31T23:59:59+14:00",
        "2024-12-31T23:59:59-12:00",
        NULL,
    };
    static const char *const bad[] = {
        "",
        "yesterday",
        "2024-05-19",
        "2024-05-19T00:00:00",
        "2024-05-19T00:00Z",
        "2024-05-19T00:00:00+0300",
        "2024-05-19T00:00:00+03",
        "2024-05-19T00:00:00+3:00",
        "2024-05-19T00:00:00+24:00",
        "2024-05-19T00:00:00+03:60",
        "2024-05-19T00:00:00.Z",
        "2024-05-19T00:00:00,5Z",
        "2024-05-19T00:00:00ZZ",
        "2024-05-19T00:00:00Z ",
        " 2024-05-19T00:00:00Z",
        "2024-05-19T00:00:00 Z",
        "2024-05-19X00:00:00Z",
        "2024-02-30T00:00:00Z",
        "2023-02-29T00:00:00Z",
        "1900-02-29T00:00:00Z",
        "2024-04-31T00:00:00Z",
        "2024-13-01T00:00:00Z",
        "2024-00-10T00:00:00Z",
        "2024-05-00T00:00:00Z",
        "2024-05-32T00:00:00Z",
        "2024-05-19T24:00:00Z",
        "2024-05-19T23:60:00Z",
        "0000-01-01T00:00:00Z",
        /* PostgreSQL cannot store these as given (a 500 before they were refused here) */
        "0001-01-01T00:00:00Z",
        "0999-12-31T23:59:59Z",
        "9999-12-31T23:59:59Z",
        "2024-05-19T00:00:00+16:00",
        "2024-05-19T00:00:00-23:59",
        "24-05-19T00:00:00Z",
        "20240519T000000Z",
        "2024-5-19T00:00:00Z",
        "2024-05-19T0:00:00Z",
        "+2024-05-19T00:00:00Z",
        "2024-05-19T00:00:00+03:00:00",
        "٢٠٢٤-05-19T00:00:00Z",
        NULL,
    };
    char name[160];
    for (const char *const *s = good; *s; s++) {
        snprintf(name, sizeof name, "rfc3339: \"%s\" valid", *s);
        TEST_CHECK(rfc3339_is_valid(*s), name);
    }
    for (const char *const *s = bad; *s; s++) {
        snprintf(name, sizeof name, "rfc3339: \"%s\" invalid", *s);
        TEST_CHECK(!rfc3339_is_valid(*s), name);
    }
}

/* ---------------------------------------------------------------- lang_is_valid */

static void test_lang_valid(void)
{
    static const char *const good[] = { "ar", "AR", "en-GB", "zh-Hant-TW", "sr-Latn-RS",
                                         "de-CH-1996", "es-419", "ckb", "ar-EG",
                                         "en-abcdefgh-bcdefghi-cdefghij-defgh", NULL };
    static const char *const bad[] = { "", "a", "toolonglanguage1", "abcdefghi", "en_GB",
                                       "ar-", "-ar", "en--GB", "ar EG", " ar", "12", "e1",
                                       "\u0639\u0631", "en-abcdefghi",
                                       "en-abcdefgh-bcdefghi-cdefghij-defghi", NULL };
    char name[96];
    for (const char *const *s = good; *s; s++) {
        snprintf(name, sizeof name, "lang: \"%s\" valid", *s);
        TEST_CHECK(lang_is_valid(*s), name);
    }
    for (const char *const *s = bad; *s; s++) {
        snprintf(name, sizeof name, "lang: \"%s\" invalid", *s);
        TEST_CHECK(!lang_is_valid(*s), name);
    }
}

/* ---------------------------------------------------------------- lang_direction */

static void test_direction(void)
{
    static const char *const rtl[] = { "ar", "AR", "Ar", "ar-EG", "ar-SA", "fa", "fa-IR",
                                       "he", "he-IL", "ur", "ur-PK", "yi", "ps", NULL };
    /* "arn" (Mapudungun), "fat" (Fanti), "urh" (Urhobo), "hei" (Heiltsuk): only the whole language
     * subtag counts, not a prefix of it */
    static const char *const ltr[] = { "en", "en-GB", "fr", "zh-Hant-TW", "arn", "fat", "urh",
                                       "hei", "eng", "ru", "", NULL };
    char name[80];
    for (const char *const *s = rtl; *s; s++) {
        snprintf(name, sizeof name, "direction: %s is rtl", *s);
        TEST_STREQ(lang_direction(*s), "rtl", name);
    }
    for (const char *const *s = ltr; *s; s++) {
        snprintf(name, sizeof name, "direction: \"%s\" is ltr", *s);
        TEST_STREQ(lang_direction(*s), "ltr", name);
    }
}

int main(int argc, char **argv)
{
    test_fixtures(argc > 1 ? argv[1] : "tests/fixtures/article_input");
    test_body_parse();
    test_good_article();
    test_client_slug();
    test_tags_sources_related();
    test_errors_shape();
    test_big_body();
    test_input_form();
    test_merge_patch();
    test_rfc3339();
    test_lang_valid();
    test_direction();
    return TEST_REPORT();
}
