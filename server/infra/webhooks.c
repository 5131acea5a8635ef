/* webhooks.c: the webhook workers: fan out new events, claim a due delivery, send it, record the outcome, retry with backoff and jitter. */
#include "infra/webhooks.h"

#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/db.h"
#include "infra/clock.h"
#include "infra/log.h"
#include "infra/stopper.h"
#include "infra/webhook_send.h"
#include "text/url.h"

/* How long an idle worker waits before looking again; how many events a round fans out;
 * how often the queue is read for /metrics and old events dropped. */
#define IDLE_WAIT_MS 200
#define FAN_OUT_BATCH 500
#define QUEUE_READ_MS 2000
#define PRUNE_MS 3600000
/* The first retry comes after about a second, each next one twice as late, at most an hour. */
#define BACKOFF_FIRST_MS 1000
#define BACKOFF_MAX_MS 3600000
/* A worker claims up to this many deliveries at once (one statement to claim them, one to
 * record them made); a claimed batch is the claimer's for the receivers' time and this
 * much more. */
#define DELIVERY_BATCH 4
#define LEASE_SLACK_MS 5000

struct worker {
    struct webhooks *w;
    pthread_t thread;
    unsigned index, seed;
    struct webhook_sender *sender;
};

struct webhooks {
    struct webhook_settings s;
    char *conninfo, *article_url;
    db_pool *pool;
    struct worker *workers;
    unsigned started;
    struct stopper stop;
    atomic_ullong delivered, failed, gave_up;
    atomic_llong queue_depth, oldest_s;
};

/* The delay before attempt attempts + 1: exponential, then a random share of it taken
 * off (up to half), so that receivers coming back are not met by every retry at once. */
static int64_t backoff_ms(int64_t attempts, unsigned *seed)
{
    int64_t delay = BACKOFF_FIRST_MS;
    for (int64_t i = 1; i < attempts && delay < BACKOFF_MAX_MS; i++)
        delay *= 2;
    if (delay > BACKOFF_MAX_MS)
        delay = BACKOFF_MAX_MS;
    return delay - (int64_t)((double)rand_r(seed) / RAND_MAX * (double)delay / 2);
}

/* The body of a delivery: {"type", "timestamp", "data"}, data naming the article's
 * canonical address too. NULL on no memory or unreadable data. */
static char *delivery_body_new(const struct webhooks *w, const struct db_delivery *d)
{
    json_t *data = json_loads(d->data, 0, NULL);
    const char *slug = json_string_value(json_object_get(data, "slug"));
    json_int_t id = json_integer_value(json_object_get(data, "id"));
    char *url = slug ? url_of_article_new(w->article_url, (int64_t)id, slug) : NULL;
    if (url != NULL)
        json_object_set_new(data, "url", json_string(url));
    free(url);
    json_t *doc = data ? json_pack("{s:s, s:s, s:O}", "type", d->type, "timestamp", d->created_at,
                                   "data", data)
                       : NULL;
    char *body = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    json_decref(data);
    return body;
}

/* Records a failed attempt; a database that cannot be reached leaves the delivery
 * leased: it is sent again once the lease ends (at least once, never lost). */
static void record_failure(struct worker *wk, const struct db_delivery *d, const char *error)
{
    struct webhooks *w = wk->w;
    bool gave_up = false;
    db_conn *c = db_acquire(w->pool);
    db_status st = c ? db_webhook_failed(c, d->id, error, backoff_ms(d->attempts, &wk->seed),
                                         w->s.retry_s, &gave_up)
                     : DB_UNAVAILABLE;
    db_release(c);
    if (st != DB_OK)
        log_message("warning", "webhook delivery %" PRId64 ": its failure could not be recorded; "
                    "it is sent again when its lease ends", d->id);
    atomic_fetch_add(&w->failed, 1);
    if (gave_up) {
        atomic_fetch_add(&w->gave_up, 1);
        log_message("warning", "webhook %" PRId64 " disabled: deliveries kept failing for %u s (%s)",
                    d->webhook_id, w->s.retry_s, error);
    }
}

/* Sends one delivery; true when the receiver took it (a failure is recorded here). */
static bool send_one(struct worker *wk, const struct db_delivery *d)
{
    char id[32], error[256] = "";
    snprintf(id, sizeof id, "msg_%" PRId64, d->event_id);
    char *body = delivery_body_new(wk->w, d);
    struct webhook_message m = { .url = d->url, .secret = d->secret, .id = id, .body = body };
    bool ok = body != NULL && webhook_send(wk->sender, &m, error, sizeof error);
    if (body == NULL)
        snprintf(error, sizeof error, "the event could not be read");
    if (!ok)
        record_failure(wk, d, error);
    free(body);
    return ok;
}

/* One batch claimed, sent in turn, and its deliveries recorded together; false when none
 * was due. A batch is leased for as long as all of it may take. */
static bool deliver_batch(struct worker *wk)
{
    struct webhooks *w = wk->w;
    struct db_delivery_batch b;
    int64_t *done = NULL;
    size_t n_done = 0;
    unsigned made = 0;
    db_conn *c = db_acquire(w->pool);
    if (c == NULL)
        return false;
    db_webhook_fan_out(c, FAN_OUT_BATCH, &made);
    db_status st = db_webhook_claim(c, DELIVERY_BATCH * w->s.timeout_ms + LEASE_SLACK_MS, DELIVERY_BATCH, &b);
    db_release(c);
    if (st != DB_OK || b.n == 0 || (done = calloc(b.n, sizeof *done)) == NULL) {
        db_delivery_batch_clear(&b); /* (on no memory, its lease ends and it is sent then) */
        return made > 0;
    }
    for (size_t i = 0; i < b.n; i++)
        if (send_one(wk, &b.items[i]))
            done[n_done++] = b.items[i].id;
    if (n_done > 0) {
        c = db_acquire(w->pool);
        st = c ? db_webhook_delivered(c, done, n_done) : DB_UNAVAILABLE;
        db_release(c);
        if (st != DB_OK)
            log_message("warning", "%zu webhook deliveries could not be recorded as made; they are "
                        "sent again when their lease ends", n_done);
        atomic_fetch_add(&w->delivered, n_done);
    }
    free(done);
    db_delivery_batch_clear(&b);
    return true;
}

/* The first worker reads the queue for /metrics now and then, and drops old events. */
static void upkeep(struct webhooks *w, double *queue_due, double *prune_due)
{
    double now = clock_monotonic_s();
    if (now < *queue_due)
        return;
    *queue_due = now + QUEUE_READ_MS / 1000.0;
    db_conn *c = db_acquire(w->pool);
    if (c == NULL)
        return;
    int64_t depth = 0, oldest = 0;
    if (db_webhook_queue(c, &depth, &oldest) == DB_OK) {
        atomic_store(&w->queue_depth, depth);
        atomic_store(&w->oldest_s, oldest);
    }
    if (now >= *prune_due) {
        *prune_due = now + PRUNE_MS / 1000.0;
        db_webhook_prune(c);
    }
    db_release(c);
}

static void *worker_run(void *arg)
{
    struct worker *wk = arg;
    double queue_due = 0, prune_due = 0;
    do {
        if (wk->index == 0)
            upkeep(wk->w, &queue_due, &prune_due);
        while (!stopper_stopping(&wk->w->stop) && deliver_batch(wk))
            ;
    } while (!stopper_wait_ms(&wk->w->stop, IDLE_WAIT_MS));
    return NULL;
}

static void free_all(struct webhooks *w)
{
    db_pool_free(w->pool);
    stopper_destroy(&w->stop);
    free(w->workers);
    free(w->conninfo);
    free(w->article_url);
    free(w);
}

struct webhooks *webhooks_start(const struct webhook_settings *s)
{
    struct webhooks *w = calloc(1, sizeof *w);
    if (w == NULL)
        return NULL;
    w->s = *s;
    w->conninfo = strdup(s->conninfo);
    w->article_url = strdup(s->article_url);
    w->s.conninfo = w->conninfo;
    w->s.article_url = w->article_url;
    stopper_init(&w->stop);
    w->workers = calloc(s->workers ? s->workers : 1, sizeof *w->workers);
    w->pool = s->workers ? db_pool_new(s->conninfo, s->workers, 2000, 5000) : NULL;
    if (w->conninfo == NULL || w->article_url == NULL || w->workers == NULL ||
        (s->workers && w->pool == NULL) || !webhook_send_init()) {
        free_all(w);
        return NULL;
    }
    if (w->pool != NULL) {
        db_pool_set_watcher(w->pool, "khabar-webhooks");
        /* a claim, a fan-out or an outcome that a crash undoes is done again: sent twice at
         * worst, which at-least-once allows; an event itself is the writer's, written durably */
        db_pool_set_async_commit(w->pool);
    }
    for (unsigned i = 0; i < s->workers; i++, w->started++) {
        struct worker *wk = &w->workers[i];
        *wk = (struct worker){ .w = w, .index = i, .seed = (unsigned)time(NULL) ^ (i * 2654435761u),
                               .sender = webhook_sender_new(s->timeout_ms, s->allow_private) };
        if (wk->sender == NULL || pthread_create(&wk->thread, NULL, worker_run, wk) != 0) {
            webhook_sender_free(wk->sender);
            break;
        }
    }
    if (w->started < s->workers) {
        webhooks_stop(w);
        return NULL;
    }
    return w;
}

void webhooks_stop(struct webhooks *w)
{
    if (w == NULL)
        return;
    stopper_stop(&w->stop);
    for (unsigned i = 0; i < w->started; i++) {
        pthread_join(w->workers[i].thread, NULL);
        webhook_sender_free(w->workers[i].sender);
    }
    free_all(w);
}

void webhooks_stats(const struct webhooks *w, struct webhook_stats *out)
{
    memset(out, 0, sizeof *out);
    if (w == NULL)
        return;
    out->delivered = atomic_load(&w->delivered);
    out->failed = atomic_load(&w->failed);
    out->gave_up = atomic_load(&w->gave_up);
    out->queue_depth = atomic_load(&w->queue_depth);
    out->oldest_s = atomic_load(&w->oldest_s);
}
