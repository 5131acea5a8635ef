/* article_list.h: what GET /v1/articles answers beside its page: facets and "did you mean".
 * Only server/handlers/ includes this. */
#ifndef KHABAR_ARTICLE_LIST_H
#define KHABAR_ARTICLE_LIST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "db/db.h"

/* The facets a list may count, and how many values of each by default and at most. */
#define FACETS_MAX 4
#define FACET_LIMIT_DEFAULT 10
#define FACET_LIMIT_MAX 50
/* Facets count the newest this many matches of a query (as many as a search ranks):
 * a common word in a large archive costs the same as in a small one, and the answer
 * says when not every match was counted. */
#define FACET_BOUND 1000

/* The facets of a list's query arguments. */
struct facet_args {
    char kinds[64]; /* the facets asked for as a PostgreSQL text array; "" for none */
    bool asked[FACETS_MAX]; /* by the order of facet_names (tag, source, author, section) */
    unsigned limit;
};

/*
 * Reads facets (a comma-separated list of tag, source, author and section, each once)
 * and facet_limit (1 to FACET_LIMIT_MAX, only with facets); false with why in detail.
 */
bool facet_args_read(const char *facets, const char *facet_limit, struct facet_args *out,
                     char *detail, size_t size);

/* {"facets": {...}, "facets_counted": n, "facets_exact": b} of a page read with facets
 * (caller owns); the facets asked for are each there, empty when nothing matched. */
json_t *facets_json_new(const struct facet_args *args, const struct db_facets *facets);

/*
 * The query that "did you mean" offers for q, a search that found nothing: each word of
 * q that no article holds in any of its forms replaced by the nearest known word, when
 * every such word has a confident one and the new query, run with the same filters
 * (query, its tsquery replaced), finds articles. NULL when there is none (caller frees).
 */
char *did_you_mean_new(db_conn *c, const char *q, const struct article_query *query);

#endif
