/* sitemaps.c: what the sitemaps list: the months with public articles, one month's articles, the last 48 hours'. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

db_status db_sitemap_months(db_conn *c, struct db_sitemap_month **months, size_t *n,
                            int64_t *last_modified)
{
    struct db_call calls[2] = { [1] = { .stmt = STMT_SITEMAP_MONTHS } };
    *months = NULL;
    *n = 0;
    db_run_all_after_last_change(c, calls, 2, last_modified);
    PGresult *res = calls[1].res;
    db_status st = calls[1].st;
    if (res == NULL)
        return st;
    int rows = PQntuples(res);
    if (rows > 0 && (*months = calloc((size_t)rows, sizeof **months)) == NULL)
        st = DB_ERROR;
    for (int i = 0; st == DB_OK && i < rows; i++) {
        struct db_sitemap_month *m = &(*months)[i];
        snprintf(m->month, sizeof m->month, "%s", PQgetvalue(res, i, 0));
        m->articles = db_integer_of(res, i, 1);
        snprintf(m->last_modified, sizeof m->last_modified, "%s", PQgetvalue(res, i, 2));
        (*n)++;
    }
    PQclear(res);
    return st;
}

void db_sitemap_page_clear(struct db_sitemap_page *page)
{
    DB_PAGE_CLEAR(page);
}

/* One row of a sitemap statement (id, slug, title, lang, published_at, updated_at). */
static bool sitemap_url_of_row(const PGresult *res, int row, struct db_sitemap_url *u)
{
    static const int cols[] = { 1, 2, 3, 4, 5 };
    const char *text[5];
    if ((u->text_ = db_row_text_new(res, row, cols, 5, text)) == NULL)
        return false;
    u->id = db_integer_of(res, row, 0);
    u->slug = text[0];
    u->title = text[1];
    u->lang = text[2];
    u->published_at = text[3];
    u->updated_at = text[4];
    return true;
}

static db_status sitemap_rows(db_conn *c, enum db_stmt stmt, const char *const *params,
                              struct db_sitemap_page *out)
{
    struct db_call calls[2] = { [1] = { .stmt = stmt, .params = params } };
    memset(out, 0, sizeof *out);
    db_run_all_after_last_change(c, calls, 2, &out->last_modified);
    PGresult *res = calls[1].res;
    db_status st = calls[1].st;
    if (res == NULL)
        return st;
    DB_ROWS_FILL(res, out, sitemap_url_of_row, st);
    PQclear(res);
    if (st != DB_OK)
        db_sitemap_page_clear(out);
    return st;
}

db_status db_sitemap_month_page(db_conn *c, const char *month_start, int64_t offset, unsigned limit,
                                struct db_sitemap_page *out)
{
    struct db_int_text skip = db_int_text(offset), lim = db_int_text(limit);
    const char *params[3] = { month_start, skip.s, lim.s };
    return sitemap_rows(c, STMT_SITEMAP_MONTH, params, out);
}

db_status db_sitemap_news(db_conn *c, unsigned limit, struct db_sitemap_page *out)
{
    struct db_int_text lim = db_int_text(limit);
    const char *params[1] = { lim.s };
    return sitemap_rows(c, STMT_SITEMAP_NEWS, params, out);
}
