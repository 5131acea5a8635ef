/* import.c: `khabar import FILE.ndjson`: one article a line, each in its own transaction. */
#include "import.h"

#include <stdlib.h>
#include <string.h>

#include "article_input.h"
#include "db.h"

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

/* Loads one line; returns the db status, with why in reason when it is refused. */
static db_status import_line(db_conn *c, const char *line, size_t len, char *reason,
                             size_t reason_size)
{
    json_t *doc = NULL, *article = NULL, *errors = json_array();
    struct article_input in;
    struct db_problem problem = { "", "" };
    db_status st = DB_ERROR;
    if (json_body_parse(line, len, &doc, reason, reason_size) != JSON_BODY_OK)
        goto out;
    if (article_input_from_json(doc, 0, &in, errors) < 0) {
        describe_errors(errors, reason, reason_size);
        goto out;
    }
    st = db_article_create(c, &in, &article, &problem);
    article_input_free(&in);
    if (st == DB_CONFLICT || st == DB_BAD_REFERENCE)
        snprintf(reason, reason_size, "%s: %s", problem.field, problem.message);
    else if (st != DB_OK)
        snprintf(reason, reason_size, "the database refused it");
out:
    json_decref(doc);
    json_decref(article);
    json_decref(errors);
    return st;
}

int import_file(const char *path, const char *conninfo, FILE *out, FILE *err)
{
    int rc = 2;
    char *line = NULL;
    size_t cap = 0;
    unsigned long lineno = 0, loaded = 0, refused = 0;
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    db_pool *pool = db_pool_new(conninfo, 1, 10000, 60000);
    db_conn *c = pool ? db_acquire(pool) : NULL;
    if (f == NULL) {
        fprintf(err, "khabar: cannot open %s\n", path);
        goto out;
    }
    if (c == NULL) {
        fprintf(err, "khabar: cannot connect to the database\n");
        goto out;
    }
    ssize_t len;
    while ((len = getline(&line, &cap, f)) >= 0) {
        char reason[512] = "";
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0)
            continue; /* blank lines separate nothing and load nothing */
        db_status st = import_line(c, line, (size_t)len, reason, sizeof reason);
        if (st == DB_OK) {
            loaded++;
        } else if (st == DB_UNAVAILABLE) {
            fprintf(err, "line %lu: the database is not answering; stopping\n", lineno);
            goto out;
        } else {
            refused++;
            fprintf(err, "line %lu: %s\n", lineno, reason);
        }
    }
    rc = refused ? 1 : 0;
out:
    fprintf(out, "loaded %lu articles, refused %lu lines\n", loaded, refused);
    free(line);
    if (f != NULL && f != stdin)
        fclose(f);
    db_release(pool, c);
    db_pool_free(pool);
    return rc;
}
