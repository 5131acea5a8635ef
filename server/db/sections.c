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

db_status db_section_page_of(PGresult *res, db_status st, unsigned limit, struct db_section_page *page)
{
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

void db_section_lists(db_conn *c, const struct name_query *const *qs, size_t n,
                      struct db_section_page pages[], db_status st[])
{
    struct db_int_text text[DB_LISTS_AT_ONCE][3];
    const char *params[DB_LISTS_AT_ONCE][4];
    struct db_call calls[DB_LISTS_AT_ONCE + 1];
    int64_t when;
    for (size_t i = 0; i < n; i++) {
        memset(&pages[i], 0, sizeof pages[i]);
        db_name_query_params(qs[i], text[i], params[i]);
        calls[i + 1] = (struct db_call){ .stmt = qs[i]->prefix ? STMT_SECTION_PREFIX : STMT_SECTION_LIST,
                                         .params = params[i] };
    }
    db_run_all_after_last_change(c, calls, n + 1, &when);
    for (size_t i = 0; i < n; i++) {
        st[i] = db_section_page_of(calls[i + 1].res, calls[i + 1].st, qs[i]->limit, &pages[i]);
        pages[i].end.last_modified = when;
    }
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

/* A section's id from its STMT_SECTION_FIND result (res NULL: it failed with st), cleared;
 * DB_NOT_FOUND when there is no such section. */
static db_status section_id_of(PGresult *res, db_status st, struct db_int_text *id)
{
    if (res == NULL)
        return st;
    st = PQntuples(res) == 1 ? DB_OK : DB_NOT_FOUND;
    if (st == DB_OK)
        *id = db_int_text(db_integer_of(res, 0, 0));
    PQclear(res);
    return st;
}

static db_status section_id(db_conn *c, const char *slug_key, struct db_int_text *id)
{
    db_status st;
    const char *params[1] = { slug_key };
    PGresult *res = db_run(c, STMT_SECTION_FIND, params, PGRES_TUPLES_OK, &st);
    return section_id_of(res, st, id);
}

/* The ids of the fronts' sections, in one round trip: ids[i] for qs[i], whose st[i] is
 * DB_NOT_FOUND when there is no such section. */
static void front_sections(db_conn *c, const struct front_query *const *qs, size_t n,
                           struct db_int_text ids[], db_status st[])
{
    const char *keys[DB_LISTS_AT_ONCE][1];
    struct db_call calls[DB_LISTS_AT_ONCE];
    for (size_t i = 0; i < n; i++) {
        keys[i][0] = qs[i]->section_key;
        calls[i] = (struct db_call){ .stmt = STMT_SECTION_FIND, .params = keys[i] };
    }
    db_run_all(c, calls, n, PGRES_TUPLES_OK);
    for (size_t i = 0; i < n; i++)
        st[i] = section_id_of(calls[i].res, calls[i].st, &ids[i]);
}

/* A front's statements: its newest page, and on a first page its pinned articles. */
struct front_read {
    const char *pinned[1], *newest[4];
    struct db_int_text after, limit;
    size_t newest_call, pinned_call; /* 0: not read */
};

static size_t front_calls(const struct front_query *q, const struct db_int_text *id,
                          struct front_read *r, struct db_call *calls, size_t m)
{
    r->after = db_int_text(q->after_id);
    r->limit = db_int_text((int64_t)q->limit + 1);
    r->pinned[0] = id->s;
    r->newest[0] = id->s;
    r->newest[1] = q->after_id ? q->after_time : NULL;
    r->newest[2] = q->after_id ? r->after.s : NULL;
    r->newest[3] = r->limit.s;
    r->newest_call = m;
    calls[m++] = (struct db_call){ .stmt = STMT_FRONT_NEWEST, .params = r->newest };
    r->pinned_call = q->after_id == 0 ? m : 0;
    if (q->after_id == 0)
        calls[m++] = (struct db_call){ .stmt = STMT_FRONT_PINNED, .params = r->pinned };
    return m;
}

void db_fronts_get(db_conn *c, const struct front_query *const *qs, size_t n, struct db_front out[],
                   db_status st[])
{
    struct db_int_text ids[DB_LISTS_AT_ONCE];
    struct front_read r[DB_LISTS_AT_ONCE];
    struct db_call calls[2 * DB_LISTS_AT_ONCE + 1];
    size_t m = 1;
    int64_t when;
    memset(out, 0, n * sizeof *out);
    front_sections(c, qs, n, ids, st);
    for (size_t i = 0; i < n; i++)
        m = st[i] == DB_OK ? front_calls(qs[i], &ids[i], &r[i], calls, m) : m;
    if (m == 1)
        return;
    db_run_all_after_last_change(c, calls, m, &when);
    for (size_t i = 0; i < n; i++) {
        if (st[i] != DB_OK)
            continue;
        struct db_call *newest = &calls[r[i].newest_call], *pinned = &calls[r[i].pinned_call];
        st[i] = db_article_rows_of(newest->res, newest->st, qs[i]->limit, &out[i].newest);
        out[i].newest.end.last_modified = when;
        if (r[i].pinned_call != 0 && st[i] == DB_OK)
            st[i] = db_article_rows_of(pinned->res, pinned->st, 0, &out[i].pinned);
        else if (r[i].pinned_call != 0)
            PQclear(pinned->res);
        if (st[i] != DB_OK)
            db_front_clear(&out[i]);
    }
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
