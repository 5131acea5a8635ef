/* import.c: `khabar import FILE.ndjson`: lines checked on one thread while the previous batch loads on another. */
#include "cli/import.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "infra/strict_json.h"
#include "model/article_input.h"
#include "model/article_write.h"
#include "db/db.h"

/* Lines loaded in one transaction; a batch that fails is retried line by line. */
#define IMPORT_BATCH 1000
/* Batches checked ahead of the one loading: checking a line costs about as much CPU as
 * PostgreSQL's loading it, so the two overlap on two cores. */
#define IMPORT_AHEAD 2

/* One line: a checked article, or why it was refused. */
struct pending {
    unsigned long line;
    char *refusal; /* NULL: in holds the article */
    struct article_input in;
};

/*
 * Lines in file order. A batch loads set-based; a line with related links (or naming an
 * author or its section by id) is a batch of its own, loaded after the lines before it
 * (its links may name them).
 */
struct batch {
    struct batch *next;
    size_t n, articles;
    bool alone;
    struct pending line[IMPORT_BATCH];
};

/* Batches passed from the reading thread to the loading one. */
struct batch_queue {
    pthread_mutex_t mu;
    pthread_cond_t changed;
    struct batch *head, *tail;
    size_t count;
    bool done;    /* the reader has put its last batch */
    bool stopped; /* the loader stopped: the reader stops reading */
};

struct reader {
    FILE *f;
    struct article_rules rules;
    struct batch_queue *queue;
    struct batch *current;
    bool failed; /* out of memory */
};

struct loader {
    db_conn *c;
    FILE *out, *err;
    unsigned long loaded, refused;
    long rows;    /* articles passed to db_article_create_many so far */
    bool stopped; /* the database went away */
    bool whole;   /* one transaction (db_import_begin) */
    unsigned window_articles; /* SEARCH_WINDOW_ARTICLES */
};

/* ---- the queue ---- */

static void batch_free(struct batch *b)
{
    for (size_t i = 0; b != NULL && i < b->n; i++) {
        free(b->line[i].refusal);
        if (b->line[i].refusal == NULL)
            article_input_free(&b->line[i].in);
    }
    free(b);
}

/* Queues b, waiting while IMPORT_AHEAD batches wait; false when the loader stopped. */
static bool queue_put(struct batch_queue *q, struct batch *b)
{
    pthread_mutex_lock(&q->mu);
    while (q->count >= IMPORT_AHEAD && !q->stopped)
        pthread_cond_wait(&q->changed, &q->mu);
    bool taken = !q->stopped;
    if (taken) {
        if (q->tail != NULL)
            q->tail->next = b;
        else
            q->head = b;
        q->tail = b;
        q->count++;
        pthread_cond_broadcast(&q->changed);
    }
    pthread_mutex_unlock(&q->mu);
    if (!taken)
        batch_free(b);
    return taken;
}

/* The next batch, waiting for it; NULL when the reader is done. */
static struct batch *queue_take(struct batch_queue *q)
{
    pthread_mutex_lock(&q->mu);
    while (q->head == NULL && !q->done)
        pthread_cond_wait(&q->changed, &q->mu);
    struct batch *b = q->head;
    if (b != NULL) {
        q->head = b->next;
        if (q->head == NULL)
            q->tail = NULL;
        q->count--;
        pthread_cond_broadcast(&q->changed);
    }
    pthread_mutex_unlock(&q->mu);
    return b;
}

static void queue_set(struct batch_queue *q, bool *flag)
{
    pthread_mutex_lock(&q->mu);
    *flag = true;
    pthread_cond_broadcast(&q->changed);
    pthread_mutex_unlock(&q->mu);
}

/* ---- the reading thread: lines checked as a POST body would be ---- */

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

/* Passes the batch being filled to the loader; false when the loader stopped. */
static bool reader_pass(struct reader *r)
{
    struct batch *b = r->current;
    r->current = NULL;
    if (b != NULL && b->n > 0)
        return queue_put(r->queue, b);
    free(b);
    return true;
}

/* The batch to add a line to: a new one when none is open, or when it is full or
 * holds a line loaded alone. */
static struct batch *reader_batch(struct reader *r, bool alone)
{
    struct batch *b = r->current;
    if (b != NULL && (b->n == IMPORT_BATCH || b->alone || (alone && b->articles > 0)) &&
        !reader_pass(r))
        return NULL;
    if (r->current == NULL && (r->current = calloc(1, sizeof *r->current)) == NULL)
        r->failed = true;
    return r->current;
}

/* Whether the article names an author or its section by id. */
static bool names_by_id(const struct db_article_write *a)
{
    size_t i;
    const json_t *ref;
    json_array_foreach(a->authors, i, ref) {
        if (json_object_get(ref, "id") != NULL)
            return true;
    }
    return json_object_get(a->section, "id") != NULL;
}

/* Checks one line and adds it, or its refusal, to the batch; false to stop reading. */
static bool reader_take(struct reader *r, const char *text, size_t len, unsigned long lineno)
{
    char reason[512] = "";
    json_t *doc = NULL, *errors = json_array();
    struct article_input in = { 0 };
    bool checked = false;
    if (khabar_json_parse(text, len, &doc, reason, sizeof reason) != KHABAR_JSON_OK) {
        /* reason says where */
    } else if (article_input_from_json(doc, 0, &r->rules, &in, errors) < 0) {
        describe_errors(errors, reason, sizeof reason);
    } else {
        checked = true;
    }
    json_decref(doc);
    json_decref(errors);
    /* The authors and the section a line names by slug are created when new (an archive
     * brings its own); a line naming one by id (which may not exist), or with related
     * links, loads on its own. */
    in.write.create_missing = true;
    bool alone = checked && (json_array_size(in.write.related) > 0 || names_by_id(&in.write));
    struct batch *b = reader_batch(r, alone);
    if (b == NULL || (!checked && (b->line[b->n].refusal = strdup(reason)) == NULL)) {
        if (checked)
            article_input_free(&in);
        r->failed |= b != NULL;
        return false;
    }
    struct pending *p = &b->line[b->n++];
    p->line = lineno;
    if (checked) {
        p->in = in;
        b->articles++;
        b->alone = alone;
    }
    return true;
}

static void *reader_run(void *arg)
{
    struct reader *r = arg;
    char *text = NULL;
    size_t cap = 0;
    unsigned long lineno = 0;
    ssize_t len;
    bool going = true;
    while (going && (len = getline(&text, &cap, r->f)) >= 0) {
        lineno++;
        while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
            text[--len] = '\0';
        if (len > 0) /* blank lines load nothing */
            going = reader_take(r, text, (size_t)len, lineno);
    }
    if (going)
        reader_pass(r);
    batch_free(r->current);
    r->current = NULL;
    free(text);
    queue_set(r->queue, &r->queue->done);
    return NULL;
}

/* ---- the loading thread ---- */

/* Counts the outcome of one line and reports a refusal. */
static void account(struct loader *s, unsigned long line, db_status st,
                    const struct db_refusal *refused)
{
    char field[64];
    const char *message;
    if (st == DB_OK) {
        s->loaded++;
    } else if (st == DB_UNAVAILABLE) {
        if (!s->stopped)
            fprintf(s->err, "line %lu: the database is not answering; stopping\n", line);
        s->stopped = true;
    } else {
        s->refused++;
        if (st == DB_CONFLICT || st == DB_BAD_REFERENCE) {
            article_write_refusal(refused, field, sizeof field, &message);
            fprintf(s->err, "line %lu: %s: %s\n", line, field, message);
        } else
            fprintf(s->err, "line %lu: the database refused it\n", line);
    }
}

/* Loads one article on its own, as POST would. */
static void load_one(struct loader *s, const struct db_article_write *in, unsigned long line)
{
    struct db_refusal refused = { 0 };
    struct db_article article;
    if (s->stopped)
        return;
    /* a bulk load keeps no revisions, as the set-based batches do not */
    db_status st = db_article_create(s->c, NULL, in, &article, &refused);
    db_article_clear(&article);
    account(s, line, st, &refused);
}

/* Reports the batch's refused lines, loads its articles set-based, and what the set
 * cannot take (a slug to suffix, or a batch that failed) one by one. */
static void load_batch(struct loader *s, struct batch *b)
{
    const struct db_article_write *in[IMPORT_BATCH];
    struct pending *of[IMPORT_BATCH];
    bool taken[IMPORT_BATCH];
    size_t n = 0;
    for (size_t i = 0; i < b->n; i++) {
        if (b->line[i].refusal != NULL) {
            s->refused++;
            fprintf(s->err, "line %lu: %s\n", b->line[i].line, b->line[i].refusal);
        } else {
            of[n] = &b->line[i];
            in[n++] = &b->line[i].in.write;
        }
    }
    if (b->alone) {
        for (size_t i = 0; i < n; i++)
            load_one(s, in[i], of[i]->line);
        return;
    }
    db_status st = n && !s->stopped ? db_article_create_many(s->c, in, n, s->rows, taken) : DB_OK;
    s->rows += (long)n;
    for (size_t i = 0; i < n; i++) {
        if (st == DB_UNAVAILABLE)
            account(s, of[i]->line, st, NULL);
        else if (st != DB_OK || taken[i])
            load_one(s, in[i], of[i]->line);
        else
            s->loaded++;
    }
    /* Articles loaded batch by batch were marked for the search window as they came; the
     * window moves on now, or every one of a long import newer than its start would stay
     * marked. Should it fail, the next batch, or a server's upkeep, moves it. */
    if (st == DB_OK && n && !s->whole)
        (void)db_search_window_raise(s->c, s->window_articles);
}

/* Loads every batch the reader passes; after the database went away, only drains. */
static void loader_run(struct loader *s, struct batch_queue *q)
{
    struct batch *b;
    while ((b = queue_take(q)) != NULL) {
        if (!s->stopped) {
            load_batch(s, b);
            if (s->stopped)
                queue_set(q, &q->stopped);
        }
        batch_free(b);
    }
}

/* Loads the file over c; into an empty archive as one transaction (db_import_begin). */
static void load_file(struct loader *s, FILE *f, const struct config *cfg)
{
    char *search_index_def = NULL;
    struct batch_queue q = { .mu = PTHREAD_MUTEX_INITIALIZER, .changed = PTHREAD_COND_INITIALIZER };
    struct reader r = { .f = f, .rules = article_rules_of(cfg), .queue = &q };
    pthread_t reading;
    if (db_import_begin(s->c, &search_index_def) != DB_OK) {
        fprintf(s->err, "khabar: the database refused to begin the import\n");
        s->stopped = true;
        return;
    }
    s->whole = search_index_def != NULL;
    s->window_articles = cfg->search_window_articles;
    if (search_index_def != NULL)
        fprintf(s->out, "the archive is empty: loading in one transaction, the search index built at the end\n");
    if (pthread_create(&reading, NULL, reader_run, &r) != 0) {
        fprintf(s->err, "khabar: cannot start a thread to read the file\n");
        s->stopped = true;
    } else {
        loader_run(s, &q);
        pthread_join(reading, NULL);
    }
    if (r.failed && !s->stopped) {
        fprintf(s->err, "khabar: out of memory; stopping\n");
        s->stopped = true;
    }
    bool whole = search_index_def != NULL;
    if (whole && s->stopped) {
        db_import_abandon(s->c, search_index_def);
    } else if (whole && db_import_commit(s->c, search_index_def) != DB_OK) {
        fprintf(s->err, "khabar: the database refused to commit the import\n");
        s->stopped = true;
    }
    if (whole && s->stopped && s->loaded > 0) {
        fprintf(s->err, "khabar: the import was one transaction: none of it was kept\n");
        s->loaded = 0;
    }
}

int import_file(const char *path, const struct config *cfg, FILE *out, FILE *err)
{
    int rc = 2;
    struct loader s = { .out = out, .err = err };
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    db_pool *pool = db_pool_new(cfg->database_url, 1, 10000, 600000);
    if (f == NULL) {
        fprintf(err, "khabar: cannot open %s\n", path);
        goto out;
    }
    s.c = pool ? db_acquire(pool) : NULL;
    if (s.c == NULL) {
        fprintf(err, "khabar: cannot connect to the database\n");
        goto out;
    }
    load_file(&s, f, cfg);
    rc = s.stopped ? 2 : s.refused ? 1 : 0;
    fprintf(out, "loaded %lu articles, refused %lu lines\n", s.loaded, s.refused);
out:
    if (f != NULL && f != stdin)
        fclose(f);
    db_release(s.c);
    db_pool_free(pool);
    return rc;
}
