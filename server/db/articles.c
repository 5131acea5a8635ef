/* articles.c: writing articles and their "read also" links, one transaction per write, each keeping its revision. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "text/normalize.h"

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
