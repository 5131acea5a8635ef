/* handlers_articles.c: the article resource: create, read by id or slug, list, replace, patch, delete. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "article_input.h"
#include "handlers.h"
#include "http.h"
#include "text.h"

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
static db_status find_article(const struct request *req, db_conn *c, json_t **article,
                              int64_t *last_modified)
{
    int64_t id = request_param_id(req, 0);
    if (id > 0)
        return db_article_get(c, id, article, last_modified);
    char *key = text_slug_key_new(req->params[0]);
    db_status st = key && key[0] ? db_article_get_by_slug_key(c, key, article, last_modified)
                                 : DB_NOT_FOUND;
    free(key);
    return st;
}

int articles_get(struct request *req, const struct app *app)
{
    int rc = MHD_NO;
    json_t *article = NULL;
    int64_t last_modified = 0;
    db_conn *c = request_db(req, &rc);
    if (c == NULL)
        return rc;
    db_status st = find_article(req, c, &article, &last_modified);
    db_release(app->db, c);
    if (st == DB_OK)
        rc = reply_entity(req, 200, article, last_modified, CACHE_ARTICLE, NULL);
    else
        rc = reply_db_status(req, st, "article", NULL);
    json_decref(article);
    return rc;
}

int articles_list(struct request *req, const struct app *app)
{
    int rc = MHD_NO;
    unsigned limit;
    json_t *items = NULL;
    if (!request_query_limit(req, 20, 100, &limit))
        return reply_problem(req, 400, PROBLEM_INVALID_PARAMETER,
                             "limit must be a whole number from 1 to 100", NULL);
    db_conn *c = request_db(req, &rc);
    if (c == NULL)
        return rc;
    db_status st = db_article_list(c, limit, &items);
    db_release(app->db, c);
    if (st != DB_OK)
        return reply_db_status(req, st, "article", NULL);
    json_t *page = json_pack("{s:o, s:n}", "data", items, "next_cursor");
    rc = reply_entity(req, 200, page, 0, CACHE_LIST, NULL);
    json_decref(page);
    return rc;
}

/* 201 or 200 with the written article; Location on creation. */
static int reply_written(struct request *req, unsigned status, const json_t *article)
{
    char location[64];
    snprintf(location, sizeof location, "/v1/articles/%" JSON_INTEGER_FORMAT,
             json_integer_value(json_object_get(article, "id")));
    return reply_entity(req, status, article, 0, CACHE_NO_STORE, status == 201 ? location : NULL);
}

int articles_create(struct request *req, const struct app *app)
{
    int rc = MHD_NO;
    struct article_input in;
    struct db_problem problem = { "", "" };
    json_t *article = NULL;
    json_t *body = request_json_body(req, json_types, &rc);
    if (body == NULL)
        return rc;
    json_t *errors = json_array();
    if (article_input_from_json(body, 0, &in, errors) < 0) {
        json_decref(body);
        return reply_invalid(req, errors);
    }
    json_decref(errors);
    json_decref(body);
    db_conn *c = request_db(req, &rc);
    if (c == NULL)
        goto out;
    db_status st = db_article_create(c, &in, &article, &problem);
    db_release(app->db, c);
    rc = st == DB_OK ? reply_written(req, 201, article)
                     : reply_db_status(req, st, "article", &problem);
out:
    article_input_free(&in);
    json_decref(article);
    return rc;
}

/*
 * The version a conditional write must find: with If-Match, the current article's,
 * after checking its ETag (DB_STALE when it differs); without, 0 (any).
 */
static db_status expected_version(const struct request *req, db_conn *c, int64_t id,
                                  json_t **current, int64_t *version)
{
    *version = 0;
    if (request_header(req, MHD_HTTP_HEADER_IF_MATCH) == NULL && current == NULL)
        return DB_OK;
    json_t *article = NULL;
    char etag[40];
    db_status st = db_article_get(c, id, &article, NULL);
    if (st != DB_OK)
        return st;
    etag_of_json(article, etag, sizeof etag);
    if (!request_if_match(req, etag))
        st = DB_STALE;
    *version = json_integer_value(json_object_get(article, "version"));
    if (current != NULL && st == DB_OK)
        *current = article;
    else
        json_decref(article);
    return st;
}

int articles_replace(struct request *req, const struct app *app)
{
    int rc = MHD_NO;
    struct article_input in;
    struct db_problem problem = { "", "" };
    json_t *article = NULL;
    int64_t id = request_param_id(req, 0), version;
    if (id < 0)
        return reply_bad_id(req);
    json_t *body = request_json_body(req, json_types, &rc);
    if (body == NULL)
        return rc;
    json_t *errors = json_array();
    if (article_input_from_json(body, id, &in, errors) < 0) {
        json_decref(body);
        return reply_invalid(req, errors);
    }
    json_decref(errors);
    json_decref(body);
    db_conn *c = request_db(req, &rc);
    if (c == NULL)
        goto out;
    db_status st = expected_version(req, c, id, NULL, &version);
    if (st == DB_OK)
        st = db_article_replace(c, id, version, &in, &article, &problem);
    db_release(app->db, c);
    rc = st == DB_OK ? reply_written(req, 200, article)
                     : reply_db_status(req, st, "article", &problem);
out:
    article_input_free(&in);
    json_decref(article);
    return rc;
}

/*
 * One merge-patch attempt: current article + patch, checked, written if the article
 * is still at the version read. *errors_out is set when the result is invalid.
 */
static db_status patch_once(struct request *req, db_conn *c, int64_t id, const json_t *patch,
                            json_t **article, json_t **errors_out, struct db_problem *problem)
{
    json_t *current = NULL;
    int64_t version;
    struct article_input in;
    db_status st = expected_version(req, c, id, &current, &version);
    if (st != DB_OK)
        return st;
    json_t *merged = article_input_json_from_article_new(current);
    json_decref(current);
    json_merge_patch(merged, patch);
    json_t *errors = json_array();
    if (article_input_from_json(merged, id, &in, errors) < 0) {
        json_decref(merged);
        *errors_out = errors;
        return DB_ERROR;
    }
    json_decref(errors);
    json_decref(merged);
    st = db_article_replace(c, id, version, &in, article, problem);
    article_input_free(&in);
    return st;
}

int articles_patch(struct request *req, const struct app *app)
{
    int rc = MHD_NO;
    struct db_problem problem = { "", "" };
    json_t *article = NULL, *errors = NULL;
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
    /* Without If-Match a concurrent write just means patching the newer version. */
    for (int i = 0; i < PATCH_ATTEMPTS && st == DB_STALE && errors == NULL; i++) {
        st = patch_once(req, c, id, patch, &article, &errors, &problem);
        if (request_header(req, MHD_HTTP_HEADER_IF_MATCH) != NULL)
            break;
    }
    db_release(app->db, c);
    if (errors != NULL)
        rc = reply_invalid(req, errors);
    else
        rc = st == DB_OK ? reply_written(req, 200, article)
                         : reply_db_status(req, st, "article", &problem);
out:
    json_decref(patch);
    json_decref(article);
    return rc;
}

int articles_delete(struct request *req, const struct app *app)
{
    int rc = MHD_NO;
    int64_t id = request_param_id(req, 0), version;
    if (id < 0)
        return reply_bad_id(req);
    db_conn *c = request_db(req, &rc);
    if (c == NULL)
        return rc;
    db_status st = expected_version(req, c, id, NULL, &version);
    if (st == DB_OK)
        st = db_article_delete(c, id, version);
    db_release(app->db, c);
    return st == DB_OK ? reply_empty(req, 204) : reply_db_status(req, st, "article", NULL);
}
