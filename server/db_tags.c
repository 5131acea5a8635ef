/* db_tags.c: reading tags and sources with their article counts. */
#include <stdio.h>
#include <stdlib.h>

#include "db_internal.h"

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

/* Runs a list statement and turns each row into an item. */
static db_status list_of(db_conn *c, enum db_stmt stmt, unsigned limit,
                         json_t *(*item_of)(const PGresult *, int), json_t **items_out)
{
    db_status st;
    char limit_text[16];
    snprintf(limit_text, sizeof limit_text, "%u", limit);
    const char *params[1] = { limit_text };
    *items_out = NULL;
    PGresult *res = db_run(c, stmt, params, PGRES_TUPLES_OK, &st);
    if (res == NULL)
        return st;
    json_t *items = json_array();
    for (int i = 0; i < PQntuples(res); i++)
        json_array_append_new(items, item_of(res, i));
    PQclear(res);
    *items_out = items;
    return DB_OK;
}

db_status db_tag_list(db_conn *c, unsigned limit, json_t **items_out)
{
    return list_of(c, STMT_TAG_LIST, limit, tag_from_row, items_out);
}

db_status db_source_list(db_conn *c, unsigned limit, json_t **items_out)
{
    return list_of(c, STMT_SOURCE_LIST, limit, source_from_row, items_out);
}
