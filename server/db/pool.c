/* pool.c: the connection pool: lazy connects, reconnects after loss, statements prepared per connection. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "infra/clock.h"
#include "internal.h"
#include "infra/log.h"
#include "infra/wal.h"

/* A replica found behind is not asked again on the same connection for this long: its
 * reads go to the primary meanwhile, without a question to the replica each. */
#define REPLAY_ASK_EVERY_S 0.01

/* How a session plans: a prepared statement's generic plan serves every run (planned once
 * per connection; left to choose, PostgreSQL may compare it with a custom plan and then
 * plan again at every run, a cost larger than the query's own for a list page), while a
 * plan_each_time statement needs "auto", under which an unprepared statement is always
 * planned for its values. */
enum plan_mode { PLAN_UNKNOWN, PLAN_GENERIC, PLAN_CUSTOM };
static const char *const plan_cache_modes[] = {
    [PLAN_GENERIC] = "force_generic_plan",
    [PLAN_CUSTOM] = "auto",
};

struct db_pool {
    pthread_mutex_t mu;
    pthread_cond_t freed;
    char *conninfo;
    unsigned size, wait_ms, statement_timeout_ms;
    struct db_conn *slots;
    unsigned in_use;
    unsigned long long connects, connect_failures;
    db_pool *fallback;      /* set on a replica's pool: the primary's */
    bool uncounted;         /* a watcher's own pool: left out of the request counts */
    const char *application_name; /* static: "khabar", or the watcher's own */
    bool async_commit;      /* its commits do not wait for the WAL to reach the disk */
    double resting_until;   /* a replica is not tried before this (monotonic seconds) */
    /* the primary's, with a replica: the WAL position past every commit made here */
    bool track_commits;
    _Atomic uint64_t committed;
    atomic_ullong behind; /* a replica's: uses refused for want of replay (for /metrics) */
};

/* Failed database calls, over every pool (for /metrics). */
static atomic_ullong db_error_count;
static atomic_ullong db_query_count; /* statements sent, for /metrics */


db_pool *db_pool_new(const char *conninfo, unsigned size, unsigned wait_ms,
                     unsigned statement_timeout_ms)
{
    db_pool *pool = calloc(1, sizeof *pool);
    if (pool == NULL)
        return NULL;
    pool->conninfo = strdup(conninfo);
    pool->slots = calloc(size, sizeof *pool->slots);
    if (pool->conninfo == NULL || pool->slots == NULL) {
        free(pool->conninfo);
        free(pool->slots);
        free(pool);
        return NULL;
    }
    pthread_mutex_init(&pool->mu, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&pool->freed, &attr);
    pthread_condattr_destroy(&attr);
    for (unsigned i = 0; i < size; i++)
        pool->slots[i].pool = pool;
    pool->size = size;
    pool->wait_ms = wait_ms;
    pool->statement_timeout_ms = statement_timeout_ms;
    pool->application_name = "khabar";
    return pool;
}

void db_pool_set_fallback(db_pool *pool, db_pool *fallback)
{
    pool->fallback = fallback;
}

void db_pool_track_commits(db_pool *pool)
{
    pool->track_commits = true;
}

uint64_t db_pool_committed_wal(db_pool *pool)
{
    return pool ? atomic_load(&pool->committed) : 0;
}

void db_pool_set_watcher(db_pool *pool, const char *application_name)
{
    pool->uncounted = true;
    pool->application_name = application_name;
}

void db_pool_set_async_commit(db_pool *pool)
{
    pool->async_commit = true;
}

void db_pool_free(db_pool *pool)
{
    if (pool == NULL)
        return;
    for (unsigned i = 0; i < pool->size; i++)
        PQfinish(pool->slots[i].pg);
    pthread_mutex_destroy(&pool->mu);
    pthread_cond_destroy(&pool->freed);
    free(pool->slots);
    free(pool->conninfo);
    free(pool);
}

/* Opens a connection with the statement timeout set and every statement prepared. */
static PGconn *connect_prepared(const db_pool *pool)
{
    char connect_timeout[16], stmt_timeout[16], name[16];
    /* libpq counts connect_timeout in whole seconds and treats 1 as 2. */
    snprintf(connect_timeout, sizeof connect_timeout, "%u", pool->wait_ms / 1000 + 2);
    snprintf(stmt_timeout, sizeof stmt_timeout, "%u", pool->statement_timeout_ms);
    const char *keys[] = { "dbname", "connect_timeout", "application_name", NULL };
    const char *values[] = { pool->conninfo, connect_timeout, pool->application_name, NULL };
    PGconn *pg = PQconnectdbParams(keys, values, 1);
    if (PQstatus(pg) != CONNECTION_OK) {
        log_message("warning", "cannot connect to the database: %s", PQerrorMessage(pg));
        PQfinish(pg);
        return NULL;
    }
    const char *params[2] = { stmt_timeout, pool->async_commit ? "off" : "on" };
    PGresult *res = PQexecParams(pg, "SELECT set_config('statement_timeout', $1, false),"
                                 " set_config('plan_cache_mode', 'force_generic_plan', false),"
                                 " set_config('synchronous_commit', $2, false)",
                                 2, NULL, params, NULL, NULL, 0);
    bool ok = PQresultStatus(res) == PGRES_TUPLES_OK;
    PQclear(res);
    for (int i = 0; ok && i < STMT_COUNT; i++) {
        snprintf(name, sizeof name, "s%d", i);
        res = PQprepare(pg, name, db_statements[i].sql, db_statements[i].nparams, NULL);
        ok = PQresultStatus(res) == PGRES_COMMAND_OK;
        if (!ok)
            log_message("error", "cannot prepare statement %d: %s", i, PQresultErrorMessage(res));
        PQclear(res);
    }
    if (!ok) {
        PQfinish(pg);
        return NULL;
    }
    return pg;
}

/* A free slot, waiting until one is released or the deadline passes; NULL on timeout. */
static struct db_conn *take_slot(db_pool *pool)
{
    struct timespec deadline = clock_monotonic_after_ms(pool->wait_ms);
    struct db_conn *slot = NULL;
    pthread_mutex_lock(&pool->mu);
    while (slot == NULL) {
        /* Prefer a slot that is already connected. */
        for (unsigned i = 0; i < pool->size && (slot == NULL || slot->pg == NULL); i++)
            if (!pool->slots[i].in_use)
                slot = &pool->slots[i];
        if (slot != NULL)
            break;
        if (pthread_cond_timedwait(&pool->freed, &pool->mu, &deadline) == ETIMEDOUT)
            break;
    }
    if (slot != NULL) {
        slot->in_use = 1;
        pool->in_use++;
    }
    pthread_mutex_unlock(&pool->mu);
    return slot;
}

/* Opens the slot's connection again, counting the attempt; false when it failed. A
 * replica that cannot be reached rests for a second: its reads go to the primary without
 * waiting on a connect each time. */
static bool reconnect(struct db_conn *slot)
{
    db_pool *pool = slot->pool;
    PQfinish(slot->pg);
    slot->pg = NULL;
    pthread_mutex_lock(&pool->mu);
    bool resting = pool->fallback != NULL && clock_monotonic_s() < pool->resting_until;
    pthread_mutex_unlock(&pool->mu);
    if (resting)
        return false;
    /* Connecting happens outside the lock: a slow database must not block the pool. */
    slot->pg = connect_prepared(pool);
    slot->tx_depth = 0;
    slot->plan_mode = PLAN_GENERIC;
    slot->replayed = 0; /* another server, perhaps, behind a name that now leads elsewhere */
    slot->replayed_asked_at = 0;
    pthread_mutex_lock(&pool->mu);
    if (slot->pg != NULL) {
        pool->connects++;
    } else {
        pool->connect_failures++;
        pool->resting_until = clock_monotonic_s() + 1.0;
    }
    pthread_mutex_unlock(&pool->mu);
    return slot->pg != NULL;
}

/* Sets the session's plan_cache_mode to mode unless it is so already. A failure leaves it
 * unknown (set again next time) and is not reported: the statement that follows meets the
 * same cause and reports it. */
static void plan_mode_set(db_conn *c, enum plan_mode mode)
{
    if (c->plan_mode == (int)mode)
        return;
    const char *params[1] = { plan_cache_modes[mode] };
    PGresult *res = PQexecParams(c->pg, "SELECT set_config('plan_cache_mode', $1, false)", 1, NULL,
                                 params, NULL, NULL, 0);
    c->plan_mode = PQresultStatus(res) == PGRES_TUPLES_OK ? (int)mode : PLAN_UNKNOWN;
    PQclear(res);
}

static PGresult *exec_statement(db_conn *c, const struct db_statement *d, const char *name,
                                const char *const *params)
{
    plan_mode_set(c, d->plan_each_time ? PLAN_CUSTOM : PLAN_GENERIC);
    if (!c->pool->uncounted)
        atomic_fetch_add(&db_query_count, 1);
    return d->plan_each_time ? PQexecParams(c->pg, d->sql, d->nparams, NULL, params, NULL, NULL, 0)
                             : PQexecPrepared(c->pg, name, d->nparams, params, NULL, NULL, 0);
}

/* Whether the server of c (a replica's connection) has replayed the WAL up to required:
 * what it said last when that is enough, else asked again (at most every
 * REPLAY_ASK_EVERY_S). A server not in recovery says NULL, which is never enough. */
static bool replayed_up_to(db_conn *c, uint64_t required)
{
    if (c->replayed >= required)
        return true;
    double now = clock_monotonic_s();
    if (c->replayed_asked_at > 0 && now - c->replayed_asked_at < REPLAY_ASK_EVERY_S)
        return false;
    char name[16];
    snprintf(name, sizeof name, "s%d", (int)STMT_WAL_REPLAY_POSITION);
    PGresult *res = exec_statement(c, &db_statements[STMT_WAL_REPLAY_POSITION], name, NULL);
    uint64_t at;
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
        wal_position_parse(PQgetvalue(res, 0, 0), &at) && at > c->replayed)
        c->replayed = at;
    PQclear(res);
    c->replayed_asked_at = now;
    return c->replayed >= required;
}

db_conn *db_acquire(db_pool *pool)
{
    struct db_conn *slot = take_slot(pool);
    if (slot == NULL)
        return NULL;
    if (slot->pg != NULL && PQstatus(slot->pg) == CONNECTION_OK)
        return slot;
    if (!reconnect(slot)) {
        db_release(slot);
        return NULL;
    }
    return slot;
}

db_conn *db_acquire_replayed(db_pool *pool, uint64_t required)
{
    db_conn *c = db_acquire(pool);
    if (c == NULL || replayed_up_to(c, required)) {
        if (c != NULL)
            c->required = required;
        return c;
    }
    atomic_fetch_add(&pool->behind, 1);
    db_release(c);
    return NULL;
}

void db_release(db_conn *conn)
{
    if (conn == NULL)
        return;
    db_release(conn->borrowed);
    conn->borrowed = NULL;
    conn->required = 0;
    db_pool *pool = conn->pool;
    if (conn->pg != NULL && PQstatus(conn->pg) == CONNECTION_OK &&
        PQtransactionStatus(conn->pg) != PQTRANS_IDLE) {
        PQclear(PQexec(conn->pg, "ROLLBACK")); /* a handler that left a transaction open */
        conn->plan_mode = PLAN_UNKNOWN;
    }
    conn->tx_depth = 0;
    conn->transient = false;
    if (conn->pg != NULL && PQstatus(conn->pg) != CONNECTION_OK) {
        PQfinish(conn->pg); /* lost: the next user reconnects and prepares again */
        conn->pg = NULL;
    }
    pthread_mutex_lock(&pool->mu);
    conn->in_use = 0;
    pool->in_use--;
    pthread_cond_signal(&pool->freed);
    pthread_mutex_unlock(&pool->mu);
}

void db_pool_stats(db_pool *pool, struct db_pool_stats *out)
{
    memset(out, 0, sizeof *out);
    if (pool == NULL)
        return;
    pthread_mutex_lock(&pool->mu);
    out->size = pool->size;
    out->in_use = pool->in_use;
    out->connects = pool->connects;
    out->connect_failures = pool->connect_failures;
    out->behind = atomic_load(&pool->behind);
    out->errors = atomic_load(&db_error_count);
    out->queries = atomic_load(&db_query_count);
    pthread_mutex_unlock(&pool->mu);
}

db_status db_classify(db_conn *c, const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (!c->pool->uncounted)
        atomic_fetch_add(&db_error_count, 1);
    if (PQstatus(c->pg) != CONNECTION_OK || state == NULL)
        return DB_UNAVAILABLE;
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0) {
        c->transient = true; /* db_transaction_run runs the transaction again */
        return DB_UNAVAILABLE;
    }
    if (strcmp(state, "23505") == 0)
        return DB_CONFLICT;
    if (strcmp(state, "23503") == 0)
        return DB_NOT_FOUND;
    /* connection trouble, shutdown, statement timeout, too many connections */
    if (strncmp(state, "08", 2) == 0 || strncmp(state, "57", 2) == 0 || strcmp(state, "53300") == 0)
        return DB_UNAVAILABLE;
    log_message("error", "database error %s: %s", state, PQresultErrorMessage(res));
    return DB_ERROR;
}

PGresult *db_run(db_conn *c, enum db_stmt stmt, const char *const *params, ExecStatusType want,
                 db_status *st)
{
    char name[16];
    snprintf(name, sizeof name, "s%d", (int)stmt);
    const struct db_statement *d = &db_statements[stmt];
    if (c->borrowed != NULL)
        return db_run(c->borrowed, stmt, params, want, st);
    PGTransactionStatusType tx = PQtransactionStatus(c->pg); /* UNKNOWN: a lost connection */
    PGresult *res = c->pg != NULL ? exec_statement(c, d, name, params) : NULL;
    /* A read outside a transaction whose connection turns out lost (PostgreSQL restarted,
     * the backend terminated) runs once more on a new one: pooled connections die together
     * and each would otherwise fail one request after the database is back. */
    if (PQresultStatus(res) != want && PQstatus(c->pg) != CONNECTION_OK &&
        (tx == PQTRANS_IDLE || tx == PQTRANS_UNKNOWN) && d->read_only) {
        PQclear(res);
        /* the new connection may have replayed less than this use needs (another server
         * behind the same name): then the primary answers */
        res = reconnect(c) && replayed_up_to(c, c->required) ? exec_statement(c, d, name, params)
                                                             : NULL;
        if (res == NULL && c->pool->fallback != NULL &&
            (c->borrowed = db_acquire(c->pool->fallback)) != NULL)
            return db_run(c->borrowed, stmt, params, want, st);
    }
    if (PQresultStatus(res) == want) {
        *st = DB_OK;
        return res;
    }
    *st = db_classify(c, res);
    PQclear(res);
    return NULL;
}

/* Whether a call may share a round trip: a read (a failed one may simply run again on its
 * own) with a generic plan (a statement planned for each run sets the plan mode first). */
static bool shares_round_trip(const struct db_call *call)
{
    const struct db_statement *d = &db_statements[call->stmt];
    return d->read_only && !d->plan_each_time;
}

/* Sends the statement of each call that may share the round trip, then a sync, in pipeline
 * mode; false when a send failed. */
static bool pipeline_send(PGconn *pg, const struct db_call *calls, size_t n)
{
    if (!PQenterPipelineMode(pg))
        return false;
    for (size_t i = 0; i < n; i++) {
        char name[16];
        if (!shares_round_trip(&calls[i]))
            continue;
        snprintf(name, sizeof name, "s%d", (int)calls[i].stmt);
        if (!PQsendQueryPrepared(pg, name, db_statements[calls[i].stmt].nparams, calls[i].params,
                                 NULL, NULL, 0))
            return false;
    }
    return PQpipelineSync(pg) == 1;
}

/* Reads a sent pipeline's answers: each sent call's result (NULL when none came), then
 * the sync, and leaves pipeline mode; false when the connection is in no state for
 * another statement. */
static bool pipeline_read(PGconn *pg, struct db_call *calls, size_t n)
{
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        if (!shares_round_trip(&calls[i]))
            continue;
        calls[i].res = PQgetResult(pg);
        PGresult *end = calls[i].res != NULL ? PQgetResult(pg) : NULL; /* NULL ends call i */
        ok = calls[i].res != NULL && end == NULL;
        PQclear(end);
    }
    PGresult *sync = ok ? PQgetResult(pg) : NULL;
    ok = ok && PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
    PQclear(sync);
    return ok && PQexitPipelineMode(pg) == 1;
}

/* How many of the calls may share one round trip on c (outside a transaction); 0 when
 * fewer than two may. */
static size_t calls_sharing(const db_conn *c, const struct db_call *calls, size_t n)
{
    size_t sharing = 0;
    if (c->pg == NULL || PQstatus(c->pg) != CONNECTION_OK || PQtransactionStatus(c->pg) != PQTRANS_IDLE)
        return 0;
    for (size_t i = 0; i < n; i++)
        sharing += shares_round_trip(&calls[i]);
    return sharing >= 2 ? sharing : 0;
}

void db_run_all(db_conn *c, struct db_call *calls, size_t n, ExecStatusType want)
{
    for (size_t i = 0; i < n; i++)
        calls[i].res = NULL;
    if (c->borrowed != NULL) {
        db_run_all(c->borrowed, calls, n, want);
        return;
    }
    size_t sharing = calls_sharing(c, calls, n);
    if (sharing > 0) {
        plan_mode_set(c, PLAN_GENERIC);
        if (!c->pool->uncounted)
            atomic_fetch_add(&db_query_count, sharing);
        if (!(pipeline_send(c->pg, calls, n) && pipeline_read(c->pg, calls, n))) {
            PQfinish(c->pg); /* left mid-pipeline: the next statement connects afresh */
            c->pg = NULL;
        }
    }
    for (size_t i = 0; i < n; i++) {
        struct db_call *k = &calls[i];
        ExecStatusType got = PQresultStatus(k->res);
        if (k->res != NULL && got == want) {
            k->st = DB_OK;
        } else if (k->res != NULL && got == PGRES_FATAL_ERROR && PQstatus(c->pg) == CONNECTION_OK) {
            k->st = db_classify(c, k->res); /* its own failure: running it again fails too */
            PQclear(k->res);
            k->res = NULL;
        } else {
            /* not run together, aborted by an earlier failure, or the connection lost */
            PQclear(k->res);
            k->res = db_run(c, k->stmt, k->params, want, &k->st);
        }
    }
}

db_status db_command(db_conn *c, const char *sql)
{
    PGresult *res = PQexec(c->pg, sql);
    ExecStatusType done = PQresultStatus(res);
    db_status st = done == PGRES_COMMAND_OK || done == PGRES_TUPLES_OK ? DB_OK : db_classify(c, res);
    PQclear(res);
    return st;
}

/* After a commit on the primary, with a replica: raises the pool's committed position to
 * the primary's WAL position now, past the end of the commit record. Should the question
 * fail (the connection lost just after), the commit's own announcement still raises the
 * position reads need (changes.c), once this instance hears it. */
static void note_commit(db_conn *c)
{
    char name[16];
    uint64_t at;
    snprintf(name, sizeof name, "s%d", (int)STMT_WAL_END_POSITION);
    PGresult *res = exec_statement(c, &db_statements[STMT_WAL_END_POSITION], name, NULL);
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
        wal_position_parse(PQgetvalue(res, 0, 0), &at))
        wal_position_raise(&c->pool->committed, at);
    PQclear(res);
}

db_status db_tx(db_conn *c, const char *command)
{
    bool begin = strcmp(command, "BEGIN") == 0;
    bool nested = c->tx_depth > (begin ? 0 : 1);
    const char *sql = command;
    if (nested)
        sql = begin ? "SAVEPOINT nested"
              : strcmp(command, "COMMIT") == 0 ? "RELEASE SAVEPOINT nested"
                                               : "ROLLBACK TO SAVEPOINT nested; RELEASE SAVEPOINT nested";
    db_status st = db_command(c, sql);
    if (st == DB_OK && !nested && strcmp(command, "COMMIT") == 0 && c->pool->track_commits)
        note_commit(c);
    if (!begin && (st != DB_OK || strcmp(command, "COMMIT") != 0))
        c->plan_mode = PLAN_UNKNOWN; /* rolled back: a setting changed inside is undone */
    if (begin)
        c->tx_depth += st == DB_OK;
    else if (c->tx_depth > 0)
        c->tx_depth--; /* a failed COMMIT or release ends its level all the same */
    return st;
}

/* A pause before running a transaction again: 1, 4, 9 ms..., so that two writers that
 * met each other do not meet again at once. */
static void backoff(int attempt)
{
    struct timespec pause = { 0, (long)attempt * attempt * 1000000L };
    nanosleep(&pause, NULL);
}

db_status db_transaction_run(db_conn *c, db_status (*tx)(db_conn *c, void *arg), void *arg)
{
    bool outermost = c->tx_depth == 0;
    db_status st = DB_UNAVAILABLE;
    for (int attempt = 1; attempt <= DB_TX_ATTEMPTS; attempt++) {
        c->transient = false;
        st = tx(c, arg);
        if (st != DB_UNAVAILABLE || !c->transient || !outermost || attempt == DB_TX_ATTEMPTS)
            break;
        log_message("info", "a transaction met a serialization failure or a deadlock; "
                            "running it again (attempt %d of %d)", attempt + 1, DB_TX_ATTEMPTS);
        backoff(attempt);
    }
    c->transient = false;
    return st;
}

db_status db_ping(db_conn *c)
{
    db_status st;
    PQclear(db_run(c, STMT_PING, NULL, PGRES_TUPLES_OK, &st));
    return st;
}

db_status db_send_mark(db_conn *c, const char *payload)
{
    db_status st;
    const char *params[] = { payload };
    PQclear(db_run(c, STMT_SEND_MARK, params, PGRES_TUPLES_OK, &st));
    return st;
}

db_status db_wait_quiet(db_conn *c, unsigned ms)
{
    int fd = c->pg != NULL ? PQsocket(c->pg) : -1;
    if (fd < 0)
        return DB_UNAVAILABLE;
    struct pollfd p = { .fd = fd, .events = POLLIN };
    int r = poll(&p, 1, (int)ms);
    if (r == 0 || (r < 0 && errno == EINTR))
        return DB_OK;
    /* Unasked-for bytes on an idle connection: a notice, or the server saying goodbye
     * (shutdown, a terminated backend) before it closes. */
    if (r < 0 || !PQconsumeInput(c->pg) || PQstatus(c->pg) != CONNECTION_OK)
        return DB_UNAVAILABLE;
    return DB_OK;
}
