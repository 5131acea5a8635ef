/* test_changes.c: unit tests of the change-notice parser of server/infra/changes.c
 * (changes_parse) and of what one notice does to the answer cache (changes_apply), without
 * PostgreSQL. Expected values come from changes.h and the notices of the migrations.
 */
#include "infra/changes.h"

#include <stdio.h>
#include <string.h>

#include "infra/cache.h"
#include "unit.h"

/* The ids changes_parse reads from payload (at most max), "" for none, as "1,2,3". */
static const char *parse_of(const char *payload, size_t max, char *out, size_t size)
{
    int64_t ids[8];
    size_t n = changes_parse(payload, ids, max), used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && used < size; i++)
        used += (size_t)snprintf(out + used, size - used, "%s%lld", i ? "," : "",
                                 (long long)ids[i]);
    return out;
}

#define check_parse_max(payload, max, want, name) \
    check_into(128, want, name, parse_of, payload, max)
#define check_parse(payload, want, name) check_parse_max(payload, 8, want, name)

static void test_parse_ids(void **state)
{
    (void)state;
    check_parse("7", "7", "parse: one id");
    check_parse("1,2,3", "1,2,3", "parse: three ids in order");
    check_parse("42,42", "42,42", "parse: a repeated id is kept (the cache drops it once)");
    check_parse("9223372036854775807", "9223372036854775807", "parse: the largest bigint");
    check_parse_max("1,2,3", 3, "1,2,3", "parse: exactly max ids");
    check_parse("1,2,", "1,2", "parse: a trailing comma ends the list");
}

static void test_parse_everything(void **state)
{
    (void)state;
    check_parse("*", "", "parse: \"*\" means every article");
    check_parse("", "", "parse: empty means every article");
    check_parse_max("1,2,3,4", 3, "", "parse: more than max ids means every article");
    check_parse("0", "", "malformed: id 0");
    check_parse("-5", "", "malformed: a negative id");
    check_parse("1,x,3", "", "malformed: a word among ids");
    check_parse("1,,2", "", "malformed: an empty item");
    check_parse(",1", "", "malformed: a leading comma");
    check_parse("1;2", "", "malformed: another separator");
    check_parse("1.5", "", "malformed: a fraction");
    check_parse("1 2", "", "malformed: a space between ids");
    check_parse("9223372036854775808", "", "malformed: over the largest bigint");
    check_parse("**", "", "malformed: \"**\"");
    check_parse("*,1", "", "malformed: \"*\" among ids");
}

/* A cache holding the answer of article 1, of article 2 and of a list (article id 0). */
static struct cache *filled_cache_new(void)
{
    static const char *const keys[] = { "/v1/articles/1", "/v1/articles/2", "/v1/articles" };
    static const int64_t ids[] = { 1, 2, 0 };
    struct cache *c = cache_new(1 << 20);
    check(c != NULL, "cache: made");
    for (size_t i = 0; i < 3; i++) {
        char body[] = "{}";
        struct cache_answer a = { .body = body, .body_len = 2, .etag = "\"e\"" };
        cache_put(c, keys[i], strlen(keys[i]), ids[i], &a, cache_generation(c));
    }
    return c;
}

/* Whether the answer under key is still in c. */
static bool cached(struct cache *c, const char *key)
{
    struct cache_answer a;
    struct cache_entry *held = cache_get(c, key, strlen(key), &a);
    cache_release(held);
    return held != NULL;
}

static void test_apply_ids(void **state)
{
    (void)state;
    struct cache *c = filled_cache_new();
    check(cached(c, "/v1/articles/1") && cached(c, "/v1/articles/2") &&
              cached(c, "/v1/articles"),
          "apply: the three answers are cached before");
    changes_apply(c, "1");
    check(!cached(c, "/v1/articles/1"), "apply \"1\": article 1 dropped");
    check(cached(c, "/v1/articles/2"), "apply \"1\": article 2 kept");
    check(!cached(c, "/v1/articles"), "apply \"1\": every list dropped");
    cache_free(c);
    c = filled_cache_new();
    changes_apply(c, "3,4");
    check(cached(c, "/v1/articles/1") && cached(c, "/v1/articles/2"),
          "apply \"3,4\": the answers of other articles kept");
    cache_free(c);
}

static void test_apply_everything(void **state)
{
    (void)state;
    static const char *const payloads[] = { "*", "1,x", "", "0", NULL };
    char name[96];
    for (const char *const *p = payloads; *p != NULL; p++) {
        struct cache *c = filled_cache_new();
        changes_apply(c, *p);
        snprintf(name, sizeof name, "apply \"%s\": every answer dropped", *p);
        check(!cached(c, "/v1/articles/1") && !cached(c, "/v1/articles/2") &&
                  !cached(c, "/v1/articles"),
              name);
        cache_free(c);
    }
}

static void test_apply_too_many(void **state)
{
    (void)state;
    /* 1025 ids, more than one notice names before it says "*": every answer goes */
    char payload[8192];
    size_t used = 0;
    for (int i = 0; i < 1025; i++)
        used += (size_t)snprintf(payload + used, sizeof payload - used, "%s%d", i ? "," : "",
                                 i + 3);
    struct cache *c = filled_cache_new();
    changes_apply(c, payload);
    check(!cached(c, "/v1/articles/1") && !cached(c, "/v1/articles/2"),
          "apply: 1025 ids drop every answer");
    cache_free(c);
    c = filled_cache_new();
    payload[strlen(payload) - strlen(",1027")] = '\0'; /* 1024 ids, 3 to 1026 */
    changes_apply(c, payload);
    check(cached(c, "/v1/articles/1") && cached(c, "/v1/articles/2"),
          "apply: 1024 ids are read one by one");
    cache_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_ids),
        cmocka_unit_test(test_parse_everything),
        cmocka_unit_test(test_apply_ids),
        cmocka_unit_test(test_apply_everything),
        cmocka_unit_test(test_apply_too_many),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
