/* similar.c: GET /v1/articles/{article}/similar: "more like this", for an article's page. */
#include <stdlib.h>

#include "app.h"
#include "handlers/handlers.h"
#include "http/http.h"
#include "model/serialize.h"

#define SIMILAR_MAX 10

/* Answers the list, or what GET /v1/articles/{id} answers for an article that is not public. */
static int reply_similar(struct request *req, db_status st, bool shown, const char *withdrawn,
                         const struct db_article_page *page, bool editor)
{
    if (st != DB_OK)
        return reply_db_status(req, st, "article");
    if (!shown) /* a draft or scheduled one is not revealed */
        return withdrawn ? reply_withdrawn(req, withdrawn) : reply_db_status(req, DB_NOT_FOUND, "article");
    struct list_page list = { 0 };
    serialize_article_page(page, &list);
    list.whole = true;
    /* an editor's answer may be of an article that is not public: never kept */
    list.editors_only = editor;
    return reply_page(req, &list, CURSOR_NEWEST);
}

/* GET /v1/articles/{article}/similar: up to limit (1..10) public articles like it, best first. */
int similar_list(struct request *req)
{
    int rc = MHD_NO;
    unsigned limit;
    bool visible = false;
    char *withdrawn = NULL;
    struct db_article_page page = { 0 };
    int64_t id = request_param_id(req, 0);
    if (id < 0)
        return reply_problem(req, 400, PROBLEM_INVALID_PARAMETER,
                             "the article must be named by its numeric id here", NULL);
    if (!request_query_limit(req, SIMILAR_MAX, SIMILAR_MAX, &limit))
        return reply_problem(req, 400, PROBLEM_INVALID_PARAMETER,
                             "limit must be a whole number from 1 to 10", NULL);
    db_conn *c = request_db(req, &rc);
    if (c == NULL)
        return rc;
    db_status st = db_article_state(c, id, &visible, &withdrawn);
    bool editor = st == DB_OK && !visible && request_is_authorized(req);
    if (st == DB_OK && (visible || editor))
        st = db_similar(c, id, limit, &page);
    db_release(c);
    rc = reply_similar(req, st, visible || editor, withdrawn, &page, editor);
    free(withdrawn);
    db_article_page_clear(&page);
    return rc;
}
