/* revisions.c: an article's revisions, for token holders only: the list, one revision, and
 * the restore of one as a new version. */
#include <stdint.h>
#include <stdlib.h>

#include "app.h"
#include "handlers/handlers.h"
#include "article_writes.h"
#include "http/http.h"
#include "model/article_input.h"
#include "model/restore.h"
#include "model/serialize.h"

#define RESTORE_ATTEMPTS 3

/* The article of the path; -1 after answering 400. */
static int64_t path_article(struct request *req, int *rc)
{
    int64_t id = request_param_id(req, 0);
    if (id < 0)
        *rc = reply_problem(req, 400, PROBLEM_INVALID_PARAMETER,
                            "the article must be named by its numeric id here", NULL);
    return id;
}

/* The article and version of the path; false after answering 400 or 404 (a version past
 * any an article can have). */
static bool path_revision(struct request *req, int64_t *id, int64_t *version, int *rc)
{
    if ((*id = path_article(req, rc)) < 0)
        return false;
    *version = request_param_id(req, 1);
    if (*version < 0) {
        *rc = reply_problem(req, 400, PROBLEM_INVALID_PARAMETER,
                            "the version must be a whole number from 1", NULL);
        return false;
    }
    if (*version > INT32_MAX) {
        *rc = reply_db_status(req, DB_NOT_FOUND, "revision");
        return false;
    }
    return true;
}

/* Reads limit and cursor; false with why in detail (a 400). */
static bool read_page_args(const struct request *req, int64_t id, unsigned *limit,
                           int64_t *before_version, const char **detail)
{
    const char *cursor = request_query(req, "cursor");
    char key[24];
    int64_t cursor_article = 0;
    *before_version = 0;
    if (!request_query_limit(req, 20, 100, limit))
        return *detail = "limit must be a whole number from 1 to 100", false;
    if (cursor == NULL)
        return true;
    /* a cursor continues the list of the article it was given for, no other */
    if (cursor_decode(cursor, CURSOR_REVISIONS, key, sizeof key, &cursor_article) < 0 ||
        cursor_article != id || (*before_version = strtoll(key, NULL, 10)) < 1)
        return *detail = "cursor is not one this list gave out", false;
    return true;
}

/* GET /v1/articles/{article}/revisions: its revisions newest first, deleted or not. */
int revisions_list(struct request *req)
{
    int rc = MHD_NO;
    const char *detail = NULL;
    unsigned limit;
    int64_t before_version;
    struct db_revision_page rows = { 0 };
    struct list_page page = { 0 };
    struct db_article article = { 0 };
    if (!request_is_authorized(req))
        return reply_unauthorized(req);
    int64_t id = path_article(req, &rc);
    if (id < 0)
        return rc;
    if (!read_page_args(req, id, &limit, &before_version, &detail))
        return reply_problem(req, 400, PROBLEM_INVALID_PARAMETER, detail, NULL);
    db_conn *c = request_db(req, &rc);
    if (c == NULL)
        return rc;
    db_status st = db_revision_list(c, id, before_version, limit, &rows);
    /* no revision at all: an article written before revisions were kept, or none */
    if (st == DB_OK && rows.n == 0 && before_version == 0)
        st = db_article_get(c, id, &article);
    db_release(c);
    if (st != DB_OK) {
        rc = reply_db_status(req, st, "article");
        goto out;
    }
    serialize_revision_page(&rows, &page);
    page.editors_only = true;
    rc = reply_page(req, &page, CURSOR_REVISIONS);
out:
    json_decref(page.items);
    db_revision_page_clear(&rows);
    db_article_clear(&article);
    return rc;
}

/* GET /v1/articles/{article}/revisions/{version}: one revision with the article as it was. */
int revisions_get(struct request *req)
{
    int rc = MHD_NO;
    int64_t id, version;
    struct db_revision rev;
    if (!request_is_authorized(req))
        return reply_unauthorized(req);
    if (!path_revision(req, &id, &version, &rc))
        return rc;
    db_conn *c = request_db(req, &rc);
    if (c == NULL)
        return rc;
    db_status st = db_revision_get(c, id, version, &rev);
    db_release(c);
    if (st == DB_OK) {
        json_t *doc = serialize_revision_new(&rev, true);
        rc = reply_entity(req, 200, doc, 0, CACHE_PRIVATE, NULL, NULL);
        json_decref(doc);
    } else {
        rc = reply_db_status(req, st, "revision");
    }
    db_revision_clear(&rev);
    return rc;
}

/* Drops from the input's related list the articles deleted since the revision: the rest
 * of the revision's links are restored. */
static db_status drop_deleted_related(db_conn *c, json_t *input)
{
    json_t *related = json_object_get(input, "related");
    for (size_t i = 0; i < json_array_size(related);) {
        struct db_article other;
        db_status st = db_article_get(c, (int64_t)json_integer_value(json_array_get(related, i)),
                                      &other);
        db_article_clear(&other);
        if (st == DB_NOT_FOUND)
            json_array_remove(related, i);
        else if (st != DB_OK)
            return st;
        else
            i++;
    }
    return DB_OK;
}

/* What one restore attempt came to. */
enum restore_outcome {
    RESTORE_WRITTEN, /* db_status says how the write went */
    RESTORE_INVALID, /* the restored article does not pass today's checks: errors say why */
    RESTORE_REFUSED, /* the token's role may not write this article: answered already (*rc) */
};

/* One attempt: the revision's content onto the article as it now is, written if the
 * article is still at the version read (DB_NOT_FOUND: it was deleted). */
static enum restore_outcome restore_once(struct request *req, db_conn *c, int64_t id,
                                         int64_t version, const json_t *old,
                                         struct db_article *article, struct db_refusal *refused,
                                         db_status *st, json_t **errors_out, int *rc)
{
    json_t *current = NULL;
    int64_t expected;
    struct article_input in;
    if ((*st = article_writes_expected_version(req, c, id, &current, &expected)) != DB_OK)
        return RESTORE_WRITTEN;
    json_t *input = restore_input_new(old, current);
    if ((*st = drop_deleted_related(c, input)) != DB_OK) {
        json_decref(current);
        json_decref(input);
        return RESTORE_WRITTEN;
    }
    json_t *errors = json_array();
    struct article_rules rules = article_rules_of(&req->app->config);
    int checked = article_input_from_json(input, id, &rules, &in, errors);
    json_decref(input);
    if (checked < 0) {
        json_decref(current);
        *errors_out = errors;
        return RESTORE_INVALID;
    }
    json_decref(errors);
    bool allowed = article_writes_allowed(req, current, &in, rc);
    json_decref(current);
    if (!allowed) {
        article_input_free(&in);
        return RESTORE_REFUSED;
    }
    struct db_writer by = article_writes_writer(req);
    by.restored_from = version;
    *st = db_article_replace(c, &by, id, expected, &in.write, article, refused);
    article_input_free(&in);
    return RESTORE_WRITTEN;
}

static int reply_deleted(struct request *req)
{
    return reply_problem(req, 409, PROBLEM_ARTICLE_DELETED,
                         "the article was deleted; its revisions stay readable, and one can be "
                         "created again with POST /v1/articles", NULL);
}

/* POST /v1/articles/{article}/revisions/{version}/restore: a new version with that
 * version's content (If-Match optional); 200 with the article, as PUT answers. */
int revisions_restore(struct request *req)
{
    int rc = MHD_NO;
    int64_t id, version;
    struct db_revision rev = { 0 };
    struct db_refusal refused = { 0 };
    struct db_article article = { 0 };
    json_t *old = NULL, *errors = NULL;
    if (!path_revision(req, &id, &version, &rc))
        return rc;
    db_conn *c = request_db(req, &rc);
    if (c == NULL)
        return rc;
    db_status st = db_revision_get(c, id, version, &rev);
    bool deletion = st == DB_OK && rev.representation == NULL; /* the article is gone */
    if (st == DB_OK && !deletion && (old = json_loads(rev.representation, 0, NULL)) == NULL)
        st = DB_ERROR;
    enum restore_outcome outcome = RESTORE_WRITTEN;
    /* Without If-Match a concurrent write just means restoring onto the newer version. */
    for (int i = 0; old != NULL && i < RESTORE_ATTEMPTS; i++) {
        db_article_clear(&article);
        outcome = restore_once(req, c, id, version, old, &article, &refused, &st, &errors, &rc);
        if (st != DB_STALE || outcome != RESTORE_WRITTEN ||
            request_header(req, MHD_HTTP_HEADER_IF_MATCH) != NULL)
            break;
    }
    db_release(c);
    if (deletion || (old != NULL && st == DB_NOT_FOUND))
        rc = reply_deleted(req); /* the revision exists, its article does not */
    else if (old == NULL)
        rc = reply_db_status(req, st, "revision");
    else if (outcome == RESTORE_INVALID)
        rc = reply_problem(req, 422, PROBLEM_VALIDATION_FAILED,
                           "the revision's content does not pass today's checks", errors);
    else if (outcome != RESTORE_REFUSED) /* refused: answered 403 already */
        rc = article_writes_reply(req, 200, st, &article, &refused);
    json_decref(old);
    db_revision_clear(&rev);
    db_article_clear(&article);
    return rc;
}
