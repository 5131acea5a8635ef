/* tags.c: reading tags and sources with their article counts. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Columns of the tag and source statements (see statements.c): a tag's slug, then
 * for both the name, the article count and the id. */
enum { TAG_SLUG, TAG_NAME, TAG_COUNT };
enum { SOURCE_NAME, SOURCE_COUNT };

void db_name_clear(struct db_name *n)
{
    if (n == NULL)
        return;
    free(n->text_);
    memset(n, 0, sizeof *n);
}

void db_name_page_clear(struct db_name_page *page)
{
    for (size_t i = 0; page->items != NULL && i < page->n; i++)
        db_name_clear(&page->items[i]);
    free(page->items);
    page->items = NULL;
    page->n = 0;
}

/* A tag row (has_slug) or a source row into *n; false when there is no memory. */
static bool name_of_row(const PGresult *res, int row, bool has_slug, struct db_name *n)
{
    static const int tag_cols[] = { TAG_SLUG, TAG_NAME }, source_cols[] = { SOURCE_NAME };
    const char *text[2] = { NULL, NULL };
    memset(n, 0, sizeof *n);
    n->text_ = has_slug ? db_row_text_new(res, row, tag_cols, 2, text)
                        : db_row_text_new(res, row, source_cols, 1, text + 1);
    if (n->text_ == NULL)
        return false;
    n->slug = text[0];
    n->name = text[1];
    n->article_count = db_integer_of(res, row, has_slug ? TAG_COUNT : SOURCE_COUNT);
    return true;
}

db_status db_tag_get(db_conn *c, const char *slug_key, struct db_name *out)
{
    db_status st;
    const char *params[1] = { slug_key };
    memset(out, 0, sizeof *out);
    PGresult *res = db_run(c, STMT_TAG_BY_SLUG, params, PGRES_TUPLES_OK, &st);
    if (res == NULL)
        return st;
    st = DB_NOT_FOUND;
    if (PQntuples(res) == 1)
        st = name_of_row(res, 0, true, out) ? DB_OK : DB_ERROR;
    PQclear(res);
    return st;
}

/* Runs a most-used-first list of tags (has_slug) or sources into page. */
static db_status list_of(db_conn *c, enum db_stmt stmt, enum db_stmt prefix_stmt, bool has_slug,
                         const struct name_query *q, struct db_name_page *page)
{
    db_status st;
    int count_col = has_slug ? TAG_COUNT : SOURCE_COUNT;
    struct db_int_text limit = db_int_text((int64_t)q->limit + 1);
    struct db_int_text count = db_int_text(q->after_count), id = db_int_text(q->after_id);
    const char *params[4] = { q->after_id ? count.s : NULL, q->after_id ? id.s : NULL, limit.s,
                              q->prefix };
    memset(page, 0, sizeof *page);
    if ((st = db_last_change(c, &page->end.last_modified)) != DB_OK)
        return st;
    PGresult *res = db_run(c, q->prefix != NULL ? prefix_stmt : stmt, params, PGRES_TUPLES_OK, &st);
    if (res == NULL)
        return st;
    int rows = db_page_rows(res, q->limit, count_col, count_col + 1, &page->end);
    if (rows > 0 && (page->items = calloc((size_t)rows, sizeof *page->items)) == NULL)
        st = DB_ERROR;
    for (int i = 0; st == DB_OK && i < rows; i++, page->n++)
        if (!name_of_row(res, i, has_slug, &page->items[i]))
            st = DB_ERROR;
    PQclear(res);
    if (st != DB_OK)
        db_name_page_clear(page);
    return st;
}

db_status db_tag_list(db_conn *c, const struct name_query *q, struct db_name_page *page)
{
    return list_of(c, STMT_TAG_LIST, STMT_TAG_PREFIX, true, q, page);
}

db_status db_source_list(db_conn *c, const struct name_query *q, struct db_name_page *page)
{
    return list_of(c, STMT_SOURCE_LIST, STMT_SOURCE_PREFIX, false, q, page);
}
