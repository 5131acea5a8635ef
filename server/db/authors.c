/* authors.c: reading and writing authors (bylines are written with their articles, articles.c). */
#include <string.h>

#include "internal.h"

db_status db_author_get(db_conn *c, const char *slug_key, struct db_name *out)
{
    const char *params[1] = { slug_key };
    return db_name_one(c, STMT_AUTHOR_BY_SLUG, params, DB_NAME_AUTHOR, out);
}

void db_author_lists(db_conn *c, const struct name_query *const *qs, size_t n,
                     struct db_name_page pages[], db_status st[])
{
    db_name_lists(c, STMT_AUTHOR_LIST, STMT_AUTHOR_PREFIX, DB_NAME_AUTHOR, qs, n, pages, st);
}

db_status db_author_list(db_conn *c, const struct name_query *q, struct db_name_page *page)
{
    db_status st;
    db_author_lists(c, &q, 1, page, &st);
    return st;
}

db_status db_author_create(db_conn *c, const struct db_author_write *in, struct db_name *out)
{
    const char *params[5] = { in->name, in->slug, in->slug_key, in->bio, in->avatar };
    db_status st = db_name_one(c, STMT_AUTHOR_INSERT, params, DB_NAME_AUTHOR, out);
    return st == DB_NOT_FOUND ? DB_CONFLICT : st; /* no row: the slug is taken */
}

db_status db_author_replace(db_conn *c, const char *slug_key, const struct db_author_write *in,
                            struct db_name *out)
{
    const char *params[6] = { slug_key, in->name, in->slug, in->slug_key, in->bio, in->avatar };
    return db_name_one(c, STMT_AUTHOR_UPDATE, params, DB_NAME_AUTHOR, out);
}

db_status db_remove_named(db_conn *c, enum db_stmt stmt, const char *slug_key,
                          struct db_refusal *refused)
{
    db_status st;
    const char *params[1] = { slug_key };
    memset(refused, 0, sizeof *refused);
    PGresult *res = db_run(c, stmt, params, PGRES_TUPLES_OK, &st);
    if (res == NULL && st == DB_NOT_FOUND) { /* a foreign key still points to it */
        refused->input = DB_INPUT_WHOLE;
        refused->kind = DB_REFUSAL_IN_USE;
        return DB_CONFLICT;
    }
    if (res == NULL)
        return st;
    st = PQntuples(res) == 1 ? DB_OK : DB_NOT_FOUND;
    PQclear(res);
    return st;
}

db_status db_author_delete(db_conn *c, const char *slug_key, struct db_refusal *refused)
{
    return db_remove_named(c, STMT_AUTHOR_DELETE, slug_key, refused);
}
