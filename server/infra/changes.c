/* changes.c: the LISTEN thread that keeps the answer cache from ever serving a changed article,
 * and the token store from ever accepting a revoked token. */
#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "infra/changes.h"
#include "infra/log.h"
#include "infra/wal.h"

/* Most ids one announcement names before it says "*" instead (8000 bytes at most). */
#define MAX_IDS 1024
/* Announcements applied after one reading of the primary's WAL position. */
#define BATCH 64
/* How often a request reads the socket before answering from the cache: a thousandth
 * of a second, about what the thread takes to be scheduled on a loaded machine. */
#define CATCH_UP_NS 1000000u

struct changes {
    pthread_t thread;
    atomic_bool stop;
    atomic_ullong connects;
    atomic_ullong heard; /* announcements applied */
    /* with a replica: the primary's WAL position once every announcement applied so far had
     * committed (changes_required_wal) */
    bool track_wal;
    _Atomic uint64_t required_wal;
    char *conninfo;
    struct cache *cache; /* NULL: no answer cache, only the tokens are heard */
    struct changes_tokens tokens;
    /* a token announcement was read and the tokens are not read again yet */
    atomic_bool tokens_pending;
    /* one reading of the tokens at a time (the thread's, or a request's that caught up) */
    pthread_mutex_t tokens_mu;
    /* the listening connection: read by the thread, and by request threads that catch up
     * before answering from the cache (changes_catch_up) */
    pthread_mutex_t mu;
    PGconn *pg;
    _Atomic uint64_t caught_up_at; /* monotonic ns of the last request's look (changes_catch_up) */
    /* this instance's marks: its name on MARKS_CHANNEL, the last one sent and heard */
    uint64_t instance;
    atomic_ullong marks_sent, marks_heard;
};

size_t changes_parse(const char *payload, int64_t *ids, size_t max)
{
    size_t n = 0;
    const char *p = payload;
    if (strcmp(payload, "*") == 0)
        return 0;
    while (*p != '\0' && n < max) {
        char *end;
        errno = 0;
        long long v = strtoll(p, &end, 10);
        if (end == p || errno != 0 || v <= 0 || (*end != ',' && *end != '\0'))
            break;
        ids[n++] = v;
        p = *end == ',' ? end + 1 : end;
    }
    return *p != '\0' ? 0 : n;
}

void changes_apply(struct cache *cache, const char *payload)
{
    int64_t ids[MAX_IDS];
    size_t n = changes_parse(payload, ids, MAX_IDS);
    if (n == 0)
        cache_invalidate_all(cache);
    else
        cache_invalidate_articles(cache, ids, n);
}

/* The cache calls, for an instance without an answer cache too. */
static void cache_off(struct changes *ch)
{
    if (ch->cache != NULL)
        cache_set_enabled(ch->cache, false);
}

static void cache_restart(struct changes *ch)
{
    if (ch->cache == NULL)
        return;
    cache_invalidate_all(ch->cache);
    cache_set_enabled(ch->cache, true);
}

static void pause_ms(long ms)
{
    struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&t, NULL);
}

/* A connection listening on the channel, or NULL. */
static PGconn *listen_new(const char *conninfo)
{
    /* TCP keep-alives and a user timeout: a connection that dies without a word (a
     * network gone silent) is noticed within seconds, not hours; the cache stops then. */
    const char *keys[] = { "dbname", "connect_timeout", "application_name", "keepalives",
                           "keepalives_idle", "keepalives_interval", "keepalives_count",
                           "tcp_user_timeout", NULL };
    const char *values[] = { conninfo, "5", "khabar-changes", "1", "2", "1", "3", "5000", NULL };
    PGconn *pg = PQconnectdbParams(keys, values, 1);
    if (PQstatus(pg) == CONNECTION_OK) {
        PGresult *res = PQexec(pg, "LISTEN " CHANGES_CHANNEL);
        bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
        PQclear(res);
        res = PQexec(pg, "LISTEN " TOKENS_CHANNEL);
        ok = ok && PQresultStatus(res) == PGRES_COMMAND_OK;
        PQclear(res);
        res = PQexec(pg, "LISTEN " MARKS_CHANNEL);
        ok = ok && PQresultStatus(res) == PGRES_COMMAND_OK;
        PQclear(res);
        if (ok && PQsetnonblocking(pg, 1) == 0)
            return pg;
    }
    PQfinish(pg);
    return NULL;
}

/*
 * Raises required_wal to the primary's WAL position now, asked on the listening
 * connection; false when it cannot be read. An announcement reaches this connection only
 * once its transaction has committed (PostgreSQL delivers it when the transaction is no
 * longer running), so its commit record is in the WAL by then, and this question, sent
 * after the announcement was read, is answered later still: the position it gives
 * (WAL_END_OF_RECORDS_SQL) is at or past the end of every announced commit.
 */
static bool note_wal_position(struct changes *ch, PGconn *pg)
{
    uint64_t at;
    PGresult *res = PQexec(pg, WAL_END_OF_RECORDS_SQL);
    bool ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
              wal_position_parse(PQgetvalue(res, 0, 0), &at);
    PQclear(res);
    if (ok)
        wal_position_raise(&ch->required_wal, at);
    return ok;
}

/* A mark on MARKS_CHANNEL: this instance's ("<instance>:<number>") moves marks_heard on;
 * the others' are not this instance's business. */
static void mark_heard(struct changes *ch, const char *payload)
{
    char *end;
    errno = 0;
    unsigned long long instance = strtoull(payload, &end, 16), mark;
    if (errno != 0 || *end != ':' || instance != ch->instance)
        return;
    mark = strtoull(end + 1, &end, 10);
    if (errno != 0 || *end != '\0')
        return;
    unsigned long long seen = atomic_load(&ch->marks_heard);
    while (mark > seen && !atomic_compare_exchange_weak(&ch->marks_heard, &seen, mark))
        ;
}

/* Applies whatever announcements have arrived; false when the connection is lost. The
 * caller holds ch->mu. With a replica each batch first raises required_wal, and only then
 * drops answers: a request that finds the cache's new generation finds the new position
 * too. Announcements read while the position is asked make the next batch. */
static bool consume(struct changes *ch, PGconn *pg)
{
    if (!PQconsumeInput(pg))
        return false;
    for (;;) {
        PGnotify *batch[BATCH];
        size_t n = 0;
        while (n < BATCH && (batch[n] = PQnotifies(pg)) != NULL)
            n++;
        if (n == 0)
            break;
        /* a batch of marks alone changes nothing a replica must have replayed: a mark heard
         * late must not send reads to the primary for changes never announced */
        bool only_marks = true;
        for (size_t i = 0; i < n; i++)
            only_marks = only_marks && strcmp(batch[i]->relname, MARKS_CHANNEL) == 0;
        bool ok = !ch->track_wal || only_marks || note_wal_position(ch, pg);
        for (size_t i = 0; i < n; i++) {
            if (strcmp(batch[i]->relname, TOKENS_CHANNEL) == 0) {
                atomic_store(&ch->tokens_pending, true);
            } else if (strcmp(batch[i]->relname, MARKS_CHANNEL) == 0) {
                if (ok)
                    mark_heard(ch, batch[i]->extra);
            } else if (ok) {
                if (ch->cache != NULL)
                    changes_apply(ch->cache, batch[i]->extra);
                atomic_fetch_add(&ch->heard, 1);
            }
            PQfreemem(batch[i]);
        }
        if (!ok) {
            /* what was announced cannot be applied safely: nothing is served until the
             * thread has the channel again (and starts empty) */
            cache_off(ch);
            return false;
        }
    }
    return PQstatus(pg) == CONNECTION_OK;
}

/* Waits for announcements (a fifth of a second at a time, to notice stop) and applies
 * them; false when the connection is lost. */
static bool hear(struct changes *ch, PGconn *pg)
{
    struct pollfd pfd = { .fd = PQsocket(pg), .events = POLLIN };
    if (pfd.fd < 0)
        return false;
    int r = poll(&pfd, 1, 200);
    if (r < 0)
        return errno == EINTR;
    if (r == 0)
        return true;
    pthread_mutex_lock(&ch->mu);
    bool ok = consume(ch, pg);
    pthread_mutex_unlock(&ch->mu);
    return ok;
}

/* Reads the tokens again when an announcement asked for it; false when they could not be
 * read (the store has forgotten them then). */
static bool tokens_refresh(struct changes *ch)
{
    bool ok = true;
    if (ch->tokens.reload == NULL || !atomic_load(&ch->tokens_pending))
        return true;
    pthread_mutex_lock(&ch->tokens_mu);
    /* cleared before reading: an announcement during the reading asks for another */
    if (atomic_exchange(&ch->tokens_pending, false))
        ok = ch->tokens.reload(ch->tokens.arg);
    pthread_mutex_unlock(&ch->tokens_mu);
    return ok;
}

/* Applies what has arrived on the socket. When the thread holds the lock it is applying
 * announcements already received: waiting for it (never for the network: the socket is
 * non-blocking) means the cache has dropped them before this request looks. A lost
 * connection is the thread's to handle. */
static void catch_up_now(struct changes *ch)
{
    pthread_mutex_lock(&ch->mu);
    if (ch->pg != NULL)
        consume(ch, ch->pg);
    pthread_mutex_unlock(&ch->mu);
}

void changes_tokens_catch_up(struct changes *ch)
{
    if (ch == NULL)
        return;
    catch_up_now(ch);
    tokens_refresh(ch);
}

static uint64_t monotonic_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

void changes_catch_up(struct changes *ch)
{
    if (ch == NULL)
        return;
    /* One request a CATCH_UP_NS looks, the others go on: each look is a read on the
     * socket, and between two of them the thread wakes for what arrives by itself. */
    uint64_t now = monotonic_ns(), last = atomic_load(&ch->caught_up_at);
    if (now - last < CATCH_UP_NS || !atomic_compare_exchange_strong(&ch->caught_up_at, &last, now))
        return;
    catch_up_now(ch);
}

uint64_t changes_required_wal(const struct changes *ch)
{
    return ch ? atomic_load(&ch->required_wal) : 0;
}

unsigned long long changes_heard(const struct changes *ch)
{
    return ch ? atomic_load(&ch->heard) : 0;
}

unsigned long long changes_next_mark(struct changes *ch, char *buf, size_t size)
{
    if (ch == NULL)
        return 0;
    unsigned long long mark = atomic_fetch_add(&ch->marks_sent, 1) + 1;
    snprintf(buf, size, "%016llx:%llu", (unsigned long long)ch->instance, mark);
    return mark;
}

bool changes_wait_mark(const struct changes *ch, unsigned long long mark, unsigned max_ms)
{
    for (unsigned waited = 0; ch != NULL && mark != 0; waited++) {
        if (atomic_load(&ch->marks_heard) >= mark)
            return true;
        if (waited >= max_ms)
            break;
        pause_ms(1);
    }
    return false;
}

/* The tokens could not be read on a new connection: the store knows none of the
 * database's, and the connection is made again after a pause. */
static void forget_tokens(struct changes *ch, PGconn **pg, bool *warned)
{
    if (!*warned)
        log_message("warning", "cannot read the tokens; tokens from the database get 503 until they are");
    *warned = true;
    if (ch->tokens.forget != NULL)
        ch->tokens.forget(ch->tokens.arg);
    pthread_mutex_lock(&ch->mu);
    ch->pg = NULL;
    pthread_mutex_unlock(&ch->mu);
    PQfinish(*pg);
    *pg = NULL;
    pause_ms(200);
}

static void *listen_loop(void *arg)
{
    struct changes *ch = arg;
    PGconn *pg = NULL;
    bool warned = false;
    while (!atomic_load(&ch->stop)) {
        if (pg == NULL) {
            pg = listen_new(ch->conninfo);
            /* What committed before LISTEN is announced to nobody here: the position now
             * covers it. */
            if (pg != NULL && ch->track_wal && !note_wal_position(ch, pg)) {
                PQfinish(pg);
                pg = NULL;
            }
            pthread_mutex_lock(&ch->mu);
            ch->pg = pg;
            pthread_mutex_unlock(&ch->mu);
            if (pg == NULL) {
                if (!warned)
                    log_message("warning", "cannot listen for changes; answers are not cached until it can");
                warned = true;
                pause_ms(200);
                continue;
            }
            /* Whatever changed while the channel was not heard is unknown: start empty,
             * and read the tokens again (a revocation may have gone unheard). */
            atomic_store(&ch->tokens_pending, true);
            if (!tokens_refresh(ch)) {
                forget_tokens(ch, &pg, &warned);
                continue;
            }
            cache_restart(ch);
            atomic_fetch_add(&ch->connects, 1);
            warned = false;
        }
        if (!hear(ch, pg) || !tokens_refresh(ch)) {
            cache_off(ch);
            if (ch->tokens.forget != NULL)
                ch->tokens.forget(ch->tokens.arg);
            log_message("warning", "lost the change channel; answers are not cached until it is back");
            pthread_mutex_lock(&ch->mu);
            ch->pg = NULL;
            pthread_mutex_unlock(&ch->mu);
            PQfinish(pg);
            pg = NULL;
        }
    }
    pthread_mutex_lock(&ch->mu);
    ch->pg = NULL;
    pthread_mutex_unlock(&ch->mu);
    PQfinish(pg);
    return NULL;
}

struct changes *changes_start(const char *conninfo, struct cache *cache, bool track_wal,
                              const struct changes_tokens *tokens)
{
    struct changes *ch = calloc(1, sizeof *ch);
    if (ch == NULL)
        return NULL;
    ch->conninfo = strdup(conninfo);
    ch->cache = cache;
    atomic_init(&ch->stop, false);
    atomic_init(&ch->connects, 0);
    atomic_init(&ch->heard, 0);
    atomic_init(&ch->required_wal, 0);
    ch->track_wal = track_wal;
    if (tokens != NULL)
        ch->tokens = *tokens;
    atomic_init(&ch->tokens_pending, false);
    atomic_init(&ch->marks_sent, 0);
    atomic_init(&ch->marks_heard, 0);
    /* a name no other instance draws: marks are told apart by it */
    if (getrandom(&ch->instance, sizeof ch->instance, 0) != (ssize_t)sizeof ch->instance)
        ch->instance = (uint64_t)getpid() << 32 ^ (uint64_t)time(NULL);
    pthread_mutex_init(&ch->mu, NULL);
    pthread_mutex_init(&ch->tokens_mu, NULL);
    cache_off(ch); /* until the channel is heard */
    if (ch->conninfo == NULL || pthread_create(&ch->thread, NULL, listen_loop, ch) != 0) {
        pthread_mutex_destroy(&ch->mu);
        pthread_mutex_destroy(&ch->tokens_mu);
        free(ch->conninfo);
        free(ch);
        return NULL;
    }
    return ch;
}

void changes_stop(struct changes *ch)
{
    if (ch == NULL)
        return;
    atomic_store(&ch->stop, true);
    pthread_join(ch->thread, NULL);
    pthread_mutex_destroy(&ch->mu);
    pthread_mutex_destroy(&ch->tokens_mu);
    free(ch->conninfo);
    free(ch);
}

unsigned long long changes_connects(const struct changes *ch)
{
    return ch ? atomic_load(&ch->connects) : 0;
}
