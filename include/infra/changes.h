/* changes.h: hears the database announce changed articles (LISTEN) and drops cached answers,
 * and changed tokens, which it has read again. */
#ifndef KHABAR_CHANGES_H
#define KHABAR_CHANGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "infra/cache.h"

/* The channel migrations/0003_change_notices.sql announces on. */
#define CHANGES_CHANNEL "khabar_changes"
/* The channel migrations/0013_tokens.sql announces every change to the tokens on. */
#define TOKENS_CHANNEL "khabar_tokens"
/* The channel each instance sends its marks on (changes_next_mark): no migration makes it,
 * a NOTIFY needs none. */
#define MARKS_CHANNEL "khabar_marks"

struct changes;

/* What the listener does for the tokens: reload reads them again (false when it could
 * not: the listener then starts over on a new connection), run each time the channel is
 * heard anew and after every announcement on TOKENS_CHANNEL; forget drops them whenever
 * the channel is lost, since a revocation could then go unheard. Both get arg. */
struct changes_tokens {
    bool (*reload)(void *arg);
    void (*forget)(void *arg);
    void *arg;
};

/*
 * Starts a thread that listens on its own connection to conninfo and invalidates cache
 * (NULL: none) for every announcement. The cache is off until the channel is heard, and
 * whenever it is lost (a change could then go unheard); each time the channel is heard
 * again the cache starts empty. With track_wal (reads go to a replica) it also keeps the
 * WAL position a replica must have replayed (changes_required_wal). tokens (NULL: none)
 * is copied. NULL when the thread cannot be started.
 */
struct changes *changes_start(const char *conninfo, struct cache *cache, bool track_wal,
                              const struct changes_tokens *tokens);
/* Stops the thread (within a fraction of a second) and frees everything. */
void changes_stop(struct changes *ch);

/*
 * Reads one announcement: "*" or comma-separated article ids (whole numbers from 1).
 * Returns how many ids it stored in ids (at most max), or 0 when the announcement means
 * every article: "*", malformed text, no id, or more than max ids.
 */
size_t changes_parse(const char *payload, int64_t *ids, size_t max);

/* Applies one announcement to cache: the answers of the articles it names, or everything
 * when changes_parse gives no id (malformed text drops everything, the safe side). The
 * listener's own step; public so that the unit tests reach it without PostgreSQL. */
void changes_apply(struct cache *cache, const char *payload);

/* Applies the announcements that have arrived but that the thread has not read yet:
 * called before answering from the cache, so that a change announced a moment ago is not
 * missed for want of a thread switch. At most once a millisecond (the others return at
 * once): each is a read on the socket. Never waits for the network. */
void changes_catch_up(struct changes *ch);

/*
 * With track_wal: a WAL position of the primary at or past the commit of every change
 * announced before the cache's generation last moved on, and of everything committed
 * before the channel was last heard: a replica that has replayed this far shows all of
 * them. Raised before the answers are dropped; 0 without track_wal (or NULL).
 */
uint64_t changes_required_wal(const struct changes *ch);

/* changes_catch_up, then the tokens read again at once if a token announcement is among
 * what arrived: a request with a token is checked against the tokens as they are since
 * the last announcement that reached this instance. Waits on the database only then. */
void changes_tokens_catch_up(struct changes *ch);

/* Announcements applied so far (for /metrics). */
unsigned long long changes_heard(const struct changes *ch);

/*
 * A write's way to know its own announcement was applied: after it committed, the writer
 * sends the payload of changes_next_mark on MARKS_CHANNEL, and changes_wait_mark waits (at
 * most max_ms) until the thread has heard that mark. PostgreSQL delivers announcements in
 * the order their transactions committed, so by then the thread has applied the write's
 * own, and every other instance's connection has been sent it. changes_next_mark returns
 * the mark's number (0 without a channel: NULL ch) and writes its payload into buf;
 * changes_wait_mark is false when the mark was not heard in time.
 */
unsigned long long changes_next_mark(struct changes *ch, char *buf, size_t size);
bool changes_wait_mark(const struct changes *ch, unsigned long long mark, unsigned max_ms);

/* Times the channel was (re)connected, for /metrics. */
unsigned long long changes_connects(const struct changes *ch);

#endif
