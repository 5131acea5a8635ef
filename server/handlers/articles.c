/* handlers_articles.c: the article resource: create, read by id or slug, list, replace, patch, delete. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "infra/strict_json.h"
#include "model/article_input.h"
#include "handlers/handlers.h"
#include "text/search.h"
#include "http/http.h"
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

int articles_get(struct request *req)
{
    int rc = MHD_NO;
    json_t *article = NULL;
    int64_t last_modified = 0;
    db_conn *c = request_db(req, &rc);
    if (c == NULL)
        return rc;
    db_status st = find_article(req, c, &article, &last_modified);
    db_release(c);
    if (st == DB_OK) {
        /* by id or by slug, the cached answer goes when this article changes */
        req->cache_article_id = json_integer_value(json_object_get(article, "id"));
        rc = reply_entity(req, 200, article, last_modified, CACHE_ARTICLE, NULL, NULL);
    }
    else
        rc = reply_db_status(req, st, "article", NULL);
    json_decref(article);
    return rc;
}

/* Owned strings behind an article_query, released together. */
struct list_args {
    struct article_query q;
    char *tag_key, *source_key;
    struct search_query *search;
    char after[48];
};

static void list_args_free(struct list_args *a)
{
    free(a->tag_key);
    free(a->source_key);
    search_query_free(a->search);
}

/* A query argument that must be an RFC 3339 time when present. */
static bool time_arg(const struct request *req, const char *name, const char **out)
{
    *out = request_query(req, name);
    return *out == NULL || rfc3339_is_valid(*out);
}

/* Reads the list's query arguments; false with why in detail (a 400). */
static bool read_list_args(const struct request *req, struct list_args *a, char *detail,
                           size_t size)
{
    const char *tag = request_query(req, "tag"), *source = request_query(req, "source");
    const char *q = request_query(req, "q"), *cursor = request_query(req, "cursor");
    memset(a, 0, sizeof *a);
    if (!request_query_limit(req, 20, 100, &a->q.limit))
        return snprintf(detail, size, "limit must be a whole number from 1 to 100"), false;
    if (!time_arg(req, "from", &a->q.from) || !time_arg(req, "to", &a->q.to))
        return snprintf(detail, size, "from and to must be RFC 3339 times such as "
                                      "2024-05-19T00:00:00Z"), false;
    a->q.lang = request_query(req, "lang");
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
    }
    /* An unknown tag or source is an empty page, not an error: keys that fit nothing. */
    if (tag != NULL && (a->tag_key = text_slug_key_new(tag)) == NULL)
        a->tag_key = strdup("-");
    if (source != NULL && (a->source_key = text_normalize_new(source)) == NULL)
        a->source_key = strdup("-");
    a->q.tag_key = a->tag_key;
    a->q.source_key = a->source_key;
    if (cursor != NULL) {
        enum cursor_kind kind = a->search ? CURSOR_RANKED : CURSOR_NEWEST;
        if (cursor_decode(cursor, kind, a->after, sizeof a->after, &a->q.after_id) < 0)
            return snprintf(detail, size, "cursor is not one this list gave out"), false;
        a->q.after_time = a->after;
        a->q.after_rank = a->after;
    }
    return true;
}

/* Search results carry a snippet of the matched text instead of the body. */
static void add_snippets(json_t *items, const struct search_query *search)
{
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item) {
        const char *texts[3] = { json_string_value(json_object_get(item, "title")),
                                 json_string_value(json_object_get(item, "summary")),
                                 json_string_value(json_object_get(item, "body")) };
        char *snippet = search_snippet_new(search, texts, 3);
        json_object_set_new(item, "snippet", snippet ? json_string(snippet) : json_null());
        json_object_del(item, "body");
        free(snippet);
    }
}

int articles_list(struct request *req)
{
    int rc = MHD_NO;
    char detail[192];
    struct list_args args;
    struct list_page page = { 0 };
    if (!read_list_args(req, &args, detail, sizeof detail)) {
        list_args_free(&args);
        return reply_problem(req, 400, PROBLEM_INVALID_PARAMETER, detail, NULL);
    }
    db_conn *c = request_db(req, &rc);
    if (c == NULL)
        goto out;
    db_status st = db_article_list(c, &args.q, &page);
    db_release(c);
    if (st != DB_OK) {
        rc = reply_db_status(req, st, "article", NULL);
        goto out;
    }
    if (args.search != NULL)
        add_snippets(page.items, args.search);
    rc = reply_page(req, &page, args.search ? CURSOR_RANKED : CURSOR_NEWEST);
out:
    json_decref(page.items);
    list_args_free(&args);
    return rc;
}

/* The checked article of a POST or PUT body; false after answering 400, 415 or 422. */
static bool read_article(struct request *req, int64_t self_id, struct article_input *in, int *rc)
{
    json_t *body = request_json_body(req, json_types, rc);
    if (body == NULL)
        return false;
    json_t *errors = json_array();
    bool ok = article_input_from_json(body, self_id, in, errors) == 0;
    json_decref(body);
    if (ok)
        json_decref(errors);
    else
        *rc = reply_invalid(req, errors);
    return ok;
}

/* 201 or 200 with the written article; Location on creation. */
static int reply_written(struct request *req, unsigned status, const json_t *article)
{
    char location[64];
    snprintf(location, sizeof location, "/v1/articles/%" JSON_INTEGER_FORMAT,
             json_integer_value(json_object_get(article, "id")));
    return reply_entity(req, status, article, 0, CACHE_NO_STORE, status == 201 ? "Location" : NULL,
                        location);
}

int articles_create(struct request *req)
{
    int rc = MHD_NO;
    struct article_input in;
    struct db_problem problem = { "", "" };
    json_t *article = NULL;
    if (!read_article(req, 0, &in, &rc))
        return rc;
    db_conn *c = request_db(req, &rc);
    if (c == NULL)
        goto out;
    db_status st = db_article_create(c, &in, &article, &problem);
    db_release(c);
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

int articles_replace(struct request *req)
{
    int rc = MHD_NO;
    struct article_input in;
    struct db_problem problem = { "", "" };
    json_t *article = NULL;
    int64_t id = request_param_id(req, 0), version;
    if (id < 0)
        return reply_bad_id(req);
    if (!read_article(req, id, &in, &rc))
        return rc;
    db_conn *c = request_db(req, &rc);
    if (c == NULL)
        goto out;
    db_status st = expected_version(req, c, id, NULL, &version);
    if (st == DB_OK)
        st = db_article_replace(c, id, version, &in, &article, &problem);
    db_release(c);
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
    khabar_json_merge_patch(merged, patch);
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

int articles_patch(struct request *req)
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
    db_release(c);
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

int articles_delete(struct request *req)
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
    db_release(c);
    return st == DB_OK ? reply_empty(req, 204) : reply_db_status(req, st, "article", NULL);
}
