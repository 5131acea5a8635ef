/* dispatch.c: from a request's headers to its handler: the route and the checks every
 * request passes (those the headers decide before the body is read), the answer cache,
 * the job threads, and what a write drops from the cache. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "app.h"
#include "db/db.h"
#include "infra/cache.h"
#include "infra/changes.h"
#include "infra/clock.h"
#include "infra/jobs.h"
#include "infra/metrics.h"
#include "http/negotiate.h"
#include "internal.h"

/* The job threads for req: the search ones for a search, when there are any. */
static struct jobs *jobs_for(const struct request *req)
{
    const char *slow = req->route->slow_with;
    const char *value = slow ? request_query(req, slow) : NULL;
    return value != NULL && *value != '\0' && req->app->search_jobs != NULL ? req->app->search_jobs
                                                                            : req->app->jobs;
}

/*
 * After this instance's write: true once the change thread has applied the write's own
 * announcement (which drops exactly the answers it changed), heard by the mark sent after
 * it (infra/changes.h), within max_ms. By then the other instances' connections have been
 * sent the announcement as well.
 */
static bool own_write_heard(const struct app *app, unsigned max_ms)
{
    char payload[64];
    unsigned long long mark = changes_next_mark(app->changes, payload, sizeof payload);
    db_conn *c = mark != 0 ? db_acquire(app->db) : NULL;
    if (c == NULL)
        return false;
    db_status st = db_send_mark(c, payload);
    db_release(c);
    return st == DB_OK && changes_wait_mark(app->changes, mark, max_ms);
}

/* Runs the route's handler; after a write, its answer waits until the cache no longer
 * holds what it changed, so that a client reads its write back at once. */
static int run_route(struct request *req)
{
    int rc = req->route->handler(req);
    if (req->route->role != ROLE_NONE && req->answer->queued && req->answer->status < 300 &&
        req->app->cache != NULL && !own_write_heard(req->app, 50))
        cache_invalidate_all(req->app->cache); /* not heard in time: everything goes */
    return rc;
}

/* True when the client of a suspended connection has gone: libmicrohttpd does not poll a
 * suspended connection, so its socket is asked here. Bytes waiting (a pipelined request)
 * mean the client is there; end of stream with nothing before it, or an error, mean it
 * closed or reset (libmicrohttpd would close the connection on reading it too). */
static bool client_gone(const struct request *req)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(req->connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    char byte;
    if (info == NULL || info->connect_fd == MHD_INVALID_SOCKET)
        return false;
    ssize_t n = recv(info->connect_fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

/* Whether a deferred request, now on a job thread, is still worth its handler: work
 * nobody waits for any more is not done. A client that went away gets no answer (logged as
 * 499), and a request that waited past JOB_QUEUE_TIMEOUT is answered 503 without its
 * handler; either way its rc is set and the answer is false. */
static bool deferred_wanted(struct request *req)
{
    double waited_ms = (clock_monotonic_s() - req->deferred->queued_at) * 1000.0;
    if (client_gone(req)) {
        metrics_job_skipped(SKIP_CLIENT_GONE);
        req->deferred->rc = MHD_NO;
    } else if (waited_ms > req->app->config.job_queue_timeout_ms) {
        metrics_job_skipped(SKIP_WAITED_TOO_LONG);
        req->deferred->rc = reply_overloaded(req, OVERLOAD_WAITED_TOO_LONG);
    } else {
        return true;
    }
    return false;
}

/* A deferred request, on a job thread: its answer is left in req->deferred. */
static void run_deferred(void *arg)
{
    struct request *req = arg;
    if (deferred_wanted(req))
        req->deferred->rc = run_route(req);
    MHD_resume_connection(req->connection);
}

/* The wanted requests of wanted[0]'s route among wanted (n), answered by its batch
 * handler and taken out of wanted; how many are left there. */
static size_t run_route_batch(struct request **wanted, size_t n)
{
    const struct route *route = wanted[0]->route;
    struct request *same[JOBS_BATCH_MAX];
    int rcs[JOBS_BATCH_MAX];
    size_t m = 0, left = 0;
    for (size_t i = 0; i < n; i++) {
        if (wanted[i]->route == route)
            same[m++] = wanted[i];
        else
            wanted[left++] = wanted[i];
    }
    route->batch(same, m, rcs);
    for (size_t i = 0; i < m; i++)
        same[i]->deferred->rc = rcs[i];
    return left;
}

/* Deferred requests of routes with a batch handler, taken together by a job thread: those
 * of one route answered in one call, and every connection resumed once answered. */
static void run_deferred_batch(void **args, size_t n)
{
    struct request *wanted[JOBS_BATCH_MAX];
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (deferred_wanted(args[i]))
            wanted[m++] = args[i];
    while (m > 0)
        m = run_route_batch(wanted, m);
    for (size_t i = 0; i < n; i++)
        MHD_resume_connection(((struct request *)args[i])->connection);
}

/* Queues a deferred request for the job threads: with its kin when its route answers
 * several at once. */
static bool submit_deferred(struct request *req)
{
    struct jobs *j = jobs_for(req);
    return req->route->batch != NULL ? jobs_submit_batch(j, run_deferred_batch, req)
                                     : jobs_submit(j, run_deferred, req);
}

/*==== The checks every request passes, in order ====*/

/* When a check can tell: from the headers (answered before the body is read, so that a
 * refused body is never kept), or once the body is in. */
enum check_phase { AT_HEADERS, AT_BODY };

/* Each check answers and returns true when the request is refused. */
struct check {
    enum check_phase phase;
    bool (*refuses)(struct request *req, int *rc);
};

/* The route: 404, the answer to OPTIONS, or 405 with Allow. */
static bool route_refuses(struct request *req, int *rc)
{
    char allow[128];
    req->route_buf = strdup(req->path);
    if (req->route_buf == NULL) {
        *rc = MHD_NO;
        return true;
    }
    enum route_match m = route_find(req->method, req->route_buf, &req->route, req->params, allow,
                                    sizeof allow);
    if (m == ROUTE_NOT_FOUND)
        *rc = reply_not_found_path(req);
    else if (strcmp(req->method, MHD_HTTP_METHOD_OPTIONS) == 0)
        *rc = reply_preflight(req, allow);
    else if (m == ROUTE_WRONG_METHOD)
        *rc = reply_method_not_allowed(req, allow);
    else
        return false;
    return true;
}

/* 406 when the route produces no type the Accept header takes. */
static bool accept_refuses(struct request *req, int *rc)
{
    const char *const *types = req->route->produces;
    if (types == NULL)
        return false;
    req->media_type = negotiate_media_type(request_header(req, MHD_HTTP_HEADER_ACCEPT), types);
    if (req->media_type != NULL)
        return false;
    *rc = reply_not_acceptable(req, types);
    return true;
}

/* Counted once per request, here. */
static bool rate_refuses(struct request *req, int *rc)
{
    if (request_rate_allows(req))
        return false;
    *rc = reply_rate_limited(req);
    return true;
}

static bool declared_length_refuses(struct request *req, int *rc)
{
    if (req->body->declared <= req->app->config.max_body_bytes)
        return false;
    req->body->too_large = true;
    *rc = reply_too_large(req);
    return true;
}

/* 401 without a valid token, 403 with one below the route's role. */
static bool token_refuses(struct request *req, int *rc)
{
    const struct route *r = req->route;
    return r->role != ROLE_NONE && !request_may(req, r->role, r->action, rc);
}

/* The declared length is reserved before a byte of it is read (a chunked body reserves
 * as it comes, request_take_body). */
static bool body_memory_refuses(struct request *req, int *rc)
{
    size_t n = req->body->declared;
    if (n == 0 || request_body_reserve(req, n + 1))
        return false;
    *rc = reply_bodies_busy(req);
    return true;
}

/* A body that grew past MAX_BODY_BYTES or MAX_BODY_MEMORY was dropped as it came. */
static bool body_dropped_refuses(struct request *req, int *rc)
{
    if (req->body->too_large)
        *rc = reply_too_large(req);
    else if (req->body->over_memory)
        *rc = reply_bodies_busy(req);
    else
        return false;
    return true;
}

static bool body_length_refuses(struct request *req, int *rc)
{
    if (request_body_matches_length(req))
        return false;
    *rc = reply_framing(req, FRAMING_SHORT_BODY);
    return true;
}

static const struct check checks[] = {
    { AT_HEADERS, route_refuses },
    { AT_HEADERS, rate_refuses },
    { AT_HEADERS, accept_refuses },
    { AT_HEADERS, declared_length_refuses },
    { AT_HEADERS, token_refuses },
    { AT_HEADERS, request_query_refused },
    { AT_HEADERS, body_memory_refuses },
    { AT_BODY, body_dropped_refuses },
    { AT_BODY, body_length_refuses },
};

/* The checks of one phase, in the table's order; true with *rc set when one answered. */
static bool refused(struct request *req, enum check_phase phase, int *rc)
{
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++)
        if (checks[i].phase == phase && checks[i].refuses(req, rc))
            return true;
    return false;
}

bool dispatch_refused_at_headers(struct request *req, const char *version, int *rc)
{
    /* nothing about a request whose framing cannot be trusted is looked at */
    enum framing_fault fault = request_framing_fault(req, version);
    if (fault != FRAMING_OK) {
        *rc = reply_framing(req, fault);
        return true;
    }
    req->body->declared = request_declared_length(req);
    req->answer->body_unread = req->body->declared > 0 || request_is_chunked(req);
    return refused(req, AT_HEADERS, rc);
}

int dispatch(struct request *req)
{
    int rc = MHD_NO;
    req->answer->body_unread = false;
    if (refused(req, AT_BODY, &rc) || answer_cache_serve(req, &rc))
        return rc;
    /* What may wait on the database runs on a job thread, the connection suspended
     * meanwhile: a slow search never holds up the answers this HTTP thread could give
     * (from the cache, or the probes). */
    if (req->app->jobs != NULL && !req->route->probe) {
        req->deferred->active = true;
        req->deferred->queued_at = clock_monotonic_s();
        MHD_suspend_connection(req->connection);
        if (submit_deferred(req))
            return MHD_YES;
        /* Never run here instead: an HTTP thread must not wait on the database. */
        MHD_resume_connection(req->connection);
        req->deferred->active = false;
        return reply_overloaded(req, OVERLOAD_QUEUE_FULL);
    }
    return run_route(req);
}
