/* answer_cache.c: the HTTP side of the answer cache (infra/cache.h): the key of a GET,
 * answering from the cache, and keeping the 200 answers of cached routes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "infra/cache.h"
#include "infra/changes.h"
#include "internal.h"

void answer_cache_keep(struct request *req, const char *text, size_t len, const char *etag,
                       const struct entity_meta *m)
{
    const struct request_cache *rc = req->cache;
    /* only what anyone may see: an editor's answer (private) is never kept */
    if (rc->key == NULL || m->cache_control == NULL || strncmp(m->cache_control, "public", 6) != 0)
        return;
    bool link = m->header != NULL && strcmp(m->header, "Link") == 0;
    struct cache_answer a = { .body = (char *)text, .body_len = len, .content_type = m->content_type,
                              .last_modified = m->last_modified, .cache_control = m->cache_control,
                              .link = link ? (char *)m->value : NULL };
    snprintf(a.etag, sizeof a.etag, "%s", etag);
    cache_put(req->app->cache, rc->key, rc->key_len, req->cache_article_id, &a, rc->generation);
}

/* One part of a key: its length, then its bytes, so that no part can pass for two; "-"
 * for an absent one (a length never starts with "-"). Measures only, when key is NULL. */
static size_t put_key_part(char *key, size_t at, const char *part)
{
    if (part == NULL) {
        if (key != NULL)
            key[at] = '-';
        return at + 1;
    }
    char len[24];
    size_t n = strlen(part), digits = (size_t)snprintf(len, sizeof len, "%zu:", n);
    if (key != NULL) {
        memcpy(key + at, len, digits);
        memcpy(key + at + digits, part, n);
    }
    return at + digits + n;
}

/* The parts of req's key into key (NULL: only measured); returns its length. */
static size_t cache_key_parts(const struct request *req, char *key)
{
    size_t at = put_key_part(key, 0, req->path);
    at = put_key_part(key, at, req->media_type);
    for (const char *const *q = req->route->query; q != NULL && *q != NULL; q++)
        at = put_key_part(key, at, request_query(req, *q));
    return at;
}

/* The cache key of a GET: the decoded path, the media type negotiated, then the value the
 * handler reads of each query parameter its route takes, in the route table's order.
 * Arguments the handler never reads (a stray "&", a second "tag=") make no key of their
 * own, and the bytes of one request's parts can never spell another request's key. */
static char *cache_key_new(const struct request *req, size_t *len)
{
    *len = cache_key_parts(req, NULL);
    char *key = malloc(*len + 1);
    if (key != NULL) {
        cache_key_parts(req, key);
        key[*len] = '\0';
    }
    return key;
}

static void release_entry(void *entry)
{
    cache_release(entry);
}

bool answer_cache_serve(struct request *req, int *rc)
{
    struct cache *cache = req->app->cache;
    struct cache_answer a;
    if (cache == NULL || !req->route->cached)
        return false;
    changes_catch_up(req->app->changes);
    size_t len = 0;
    char *key = cache_key_new(req, &len);
    if (key == NULL)
        return false;
    struct cache_entry *held = cache_get(cache, key, len, &a);
    if (held != NULL) {
        free(key);
        struct entity_meta m = { .content_type = a.content_type, .last_modified = a.last_modified,
                                 .cache_control = a.cache_control, .header = a.link ? "Link" : NULL,
                                 .value = a.link };
        struct shared_text body = { .text = a.body, .len = a.body_len, .release = release_entry,
                                    .cls = held };
        *rc = reply_representation_shared(req, &body, a.etag, &m);
        return true;
    }
    req->cache->key = key;
    req->cache->key_len = len;
    req->cache->generation = cache_generation(cache);
    return false;
}
