/* guard.c: connections per client (the direct peer) and a watchdog that cuts off slow requests. */
#include "http/guard.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "infra/clock.h"
#include "infra/conncount.h"
#include "infra/log.h"

#define WATCH_INTERVAL_MS 250

struct record {
    struct record *prev, *next;
    struct guard *g;
    MHD_socket fd;
    struct netaddr addr;
    bool counted;        /* it holds one of its client's connection slots */
    bool in_request;     /* headers complete, answer not yet sent */
    double since;        /* when the current phase began (monotonic seconds) */
};

struct guard {
    struct guard_limits limits;
    pthread_mutex_t mu;
    pthread_cond_t wake;
    pthread_t watchdog;
    bool stopping;
    struct record *records;
    struct conncount *counts; /* open connections per client, trusted proxies not counted */
};

static bool exempt(const struct guard *g, const struct netaddr *a)
{
    for (size_t i = 0; i < g->limits.nexempt; i++)
        if (cidr_contains(&g->limits.exempt[i], a))
            return true;
    return false;
}

/* Cuts off connections past their deadline; shutdown() makes libmicrohttpd close them. */
static void *watch(void *arg)
{
    struct guard *g = arg;
    pthread_mutex_lock(&g->mu);
    while (!g->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += WATCH_INTERVAL_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&g->wake, &g->mu, &until);
        double now = clock_monotonic_s();
        for (struct record *r = g->records; r != NULL; r = r->next) {
            unsigned limit = r->in_request ? g->limits.request_timeout_s : g->limits.header_timeout_s;
            if (limit > 0 && now - r->since > limit && r->fd != MHD_INVALID_SOCKET) {
                shutdown(r->fd, SHUT_RDWR);
                r->fd = MHD_INVALID_SOCKET; /* once is enough */
            }
        }
    }
    pthread_mutex_unlock(&g->mu);
    return NULL;
}

struct guard *guard_new(const struct guard_limits *limits)
{
    struct guard *g = calloc(1, sizeof *g);
    if (g == NULL)
        return NULL;
    g->limits = *limits;
    /* A client counted holds an open connection: no more clients than MAX_CONNECTIONS. */
    g->counts = conncount_new(limits->max_connections, limits->ipv6_client_prefix);
    pthread_mutex_init(&g->mu, NULL);
    pthread_cond_init(&g->wake, NULL);
    if (g->counts == NULL || pthread_create(&g->watchdog, NULL, watch, g) != 0) {
        conncount_free(g->counts);
        free(g);
        return NULL;
    }
    return g;
}

void guard_free(struct guard *g)
{
    if (g == NULL)
        return;
    pthread_mutex_lock(&g->mu);
    g->stopping = true;
    pthread_cond_signal(&g->wake);
    pthread_mutex_unlock(&g->mu);
    pthread_join(g->watchdog, NULL);
    pthread_mutex_destroy(&g->mu);
    pthread_cond_destroy(&g->wake);
    conncount_free(g->counts);
    free(g);
}

enum MHD_Result guard_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
    struct guard *g = cls;
    struct netaddr a;
    (void)addrlen;
    if (g->limits.per_client_connections == 0 || !netaddr_from_sockaddr(addr, &a) || exempt(g, &a))
        return MHD_YES;
    pthread_mutex_lock(&g->mu);
    /* A table with no room for a new client is refused rather than served uncounted; it
     * holds MAX_CONNECTIONS clients, so that happens only when libmicrohttpd would refuse. */
    bool ok = conncount_admits(g->counts, &a, g->limits.per_client_connections);
    pthread_mutex_unlock(&g->mu);
    return ok ? MHD_YES : MHD_NO;
}

static void record_open(struct guard *g, struct MHD_Connection *connection, void **socket_context)
{
    const union MHD_ConnectionInfo *fd = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    const union MHD_ConnectionInfo *peer = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    struct record *r = calloc(1, sizeof *r);
    if (r == NULL)
        return; /* unguarded, but served */
    r->g = g;
    r->fd = fd ? fd->connect_fd : MHD_INVALID_SOCKET;
    r->since = clock_monotonic_s();
    bool known = peer != NULL && netaddr_from_sockaddr(peer->client_addr, &r->addr);
    pthread_mutex_lock(&g->mu);
    if (known && !exempt(g, &r->addr))
        r->counted = conncount_add(g->counts, &r->addr);
    r->next = g->records;
    if (g->records != NULL)
        g->records->prev = r;
    g->records = r;
    pthread_mutex_unlock(&g->mu);
    *socket_context = r;
}

static void record_close(struct record *r)
{
    struct guard *g = r->g;
    pthread_mutex_lock(&g->mu);
    if (r->counted)
        conncount_remove(g->counts, &r->addr);
    if (r->prev != NULL)
        r->prev->next = r->next;
    else
        g->records = r->next;
    if (r->next != NULL)
        r->next->prev = r->prev;
    pthread_mutex_unlock(&g->mu);
    free(r);
}

void guard_connection(void *cls, struct MHD_Connection *connection, void **socket_context,
                      enum MHD_ConnectionNotificationCode code)
{
    if (code == MHD_CONNECTION_NOTIFY_STARTED)
        record_open(cls, connection, socket_context);
    else if (code == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context != NULL) {
        record_close(*socket_context);
        *socket_context = NULL;
    }
}

/* Moves the connection's record to a new phase. */
static void set_phase(struct MHD_Connection *connection, bool in_request)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    struct record *r = info ? info->socket_context : NULL;
    if (r == NULL)
        return;
    pthread_mutex_lock(&r->g->mu);
    r->in_request = in_request;
    r->since = clock_monotonic_s();
    pthread_mutex_unlock(&r->g->mu);
}

void guard_request_started(struct MHD_Connection *connection)
{
    set_phase(connection, true);
}

void guard_request_done(struct MHD_Connection *connection)
{
    set_phase(connection, false);
}
