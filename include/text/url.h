/* url.h: URLs made of text: percent-encoding (RFC 3986), a path segment after a prefix,
 * an article's address from a template. */
#ifndef KHABAR_URL_H
#define KHABAR_URL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Percent-encodes s onto f, leaving RFC 3986 unreserved characters (and '/' when
 * keep_slash: a path) as they are. */
void url_put_encoded(FILE *f, const char *s, bool keep_slash);

/* prefix followed by segment percent-encoded (a slug in a Location, an author's address).
 * Caller frees; NULL on no memory. */
char *url_with_segment_new(const char *prefix, const char *segment);

/* An article's address: tmpl (PUBLIC_ARTICLE_URL) with {slug} (percent-encoded) and {id}
 * put in. Caller frees; NULL on no memory. */
char *url_of_article_new(const char *tmpl, int64_t id, const char *slug);

/* The site an address is on: its scheme and authority with "/" (https://news.example/).
 * Caller frees; NULL on no memory. */
char *url_origin_new(const char *url);

/* An author's page: api_url/v1/authors/{slug}. Caller frees; NULL on no memory. */
char *url_of_author_new(const char *api_url, const char *slug);

/* An article's address that never changes, whatever becomes of its slug (a feed item's id):
 * api_url/v1/articles/{id}. Caller frees; NULL on no memory. */
char *url_of_article_id_new(const char *api_url, int64_t id);

#endif
