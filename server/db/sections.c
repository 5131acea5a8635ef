/* sections.c: reading and writing sections and their fronts (an article's section is written with it, articles.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Columns of the section statements (see statements.c). */
enum { SECTION_SLUG, SECTION_NAME, SECTION_POSITION, SECTION_ID, SECTION_DESCRIPTION };

void db_section_clear(struct db_section *s)
{
    DB_ROW_CLEAR(s);
}

void db_section_page_clear(struct db_section_page *page)
{
    DB_PAGE_CLEAR(page);
}

static bool section_of_row(const PGresult *res, int row, struct db_section *s)
{
    static const int cols[] = { SECTION_SLUG, SECTION_NAME, SECTION_DESCRIPTION };
    const char *text[3];
    memset(s, 0, sizeof *s);
    if ((s->text_ = db_row_text_new(res, row, cols, 3, text)) == NULL)
        return false;
    s->slug = text[0];
    s->name = text[1];
    s->description = text[2];
    s->position = db_integer_of(res, row, SECTION_POSITION);
    s->id = db_integer_of(res, row, SECTION_ID);
    return true;
}

/* The one section row of stmt; DB_NOT_FOUND without one. */
static db_status section_one(db_conn *c, enum db_stmt stmt, const char *const *params,
                             struct db_section *out)
{
    db_status st;
    memset(out, 0, sizeof *out);
    PGresult *res = db_run(c, stmt, params, PGRES_TUPLES_OK, &st);
    if (res == NULL)
        return st;
    st = DB_NOT_FOUND;
    if (PQntuples(res) == 1)
        st = section_of_row(res, 0, out) ? DB_OK : DB_ERROR;
    PQclear(res);
    return st;
}

db_status db_section_get(db_conn *c, const char *slug_key, struct db_section *out)
{
    const char *params[1] = { slug_key };
    return section_one(c, STMT_SECTION_BY_SLUG, params, out);
}

/* A page of sections in their order, those whose slug key begins with prefix (NULL: all). */
static db_status section_rows(db_conn *c, const char *prefix, unsigned limit, int64_t after_position,
                              int64_t after_id, struct db_section_page *page)
{
    db_status st;
    struct db_int_text lim = db_int_text((int64_t)limit + 1), pos = db_int_text(after_position),
                       id = db_int_text(after_id);
    const char *params[4] = { after_id ? pos.s : NULL, after_id ? id.s : NULL, lim.s, prefix };
    memset(page, 0, sizeof *page);
    PGresult *res = db_run_beside_last_change(c, prefix ? STMT_SECTION_PREFIX : STMT_SECTION_LIST,
                                              params, &page->end.last_modified, &st);
    if (res == NULL)
        return st;
    int rows = db_page_rows(res, limit, SECTION_POSITION, SECTION_ID, &page->end);
    if (rows > 0 && (page->items = calloc((size_t)rows, sizeof *page->items)) == NULL)
        st = DB_ERROR;
    for (int i = 0; st == DB_OK && i < rows; i++, page->n++)
        if (!section_of_row(res, i, &page->items[i]))
            st = DB_ERROR;
    PQclear(res);
    if (st != DB_OK)
        db_section_page_clear(page);
    return st;
}

db_status db_section_list(db_conn *c, unsigned limit, int64_t after_position, int64_t after_id,
                          struct db_section_page *page)
{
    return section_rows(c, NULL, limit, after_position, after_id, page);
}

db_status db_section_prefix(db_conn *c, const char *prefix, unsigned limit,
                            struct db_section_page *page)
{
    return section_rows(c, prefix, limit, 0, 0, page);
}

db_status db_section_create(db_conn *c, const struct db_section_write *in, struct db_section *out)
{
    const char *params[5] = { in->name, in->slug, in->slug_key, in->description, in->position };
    db_status st = section_one(c, STMT_SECTION_INSERT, params, out);
    return st == DB_NOT_FOUND ? DB_CONFLICT : st; /* no row: the slug is taken */
}

db_status db_section_replace(db_conn *c, const char *slug_key, const struct db_section_write *in,
                             struct db_section *out)
{
    const char *params[6] = { slug_key, in->name, in->slug, in->slug_key, in->description,
                              in->position };
    return section_one(c, STMT_SECTION_UPDATE, params, out);
}

db_status db_section_delete(db_conn *c, const char *slug_key, struct db_refusal *refused)
{
    return db_remove_named(c, STMT_SECTION_DELETE, slug_key, refused);
}

void db_front_clear(struct db_front *f)
{
    db_article_page_clear(&f->pinned);
    db_article_page_clear(&f->newest);
}

/* The id of the section at slug_key; DB_NOT_FOUND when there is none. */
static db_status section_id(db_conn *c, const char *slug_key, struct db_int_text *id)
{
    db_status st;
    const char *params[1] = { slug_key };
    PGresult *res = db_run(c, STMT_SECTION_FIND, params, PGRES_TUPLES_OK, &st);
    if (res == NULL)
        return st;
    st = PQntuples(res) == 1 ? DB_OK : DB_NOT_FOUND;
    if (st == DB_OK)
        *id = db_int_text(db_integer_of(res, 0, 0));
    PQclear(res);
    return st;
}

db_status db_front_get(db_conn *c, const char *section_key, unsigned limit, const char *after_time,
                       int64_t after_id, struct db_front *out)
{
    struct db_int_text id, after = db_int_text(after_id), lim = db_int_text((int64_t)limit + 1);
    memset(out, 0, sizeof *out);
    db_status st = section_id(c, section_key, &id);
    if (st != DB_OK)
        return st;
    /* the newest page, the pinned articles on a first page, and the last change: one round trip */
    const char *pinned[1] = { id.s };
    const char *newest[4] = { id.s, after_id ? after_time : NULL, after_id ? after.s : NULL, lim.s };
    struct db_call calls[3] = { { .stmt = STMT_FRONT_NEWEST, .params = newest },
                                { .stmt = STMT_LAST_CHANGE },
                                { .stmt = STMT_FRONT_PINNED, .params = pinned } };
    db_run_all(c, calls, after_id == 0 ? 3 : 2, PGRES_TUPLES_OK);
    db_status newest_st = db_article_rows_of(calls[0].res, calls[0].st, limit, &out->newest);
    db_status change_st = db_last_change_of(calls[1].res, calls[1].st, &out->newest.end.last_modified);
    db_status pinned_st =
        after_id == 0 ? db_article_rows_of(calls[2].res, calls[2].st, 0, &out->pinned) : DB_OK;
    st = newest_st != DB_OK ? newest_st : change_st != DB_OK ? change_st : pinned_st;
    if (st != DB_OK)
        db_front_clear(out);
    return st;
}

/* One front to set (db_transaction_run runs it). */
struct front_set {
    const char *section_key;
    const json_t *ids;
    struct db_refusal *refused;
};

static db_status front_set_tx(db_conn *c, void *arg)
{
    const struct front_set *f = arg;
    struct db_int_text id;
    char *text = json_dumps(f->ids, JSON_COMPACT);
    const char *list[1] = { text }, *set[2] = { NULL, text };
    db_status st = text ? db_tx(c, "BEGIN") : DB_ERROR;
    if (st != DB_OK) {
        free(text);
        return st;
    }
    st = section_id(c, f->section_key, &id);
    set[0] = id.s;
    PGresult *res = st == DB_OK ? db_run(c, STMT_FRONT_UNKNOWN, list, PGRES_TUPLES_OK, &st) : NULL;
    if (res != NULL && PQntuples(res) == 1) {
        int index = (int)db_integer_of(res, 0, 0) - 1;
        f->refused->input = DB_INPUT_PINNED;
        f->refused->kind = DB_REFUSAL_NO_ARTICLE;
        f->refused->index = index;
        snprintf(f->refused->value, sizeof f->refused->value, "%" JSON_INTEGER_FORMAT,
                 json_integer_value(json_array_get(f->ids, (size_t)index)));
        st = DB_BAD_REFERENCE;
    }
    PQclear(res);
    if (st == DB_OK)
        PQclear(db_run(c, STMT_FRONT_CLEAR, set, PGRES_COMMAND_OK, &st));
    if (st == DB_OK && json_array_size(f->ids) > 0)
        PQclear(db_run(c, STMT_FRONT_SET, set, PGRES_COMMAND_OK, &st));
    free(text);
    if (st == DB_OK)
        return db_tx(c, "COMMIT");
    db_tx(c, "ROLLBACK");
    return st;
}

db_status db_front_set(db_conn *c, const char *section_key, const json_t *ids,
                       struct db_refusal *refused)
{
    struct front_set f = { section_key, ids, refused };
    memset(refused, 0, sizeof *refused);
    return db_transaction_run(c, front_set_tx, &f);
}
