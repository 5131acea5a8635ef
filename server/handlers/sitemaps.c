/* sitemaps.c: robots.txt and the sitemaps: an index of monthly sitemaps (SITEMAP_URLS articles each, at most 50,000) and a Google News sitemap of the last 48 hours. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "feeds.h"
#include "handlers/handlers.h"
#include "http/http.h"
#include "model/sitemap.h"
#include "text/url.h"

#define SITEMAP_TYPE "application/xml; charset=utf-8"

/* GET /robots.txt: crawlers may read the frontend's pages, the sitemaps and the feeds (the
 * index named by its Sitemap line), not the API's other answers. */
int robots_get(struct request *req)
{
    char *text = NULL;
    int n = asprintf(&text,
                     "User-agent: *\nAllow: /v1/sitemaps/\nAllow: /v1/feeds/\nDisallow: /v1/\n\n"
                     "Sitemap: %s/v1/sitemaps/index.xml\n",
                     req->app->config.public_api_url);
    if (n < 0)
        return MHD_NO;
    int rc = reply_text(req, 200, "text/plain; charset=utf-8", text, (size_t)n, true, CACHE_STATIC);
    free(text);
    return rc;
}

/* A sitemap answered: text (taken over) with its type, cached like a list. */
static int reply_sitemap(struct request *req, char *text, size_t len, int64_t last_modified)
{
    struct entity_meta m = { .content_type = SITEMAP_TYPE, .last_modified = last_modified,
                             .cache_control = CACHE_LIST };
    return reply_entity_text(req, 200, text, len, &m);
}

static void sitemap_url_ref(const void *items, size_t i, int64_t *id, const char **slug)
{
    const struct db_sitemap_url *u = (const struct db_sitemap_url *)items + i;
    *id = u->id;
    *slug = u->slug;
}

/* The address of page (from 1) of a month's sitemap: YYYY-MM.xml, then YYYY-MM-2.xml, ... */
static char *month_loc_new(const char *api_url, const char *month, int64_t page)
{
    char *loc = NULL;
    int n = page > 1 ? asprintf(&loc, "%s/v1/sitemaps/%s-%" PRId64 ".xml", api_url, month, page)
                     : asprintf(&loc, "%s/v1/sitemaps/%s.xml", api_url, month);
    return n < 0 ? NULL : loc;
}

/* The index: the news sitemap, then each month's pages, oldest first. */
static char *index_document_new(const struct request *req, const struct db_sitemap_month *months,
                                size_t n, size_t *len)
{
    const char *api = req->app->config.public_api_url;
    int64_t per_page = req->app->config.sitemap_urls;
    size_t count = 1;
    for (size_t i = 0; i < n; i++)
        count += (size_t)((months[i].articles + per_page - 1) / per_page);
    struct sitemap_entry *entries = calloc(count, sizeof *entries);
    char **locs = calloc(count, sizeof *locs);
    char *text = NULL;
    bool ok = entries != NULL && locs != NULL && asprintf(&locs[0], "%s/v1/sitemaps/news.xml", api) >= 0;
    if (!ok && locs != NULL)
        locs[0] = NULL;
    size_t k = 1;
    for (size_t i = 0; ok && i < n; i++) {
        for (int64_t p = 1; ok && (p - 1) * per_page < months[i].articles; p++, k++) {
            ok = (locs[k] = month_loc_new(api, months[i].month, p)) != NULL;
            entries[k].lastmod = months[i].last_modified;
        }
    }
    for (size_t i = 0; ok && i < count; i++)
        entries[i].loc = locs[i];
    if (ok)
        text = sitemap_index_new(entries, count, len);
    addresses_free(locs, count);
    free(entries);
    return text;
}

static int sitemap_index(struct request *req)
{
    int rc = MHD_NO;
    struct db_sitemap_month *months = NULL;
    size_t n = 0, len = 0;
    int64_t last_modified = 0;
    db_conn *c = request_db(req, &rc);
    if (c == NULL)
        return rc;
    db_status st = db_sitemap_months(c, &months, &n, &last_modified);
    db_release(c);
    if (st != DB_OK) {
        rc = reply_db_status(req, st, "sitemap");
    } else {
        char *text = index_document_new(req, months, n, &len);
        rc = reply_sitemap(req, text, len, last_modified);
    }
    free(months);
    return rc;
}

/* "2024-05.xml" or "2024-05-3.xml": the month's first instant and the page (from 1);
 * false for any other name (page 1 has one address only). */
static bool month_name(const char *name, char *start, size_t size, int64_t *page)
{
    unsigned year, month, digits = 0;
    int used = 0;
    if (strlen(name) < 11 || sscanf(name, "%4u-%2u%n", &year, &month, &used) != 2 || used != 7 ||
        year < 1000 || month < 1 || month > 12 || strspn(name, "0123456789-") < 7)
        return false;
    const char *rest = name + 7;
    *page = 1;
    if (rest[0] == '-') {
        digits = (unsigned)strspn(rest + 1, "0123456789");
        if (digits == 0 || digits > 5 || rest[1] == '0')
            return false;
        *page = strtoll(rest + 1, NULL, 10);
        if (*page < 2)
            return false;
        rest += 1 + digits;
    }
    if (strcmp(rest, ".xml") != 0)
        return false;
    snprintf(start, size, "%04u-%02u-01T00:00:00Z", year, month);
    return true;
}

/* The document of a page of articles: a set of URLs, or the news sitemap. */
static char *urls_document_new(const struct request *req, const struct db_sitemap_page *page,
                               bool news, size_t *len)
{
    char **locs = NULL, *text = NULL;
    struct sitemap_entry *urls = calloc(page->n ? page->n : 1, sizeof *urls);
    struct sitemap_news_entry *items = calloc(page->n ? page->n : 1, sizeof *items);
    if (urls != NULL && items != NULL &&
        (locs = article_addresses_new(req, page->items, page->n, sitemap_url_ref)) != NULL) {
        for (size_t i = 0; i < page->n; i++) {
            const struct db_sitemap_url *u = &page->items[i];
            urls[i] = (struct sitemap_entry){ locs[i], u->updated_at };
            items[i] = (struct sitemap_news_entry){ locs[i], u->title, u->lang, u->published_at };
        }
        text = news ? sitemap_news_new(req->app->config.publication_name, items, page->n, len)
                    : sitemap_urlset_new(urls, page->n, len);
    }
    addresses_free(locs, page->n);
    free(urls);
    free(items);
    return text;
}

/* A month's sitemap page, or the news sitemap (month_start NULL). */
static int sitemap_of(struct request *req, const char *month_start, int64_t page_no)
{
    int rc = MHD_NO;
    struct db_sitemap_page page = { 0 };
    size_t len = 0;
    db_conn *c = request_db(req, &rc);
    if (c == NULL)
        return rc;
    unsigned per_page = req->app->config.sitemap_urls;
    db_status st = month_start ? db_sitemap_month_page(c, month_start, (page_no - 1) * (int64_t)per_page,
                                                       per_page, &page)
                               : db_sitemap_news(c, SITEMAP_NEWS_MAX_URLS, &page);
    db_release(c);
    if (st == DB_OK && month_start != NULL && page.n == 0)
        st = DB_NOT_FOUND; /* a month or a page with no public article has no sitemap */
    if (st != DB_OK) {
        rc = reply_db_status(req, st, "sitemap");
    } else {
        char *text = urls_document_new(req, &page, month_start == NULL, &len);
        rc = reply_sitemap(req, text, len, page.last_modified);
    }
    db_sitemap_page_clear(&page);
    return rc;
}

/* GET /v1/sitemaps/news.xml: the Google News sitemap, the newest 1,000 public articles of
 * the last 48 hours. Never kept in the answer cache: articles leave it as time passes. */
int sitemap_news_get(struct request *req)
{
    return sitemap_of(req, NULL, 0);
}

/* GET /v1/sitemaps/{name}: index.xml, or a month's sitemap (2024-05.xml, then 2024-05-2.xml
 * past SITEMAP_URLS articles). */
int sitemaps_get(struct request *req)
{
    char start[32];
    int64_t page = 0;
    if (strcmp(req->params[0], "index.xml") == 0)
        return sitemap_index(req);
    if (!month_name(req->params[0], start, sizeof start, &page))
        return reply_problem(req, 404, PROBLEM_NOT_FOUND,
                             "sitemaps are index.xml, news.xml and one a month, such as 2024-05.xml",
                             NULL);
    return sitemap_of(req, start, page);
}
