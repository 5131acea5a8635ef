/* related.c: "read also" links of an article: list, add (idempotent), remove. */
#include <stdlib.h>

#include "app.h"
#include "handlers/handlers.h"
#include "article_writes.h"
#include "http/http.h"
#include "model/serialize.h"

/* GET /v1/articles/{article}/related: the article's "read also" list, in order. */
int related_list(struct request *req)
{
    int rc = MHD_NO;
    char *items = NULL;
    int64_t id = request_param_id(req, 0);
    if (id < 0)
        return reply_problem(req, 400, PROBLEM_INVALID_PARAMETER,
                             "the article must be named by its numeric id here", NULL);
    db_conn *c = request_db(req, &rc);
    if (c == NULL)
        return rc;
    int64_t last_modified = 0;
    bool editor = request_is_authorized(req);
    db_status st = db_related_list(c, id, editor, &items);
    if (st == DB_OK)
        st = db_last_change(c, &last_modified);
    db_release(c);
    if (st != DB_OK) {
        free(items);
        return reply_db_status(req, st, "article");
    }
    json_t *doc = serialize_related_list_new(items);
    free(items);
    /* an editor's answer may be of an article that is not public: never kept */
    rc = reply_entity(req, 200, doc, last_modified, editor ? CACHE_PRIVATE : CACHE_LIST, NULL, NULL);
    json_decref(doc);
    return rc;
}

/* Both ends of a link from the path; false after answering 400 or 422. */
static bool link_ends(struct request *req, int64_t *id, int64_t *other, int *rc)
{
    *id = request_param_id(req, 0);
    *other = request_param_id(req, 1);
    if (*id < 0 || *other < 0) {
        *rc = reply_problem(req, 400, PROBLEM_INVALID_PARAMETER,
                            "both articles must be named by their numeric ids", NULL);
        return false;
    }
    if (*id == *other) {
        *rc = reply_problem(req, 422, PROBLEM_VALIDATION_FAILED, "some fields are not valid",
                            json_pack("[{s:s, s:s}]", "field", "other", "message",
                                      "an article cannot be related to itself"));
        return false;
    }
    return true;
}

/* Runs one link change and answers 204, or the problem (missing: what 404 says is not there). */
static int change(struct request *req,
                  db_status (*op)(db_conn *, const struct db_writer *, int64_t, int64_t),
                  const char *missing)
{
    int rc = MHD_NO;
    int64_t id, other;
    if (!link_ends(req, &id, &other, &rc))
        return rc;
    db_conn *c = request_db(req, &rc);
    if (c == NULL)
        return rc;
    struct db_writer by = article_writes_writer(req);
    db_status st = op(c, &by, id, other);
    db_release(c);
    return st == DB_OK ? reply_empty(req, 204) : reply_db_status(req, st, missing);
}

/* PUT /v1/articles/{article}/related/{other}: links other to the article (idempotent); 204. */
int related_add(struct request *req)
{
    return change(req, db_related_add, "article");
}

/* DELETE /v1/articles/{article}/related/{other}: removes the link; 204. */
int related_remove(struct request *req)
{
    return change(req, db_related_remove, "article or link");
}
