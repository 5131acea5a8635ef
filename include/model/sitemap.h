/* sitemap.h: sitemaps (sitemaps.org 0.9): an index of sitemaps, a set of URLs, and a
 * Google News sitemap. */
#ifndef KHABAR_SITEMAP_H
#define KHABAR_SITEMAP_H

#include <stddef.h>

/* The limit Google News sets on its sitemap (sitemaps.org's, 50,000, bounds SITEMAP_URLS). */
#define SITEMAP_NEWS_MAX_URLS 1000

/* One entry: a sitemap of the index or a page of a set, with its last change (RFC 3339;
 * NULL: not said). */
struct sitemap_entry {
    const char *loc, *lastmod;
};

/* A news article: its address, title, language and publication time (RFC 3339). */
struct sitemap_news_entry {
    const char *loc, *title, *lang, *published_at;
};

/* The documents, each well-formed XML ending with a newline (caller frees; *len its
 * length; NULL on no memory). */
char *sitemap_index_new(const struct sitemap_entry *sitemaps, size_t n, size_t *len);
char *sitemap_urlset_new(const struct sitemap_entry *urls, size_t n, size_t *len);
/* publication: the name Google News shows (PUBLICATION_NAME). */
char *sitemap_news_new(const char *publication, const struct sitemap_news_entry *urls, size_t n,
                       size_t *len);

#endif
