/* db_articles.c: reading and writing articles and their "read also" links, one transaction per write. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/article_input.h"
#include "internal.h"
#include "text/normalize.h"

/* Columns of the article statements (see db_sql.c). */
enum {
    COL_ID, COL_SLUG, COL_TITLE, COL_SUMMARY, COL_BODY, COL_LANG, COL_PUBLISHED, COL_CREATED,
    COL_UPDATED, COL_VERSION, COL_SOURCES, COL_TAGS, COL_RELATED, COL_LAST_MODIFIED,
    COL_RANK /* searches only */
};

static json_t *text_or_null(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? json_null() : json_string(PQgetvalue(res, row, col));
}

static json_t *integer_of(const PGresult *res, int row, int col)
{
    return json_integer((json_int_t)strtoll(PQgetvalue(res, row, col), NULL, 10));
}

static json_t *json_of(const PGresult *res, int row, int col)
{
    json_t *v = json_loads(PQgetvalue(res, row, col), 0, NULL);
    return v ? v : json_array();
}

/* One article row as the object of api.md; the body only when the row has one. */
static json_t *article_from_row(const PGresult *res, int row)
{
    const char *lang = PQgetvalue(res, row, COL_LANG);
    json_t *a = json_object();
    json_object_set_new(a, "id", integer_of(res, row, COL_ID));
    json_object_set_new(a, "slug", json_string(PQgetvalue(res, row, COL_SLUG)));
    json_object_set_new(a, "title", json_string(PQgetvalue(res, row, COL_TITLE)));
    json_object_set_new(a, "summary", text_or_null(res, row, COL_SUMMARY));
    if (!PQgetisnull(res, row, COL_BODY))
        json_object_set_new(a, "body", json_string(PQgetvalue(res, row, COL_BODY)));
    json_object_set_new(a, "lang", json_string(lang));
    json_object_set_new(a, "dir", json_string(lang_direction(lang)));
    json_object_set_new(a, "published_at", json_string(PQgetvalue(res, row, COL_PUBLISHED)));
    json_object_set_new(a, "created_at", json_string(PQgetvalue(res, row, COL_CREATED)));
    json_object_set_new(a, "updated_at", json_string(PQgetvalue(res, row, COL_UPDATED)));
    json_object_set_new(a, "version", integer_of(res, row, COL_VERSION));
    json_object_set_new(a, "sources", json_of(res, row, COL_SOURCES));
    json_object_set_new(a, "tags", json_of(res, row, COL_TAGS));
    json_object_set_new(a, "related", json_of(res, row, COL_RELATED));
    return a;
}

static db_status article_by(db_conn *c, enum db_stmt stmt, const char *param, json_t **article_out,
                            int64_t *last_modified_out)
{
    db_status st;
    const char *params[1] = { param };
    *article_out = NULL;
    PGresult *res = db_run(c, stmt, params, PGRES_TUPLES_OK, &st);
    if (res == NULL)
        return st;
    if (PQntuples(res) == 1) {
        *article_out = article_from_row(res, 0);
        if (last_modified_out != NULL)
            *last_modified_out = strtoll(PQgetvalue(res, 0, COL_LAST_MODIFIED), NULL, 10);
    }
    PQclear(res);
    return *article_out ? DB_OK : DB_NOT_FOUND;
}

db_status db_article_get(db_conn *c, int64_t id, json_t **article_out, int64_t *last_modified_out)
{
    char idtext[24];
    snprintf(idtext, sizeof idtext, "%" PRId64, id);
    return article_by(c, STMT_ARTICLE_BY_ID, idtext, article_out, last_modified_out);
}

db_status db_article_get_by_slug_key(db_conn *c, const char *slug_key, json_t **article_out,
                                     int64_t *last_modified_out)
{
    return article_by(c, STMT_ARTICLE_BY_SLUG_KEY, slug_key, article_out, last_modified_out);
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
        *id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        *count = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
    }
    PQclear(res);
    return DB_OK;
}

db_status db_article_list(db_conn *c, const struct article_query *q, struct list_page *page)
{
    db_status st;
    int64_t tag_id = 0, tag_count = 0, source_id = 0, source_count = 0;
    char limit_text[16], after_id[24], tag_text[24], source_text[24];
    memset(page, 0, sizeof *page);
    if (q->tag_key && (st = find_name(c, STMT_TAG_FIND, q->tag_key, &tag_id, &tag_count)) != DB_OK)
        return st;
    if (q->source_key &&
        (st = find_name(c, STMT_SOURCE_FIND, q->source_key, &source_id, &source_count)) != DB_OK)
        return st;
    if ((st = db_last_change(c, &page->last_modified)) != DB_OK)
        return st;
    if ((q->tag_key && tag_id == 0) || (q->source_key && source_id == 0)) {
        page->items = json_array(); /* an unknown tag or source has no articles */
        return DB_OK;
    }
    snprintf(limit_text, sizeof limit_text, "%u", q->limit + 1);
    snprintf(after_id, sizeof after_id, "%" PRId64, q->after_id);
    snprintf(tag_text, sizeof tag_text, "%" PRId64, tag_id);
    snprintf(source_text, sizeof source_text, "%" PRId64, source_id);
    const char *after = q->tsquery ? q->after_rank : q->after_time;
    const char *tag = tag_id ? tag_text : NULL, *source = source_id ? source_text : NULL;
    enum db_stmt stmt = STMT_LIST_NEWEST;
    /* The rarer of tag and source drives the scan; the other filters it. */
    bool by_tag = tag && (!source || tag_count <= source_count);
    if (q->tsquery)
        stmt = STMT_LIST_SEARCH;
    else if (by_tag)
        stmt = STMT_LIST_BY_TAG;
    else if (source)
        stmt = STMT_LIST_BY_SOURCE;
    const char *params[9] = { q->after_id ? after : NULL, q->after_id ? after_id : NULL,
                              q->from, q->to, q->lang, limit_text,
                              stmt == STMT_LIST_BY_SOURCE ? source : tag,
                              stmt == STMT_LIST_BY_SOURCE ? tag : source, q->tsquery };
    PGresult *res = db_run(c, stmt, params, PGRES_TUPLES_OK, &st);
    if (res == NULL)
        return st;
    db_page_fill(res, q->limit, q->tsquery ? COL_RANK : COL_PUBLISHED, COL_ID, article_from_row,
                 page);
    PQclear(res);
    return DB_OK;
}

db_status db_related_list(db_conn *c, int64_t id, json_t **items_out)
{
    db_status st;
    char idtext[24];
    snprintf(idtext, sizeof idtext, "%" PRId64, id);
    const char *params[1] = { idtext };
    *items_out = NULL;
    PGresult *res = db_run(c, STMT_RELATED_OF, params, PGRES_TUPLES_OK, &st);
    if (res == NULL)
        return st;
    if (PQntuples(res) == 1)
        *items_out = json_of(res, 0, 0);
    PQclear(res);
    return *items_out ? DB_OK : DB_NOT_FOUND;
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

/*
 * The ids of the related references, in order; DB_BAD_REFERENCE naming the first
 * one that does not exist (or is the article itself, self_id).
 */
static db_status resolve_related(db_conn *c, const json_t *refs, int64_t self_id,
                                 json_t **ids_out, struct db_problem *problem)
{
    db_status st;
    *ids_out = json_array();
    if (json_array_size(refs) == 0)
        return DB_OK;
    char *text = json_dumps(refs, JSON_COMPACT);
    const char *params[1] = { text };
    PGresult *res = text ? db_run(c, STMT_RELATED_RESOLVE, params, PGRES_TUPLES_OK, &st) : NULL;
    free(text);
    if (res == NULL)
        return text ? st : DB_ERROR;
    st = DB_OK;
    for (int i = 0; i < PQntuples(res) && st == DB_OK; i++) {
        int64_t id = PQgetisnull(res, i, 1) ? 0 : strtoll(PQgetvalue(res, i, 1), NULL, 10);
        if (id == 0 || id == self_id) {
            snprintf(problem->field, sizeof problem->field, "related[%d]", i);
            snprintf(problem->message, sizeof problem->message, "%s",
                     id == 0 ? "no article has this id or slug"
                             : "an article cannot be related to itself");
            st = DB_BAD_REFERENCE;
        } else {
            json_array_append_new(*ids_out, json_integer((json_int_t)id));
        }
    }
    PQclear(res);
    return st;
}

/* Inserts the article row under slug/key; *id_out 0 when the key is taken. */
static db_status insert_row(db_conn *c, const struct article_input *in, const char *slug,
                            const char *key, int64_t *id_out)
{
    db_status st;
    const char *params[8] = { slug, key, in->title, in->summary, in->body, in->lang,
                              in->published_at, in->search };
    *id_out = 0;
    PGresult *res = db_run(c, STMT_ARTICLE_INSERT, params, PGRES_TUPLES_OK, &st);
    if (res == NULL)
        return st;
    if (PQntuples(res) == 1)
        *id_out = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return DB_OK;
}

/* A client's slug must be free; a derived one takes the first free "-n" suffix. */
static db_status insert_article(db_conn *c, const struct article_input *in, int64_t *id_out,
                                struct db_problem *problem)
{
    db_status st = DB_OK;
    if (in->slug != NULL) {
        st = insert_row(c, in, in->slug, in->slug_key, id_out);
        if (st == DB_OK && *id_out == 0) {
            snprintf(problem->field, sizeof problem->field, "slug");
            snprintf(problem->message, sizeof problem->message,
                     "another article already has this slug");
            st = DB_CONFLICT;
        }
        return st;
    }
    for (unsigned n = 1; st == DB_OK && *id_out == 0 && n < 10000; n++) {
        char *slug = text_slug_with_suffix_new(in->title_slug, n, TEXT_SLUG_MAX_CHARS);
        char *key = slug ? text_slug_key_new(slug) : NULL;
        st = key ? insert_row(c, in, slug, key, id_out) : DB_ERROR;
        free(slug);
        free(key);
    }
    return st == DB_OK && *id_out == 0 ? DB_CONFLICT : st;
}

/* Sets the article's tags, sources and related links to the input's. */
static db_status write_links(db_conn *c, const char *id, const struct article_input *in,
                             const json_t *related_ids, int clear_first)
{
    db_status st = DB_OK;
    if (clear_first) {
        if ((st = run_id(c, STMT_ARTICLE_TAGS_CLEAR, id, PGRES_COMMAND_OK)) != DB_OK ||
            (st = run_id(c, STMT_ARTICLE_SOURCES_CLEAR, id, PGRES_COMMAND_OK)) != DB_OK ||
            (st = run_id(c, STMT_ARTICLE_RELATED_CLEAR, id, PGRES_COMMAND_OK)) != DB_OK)
            return st;
    }
    if ((st = run_with_list(c, STMT_TAGS_UPSERT, id, in->tags)) != DB_OK ||
        (st = run_with_list(c, STMT_ARTICLE_TAGS_ADD, id, in->tags)) != DB_OK ||
        (st = run_with_list(c, STMT_SOURCES_UPSERT, id, in->sources)) != DB_OK ||
        (st = run_with_list(c, STMT_ARTICLE_SOURCES_ADD, id, in->sources)) != DB_OK)
        return st;
    return run_with_list(c, STMT_ARTICLE_RELATED_ADD_ALL, id, related_ids);
}

/* Ends a write: COMMIT after success, ROLLBACK otherwise (the first error is kept). */
static db_status finish(db_conn *c, db_status st)
{
    if (st == DB_OK)
        return db_tx(c, "COMMIT");
    db_tx(c, "ROLLBACK");
    return st;
}

/* Locks the article row; DB_NOT_FOUND, or DB_STALE when its version is not expected. */
static db_status lock_article(db_conn *c, const char *id, int64_t expected_version)
{
    db_status st;
    const char *params[1] = { id };
    PGresult *res = db_run(c, STMT_ARTICLE_LOCK, params, PGRES_TUPLES_OK, &st);
    if (res == NULL)
        return st;
    if (PQntuples(res) == 0)
        st = DB_NOT_FOUND;
    else if (expected_version != 0 && strtoll(PQgetvalue(res, 0, 0), NULL, 10) != expected_version)
        st = DB_STALE;
    PQclear(res);
    return st;
}

/*
 * The common end of a create or replace that got this far with st: the links, the
 * article as it now reads, then COMMIT (or ROLLBACK on any failure, *article_out NULL).
 * related_ids is released.
 */
static db_status finish_write(db_conn *c, db_status st, int64_t id, const char *idtext,
                              const struct article_input *in, json_t *related_ids,
                              int clear_links, json_t **article_out)
{
    if (st == DB_OK)
        st = write_links(c, idtext, in, related_ids, clear_links);
    if (st == DB_OK)
        st = db_article_get(c, id, article_out, NULL);
    json_decref(related_ids);
    st = finish(c, st);
    if (st != DB_OK) {
        json_decref(*article_out);
        *article_out = NULL;
    }
    return st;
}

db_status db_article_create(db_conn *c, const struct article_input *in, json_t **article_out,
                            struct db_problem *problem)
{
    json_t *related_ids = NULL;
    int64_t id = 0;
    char idtext[24];
    *article_out = NULL;
    db_status st = db_tx(c, "BEGIN");
    if (st != DB_OK)
        return st;
    st = resolve_related(c, in->related, 0, &related_ids, problem);
    if (st == DB_OK)
        st = insert_article(c, in, &id, problem);
    snprintf(idtext, sizeof idtext, "%" PRId64, id);
    return finish_write(c, st, id, idtext, in, related_ids, 0, article_out);
}

db_status db_article_replace(db_conn *c, int64_t id, int64_t expected_version,
                             const struct article_input *in, json_t **article_out,
                             struct db_problem *problem)
{
    json_t *related_ids = NULL;
    char idtext[24];
    snprintf(idtext, sizeof idtext, "%" PRId64, id);
    *article_out = NULL;
    db_status st = db_tx(c, "BEGIN");
    if (st != DB_OK)
        return st;
    st = lock_article(c, idtext, expected_version);
    if (st == DB_OK)
        st = resolve_related(c, in->related, id, &related_ids, problem);
    if (st == DB_OK) {
        const char *params[9] = { idtext,      in->slug, in->slug_key, in->title,      in->summary,
                                  in->body,    in->lang, in->published_at, in->search };
        PQclear(db_run(c, STMT_ARTICLE_UPDATE, params, PGRES_COMMAND_OK, &st));
        if (st == DB_CONFLICT) {
            snprintf(problem->field, sizeof problem->field, "slug");
            snprintf(problem->message, sizeof problem->message,
                     "another article already has this slug");
        }
    }
    return finish_write(c, st, id, idtext, in, related_ids, 1, article_out);
}

db_status db_article_delete(db_conn *c, int64_t id, int64_t expected_version)
{
    char idtext[24];
    snprintf(idtext, sizeof idtext, "%" PRId64, id);
    db_status st = db_tx(c, "BEGIN");
    if (st != DB_OK)
        return st;
    st = lock_article(c, idtext, expected_version);
    if (st == DB_OK)
        st = run_id(c, STMT_LINKERS_TOUCH, idtext, PGRES_COMMAND_OK);
    if (st == DB_OK)
        st = run_id(c, STMT_ARTICLE_DELETE, idtext, PGRES_COMMAND_OK);
    if (st == DB_OK)
        PQclear(db_run(c, STMT_DELETION_NOTE, NULL, PGRES_COMMAND_OK, &st));
    return finish(c, st);
}

/* Adds or removes one link and, when that changed anything, bumps the article's version. */
static db_status change_link(db_conn *c, enum db_stmt stmt, int64_t id, int64_t other)
{
    char idtext[24], othertext[24];
    snprintf(idtext, sizeof idtext, "%" PRId64, id);
    snprintf(othertext, sizeof othertext, "%" PRId64, other);
    const char *params[2] = { idtext, othertext };
    db_status st = db_tx(c, "BEGIN");
    if (st != DB_OK)
        return st;
    st = lock_article(c, idtext, 0);
    PGresult *res = NULL;
    if (st == DB_OK && stmt == STMT_RELATED_ADD) {
        res = db_run(c, STMT_ARTICLE_EXISTS, params + 1, PGRES_TUPLES_OK, &st);
        if (res != NULL && PQntuples(res) == 0)
            st = DB_NOT_FOUND;
        PQclear(res);
        res = NULL;
    }
    if (st == DB_OK)
        res = db_run(c, stmt, params, PGRES_COMMAND_OK, &st);
    bool changed = res != NULL && strcmp(PQcmdTuples(res), "0") != 0;
    PQclear(res);
    if (st == DB_OK && !changed && stmt == STMT_RELATED_REMOVE)
        st = DB_NOT_FOUND;
    if (st == DB_OK && changed)
        st = run_id(c, STMT_ARTICLE_TOUCH, idtext, PGRES_COMMAND_OK);
    return finish(c, st);
}

db_status db_related_add(db_conn *c, int64_t id, int64_t other)
{
    return change_link(c, STMT_RELATED_ADD, id, other);
}

db_status db_related_remove(db_conn *c, int64_t id, int64_t other)
{
    return change_link(c, STMT_RELATED_REMOVE, id, other);
}

db_status db_last_change(db_conn *c, int64_t *when)
{
    db_status st;
    *when = 0;
    PGresult *res = db_run(c, STMT_LAST_CHANGE, NULL, PGRES_TUPLES_OK, &st);
    if (res == NULL)
        return st;
    if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
        *when = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return DB_OK;
}
