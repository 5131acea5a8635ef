/* handlers_tags.c: tags (found by slug or name in any letter variant) and sources, with counts. */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "handlers/handlers.h"
#include "http/http.h"
#include "text/normalize.h"

#define TAGS_DEFAULT_LIMIT 50

int tags_get(struct request *req)
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
        int64_t last_modified = 0;
        db_status st = db_tag_get(c, key, &tag);
        if (st == DB_OK)
            st = db_last_change(c, &last_modified); /* its count moves with any article */
        db_release(c);
        rc = st == DB_OK ? reply_entity(req, 200, tag, last_modified, CACHE_LIST, NULL, NULL)
                         : reply_db_status(req, st, "tag", NULL);
    }
    free(key);
    json_decref(tag);
    return rc;
}

#define NAME_QUERY_MAX_CHARS 100

/*
 * A most-used-first list of tags or sources: q matches the start of the name in any
 * letter variant (key_of gives the form it is stored under), cursor continues a page.
 */
static int list(struct request *req, enum cursor_kind kind,
                char *(*key_of)(const char *),
                db_status (*fetch)(db_conn *, const struct name_query *, struct list_page *))
{
    int rc = MHD_NO;
    char after[48];
    struct name_query q = { 0 };
    struct list_page page = { 0 };
    const char *prefix = request_query(req, "q"), *cursor = request_query(req, "cursor");
    char *key = NULL;
    if (!request_query_limit(req, TAGS_DEFAULT_LIMIT, 100, &q.limit))
        return reply_problem(req, 400, PROBLEM_INVALID_PARAMETER,
                             "limit must be a whole number from 1 to 100", NULL);
    if (prefix != NULL && (!text_is_valid_utf8(prefix, strlen(prefix)) ||
                           text_char_count(prefix) > NAME_QUERY_MAX_CHARS))
        return reply_problem(req, 400, PROBLEM_INVALID_PARAMETER,
                             "q must be at most 100 characters of text", NULL);
    if (cursor != NULL && cursor_decode(cursor, kind, after, sizeof after, &q.after_id) < 0)
        return reply_problem(req, 400, PROBLEM_INVALID_PARAMETER,
                             "cursor is not one this list gave out", NULL);
    q.after_count = q.after_id ? strtoll(after, NULL, 10) : 0;
    if (prefix != NULL && (key = key_of(prefix)) == NULL)
        return reply_db_status(req, DB_ERROR, "list", NULL);
    q.prefix = key && key[0] ? key : NULL;
    db_conn *c = request_db(req, &rc);
    if (c == NULL)
        goto out;
    db_status st = fetch(c, &q, &page);
    db_release(c);
    rc = st == DB_OK ? reply_page(req, &page, kind) : reply_db_status(req, st, "list", NULL);
out:
    json_decref(page.items);
    free(key);
    return rc;
}

int tags_list(struct request *req)
{
    return list(req, CURSOR_TAGS, text_slug_key_new, db_tag_list);
}

int sources_list(struct request *req)
{
    return list(req, CURSOR_SOURCES, text_normalize_new, db_source_list);
}
