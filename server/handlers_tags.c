/* handlers_tags.c: tags (found by slug or name in any letter variant) and sources, with counts. */
#include <stdlib.h>

#include "app.h"
#include "handlers.h"
#include "http.h"
#include "text.h"

#define TAGS_DEFAULT_LIMIT 50

int tags_get(struct request *req, const struct app *app)
{
    int rc = MHD_NO;
    json_t *tag = NULL;
    char *key = text_slug_key_new(req->params[0]);
    if (key == NULL || key[0] == '\0') {
        free(key);
        return reply_db_status(req, DB_NOT_FOUND, "tag", NULL);
    }
    db_conn *c = request_db(req, &rc);
    if (c != NULL) {
        db_status st = db_tag_get(c, key, &tag);
        db_release(app->db, c);
        rc = st == DB_OK ? reply_entity(req, 200, tag, 0, CACHE_LIST, NULL)
                         : reply_db_status(req, st, "tag", NULL);
    }
    free(key);
    json_decref(tag);
    return rc;
}

/* A {"data": [...], "next_cursor": null} list from one of the list functions. */
static int list(struct request *req, const struct app *app,
                db_status (*fetch)(db_conn *, unsigned, json_t **))
{
    int rc = MHD_NO;
    unsigned limit;
    json_t *items = NULL;
    if (!request_query_limit(req, TAGS_DEFAULT_LIMIT, 100, &limit))
        return reply_problem(req, 400, PROBLEM_INVALID_PARAMETER,
                             "limit must be a whole number from 1 to 100", NULL);
    db_conn *c = request_db(req, &rc);
    if (c == NULL)
        return rc;
    db_status st = fetch(c, limit, &items);
    db_release(app->db, c);
    if (st != DB_OK)
        return reply_db_status(req, st, "list", NULL);
    json_t *page = json_pack("{s:o, s:n}", "data", items, "next_cursor");
    rc = reply_entity(req, 200, page, 0, CACHE_LIST, NULL);
    json_decref(page);
    return rc;
}

int tags_list(struct request *req, const struct app *app)
{
    return list(req, app, db_tag_list);
}

int sources_list(struct request *req, const struct app *app)
{
    return list(req, app, db_source_list);
}
