/* cache.h: answers to GETs kept in memory, bounded in bytes, dropped when what they show changes. */
#ifndef KHABAR_CACHE_H
#define KHABAR_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cache;
/* One stored answer, held by whoever cache_get gave it to until cache_release. */
struct cache_entry;

/* What is kept of one 200 answer; the strings are the cache's own copies. */
struct cache_answer {
    char *body;
    size_t body_len;
    const char *content_type;  /* a static string; NULL: application/json */
    char etag[40];
    int64_t last_modified;     /* seconds since the epoch; 0: none */
    const char *cache_control; /* one of the static CACHE_* strings */
    char *link;                /* the Link header of a page; NULL: none */
};

/* A cache of at most max_bytes (counting keys, bodies and bookkeeping); NULL on no memory. */
struct cache *cache_new(size_t max_bytes);
void cache_free(struct cache *c);

/*
 * The generation to pass to cache_put for an answer about to be read from the database:
 * an answer is stored only when no change was announced since (it may show the old state).
 */
uint64_t cache_generation(struct cache *c);

/* The entry stored under key, held for the caller, with its answer in *out (pointing into
 * the entry: valid until cache_release, even when the entry is dropped meanwhile); NULL
 * when there is none, or when the cache is off (cache_set_enabled). Nothing is copied. */
struct cache_entry *cache_get(struct cache *c, const char *key, size_t key_len,
                              struct cache_answer *out);
/* Lets go of what cache_get gave; NULL is fine. */
void cache_release(struct cache_entry *e);

/* Stores a copy of answer under key, evicting the least recently used answers to stay
 * under the bound; article_id (0 for a list) is the article it shows. Nothing is stored
 * when the generation moved on, the cache is off, or the answer alone is over the bound. */
void cache_put(struct cache *c, const char *key, size_t key_len, int64_t article_id,
               const struct cache_answer *answer, uint64_t generation);

/* Articles ids changed: their answers and every list go. */
void cache_invalidate_articles(struct cache *c, const int64_t *ids, size_t n);
/* Everything goes (a change too large to name, a lost notification channel). */
void cache_invalidate_all(struct cache *c);
/* Off: nothing is served or stored (while changes cannot be heard); on: serving again. */
void cache_set_enabled(struct cache *c, bool enabled);

void cache_answer_clear(struct cache_answer *a);

struct cache_stats {
    size_t bytes, entries, max_bytes;
    unsigned long long hits, misses, evictions, invalidations;
    bool enabled;
};
void cache_stats(struct cache *c, struct cache_stats *out);

#endif
