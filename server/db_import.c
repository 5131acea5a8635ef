/* db_import.c: bulk loading: COPY a batch into import_rows, then move it with a few set-based statements. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "article_input.h"
#include "db_internal.h"

/* A COPY text-format field: backslash, tab, newline and carriage return escaped; NULL as \N. */
static void put_field(FILE *f, const char *s, char end)
{
    if (s == NULL) {
        fputs("\\N", f);
    } else {
        for (; *s; s++) {
            switch (*s) {
            case '\\': fputs("\\\\", f); break;
            case '\t': fputs("\\t", f); break;
            case '\n': fputs("\\n", f); break;
            case '\r': fputs("\\r", f); break;
            default: fputc(*s, f);
            }
        }
    }
    fputc(end, f);
}

static void put_json_field(FILE *f, const json_t *list, char end)
{
    char *text = json_dumps(list, JSON_COMPACT);
    put_field(f, text ? text : "[]", end);
    free(text);
}

/* One import_rows line per article, in COPY text format, with the slug it would take. */
static char *copy_rows_new(const struct article_input *const *in, size_t n, size_t *len)
{
    char *text = NULL;
    FILE *f = open_memstream(&text, len);
    if (f == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        const struct article_input *a = in[i];
        fprintf(f, "%zu\t", i);
        put_field(f, a->slug ? a->slug : a->title_slug, '\t');
        put_field(f, a->slug ? a->slug_key : a->title_slug_key, '\t');
        put_field(f, a->title, '\t');
        put_field(f, a->summary, '\t');
        put_field(f, a->body, '\t');
        put_field(f, a->lang, '\t');
        put_field(f, a->published_at, '\t');
        put_field(f, a->search, '\t');
        put_json_field(f, a->tags, '\t');
        put_json_field(f, a->sources, '\n');
    }
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

static db_status copy_in(db_conn *c, const char *rows, size_t len)
{
    PGresult *res = PQexec(c->pg, "COPY import_rows (line, slug, slug_key, title, summary, body,"
                                  " lang, published_at, search, tags, sources) FROM STDIN");
    db_status st = PQresultStatus(res) == PGRES_COPY_IN ? DB_OK : db_classify(c, res);
    PQclear(res);
    if (st != DB_OK)
        return st;
    int sent = PQputCopyData(c->pg, rows, (int)len) == 1;
    PQputCopyEnd(c->pg, sent ? NULL : "the rows could not be sent");
    while ((res = PQgetResult(c->pg)) != NULL) {
        if (PQresultStatus(res) != PGRES_COMMAND_OK && st == DB_OK)
            st = db_classify(c, res);
        PQclear(res);
    }
    return st;
}

/* Marks the rows whose slug is taken and removes them from the batch. */
static db_status take_out_taken(db_conn *c, size_t n, bool *taken)
{
    db_status st;
    PGresult *res = db_run(c, STMT_IMPORT_TAKEN, NULL, PGRES_TUPLES_OK, &st);
    if (res == NULL)
        return st;
    for (int i = 0; i < PQntuples(res); i++) {
        size_t line = (size_t)strtoul(PQgetvalue(res, i, 0), NULL, 10);
        if (line < n)
            taken[line] = true;
    }
    PQclear(res);
    return DB_OK;
}

db_status db_article_create_many(db_conn *c, const struct article_input *const *in, size_t n,
                                 bool *taken)
{
    static const enum db_stmt moves[] = { STMT_IMPORT_TAGS, STMT_IMPORT_SOURCES,
                                          STMT_IMPORT_ARTICLES, STMT_IMPORT_ARTICLE_TAGS,
                                          STMT_IMPORT_ARTICLE_SOURCES, STMT_IMPORT_CLEAR };
    size_t len = 0;
    memset(taken, 0, n * sizeof *taken);
    char *rows = copy_rows_new(in, n, &len);
    if (rows == NULL)
        return DB_ERROR;
    db_status st = db_tx(c, "BEGIN");
    if (st == DB_OK)
        st = copy_in(c, rows, len);
    free(rows);
    if (st == DB_OK)
        st = take_out_taken(c, n, taken);
    for (size_t i = 0; st == DB_OK && i < sizeof moves / sizeof moves[0]; i++)
        PQclear(db_run(c, moves[i], NULL, PGRES_COMMAND_OK, &st));
    if (st == DB_OK)
        return db_tx(c, "COMMIT");
    db_tx(c, "ROLLBACK");
    memset(taken, 0, n * sizeof *taken);
    return st;
}
