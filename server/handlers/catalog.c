/* catalog.c: the path keys, bodies and write answers the author and section handlers share. */
#include "catalog.h"
#include "text/url.h"

#include <stdio.h>
#include <stdlib.h>

#include "text/normalize.h"

static const char *const json_types[] = { "application/json", NULL };
static const char *const merge_patch_types[] = { "application/merge-patch+json",
                                                 "application/json", NULL };

char *catalog_path_key_new(struct request *req, const char *what, int *rc)
{
    char *key = text_slug_key_new(req->params[0]);
    if (key != NULL && key[0] != '\0')
        return key;
    free(key);
    *rc = reply_db_status(req, DB_NOT_FOUND, what);
    return NULL;
}

json_t *catalog_body(struct request *req, bool merge_patch, int *rc)
{
    json_t *body = request_json_body(req, merge_patch ? merge_patch_types : json_types, rc);
    if (body != NULL && merge_patch && !json_is_object(body)) {
        json_decref(body);
        *rc = catalog_reply_invalid(req, json_pack("[{s:s, s:s}]", "field", "", "message",
                                                   "a merge patch must be an object"));
        return NULL;
    }
    return body;
}

int catalog_reply_invalid(struct request *req, json_t *errors)
{
    return reply_problem(req, 422, PROBLEM_VALIDATION_FAILED, "some fields are not valid", errors);
}

int catalog_reply_written(struct request *req, unsigned status, db_status st, const json_t *doc,
                          const char *prefix, const char *slug, const char *what)
{
    char detail[96];
    if (st == DB_CONFLICT) {
        snprintf(detail, sizeof detail, "another %s already has this slug", what);
        return reply_problem(req, 409, PROBLEM_SLUG_CONFLICT, detail, NULL);
    }
    if (st != DB_OK)
        return reply_db_status(req, st, what);
    char *location = status == 201 ? url_with_segment_new(prefix, slug) : NULL;
    int rc = reply_entity(req, status, doc, 0, CACHE_NO_STORE, location ? "Location" : NULL, location);
    free(location);
    return rc;
}

int catalog_reply_deleted(struct request *req, db_status st, const struct db_refusal *refused,
                          const char *what, const char *why)
{
    if (st == DB_OK)
        return reply_empty(req, 204);
    if (st == DB_CONFLICT && refused->kind == DB_REFUSAL_IN_USE)
        return reply_problem(req, 409, PROBLEM_IN_USE, why, NULL);
    return reply_db_status(req, st, what);
}
