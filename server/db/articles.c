/* articles.c: reading and writing articles and their "read also" links, one transaction per write. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "text/normalize.h"

/* Columns of the article statements (see statements.c). */
enum {
    COL_ID, COL_SLUG, COL_TITLE, COL_SUMMARY, COL_BODY, COL_BODY_HTML, COL_BODY_TEXT,
    COL_CORRECTIONS, COL_WITHDRAWN_REASON, COL_STATUS, COL_VISIBLE, COL_LANG, COL_PUBLISHED, COL_CREATED,
    COL_UPDATED, COL_VERSION, COL_SOURCES, COL_TAGS, COL_RELATED, COL_IMAGE, COL_AUTHORS, COL_SECTION,
    COL_LAST_MODIFIED,
    COL_RANK /* searches only */
};

void db_article_clear(struct db_article *a)
{
    if (a == NULL)
        return;
    free(a->text_);
    memset(a, 0, sizeof *a);
}

void db_article_page_clear(struct db_article_page *page)
{
    for (size_t i = 0; page->items != NULL && i < page->n; i++)
        db_article_clear(&page->items[i]);
    free(page->items);
    page->items = NULL;
    page->n = 0;
}

/* One article row into *a; false when there is no memory. */
static bool article_of_row(const PGresult *res, int row, struct db_article *a)
{
    static const int cols[] = { COL_SLUG,        COL_TITLE,     COL_SUMMARY,   COL_BODY,
                                COL_BODY_HTML,   COL_BODY_TEXT, COL_LANG,      COL_PUBLISHED,
                                COL_CREATED,     COL_UPDATED,   COL_SOURCES,   COL_TAGS,
                                COL_RELATED,     COL_IMAGE,     COL_CORRECTIONS,
                                COL_WITHDRAWN_REASON, COL_STATUS, COL_AUTHORS, COL_SECTION };
    const char *text[sizeof cols / sizeof cols[0]];
    memset(a, 0, sizeof *a);
    a->text_ = db_row_text_new(res, row, cols, (int)(sizeof cols / sizeof cols[0]), text);
    if (a->text_ == NULL)
        return false;
    a->id = db_integer_of(res, row, COL_ID);
    a->version = db_integer_of(res, row, COL_VERSION);
    a->last_modified = db_integer_of(res, row, COL_LAST_MODIFIED);
    a->slug = text[0];
    a->title = text[1];
    a->summary = text[2];
    a->body = text[3];
    a->body_html = text[4];
    a->body_text = text[5];
    a->lang = text[6];
    a->published_at = text[7];
    a->created_at = text[8];
    a->updated_at = text[9];
    a->sources = text[10];
    a->tags = text[11];
    a->related = text[12];
    a->image = text[13];
    a->corrections = text[14];
    a->withdrawn_reason = text[15];
    a->status = text[16];
    a->authors = text[17];
    a->section = text[18];
    a->visible = PQgetvalue(res, row, COL_VISIBLE)[0] == 't';
    return true;
}

static db_status article_by(db_conn *c, enum db_stmt stmt, const char *param, struct db_article *out)
{
    db_status st;
    const char *params[1] = { param };
    memset(out, 0, sizeof *out);
    PGresult *res = db_run(c, stmt, params, PGRES_TUPLES_OK, &st);
    if (res == NULL)
        return st;
    st = DB_NOT_FOUND;
    if (PQntuples(res) == 1)
        st = article_of_row(res, 0, out) ? DB_OK : DB_ERROR;
    PQclear(res);
    return st;
}

db_status db_article_get(db_conn *c, int64_t id, struct db_article *out)
{
    return article_by(c, STMT_ARTICLE_BY_ID, db_int_text(id).s, out);
}

db_status db_article_get_by_slug_key(db_conn *c, const char *slug_key, struct db_article *out)
{
    return article_by(c, STMT_ARTICLE_BY_SLUG_KEY, slug_key, out);
}

/* The id and article count of a tag or source by key; *id 0 when there is none. */
static db_status find_name(db_conn *c, enum db_stmt stmt, const char *key, int64_t *id,
                           int64_t *count)
{
    db_status st;
    const char *params[1] = { key };
    *id = 0;
    *count = 0;
    PGresult *res = db_run(c, stmt, params, PGRES_TUPLES_OK, &st);
    if (res == NULL)
        return st;
    if (PQntuples(res) == 1) {
        *id = db_integer_of(res, 0, 0);
        *count = db_integer_of(res, 0, 1);
    }
    PQclear(res);
    return DB_OK;
}

/* The page's articles from rows fetched with limit + 1. */
static db_status article_page_fill(const PGresult *res, unsigned limit, int key_col,
                                   struct db_article_page *page)
{
    int rows = db_page_rows(res, limit, key_col, COL_ID, &page->end);
    if (rows > 0 && (page->items = calloc((size_t)rows, sizeof *page->items)) == NULL)
        return DB_ERROR;
    for (int i = 0; i < rows; i++, page->n++)
        if (!article_of_row(res, i, &page->items[i]))
            return DB_ERROR;
    return DB_OK;
}

db_status db_article_rows(db_conn *c, enum db_stmt stmt, const char *const *params, unsigned limit,
                          struct db_article_page *page)
{
    db_status st;
    PGresult *res = db_run(c, stmt, params, PGRES_TUPLES_OK, &st);
    if (res == NULL)
        return st;
    st = article_page_fill(res, limit ? limit : (unsigned)PQntuples(res), COL_PUBLISHED, page);
    PQclear(res);
    if (st != DB_OK)
        db_article_page_clear(page);
    return st;
}

/* The ids and article counts of what a list is filtered by; 0 when not asked for. */
struct list_filters {
    int64_t tag, tag_count, source, source_count, author, author_count, section, unused;
};

/* The statement of a list: an author's or a section's index drives the scan when asked
 * for, else the rarer of tag and source, the others filter it. */
static enum db_stmt list_statement(const struct article_query *q, const struct list_filters *f)
{
    if (q->tsquery)
        return STMT_LIST_SEARCH;
    if (q->status)
        return STMT_LIST_BY_STATUS;
    if (f->author)
        return STMT_LIST_BY_AUTHOR;
    if (f->section)
        return STMT_LIST_BY_SECTION;
    if (f->tag && (!f->source || f->tag_count <= f->source_count))
        return STMT_LIST_BY_TAG;
    return f->source ? STMT_LIST_BY_SOURCE : STMT_LIST_NEWEST;
}

/* Finds each filter the query names; false in *known when one names nothing. */
static db_status find_filters(db_conn *c, const struct article_query *q, struct list_filters *f,
                              bool *known)
{
    const struct {
        const char *key;
        enum db_stmt stmt;
        int64_t *id, *count;
    } names[] = { { q->tag_key, STMT_TAG_FIND, &f->tag, &f->tag_count },
                  { q->source_key, STMT_SOURCE_FIND, &f->source, &f->source_count },
                  { q->author_key, STMT_AUTHOR_FIND, &f->author, &f->author_count },
                  { q->section_key, STMT_SECTION_FIND, &f->section, &f->unused } };
    db_status st = DB_OK;
    memset(f, 0, sizeof *f);
    *known = true;
    for (size_t i = 0; st == DB_OK && i < sizeof names / sizeof names[0]; i++) {
        if (names[i].key == NULL)
            continue;
        st = find_name(c, names[i].stmt, names[i].key, names[i].id, names[i].count);
        *known &= *names[i].id != 0;
    }
    return st;
}

/* An id as a parameter: NULL for 0 (no filter). */
static const char *id_param(int64_t id, struct db_int_text *buf)
{
    *buf = db_int_text(id);
    return id ? buf->s : NULL;
}

db_status db_article_list(db_conn *c, const struct article_query *q, struct db_article_page *page)
{
    db_status st;
    struct list_filters f;
    bool known;
    memset(page, 0, sizeof *page);
    if ((st = find_filters(c, q, &f, &known)) != DB_OK)
        return st;
    if ((st = db_last_change(c, &page->end.last_modified)) != DB_OK)
        return st;
    if (!known)
        return DB_OK; /* an unknown tag, source, author or section has no articles */
    struct db_int_text limit = db_int_text((int64_t)q->limit + 1), after_id = db_int_text(q->after_id);
    struct db_int_text tb, sb, ab, cb;
    const char *tag = id_param(f.tag, &tb), *source = id_param(f.source, &sb);
    const char *author = id_param(f.author, &ab), *section = id_param(f.section, &cb);
    const char *after = q->tsquery ? q->after_rank : q->after_time;
    enum db_stmt stmt = list_statement(q, &f);
    const char *params[11] = { q->after_id ? after : NULL, q->after_id ? after_id.s : NULL,
                               q->from, q->to, q->lang, limit.s,
                               stmt == STMT_LIST_BY_SOURCE ? source : tag,
                               stmt == STMT_LIST_BY_SOURCE ? tag : source,
                               stmt == STMT_LIST_BY_STATUS ? q->status : q->tsquery,
                               author, section };
    if (stmt == STMT_LIST_BY_AUTHOR || stmt == STMT_LIST_BY_SECTION) {
        /* $7 the driving author or section, then tag, source and (an author's) section */
        params[6] = stmt == STMT_LIST_BY_AUTHOR ? author : section;
        params[7] = tag;
        params[8] = source;
        params[9] = section;
    }
    PGresult *res = db_run(c, stmt, params, PGRES_TUPLES_OK, &st);
    if (res == NULL)
        return st;
    st = article_page_fill(res, q->limit, q->tsquery ? COL_RANK : COL_PUBLISHED, page);
    PQclear(res);
    if (st != DB_OK)
        db_article_page_clear(page);
    return st;
}

db_status db_related_list(db_conn *c, int64_t id, bool with_hidden, char **related_json_out)
{
    db_status st;
    struct db_int_text idtext = db_int_text(id);
    const char *params[2] = { idtext.s, with_hidden ? "true" : "false" };
    *related_json_out = NULL;
    PGresult *res = db_run(c, STMT_RELATED_OF, params, PGRES_TUPLES_OK, &st);
    if (res == NULL)
        return st;
    st = DB_NOT_FOUND;
    if (PQntuples(res) == 1)
        st = (*related_json_out = strdup(PQgetvalue(res, 0, 0))) != NULL ? DB_OK : DB_ERROR;
    PQclear(res);
    return st;
}

/* ---- writes ---- */

/* Runs a statement whose JSON parameter is a list, skipping it when the list is empty. */
static db_status run_with_list(db_conn *c, enum db_stmt stmt, const char *id, const json_t *list)
{
    db_status st;
    if (json_array_size(list) == 0)
        return DB_OK;
    char *text = json_dumps(list, JSON_COMPACT);
    if (text == NULL)
        return DB_ERROR;
    const char *params[2] = { id, text };
    const char *const *p = db_statements[stmt].nparams == 1 ? params + 1 : params;
    PQclear(db_run(c, stmt, p, PGRES_COMMAND_OK, &st));
    free(text);
    return st;
}

static db_status run_id(db_conn *c, enum db_stmt stmt, const char *id, ExecStatusType want)
{
    db_status st;
    const char *params[1] = { id };
    PQclear(db_run(c, stmt, params, want, &st));
    return st;
}

/* Inserts the article row under slug/key; *id_out 0 when the key is taken. */
static db_status insert_row(db_conn *c, const struct db_article_write *in, const char *slug,
                            const char *key, const char *section, int64_t *id_out)
{
    db_status st;
    const char *params[15] = { slug,          key,           in->title,    in->summary,
                               in->body,      in->lang,      in->published_at, in->search,
                               in->body_html, in->body_text, in->image,    in->status,
                               in->withdrawn_reason, in->corrections, section };
    *id_out = 0;
    PGresult *res = db_run(c, STMT_ARTICLE_INSERT, params, PGRES_TUPLES_OK, &st);
    if (res == NULL)
        return st;
    if (PQntuples(res) == 1)
        *id_out = db_integer_of(res, 0, 0);
    PQclear(res);
    return DB_OK;
}

/* A client's slug must be free; a derived one takes the first free "-n" suffix. */
static db_status insert_article(db_conn *c, const struct db_article_write *in, const char *section,
                                int64_t *id_out, struct db_refusal *refused)
{
    db_status st = DB_OK;
    if (in->slug != NULL) {
        st = insert_row(c, in, in->slug, in->slug_key, section, id_out);
        if (st == DB_OK && *id_out == 0) {
            db_refuse(refused, DB_INPUT_SLUG, DB_REFUSAL_TAKEN, 0, in->slug);
            st = DB_CONFLICT;
        }
        return st;
    }
    for (unsigned n = 1; st == DB_OK && *id_out == 0 && n < 10000; n++) {
        char *slug = text_slug_with_suffix_new(in->title_slug, n, TEXT_SLUG_MAX_CHARS);
        char *key = slug ? text_slug_key_new(slug) : NULL;
        st = key ? insert_row(c, in, slug, key, section, id_out) : DB_ERROR;
        free(slug);
        free(key);
    }
    if (st == DB_OK && *id_out == 0) {
        db_refuse(refused, DB_INPUT_SLUG, DB_REFUSAL_TAKEN, 0, in->title_slug);
        st = DB_CONFLICT;
    }
    return st;
}

/* Sets the article's tags, sources, byline and related links to the input's. */
static db_status write_links(db_conn *c, const char *id, const struct db_article_write *in,
                             const struct resolved *r, int clear_first)
{
    db_status st = DB_OK;
    if (clear_first) {
        if ((st = run_id(c, STMT_ARTICLE_TAGS_CLEAR, id, PGRES_COMMAND_OK)) != DB_OK ||
            (st = run_id(c, STMT_ARTICLE_SOURCES_CLEAR, id, PGRES_COMMAND_OK)) != DB_OK ||
            (st = run_id(c, STMT_ARTICLE_AUTHORS_CLEAR, id, PGRES_COMMAND_OK)) != DB_OK ||
            (st = run_id(c, STMT_ARTICLE_RELATED_CLEAR, id, PGRES_COMMAND_OK)) != DB_OK)
            return st;
    }
    if ((st = run_with_list(c, STMT_ARTICLE_AUTHORS_ADD, id, r->authors)) != DB_OK)
        return st;
    if ((st = run_with_list(c, STMT_TAGS_UPSERT, id, in->tags)) != DB_OK ||
        (st = run_with_list(c, STMT_ARTICLE_TAGS_ADD, id, in->tags)) != DB_OK ||
        (st = run_with_list(c, STMT_SOURCES_UPSERT, id, in->sources)) != DB_OK ||
        (st = run_with_list(c, STMT_ARTICLE_SOURCES_ADD, id, in->sources)) != DB_OK)
        return st;
    return run_with_list(c, STMT_ARTICLE_RELATED_ADD_ALL, id, r->related);
}

/* Ends a write: COMMIT after success, ROLLBACK otherwise (the first error is kept). */
static db_status finish(db_conn *c, db_status st)
{
    if (st == DB_OK)
        return db_tx(c, "COMMIT");
    db_tx(c, "ROLLBACK");
    return st;
}

/* Locks the article row; DB_NOT_FOUND, or DB_STALE when its version is not expected.
 * *version is the version it has. */
static db_status lock_article(db_conn *c, const char *id, int64_t expected_version,
                              int64_t *version)
{
    db_status st;
    const char *params[1] = { id };
    PGresult *res = db_run(c, STMT_ARTICLE_LOCK, params, PGRES_TUPLES_OK, &st);
    if (res == NULL)
        return st;
    *version = 0;
    if (PQntuples(res) == 0)
        st = DB_NOT_FOUND;
    else if ((*version = db_integer_of(res, 0, 0)) != expected_version && expected_version != 0)
        st = DB_STALE;
    PQclear(res);
    return st;
}

/* Opens a write of one article: BEGIN, then its row locked (lock_article) and, for its
 * revision, how it read (*before, the caller's; NULL without a writer); on a failure after
 * BEGIN the transaction is rolled back already. */
static db_status begin_locked(db_conn *c, const struct db_writer *by, int64_t id,
                              int64_t expected_version, int64_t *version, char **before)
{
    struct db_int_text idtext = db_int_text(id);
    *before = NULL;
    db_status st = db_tx(c, "BEGIN");
    if (st != DB_OK)
        return st;
    if ((st = lock_article(c, idtext.s, expected_version, version)) == DB_OK)
        st = db_revision_snapshot(c, by, id, before);
    if (st != DB_OK) {
        db_tx(c, "ROLLBACK");
        free(*before);
        *before = NULL;
    }
    return st;
}

/* What one write transaction is given and gives back (db_transaction_run runs it). */
struct article_write {
    const struct db_writer *by;
    const struct db_article_write *in;
    int64_t id, expected_version;
    struct db_article *out;
    struct db_refusal *refused;
};

/* The action a replace's revision records. */
static const char *replace_action(const struct db_writer *by)
{
    return by != NULL && by->restored_from > 0 ? "restored" : "updated";
}

/*
 * The common end of a create or replace that got this far with st: the links, the
 * article as it now reads and its revision (action, before: see db_revision_keep), then
 * COMMIT (or ROLLBACK on any failure, w->out cleared). The resolved lists and before are
 * released.
 */
static db_status finish_write(db_conn *c, db_status st, const struct article_write *w,
                              struct resolved *r, int clear_links, const char *action,
                              char *before)
{
    struct db_int_text idtext = db_int_text(w->id);
    if (st == DB_OK)
        st = write_links(c, idtext.s, w->in, r, clear_links);
    if (st == DB_OK)
        st = db_article_get(c, w->id, w->out);
    if (st == DB_OK)
        st = db_revision_keep(c, w->by, w->out, action, before);
    json_decref(r->related);
    json_decref(r->authors);
    free(before);
    st = finish(c, st);
    if (st != DB_OK)
        db_article_clear(w->out);
    return st;
}

static db_status create_tx(db_conn *c, void *arg)
{
    struct article_write *w = arg;
    struct resolved r = { 0 };
    w->id = 0;
    db_status st = db_tx(c, "BEGIN");
    if (st != DB_OK)
        return st;
    st = db_resolve_all(c, w->in, 0, &r, w->refused);
    if (st == DB_OK)
        st = insert_article(c, w->in, db_section_param(&r), &w->id, w->refused);
    return finish_write(c, st, w, &r, 0, "created", NULL);
}

static db_status replace_tx(db_conn *c, void *arg)
{
    struct article_write *w = arg;
    const struct db_article_write *in = w->in;
    struct resolved r = { 0 };
    struct db_int_text idtext = db_int_text(w->id);
    int64_t version;
    char *before;
    db_status st = begin_locked(c, w->by, w->id, w->expected_version, &version, &before);
    if (st != DB_OK)
        return st;
    st = db_resolve_all(c, in, w->id, &r, w->refused);
    if (st == DB_OK) {
        const char *params[16] = { idtext.s,   in->slug,      in->slug_key,  in->title,
                                   in->summary, in->body,      in->lang,      in->published_at,
                                   in->search,  in->body_html, in->body_text, in->image,
                                   in->status,  in->withdrawn_reason,         in->corrections,
                                   db_section_param(&r) };
        PQclear(db_run(c, STMT_ARTICLE_UPDATE, params, PGRES_COMMAND_OK, &st));
        if (st == DB_CONFLICT)
            db_refuse(w->refused, DB_INPUT_SLUG, DB_REFUSAL_TAKEN, 0, in->slug);
    }
    return finish_write(c, st, w, &r, 1, replace_action(w->by), before);
}

db_status db_article_create(db_conn *c, const struct db_writer *by,
                            const struct db_article_write *in, struct db_article *out,
                            struct db_refusal *refused)
{
    struct article_write w = { .by = by, .in = in, .out = out, .refused = refused };
    memset(out, 0, sizeof *out);
    memset(refused, 0, sizeof *refused);
    return db_transaction_run(c, create_tx, &w);
}

db_status db_article_replace(db_conn *c, const struct db_writer *by, int64_t id,
                             int64_t expected_version, const struct db_article_write *in,
                             struct db_article *out, struct db_refusal *refused)
{
    struct article_write w = { .by = by, .in = in, .id = id,
                               .expected_version = expected_version, .out = out,
                               .refused = refused };
    memset(out, 0, sizeof *out);
    memset(refused, 0, sizeof *refused);
    return db_transaction_run(c, replace_tx, &w);
}

/* The articles listing id as "read also", locked, with how each read before (*before_out
 * the caller's, n of each). Only with a writer: without one nothing is kept of them. */
struct linkers {
    int64_t *ids;
    char **before;
    int n;
};

static void linkers_clear(struct linkers *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->before[i]);
    free(l->ids);
    free(l->before);
    memset(l, 0, sizeof *l);
}

static db_status linkers_read(db_conn *c, const struct db_writer *by, const char *id,
                              struct linkers *l)
{
    db_status st;
    const char *params[1] = { id };
    memset(l, 0, sizeof *l);
    if (by == NULL)
        return DB_OK;
    PGresult *res = db_run(c, STMT_LINKERS_OF, params, PGRES_TUPLES_OK, &st);
    if (res == NULL)
        return st;
    int rows = PQntuples(res);
    l->ids = calloc((size_t)rows + 1, sizeof *l->ids);
    l->before = calloc((size_t)rows + 1, sizeof *l->before);
    st = l->ids && l->before ? DB_OK : DB_ERROR;
    for (; st == DB_OK && l->n < rows; l->n++) {
        l->ids[l->n] = db_integer_of(res, l->n, 0);
        st = db_revision_snapshot(c, by, l->ids[l->n], &l->before[l->n]);
    }
    PQclear(res);
    return st;
}

/* A revision of each article whose "read also" list lost the deleted one. */
static db_status linkers_keep(db_conn *c, const struct db_writer *by, const struct linkers *l)
{
    db_status st = DB_OK;
    for (int i = 0; st == DB_OK && i < l->n; i++) {
        struct db_article a;
        if ((st = db_article_get(c, l->ids[i], &a)) == DB_OK)
            st = db_revision_keep(c, by, &a, "updated", l->before[i]);
        db_article_clear(&a);
    }
    return st;
}

static db_status delete_tx(db_conn *c, void *arg)
{
    const struct article_write *w = arg;
    struct db_int_text idtext = db_int_text(w->id);
    struct linkers linkers = { 0 };
    int64_t version;
    char *before;
    /* the deleted article's last state is its previous revision: no snapshot needed */
    db_status st = begin_locked(c, NULL, w->id, w->expected_version, &version, &before);
    if (st != DB_OK)
        return st;
    st = linkers_read(c, w->by, idtext.s, &linkers);
    if (st == DB_OK)
        st = run_id(c, STMT_LINKERS_TOUCH, idtext.s, PGRES_COMMAND_OK);
    if (st == DB_OK)
        st = run_id(c, STMT_ARTICLE_DELETE, idtext.s, PGRES_COMMAND_OK);
    if (st == DB_OK)
        PQclear(db_run(c, STMT_DELETION_NOTE, NULL, PGRES_COMMAND_OK, &st));
    if (st == DB_OK)
        st = linkers_keep(c, w->by, &linkers);
    if (st == DB_OK)
        st = db_revision_keep_deletion(c, w->by, w->id, version);
    linkers_clear(&linkers);
    return finish(c, st);
}

db_status db_article_delete(db_conn *c, const struct db_writer *by, int64_t id,
                            int64_t expected_version)
{
    struct article_write w = { .by = by, .id = id, .expected_version = expected_version };
    return db_transaction_run(c, delete_tx, &w);
}

/* One link to add or remove (STMT_RELATED_ADD or STMT_RELATED_REMOVE). */
struct link_change {
    const struct db_writer *by;
    enum db_stmt stmt;
    int64_t id, other;
};

/* Adds or removes one link and, when that changed anything, bumps the article's version. */
static db_status change_link_tx(db_conn *c, void *arg)
{
    const struct link_change *l = arg;
    struct db_int_text idtext = db_int_text(l->id), othertext = db_int_text(l->other);
    const char *params[2] = { idtext.s, othertext.s };
    int64_t version;
    char *before;
    struct db_article now = { 0 };
    db_status st = begin_locked(c, l->by, l->id, 0, &version, &before);
    if (st != DB_OK)
        return st;
    PGresult *res = NULL;
    if (st == DB_OK && l->stmt == STMT_RELATED_ADD) {
        res = db_run(c, STMT_ARTICLE_EXISTS, params + 1, PGRES_TUPLES_OK, &st);
        if (res != NULL && PQntuples(res) == 0)
            st = DB_NOT_FOUND;
        PQclear(res);
        res = NULL;
    }
    if (st == DB_OK)
        res = db_run(c, l->stmt, params, PGRES_COMMAND_OK, &st);
    bool changed = res != NULL && strcmp(PQcmdTuples(res), "0") != 0;
    PQclear(res);
    if (st == DB_OK && !changed && l->stmt == STMT_RELATED_REMOVE)
        st = DB_NOT_FOUND;
    if (st == DB_OK && changed)
        st = run_id(c, STMT_ARTICLE_TOUCH, idtext.s, PGRES_COMMAND_OK);
    if (st == DB_OK && changed && l->by != NULL && (st = db_article_get(c, l->id, &now)) == DB_OK)
        st = db_revision_keep(c, l->by, &now, "updated", before);
    db_article_clear(&now);
    free(before);
    return finish(c, st);
}

db_status db_related_add(db_conn *c, const struct db_writer *by, int64_t id, int64_t other)
{
    struct link_change l = { by, STMT_RELATED_ADD, id, other };
    return db_transaction_run(c, change_link_tx, &l);
}

db_status db_related_remove(db_conn *c, const struct db_writer *by, int64_t id, int64_t other)
{
    struct link_change l = { by, STMT_RELATED_REMOVE, id, other };
    return db_transaction_run(c, change_link_tx, &l);
}

db_status db_last_change(db_conn *c, int64_t *when)
{
    db_status st;
    *when = 0;
    PGresult *res = db_run(c, STMT_LAST_CHANGE, NULL, PGRES_TUPLES_OK, &st);
    if (res == NULL)
        return st;
    if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
        *when = db_integer_of(res, 0, 0);
    PQclear(res);
    return DB_OK;
}
