/* web.c: GET / and the frontend's other pages, and GET /web/...: the reference frontend
 * (web/), compiled in, so that one khabar serves a site beside its API. */
#include <stdlib.h>
#include <string.h>

#include "handlers/handlers.h"
#include "http/http.h"
#include "infra/embedded.h"

/* Scripts, styles and fonts come from khabar itself, the articles' data from its API
 * (the same origin), images from wherever editors put them. Nothing else: no inline
 * script, no plugin, no framing. */
#define PAGE_POLICY                                                                         \
    "default-src 'self'; img-src 'self' https: http: data:; object-src 'none'; "            \
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
/* The page and its modules are revalidated on every load (they change with khabar);
 * fonts are the same for a build. */
#define CACHE_REVALIDATE "no-cache"
#define CACHE_FONT "public, max-age=86400"

struct web_type {
    const char *suffix, *content_type, *cache_control;
};

static const struct web_type web_types[] = {
    { ".html", "text/html; charset=utf-8", CACHE_REVALIDATE },
    { ".css", "text/css; charset=utf-8", CACHE_REVALIDATE },
    { ".js", "text/javascript; charset=utf-8", CACHE_REVALIDATE },
    { ".woff2", "font/woff2", CACHE_FONT },
    { NULL, NULL, NULL },
};

static const struct web_type *type_of(const char *name)
{
    size_t len = strlen(name);
    for (const struct web_type *t = web_types; t->suffix != NULL; t++) {
        size_t n = strlen(t->suffix);
        if (len > n && strcmp(name + len - n, t->suffix) == 0)
            return t;
    }
    return NULL;
}

/* The file at folder/name (folder NULL: at the top of web/); NULL when there is none. */
static const struct embedded_file *web_file_at(const char *folder, const char *name)
{
    size_t lf = folder ? strlen(folder) : 0;
    for (const struct embedded_file *f = embedded_web; f->name != NULL; f++) {
        const char *rest = f->name;
        if (folder != NULL) {
            if (strncmp(rest, folder, lf) != 0 || rest[lf] != '/')
                continue;
            rest += lf + 1;
        } else if (strchr(rest, '/') != NULL) {
            continue;
        }
        if (strcmp(rest, name) == 0)
            return f;
    }
    return NULL;
}

/* One of the frontend's files with its ETag (a 304 when the client has it). */
static int reply_web_file(struct request *req, const struct embedded_file *f, const char *policy)
{
    const struct web_type *t = type_of(f->name);
    char *copy = malloc(f->size > 0 ? f->size : 1);
    if (copy == NULL || t == NULL) {
        free(copy);
        return MHD_NO;
    }
    memcpy(copy, f->data, f->size);
    struct entity_meta m = { .content_type = t->content_type, .cache_control = t->cache_control,
                             .header = policy ? "Content-Security-Policy" : NULL, .value = policy };
    return reply_entity_text(req, 200, copy, f->size, &m);
}

/* The page, whose script shows what the address names (a not-found page when the API has
 * no such thing). */
static int reply_shell(struct request *req)
{
    const struct embedded_file *page = web_file_at(NULL, "index.html");
    if (page == NULL)
        return reply_problem(req, 404, PROBLEM_NOT_FOUND, "this build has no frontend", NULL);
    return reply_web_file(req, page, PAGE_POLICY);
}

/* GET /: the frontend's page of the newest articles, the sections as navigation. */
int web_home(struct request *req)
{
    return reply_shell(req);
}

/* GET /articles/{article}: the frontend's page of an article (any spelling of its slug; the page moves to the canonical one). */
int web_article(struct request *req)
{
    return reply_shell(req);
}

/* GET /tags/{tag}: the frontend's page of a tag's articles. */
int web_tag(struct request *req)
{
    return reply_shell(req);
}

/* GET /sources/{source}: the frontend's page of a source's articles. */
int web_source(struct request *req)
{
    return reply_shell(req);
}

/* GET /authors/{author}: the frontend's page of an author and their articles. */
int web_author(struct request *req)
{
    return reply_shell(req);
}

/* GET /sections/{section}: the frontend's page of a section's front. */
int web_section(struct request *req)
{
    return reply_shell(req);
}

/* GET /search: the frontend's page of search results, with the query in the address. */
int web_search(struct request *req)
{
    return reply_shell(req);
}

/* One of the page's files; the page itself is served at the addresses it shows, not as a file. */
static int reply_asset(struct request *req, const char *folder, const char *file)
{
    const struct embedded_file *f = folder == NULL && strcmp(file, "index.html") == 0
                                        ? NULL : web_file_at(folder, file);
    if (f == NULL)
        return reply_problem(req, 404, PROBLEM_NOT_FOUND, "the frontend has no such file", NULL);
    return reply_web_file(req, f, NULL);
}

/* GET /web/{file}: the page's style. */
int web_asset(struct request *req)
{
    return reply_asset(req, NULL, req->params[0]);
}

/* GET /web/{folder}/{file}: the page's modules (src/) and fonts (fonts/). */
int web_asset_in(struct request *req)
{
    return reply_asset(req, req->params[0], req->params[1]);
}
