/* suggestions.c: what an article page and a search box suggest: "more like this" and the
 * titles that begin like what is typed. */
#include "internal.h"

db_status db_article_state(db_conn *c, int64_t id, bool *visible, char **reason_new)
{
    db_status st;
    struct db_int_text idtext = db_int_text(id);
    const char *params[1] = { idtext.s };
    *visible = false;
    *reason_new = NULL;
    PGresult *res = db_run(c, STMT_ARTICLE_STATE, params, PGRES_TUPLES_OK, &st);
    if (res == NULL)
        return st;
    st = DB_NOT_FOUND;
    if (PQntuples(res) == 1) {
        st = DB_OK;
        *visible = PQgetvalue(res, 0, 0)[0] == 't';
        if (strcmp(PQgetvalue(res, 0, 1), "withdrawn") == 0 &&
            (*reason_new = strdup(PQgetvalue(res, 0, 2))) == NULL)
            st = DB_ERROR;
    }
    PQclear(res);
    return st;
}

/* Rows of stmt into page, with the time of the newest change as its Last-Modified. */
static db_status suggestion_rows(db_conn *c, enum db_stmt stmt, const char *const *params,
                                 struct db_article_page *page)
{
    db_status st = db_article_rows(c, stmt, params, 0, page);
    if (st == DB_OK && (st = db_last_change(c, &page->end.last_modified)) != DB_OK)
        db_article_page_clear(page);
    return st;
}

db_status db_similar(db_conn *c, int64_t id, unsigned limit, struct db_article_page *page)
{
    struct db_int_text idtext = db_int_text(id), lim = db_int_text(limit);
    const char *params[2] = { idtext.s, lim.s };
    memset(page, 0, sizeof *page);
    return suggestion_rows(c, STMT_SIMILAR, params, page);
}

db_status db_suggest_articles(db_conn *c, const char *prefix, const char *words_json,
                              unsigned limit, struct db_article_page *page)
{
    struct db_int_text lim = db_int_text(limit);
    const char *params[3] = { prefix, words_json, lim.s };
    memset(page, 0, sizeof *page);
    return suggestion_rows(c, STMT_SUGGEST_ARTICLES, params, page);
}
