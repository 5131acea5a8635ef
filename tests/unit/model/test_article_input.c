/* test_article_input.c: unit tests of server/model/article_input.c. Expected values come from
 * article_input.h, the API's rules in openapi.yaml and the RFCs, not from the code.
 *
 * Fixture cases (jansson style): tests/fixtures/article_input/<case>/input holds the exact
 * body bytes and <case>/expect one line: ok, malformed, invalid-utf8, too-deep, or
 * "invalid FIELD..." (the set of "field" values of the errors; "" is the empty field).
 * Each case goes through khabar_json_parse, then article_input_from_json(doc, 0, &rules, ...).
 * The folder is argv[1] when given, else tests/fixtures/article_input (run from the
 * repository root).
 */
#include "model/article_input.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "infra/strict_json.h"
#include "unit.h"

/* The default IMAGE_URL_SCHEMES. */
static char *image_schemes[] = { "https" };
static const struct article_rules rules = { .image = { image_schemes, 1 } };

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
    switch (khabar_json_parse(buf, len, &doc, detail, detail_size)) {
    case KHABAR_JSON_OK:
        break;
    case KHABAR_JSON_MALFORMED:
        snprintf(out, size, "malformed");
        return;
    case KHABAR_JSON_INVALID_UTF8:
        snprintf(out, size, "invalid-utf8");
        return;
    case KHABAR_JSON_TOO_DEEP:
        snprintf(out, size, "too-deep");
        return;
    default:
        snprintf(out, size, "unknown khabar_json_parse status");
        return;
    }
    struct article_input in;
    json_t *errors = json_array();
    if (article_input_from_json(doc, 0, &rules, &in, errors) == 0) {
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

/* The folder of fixture cases: argv[1] when given, else the repository's (run from its root). */
static const char *fixture_dir = "tests/fixtures/article_input";

/* Runs one fixture case; false (after printing why) when the outcome is not the expected one. */
static bool run_case(const char *dir, const char *name)
{
    char path[4096], want[4096], got[4096], detail[256];
    size_t len, elen;
    bool ok = false;
    snprintf(path, sizeof path, "%s/%s/expect", dir, name);
    char *expect = read_file_new(path, &elen);
    snprintf(path, sizeof path, "%s/%s/input", dir, name);
    char *input = read_file_new(path, &len);
    if (expect == NULL || input == NULL) {
        print_message("# article_input/%s: a case without input or expect\n", name);
    } else {
        canonical_expect(expect, want, sizeof want);
        outcome(input, len, got, sizeof got, detail, sizeof detail);
        ok = strcmp(got, want) == 0;
        if (!ok)
            print_message("# article_input/%s: got \"%s\", want \"%s\"%s%s\n", name, got, want,
                          detail[0] != '\0' ? "; detail: " : "", detail);
    }
    free(expect);
    free(input);
    return ok;
}

/* Runs every fixture case in name order, printing each mismatch; fails when there is one. */
static void test_fixtures(void **state)
{
    (void)state;
    char *names[1024];
    size_t n = 0, bad = 0;
    DIR *d = opendir(fixture_dir);
    char msg[4200];
    snprintf(msg, sizeof msg, "fixtures: folder %s opens", fixture_dir);
    check(d != NULL, msg);
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL && n < 1024) {
        char path[4096];
        struct stat st;
        if (ent->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", fixture_dir, ent->d_name);
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            names[n++] = strdup(ent->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, compare_strings);
    check(n > 0, "fixtures: the folder holds cases");
    for (size_t i = 0; i < n; i++) {
        bad += !run_case(fixture_dir, names[i]);
        free(names[i]);
    }
    snprintf(msg, sizeof msg, "fixtures: %zu of %zu cases of %s give another outcome", bad, n,
             fixture_dir);
    check(bad == 0, msg);
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
    int rc = article_input_from_json(doc, self_id, &rules, in, errors);
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

static void test_good_article(void **state)
{
    (void)state;
    struct article_input in;
    json_t *errors = json_array();
    int rc = from_json("{\"title\": \"  " SAMPLE_TITLE " \\n\", \"body\": \"p1\\np2\","
                       " \"published_at\": \"2024-05-19T03:00:00+03:00\"}",
                       0, &in, errors);
    check(rc == 0 && json_array_size(errors) == 0, "input: sample article accepted");
    if (rc == 0) {
        check_str(in.write.title, SAMPLE_TITLE, "input: title trimmed");
        check_str(in.write.title_slug, SAMPLE_SLUG, "input: title_slug of the sample title");
        check_str(in.write.slug, NULL, "input: slug NULL when absent");
        check_str(in.write.slug_key, NULL, "input: slug_key NULL when no slug");
        check_str(in.write.summary, NULL, "input: summary NULL when absent");
        check_str(in.write.body, "p1\np2", "input: body kept");
        check_str(in.write.lang, "ar", "input: lang defaults to ar");
        check_str(in.write.published_at, "2024-05-19T03:00:00+03:00", "input: published_at kept");
        check(json_is_array(in.write.tags) && json_array_size(in.write.tags) == 0,
              "input: tags empty array when absent");
        check(json_is_array(in.write.sources) && json_array_size(in.write.sources) == 0,
              "input: sources empty array when absent");
        check(json_is_array(in.write.related) && json_array_size(in.write.related) == 0,
              "input: related empty array when absent");
        check(in.doc != NULL, "input: doc owned");
        article_input_free(&in);
        check(in.doc == NULL && in.write.title == NULL, "input: free clears the struct");
    }
    article_input_free(&in); /* twice is harmless after the clear */
    article_input_free(NULL);

    json_array_clear(errors);
    rc = from_json("{\"title\": \"t\", \"body\": \"b\", \"summary\": \" \\t \", \"lang\": null,"
                   " \"published_at\": null}",
                   0, &in, errors);
    check(rc == 0, "input: blank summary accepted");
    if (rc == 0) {
        check_str(in.write.summary, NULL, "input: summary NULL when blank");
        check_str(in.write.lang, "ar", "input: lang null defaults to ar");
        check_str(in.write.published_at, NULL, "input: published_at NULL when null");
        article_input_free(&in);
    }

    rc = from_json("{\"title\": \"t\", \"body\": \"b\", \"summary\": \"  ملخص  \","
                   " \"lang\": \"en-GB\"}",
                   0, &in, errors);
    check(rc == 0, "input: summary and lang accepted");
    if (rc == 0) {
        check_str(in.write.summary, "ملخص", "input: summary trimmed");
        check_str(in.write.lang, "en-GB", "input: lang kept");
        article_input_free(&in);
    }

    /* a title of punctuation alone still gives a usable slug */
    rc = from_json("{\"title\": \"!!! ؟\", \"body\": \"b\"}", 0, &in, errors);
    check(rc == 0, "input: punctuation-only title accepted");
    if (rc == 0) {
        check(in.write.title_slug != NULL && in.write.title_slug[0] != '\0',
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
    check(rc == 0, "input: 300-character title accepted");
    if (rc == 0) {
        size_t chars = 0;
        for (const unsigned char *p = (const unsigned char *)in.write.title_slug; *p; p++)
            chars += (*p & 0xC0) != 0x80;
        check(chars > 0 && chars <= 120, "input: title_slug at most 120 characters");
        article_input_free(&in);
    }
    json_decref(errors);
}

static void test_client_slug(void **state)
{
    (void)state;
    struct article_input in;
    json_t *errors = json_array();
    int rc = from_json("{\"title\": \"t\", \"body\": \"b\", \"slug\": \"Hello, World!\"}", 0, &in,
                       errors);
    check(rc == 0, "slug: client slug accepted");
    if (rc == 0) {
        check_str(in.write.slug, "hello-world", "slug: client slug made canonical");
        check_str(in.write.slug_key, "hello-world", "slug: slug_key of an ASCII slug");
        check_str(in.write.title_slug, NULL, "slug: no title_slug when a slug is given");
        article_input_free(&in);
    }
    rc = from_json("{\"title\": \"t\", \"body\": \"b\", \"slug\": \"" KOREA_FA "\"}", 0, &in,
                   errors);
    check(rc == 0, "slug: Persian-letter slug accepted");
    if (rc == 0) {
        check_str(in.write.slug,
                  "\u06A9\u0648\u0631\u06CC\u0627-\u0627\u0644\u0634\u0645\u0627\u0644\u06CC\u0629",
                  "slug: letters kept as written in the slug");
        check_str(in.write.slug_key, KOREA_AR_SLUG, "slug: slug_key maps Keheh and Farsi Yeh");
        article_input_free(&in);
    }
    rc = from_json("{\"title\": \"t\", \"body\": \"b\", \"slug\": \"" SAMPLE_SLUG "\"}", 0, &in,
                   errors);
    check(rc == 0, "slug: the sample slug accepted");
    if (rc == 0) {
        check_str(in.write.slug, SAMPLE_SLUG, "slug: a canonical slug is unchanged");
        article_input_free(&in);
    }
    rc = from_json("{\"title\": \"!!! \u061F\", \"body\": \"b\"}", 0, &in, errors);
    check(rc == 0, "slug: a title of punctuation alone accepted");
    if (rc == 0) {
        check_str(in.write.title_slug, "article",
                  "slug: a title without letters gives \"article\"");
        check_str(in.write.title_slug_key, "article", "slug: and its key");
        article_input_free(&in);
    }
    check(json_array_size(errors) == 0, "slug: no errors for good slugs");
    json_decref(errors);
}

static void test_tags_sources_related(void **state)
{
    (void)state;
    struct article_input in;
    json_t *errors = json_array();
    int rc = from_json("{\"title\": \"t\", \"body\": \"b\","
                       " \"tags\": [\"" KOREA_FA "\", \" " KOREA_AR " \", \"روسيا\"],"
                       " \"sources\": [\"تاس\", \"RT Arabic\", \"rt  arabic\"],"
                       " \"related\": [5, \"Some Slug\", 5, \"some-slug\", 6]}",
                       0, &in, errors);
    check(rc == 0, "lists: accepted");
    if (rc == 0) {
        check(json_array_size(in.write.tags) == 2, "tags: variants collapse to one tag");
        json_t *t0 = json_array_get(in.write.tags, 0);
        check_str(json_string_value(json_object_get(t0, "name")), KOREA_FA,
                  "tags: the first spelling is the name");
        check_str(json_string_value(json_object_get(t0, "slug")), KOREA_AR_SLUG,
                  "tags: slug is the normalized key");
        json_t *t1 = json_array_get(in.write.tags, 1);
        check_str(json_string_value(json_object_get(t1, "name")), "روسيا", "tags: order kept");
        check_str(json_string_value(json_object_get(t1, "slug")), "روسيا", "tags: plain slug");

        check(json_array_size(in.write.sources) == 2, "sources: case and space variants collapse");
        json_t *s0 = json_array_get(in.write.sources, 0), *s1 = json_array_get(in.write.sources, 1);
        check_str(json_string_value(json_object_get(s0, "name")), "تاس", "sources: first name");
        check_str(json_string_value(json_object_get(s0, "key")), "تاس", "sources: first key");
        check_str(json_string_value(json_object_get(s1, "name")), "RT Arabic",
                  "sources: first spelling kept, in order");
        check_str(json_string_value(json_object_get(s1, "key")), "rt arabic",
                  "sources: key case folded, spaces folded");

        json_t *want = json_pack("[{s:I}, {s:s}, {s:I}]", "id", (json_int_t)5, "slug_key",
                                 "some-slug", "id", (json_int_t)6);
        check(json_equal(in.write.related, want), "related: ids and slug keys, repeats dropped");
        json_decref(want);
        article_input_free(&in);
    }

    /* the brief's case: the two spellings alone give one tag */
    rc = from_json("{\"title\": \"t\", \"body\": \"b\", \"tags\": [\"" KOREA_FA "\", \"" KOREA_AR
                   "\"], \"sources\": [\"" KOREA_AR "\", \"" KOREA_FA "\"]}",
                   0, &in, errors);
    check(rc == 0 && json_array_size(in.write.tags) == 1, "tags: two variants, tags size 1");
    if (rc == 0) {
        check_str(json_string_value(json_object_get(json_array_get(in.write.tags, 0), "slug")),
                  KOREA_AR_SLUG, "tags: variant slug is كوريا-الشمالية");
        check(json_array_size(in.write.sources) == 1, "sources: letter variants collapse");
        article_input_free(&in);
    }
    check(json_array_size(errors) == 0, "lists: no errors");

    /* self_id */
    rc = from_json("{\"title\": \"t\", \"body\": \"b\", \"related\": [7]}", 7, &in, errors);
    check(rc == -1 && one_error_on(errors, "related[0]"),
          "related: an article cannot list itself");
    json_array_clear(errors);
    rc = from_json("{\"title\": \"t\", \"body\": \"b\", \"related\": [8, 7]}", 7, &in, errors);
    check(rc == -1 && one_error_on(errors, "related[1]"),
          "related: self at index 1 names related[1]");
    json_array_clear(errors);
    rc = from_json("{\"title\": \"t\", \"body\": \"b\", \"related\": [0]}", 7, &in, errors);
    check(rc == -1 && one_error_on(errors, "related[0]"), "related: 0 refused with a self_id");
    json_array_clear(errors);
    rc = from_json("{\"title\": \"t\", \"body\": \"b\", \"related\": [7]}", 8, &in, errors);
    check(rc == 0, "related: another article's id with a self_id");
    if (rc == 0)
        article_input_free(&in);
    rc = from_json("{\"title\": \"t\", \"body\": \"b\", \"related\": [7]}", 0, &in, errors);
    check(rc == 0, "related: self_id 0 means no self");
    if (rc == 0)
        article_input_free(&in);
    rc = from_json("{\"title\": \"t\", \"body\": \"b\", \"related\": [9007199254740993]}", 0,
                   &in, errors);
    check(rc == 0 &&
              json_integer_value(json_object_get(json_array_get(in.write.related, 0), "id")) ==
                  INT64_C(9007199254740993),
          "related: a large id kept exactly");
    if (rc == 0)
        article_input_free(&in);
    json_decref(errors);
}

static void test_errors_shape(void **state)
{
    (void)state;
    struct article_input in;
    json_t *errors = json_pack("[{s:s, s:s}]", "field", "earlier", "message", "kept");
    int rc = from_json("{\"title\": \"\", \"body\": \"b\"}", 0, &in, errors);
    check(rc == -1, "errors: blank title refused");
    check(json_array_size(errors) == 2, "errors: one error appended");
    check_str(json_string_value(json_object_get(json_array_get(errors, 0), "field")), "earlier",
              "errors: earlier errors kept");
    json_t *e = json_array_get(errors, 1);
    const char *m = json_string_value(json_object_get(e, "message"));
    check_str(json_string_value(json_object_get(e, "field")), "title", "errors: field named");
    check(m != NULL && m[0] != '\0', "errors: message present");
    check(json_object_size(e) == 2, "errors: exactly field and message");

    json_array_clear(errors);
    json_t *arr = json_array();
    rc = article_input_from_json(arr, 0, &rules, &in, errors);
    check(rc == -1 && one_error_on(errors, ""), "errors: an array is refused with field \"\"");
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
    int rc = article_input_from_json(doc, 0, &rules, in, errors);
    if (rc == 0 && (in->write.body == NULL || strlen(in->write.body) != n))
        rc = -3;
    json_decref(doc);
    free(body);
    return rc;
}

static void test_big_body(void **state)
{
    (void)state;
    struct article_input in;
    json_t *errors = json_array();
    int rc = body_of("a", MIB, &in, errors);
    check(rc == 0, "body: exactly 1 MiB of ASCII accepted");
    if (rc == 0)
        article_input_free(&in);
    rc = body_of("a", MIB + 1, &in, errors);
    check(rc == -1 && one_error_on(errors, "body"), "body: 1 MiB + 1 byte refused");
    json_array_clear(errors);
    rc = body_of("ب", MIB, &in, errors);
    check(rc == 0, "body: 1 MiB of Arabic (512 Ki letters) accepted");
    if (rc == 0)
        article_input_free(&in);
    rc = body_of("ب", MIB + 2, &in, errors);
    check(rc == -1 && one_error_on(errors, "body"),
          "body: 1 MiB + one Arabic letter refused (bytes, not characters)");
    json_decref(errors);

    /* through khabar_json_parse too: a 1 MiB body inside a JSON text */
    size_t n = MIB + 64;
    char *text = malloc(n);
    int len = snprintf(text, n, "{\"title\": \"t\", \"body\": \"");
    memset(text + len, 'x', MIB);
    strcpy(text + len + MIB, "\"}");
    json_t *doc = NULL;
    char detail[128];
    enum khabar_json_status st = khabar_json_parse(text, strlen(text), &doc, detail, sizeof detail);
    check(st == KHABAR_JSON_OK, "body: 1 MiB body parses");
    errors = json_array();
    rc = doc ? article_input_from_json(doc, 0, &rules, &in, errors) : -2;
    check(rc == 0, "body: parsed 1 MiB body accepted");
    if (rc == 0)
        article_input_free(&in);
    json_decref(doc);
    json_decref(errors);
    free(text);
}

/* ---------------------------------------------------------------- input form of an article */

static void test_input_form(void **state)
{
    (void)state;
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
        "               \"published_at\": \"2024-05-18T00:00:00Z\"}, {\"id\": 44}],"
        " \"authors\": [{\"id\": 7, \"slug\": \"sara\", \"name\": \"سارة\"}],"
        " \"section\": {\"id\": 3, \"slug\": \"سياسة\", \"name\": \"سياسة\"}}",
        0, &jerr);
    json_t *want = json_loads(
        "{\"slug\": \"" SAMPLE_SLUG "\", \"title\": \"" SAMPLE_TITLE "\","
        " \"body\": \"p1\\np2\", \"lang\": \"ar\", \"published_at\": \"2024-05-19T00:00:00Z\","
        " \"sources\": [\"تاس\", \"RT Arabic\"], \"tags\": [\"" KOREA_FA "\", \"روسيا\"],"
        " \"related\": [43, 44], \"authors\": [7], \"section\": 3}",
        0, &jerr);
    check(article != NULL && want != NULL, "input form: test data parses");
    json_t *got = article_input_json_from_article_new(article);
    check(json_equal(got, want), "input form: client fields only, tags names, related, author and section ids");
    check(json_object_get(got, "summary") == NULL, "input form: null summary omitted");
    check(json_object_get(got, "id") == NULL && json_object_get(got, "dir") == NULL &&
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
    int rc = article_input_from_json(got, 0, &rules, &in, errors);
    check(rc == 0, "input form: passes article_input_from_json");
    if (rc == 0) {
        check_str(in.write.slug, SAMPLE_SLUG, "input form: slug round-trips");
        check(json_array_size(in.write.tags) == 2 && json_array_size(in.write.related) == 2,
              "input form: tags and related round-trip");
        article_input_free(&in);
    }
    json_decref(got);

    json_object_set_new(article, "summary", json_string("ملخص"));
    json_object_set_new(article, "tags", json_array());
    json_object_set_new(article, "related", json_array());
    got = article_input_json_from_article_new(article);
    check_str(json_string_value(json_object_get(got, "summary")), "ملخص",
              "input form: summary copied when set");
    check(json_is_array(json_object_get(got, "tags")) &&
              json_array_size(json_object_get(got, "tags")) == 0,
          "input form: no tags gives []");
    check(json_is_array(json_object_get(got, "related")) &&
              json_array_size(json_object_get(got, "related")) == 0,
          "input form: no related gives []");
    json_decref(got);
    json_decref(article);
    json_decref(want);
    json_decref(errors);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        fixture_dir = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixtures),
        cmocka_unit_test(test_good_article),
        cmocka_unit_test(test_client_slug),
        cmocka_unit_test(test_tags_sources_related),
        cmocka_unit_test(test_errors_shape),
        cmocka_unit_test(test_big_body),
        cmocka_unit_test(test_input_form),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
