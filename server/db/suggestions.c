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

/* Rows of stmt into page, with the time of the newest change as its Last-Modified: one
 * round trip. */
static db_status suggestion_rows(db_conn *c, enum db_stmt stmt, const char *const *params,
                                 struct db_article_page *page)
{
    struct db_call calls[2] = { [1] = { .stmt = stmt, .params = params } };
    int64_t when;
    db_run_all_after_last_change(c, calls, 2, &when);
    db_status st = db_article_rows_of(calls[1].res, calls[1].st, 0, page);
    page->end.last_modified = when;
    return st;
}

db_status db_similar(db_conn *c, int64_t id, unsigned limit, struct db_article_page *page)
{
    struct db_int_text idtext = db_int_text(id), lim = db_int_text(limit);
    const char *params[2] = { idtext.s, lim.s };
    memset(page, 0, sizeof *page);
    return suggestion_rows(c, STMT_SIMILAR, params, page);
}

void db_suggestions_clear(struct db_suggestions *s)
{
    db_article_page_clear(&s->articles);
    db_name_page_clear(&s->tags);
    db_name_page_clear(&s->authors);
    db_section_page_clear(&s->sections);
}

db_status db_suggest(db_conn *c, const char *prefix, const char *words_json, const char *name_key,
                     unsigned limit, struct db_suggestions *out)
{
    struct db_int_text lim = db_int_text(limit), text[3];
    const struct name_query names = { .prefix = name_key, .limit = limit };
    const char *articles[3] = { prefix, words_json, lim.s }, *params[4];
    db_name_query_params(&names, text, params);
    struct db_call calls[5] = { [1] = { .stmt = STMT_SUGGEST_ARTICLES, .params = articles },
                                [2] = { .stmt = STMT_TAG_PREFIX, .params = params },
                                [3] = { .stmt = STMT_AUTHOR_PREFIX, .params = params },
                                [4] = { .stmt = STMT_SECTION_PREFIX, .params = params } };
    size_t n = name_key[0] != '\0' ? 5 : 2;
    int64_t when;
    memset(out, 0, sizeof *out);
    db_run_all_after_last_change(c, calls, n, &when);
    db_status st[4] = { db_article_rows_of(calls[1].res, calls[1].st, 0, &out->articles), DB_OK, DB_OK,
                        DB_OK };
    out->articles.end.last_modified = when;
    if (n == 5) {
        st[1] = db_name_page_of(calls[2].res, calls[2].st, DB_NAME_TAG, limit, &out->tags);
        st[2] = db_name_page_of(calls[3].res, calls[3].st, DB_NAME_AUTHOR, limit, &out->authors);
        st[3] = db_section_page_of(calls[4].res, calls[4].st, limit, &out->sections);
    }
    for (int i = 0; i < 4; i++)
        if (st[i] != DB_OK) {
            db_suggestions_clear(out);
            return st[i];
        }
    return DB_OK;
}
