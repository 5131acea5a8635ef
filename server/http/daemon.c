/* daemon.c: the libmicrohttpd daemon: start and stop, and the callbacks that take a
 * request from its first header to its completion notice. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "app.h"
#include "http/guard.h"
#include "infra/clock.h"
#include "infra/jobs.h"
#include "infra/log.h"
#include "infra/metrics.h"
#include "internal.h"

/* How far past MAX_BODY_BYTES a chunked body may run before the connection is closed. */
#define BODY_DROP_FACTOR 8

/* The first call for a request: what the headers decide is decided now. */
static enum MHD_Result on_headers(const struct app *app, struct MHD_Connection *connection,
                                  const char *url, const char *method, const char *version,
                                  void **req_cls)
{
    struct request *req = request_new(app, connection, url, method);
    if (req == NULL)
        return MHD_NO;
    *req_cls = req;
    guard_request_started(connection);
    /* a refusal is queued now: libmicrohttpd then reads no body into our memory */
    int rc = MHD_YES;
    dispatch_refused_at_headers(req, version, &rc);
    return (enum MHD_Result)rc;
}

/* Back from a job thread (the connection resumed): queues what it answered. */
static enum MHD_Result on_resumed(struct request *req)
{
    struct request_deferred *d = req->deferred;
    d->active = false;
    if (d->pending == NULL)
        return d->rc == MHD_NO ? MHD_NO : MHD_YES;
    enum MHD_Result rc = MHD_queue_response(req->connection, d->status, d->pending);
    MHD_destroy_response(d->pending);
    d->pending = NULL;
    return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *connection, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **req_cls)
{
    struct request *req = *req_cls;
    if (req == NULL)
        return on_headers(cls, connection, url, method, version, req_cls);
    if (*upload_data_size > 0) {
        if (!req->answer->queued)
            request_take_body(req, upload_data, *upload_data_size);
        req->body->seen += *upload_data_size;
        *upload_data_size = 0;
        /* libmicrohttpd 0.9.75 cannot answer in the middle of a body: past the limit the
         * bytes are dropped as they come and 413 goes out at its end; a client that
         * keeps sending far past the limit is cut off instead. */
        if (req->body->seen / BODY_DROP_FACTOR > req->app->config.max_body_bytes)
            return MHD_NO;
        return MHD_YES;
    }
    if (req->deferred->active)
        return on_resumed(req);
    if (req->answer->queued)
        return MHD_YES;
    return (enum MHD_Result)dispatch(req);
}

static void on_completed(void *cls, struct MHD_Connection *connection, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct request *req = *req_cls;
    (void)cls;
    guard_request_done(connection);
    if (req == NULL)
        return;
    double seconds = clock_seconds_since(&req->client->started);
    unsigned status = req->answer->queued ? req->answer->status : 0;
    if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK && status == 0)
        status = 499; /* the client went away before an answer */
    struct access_entry e = {
        .request_id = req->client->request_id,
        .client = req->client->addr_text,
        .method = req->method,
        .path = req->path,
        .route = req->route ? req->route->name : NULL,
        .status = status,
        .bytes = req->answer->bytes,
        .duration_ms = seconds * 1000.0,
    };
    log_access(&e);
    metrics_observe(req->route ? (long)(req->route - route_table) : -1, status, seconds);
    metrics_in_flight_add(-1);
    request_free(req);
    *req_cls = NULL;
}

/* libmicrohttpd's own messages, as log lines like any other. */
static void on_library_message(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    log_vmessage("warning", fmt, ap);
}

/* Fills addr for LISTEN_ADDR (IPv4 or IPv6); returns its length, or 0 when invalid. */
static socklen_t listen_address(const char *host, unsigned port, struct sockaddr_storage *addr)
{
    memset(addr, 0, sizeof *addr);
    struct sockaddr_in *v4 = (struct sockaddr_in *)addr;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)addr;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        return sizeof *v4;
    }
    if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        return sizeof *v6;
    }
    return 0;
}

/* The guard and the rate limiter of app; false (logged) when they cannot be made. */
static bool protections_new(struct app *app)
{
    const struct config *cfg = &app->config;
    struct guard_limits limits = {
        .per_client_connections = cfg->per_client_connections,
        .max_connections = cfg->max_connections,
        .ipv6_client_prefix = cfg->ipv6_client_prefix,
        .header_timeout_s = cfg->header_timeout_s,
        .request_timeout_s = cfg->request_timeout_s,
        .exempt = cfg->trusted_proxies,
        .nexempt = cfg->trusted_proxy_count,
    };
    app->guard = guard_new(&limits);
    if (cfg->rate_limit > 0)
        app->ratelimit = ratelimit_new(cfg->rate_limit, cfg->rate_burst,
                                       ratelimit_slots_for(cfg->max_connections),
                                       cfg->ipv6_client_prefix);
    if (app->guard == NULL || (cfg->rate_limit > 0 && app->ratelimit == NULL)) {
        log_message("error", "out of memory for the connection guard or rate limiter");
        return false;
    }
    return true;
}

/* Stops the job threads and frees the guard and rate limiter (any of them may be NULL). */
static void helpers_free(struct app *app)
{
    jobs_stop(app->jobs);
    jobs_stop(app->search_jobs);
    app->jobs = app->search_jobs = NULL;
    guard_free(app->guard);
    ratelimit_free(app->ratelimit);
    app->guard = NULL;
    app->ratelimit = NULL;
}

/* The guard, the rate limiter and the job threads; false (logged) on failure. */
static bool helpers_new(struct app *app)
{
    const struct config *cfg = &app->config;
    if (!protections_new(app))
        return false;
    unsigned most = cfg->job_queue_max;
    if ((cfg->db_jobs > 0 && (app->jobs = jobs_start(cfg->db_jobs, most)) == NULL) ||
        (cfg->search_jobs > 0 &&
         (app->search_jobs = jobs_start(cfg->search_jobs, most)) == NULL)) {
        log_message("error", "cannot start %u job threads and %u for searches", cfg->db_jobs,
                    cfg->search_jobs);
        return false;
    }
    return true;
}

struct MHD_Daemon *http_start(struct app *app)
{
    struct sockaddr_storage addr;
    const struct config *cfg = &app->config;
    if (listen_address(cfg->listen_addr, cfg->port, &addr) == 0) {
        log_message("error", "LISTEN_ADDR is not an IPv4 or IPv6 address: %s", cfg->listen_addr);
        return NULL;
    }
    for (size_t i = 0; route_table[i].method != NULL; i++) {
        if (!metrics_name_route(i, route_table[i].name)) {
            log_message("error", "more routes than /metrics counts apart (%d)", METRICS_MAX_ROUTES);
            return NULL;
        }
    }
    if (!helpers_new(app)) {
        helpers_free(app);
        return NULL;
    }
    /* poll, not epoll: with a thread pool, libmicrohttpd's epoll loop and MHD_quiesce_daemon
     * both remove the listening socket from a worker's epoll set, unguarded, and the loser of
     * that race aborts the process at SIGTERM. poll measured the same on hot reads here. */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC |
                     MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
    if (addr.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, (uint16_t)cfg->port, guard_accept, app->guard, on_request, (void *)app,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->connection_timeout_s,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->max_connections,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)cfg->max_header_bytes,
        MHD_OPTION_NOTIFY_CONNECTION, guard_connection, app->guard,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, (void *)app,
        MHD_OPTION_EXTERNAL_LOGGER, on_library_message, NULL, MHD_OPTION_END);
    if (d == NULL) {
        log_message("error", "cannot listen on %s:%u: %s", cfg->listen_addr, cfg->port,
                    strerror(errno));
        helpers_free(app);
    }
    return d;
}

void http_stop(struct MHD_Daemon *daemon, struct app *app)
{
    if (daemon == NULL)
        return;
    /* No new connections; requests in flight (and any a kept-alive connection sends
     * now, answered with Connection: close) finish, for at most SHUTDOWN_TIMEOUT. */
    MHD_socket listener = MHD_quiesce_daemon(daemon);
    /* The listening socket stops listening now (connections waiting in its backlog are
     * refused, so a proxy tries another replica at once); it is closed once no worker
     * thread can be polling it, after MHD_stop_daemon. */
    if (listener != MHD_INVALID_SOCKET)
        shutdown(listener, SHUT_RDWR);
    double deadline = clock_monotonic_s() + app->config.shutdown_timeout_s;
    while (metrics_in_flight() > 0 && clock_monotonic_s() < deadline) {
        struct timespec pause = { 0, 20 * 1000000L };
        nanosleep(&pause, NULL);
    }
    /* Jobs still queued or running finish (each bounded by STATEMENT_TIMEOUT) and resume
     * their connections: none may stay suspended when the daemon stops. The pointers are
     * cleared first, so that a late request runs inline rather than on stopped threads. */
    struct jobs *jobs = app->jobs, *search_jobs = app->search_jobs;
    app->jobs = app->search_jobs = NULL;
    jobs_stop(jobs);
    jobs_stop(search_jobs);
    MHD_stop_daemon(daemon);
    if (listener != MHD_INVALID_SOCKET)
        close(listener);
    helpers_free(app);
}
