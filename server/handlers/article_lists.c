/* article_lists.c: GET /v1/articles: pages of articles newest first, filtered, and ranked searches; several waiting requests read together. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "infra/jobs.h"
#include "handlers/handlers.h"
#include "article_list.h"
#include "feeds.h"
#include "http/http.h"
#include "model/formats.h"
#include "model/serialize.h"
#include "text/search.h"
#include "text/normalize.h"

/* Owned strings behind an article_query, released together. */
struct list_args {
    struct article_query q;
    char *tag_key, *source_key, *author_key, *section_key;
    struct search_query *search;
    struct facet_args facets;
    char after[48];
};

static void list_args_free(struct list_args *a)
{
    free(a->tag_key);
    free(a->source_key);
    free(a->author_key);
    free(a->section_key);
    search_query_free(a->search);
}

/* A query argument that must be an RFC 3339 time when present. */
static bool time_arg(const struct request *req, const char *name, const char **out)
{
    *out = request_query(req, name);
    return *out == NULL || rfc3339_is_valid(*out);
}

/* A ranked search pages by rank; any other list (sort=newest too) by published_at. */
static enum cursor_kind list_cursor_kind(const struct list_args *a)
{
    return a->search != NULL && !a->q.newest ? CURSOR_RANKED : CURSOR_NEWEST;
}

/* Reads the list's query arguments; false with why in detail (a 400). */
static bool read_list_args(const struct request *req, struct list_args *a, char *detail,
                           size_t size)
{
    const char *tag = request_query(req, "tag"), *source = request_query(req, "source");
    const char *author = request_query(req, "author"), *section = request_query(req, "section");
    const char *q = request_query(req, "q"), *cursor = request_query(req, "cursor");
    const char *sort = request_query(req, "sort");
    memset(a, 0, sizeof *a);
    if (sort != NULL && strcmp(sort, "relevance") != 0 && strcmp(sort, "newest") != 0)
        return snprintf(detail, size, "sort must be relevance or newest"), false;
    /* without q every list is newest first: relevance has nothing to rank by */
    if (sort != NULL && q == NULL && strcmp(sort, "relevance") == 0)
        return snprintf(detail, size, "sort=relevance ranks a search: give q or drop sort"), false;
    a->q.newest = sort != NULL && strcmp(sort, "newest") == 0;
    if (!request_query_limit(req, 20, 100, &a->q.limit))
        return snprintf(detail, size, "limit must be a whole number from 1 to 100"), false;
    if (!time_arg(req, "from", &a->q.from) || !time_arg(req, "to", &a->q.to))
        return snprintf(detail, size, "from and to must be RFC 3339 times such as "
                                      "2024-05-19T00:00:00Z"), false;
    a->q.lang = request_query(req, "lang");
    a->q.status = request_query(req, "status");
    if (a->q.status != NULL && strcmp(a->q.status, "draft") != 0 &&
        strcmp(a->q.status, "scheduled") != 0 && strcmp(a->q.status, "withdrawn") != 0 &&
        strcmp(a->q.status, "any") != 0)
        return snprintf(detail, size, "status must be draft, scheduled, withdrawn or any"), false;
    if (a->q.status != NULL && q != NULL)
        return snprintf(detail, size, "status lists are not searched: drop q or status"), false;
    if (!facet_args_read(request_query(req, "facets"), request_query(req, "facet_limit"),
                         &a->facets, detail, size))
        return false;
    if (a->q.status != NULL && a->facets.kinds[0])
        return snprintf(detail, size, "facets count public articles: drop facets or status"), false;
    a->q.facets = a->facets.kinds[0] ? a->facets.kinds : NULL;
    a->q.facet_limit = a->facets.limit;
    a->q.facet_bound = FACET_BOUND;
    if (a->q.lang != NULL && !lang_is_valid(a->q.lang))
        return snprintf(detail, size, "lang must be a BCP 47 language tag such as ar"), false;
    if (q != NULL) {
        if (q[0] == '\0' || !text_is_valid_utf8(q, strlen(q)) || text_is_blank(q) ||
            text_char_count(q) > SEARCH_QUERY_MAX_CHARS)
            return snprintf(detail, size, "q must be 1 to %d characters of text",
                            SEARCH_QUERY_MAX_CHARS), false;
        if ((a->search = search_query_new(q, detail, size)) == NULL)
            return false;
        a->q.tsquery = search_query_tsquery(a->search);
        a->q.exact_tsquery = search_query_exact_tsquery(a->search);
    }
    /* An unknown tag, source, author or section is an empty page, not an error: keys that
     * fit nothing. */
    if (tag != NULL && (a->tag_key = text_slug_key_new(tag)) == NULL)
        a->tag_key = strdup("-");
    if (source != NULL && (a->source_key = text_normalize_new(source)) == NULL)
        a->source_key = strdup("-");
    if (author != NULL && (a->author_key = text_slug_key_new(author)) == NULL)
        a->author_key = strdup("-");
    if (section != NULL && (a->section_key = text_slug_key_new(section)) == NULL)
        a->section_key = strdup("-");
    a->q.author_key = a->author_key;
    a->q.section_key = a->section_key;
    a->q.tag_key = a->tag_key;
    a->q.source_key = a->source_key;
    if (cursor != NULL) {
        enum cursor_kind kind = list_cursor_kind(a);
        if (cursor_decode(cursor, kind, a->after, sizeof a->after, &a->q.after_id) < 0)
            return snprintf(detail, size, "cursor is not one this list gave out"), false;
        a->q.after_time = a->after;
        a->q.after_rank = a->after;
    }
    return true;
}

/* The feeds of a list (Link rel="alternate"): a page of public articles newest first that
 * follows at most one tag, source, author or section has the feeds of it; NULL for others
 * (a search, an editors' list, two subjects at once, an empty page: an unknown tag's feed
 * is not found, and a value too long for any name would not fit the answer's headers).
 * Caller frees. */
static char *list_feeds_new(const struct request *req, const struct list_args *a, size_t rows)
{
    static const char *const kinds[] = { "tag", "source", "author", "section" };
    const char *kind = NULL;
    if (a->search != NULL || a->q.status != NULL || rows == 0)
        return NULL;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (request_query(req, kinds[i]) == NULL)
            continue;
        if (kind != NULL || strlen(request_query(req, kinds[i])) > FEED_SUBJECT_MAX_BYTES)
            return NULL;
        kind = kinds[i];
    }
    return feed_alternates_new(req, kind, kind ? request_query(req, kind) : NULL);
}

/* Reads a list request's arguments; false once it is answered (400, or 401 for a list
 * only editors see). */
static bool list_request_read(struct request *req, struct list_args *a, int *rc)
{
    char detail[192];
    if (!read_list_args(req, a, detail, sizeof detail)) {
        *rc = reply_problem(req, 400, PROBLEM_INVALID_PARAMETER, detail, NULL);
        return false;
    }
    if (a->q.status != NULL && !request_is_authorized(req)) {
        *rc = reply_unauthorized(req);
        return false;
    }
    return true;
}

/* The answer to a list request once its page is read (st, rows), with "did you mean"
 * when suggestion is not NULL. */
static int answer_list(struct request *req, const struct list_args *a, db_status st,
                       const struct db_article_page *rows, const char *suggestion)
{
    if (st != DB_OK)
        return reply_db_status(req, st, "article");
    struct list_page page = { 0 };
    page.extra = a->q.facets ? facets_json_new(&a->facets, &rows->facets) : json_object();
    if (suggestion != NULL)
        json_object_set_new(page.extra, "did_you_mean", json_string(suggestion));
    if (a->search != NULL)
        serialize_search_page(rows, a->search, &page);
    else
        serialize_article_page(rows, &page);
    page.editors_only = a->q.status != NULL;
    char *feeds = list_feeds_new(req, a, rows->n);
    page.links = feeds;
    int rc = reply_page(req, &page, list_cursor_kind(a));
    free(feeds);
    json_decref(page.items);
    free(page.items_text);
    json_decref(page.extra);
    return rc;
}

/* GET /v1/articles for requests taken together (n at most JOBS_BATCH_MAX): their pages
 * read on one connection, their statements sent together. */
void articles_list_many(struct request *const *reqs, size_t n, int *rcs)
{
    struct list_args args[JOBS_BATCH_MAX];
    struct db_article_page rows[JOBS_BATCH_MAX];
    db_status st[JOBS_BATCH_MAX];
    char *suggestions[JOBS_BATCH_MAX] = { 0 };
    const struct article_query *queries[JOBS_BATCH_MAX];
    size_t asked[JOBS_BATCH_MAX] = { 0 }, m = 0;
    for (size_t i = 0; i < n; i++)
        if (list_request_read(reqs[i], &args[i], &rcs[i]))
            asked[m++] = i;
    db_conn *c = request_db_for_all(reqs, asked, &m, rcs);
    for (size_t k = 0; k < m; k++)
        queries[k] = &args[asked[k]].q;
    if (m > 0)
        db_article_lists(c, queries, m, rows, st);
    for (size_t k = 0; k < m; k++) {
        const struct list_args *a = &args[asked[k]];
        if (st[k] == DB_OK && a->search != NULL && rows[k].n == 0 && a->q.after_id == 0)
            suggestions[k] = did_you_mean_new(c, request_query(reqs[asked[k]], "q"), &a->q);
    }
    if (c != NULL)
        db_release(c);
    for (size_t k = 0; k < m; k++) {
        rcs[asked[k]] = answer_list(reqs[asked[k]], &args[asked[k]], st[k], &rows[k], suggestions[k]);
        db_article_page_clear(&rows[k]);
        free(suggestions[k]);
    }
    for (size_t i = 0; i < n; i++)
        list_args_free(&args[i]);
}

/* GET /v1/articles: a page of summaries newest first, filtered; with q, ranked search results. */
int articles_list(struct request *req)
{
    int rc = MHD_NO;
    articles_list_many(&req, 1, &rc);
    return rc;
}
