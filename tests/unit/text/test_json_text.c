/* test_json_text.c: unit tests of server/text/json_text.c: strings escaped as jansson
 * escapes them, and stored JSON copied compact or left to jansson, never half written. */
#include "text/json_text.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

/* What json_text_string writes for s, or "(failed)". */
static char *string_text_new(const char *s)
{
    struct json_text j = { 0 };
    json_text_string(&j, s);
    char *out = strdup(j.failed ? "(failed)" : j.buf);
    json_text_free(&j);
    return out;
}

/* jansson's compact text of the string s. */
static char *jansson_string_new(const char *s)
{
    json_t *v = json_string(s);
    char *out = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : strdup("(failed)");
    json_decref(v);
    return out;
}

static void test_strings_as_jansson_writes_them(void **state)
{
    (void)state;
    char every_ascii[128];
    for (int c = 1; c < 128; c++)
        every_ascii[c - 1] = (char)c;
    every_ascii[127] = '\0';
    const char *cases[] = { "", "plain", every_ascii, "بوتين يزور", "😀 \xe2\x80\xa8 \xc2\x80",
                            "\xff", "a\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xd8" };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = string_text_new(cases[i]), *want = jansson_string_new(cases[i]);
        check_str(got, want, "a string escaped as jansson does (or refused as it refuses)");
        free(got);
        free(want);
    }
    check_new_str(string_text_new(NULL), "null", "NULL is null");
}

/* Each byte that needs a look of its own (a control character, '"', '\\', the first byte of a
 * UTF-8 sequence, a byte no sequence begins with) at every place of strings of 1 to 24 bytes,
 * the rest plain ASCII: the runs copied whole end where they must, wherever that falls. */
static void test_special_bytes_at_every_place(void **state)
{
    (void)state;
    const char *specials[] = { "\x01", "\x1f", "\"", "\\", "\x7f", " ", "\xd8\xa8", "\xe2\x80\xa8",
                               "\xf0\x9f\x98\x80", "\xff", "\xd8", "\x80" };
    char s[40];
    int mismatches = 0;
    for (size_t k = 0; k < sizeof specials / sizeof specials[0]; k++) {
        for (size_t len = 1; len <= 24; len++) {
            for (size_t at = 0; at < len; at++) {
                memset(s, 'a', len);
                s[len] = '\0';
                size_t n = strlen(specials[k]);
                memcpy(s + at, specials[k], n);
                s[at + n > len ? at + n : len] = '\0';
                char *got = string_text_new(s), *want = jansson_string_new(s);
                mismatches += strcmp(got, want) != 0;
                free(got);
                free(want);
            }
        }
    }
    check(mismatches == 0, "every place of every special byte escaped (or refused) as jansson does");
}

static void test_integers_as_printf_writes_them(void **state)
{
    (void)state;
    const int64_t cases[] = { 0, 1, -1, 9, 10, -10, 1234567890123LL, INT64_MAX, INT64_MIN, INT64_MIN + 1 };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct json_text j = { 0 };
        char want[32];
        snprintf(want, sizeof want, "%" PRId64, cases[i]);
        json_text_int(&j, cases[i]);
        check_str(j.buf, want, "an integer's digits, its sign first");
        json_text_free(&j);
    }
}

/* What json_text_stored writes for text after "x", or "x(refused)" with nothing added. */
static char *stored_text_new(const char *text, char open)
{
    struct json_text j = { 0 };
    json_text_raw(&j, "x", 1);
    bool ok = json_text_stored(&j, text, open);
    if (!ok) {
        check(j.len == 1 && strcmp(j.buf, "x") == 0, "a refused text leaves nothing behind");
        json_text_raw(&j, "(refused)", 9);
    }
    char *out = strdup(j.buf);
    json_text_free(&j);
    return out;
}

static void test_stored_json_compacted(void **state)
{
    (void)state;
    check_new_str(stored_text_new("[{\"slug\" : \"روسيا\", \"name\" : \"a \\\"b\\\" \\\\ \\n\"}, 7, -12, true, null]", '['),
                  "x[{\"slug\":\"روسيا\",\"name\":\"a \\\"b\\\" \\\\ \\n\"},7,-12,true,null]",
                  "PostgreSQL's spacing dropped, strings and escapes kept");
    check_new_str(stored_text_new(" {\"a\" : {\"b\" : [ ]}} ", '{'), "x{\"a\":{\"b\":[]}}", "nested, spaces around");
    check_new_str(stored_text_new("[\"a b\"]", '['), "x[\"a b\"]", "spaces inside a string kept");
    check_new_str(stored_text_new("[{\"a\":1,\"b\":[true,null,false]},{}]", '['),
                  "x[{\"a\":1,\"b\":[true,null,false]},{}]", "compact already: copied whole");
    check_new_str(stored_text_new("[1,2] ", '['), "x[1,2]", "a trailing space after a run");
    check_new_str(stored_text_new("[1 ,2 ]", '['), "x[1,2]", "spaces before the punctuation");
}

static void test_stored_json_left_to_jansson(void **state)
{
    (void)state;
    const char *refused[] = { "[1.5]", "[1e5]", "[-0]", "[01]", "[\"\\u0041\"]", "[\"\\/\"]", "[1 2]", "[,]",
                              "[", "[\"x\"", "[\"x\"]]", "[{\"a\" 1}]", "[{1 : 2}]", "[{\"a\" : 1,}]",
                              "[}", "{]", "[tru]", "[\"x\"] y", "", "{\"a\" : 1}", "[true1]", "[nul]", "[falsey]",
                              "[1,2]x", NULL };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        check_new_str(stored_text_new(refused[i], '['), "x(refused)", "left to jansson");
    char deep[200];
    memset(deep, '[', 100);
    memset(deep + 100, ']', 99);
    deep[199] = '\0';
    check_new_str(stored_text_new(deep, '['), "x(refused)", "nesting past the bound, or unbalanced");
}

/*==== Names read straight out of stored lists ====*/

/* The names of text as json_text_names reads them, "name|slug;" each (slug "-" when none),
 * or "(jansson)" when it leaves text to jansson. */
static char *names_new(const char *text, char open, int max)
{
    struct json_name names[8];
    char *copy, *out = NULL;
    size_t len = 0;
    int n = json_text_names(text, open, names, max, &copy);
    FILE *f = open_memstream(&out, &len);
    if (n < 0)
        fputs("(jansson)", f);
    for (int i = 0; i < n; i++)
        fprintf(f, "%s|%s;", names[i].name, names[i].slug ? names[i].slug : "-");
    fclose(f);
    free(copy);
    return out;
}

/* The same read from jansson's tree, as a reader of the tree takes them. */
static char *tree_names_new(const char *text, char open)
{
    json_t *v = text ? json_loads(text, 0, NULL) : NULL, *o;
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    for (size_t i = 0; i < (open == '[' ? json_array_size(v) : 1); i++) {
        o = open == '[' ? json_array_get(v, i) : v;
        const char *name = json_string_value(json_object_get(o, "name"));
        const char *slug = json_string_value(json_object_get(o, "slug"));
        if (name != NULL)
            fprintf(f, "%s|%s;", name, slug ? slug : "-");
    }
    fclose(f);
    json_decref(v);
    return out;
}

static void test_names_read_straight(void **state)
{
    (void)state;
    check_new_str(names_new("[{\"slug\" : \"سياسة\", \"name\" : \"سياسة\"}, {\"slug\" : \"كوريا-الشمالية\", "
                            "\"name\" : \"كوريا الشمالية\"}]", '[', 8),
                  "سياسة|سياسة;كوريا الشمالية|كوريا-الشمالية;", "tags as PostgreSQL stores them");
    check_new_str(names_new("[{\"id\" : 1, \"slug\" : \"author-1\", \"name\" : \"كاتب 1\", \"avatar\" : "
                            "{\"url\" : \"https://x/a.jpg\", \"name\" : \"not this\"}, \"x\" : [\"name\"]}]", '[', 8),
                  "كاتب 1|author-1;", "an author: other members, nested ones, are passed over");
    check_new_str(names_new("{\"id\" : 7, \"slug\" : \"section-7\", \"name\" : \"قسم 7\"}", '{', 8),
                  "قسم 7|section-7;", "a section: the one object");
    check_new_str(names_new(" [ ] ", '[', 8), "", "an empty list");
    check_new_str(names_new("[{\"name\" : \"a\"}, {\"slug\" : \"b\"}, {\"name\" : null, \"slug\" : \"c\"},"
                            " {\"name\" : 5}, {\"name\" : \"x\", \"name\" : \"d\"}]", '[', 8),
                  "a|-;d|-;", "no slug; no name or a name that is not a string left out; the last of a key");
    check_new_str(names_new("[{\"name\" : \"\", \"slug\" : \"\"}]", '[', 8), "|;", "empty strings");
    const char *const to_jansson[][2] = {
        { NULL, "[" }, { "", "[" }, { "[{\"name\" : \"a\\\"b\"}]", "[" }, { "[{\"name\" : \"\\u0628\"}]", "[" },
        { "[\"a\"]", "[" }, { "[[{\"name\" : \"a\"}]]", "[" }, { "[1]", "[" }, { "[null]", "[" },
        { "[{\"name\" : \"a\"}", "[" }, { "[{\"name\" : \"a\"}] x", "[" }, { "[{\"name\" \"a\"}]", "[" },
        { "[{\"name\" : \"a\",}]", "[" }, { "{\"name\" : \"a\"}", "[" }, { "[{\"name\" : \"a\"}]", "{" },
        { "[{\"w\" : 0.5, \"name\" : \"a\"}]", "[" }, { "[{\"name\" : \"a\x01\"}]", "[" },
        { "[{\"name\" : \"a\"}, {\"name\" : \"b\"}, {\"name\" : \"c\"}]", "[" },
        { "[{\"id\" : 99999999999999999999, \"name\" : \"a\"}]", "[" },
        { "[{\"x\" : \"b\x01\", \"name\" : \"a\"}]", "[" }, { "[{\"x\x1f\" : 1, \"name\" : \"a\"}]", "[" },
        { "[{\"name\" : \"\xEF\", \"slug\" : \"\xEF\xBF\xBE\"}]", "[" },
        { "[{\"x\" : \"\xC0\xAF\", \"name\" : \"a\"}]", "[" }, { "{\"name\" : \"\xED\xA0\x80\"}", "{" },
    };
    for (size_t i = 0; i < sizeof to_jansson / sizeof to_jansson[0]; i++) {
        char *got = names_new(to_jansson[i][0], to_jansson[i][1][0], 2);
        if (strcmp(got, "(jansson)") != 0)
            fail_msg("left to jansson: %s, read as %s", to_jansson[i][0] ? to_jansson[i][0] : "NULL", got);
        free(got);
    }
}

/* Whatever it reads straight, it reads as the tree gives it, over random stored lists. */
static void test_names_as_the_tree_gives_them(void **state)
{
    (void)state;
    static const char *const values[] = {
        "\"a\"", "\"سياسة\"", "\"\"", "\"x y\"", "null", "1", "true", "{\"name\" : \"in\"}", "[\"name\"]",
        "\"q\\\"\"", "-3", "[]", "{}", "99999999999999999999", "123456789012345678", "\"b\x01\"",
        "\"\xEF\xBF\"", "\"\xF0\x9F\x98\x80\"",
    };
    static const char *const keys[] = { "\"name\"", "\"slug\"", "\"id\"", "\"names\"", "\"nam\"" };
    static const char *const seps[] = { ", ", ",", " , " };
    size_t straight = 0;
    for (int i = 0; i < 20000; i++) {
        char text[1024];
        size_t len = 0;
        char open = rnd(4) == 0 ? '{' : '[';
        size_t objects = open == '{' ? 1 : rnd(5);
        if (open == '[')
            len += (size_t)snprintf(text + len, sizeof text - len, "[");
        for (size_t o = 0; o < objects; o++) {
            len += (size_t)snprintf(text + len, sizeof text - len, "%s{", o ? seps[rnd(3)] : "");
            for (size_t m = 0, members = rnd(5); m < members; m++)
                len += (size_t)snprintf(text + len, sizeof text - len, "%s%s : %s", m ? seps[rnd(3)] : "",
                                        keys[rnd(5)], values[rnd(sizeof values / sizeof values[0])]);
            len += (size_t)snprintf(text + len, sizeof text - len, "}");
        }
        if (open == '[')
            snprintf(text + len, sizeof text - len, "]");
        char *got = names_new(text, open, 8), *want = tree_names_new(text, open);
        if (strcmp(got, "(jansson)") != 0) {
            straight++;
            if (strcmp(got, want) != 0)
                fail_msg("%s: read %s, the tree gives %s", text, got, want);
        }
        free(got);
        free(want);
    }
    check(straight > 10000, "most of them read straight");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strings_as_jansson_writes_them),
        cmocka_unit_test(test_special_bytes_at_every_place),
        cmocka_unit_test(test_integers_as_printf_writes_them),
        cmocka_unit_test(test_stored_json_compacted),
        cmocka_unit_test(test_stored_json_left_to_jansson),
        cmocka_unit_test(test_names_read_straight),
        cmocka_unit_test(test_names_as_the_tree_gives_them),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
