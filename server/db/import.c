/* import.c: bulk loading: COPY a batch into import_rows, then move it with a few set-based statements. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* One COPY line being written: the buffer is reused from row to row, so a batch costs no
 * growing of one big text (that growing was a fifth of the import's CPU). */
struct copy_line {
    char *data;
    size_t len, cap;
    bool failed;
};

static void put_bytes(struct copy_line *l, const char *s, size_t n)
{
    if (l->len + n > l->cap) {
        size_t cap = l->cap ? l->cap : 4096;
        while (cap < l->len + n)
            cap *= 2;
        char *grown = realloc(l->data, cap);
        if (grown == NULL) {
            l->failed = true;
            return;
        }
        l->data = grown;
        l->cap = cap;
    }
    memcpy(l->data + l->len, s, n);
    l->len += n;
}

/* A COPY text-format field: backslash, tab, newline and carriage return escaped; NULL as
 * \N. Written a run at a time between escapes. */
static void put_field(struct copy_line *l, const char *s, char end)
{
    if (s == NULL) {
        put_bytes(l, "\\N", 2);
    } else {
        for (;;) {
            size_t run = strcspn(s, "\\\t\n\r");
            put_bytes(l, s, run);
            s += run;
            if (*s == '\0')
                break;
            static const char escaped[256] = { ['\\'] = '\\', ['\t'] = 't', ['\n'] = 'n', ['\r'] = 'r' };
            char pair[2] = { '\\', escaped[(unsigned char)*s++] };
            put_bytes(l, pair, 2);
        }
    }
    put_bytes(l, &end, 1);
}

static void put_json_field(struct copy_line *l, const json_t *list, char end)
{
    char *text = json_dumps(list, JSON_COMPACT);
    put_field(l, text ? text : "[]", end);
    free(text);
}

/* The import_rows line of an article numbered row, with the slug it would take. */
static void put_row(struct copy_line *l, long row, const struct db_article_write *a)
{
    char line[24];
    l->len = 0;
    put_bytes(l, line, (size_t)snprintf(line, sizeof line, "%ld\t", row));
    put_field(l, a->slug ? a->slug : a->title_slug, '\t');
    put_field(l, a->slug ? a->slug_key : a->title_slug_key, '\t');
    put_field(l, a->title, '\t');
    put_field(l, a->summary, '\t');
    put_field(l, a->body, '\t');
    put_field(l, a->body_html, '\t');
    put_field(l, a->body_text, '\t');
    put_field(l, a->lang, '\t');
    put_field(l, a->published_at, '\t');
    put_field(l, a->search, '\t');
    put_field(l, a->image, '\t');
    put_field(l, a->status, '\t');
    put_field(l, a->withdrawn_reason, '\t');
    put_field(l, a->corrections, '\t');
    put_json_field(l, a->tags, '\t');
    put_json_field(l, a->sources, '\t');
    if (a->authors != NULL)
        put_json_field(l, a->authors, '\t');
    else
        put_field(l, "[]", '\t');
    if (json_is_object(a->section))
        put_json_field(l, a->section, '\n');
    else
        put_field(l, NULL, '\n');
}

/* COPYs the batch into import_rows, a line at a time (libpq sends as its buffer fills). */
static db_status copy_in(db_conn *c, const struct db_article_write *const *in, size_t n, long first)
{
    PGresult *res = PQexec(c->pg, "COPY import_rows (line, slug, slug_key, title, summary, body,"
                                  " body_html, body_text, lang, published_at, search, image,"
                                  " status, withdrawn_reason, corrections, tags, sources,"
                                  " authors, section)"
                                  " FROM STDIN");
    db_status st = PQresultStatus(res) == PGRES_COPY_IN ? DB_OK : db_classify(c, res);
    PQclear(res);
    if (st != DB_OK)
        return st;
    struct copy_line line = { 0 };
    bool sent = true;
    for (size_t i = 0; sent && i < n; i++) {
        put_row(&line, first + (long)i, in[i]);
        sent = !line.failed && PQputCopyData(c->pg, line.data, (int)line.len) == 1;
    }
    free(line.data);
    PQputCopyEnd(c->pg, sent ? NULL : "the rows could not be sent");
    while ((res = PQgetResult(c->pg)) != NULL) {
        if (PQresultStatus(res) != PGRES_COMMAND_OK && st == DB_OK)
            st = db_classify(c, res);
        PQclear(res);
    }
    return sent || st != DB_OK ? st : DB_ERROR;
}

/* Marks the rows whose slug is taken and removes them from the batch. */
static db_status take_out_taken(db_conn *c, const char *const *first, long first_row, size_t n,
                                bool *taken)
{
    db_status st;
    PGresult *res = db_run(c, STMT_IMPORT_TAKEN, first, PGRES_TUPLES_OK, &st);
    if (res == NULL)
        return st;
    for (int i = 0; i < PQntuples(res); i++) {
        long row = strtol(PQgetvalue(res, i, 0), NULL, 10) - first_row;
        if (row >= 0 && (size_t)row < n)
            taken[row] = true;
    }
    PQclear(res);
    return DB_OK;
}

/* One batch of db_article_create_many, as one transaction. */
struct batch_load {
    const struct db_article_write *const *in;
    size_t n;
    long first_row;
    bool *taken;
};

static db_status create_many_tx(db_conn *c, void *arg)
{
    static const enum db_stmt moves[] = { STMT_IMPORT_TAGS, STMT_IMPORT_SOURCES,
                                          STMT_IMPORT_AUTHORS, STMT_IMPORT_SECTIONS,
                                          STMT_IMPORT_ARTICLES, STMT_IMPORT_ARTICLE_TAGS,
                                          STMT_IMPORT_ARTICLE_SOURCES, STMT_IMPORT_ARTICLE_AUTHORS,
                                          STMT_IMPORT_CLEAR };
    const struct batch_load *b = arg;
    struct db_int_text first_text = db_int_text(b->first_row);
    const char *first[] = { first_text.s };
    memset(b->taken, 0, b->n * sizeof *b->taken);
    db_status st = db_tx(c, "BEGIN");
    if (st == DB_OK) /* an archive moved in is no news: no webhook events */
        st = db_command(c, "SET LOCAL khabar.events = off");
    if (st == DB_OK)
        st = copy_in(c, b->in, b->n, b->first_row);
    if (st == DB_OK)
        st = take_out_taken(c, first, b->first_row, b->n, b->taken);
    for (size_t i = 0; st == DB_OK && i < sizeof moves / sizeof moves[0]; i++)
        PQclear(db_run(c, moves[i], first, PGRES_COMMAND_OK, &st));
    if (st == DB_OK)
        return db_tx(c, "COMMIT");
    db_tx(c, "ROLLBACK");
    memset(b->taken, 0, b->n * sizeof *b->taken);
    return st;
}

db_status db_article_create_many(db_conn *c, const struct db_article_write *const *in, size_t n,
                                 long first_row, bool *taken)
{
    struct batch_load b = { in, n, first_row, taken };
    return db_transaction_run(c, create_many_tx, &b);
}

/* The one value of a statement without parameters, copied; NULL for SQL NULL or an error. */
static char *single_value_new(db_conn *c, enum db_stmt stmt, db_status *st)
{
    PGresult *res = db_run(c, stmt, NULL, PGRES_TUPLES_OK, st);
    char *value = NULL;
    if (res != NULL && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0) &&
        (value = strdup(PQgetvalue(res, 0, 0))) == NULL)
        *st = DB_ERROR;
    PQclear(res);
    return value;
}

static bool archive_is_empty(db_conn *c, db_status *st)
{
    char *empty = single_value_new(c, STMT_ARCHIVE_IS_EMPTY, st);
    bool yes = empty != NULL && strcmp(empty, "t") == 0;
    free(empty);
    return yes;
}

db_status db_import_begin(db_conn *c, char **search_index_def)
{
    db_status st;
    char *def = NULL;
    *search_index_def = NULL;
    if (!archive_is_empty(c, &st))
        return st;
    /* Checked again under the lock: an article written meanwhile keeps the index. */
    if ((st = db_tx(c, "BEGIN")) != DB_OK ||
        (st = db_command(c, "LOCK TABLE articles IN ACCESS EXCLUSIVE MODE")) != DB_OK)
        goto out;
    if (archive_is_empty(c, &st))
        def = single_value_new(c, STMT_SEARCH_INDEX_DEF, &st);
    if (def != NULL)
        PQclear(db_run(c, STMT_SEARCH_WINDOW_CLOSE, NULL, PGRES_COMMAND_OK, &st));
    if (def != NULL && st == DB_OK && (st = db_command(c, "SET LOCAL khabar.bulk_load = on")) == DB_OK &&
        (st = db_command(c, "DROP INDEX articles_search")) == DB_OK)
        *search_index_def = def;
    else
        free(def);
out:
    if (*search_index_def == NULL && c->tx_depth > 0)
        db_tx(c, "ROLLBACK");
    return st;
}

db_status db_search_window_raise(db_conn *c, unsigned window_articles)
{
    db_status st;
    struct db_int_text size = db_int_text(window_articles);
    const char *params[] = { size.s };
    PQclear(db_run(c, STMT_SEARCH_WINDOW_RAISE, params, PGRES_TUPLES_OK, &st));
    return st;
}

db_status db_import_commit(db_conn *c, char *search_index_def)
{
    /* RUM builds in memory up to maintenance_work_mem, then merges: 100,000 articles'
     * entries fit in 256 MB. */
    db_status st = db_command(c, "SET LOCAL maintenance_work_mem = '256MB'");
    if (st == DB_OK)
        st = db_command(c, search_index_def); /* PostgreSQL's own text, from the catalog */
    if (st == DB_OK)
        st = db_command(c, "SELECT khabar_recount()"); /* the counts khabar.bulk_load held */
    if (st == DB_OK) /* and the words it held (migrations/0016_search_words.sql) */
        st = db_command(c, "SELECT khabar_refresh_search_words()");
    if (st == DB_OK) /* the title keys khabar.bulk_load held, set-based once */
        st = db_command(c, "SELECT khabar_title_prefixes_fill()");
    free(search_index_def);
    if (st == DB_OK)
        return db_tx(c, "COMMIT");
    db_tx(c, "ROLLBACK");
    return st;
}

void db_import_abandon(db_conn *c, char *search_index_def)
{
    free(search_index_def);
    db_tx(c, "ROLLBACK");
}
