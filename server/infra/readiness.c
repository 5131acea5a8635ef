/* readiness.c: the readiness checker: asks the database, on its own connection, whether it
 * answers and has this binary's migrations, and publishes the answer for GET /readyz. */
#include "infra/readiness.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "db/db.h"
#include "db/migrate.h"
#include "infra/clock.h"
#include "infra/log.h"

#define CHECK_EVERY_MS 1000
#define SLICE_MS 100           /* how often the wait between checks looks at stop */
#define CHECK_TIMEOUT_MS 1000  /* the statement timeout of a check, and its connection wait */
#define MIGRATIONS_EVERY_S 10  /* once found current, migrations are asked again this often */
#define FIRST_CHECK_WAIT_MS 4000 /* a connect (3 s at most with CHECK_TIMEOUT_MS) and a ping */

struct readiness {
    pthread_t thread;
    atomic_bool stop;
    atomic_int state;             /* enum readiness_state of the last check */
    atomic_llong checked_at_us;   /* when it finished (monotonic microseconds) */
    db_pool *pool;                /* one connection, never one a request could be using */
    bool migrations_current;      /* the thread's own */
    double migrations_checked_at;
};

static const char *state_words(enum readiness_state st)
{
    switch (st) {
    case READINESS_READY: return "the database answers";
    case READINESS_MIGRATIONS_PENDING: return "the database has migrations to apply";
    default: return "the database is not answering";
    }
}

/* One check on c (NULL: no connection could be had). */
static enum readiness_state check_once(struct readiness *r, db_conn *c)
{
    bool current = false;
    if (c == NULL || db_ping(c) != DB_OK) {
        r->migrations_current = false;
        return READINESS_DB_DOWN;
    }
    double now = clock_monotonic_s();
    if (r->migrations_current && now - r->migrations_checked_at < MIGRATIONS_EVERY_S)
        return READINESS_READY;
    if (migrate_is_current(c, &current) != DB_OK)
        return READINESS_DB_DOWN;
    r->migrations_current = current;
    r->migrations_checked_at = now;
    return current ? READINESS_READY : READINESS_MIGRATIONS_PENDING;
}

static void publish(struct readiness *r, enum readiness_state st)
{
    enum readiness_state before = atomic_exchange(&r->state, st);
    atomic_store(&r->checked_at_us, (long long)(clock_monotonic_s() * 1e6));
    if (st == before)
        return;
    if (st == READINESS_READY)
        log_message("info", "ready: %s", state_words(st));
    else
        log_message("warning", "not ready (/readyz answers 503): %s", state_words(st));
}

/* Waits until the next check is due, stop is set, or the server closes c. */
static void wait_between(struct readiness *r, db_conn *c)
{
    struct timespec slice = { 0, SLICE_MS * 1000000L };
    for (unsigned waited = 0; waited < CHECK_EVERY_MS && !atomic_load(&r->stop);
         waited += SLICE_MS) {
        if (c == NULL)
            nanosleep(&slice, NULL);
        else if (db_wait_quiet(c, SLICE_MS) != DB_OK)
            return; /* lost: check again now, so that /readyz learns of it at once */
    }
}

static void *check_loop(void *arg)
{
    struct readiness *r = arg;
    while (!atomic_load(&r->stop)) {
        db_conn *c = db_acquire(r->pool);
        publish(r, check_once(r, c));
        wait_between(r, c);
        db_release(c);
    }
    return NULL;
}

struct readiness *readiness_start(const char *conninfo)
{
    struct readiness *r = calloc(1, sizeof *r);
    if (r == NULL)
        return NULL;
    atomic_init(&r->stop, false);
    atomic_init(&r->state, READINESS_UNKNOWN);
    atomic_init(&r->checked_at_us, 0);
    r->pool = db_pool_new(conninfo, 1, CHECK_TIMEOUT_MS, CHECK_TIMEOUT_MS);
    if (r->pool == NULL)
        goto fail;
    db_pool_set_watcher(r->pool, "khabar-readiness");
    if (pthread_create(&r->thread, NULL, check_loop, r) != 0)
        goto fail;
    /* The first finding, before the server listens (as long as a check may take): a probe
     * right after start-up gets the database's answer, not "not checked yet". */
    struct timespec pause = { 0, 10 * 1000000L };
    for (int i = 0; i < FIRST_CHECK_WAIT_MS / 10 && atomic_load(&r->state) == READINESS_UNKNOWN; i++)
        nanosleep(&pause, NULL);
    return r;
fail:
    log_message("error", "cannot start the readiness checker");
    db_pool_free(r->pool);
    free(r);
    return NULL;
}

enum readiness_state readiness_now(const struct readiness *r)
{
    if (r == NULL)
        return READINESS_UNKNOWN;
    enum readiness_state st = atomic_load(&r->state);
    double age = clock_monotonic_s() - (double)atomic_load(&r->checked_at_us) / 1e6;
    return st == READINESS_READY && age > READINESS_STALE_S ? READINESS_STALE : st;
}

void readiness_stop(struct readiness *r)
{
    if (r == NULL)
        return;
    atomic_store(&r->stop, true);
    pthread_join(r->thread, NULL);
    db_pool_free(r->pool);
    free(r);
}
