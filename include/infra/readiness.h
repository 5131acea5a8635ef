/* readiness.h: the readiness checker: a thread that keeps the answer of GET /readyz fresh. */
#ifndef KHABAR_READINESS_H
#define KHABAR_READINESS_H

/* What the last check found. */
enum readiness_state {
    READINESS_UNKNOWN,            /* no check has finished yet */
    READINESS_READY,              /* the database answers and has every migration */
    READINESS_DB_DOWN,            /* the database does not answer (in time) */
    READINESS_MIGRATIONS_PENDING, /* it answers, but lacks a migration of this binary */
    READINESS_STALE,              /* the last good check is older than READINESS_STALE_S */
};

/* A check that found the database ready counts for this long: a check stuck on a silent
 * network makes /readyz say so within it. */
#define READINESS_STALE_S 5

struct readiness;

/*
 * Starts the thread: every second (and at once when the server closes its connection) it
 * pings the database at conninfo on a connection of its own, each step bounded by about a
 * second, so that neither a busy pool nor a slow database ever holds up a probe. Returns
 * once the first check has finished (or after a few seconds); NULL on failure.
 * readiness_stop stops and frees it.
 */
struct readiness *readiness_start(const char *conninfo);
/* What the last check found, READINESS_STALE when it is too old; never waits. NULL: unknown. */
enum readiness_state readiness_now(const struct readiness *r);
/* Stops the thread (it ends its check first) and frees everything; NULL is fine. */
void readiness_stop(struct readiness *r);

#endif
