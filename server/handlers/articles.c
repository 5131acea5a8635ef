/* articles.c: the article resource: create, read by id or slug, replace, patch, delete (its lists: article_lists.c). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "infra/jobs.h"
#include "infra/strict_json.h"
#include "handlers/handlers.h"
#include "article_writes.h"
#include "http/http.h"
#include "text/url.h"
#include "model/article_input.h"
#include "model/article_write.h"
#include "model/roles.h"
#include "model/serialize.h"
#include "model/structured_data.h"
#include "text/normalize.h"

#define PATCH_ATTEMPTS 3

static const char *const json_types[] = { "application/json", NULL };
static const char *const merge_patch_types[] = { "application/merge-patch+json",
                                                 "application/json", NULL };

static int reply_invalid(struct request *req, json_t *errors)
{
    return reply_problem(req, 422, PROBLEM_VALIDATION_FAILED, "some fields are not valid", errors);
}

static int reply_bad_id(struct request *req)
{
    return reply_problem(req, 400, PROBLEM_INVALID_PARAMETER,
                         "the article must be named by its numeric id here", NULL);
}

/* The article a GET path names: digits are an id, anything else a slug in any letter variant. */
static db_status find_article(const struct request *req, db_conn *c, struct db_article *article)
{
    int64_t id = request_param_id(req, 0);
    if (id > 0)
        return db_article_get(c, id, article);
    char *key = text_slug_key_new(req->params[0]);
    db_status st = DB_NOT_FOUND;
    if (key && key[0])
        st = db_article_get_by_slug_key(c, key, article);
    else
        memset(article, 0, sizeof *article);
    free(key);
    return st;
}

/* Link: <its canonical URL>; rel="canonical": however the article was asked for (by id,
 * by a slug in any letter variant, case or encoding), the one address to show and to
 * redirect to. NULL on no memory. */
static char *canonical_link_new(const struct request *req, const struct db_article *article)
{
    char *url = url_of_article_new(req->app->config.public_article_url, article->id, article->slug);
    char *link = NULL;
    if (url != NULL && asprintf(&link, "<%s>; rel=\"canonical\"", url) < 0)
        link = NULL;
    free(url);
    return link;
}

/* The article as schema.org NewsArticle structured data (JSON-LD); NULL on no memory. */
static json_t *structured_document_new(const struct request *req, const struct db_article *article)
{
    const struct config *cfg = &req->app->config;
    struct publisher pub = { .name = cfg->publication_name, .logo_url = cfg->publisher_logo_url,
                             .api_url = cfg->public_api_url };
    char *url = url_of_article_new(cfg->public_article_url, article->id, article->slug);
    json_t *doc = url ? structured_news_article_new(article, url, &pub) : NULL;
    free(url);
    return doc;
}

/* 200 with khabar's JSON of the article, or its JSON-LD when the client asked for it. */
static int reply_article(struct request *req, const struct db_article *article)
{
    int rc;
    /* by id or by slug, the cached answer goes when this article changes */
    req->cache_article_id = article->id;
    char *link = canonical_link_new(req, article);
    /* a negotiated type (application/ld+json) is JSON too */
    struct entity_meta m = { .content_type = req->media_type, .last_modified = article->last_modified,
                             .cache_control = article->visible ? CACHE_ARTICLE : CACHE_PRIVATE,
                             .header = link ? "Link" : NULL, .value = link };
    if (req->media_type != NULL && strcmp(req->media_type, "application/ld+json") == 0) {
        json_t *doc = structured_document_new(req, article);
        rc = reply_entity(req, 200, doc, m.last_modified, m.cache_control, m.header, m.value);
        json_decref(doc);
    } else {
        size_t len = 0;
        char *text = serialize_article_answer_new(article, &len);
        rc = reply_entity_text(req, 200, text, len, &m);
    }
    free(link);
    return rc;
}

/* The answer to a GET of an article, once looked for (st, article). */
static int answer_found(struct request *req, db_status st, const struct db_article *article)
{
    bool editor = st == DB_OK && !article->visible && request_is_authorized(req);
    if (st == DB_OK && !article->visible && !editor && strcmp(article->status, "withdrawn") == 0)
        return reply_withdrawn(req, article->withdrawn_reason);
    if (st == DB_OK && (article->visible || editor))
        return reply_article(req, article);
    if (st == DB_OK)
        return reply_db_status(req, DB_NOT_FOUND, "article"); /* a draft or scheduled: not revealed */
    return reply_db_status(req, st, "article");
}

/* Reads the articles reqs name on one connection: those by id in one round trip, those
 * by slug each on its own. */
static void find_articles(struct request *const *reqs, size_t n, db_conn *c,
                          struct db_article *articles, db_status *st)
{
    int64_t ids[JOBS_BATCH_MAX];
    size_t by_id[JOBS_BATCH_MAX], m = 0;
    struct db_article found[JOBS_BATCH_MAX];
    db_status found_st[JOBS_BATCH_MAX];
    for (size_t i = 0; i < n; i++) {
        int64_t id = request_param_id(reqs[i], 0);
        if (id > 0) {
            by_id[m] = i;
            ids[m++] = id;
        } else {
            st[i] = find_article(reqs[i], c, &articles[i]);
        }
    }
    db_articles_get(c, ids, m, found, found_st);
    for (size_t k = 0; k < m; k++) {
        articles[by_id[k]] = found[k];
        st[by_id[k]] = found_st[k];
    }
}

/* GET /v1/articles/{article} for requests taken together (n at most JOBS_BATCH_MAX). */
void articles_get_many(struct request *const *reqs, size_t n, int *rcs)
{
    struct db_article articles[JOBS_BATCH_MAX];
    db_status st[JOBS_BATCH_MAX];
    db_conn *c = request_db_for_all(reqs, NULL, &n, rcs);
    if (c == NULL)
        return;
    find_articles(reqs, n, c, articles, st);
    db_release(c);
    for (size_t i = 0; i < n; i++) {
        rcs[i] = answer_found(reqs[i], st[i], &articles[i]);
        db_article_clear(&articles[i]);
    }
}

/* GET /v1/articles/{article}: one article by id or by slug. */
int articles_get(struct request *req)
{
    int rc = MHD_NO;
    articles_get_many(&req, 1, &rc);
    return rc;
}

/* The checked article of a POST or PUT body; false after answering 400, 415 or 422. */
static bool read_article(struct request *req, int64_t self_id, struct article_input *in, int *rc)
{
    json_t *body = request_json_body(req, json_types, rc);
    if (body == NULL)
        return false;
    json_t *errors = json_array();
    struct article_rules rules = article_rules_of(&req->app->config);
    bool ok = article_input_from_json(body, self_id, &rules, in, errors) == 0;
    json_decref(body);
    if (ok)
        json_decref(errors);
    else
        *rc = reply_invalid(req, errors);
    return ok;
}

bool article_writes_allowed(struct request *req, const json_t *current,
                            const struct article_input *in, int *rc)
{
    const char *before = current ? json_string_value(json_object_get(current, "status")) : NULL;
    if (request_role(req) >= ROLE_EDITOR)
        return true;
    struct role_need need = role_for_article_write(before, in->write.status, in->write.published_at);
    return request_may(req, need.role, need.action, rc);
}

/* 201 or 200 with the written article; Location on creation. */
static int reply_written(struct request *req, unsigned status, const struct db_article *article)
{
    char location[64];
    snprintf(location, sizeof location, "/v1/articles/%" PRId64, article->id);
    json_t *doc = serialize_article_new(article);
    int rc = reply_entity(req, status, doc, 0, CACHE_NO_STORE, status == 201 ? "Location" : NULL,
                          location);
    json_decref(doc);
    return rc;
}

struct db_writer article_writes_writer(const struct request *req)
{
    return article_writer(request_actor(req), req->app->config.revisions_keep);
}

int article_writes_reply(struct request *req, unsigned status, db_status st,
                         const struct db_article *article, const struct db_refusal *refused)
{
    char field[64];
    const char *message;
    if (st == DB_OK)
        return reply_written(req, status, article);
    if (st != DB_CONFLICT && st != DB_BAD_REFERENCE)
        return reply_db_status(req, st, "article");
    article_write_refusal(refused, field, sizeof field, &message);
    if (st == DB_CONFLICT)
        return reply_problem(req, 409, PROBLEM_SLUG_CONFLICT, message, NULL);
    return reply_problem(req, 422, PROBLEM_VALIDATION_FAILED, article_write_refusal_detail(refused),
                         json_pack("[{s:s, s:s}]", "field", field, "message", message));
}

/* POST /v1/articles: creates an article; 201 with it and its Location. */
int articles_create(struct request *req)
{
    int rc = MHD_NO;
    struct article_input in;
    struct db_refusal refused = { 0 };
    struct db_article article = { 0 };
    if (!read_article(req, 0, &in, &rc))
        return rc;
    if (!article_writes_allowed(req, NULL, &in, &rc))
        goto out;
    db_conn *c = request_db(req, &rc);
    if (c == NULL)
        goto out;
    struct db_writer by = article_writes_writer(req);
    db_status st = db_article_create(c, &by, &in.write, &article, &refused);
    db_release(c);
    rc = article_writes_reply(req, 201, st, &article, &refused);
out:
    article_input_free(&in);
    db_article_clear(&article);
    return rc;
}

db_status article_writes_expected_version(const struct request *req, db_conn *c, int64_t id,
                                          json_t **current, int64_t *version)
{
    *version = 0;
    if (request_header(req, MHD_HTTP_HEADER_IF_MATCH) == NULL && current == NULL)
        return DB_OK;
    struct db_article article;
    char etag[40];
    db_status st = db_article_get(c, id, &article);
    if (st != DB_OK)
        return st;
    json_t *doc = serialize_article_new(&article);
    etag_of_json(doc, etag, sizeof etag);
    if (!request_if_match(req, etag))
        st = DB_STALE;
    *version = article.version;
    db_article_clear(&article);
    if (current != NULL && st == DB_OK)
        *current = doc;
    else
        json_decref(doc);
    return st;
}

/* PUT /v1/articles/{article}: replaces an article (If-Match optional); a body without
 * published_at keeps the stored one. */
int articles_replace(struct request *req)
{
    int rc = MHD_NO;
    struct article_input in;
    struct db_refusal refused = { 0 };
    struct db_article article = { 0 };
    json_t *current = NULL;
    int64_t id = request_param_id(req, 0), version;
    if (id < 0)
        return reply_bad_id(req);
    if (!read_article(req, id, &in, &rc))
        return rc;
    db_conn *c = request_db(req, &rc);
    if (c == NULL)
        goto out;
    /* a writer's write is checked against the status read, and made only at the version
     * read: an article published meanwhile is not overwritten */
    bool below_editor = request_role(req) < ROLE_EDITOR;
    struct db_writer by = article_writes_writer(req);
    db_status st = article_writes_expected_version(req, c, id, below_editor ? &current : NULL, &version);
    bool allowed = st != DB_OK || article_writes_allowed(req, current, &in, &rc);
    if (st == DB_OK && allowed)
        st = db_article_replace(c, &by, id, version, &in.write, &article, &refused);
    db_release(c);
    if (allowed)
        rc = article_writes_reply(req, 200, st, &article, &refused);
out:
    json_decref(current);
    article_input_free(&in);
    db_article_clear(&article);
    return rc;
}

/* What one merge-patch attempt came to. */
enum patch_outcome {
    PATCH_WRITTEN,  /* db_status says how the write went */
    PATCH_INVALID,  /* the merged article does not pass the checks: errors say why */
    PATCH_REFUSED,  /* the token's role may not make this write: answered already (*rc) */
};

/*
 * One merge-patch attempt: current article + patch, checked, written if the article
 * is still at the version read. PATCH_INVALID with *errors_out when the result is invalid,
 * PATCH_REFUSED with *rc when the token's role may not make the write.
 */
static enum patch_outcome patch_once(struct request *req, db_conn *c, int64_t id,
                                     const json_t *patch, struct db_article *article,
                                     struct db_refusal *refused, db_status *st,
                                     json_t **errors_out, int *rc)
{
    json_t *current = NULL;
    int64_t version;
    struct article_input in;
    if ((*st = article_writes_expected_version(req, c, id, &current, &version)) != DB_OK)
        return PATCH_WRITTEN;
    json_t *merged = article_input_json_from_article_new(current);
    khabar_json_merge_patch(merged, patch);
    json_t *errors = json_array();
    struct article_rules rules = article_rules_of(&req->app->config);
    int checked = article_input_from_json(merged, id, &rules, &in, errors);
    json_decref(merged);
    if (checked < 0) {
        json_decref(current);
        *errors_out = errors;
        return PATCH_INVALID;
    }
    json_decref(errors);
    enum patch_outcome outcome = PATCH_REFUSED;
    if (article_writes_allowed(req, current, &in, rc)) {
        struct db_writer by = article_writes_writer(req);
        *st = db_article_replace(c, &by, id, version, &in.write, article, refused);
        outcome = PATCH_WRITTEN;
    }
    json_decref(current);
    article_input_free(&in);
    return outcome;
}

/* PATCH /v1/articles/{article}: applies a JSON merge patch (RFC 7396) to an article. */
int articles_patch(struct request *req)
{
    int rc = MHD_NO;
    struct db_refusal refused = { 0 };
    struct db_article article = { 0 };
    json_t *errors = NULL;
    int64_t id = request_param_id(req, 0);
    if (id < 0)
        return reply_bad_id(req);
    json_t *patch = request_json_body(req, merge_patch_types, &rc);
    if (patch == NULL)
        return rc;
    if (!json_is_object(patch)) {
        json_decref(patch);
        return reply_invalid(req, json_pack("[{s:s, s:s}]", "field", "", "message",
                                            "a merge patch of an article must be an object"));
    }
    db_conn *c = request_db(req, &rc);
    if (c == NULL)
        goto out;
    db_status st = DB_STALE;
    enum patch_outcome outcome = PATCH_WRITTEN;
    /* Without If-Match a concurrent write just means patching the newer version. */
    for (int i = 0; i < PATCH_ATTEMPTS && st == DB_STALE && outcome == PATCH_WRITTEN; i++) {
        db_article_clear(&article);
        outcome = patch_once(req, c, id, patch, &article, &refused, &st, &errors, &rc);
        if (request_header(req, MHD_HTTP_HEADER_IF_MATCH) != NULL)
            break;
    }
    db_release(c);
    if (outcome == PATCH_INVALID)
        rc = reply_invalid(req, errors);
    else if (outcome == PATCH_WRITTEN)
        rc = article_writes_reply(req, 200, st, &article, &refused);
out:
    json_decref(patch);
    db_article_clear(&article);
    return rc;
}

/* DELETE /v1/articles/{article}: deletes an article (If-Match optional); 204. */
int articles_delete(struct request *req)
{
    int rc = MHD_NO;
    int64_t id = request_param_id(req, 0), version;
    if (id < 0)
        return reply_bad_id(req);
    db_conn *c = request_db(req, &rc);
    if (c == NULL)
        return rc;
    struct db_writer by = article_writes_writer(req);
    db_status st = article_writes_expected_version(req, c, id, NULL, &version);
    if (st == DB_OK)
        st = db_article_delete(c, &by, id, version);
    db_release(c);
    return st == DB_OK ? reply_empty(req, 204) : reply_db_status(req, st, "article");
}
