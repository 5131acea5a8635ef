/* revisions.c: the revisions of articles: kept inside each write's transaction, pruned to
 * the writer's bound, listed newest first and read one by one. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Columns of the revision statements (REVISION_COLUMNS in statements.c). */
enum {
    REV_VERSION, REV_MADE_AT, REV_ACTOR, REV_ACTION, REV_RESTORED_FROM, REV_CHANGED,
    REV_REPRESENTATION, REV_ARTICLE_ID
};

void db_revision_clear(struct db_revision *r)
{
    DB_ROW_CLEAR(r);
}

void db_revision_page_clear(struct db_revision_page *page)
{
    DB_PAGE_CLEAR(page);
}

/* One revision row into *r; false when there is no memory. */
static bool revision_of_row(const PGresult *res, int row, struct db_revision *r)
{
    static const int cols[] = { REV_MADE_AT, REV_ACTOR, REV_ACTION, REV_CHANGED,
                                REV_REPRESENTATION };
    const char *text[sizeof cols / sizeof cols[0]];
    memset(r, 0, sizeof *r);
    r->text_ = db_row_text_new(res, row, cols, (int)(sizeof cols / sizeof cols[0]), text);
    if (r->text_ == NULL)
        return false;
    r->article_id = db_integer_of(res, row, REV_ARTICLE_ID);
    r->version = db_integer_of(res, row, REV_VERSION);
    r->restored_from =
        PQgetisnull(res, row, REV_RESTORED_FROM) ? 0 : db_integer_of(res, row, REV_RESTORED_FROM);
    r->made_at = text[0];
    r->actor = text[1];
    r->action = text[2];
    r->changed = text[3];
    r->representation = text[4];
    return true;
}

db_status db_revision_list(db_conn *c, int64_t id, int64_t before_version, unsigned limit,
                           struct db_revision_page *page)
{
    db_status st;
    struct db_int_text idtext = db_int_text(id), before = db_int_text(before_version),
                       rows_text = db_int_text((int64_t)limit + 1);
    const char *params[3] = { idtext.s, before_version > 0 ? before.s : NULL, rows_text.s };
    memset(page, 0, sizeof *page);
    PGresult *res = db_run(c, STMT_REVISION_LIST, params, PGRES_TUPLES_OK, &st);
    if (res == NULL)
        return st;
    int rows = db_page_rows(res, limit, REV_VERSION, REV_ARTICLE_ID, &page->end);
    st = DB_OK;
    if (rows > 0 && (page->items = calloc((size_t)rows, sizeof *page->items)) == NULL)
        st = DB_ERROR;
    for (int i = 0; st == DB_OK && i < rows; i++, page->n++)
        if (!revision_of_row(res, i, &page->items[i]))
            st = DB_ERROR;
    PQclear(res);
    if (st != DB_OK)
        db_revision_page_clear(page);
    return st;
}

db_status db_revision_get(db_conn *c, int64_t id, int64_t version, struct db_revision *out)
{
    db_status st;
    struct db_int_text idtext = db_int_text(id), vtext = db_int_text(version);
    const char *params[2] = { idtext.s, vtext.s };
    memset(out, 0, sizeof *out);
    PGresult *res = db_run(c, STMT_REVISION_GET, params, PGRES_TUPLES_OK, &st);
    if (res == NULL)
        return st;
    st = DB_NOT_FOUND;
    if (PQntuples(res) == 1)
        st = revision_of_row(res, 0, out) ? DB_OK : DB_ERROR;
    PQclear(res);
    return st;
}

/* ---- inside a write ---- */

db_status db_revision_snapshot(db_conn *c, const struct db_writer *by, int64_t id, char **text_out)
{
    struct db_article a;
    *text_out = NULL;
    if (by == NULL)
        return DB_OK;
    db_status st = db_article_get(c, id, &a);
    if (st == DB_NOT_FOUND)
        return DB_OK;
    if (st == DB_OK && (*text_out = by->represent_new(&a)) == NULL)
        st = DB_ERROR;
    db_article_clear(&a);
    return st;
}

/* Inserts one revision, then prunes what is past the writer's bound. */
static db_status insert_revision(db_conn *c, const struct db_writer *by, int64_t id,
                                 int64_t version, const char *action, const char *before,
                                 const char *after)
{
    db_status st;
    struct db_int_text idtext = db_int_text(id), vtext = db_int_text(version),
                       from = db_int_text(by->restored_from), keep = db_int_text(by->keep);
    bool restored = strcmp(action, "restored") == 0;
    const char *params[7] = { idtext.s, vtext.s, by->actor, action, restored ? from.s : NULL,
                              before, after };
    PQclear(db_run(c, STMT_REVISION_INSERT, params, PGRES_COMMAND_OK, &st));
    if (st == DB_OK && by->keep > 0) {
        const char *prune[3] = { idtext.s, vtext.s, keep.s };
        PQclear(db_run(c, STMT_REVISION_PRUNE, prune, PGRES_COMMAND_OK, &st));
    }
    return st;
}

db_status db_revision_keep(db_conn *c, const struct db_writer *by, const struct db_article *now,
                           const char *action, const char *before)
{
    if (by == NULL)
        return DB_OK;
    char *after = by->represent_new(now);
    db_status st = after ? insert_revision(c, by, now->id, now->version, action, before, after)
                         : DB_ERROR;
    free(after);
    return st;
}

db_status db_revision_keep_deletion(db_conn *c, const struct db_writer *by, int64_t id,
                                    int64_t last_version)
{
    if (by == NULL)
        return DB_OK;
    return insert_revision(c, by, id, last_version + 1, "deleted", NULL, NULL);
}
