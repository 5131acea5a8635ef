/* app.h: what every handler may use: the settings, the database pool, the metrics. */
#ifndef KHABAR_APP_H
#define KHABAR_APP_H

#include <stdatomic.h>

#include "infra/cache.h"
#include "infra/changes.h"
#include "infra/config.h"
#include "infra/tokens.h"
#include "db/db.h"
#include "db/schedule.h"
#include "infra/webhooks.h"

struct app {
    struct config config;
    db_pool *db;      /* the primary: writes, and reads when there is no replica */
    db_pool *db_read; /* DATABASE_READ_URL's replica for reads; NULL when not set */
    struct cache *cache;     /* the answer cache; NULL when CACHE_BYTES=0 */
    struct schedule *schedule; /* makes scheduled articles public at their time */
    struct webhooks *webhooks; /* delivers webhook events */
    struct changes *changes; /* hears other instances' writes for the cache, and token changes */
    struct token_store *tokens; /* the valid bearer tokens: API_TOKENS and the database's */
    db_pool *tokens_db;      /* where the listener reads the database's tokens from */
    struct jobs *jobs;       /* threads that run requests needing the database; NULL: inline */
    struct jobs *search_jobs; /* threads that run searches; NULL: jobs runs them too */
    atomic_int shutting_down; /* set once SIGTERM arrives: /readyz answers 503 */
    struct readiness *readiness;  /* keeps /readyz's answer fresh, off the HTTP threads */
    struct guard *guard;          /* connection limits and request deadlines */
    struct ratelimit *ratelimit;  /* NULL when RATE_LIMIT=0 */
};

#endif
