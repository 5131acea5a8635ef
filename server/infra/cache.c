/* cache.c: the answer cache: a hash table with a least-recently-used list, under one lock;
 * an entry is shared with the answers sending it and freed when the last one is done. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "infra/cache.h"
#include "infra/hash.h"

struct cache_entry {
    struct cache_entry *chain;       /* next in the hash bucket */
    struct cache_entry *newer, *older; /* the use list: most recently used first */
    uint64_t hash;
    int64_t article_id; /* 0: a list */
    char *key;
    size_t key_len;
    size_t size; /* what it counts against the bound */
    /* one for the table while the entry is in it, one for each answer sending it */
    atomic_uint refs;
    struct cache_answer answer;
};

struct cache {
    pthread_mutex_t mu;
    struct cache_entry **buckets;
    size_t nbuckets; /* a power of two */
    struct cache_entry *newest, *oldest;
    size_t bytes, entries, max_bytes;
    uint64_t generation; /* moves on with every invalidation */
    bool enabled;
    unsigned long long hits, misses, evictions, invalidations;
};

static uint64_t hash_of(const char *key, size_t len)
{
    return hash_fnv1a64(HASH_FNV1A64_INIT, key, len);
}

struct cache *cache_new(size_t max_bytes)
{
    struct cache *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    c->nbuckets = 1024;
    c->buckets = calloc(c->nbuckets, sizeof *c->buckets);
    if (c->buckets == NULL) {
        free(c);
        return NULL;
    }
    pthread_mutex_init(&c->mu, NULL);
    c->max_bytes = max_bytes;
    c->enabled = true;
    return c;
}

void cache_answer_clear(struct cache_answer *a)
{
    free(a->body);
    free(a->link);
    memset(a, 0, sizeof *a);
}

static void entry_free(struct cache_entry *e)
{
    cache_answer_clear(&e->answer);
    free(e->key);
    free(e);
}

void cache_release(struct cache_entry *e)
{
    if (e != NULL && atomic_fetch_sub(&e->refs, 1) == 1)
        entry_free(e);
}

static struct cache_entry **bucket_of(struct cache *c, uint64_t hash)
{
    return &c->buckets[hash & (c->nbuckets - 1)];
}

static void use_list_remove(struct cache *c, struct cache_entry *e)
{
    if (e->newer != NULL)
        e->newer->older = e->older;
    else
        c->newest = e->older;
    if (e->older != NULL)
        e->older->newer = e->newer;
    else
        c->oldest = e->newer;
    e->newer = e->older = NULL;
}

static void use_list_push(struct cache *c, struct cache_entry *e)
{
    e->older = c->newest;
    e->newer = NULL;
    if (c->newest != NULL)
        c->newest->newer = e;
    c->newest = e;
    if (c->oldest == NULL)
        c->oldest = e;
}

/* Unlinks e from its bucket and the use list; it is freed once no answer sends it. */
static void entry_drop(struct cache *c, struct cache_entry *e)
{
    struct cache_entry **p = bucket_of(c, e->hash);
    while (*p != e)
        p = &(*p)->chain;
    *p = e->chain;
    use_list_remove(c, e);
    c->bytes -= e->size;
    c->entries--;
    cache_release(e);
}

static struct cache_entry *find(struct cache *c, uint64_t hash, const char *key, size_t key_len)
{
    for (struct cache_entry *e = *bucket_of(c, hash); e != NULL; e = e->chain)
        if (e->hash == hash && e->key_len == key_len && memcmp(e->key, key, key_len) == 0)
            return e;
    return NULL;
}

/* Doubles the buckets when entries outnumber them (kept on failure: chains just grow). */
static void maybe_grow(struct cache *c)
{
    if (c->entries < c->nbuckets)
        return;
    size_t n = c->nbuckets * 2;
    struct cache_entry **b = calloc(n, sizeof *b);
    if (b == NULL)
        return;
    for (size_t i = 0; i < c->nbuckets; i++) {
        struct cache_entry *e = c->buckets[i];
        while (e != NULL) {
            struct cache_entry *next = e->chain;
            e->chain = b[e->hash & (n - 1)];
            b[e->hash & (n - 1)] = e;
            e = next;
        }
    }
    free(c->buckets);
    c->buckets = b;
    c->nbuckets = n;
}

static bool answer_copy(struct cache_answer *dst, const struct cache_answer *src)
{
    *dst = *src;
    dst->body = malloc(src->body_len + 1);
    dst->link = src->link ? strdup(src->link) : NULL;
    if (dst->body == NULL || (src->link != NULL && dst->link == NULL)) {
        free(dst->body);
        free(dst->link);
        memset(dst, 0, sizeof *dst);
        return false;
    }
    memcpy(dst->body, src->body, src->body_len);
    dst->body[src->body_len] = '\0';
    return true;
}

uint64_t cache_generation(struct cache *c)
{
    pthread_mutex_lock(&c->mu);
    uint64_t g = c->generation;
    pthread_mutex_unlock(&c->mu);
    return g;
}

struct cache_entry *cache_get(struct cache *c, const char *key, size_t key_len,
                              struct cache_answer *out)
{
    uint64_t hash = hash_of(key, key_len);
    pthread_mutex_lock(&c->mu);
    struct cache_entry *e = c->enabled ? find(c, hash, key, key_len) : NULL;
    if (e != NULL) {
        use_list_remove(c, e);
        use_list_push(c, e);
        atomic_fetch_add(&e->refs, 1);
        *out = e->answer;
        c->hits++;
    } else {
        c->misses++;
    }
    pthread_mutex_unlock(&c->mu);
    return e;
}

void cache_put(struct cache *c, const char *key, size_t key_len, int64_t article_id,
               const struct cache_answer *answer, uint64_t generation)
{
    size_t size = sizeof(struct cache_entry) + key_len + answer->body_len + 1 +
                  (answer->link ? strlen(answer->link) + 1 : 0);
    if (size > c->max_bytes)
        return;
    struct cache_entry *e = calloc(1, sizeof *e);
    if (e == NULL)
        return;
    e->key = malloc(key_len);
    if (e->key == NULL || !answer_copy(&e->answer, answer)) {
        free(e->key);
        free(e);
        return;
    }
    memcpy(e->key, key, key_len);
    e->key_len = key_len;
    e->hash = hash_of(key, key_len);
    e->article_id = article_id;
    e->size = size;
    atomic_init(&e->refs, 1);
    pthread_mutex_lock(&c->mu);
    if (!c->enabled || generation != c->generation) {
        pthread_mutex_unlock(&c->mu);
        cache_release(e);
        return;
    }
    struct cache_entry *old = find(c, e->hash, key, key_len);
    if (old != NULL)
        entry_drop(c, old);
    while (c->bytes + size > c->max_bytes && c->oldest != NULL) {
        entry_drop(c, c->oldest);
        c->evictions++;
    }
    struct cache_entry **b = bucket_of(c, e->hash);
    e->chain = *b;
    *b = e;
    use_list_push(c, e);
    c->bytes += size;
    c->entries++;
    maybe_grow(c);
    pthread_mutex_unlock(&c->mu);
}

static bool id_listed(int64_t id, const int64_t *ids, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id)
            return true;
    return false;
}

/* Drops the entries that show any of ids, and every list; all of them when all. One
 * pass over the entries: changes are rare next to reads. */
static void invalidate(struct cache *c, const int64_t *ids, size_t n, bool all)
{
    pthread_mutex_lock(&c->mu);
    c->generation++;
    c->invalidations++;
    struct cache_entry *e = c->newest;
    while (e != NULL) {
        struct cache_entry *next = e->older;
        if (all || e->article_id == 0 || id_listed(e->article_id, ids, n))
            entry_drop(c, e);
        e = next;
    }
    pthread_mutex_unlock(&c->mu);
}

void cache_invalidate_articles(struct cache *c, const int64_t *ids, size_t n)
{
    invalidate(c, ids, n, false);
}

void cache_invalidate_all(struct cache *c)
{
    invalidate(c, NULL, 0, true);
}

void cache_set_enabled(struct cache *c, bool enabled)
{
    pthread_mutex_lock(&c->mu);
    c->enabled = enabled;
    pthread_mutex_unlock(&c->mu);
    if (!enabled)
        cache_invalidate_all(c);
}

void cache_stats(struct cache *c, struct cache_stats *out)
{
    memset(out, 0, sizeof *out);
    if (c == NULL)
        return;
    pthread_mutex_lock(&c->mu);
    out->bytes = c->bytes;
    out->entries = c->entries;
    out->max_bytes = c->max_bytes;
    out->hits = c->hits;
    out->misses = c->misses;
    out->evictions = c->evictions;
    out->invalidations = c->invalidations;
    out->enabled = c->enabled;
    pthread_mutex_unlock(&c->mu);
}

void cache_free(struct cache *c)
{
    if (c == NULL)
        return;
    struct cache_entry *e = c->newest;
    while (e != NULL) {
        struct cache_entry *next = e->older;
        cache_release(e);
        e = next;
    }
    free(c->buckets);
    pthread_mutex_destroy(&c->mu);
    free(c);
}
