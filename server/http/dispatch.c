/* dispatch.c: from a request whose body is in to its handler: the route, the checks every
 * route shares, the answer cache, the job threads, and what a write drops from the cache. */
#include <string.h>

#include "app.h"
#include "infra/cache.h"
#include "infra/changes.h"
#include "infra/jobs.h"
#include "internal.h"

/* The job threads for req: the search ones for a search, when there are any. */
static struct jobs *jobs_for(const struct request *req)
{
    const char *slow = req->route->slow_with;
    const char *value = slow ? request_query(req, slow) : NULL;
    return value != NULL && *value != '\0' && req->app->search_jobs != NULL ? req->app->search_jobs
                                                                            : req->app->jobs;
}

/* Runs the route's handler (and drops what a write changed from the cache). */
static int run_route(struct request *req)
{
    unsigned long long heard = changes_heard(req->app->changes);
    int rc = req->route->handler(req);
    /* This instance's own write is dropped from its cache before the answer goes out:
     * a client reads its write back at once. Other instances hear of it (changes.c);
     * the answer waits (briefly) for the announcement to come back, by when the others'
     * connections have been sent it as well. */
    if (req->route->write && req->answer->queued && req->answer->status < 300 &&
        req->app->cache != NULL) {
        cache_invalidate_all(req->app->cache);
        changes_wait_after(req->app->changes, heard, 50);
    }
    return rc;
}

/* A deferred request, on a job thread: its answer is left in req->deferred. */
static void run_deferred(void *arg)
{
    struct request *req = arg;
    req->deferred->rc = run_route(req);
    MHD_resume_connection(req->connection);
}

/* The checks every route shares, in order; true with *rc set when one answered. */
static bool refused(struct request *req, int *rc)
{
    if (!request_rate_allows(req))
        *rc = reply_rate_limited(req);
    else if (req->body->too_large)
        *rc = reply_too_large(req);
    else if (!request_body_matches_length(req))
        *rc = reply_framing(req, FRAMING_SHORT_BODY);
    else if (req->route->write && !request_is_authorized(req))
        *rc = reply_unauthorized(req);
    else
        return request_query_refused(req, rc);
    return true;
}

int dispatch(struct request *req)
{
    char allow[128];
    int rc = MHD_NO;
    req->route_buf = strdup(req->path);
    if (req->route_buf == NULL)
        return MHD_NO;
    enum route_match m = route_find(req->method, req->route_buf, &req->route, req->params, allow,
                                    sizeof allow);
    if (m == ROUTE_NOT_FOUND)
        return reply_not_found_path(req);
    if (strcmp(req->method, MHD_HTTP_METHOD_OPTIONS) == 0)
        return reply_preflight(req, allow);
    if (m == ROUTE_WRONG_METHOD)
        return reply_method_not_allowed(req, allow);
    if (refused(req, &rc) || answer_cache_serve(req, &rc))
        return rc;
    /* What may wait on the database runs on a job thread, the connection suspended
     * meanwhile: a slow search never holds up the answers this HTTP thread could give
     * (from the cache, or the probes). */
    if (req->app->jobs != NULL && !req->route->probe) {
        req->deferred->active = true;
        MHD_suspend_connection(req->connection);
        if (jobs_submit(jobs_for(req), run_deferred, req))
            return MHD_YES;
        MHD_resume_connection(req->connection);
        req->deferred->active = false;
    }
    return run_route(req);
}
