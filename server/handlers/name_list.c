/* name_list.c: the most-used-first lists of tags, sources and authors (their query, one database
 * call, one serializer), and one tag or author by its slug. */
#include "name_list.h"

#include <stdlib.h>
#include <string.h>

#include "infra/jobs.h"
#include "text/normalize.h"

#define NAME_LIST_DEFAULT_LIMIT 50
#define NAME_QUERY_MAX_CHARS 100

/* Reads limit, q and cursor into q (q->prefix points into *key_out, caller frees);
 * false after answering 400, or 500 when there is no memory. */
static bool read_name_query(struct request *req, enum cursor_kind kind,
                            char *(*key_of)(const char *), struct name_query *q, char **key_out,
                            int *rc)
{
    char after[48];
    const char *prefix = request_query(req, "q"), *cursor = request_query(req, "cursor");
    memset(q, 0, sizeof *q);
    *key_out = NULL;
    if (!request_query_limit(req, NAME_LIST_DEFAULT_LIMIT, 100, &q->limit))
        return *rc = reply_problem(req, 400, PROBLEM_INVALID_PARAMETER,
                                   "limit must be a whole number from 1 to 100", NULL), false;
    if (prefix != NULL && (!text_is_valid_utf8(prefix, strlen(prefix)) ||
                           text_char_count(prefix) > NAME_QUERY_MAX_CHARS))
        return *rc = reply_problem(req, 400, PROBLEM_INVALID_PARAMETER,
                                   "q must be at most 100 characters of text", NULL), false;
    if (cursor != NULL && cursor_decode(cursor, kind, after, sizeof after, &q->after_id) < 0)
        return *rc = reply_problem(req, 400, PROBLEM_INVALID_PARAMETER,
                                   "cursor is not one this list gave out", NULL), false;
    q->after_key = q->after_id ? strtoll(after, NULL, 10) : 0;
    if (prefix != NULL && (*key_out = key_of(prefix)) == NULL) /* no memory */
        return *rc = reply_problem(req, 500, PROBLEM_INTERNAL_ERROR,
                                   "the request could not be completed", NULL), false;
    q->prefix = *key_out && (*key_out)[0] ? *key_out : NULL;
    return true;
}

void name_list_reply_many(struct request *const *reqs, size_t n, int *rcs, enum cursor_kind kind,
                          char *(*key_of)(const char *), db_name_lists_fn *fetch,
                          void (*serialize)(const struct db_name_page *, struct list_page *))
{
    struct name_query queries[JOBS_BATCH_MAX];
    const struct name_query *asked[JOBS_BATCH_MAX];
    struct db_name_page rows[JOBS_BATCH_MAX];
    db_status st[JOBS_BATCH_MAX];
    char *keys[JOBS_BATCH_MAX];
    size_t of[JOBS_BATCH_MAX] = { 0 }, m = 0;
    for (size_t i = 0; i < n; i++)
        if (read_name_query(reqs[i], kind, key_of, &queries[i], &keys[i], &rcs[i])) {
            asked[m] = &queries[i];
            of[m++] = i;
        }
    db_conn *c = request_db_for_all(reqs, of, &m, rcs);
    if (c != NULL) {
        fetch(c, asked, m, rows, st);
        db_release(c);
    }
    for (size_t k = 0; k < m; k++) {
        struct list_page page = { 0 };
        if (st[k] == DB_OK)
            serialize(&rows[k], &page);
        rcs[of[k]] = reply_page_read(reqs[of[k]], st[k], &page, kind, "list");
        db_name_page_clear(&rows[k]);
    }
    for (size_t i = 0; i < n; i++)
        free(keys[i]);
}

int name_get_reply(struct request *req, const char *key, const char *what,
                   db_status (*fetch)(db_conn *, const char *, struct db_name *),
                   json_t *(*serialize)(const struct db_name *))
{
    int rc = MHD_NO;
    struct db_name name = { 0 };
    db_conn *c = request_db(req, &rc);
    if (c != NULL) {
        int64_t last_modified = 0;
        db_status st = fetch(c, key, &name);
        if (st == DB_OK)
            st = db_last_change(c, &last_modified); /* its count moves with any article */
        db_release(c);
        json_t *doc = st == DB_OK ? serialize(&name) : NULL;
        rc = st == DB_OK ? reply_entity(req, 200, doc, last_modified, CACHE_LIST, NULL, NULL)
                         : reply_db_status(req, st, what);
        json_decref(doc);
    }
    db_name_clear(&name);
    return rc;
}
