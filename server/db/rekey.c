/* rekey.c: recomputes stored search vectors and keys under the current text rules (khabar migrate). */
#include "db/rekey.h"

#include <inttypes.h>
#include <stdio.h>

#include "internal.h"
#include "text/normalize.h"
#include "text/search.h"

/* Rows per transaction: a batch holds its rows' locks, and a stopped run loses at most one. */
#define BATCH "500"
#define BATCH_ROWS 500
/* From this many articles to recompute, the search index is made again rather than kept. */
#define REBUILD_ROWS 2000

struct rekey {
    PGconn *conn;
    FILE *out;
    char *err;
    size_t err_size;
    unsigned changed, kept; /* rows given new keys or vectors; rows that kept a taken key */
};

/* Runs a statement of statements.c; NULL with the error in r->err when it did not give want. */
static PGresult *run(struct rekey *r, enum db_stmt stmt, const char *const *params,
                     ExecStatusType want)
{
    const struct db_statement *d = &db_statements[stmt];
    PGresult *res = PQexecParams(r->conn, d->sql, d->nparams, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) == want)
        return res;
    snprintf(r->err, r->err_size, "recomputing keys: %s", PQresultErrorMessage(res));
    PQclear(res);
    return NULL;
}

/* run for a statement whose rows are not needed; 0 or -1. */
static int run_ok(struct rekey *r, enum db_stmt stmt, const char *const *params,
                  ExecStatusType want)
{
    PGresult *res = run(r, stmt, params, want);
    PQclear(res);
    return res != NULL ? 0 : -1;
}

static int command(struct rekey *r, const char *sql)
{
    PGresult *res = PQexec(r->conn, sql);
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok)
        snprintf(r->err, r->err_size, "recomputing keys: %s", PQresultErrorMessage(res));
    PQclear(res);
    return ok ? 0 : -1;
}

/* Counts a row that kept its old key because another row has the new one, and says so. */
static void note_kept(struct rekey *r, PGresult *res, const char *what, const char *id,
                      const char *key)
{
    if (res != NULL && PQntuples(res) == 1 && PQgetvalue(res, 0, 0)[0] == 'f') {
        r->kept++;
        fprintf(r->out, "%s %s keeps its old key: another one has \"%s\"\n", what, id, key);
    }
}

/* One article (id, slug, title, summary, body text): its vector and slug key again. */
static int rekey_article(struct rekey *r, const PGresult *rows, int i)
{
    const char *id = PQgetvalue(rows, i, 0);
    char *vector = search_vector_new(PQgetvalue(rows, i, 2),
                                     PQgetisnull(rows, i, 3) ? NULL : PQgetvalue(rows, i, 3),
                                     PQgetvalue(rows, i, 4));
    char *key = text_slug_key_new(PQgetvalue(rows, i, 1));
    int rc = -1;
    if (vector == NULL || key == NULL || key[0] == '\0') {
        snprintf(r->err, r->err_size, "recomputing keys: article %s: no memory or no slug key", id);
        goto out;
    }
    const char *params[3] = { id, vector, key };
    PGresult *res = run(r, STMT_REKEY_ARTICLE, params, PGRES_TUPLES_OK);
    note_kept(r, res, "article", id, key);
    rc = res != NULL ? 0 : -1;
    r->changed += res != NULL;
    PQclear(res);
out:
    free(vector);
    free(key);
    return rc;
}

/* A name table's statements: tags and sources are merged when two names meet. */
struct name_kind {
    const char *what;
    enum db_stmt holder, set, merge_links, remove, refresh; /* refresh: STMT_COUNT for none */
    char *(*key_new)(const char *name);
};

static const struct name_kind tag_kind = { "tag", STMT_REKEY_TAG_HOLDER, STMT_REKEY_TAG_SET,
                                           STMT_REKEY_TAG_MERGE_LINKS, STMT_REKEY_TAG_DELETE,
                                           STMT_REKEY_TAG_REFRESH, text_slug_key_new };
static const struct name_kind source_kind = { "source", STMT_REKEY_SOURCE_HOLDER,
                                              STMT_REKEY_SOURCE_SET, STMT_REKEY_SOURCE_MERGE_LINKS,
                                              STMT_REKEY_SOURCE_DELETE, STMT_COUNT,
                                              text_normalize_new };

/* Gives row id its new key (and its articles' stored JSON the tag's new slug). */
static int set_key(struct rekey *r, const struct name_kind *k, const char *id, const char *key)
{
    const char *params[2] = { id, key };
    if (run_ok(r, k->set, params, PGRES_COMMAND_OK) < 0)
        return -1;
    r->changed++;
    return k->refresh == STMT_COUNT ? 0 : run_ok(r, k->refresh, params, PGRES_TUPLES_OK);
}

/*
 * Two names that now share a key are one tag or source: the older (smaller id) stays,
 * with the key, and takes the other's articles; the other goes.
 */
static int merge(struct rekey *r, const struct name_kind *k, const char *id, const char *name,
                 const PGresult *holder, const char *key)
{
    const char *other = PQgetvalue(holder, 0, 0);
    bool keep_self = strtoll(id, NULL, 10) < strtoll(other, NULL, 10);
    const char *from = keep_self ? other : id, *into = keep_self ? id : other;
    const char *params[2] = { from, into };
    if (run_ok(r, k->merge_links, params, PGRES_COMMAND_OK) < 0 ||
        run_ok(r, k->remove, params, PGRES_COMMAND_OK) < 0)
        return -1;
    fprintf(r->out, "%ss \"%s\" and \"%s\" now share the key \"%s\": merged into %s %s\n", k->what,
            name, PQgetvalue(holder, 0, 1), key, k->what, into);
    return keep_self ? set_key(r, k, id, key) : 0;
}

/* One tag or source (id, name, key): its key again, merged with the one that has it. */
static int rekey_name(struct rekey *r, const struct name_kind *k, const PGresult *rows, int i)
{
    const char *id = PQgetvalue(rows, i, 0), *name = PQgetvalue(rows, i, 1);
    char *key = k->key_new(name);
    int rc = -1;
    if (key == NULL) {
        snprintf(r->err, r->err_size, "recomputing keys: %s %s: no memory", k->what, id);
        goto out;
    }
    rc = 0;
    if (key[0] == '\0' || strcmp(key, PQgetvalue(rows, i, 2)) == 0)
        goto out; /* unchanged, or a name the rules now leave nothing of: kept as it is */
    const char *params[2] = { key, id };
    PGresult *holder = run(r, k->holder, params, PGRES_TUPLES_OK);
    if (holder == NULL)
        rc = -1;
    else if (PQntuples(holder) == 0)
        rc = set_key(r, k, id, key);
    else
        rc = merge(r, k, id, name, holder, key);
    PQclear(holder);
out:
    free(key);
    return rc;
}

static int rekey_tag(struct rekey *r, const PGresult *rows, int i)
{
    return rekey_name(r, &tag_kind, rows, i);
}

static int rekey_source(struct rekey *r, const PGresult *rows, int i)
{
    return rekey_name(r, &source_kind, rows, i);
}

/* An author or section (id, name, slug): its slug key again, unless another has it. */
static int rekey_slug_key(struct rekey *r, enum db_stmt set, const char *what, const PGresult *rows,
                          int i)
{
    const char *id = PQgetvalue(rows, i, 0);
    char *key = text_slug_key_new(PQgetvalue(rows, i, 2));
    int rc = 0;
    if (key != NULL && key[0] != '\0') {
        const char *params[2] = { id, key };
        PGresult *res = run(r, set, params, PGRES_TUPLES_OK);
        note_kept(r, res, what, id, key);
        rc = res != NULL ? 0 : -1;
        PQclear(res);
    }
    free(key);
    return rc;
}

static int rekey_author(struct rekey *r, const PGresult *rows, int i)
{
    return rekey_slug_key(r, STMT_REKEY_AUTHOR_SET, "author", rows, i);
}

static int rekey_section(struct rekey *r, const PGresult *rows, int i)
{
    return rekey_slug_key(r, STMT_REKEY_SECTION_SET, "section", rows, i);
}

/* The kinds, in the order they are done: names first, so that articles come last. */
static const struct {
    const char *kind;
    enum db_stmt read;
    int (*row)(struct rekey *r, const PGresult *rows, int i);
} kinds[] = {
    { "tags", STMT_REKEY_TAGS_READ, rekey_tag },
    { "sources", STMT_REKEY_SOURCES_READ, rekey_source },
    { "authors", STMT_REKEY_AUTHORS_READ, rekey_author },
    { "sections", STMT_REKEY_SECTIONS_READ, rekey_section },
    { "articles", STMT_REKEY_ARTICLES_READ, rekey_article },
};

/*
 * Before recomputing the articles after id through: with many of them, the search
 * index goes (its definition kept in text_rules), unless a stopped run took it already.
 */
static int drop_search_index(struct rekey *r, const char *through)
{
    const char *params[1] = { through };
    PGresult *left = run(r, STMT_REKEY_ARTICLES_LEFT, params, PGRES_TUPLES_OK);
    if (left == NULL)
        return -1;
    bool many = atoll(PQgetvalue(left, 0, 0)) >= REBUILD_ROWS;
    PQclear(left);
    if (!many)
        return 0;
    if (command(r, "BEGIN") < 0)
        return -1;
    PGresult *saved = run(r, STMT_REKEY_INDEX_SAVE, NULL, PGRES_TUPLES_OK);
    int rc = saved != NULL ? 0 : -1;
    if (rc == 0 && PQntuples(saved) == 1)
        rc = command(r, "DROP INDEX articles_search");
    PQclear(saved);
    if (rc == 0)
        return command(r, "COMMIT");
    PQclear(PQexec(r->conn, "ROLLBACK"));
    return -1;
}

/* After the last batch, in its transaction: the search index made again when it went. */
static int make_search_index(struct rekey *r)
{
    PGresult *def = run(r, STMT_REKEY_INDEX_DEF, NULL, PGRES_TUPLES_OK);
    int rc = def != NULL ? 0 : -1;
    if (rc == 0 && PQntuples(def) == 1) {
        fprintf(r->out, "making the search index again\n");
        PGresult *made = PQexec(r->conn, PQgetvalue(def, 0, 0)); /* PostgreSQL's own text */
        if (PQresultStatus(made) != PGRES_COMMAND_OK) {
            snprintf(r->err, r->err_size, "recomputing keys: %s", PQresultErrorMessage(made));
            rc = -1;
        }
        PQclear(made);
        if (rc == 0)
            rc = run_ok(r, STMT_REKEY_INDEX_DONE, NULL, PGRES_COMMAND_OK);
    }
    PQclear(def);
    return rc;
}

/*
 * One batch of a kind after id *through, in one transaction that also notes how far
 * it got (or, for the last batch, that the kind follows the current rules). Sets *done
 * when it was the last; 0 or -1.
 */
static int rekey_batch(struct rekey *r, size_t k, const char *version, char *through,
                       size_t through_size, bool *done)
{
    const char *read_params[2] = { through, BATCH };
    if (command(r, "BEGIN") < 0)
        return -1;
    PGresult *rows = run(r, kinds[k].read, read_params, PGRES_TUPLES_OK);
    int n = rows ? PQntuples(rows) : 0, rc = rows ? 0 : -1;
    for (int i = 0; rc == 0 && i < n; i++)
        rc = kinds[k].row(r, rows, i);
    if (rc == 0 && n > 0)
        snprintf(through, through_size, "%s", PQgetvalue(rows, n - 1, 0));
    PQclear(rows);
    char current[16];
    snprintf(current, sizeof current, "%d", TEXT_RULES_VERSION);
    *done = n < BATCH_ROWS;
    const char *set_params[3] = { kinds[k].kind, *done ? current : version, *done ? "0" : through };
    if (rc == 0)
        rc = run_ok(r, STMT_TEXT_RULES_SET, set_params, PGRES_COMMAND_OK);
    if (rc == 0 && *done && kinds[k].read == STMT_REKEY_ARTICLES_READ)
        rc = make_search_index(r);
    if (rc == 0)
        return command(r, "COMMIT");
    PQclear(PQexec(r->conn, "ROLLBACK"));
    return -1;
}

/* Every row of kind k again, batch by batch from where a stopped run left it. */
static int rekey_kind(struct rekey *r, size_t k)
{
    const char *params[1] = { kinds[k].kind };
    PGresult *res = run(r, STMT_TEXT_RULES_GET, params, PGRES_TUPLES_OK);
    if (res == NULL)
        return -1;
    if (PQntuples(res) != 1 || atoi(PQgetvalue(res, 0, 0)) >= TEXT_RULES_VERSION) {
        PQclear(res);
        return 0;
    }
    char version[16], through[24];
    snprintf(version, sizeof version, "%s", PQgetvalue(res, 0, 0));
    snprintf(through, sizeof through, "%s", PQgetvalue(res, 0, 1));
    PQclear(res);
    r->changed = r->kept = 0;
    if (kinds[k].read == STMT_REKEY_ARTICLES_READ && drop_search_index(r, through) < 0)
        return -1;
    bool done = false;
    while (!done)
        if (rekey_batch(r, k, version, through, sizeof through, &done) < 0)
            return -1;
    if (r->changed + r->kept > 0)
        fprintf(r->out, "recomputed %u %s under text rules %d (%u kept an old key)\n", r->changed,
                kinds[k].kind, TEXT_RULES_VERSION, r->kept);
    return 0;
}

int rekey_run(PGconn *conn, FILE *out, char *err, size_t err_size)
{
    struct rekey r = { conn, out, err, err_size, 0, 0 };
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        if (rekey_kind(&r, k) < 0)
            return -1;
    return 0;
}
