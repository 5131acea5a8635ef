/* routes.c: the route table as data, and the matcher that picks a handler or says 404/405. */
#include "http/routes.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "handlers/handlers.h"

/* The query parameters each list reads (handlers/articles.c, handlers/tags.c). */
static const char *const article_list_query[] = { "tag", "source", "author", "section", "q", "from",
                                                  "to", "lang", "status", "sort", "limit", "cursor",
                                                  "facets", "facet_limit", NULL };
static const char *const name_list_query[] = { "q", "limit", "cursor", NULL };
static const char *const page_query[] = { "limit", "cursor", NULL };
static const char *const limit_query[] = { "limit", NULL };
static const char *const suggest_query[] = { "q", NULL };
static const char *const feed_query[] = { "tag", "source", "author", "section", NULL };
/* An article as khabar's JSON, or as schema.org NewsArticle structured data. */
static const char *const article_types[] = { "application/json", "application/ld+json", NULL };

/* Writes name the least role their token needs (infra/roles.h): a writer writes and
 * restores drafts (the article handlers ask an editor for anything else, by model/roles.h);
 * an editor also deletes, links, and writes authors, sections and fronts; the public reads. */
const struct route route_table[] = {
    { .method = "GET", .path = "/v1", .name = "index", .handler = index_get },
    { .method = "GET", .path = "/v1/articles", .name = "articles_list", .handler = articles_list,
      .batch = articles_list_many, .cached = 1, .slow_with = "q", .query = article_list_query },
    { .method = "POST", .path = "/v1/articles", .name = "articles_create", .handler = articles_create,
      .role = ROLE_WRITER, .action = "writing articles" },
    { .method = "GET", .path = "/v1/articles/:article", .name = "articles_get", .handler = articles_get,
      .batch = articles_get_many, .cached = 1,
      .produces = article_types },
    { .method = "PUT", .path = "/v1/articles/:article", .name = "articles_replace", .handler = articles_replace,
      .role = ROLE_WRITER, .action = "writing articles" },
    { .method = "PATCH", .path = "/v1/articles/:article", .name = "articles_patch", .handler = articles_patch,
      .role = ROLE_WRITER, .action = "writing articles" },
    { .method = "DELETE", .path = "/v1/articles/:article", .name = "articles_delete", .handler = articles_delete,
      .role = ROLE_EDITOR, .action = "deleting an article" },
    { .method = "GET", .path = "/v1/articles/:article/related", .name = "related_list", .handler = related_list, .cached = 1 },
    { .method = "GET", .path = "/v1/articles/:article/similar", .name = "similar_list", .handler = similar_list,
      .cached = 1, .query = limit_query },
    { .method = "GET", .path = "/v1/suggest", .name = "suggest", .handler = suggest_get, .cached = 1,
      .query = suggest_query },
    { .method = "PUT", .path = "/v1/articles/:article/related/:other", .name = "related_add", .handler = related_add,
      .role = ROLE_EDITOR, .action = "changing related links" },
    { .method = "DELETE", .path = "/v1/articles/:article/related/:other", .name = "related_remove", .handler = related_remove,
      .role = ROLE_EDITOR, .action = "changing related links" },
    /* token holders only (the handlers check), answered private: never .cached */
    { .method = "GET", .path = "/v1/articles/:article/revisions", .name = "revisions_list",
      .handler = revisions_list, .query = page_query },
    { .method = "GET", .path = "/v1/articles/:article/revisions/:version", .name = "revisions_get",
      .handler = revisions_get },
    { .method = "POST", .path = "/v1/articles/:article/revisions/:version/restore",
      .name = "revisions_restore", .handler = revisions_restore,
      .role = ROLE_WRITER, .action = "restoring a revision" },
    { .method = "GET", .path = "/v1/feeds/:format", .name = "feeds_get", .handler = feeds_get, .cached = 1,
      .query = feed_query },
    { .method = "GET", .path = "/v1/sitemaps/news.xml", .name = "sitemap_news", .handler = sitemap_news_get },
    { .method = "GET", .path = "/v1/sitemaps/:name", .name = "sitemaps_get", .handler = sitemaps_get, .cached = 1 },
    { .method = "GET", .path = "/v1/tags", .name = "tags_list", .handler = tags_list,
      .batch = tags_list_many, .cached = 1, .query = name_list_query },
    { .method = "GET", .path = "/v1/tags/:tag", .name = "tags_get", .handler = tags_get, .cached = 1 },
    { .method = "GET", .path = "/v1/sources", .name = "sources_list", .handler = sources_list,
      .batch = sources_list_many, .cached = 1, .query = name_list_query },
    { .method = "GET", .path = "/v1/authors", .name = "authors_list", .handler = authors_list,
      .batch = authors_list_many, .cached = 1, .query = name_list_query },
    { .method = "POST", .path = "/v1/authors", .name = "authors_create", .handler = authors_create,
      .role = ROLE_EDITOR, .action = "writing authors" },
    { .method = "GET", .path = "/v1/authors/:author", .name = "authors_get", .handler = authors_get, .cached = 1 },
    { .method = "PUT", .path = "/v1/authors/:author", .name = "authors_replace", .handler = authors_replace,
      .role = ROLE_EDITOR, .action = "writing authors" },
    { .method = "PATCH", .path = "/v1/authors/:author", .name = "authors_patch", .handler = authors_patch,
      .role = ROLE_EDITOR, .action = "writing authors" },
    { .method = "DELETE", .path = "/v1/authors/:author", .name = "authors_delete", .handler = authors_delete,
      .role = ROLE_EDITOR, .action = "writing authors" },
    { .method = "GET", .path = "/v1/sections", .name = "sections_list", .handler = sections_list,
      .batch = sections_list_many, .cached = 1, .query = page_query },
    { .method = "POST", .path = "/v1/sections", .name = "sections_create", .handler = sections_create,
      .role = ROLE_EDITOR, .action = "writing sections" },
    { .method = "GET", .path = "/v1/sections/:section", .name = "sections_get", .handler = sections_get, .cached = 1 },
    { .method = "PUT", .path = "/v1/sections/:section", .name = "sections_replace", .handler = sections_replace,
      .role = ROLE_EDITOR, .action = "writing sections" },
    { .method = "PATCH", .path = "/v1/sections/:section", .name = "sections_patch", .handler = sections_patch,
      .role = ROLE_EDITOR, .action = "writing sections" },
    { .method = "DELETE", .path = "/v1/sections/:section", .name = "sections_delete", .handler = sections_delete,
      .role = ROLE_EDITOR, .action = "writing sections" },
    { .method = "GET", .path = "/v1/sections/:section/front", .name = "front_get", .handler = front_get,
      .batch = front_get_many, .cached = 1, .query = page_query },
    { .method = "PUT", .path = "/v1/sections/:section/front", .name = "front_put", .handler = front_put,
      .role = ROLE_EDITOR, .action = "arranging a section front" },
    /* admins only (webhooks' secrets sign what khabar sends): the GETs' handlers check */
    { .method = "GET", .path = "/v1/webhooks", .name = "webhooks_list", .handler = webhooks_list },
    { .method = "POST", .path = "/v1/webhooks", .name = "webhooks_create", .handler = webhooks_create,
      .role = ROLE_ADMIN, .action = "managing webhooks" },
    { .method = "GET", .path = "/v1/webhooks/:webhook", .name = "webhooks_get", .handler = webhooks_get },
    { .method = "PATCH", .path = "/v1/webhooks/:webhook", .name = "webhooks_patch", .handler = webhooks_patch,
      .role = ROLE_ADMIN, .action = "managing webhooks" },
    { .method = "DELETE", .path = "/v1/webhooks/:webhook", .name = "webhooks_delete", .handler = webhooks_delete,
      .role = ROLE_ADMIN, .action = "managing webhooks" },
    { .method = "GET", .path = "/healthz", .name = "healthz", .handler = ops_healthz, .probe = 1 },
    { .method = "GET", .path = "/readyz", .name = "readyz", .handler = ops_readyz, .probe = 1 },
    { .method = "GET", .path = "/metrics", .name = "metrics", .handler = ops_metrics, .probe = 1 },
    { .method = "GET", .path = "/robots.txt", .name = "robots", .handler = robots_get },
    { .method = "GET", .path = "/openapi.yaml", .name = "openapi", .handler = ops_openapi },
    /* the reference frontend: its pages read their own query (a cursor, a search) */
    { .method = "GET", .path = "/", .name = "web_home", .handler = web_home, .any_query = 1 },
    { .method = "GET", .path = "/articles/:article", .name = "web_article", .handler = web_article, .any_query = 1 },
    { .method = "GET", .path = "/tags/:tag", .name = "web_tag", .handler = web_tag, .any_query = 1 },
    { .method = "GET", .path = "/sources/:source", .name = "web_source", .handler = web_source, .any_query = 1 },
    { .method = "GET", .path = "/authors/:author", .name = "web_author", .handler = web_author, .any_query = 1 },
    { .method = "GET", .path = "/sections/:section", .name = "web_section", .handler = web_section, .any_query = 1 },
    { .method = "GET", .path = "/search", .name = "web_search", .handler = web_search, .any_query = 1 },
    { .method = "GET", .path = "/web/:file", .name = "web_asset", .handler = web_asset },
    { .method = "GET", .path = "/web/:folder/:file", .name = "web_asset_in", .handler = web_asset_in },
    { .method = NULL },
};

bool route_query_allows(const struct route *route, const char *name)
{
    for (const char *const *q = route->query; q != NULL && *q != NULL; q++)
        if (strcmp(*q, name) == 0)
            return true;
    return false;
}

/* Splits path into at most max segments (empty segments kept, so "//" never matches). */
static int split_segments(char *path, char **segs, int max)
{
    int n = 0;
    if (path[0] != '/')
        return -1;
    char *p = path + 1;
    while (n < max) {
        segs[n++] = p;
        char *slash = strchr(p, '/');
        if (slash == NULL)
            return n;
        *slash = '\0';
        p = slash + 1;
    }
    return -1; /* too many segments for any route */
}

/* True when the pattern's segments match segs; fills params from ":name" segments. */
static bool pattern_matches(const char *pattern, char **segs, int nsegs,
                            const char *params[ROUTE_MAX_PARAMS])
{
    int i = 0, np = 0;
    const char *p = pattern + 1;
    for (;;) {
        if (i >= nsegs)
            return false;
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (p[0] == ':') {
            if (segs[i][0] == '\0' || np >= ROUTE_MAX_PARAMS)
                return false;
            params[np++] = segs[i];
        } else if (strlen(segs[i]) != len || memcmp(segs[i], p, len) != 0) {
            return false;
        }
        i++;
        if (end == NULL)
            return i == nsegs;
        p = end + 1;
    }
}

/* Adds method to the comma-separated list in allow (size bytes), once; what does not fit
 * is cut, the list always NUL-terminated. */
static void allow_add(char *allow, size_t size, const char *method)
{
    size_t used = strlen(allow);
    if (strstr(allow, method) != NULL)
        return;
    const char *parts[] = { used ? ", " : "", method };
    for (size_t i = 0; i < 2; i++) {
        size_t n = strlen(parts[i]);
        if (used + n >= size)
            n = size - 1 - used;
        memcpy(allow + used, parts[i], n);
        used += n;
        allow[used] = '\0';
    }
}

/* The methods of every route whose path matches segs (HEAD where GET is, and OPTIONS). */
static void allow_list(char **segs, int nsegs, char *allow, size_t size)
{
    for (const struct route *r = route_table; r->method != NULL; r++) {
        const char *unused[ROUTE_MAX_PARAMS];
        if (!pattern_matches(r->path, segs, nsegs, unused))
            continue;
        allow_add(allow, size, r->method);
        if (strcmp(r->method, "GET") == 0)
            allow_add(allow, size, "HEAD");
    }
    allow_add(allow, size, "OPTIONS");
}

enum route_match route_find(const char *method, char *path_buf, const struct route **found,
                            const char *params[ROUTE_MAX_PARAMS], char *allow,
                            size_t allow_size)
{
    char *segs[8];
    int nsegs = split_segments(path_buf, segs, 8);
    bool path_known = false;
    if (allow_size > 0)
        allow[0] = '\0';
    *found = NULL;
    if (nsegs < 0)
        return ROUTE_NOT_FOUND;
    const char *want = strcmp(method, "HEAD") == 0 ? "GET" : method;
    for (const struct route *r = route_table; r->method != NULL; r++) {
        const char *candidate[ROUTE_MAX_PARAMS] = { NULL, NULL };
        if (!pattern_matches(r->path, segs, nsegs, candidate))
            continue;
        path_known = true;
        if (strcmp(r->method, want) == 0) {
            *found = r;
            params[0] = candidate[0];
            params[1] = candidate[1];
            return ROUTE_FOUND;
        }
    }
    if (!path_known)
        return ROUTE_NOT_FOUND;
    if (allow_size > 0)
        allow_list(segs, nsegs, allow, allow_size);
    return ROUTE_WRONG_METHOD;
}
