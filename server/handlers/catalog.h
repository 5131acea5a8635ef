/* catalog.h: what the author and section handlers share: their path's key, bodies, and
 * the answers to their writes. Only server/handlers/ includes this. */
#ifndef KHABAR_CATALOG_H
#define KHABAR_CATALOG_H

#include "http/http.h"

/* The lookup key of the slug in the path (any letter variant); NULL when it has none
 * (after answering 404 naming what, or 500 on no memory). Caller frees. */
char *catalog_path_key_new(struct request *req, const char *what, int *rc);
/* A POST or PUT body (JSON) or a PATCH body (a merge patch, an object); NULL after answering. */
json_t *catalog_body(struct request *req, bool merge_patch, int *rc);
/* 422 with errors (taken over). */
int catalog_reply_invalid(struct request *req, json_t *errors);
/* The answer to a write of one author or section: doc (kept the caller's) with 201 and
 * Location (prefix + slug) or 200, or the status refused (a taken slug: 409). */
int catalog_reply_written(struct request *req, unsigned status, db_status st, const json_t *doc,
                          const char *prefix, const char *slug, const char *what);
/* The answer to a delete: 204, 404, or 409 while articles still name it (why says how). */
int catalog_reply_deleted(struct request *req, db_status st, const struct db_refusal *refused,
                          const char *what, const char *why);

#endif
