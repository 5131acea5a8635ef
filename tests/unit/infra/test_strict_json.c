/* test_strict_json.c: unit tests of server/infra/strict_json.c: strict parsing (status,
 * detail, depth limit, the rules jansson is held to) and RFC 7396 merge patch, with the
 * RFC's own examples.
 */
#include "infra/strict_json.h"

#include <stdio.h>
#include <string.h>

#include "unit.h"

static enum khabar_json_status parse_str(const char *s, json_t **doc, char *detail, size_t size)
{
    return khabar_json_parse(s, strlen(s), doc, detail, size);
}

static void test_parse(void **state)
{
    (void)state;
    json_t *doc = (json_t *)1;
    char detail[128];
    enum khabar_json_status st;

    st = parse_str("{\"a\": [1, {\"b\": \"ب\"}]}", &doc, detail, sizeof detail);
    check(st == KHABAR_JSON_OK && json_is_object(doc), "parse: object parsed");
    json_t *want = json_pack("[i, {s:s}]", 1, "b", "ب");
    check(doc != NULL && json_equal(json_object_get(doc, "a"), want), "parse: content kept");
    json_decref(want);
    json_decref(doc);

    /* the length is honoured: bytes after len are not read */
    const char *longer = "{\"a\": 1} trailing";
    st = khabar_json_parse(longer, 8, &doc, detail, sizeof detail);
    check(st == KHABAR_JSON_OK, "parse: only len bytes read");
    json_decref(doc);

    doc = (json_t *)1;
    detail[0] = '\0';
    st = parse_str("{\"a\": 1,}", &doc, detail, sizeof detail);
    check(st == KHABAR_JSON_MALFORMED, "parse: malformed status");
    check(doc == NULL, "parse: *out NULL on failure");
    check(detail[0] != '\0', "parse: malformed has a detail");

    detail[0] = '\0';
    st = parse_str("{\"a\": \"\xff\"}", &doc, detail, sizeof detail);
    check(st == KHABAR_JSON_INVALID_UTF8 && doc == NULL, "parse: invalid UTF-8 status");
    check(detail[0] != '\0', "parse: invalid UTF-8 has a detail");

    detail[0] = '\0';
    char deep[80];
    memset(deep, '[', KHABAR_JSON_MAX_DEPTH + 1);
    memset(deep + KHABAR_JSON_MAX_DEPTH + 1, ']', KHABAR_JSON_MAX_DEPTH + 1);
    st = khabar_json_parse(deep, 2 * (KHABAR_JSON_MAX_DEPTH + 1), &doc, detail, sizeof detail);
    check(st == KHABAR_JSON_TOO_DEEP && doc == NULL, "parse: 33 nested arrays too deep");
    check(detail[0] != '\0', "parse: too deep has a detail");
    st = khabar_json_parse(deep + 1, 2 * KHABAR_JSON_MAX_DEPTH, &doc, detail, sizeof detail);
    check(st == KHABAR_JSON_OK && json_is_array(doc), "parse: 32 nested arrays ok");
    json_decref(doc);

    /* a depth limit that is not fooled by many shallow siblings */
    char wide[4096] = "[";
    for (int i = 0; i < 500; i++)
        strcat(wide, i ? ",[]" : "[]");
    strcat(wide, "]");
    st = parse_str(wide, &doc, detail, sizeof detail);
    check(st == KHABAR_JSON_OK, "parse: 500 sibling arrays are 2 levels deep");
    json_decref(doc);

    /* detail is cut to its size, not written past it */
    char small[8];
    memset(small, 'x', sizeof small);
    st = parse_str("", &doc, small, 4);
    check(st == KHABAR_JSON_MALFORMED && strlen(small) < 4 && small[4] == 'x',
          "parse: detail bounded by detail_size");
}

/* One rule of the strict reading: text (len bytes, 0: up to its NUL) and the status it gets. */
static const struct {
    const char *text;
    size_t len;
    enum khabar_json_status want;
    const char *name;
} rules[] = {
    { "{\"a\":1,\"a\":2}", 0, KHABAR_JSON_MALFORMED, "rules: duplicate keys refused" },
    { "{\"o\":{\"b\":1,\"b\":1}}", 0, KHABAR_JSON_MALFORMED, "rules: nested duplicates refused" },
    { "{\"a\":1,\"A\":2}", 0, KHABAR_JSON_OK, "rules: keys differing in case are distinct" },
    { "{} {}", 0, KHABAR_JSON_MALFORMED, "rules: a second value after the first refused" },
    { "{}x", 0, KHABAR_JSON_MALFORMED, "rules: trailing bytes refused" },
    { "{} \r\n", 0, KHABAR_JSON_OK, "rules: trailing white space allowed" },
    { "", 0, KHABAR_JSON_MALFORMED, "rules: an empty text refused" },
    { " \n ", 0, KHABAR_JSON_MALFORMED, "rules: white space alone refused" },
    { "{}\0", 3, KHABAR_JSON_MALFORMED, "rules: a NUL byte after the value refused" },
    { "\"a\0b\"", 5, KHABAR_JSON_MALFORMED, "rules: a raw NUL inside a string refused" },
    { "{\"a\":\"\\u0000\"}", 0, KHABAR_JSON_MALFORMED, "rules: an escaped NUL refused" },
    { "\"\\ud800\"", 0, KHABAR_JSON_MALFORMED, "rules: a lone escaped surrogate refused" },
    { "\"\\ud83d\\ude00\"", 0, KHABAR_JSON_OK, "rules: an escaped surrogate pair is read" },
    { "1", 0, KHABAR_JSON_OK, "rules: a number is a JSON text (its shape is the caller's)" },
    { "\"x\"", 0, KHABAR_JSON_OK, "rules: a string is a JSON text" },
    { "null", 0, KHABAR_JSON_OK, "rules: null is a JSON text" },
    { "\"\xC0\xAF\"", 0, KHABAR_JSON_INVALID_UTF8, "rules: an overlong sequence is not UTF-8" },
    { "\"\xED\xA0\x80\"", 0, KHABAR_JSON_INVALID_UTF8, "rules: an encoded surrogate is not UTF-8" },
    { "\"\xF4\x90\x80\x80\"", 0, KHABAR_JSON_INVALID_UTF8, "rules: above U+10FFFF is not UTF-8" },
    { "\xEF\xBB\xBF{}", 0, KHABAR_JSON_MALFORMED, "rules: a byte order mark is no JSON" },
};

static void test_parse_rules(void **state)
{
    (void)state;
    char detail[128];
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        json_t *doc = (json_t *)1;
        size_t len = rules[i].len ? rules[i].len : strlen(rules[i].text);
        detail[0] = '\0';
        enum khabar_json_status st = khabar_json_parse(rules[i].text, len, &doc, detail,
                                                       sizeof detail);
        check(st == rules[i].want, rules[i].name);
        check((st == KHABAR_JSON_OK) == (doc != NULL), rules[i].name);
        check(st == KHABAR_JSON_OK || detail[0] != '\0', rules[i].name);
        json_decref(st == KHABAR_JSON_OK ? doc : NULL);
    }
}

/* "[" + a string holding str + (depth > 0: "," + depth nested arrays) + "]", in out. */
static const char *nested_after(const char *str, int depth, char *out, size_t size)
{
    int n = snprintf(out, size, depth > 0 ? "[\"%s\"," : "[\"%s\"", str);
    for (int i = 0; i < depth; i++)
        out[n++] = '[';
    for (int i = 0; i < depth; i++)
        out[n++] = ']';
    out[n++] = ']';
    out[n] = '\0';
    return out;
}

/* Brackets inside strings are not nesting, and escapes do not fool the count either way. */
static void test_parse_depth_in_strings(void **state)
{
    (void)state;
    char text[256], detail[128];
    json_t *doc = NULL;
    const int under = KHABAR_JSON_MAX_DEPTH - 1, over = KHABAR_JSON_MAX_DEPTH;
    check(parse_str(nested_after("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", 0, text, sizeof text),
                    &doc, detail, sizeof detail) == KHABAR_JSON_OK,
          "depth: brackets inside a string do not count");
    json_decref(doc);
    check(parse_str(nested_after("\\\"{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{", 0, text, sizeof text),
                    &doc, detail, sizeof detail) == KHABAR_JSON_OK,
          "depth: an escaped quote does not end the string");
    json_decref(doc);
    check(parse_str(nested_after("\\\\", under, text, sizeof text), &doc, detail,
                    sizeof detail) == KHABAR_JSON_OK,
          "depth: after an escaped backslash the string ends; 32 levels in all pass");
    json_decref(doc);
    check(parse_str(nested_after("\\\\", over, text, sizeof text), &doc, detail,
                    sizeof detail) == KHABAR_JSON_TOO_DEEP,
          "depth: after an escaped backslash the string ends; 33 levels in all are too deep");
    check(parse_str(nested_after("]]]]]]]]]]", over, text, sizeof text), &doc, detail,
                    sizeof detail) == KHABAR_JSON_TOO_DEEP,
          "depth: closing brackets inside a string do not lower the count");
}

/* ---------------------------------------------------------------- JSON merge patch */

/*
 * RFC 7396 Appendix A, all 15 examples. khabar_json_merge_patch works on an object target in
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

static void test_merge_patch_rfc(void **state)
{
    (void)state;
    char name[160];
    for (size_t i = 0; i < sizeof rfc7396 / sizeof rfc7396[0]; i++) {
        json_t *target = load_any(rfc7396[i].target), *patch = load_any(rfc7396[i].patch);
        json_t *result = load_any(rfc7396[i].result);
        json_t *patch_before = json_deep_copy(patch);
        if (json_is_object(target) && json_is_object(patch)) {
            json_t *t = json_deep_copy(target);
            khabar_json_merge_patch(t, patch);
            snprintf(name, sizeof name, "merge patch: RFC 7396 A.%zu %s + %s", i + 1,
                     rfc7396[i].target, rfc7396[i].patch);
            check(json_equal(t, result), name);
            json_decref(t);
        }
        json_t *outer = json_pack("{s:O, s:s}", "x", target, "keep", "k");
        json_t *outer_patch = json_pack("{s:O}", "x", patch);
        json_t *want = json_is_null(patch) ? json_pack("{s:s}", "keep", "k")
                                           : json_pack("{s:O, s:s}", "x", result, "keep", "k");
        khabar_json_merge_patch(outer, outer_patch);
        snprintf(name, sizeof name, "merge patch: RFC 7396 A.%zu as member x: %s + %s", i + 1,
                 rfc7396[i].target, rfc7396[i].patch);
        check(json_equal(outer, want), name);
        snprintf(name, sizeof name, "merge patch: A.%zu leaves the patch unchanged", i + 1);
        check(json_equal(patch, patch_before), name);
        json_decref(outer);
        json_decref(outer_patch);
        json_decref(want);
        json_decref(target);
        json_decref(patch);
        json_decref(result);
        json_decref(patch_before);
    }
}

/* The result does not share the patch's values: changing the patch later changes nothing. */
static void test_merge_patch_copies(void **state)
{
    (void)state;
    json_t *target = load_any("{\"tags\":[\"a\"]}");
    json_t *patch = load_any("{\"tags\":[\"b\"],\"o\":{\"k\":[1]}}");
    khabar_json_merge_patch(target, patch);
    json_array_append_new(json_object_get(patch, "tags"), json_string("c"));
    json_array_append_new(json_object_get(json_object_get(patch, "o"), "k"), json_integer(2));
    json_t *want = load_any("{\"tags\":[\"b\"],\"o\":{\"k\":[1]}}");
    check(json_equal(target, want), "merge patch: the target holds copies of patch values");
    json_decref(target);
    json_decref(patch);
    json_decref(want);
}

/* An empty patch changes nothing. */
static void test_merge_patch_empty(void **state)
{
    (void)state;
    json_t *target = load_any("{\"title\":\"t\",\"tags\":[\"a\"]}");
    json_t *patch = load_any("{}");
    json_t *want = json_deep_copy(target);
    khabar_json_merge_patch(target, patch);
    check(json_equal(target, want), "merge patch: {} is the identity");
    json_decref(target);
    json_decref(patch);
    json_decref(want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_parse_rules),
        cmocka_unit_test(test_parse_depth_in_strings),
        cmocka_unit_test(test_merge_patch_rfc),
        cmocka_unit_test(test_merge_patch_copies),
        cmocka_unit_test(test_merge_patch_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
