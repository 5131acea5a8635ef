/* structured_data.h: an article as schema.org NewsArticle (JSON-LD), the structured data
 * search engines read: Google's required and recommended properties among them. */
#ifndef KHABAR_STRUCTURED_DATA_H
#define KHABAR_STRUCTURED_DATA_H

#include <jansson.h>

#include "db/db.h"

/* Who publishes: from configuration (PUBLICATION_NAME, PUBLISHER_LOGO_URL, PUBLIC_API_URL). */
struct publisher {
    const char *name;
    const char *logo_url; /* NULL: none */
    const char *api_url;  /* where an author's own address starts (api_url/v1/authors/{slug}) */
};

/*
 * The NewsArticle of article a whose canonical address is url: headline, description,
 * datePublished, dateModified, author (each a Person with its address), image (each
 * rendition an ImageObject), publisher (an Organization), articleSection, keywords (its
 * tags), inLanguage, url and mainEntityOfPage. Caller owns; NULL on no memory.
 */
json_t *structured_news_article_new(const struct db_article *a, const char *url,
                                    const struct publisher *pub);

#endif
