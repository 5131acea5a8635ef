/* db_tags.c: reading tags and sources with their article counts. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#include "internal.h"

static json_t *count_of(const PGresult *res, int row, int col)
{
    return json_integer((json_int_t)strtoll(PQgetvalue(res, row, col), NULL, 10));
}

/* {"slug", "name", "article_count"} from a tag row. */
static json_t *tag_from_row(const PGresult *res, int row)
{
    return json_pack("{s:s, s:s, s:o}", "slug", PQgetvalue(res, row, 0), "name",
                     PQgetvalue(res, row, 1), "article_count", count_of(res, row, 2));
}

static json_t *source_from_row(const PGresult *res, int row)
{
    return json_pack("{s:s, s:o}", "name", PQgetvalue(res, row, 0), "article_count",
                     count_of(res, row, 1));
}

db_status db_tag_get(db_conn *c, const char *slug_key, json_t **tag_out)
{
    db_status st;
    const char *params[1] = { slug_key };
    *tag_out = NULL;
    PGresult *res = db_run(c, STMT_TAG_BY_SLUG, params, PGRES_TUPLES_OK, &st);
    if (res == NULL)
        return st;
    if (PQntuples(res) == 1)
        *tag_out = tag_from_row(res, 0);
    PQclear(res);
    return *tag_out ? DB_OK : DB_NOT_FOUND;
}

/* Runs a most-used-first list; count_col and count_col + 1 hold each row's count and id. */
static db_status list_of(db_conn *c, enum db_stmt stmt, const struct name_query *q, int count_col,
                         json_t *(*item_of)(const PGresult *, int), struct list_page *page)
{
    db_status st;
    char limit_text[16], count_text[24], id_text[24];
    snprintf(limit_text, sizeof limit_text, "%u", q->limit + 1);
    snprintf(count_text, sizeof count_text, "%" PRId64, q->after_count);
    snprintf(id_text, sizeof id_text, "%" PRId64, q->after_id);
    const char *params[4] = { q->after_id ? count_text : NULL, q->after_id ? id_text : NULL,
                              limit_text, q->prefix };
    if (q->prefix != NULL)
        stmt = stmt == STMT_TAG_LIST ? STMT_TAG_PREFIX : STMT_SOURCE_PREFIX;
    memset(page, 0, sizeof *page);
    if ((st = db_last_change(c, &page->last_modified)) != DB_OK)
        return st;
    PGresult *res = db_run(c, stmt, params, PGRES_TUPLES_OK, &st);
    if (res == NULL)
        return st;
    db_page_fill(res, q->limit, count_col, count_col + 1, item_of, page);
    PQclear(res);
    return DB_OK;
}

db_status db_tag_list(db_conn *c, const struct name_query *q, struct list_page *page)
{
    return list_of(c, STMT_TAG_LIST, q, 2, tag_from_row, page);
}

db_status db_source_list(db_conn *c, const struct name_query *q, struct list_page *page)
{
    return list_of(c, STMT_SOURCE_LIST, q, 1, source_from_row, page);
}
