/* tags.c: reading tags, sources and authors with their article counts. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Columns of the tag, source and author statements (see statements.c): a tag's (or an
 * author's) slug, then for all the name, the article count and the id; an author's bio
 * and avatar after them. */
enum { TAG_SLUG, TAG_NAME, TAG_COUNT, TAG_ID, AUTHOR_BIO, AUTHOR_AVATAR };
enum { SOURCE_NAME, SOURCE_COUNT };

void db_name_clear(struct db_name *n)
{
    DB_ROW_CLEAR(n);
}

void db_name_page_clear(struct db_name_page *page)
{
    DB_PAGE_CLEAR(page);
}

/* A tag, source or author row into *n; false when there is no memory. */
static bool name_of_row(const PGresult *res, int row, enum db_name_kind kind, struct db_name *n)
{
    static const int tag_cols[] = { TAG_SLUG, TAG_NAME, AUTHOR_BIO, AUTHOR_AVATAR },
                     source_cols[] = { SOURCE_NAME };
    const char *text[4] = { NULL, NULL, NULL, NULL };
    memset(n, 0, sizeof *n);
    n->text_ = kind != DB_NAME_SOURCE
                   ? db_row_text_new(res, row, tag_cols, kind == DB_NAME_AUTHOR ? 4 : 2, text)
                   : db_row_text_new(res, row, source_cols, 1, text + 1);
    if (n->text_ == NULL)
        return false;
    n->slug = text[0];
    n->name = text[1];
    n->bio = text[2];
    n->avatar = text[3];
    n->article_count = db_integer_of(res, row, kind != DB_NAME_SOURCE ? TAG_COUNT : SOURCE_COUNT);
    if (kind == DB_NAME_AUTHOR)
        n->id = db_integer_of(res, row, TAG_ID);
    return true;
}

db_status db_name_one(db_conn *c, enum db_stmt stmt, const char *const *params,
                      enum db_name_kind kind, struct db_name *out)
{
    db_status st;
    memset(out, 0, sizeof *out);
    PGresult *res = db_run(c, stmt, params, PGRES_TUPLES_OK, &st);
    if (res == NULL)
        return st;
    st = DB_NOT_FOUND;
    if (PQntuples(res) == 1)
        st = name_of_row(res, 0, kind, out) ? DB_OK : DB_ERROR;
    PQclear(res);
    return st;
}

db_status db_tag_get(db_conn *c, const char *slug_key, struct db_name *out)
{
    const char *params[1] = { slug_key };
    return db_name_one(c, STMT_TAG_BY_SLUG, params, DB_NAME_TAG, out);
}

db_status db_source_get(db_conn *c, const char *key, struct db_name *out)
{
    const char *params[1] = { key };
    return db_name_one(c, STMT_SOURCE_BY_KEY, params, DB_NAME_SOURCE, out);
}

db_status db_name_page_of(PGresult *res, db_status st, enum db_name_kind kind, unsigned limit,
                              struct db_name_page *page)
{
    int count_col = kind != DB_NAME_SOURCE ? TAG_COUNT : SOURCE_COUNT;
    if (res == NULL)
        return st;
    int rows = db_page_rows(res, limit, count_col, count_col + 1, &page->end);
    if (rows > 0 && (page->items = calloc((size_t)rows, sizeof *page->items)) == NULL)
        st = DB_ERROR;
    for (int i = 0; st == DB_OK && i < rows; i++, page->n++)
        if (!name_of_row(res, i, kind, &page->items[i]))
            st = DB_ERROR;
    PQclear(res);
    if (st != DB_OK)
        db_name_page_clear(page);
    return st;
}

void db_name_query_params(const struct name_query *q, struct db_int_text t[3], const char *params[4])
{
    t[0] = db_int_text(q->after_key);
    t[1] = db_int_text(q->after_id);
    t[2] = db_int_text((int64_t)q->limit + 1);
    params[0] = q->after_id ? t[0].s : NULL;
    params[1] = q->after_id ? t[1].s : NULL;
    params[2] = t[2].s;
    params[3] = q->prefix;
}

void db_name_lists(db_conn *c, enum db_stmt stmt, enum db_stmt prefix_stmt, enum db_name_kind kind,
                   const struct name_query *const *qs, size_t n, struct db_name_page pages[],
                   db_status st[])
{
    struct db_int_text text[DB_LISTS_AT_ONCE][3];
    const char *params[DB_LISTS_AT_ONCE][4];
    struct db_call calls[DB_LISTS_AT_ONCE + 1];
    int64_t when;
    for (size_t i = 0; i < n; i++) {
        memset(&pages[i], 0, sizeof pages[i]);
        db_name_query_params(qs[i], text[i], params[i]);
        calls[i + 1] = (struct db_call){ .stmt = qs[i]->prefix ? prefix_stmt : stmt, .params = params[i] };
    }
    db_run_all_after_last_change(c, calls, n + 1, &when);
    for (size_t i = 0; i < n; i++) {
        st[i] = db_name_page_of(calls[i + 1].res, calls[i + 1].st, kind, qs[i]->limit, &pages[i]);
        pages[i].end.last_modified = when;
    }
}

db_status db_tag_list(db_conn *c, const struct name_query *q, struct db_name_page *page)
{
    db_status st;
    db_tag_lists(c, &q, 1, page, &st);
    return st;
}

void db_tag_lists(db_conn *c, const struct name_query *const *qs, size_t n, struct db_name_page pages[],
                  db_status st[])
{
    db_name_lists(c, STMT_TAG_LIST, STMT_TAG_PREFIX, DB_NAME_TAG, qs, n, pages, st);
}

db_status db_source_list(db_conn *c, const struct name_query *q, struct db_name_page *page)
{
    db_status st;
    db_source_lists(c, &q, 1, page, &st);
    return st;
}

void db_source_lists(db_conn *c, const struct name_query *const *qs, size_t n,
                     struct db_name_page pages[], db_status st[])
{
    db_name_lists(c, STMT_SOURCE_LIST, STMT_SOURCE_PREFIX, DB_NAME_SOURCE, qs, n, pages, st);
}
