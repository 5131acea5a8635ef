/* sections.c: the section resource: the list in order, one section by slug, editors' writes, and its front. */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "catalog.h"
#include "feeds.h"
#include "handlers/handlers.h"
#include "infra/jobs.h"
#include "infra/strict_json.h"
#include "model/article_write.h"
#include "model/catalog_input.h"
#include "model/serialize.h"

#define SECTION_LIST_DEFAULT_LIMIT 50
#define FRONT_DEFAULT_LIMIT 20

/* limit and cursor of a page; false after answering 400. */
static bool read_page_args(struct request *req, unsigned def, enum cursor_kind kind, unsigned *limit,
                           char *after, size_t after_size, int64_t *after_id, int *rc)
{
    const char *cursor = request_query(req, "cursor");
    *after_id = 0;
    after[0] = '\0';
    if (!request_query_limit(req, def, 100, limit))
        return *rc = reply_problem(req, 400, PROBLEM_INVALID_PARAMETER,
                                   "limit must be a whole number from 1 to 100", NULL), false;
    if (cursor != NULL && cursor_decode(cursor, kind, after, after_size, after_id) < 0)
        return *rc = reply_problem(req, 400, PROBLEM_INVALID_PARAMETER,
                                   "cursor is not one this list gave out", NULL), false;
    return true;
}

/* GET /v1/sections for requests taken together: sections in the editors' order (position,
 * then age), every page read in one round trip. */
void sections_list_many(struct request *const *reqs, size_t n, int *rcs)
{
    struct name_query queries[JOBS_BATCH_MAX] = { 0 };
    const struct name_query *asked[JOBS_BATCH_MAX];
    struct db_section_page rows[JOBS_BATCH_MAX];
    db_status st[JOBS_BATCH_MAX];
    size_t of[JOBS_BATCH_MAX] = { 0 }, m = 0;
    char after[48];
    for (size_t i = 0; i < n; i++)
        if (read_page_args(reqs[i], SECTION_LIST_DEFAULT_LIMIT, CURSOR_SECTIONS, &queries[i].limit,
                           after, sizeof after, &queries[i].after_id, &rcs[i])) {
            queries[i].after_key = queries[i].after_id ? strtoll(after, NULL, 10) : 0;
            asked[m] = &queries[i];
            of[m++] = i;
        }
    db_conn *c = request_db_for_all(reqs, of, &m, rcs);
    if (c != NULL) {
        db_section_lists(c, asked, m, rows, st);
        db_release(c);
    }
    for (size_t k = 0; k < m; k++) {
        struct list_page page = { 0 };
        if (st[k] == DB_OK)
            serialize_section_page(&rows[k], &page);
        rcs[of[k]] = reply_page_read(reqs[of[k]], st[k], &page, CURSOR_SECTIONS, "list");
        db_section_page_clear(&rows[k]);
    }
}

/* GET /v1/sections for one request. */
int sections_list(struct request *req)
{
    int rc = MHD_NO;
    sections_list_many(&req, 1, &rc);
    return rc;
}

/* GET /v1/sections/{section}: one section by slug. */
int sections_get(struct request *req)
{
    int rc = MHD_NO;
    struct db_section section = { 0 };
    char *key = catalog_path_key_new(req, "section", &rc);
    db_conn *c = key ? request_db(req, &rc) : NULL;
    if (c != NULL) {
        int64_t last_modified = 0;
        db_status st = db_section_get(c, key, &section);
        if (st == DB_OK)
            st = db_last_change(c, &last_modified);
        db_release(c);
        json_t *doc = st == DB_OK ? serialize_section_new(&section) : NULL;
        rc = st == DB_OK ? reply_entity(req, 200, doc, last_modified, CACHE_LIST, NULL, NULL)
                         : reply_db_status(req, st, "section");
        json_decref(doc);
    }
    free(key);
    db_section_clear(&section);
    return rc;
}

/* Checks obj as a section; false after answering 422. */
static bool check_section(struct request *req, const json_t *obj, struct section_input *in, int *rc)
{
    json_t *errors = json_array();
    if (section_input_from_json(obj, in, errors) == 0) {
        json_decref(errors);
        return true;
    }
    *rc = catalog_reply_invalid(req, errors);
    return false;
}

/* Writes in (create when key is NULL, else replace the section at key) and answers. */
static int write_section(struct request *req, const char *key, const struct section_input *in)
{
    int rc = MHD_NO;
    struct db_section section = { 0 };
    db_conn *c = request_db(req, &rc);
    if (c == NULL)
        return rc;
    db_status st = key ? db_section_replace(c, key, &in->write, &section)
                       : db_section_create(c, &in->write, &section);
    db_release(c);
    json_t *doc = st == DB_OK ? serialize_section_new(&section) : NULL;
    rc = catalog_reply_written(req, key ? 200 : 201, st, doc, "/v1/sections/", section.slug,
                               "section");
    json_decref(doc);
    db_section_clear(&section);
    return rc;
}

/* POST /v1/sections: creates a section (editors); without a position it comes last. */
int sections_create(struct request *req)
{
    int rc = MHD_NO;
    struct section_input in = { 0 };
    json_t *body = catalog_body(req, false, &rc);
    if (body != NULL && check_section(req, body, &in, &rc))
        rc = write_section(req, NULL, &in);
    json_decref(body);
    section_input_free(&in);
    return rc;
}

/* PUT /v1/sections/{section}: replaces a section (editors); without a position it keeps its own. */
int sections_replace(struct request *req)
{
    int rc = MHD_NO;
    struct section_input in = { 0 };
    char *key = catalog_path_key_new(req, "section", &rc);
    json_t *body = key ? catalog_body(req, false, &rc) : NULL;
    if (body != NULL && check_section(req, body, &in, &rc))
        rc = write_section(req, key, &in);
    json_decref(body);
    section_input_free(&in);
    free(key);
    return rc;
}

/* PATCH /v1/sections/{section}: applies a JSON merge patch (RFC 7396) to a section (editors). */
int sections_patch(struct request *req)
{
    int rc = MHD_NO;
    struct section_input in = { 0 };
    struct db_section current = { 0 };
    json_t *merged = NULL;
    char *key = catalog_path_key_new(req, "section", &rc);
    json_t *patch = key ? catalog_body(req, true, &rc) : NULL;
    db_conn *c = patch ? request_db(req, &rc) : NULL;
    if (c == NULL)
        goto out;
    db_status st = db_section_get(c, key, &current);
    db_release(c);
    if (st != DB_OK) {
        rc = reply_db_status(req, st, "section");
        goto out;
    }
    json_t *stored = serialize_section_new(&current);
    merged = catalog_input_json_new(stored);
    json_decref(stored);
    khabar_json_merge_patch(merged, patch);
    if (check_section(req, merged, &in, &rc))
        rc = write_section(req, key, &in);
out:
    json_decref(patch);
    json_decref(merged);
    section_input_free(&in);
    db_section_clear(&current);
    free(key);
    return rc;
}

/* DELETE /v1/sections/{section}: deletes a section (editors); refused (409) while articles are in it. */
int sections_delete(struct request *req)
{
    int rc = MHD_NO;
    struct db_refusal refused = { 0 };
    char *key = catalog_path_key_new(req, "section", &rc);
    db_conn *c = key ? request_db(req, &rc) : NULL;
    if (c != NULL) {
        db_status st = db_section_delete(c, key, &refused);
        db_release(c);
        rc = catalog_reply_deleted(req, st, &refused, "section",
                                   "articles are still in the section: move them first");
    }
    free(key);
    return rc;
}

/* The front's answer from what was read (st DB_OK: front). */
static int answer_front(struct request *req, db_status st, const struct db_front *front)
{
    struct list_page page = { 0 };
    /* the section's feeds, named as the path names the section */
    char *feeds = st == DB_OK ? feed_alternates_new(req, "section", req->params[0]) : NULL;
    if (st == DB_OK)
        serialize_front_page(front, &page);
    page.links = feeds;
    int rc = reply_page_read(req, st, &page, CURSOR_FRONT, "section");
    free(feeds);
    return rc;
}

/* GET /v1/sections/{section}/front for requests taken together: the pinned public articles
 * in the editors' order, then the section's newest public articles, without repeats; later
 * pages continue the newest. The sections found in one round trip, the pages in another. */
void front_get_many(struct request *const *reqs, size_t n, int *rcs)
{
    struct front_query queries[JOBS_BATCH_MAX] = { 0 };
    const struct front_query *asked[JOBS_BATCH_MAX];
    struct db_front fronts[JOBS_BATCH_MAX];
    db_status st[JOBS_BATCH_MAX];
    char *keys[JOBS_BATCH_MAX] = { 0 }, after[JOBS_BATCH_MAX][48];
    size_t of[JOBS_BATCH_MAX] = { 0 }, m = 0;
    for (size_t i = 0; i < n; i++) {
        keys[i] = catalog_path_key_new(reqs[i], "section", &rcs[i]);
        if (keys[i] != NULL && read_page_args(reqs[i], FRONT_DEFAULT_LIMIT, CURSOR_FRONT,
                                              &queries[i].limit, after[i], sizeof after[i],
                                              &queries[i].after_id, &rcs[i])) {
            queries[i].section_key = keys[i];
            queries[i].after_time = after[i];
            asked[m] = &queries[i];
            of[m++] = i;
        }
    }
    db_conn *c = request_db_for_all(reqs, of, &m, rcs);
    if (c != NULL) {
        db_fronts_get(c, asked, m, fronts, st);
        db_release(c);
    }
    for (size_t k = 0; k < m; k++) {
        rcs[of[k]] = answer_front(reqs[of[k]], st[k], &fronts[k]);
        db_front_clear(&fronts[k]);
    }
    for (size_t i = 0; i < n; i++)
        free(keys[i]);
}

/* GET /v1/sections/{section}/front for one request. */
int front_get(struct request *req)
{
    int rc = MHD_NO;
    front_get_many(&req, 1, &rc);
    return rc;
}

/* PUT /v1/sections/{section}/front: sets the front's pinned articles (editors), a JSON list
 * of article ids in order; 204. */
int front_put(struct request *req)
{
    int rc = MHD_NO;
    struct db_refusal refused = { 0 };
    json_t *ids = NULL, *errors = json_array();
    char *key = catalog_path_key_new(req, "section", &rc);
    json_t *body = key ? catalog_body(req, false, &rc) : NULL;
    if (body != NULL && (ids = front_input_new(body, errors)) == NULL) {
        rc = catalog_reply_invalid(req, errors);
        errors = NULL;
    }
    db_conn *c = ids ? request_db(req, &rc) : NULL;
    if (c != NULL) {
        char field[64];
        const char *message;
        db_status st = db_front_set(c, key, ids, &refused);
        db_release(c);
        article_write_refusal(&refused, field, sizeof field, &message);
        rc = st == DB_OK ? reply_empty(req, 204)
             : st == DB_BAD_REFERENCE
                 ? catalog_reply_invalid(req, json_pack("[{s:s, s:s}]", "field", field, "message",
                                                        message))
                 : reply_db_status(req, st, "section");
    }
    json_decref(errors);
    json_decref(ids);
    json_decref(body);
    free(key);
    return rc;
}
