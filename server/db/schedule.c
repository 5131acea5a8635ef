/* schedule.c: the thread that makes scheduled articles public at their time, knows when the next one is, and keeps the search window up. */
#include "db/schedule.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "internal.h"
#include "infra/clock.h"
#include "infra/log.h"
#include "infra/stopper.h"

/* Shortest wait between two rounds: a due article another instance is making live is
 * skipped, and would otherwise be asked about again at once. */
#define SCHEDULE_MIN_WAIT_MS 5
/* How often the window of the newest articles moves on; how many rows a round marks or
 * unmarks (each an update of the article's row, written to every index of articles
 * again: 3 ms or so at 1,000,000 articles, so well under STATEMENT_TIMEOUT); and how
 * soon the next round comes while there is more to do. */
#define WINDOW_UPKEEP_MS 30000
#define WINDOW_MARKS_PER_ROUND 200
#define WINDOW_BUSY_MS 100

struct schedule {
    db_pool *pool;
    pthread_t thread;
    struct stopper stop;
    unsigned window_articles;
    /* the monotonic time of the next go-live, in ms; -1: none scheduled */
    _Atomic long long next_ms;
};

static long long monotonic_ms(void)
{
    return (long long)(clock_monotonic_s() * 1000.0);
}

/* One round: due articles made public, then how long until the next; -1 when none. */
static long long go_live_round(db_conn *c)
{
    db_status st;
    long long next = -1;
    PQclear(db_run(c, STMT_GO_LIVE, NULL, PGRES_COMMAND_OK, &st));
    PGresult *res = db_run(c, STMT_NEXT_GO_LIVE, NULL, PGRES_TUPLES_OK, &st);
    if (res != NULL && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
        next = db_integer_of(res, 0, 0);
    PQclear(res);
    return next;
}

/* One round of the search window's upkeep (migrations/0020_search_window.sql); true
 * when there is more to do at once (a window opening, or many marks to drop). */
static bool window_round(db_conn *c, unsigned window_articles)
{
    db_status st;
    struct db_int_text size = db_int_text(window_articles), batch = db_int_text(WINDOW_MARKS_PER_ROUND);
    const char *params[] = { size.s, batch.s };
    PGresult *res = db_run(c, STMT_SEARCH_WINDOW_ADVANCE, params, PGRES_TUPLES_OK, &st);
    if (res == NULL)
        log_message("warning", "the search window's upkeep failed: %s", PQerrorMessage(c->pg));
    bool more = res != NULL && PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    return more;
}

static void *schedule_run(void *arg)
{
    struct schedule *s = arg;
    long long wait = SCHEDULE_POLL_MS, window_due = monotonic_ms();
    do {
        db_conn *c = db_acquire(s->pool);
        if (c != NULL) {
            if (monotonic_ms() >= window_due)
                window_due = monotonic_ms() + (window_round(c, s->window_articles) ? WINDOW_BUSY_MS
                                                                                   : WINDOW_UPKEEP_MS);
            long long next = go_live_round(c);
            db_release(c);
            atomic_store(&s->next_ms, next < 0 ? -1 : monotonic_ms() + next);
            wait = next >= 0 && next < SCHEDULE_POLL_MS ? next : SCHEDULE_POLL_MS;
            if (wait < SCHEDULE_MIN_WAIT_MS)
                wait = SCHEDULE_MIN_WAIT_MS;
        }
    } while (!stopper_wait_ms(&s->stop, (unsigned)wait));
    return NULL;
}

struct schedule *schedule_start(const char *conninfo, unsigned window_articles)
{
    struct schedule *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->window_articles = window_articles;
    atomic_init(&s->next_ms, -1);
    stopper_init(&s->stop);
    s->pool = db_pool_new(conninfo, 1, 2000, 5000);
    if (s->pool != NULL)
        db_pool_set_watcher(s->pool, "khabar-schedule");
    if (s->pool == NULL || pthread_create(&s->thread, NULL, schedule_run, s) != 0) {
        db_pool_free(s->pool);
        stopper_destroy(&s->stop);
        free(s);
        return NULL;
    }
    return s;
}

void schedule_stop(struct schedule *s)
{
    if (s == NULL)
        return;
    stopper_stop(&s->stop);
    pthread_join(s->thread, NULL);
    db_pool_free(s->pool);
    stopper_destroy(&s->stop);
    free(s);
}

double schedule_seconds_to_next(const struct schedule *s)
{
    long long next = s ? atomic_load(&s->next_ms) : -1;
    if (next < 0)
        return -1.0;
    double left = (double)(next - monotonic_ms()) / 1000.0;
    return left > 0 ? left : 0.0;
}
