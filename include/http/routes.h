/* routes.h: the route table (method, path pattern, handler) and its matcher. */
#ifndef KHABAR_ROUTES_H
#define KHABAR_ROUTES_H

#include <stdbool.h>
#include <stddef.h>

#include "infra/roles.h"

struct request;
struct app;

/* A handler answers one request; it returns MHD_YES or MHD_NO (enum MHD_Result). */
typedef int (*route_handler)(struct request *req);
/* A handler for several requests of one route at once (1 to JOBS_BATCH_MAX), which
 * answers each as its route_handler would, rcs[i] for reqs[i]: their statements can then
 * share one round trip to the database. */
typedef void (*route_batch_handler)(struct request *const *reqs, size_t n, int *rcs);

/* Path patterns are literal segments and ":name" segments, one path parameter each. */
#define ROUTE_MAX_PARAMS 2

struct route {
    const char *method;
    const char *path;
    const char *name; /* label for logs and metrics */
    route_handler handler;
    /* a read's handler for its requests queued together for the job threads (NULL: each
     * runs on its own) */
    route_batch_handler batch;
    /* a write: the least role its token must have (ROLE_NONE: a read, open to all); the
     * handler may ask more of some writes (model/roles.h) */
    enum role role;
    const char *action; /* what a 403 names: "deleting" needs the editor role */
    int probe;        /* 1: for monitoring: on the HTTP thread, never waits; not rate-limited
                       * from loopback, TRUSTED_PROXIES or with a valid token (auth.c) */
    int cached;       /* 1: its 200 answers are kept in the answer cache (cache.h) */
    /* a query parameter that makes a request slow (a search): such requests run on the
     * SEARCH_JOBS threads, so that they never take every core */
    const char *slow_with;
    /* the query parameters its handler reads, NULL-terminated (NULL: none); a request
     * with any other is refused with 400 before the handler runs */
    const char *const *query;
    int any_query;    /* 1: a frontend page: its query is its script's to read (a campaign's
                       * utm_ parameters too), never refused */
    /* the media types it can answer in, its default first, NULL-terminated (NULL: JSON
     * alone, whatever Accept says): the Accept header picks one (a 406 when it takes
     * none), the answer varies by Accept, and the cache keeps each type apart */
    const char *const *produces;
};

/* The table, ended by an entry whose method is NULL. */
extern const struct route route_table[];

enum route_match {
    ROUTE_FOUND,
    ROUTE_WRONG_METHOD, /* the path exists with other methods: answer 405 with Allow */
    ROUTE_NOT_FOUND,
};

/*
 * Finds the route for method and path. On ROUTE_FOUND, *found is the route and
 * params[i] point into path_buf (a writable copy of the path, which this cuts into
 * segments). On ROUTE_WRONG_METHOD, allow (allow_size bytes) receives the allowed
 * methods, comma separated (HEAD added where GET is, OPTIONS always).
 */
enum route_match route_find(const char *method, char *path_buf, const struct route **found,
                            const char *params[ROUTE_MAX_PARAMS], char *allow,
                            size_t allow_size);

/* True when name is one of the query parameters route lists. */
bool route_query_allows(const struct route *route, const char *name);

#endif
