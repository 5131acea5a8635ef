/* feeds.h: the feeds' addresses, for the lists that advertise them. Only server/handlers/
 * includes this. */
#ifndef KHABAR_FEEDS_H
#define KHABAR_FEEDS_H

#include <stddef.h>
#include <stdint.h>

struct request;

/* The longest tag, source, author or section a list names its feeds for, in bytes: more
 * than any name holds (a slug has at most 120 characters). */
#define FEED_SUBJECT_MAX_BYTES 512

/*
 * The Link header value naming the feeds of a list in each format, each as
 * <url>; rel="alternate"; type="..."; the site's when kind (tag, source, author or
 * section) is NULL, else the feeds of that one named value. Caller frees; NULL on no memory.
 */
char *feed_alternates_new(const struct request *req, const char *kind, const char *value);

/* The id and slug of item i of some list of articles. */
typedef void (*article_ref_fn)(const void *items, size_t i, int64_t *id, const char **slug);
/* The canonical address (PUBLIC_ARTICLE_URL) of each of the n items; NULL on no memory.
 * Release with addresses_free. */
char **article_addresses_new(const struct request *req, const void *items, size_t n,
                             article_ref_fn ref);
void addresses_free(char **urls, size_t n);

#endif
