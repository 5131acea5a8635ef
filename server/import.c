/* import.c: `khabar import FILE.ndjson`: checked line by line, loaded in set-based batches. */
#include "import.h"

#include <stdlib.h>
#include <string.h>

#include "article_input.h"
#include "db.h"

/* Lines loaded in one transaction; a batch that fails is retried line by line. */
#define IMPORT_BATCH 1000

struct pending {
    struct article_input in;
    unsigned long line;
};

struct import_state {
    db_conn *c;
    FILE *err;
    struct pending batch[IMPORT_BATCH];
    size_t n;
    unsigned long loaded, refused;
    bool stopped; /* the database went away */
};

/* "field: message; field: message" from a validation error list. */
static void describe_errors(const json_t *errors, char *out, size_t size)
{
    size_t i, used = 0;
    const json_t *e;
    out[0] = '\0';
    json_array_foreach(errors, i, e) {
        const char *field = json_string_value(json_object_get(e, "field"));
        const char *msg = json_string_value(json_object_get(e, "message"));
        int n = snprintf(out + used, size - used, "%s%s%s%s", used ? "; " : "",
                         field && *field ? field : "", field && *field ? ": " : "", msg ? msg : "");
        if (n < 0 || (size_t)n >= size - used)
            break;
        used += (size_t)n;
    }
}

/* Counts the outcome of one line and reports a refusal. */
static void account(struct import_state *s, unsigned long line, db_status st,
                    const struct db_problem *problem)
{
    if (st == DB_OK) {
        s->loaded++;
    } else if (st == DB_UNAVAILABLE) {
        if (!s->stopped)
            fprintf(s->err, "line %lu: the database is not answering; stopping\n", line);
        s->stopped = true;
    } else {
        s->refused++;
        if (st == DB_CONFLICT || st == DB_BAD_REFERENCE)
            fprintf(s->err, "line %lu: %s: %s\n", line, problem->field, problem->message);
        else
            fprintf(s->err, "line %lu: the database refused it\n", line);
    }
}

/* Loads one article on its own, as POST would. */
static void load_one(struct import_state *s, const struct article_input *in, unsigned long line)
{
    struct db_problem problem = { "", "" };
    json_t *article = NULL;
    if (s->stopped)
        return;
    db_status st = db_article_create(s->c, in, &article, &problem);
    json_decref(article);
    account(s, line, st, &problem);
}

/* Loads the pending batch set-based; what it cannot take goes one by one. */
static void flush(struct import_state *s)
{
    const struct article_input *in[IMPORT_BATCH];
    bool taken[IMPORT_BATCH];
    for (size_t i = 0; i < s->n; i++)
        in[i] = &s->batch[i].in;
    db_status st = s->n && !s->stopped ? db_article_create_many(s->c, in, s->n, taken) : DB_OK;
    for (size_t i = 0; i < s->n; i++) {
        if (st == DB_UNAVAILABLE)
            account(s, s->batch[i].line, st, NULL);
        else if (st != DB_OK || taken[i])
            load_one(s, in[i], s->batch[i].line); /* a slug to suffix, or a batch that failed */
        else
            s->loaded++;
        article_input_free(&s->batch[i].in);
    }
    s->n = 0;
}

/* Checks one line: a bad one is reported; a good one joins the batch or, when its
 * related links may name earlier lines, loads on its own after the batch. */
static void take_line(struct import_state *s, const char *line, size_t len, unsigned long lineno)
{
    char reason[512] = "";
    json_t *doc = NULL, *errors = json_array();
    struct pending *p = &s->batch[s->n];
    if (json_body_parse(line, len, &doc, reason, sizeof reason) != JSON_BODY_OK) {
        s->refused++;
        fprintf(s->err, "line %lu: %s\n", lineno, reason);
    } else if (article_input_from_json(doc, 0, &p->in, errors) < 0) {
        describe_errors(errors, reason, sizeof reason);
        s->refused++;
        fprintf(s->err, "line %lu: %s\n", lineno, reason);
    } else if (json_array_size(p->in.related) > 0) {
        struct article_input in = p->in;
        flush(s);
        load_one(s, &in, lineno);
        article_input_free(&in);
    } else {
        p->line = lineno;
        if (++s->n == IMPORT_BATCH)
            flush(s);
    }
    json_decref(doc);
    json_decref(errors);
}

int import_file(const char *path, const char *conninfo, FILE *out, FILE *err)
{
    int rc = 2;
    char *line = NULL;
    size_t cap = 0;
    unsigned long lineno = 0;
    struct import_state *s = calloc(1, sizeof *s);
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    db_pool *pool = db_pool_new(conninfo, 1, 10000, 600000);
    if (s == NULL || f == NULL) {
        fprintf(err, "khabar: cannot open %s\n", path);
        goto out;
    }
    s->err = err;
    s->c = pool ? db_acquire(pool) : NULL;
    if (s->c == NULL) {
        fprintf(err, "khabar: cannot connect to the database\n");
        goto out;
    }
    ssize_t len;
    while (!s->stopped && (len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len > 0) /* blank lines load nothing */
            take_line(s, line, (size_t)len, lineno);
    }
    flush(s);
    rc = s->stopped ? 2 : s->refused ? 1 : 0;
    fprintf(out, "loaded %lu articles, refused %lu lines\n", s->loaded, s->refused);
out:
    free(line);
    if (f != NULL && f != stdin)
        fclose(f);
    if (s != NULL)
        db_release(s->c);
    db_pool_free(pool);
    free(s);
    return rc;
}
