/* test_cache.c: unit tests of server/infra/cache.c: answers stored and copied back, the byte
 * bound with the least recently used going first, invalidation by article and of every list,
 * generations that keep an answer read before a change out, and the cache switched off.
 * Expected values come from cache.h.
 */
#include "infra/cache.h"

#include <stdio.h>
#include <string.h>

#include "unit.h"

static const char cache_public[] = "public, max-age=60";

/* Stores body under key for article_id at the cache's current generation. */
static void put(struct cache *c, const char *key, int64_t article_id, const char *body)
{
    struct cache_answer a = { .body = (char *)body, .body_len = strlen(body),
                              .cache_control = cache_public };
    snprintf(a.etag, sizeof a.etag, "\"%s\"", body);
    cache_put(c, key, strlen(key), article_id, &a, cache_generation(c));
}

/* The body stored under key, copied into out, or "(none)". */
static const char *body_of(struct cache *c, const char *key, char *out, size_t size)
{
    struct cache_answer a;
    struct cache_entry *held = cache_get(c, key, strlen(key), &a);
    if (held == NULL)
        return "(none)";
    snprintf(out, size, "%s", a.body);
    cache_release(held);
    return out;
}

#define check_body(c, key, want, name) check_into(256, want, name, body_of, c, key)

static struct cache_stats stats_of(struct cache *c)
{
    struct cache_stats s;
    cache_stats(c, &s);
    return s;
}

/* What one answer with this key and body counts against the bound (bookkeeping included). */
static size_t size_of(const char *key, const char *body)
{
    struct cache *c = cache_new(1 << 20);
    put(c, key, 1, body);
    size_t n = stats_of(c).bytes;
    cache_free(c);
    return n;
}

static void test_put_get(void **state)
{
    (void)state;
    struct cache *c = cache_new(1 << 20);
    char body[] = "{\"id\":1}", link[] = "</v1/articles?cursor=x>; rel=\"next\"";
    struct cache_answer a = { .body = body, .body_len = strlen(body), .etag = "\"1-3\"",
                              .last_modified = 1716076800, .cache_control = cache_public,
                              .link = link };
    cache_put(c, "/v1/articles/1", 14, 1, &a, cache_generation(c));
    body[2] = 'X'; /* the cache keeps its own copy */
    link[0] = 'X';
    struct cache_answer got;
    struct cache_entry *held = cache_get(c, "/v1/articles/1", 14, &got);
    check(held != NULL, "get: the answer is found");
    check(got.body_len == 8 && memcmp(got.body, "{\"id\":1}", 8) == 0, "get: the body");
    check(got.body[got.body_len] == '\0', "get: the body copy is NUL-terminated");
    check_str(got.etag, "\"1-3\"", "get: the ETag");
    check(got.last_modified == 1716076800, "get: Last-Modified");
    check(got.cache_control == cache_public, "get: the same Cache-Control string");
    check_str(got.link, "</v1/articles?cursor=x>; rel=\"next\"", "get: the Link header");
    check(got.body != body && got.link != link, "get: the cache's copies, not the caller's strings");
    struct cache_answer again;
    struct cache_entry *held_again = cache_get(c, "/v1/articles/1", 14, &again);
    check(held_again == held && again.body == got.body, "get: a second hit shares the same bytes");
    cache_release(held_again);
    cache_release(held);
    check(cache_get(c, "/v1/articles/2", 14, &got) == NULL, "get: another key is a miss");
    check(cache_get(c, "/v1/articles/", 13, &got) == NULL, "get: a prefix of the key is a miss");
    held = cache_get(c, "/v1/articles/1?x", 14, &got);
    check(held != NULL, "get: only key_len bytes are the key");
    cache_release(held);
    struct cache_stats s = stats_of(c);
    check(s.entries == 1 && s.hits == 3 && s.misses == 2, "stats: one entry, three hits, two misses");
    cache_free(c);
}

/* An answer being sent keeps its bytes when the cache drops the entry meanwhile (a change,
 * an eviction, a replacement): they are freed when the answer lets go (ASan sees either). */
static void test_held_entry_outlives_its_drop(void **state)
{
    (void)state;
    struct cache *c = cache_new(1 << 20);
    put(c, "/v1/articles/1", 1, "first");
    put(c, "/v1/articles/2", 2, "second");
    put(c, "/v1/tags", 0, "list");
    struct cache_answer a, b, l;
    struct cache_entry *ha = cache_get(c, "/v1/articles/1", 14, &a);
    struct cache_entry *hb = cache_get(c, "/v1/articles/2", 14, &b);
    struct cache_entry *hl = cache_get(c, "/v1/tags", 8, &l);
    check(ha != NULL && hb != NULL && hl != NULL, "three entries held");
    int64_t one = 1;
    cache_invalidate_articles(c, &one, 1); /* drops article 1 and the list */
    put(c, "/v1/articles/2", 2, "replaced");
    check_body(c, "/v1/articles/1", "(none)", "the dropped entry is no longer found");
    check_body(c, "/v1/articles/2", "replaced", "the replacement is found");
    check_str(a.body, "first", "the dropped answer still reads as it was");
    check_str(b.body, "second", "the replaced answer still reads as it was");
    check_str(l.body, "list", "the dropped list still reads as it was");
    cache_release(ha);
    cache_release(hb);
    cache_release(hl);
    cache_release(NULL);
    struct cache_answer x;
    struct cache_entry *hx = cache_get(c, "/v1/articles/2", 14, &x);
    cache_free(c); /* the cache goes first: the held entry is freed by its release */
    check_str(x.body, "replaced", "an entry held past cache_free still reads");
    cache_release(hx);
}

static void test_replace(void **state)
{
    (void)state;
    struct cache *c = cache_new(1 << 20);
    put(c, "/v1/tags", 0, "old");
    size_t before = stats_of(c).bytes;
    put(c, "/v1/tags", 0, "new");
    check_body(c, "/v1/tags", "new", "replace: the newer answer is served");
    check(stats_of(c).entries == 1, "replace: still one entry");
    check(stats_of(c).bytes == before, "replace: the old answer no longer counts");
    struct cache_answer a = { .body = "", .body_len = 0 };
    cache_put(c, "/v1/empty", 9, 0, &a, cache_generation(c));
    check_body(c, "/v1/empty", "", "an empty body is an answer too");
    cache_free(c);
}

static void test_bound_least_recent_first(void **state)
{
    (void)state;
    size_t one = size_of("/v1/articles/1", "body of one");
    struct cache *c = cache_new(3 * one); /* room for exactly three such answers */
    char key[32], name[64];
    for (int i = 1; i <= 3; i++) {
        snprintf(key, sizeof key, "/v1/articles/%d", i);
        put(c, key, i, "body of one");
    }
    check(stats_of(c).entries == 3 && stats_of(c).bytes == 3 * one, "bound: three fit exactly");
    check_body(c, "/v1/articles/1", "body of one", "bound: reading 1 makes it the most recent");
    put(c, "/v1/articles/4", 4, "body of one");
    check_body(c, "/v1/articles/2", "(none)", "bound: 2, least recently used, went first");
    check_body(c, "/v1/articles/1", "body of one", "bound: 1 was read, so it stayed");
    check_body(c, "/v1/articles/3", "body of one", "bound: 3 stayed");
    check_body(c, "/v1/articles/4", "body of one", "bound: 4 is stored");
    check(stats_of(c).evictions == 1, "bound: one eviction");
    for (int i = 5; i < 200; i++) {
        snprintf(key, sizeof key, "/v1/articles/%d", i);
        put(c, key, i, i % 7 ? "body of one" : "a longer body than the others");
        snprintf(name, sizeof name, "bound: never above it, after %d answers", i);
        check(stats_of(c).bytes <= 3 * one, name);
    }
    check_body(c, "/v1/articles/199", "body of one", "bound: the last answer is kept");
    cache_free(c);
}

static void test_over_the_bound_alone(void **state)
{
    (void)state;
    size_t one = size_of("/v1/a", "small");
    struct cache *c = cache_new(2 * one);
    put(c, "/v1/a", 1, "small");
    char big[512];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    put(c, "/v1/b", 2, big);
    check_body(c, "/v1/b", "(none)", "too big: an answer over the whole bound is not stored");
    check_body(c, "/v1/a", "small", "too big: nothing was evicted for it");
    check(stats_of(c).evictions == 0, "too big: no eviction counted");
    cache_free(c);
}

/* A cache with the answers of articles 1, 2 and 3 and two lists. */
static struct cache *filled_new(void)
{
    struct cache *c = cache_new(1 << 20);
    put(c, "/v1/articles/1", 1, "one");
    put(c, "/v1/articles/2", 2, "two");
    put(c, "/v1/articles/3/related", 3, "three");
    put(c, "/v1/articles", 0, "list");
    put(c, "/v1/tags", 0, "tags");
    return c;
}

static void test_invalidate(void **state)
{
    (void)state;
    struct cache *c = filled_new();
    const int64_t ids[] = { 1, 3 };
    cache_invalidate_articles(c, ids, 2);
    check_body(c, "/v1/articles/1", "(none)", "invalidate 1,3: article 1 dropped");
    check_body(c, "/v1/articles/3/related", "(none)", "invalidate 1,3: article 3 dropped");
    check_body(c, "/v1/articles/2", "two", "invalidate 1,3: article 2 kept");
    check_body(c, "/v1/articles", "(none)", "invalidate 1,3: the article list dropped");
    check_body(c, "/v1/tags", "(none)", "invalidate 1,3: the tag list dropped");
    struct cache_stats s = stats_of(c);
    check(s.entries == 1 && s.bytes == size_of("/v1/articles/2", "two"),
          "invalidate: what is left is counted, no more");
    check(s.invalidations == 1, "invalidate: counted once");
    cache_free(c);
    c = filled_new();
    cache_invalidate_articles(c, NULL, 0);
    check_body(c, "/v1/articles/1", "one", "invalidate none: articles kept");
    check_body(c, "/v1/articles", "(none)", "invalidate none: lists still dropped");
    cache_free(c);
    c = filled_new();
    cache_invalidate_all(c);
    s = stats_of(c);
    check(s.entries == 0 && s.bytes == 0, "invalidate all: empty");
    check_body(c, "/v1/articles/2", "(none)", "invalidate all: nothing served");
    cache_free(c);
}

static void test_generation(void **state)
{
    (void)state;
    struct cache *c = cache_new(1 << 20);
    struct cache_answer a = { .body = "old", .body_len = 3 };
    const int64_t other[] = { 99 };
    uint64_t g = cache_generation(c);
    cache_invalidate_articles(c, other, 1); /* a change announced while "old" was being read */
    cache_put(c, "/v1/articles/1", 14, 1, &a, g);
    check_body(c, "/v1/articles/1", "(none)", "generation: read before a change, not kept");
    check(cache_generation(c) != g, "generation: moved on with the change");
    g = cache_generation(c);
    cache_invalidate_all(c);
    cache_put(c, "/v1/articles/1", 14, 1, &a, g);
    check_body(c, "/v1/articles/1", "(none)", "generation: invalidate_all moves it on too");
    cache_put(c, "/v1/articles/1", 14, 1, &a, cache_generation(c));
    check_body(c, "/v1/articles/1", "old", "generation: read after the change, kept");
    g = cache_generation(c);
    check_body(c, "/v1/articles/1", "old", "generation: a read is no change");
    check(cache_generation(c) == g, "generation: unmoved by reads");
    cache_free(c);
}

static void test_disabled(void **state)
{
    (void)state;
    struct cache *c = filled_new();
    cache_set_enabled(c, false);
    check(!stats_of(c).enabled, "off: stats say so");
    check_body(c, "/v1/articles/1", "(none)", "off: nothing is served");
    put(c, "/v1/articles/9", 9, "nine");
    cache_set_enabled(c, true);
    check(stats_of(c).enabled, "on again: stats say so");
    check_body(c, "/v1/articles/9", "(none)", "off: nothing was stored meanwhile");
    check_body(c, "/v1/articles/2", "(none)",
               "off: what was stored before may be stale once back on, so it went");
    put(c, "/v1/articles/9", 9, "nine");
    check_body(c, "/v1/articles/9", "nine", "on again: stored and served");
    cache_free(c);
    cache_free(NULL);
    struct cache_stats s;
    cache_stats(NULL, &s);
    check(s.entries == 0 && !s.enabled, "stats of no cache: zero");
}

static void test_many(void **state)
{
    (void)state;
    struct cache *c = cache_new(64 << 20);
    char key[32], body[32], want[32];
    for (int i = 1; i <= 5000; i++) {
        snprintf(key, sizeof key, "/v1/articles/%d", i);
        snprintf(body, sizeof body, "body %d", i);
        put(c, key, i, body);
    }
    check(stats_of(c).entries == 5000, "many: 5000 entries");
    bool all = true;
    for (int i = 1; i <= 5000 && all; i++) {
        snprintf(key, sizeof key, "/v1/articles/%d", i);
        snprintf(want, sizeof want, "body %d", i);
        char got[64];
        all = strcmp(body_of(c, key, got, sizeof got), want) == 0;
    }
    check(all, "many: each found under its key");
    const int64_t ids[] = { 2500 };
    cache_invalidate_articles(c, ids, 1);
    check_body(c, "/v1/articles/2500", "(none)", "many: the one named is dropped");
    check_body(c, "/v1/articles/2501", "body 2501", "many: its neighbour kept");
    check(stats_of(c).entries == 4999, "many: 4999 left");
    cache_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_get),
        cmocka_unit_test(test_held_entry_outlives_its_drop),
        cmocka_unit_test(test_replace),
        cmocka_unit_test(test_bound_least_recent_first),
        cmocka_unit_test(test_over_the_bound_alone),
        cmocka_unit_test(test_invalidate),
        cmocka_unit_test(test_generation),
        cmocka_unit_test(test_disabled),
        cmocka_unit_test(test_many),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
