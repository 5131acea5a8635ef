/* feeds.c: the feeds: the newest public articles of the site, or of one tag, source, author or section, as RSS, Atom or JSON Feed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "feeds.h"
#include "handlers/handlers.h"
#include "http/http.h"
#include "model/feed.h"
#include "text/normalize.h"
#include "text/url.h"

/* How many articles a feed holds: a reader polls it, it is not an archive. */
#define FEED_ITEMS 50

static const struct {
    const char *name;
    enum feed_format format;
} formats[] = { { "rss", FEED_RSS }, { "atom", FEED_ATOM }, { "json", FEED_JSON } };

/* What a feed can follow, each a query parameter, with the key its value is looked up by. */
enum subject_kind { SUBJECT_TAG, SUBJECT_SOURCE, SUBJECT_AUTHOR, SUBJECT_SECTION, SUBJECT_KINDS };
static const struct {
    const char *param;
    char *(*key_new)(const char *value);
} subjects[SUBJECT_KINDS] = { { "tag", text_slug_key_new },
                              { "source", text_normalize_new },
                              { "author", text_slug_key_new },
                              { "section", text_slug_key_new } };

/* The one subject of a feed: its kind, the key of the value asked, and once found its name
 * and the value that names it canonically (a slug, or a source's name). */
struct subject {
    int kind; /* SUBJECT_*, or -1: the whole site */
    char *key, *name, *canonical;
};

static void subject_free(struct subject *s)
{
    free(s->key);
    free(s->name);
    free(s->canonical);
}

/* Copies a found name and slug (slug NULL: name) into s; DB_ERROR on no memory. */
static db_status subject_named(struct subject *s, const char *name, const char *slug)
{
    s->name = strdup(name);
    s->canonical = strdup(slug ? slug : name);
    return s->name && s->canonical ? DB_OK : DB_ERROR;
}

/* Finds the subject's name; DB_NOT_FOUND when nothing public has that key. */
static db_status subject_find(db_conn *c, struct subject *s)
{
    struct db_name n = { 0 };
    struct db_section sec = { 0 };
    db_status st;
    switch (s->kind) {
    case SUBJECT_TAG: st = db_tag_get(c, s->key, &n); break;
    case SUBJECT_SOURCE: st = db_source_get(c, s->key, &n); break;
    case SUBJECT_AUTHOR: st = db_author_get(c, s->key, &n); break;
    case SUBJECT_SECTION:
        st = db_section_get(c, s->key, &sec);
        if (st == DB_OK)
            st = subject_named(s, sec.name, sec.slug);
        db_section_clear(&sec);
        return st;
    default: return DB_OK;
    }
    if (st == DB_OK)
        st = subject_named(s, n.name, n.slug);
    db_name_clear(&n);
    return st;
}

/* Reads which subject the query names; false after answering 400 or 404. */
static bool read_subject(struct request *req, struct subject *s, int *rc)
{
    memset(s, 0, sizeof *s);
    s->kind = -1;
    for (int k = 0; k < SUBJECT_KINDS; k++) {
        const char *value = request_query(req, subjects[k].param);
        if (value == NULL)
            continue;
        if (s->kind >= 0) {
            *rc = reply_problem(req, 400, PROBLEM_INVALID_PARAMETER,
                                "a feed follows one tag, source, author or section: give one of them",
                                NULL);
            return false;
        }
        s->kind = k;
        s->key = subjects[k].key_new(value);
        if (s->key == NULL || s->key[0] == '\0') {
            *rc = reply_db_status(req, DB_NOT_FOUND, subjects[k].param);
            return false;
        }
    }
    return true;
}

/* format's address for kind=value (kind NULL: the site's feed). Caller frees. */
static char *feed_url_new(const char *api_url, const char *format, const char *kind, const char *value)
{
    char *url = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&url, &len);
    if (f == NULL)
        return NULL;
    fprintf(f, "%s/v1/feeds/%s", api_url, format);
    if (kind != NULL) {
        fprintf(f, "?%s=", kind);
        url_put_encoded(f, value, false);
    }
    if (fclose(f) != 0) {
        free(url);
        return NULL;
    }
    return url;
}

char *feed_alternates_new(const struct request *req, const char *kind, const char *value)
{
    char *links = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&links, &len);
    if (f == NULL)
        return NULL;
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        char *url = feed_url_new(req->app->config.public_api_url, formats[i].name, kind, value);
        const char *type = feed_media_type(formats[i].format);
        fprintf(f, "%s<%s>; rel=\"alternate\"; type=\"%.*s\"", i ? ", " : "", url ? url : "",
                (int)strcspn(type, ";"), type);
        free(url);
    }
    if (fclose(f) != 0) {
        free(links);
        return NULL;
    }
    return links;
}

char **article_addresses_new(const struct request *req, const void *items, size_t n,
                             article_ref_fn ref)
{
    char **urls = calloc(n ? n : 1, sizeof *urls);
    for (size_t i = 0; urls != NULL && i < n; i++) {
        int64_t id;
        const char *slug;
        ref(items, i, &id, &slug);
        if ((urls[i] = url_of_article_new(req->app->config.public_article_url, id, slug)) == NULL) {
            addresses_free(urls, i);
            return NULL;
        }
    }
    return urls;
}

void addresses_free(char **urls, size_t n)
{
    for (size_t i = 0; urls != NULL && i < n; i++)
        free(urls[i]);
    free(urls);
}

static void feed_item_ref(const void *items, size_t i, int64_t *id, const char **slug)
{
    const struct db_article *a = (const struct db_article *)items + i;
    *id = a->id;
    *slug = a->slug;
}

/* The feed's document of page for subject s in format i (of formats); NULL on no memory. */
static char *feed_document_new(const struct request *req, size_t i, const struct subject *s,
                               const struct db_article_page *page, size_t *len)
{
    const struct config *cfg = &req->app->config;
    char *title = NULL, **urls = NULL, *text = NULL;
    char *self = feed_url_new(cfg->public_api_url, formats[i].name,
                              s->kind >= 0 ? subjects[s->kind].param : NULL, s->canonical);
    char *home = url_origin_new(cfg->public_article_url);
    if (s->kind >= 0 ? asprintf(&title, "%s: %s", cfg->publication_name, s->name) < 0
                     : (title = strdup(cfg->publication_name)) == NULL)
        title = NULL;
    if (self != NULL && home != NULL && title != NULL &&
        (urls = article_addresses_new(req, page->items, page->n, feed_item_ref)) != NULL) {
        struct feed feed = { .format = formats[i].format, .title = title, .description = title,
                             .self_url = self, .home_url = home, .lang = cfg->publication_lang,
                             .publisher = cfg->publication_name, .api_url = cfg->public_api_url,
                             .items = page, .item_urls = urls,
                             .last_modified = page->end.last_modified };
        text = feed_render_new(&feed, len);
    }
    addresses_free(urls, page->n);
    free(title);
    free(home);
    free(self);
    return text;
}

/* The format the path names; false (after answering 404) when it is none. */
static bool read_format(struct request *req, size_t *format, int *rc)
{
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (strcmp(req->params[0], formats[i].name) == 0)
            return *format = i, true;
    *rc = reply_problem(req, 404, PROBLEM_NOT_FOUND, "feeds are served as rss, atom and json", NULL);
    return false;
}

/* GET /v1/feeds/{format}: the newest public articles, of one tag, source, author or
 * section when the query names it. */
int feeds_get(struct request *req)
{
    int rc = MHD_NO;
    size_t format;
    struct subject s;
    struct db_article_page page = { 0 };
    if (!read_format(req, &format, &rc))
        return rc;
    if (!read_subject(req, &s, &rc))
        goto out;
    struct article_query q = { .limit = FEED_ITEMS, .with_body = true };
    const char **keys[SUBJECT_KINDS] = { &q.tag_key, &q.source_key, &q.author_key, &q.section_key };
    if (s.kind >= 0)
        *keys[s.kind] = s.key;
    db_conn *c = request_db(req, &rc);
    if (c == NULL)
        goto out;
    db_status st = subject_find(c, &s);
    if (st == DB_OK)
        st = db_article_list(c, &q, &page);
    db_release(c);
    if (st != DB_OK) {
        rc = reply_db_status(req, st, s.kind >= 0 ? subjects[s.kind].param : "feed");
        goto out;
    }
    size_t len = 0;
    char *text = feed_document_new(req, format, &s, &page, &len);
    struct entity_meta m = { .content_type = feed_media_type(formats[format].format),
                             .last_modified = page.end.last_modified, .cache_control = CACHE_LIST };
    rc = reply_entity_text(req, 200, text, len, &m);
out:
    db_article_page_clear(&page);
    subject_free(&s);
    return rc;
}
