/* guard.h: per-connection bookkeeping libmicrohttpd does not do: connections per
 * client address, and deadlines on a whole request (a client that trickles its headers
 * or body a byte at a time never looks idle, so the idle timeout alone never fires). */
#ifndef KHABAR_HTTP_GUARD_H
#define KHABAR_HTTP_GUARD_H

#include <microhttpd.h>
#include <stdbool.h>

#include "infra/netaddr.h"

struct guard;

/* A client is netaddr_client_key of the direct peer's address: the guard runs before any
 * header is read, so behind a proxy it sees the proxy, which TRUSTED_PROXIES exempts. */
struct guard_limits {
    unsigned per_client_connections; /* 0: no limit */
    unsigned max_connections;        /* the most clients the count table must hold */
    unsigned ipv6_client_prefix;     /* IPv6 peers are counted per network of this prefix */
    unsigned header_timeout_s;       /* from connection (or last answer) to complete headers */
    unsigned request_timeout_s;      /* from complete headers to the answer sent */
    const struct cidr *exempt;       /* trusted proxies: many clients behind one address */
    size_t nexempt;
};

/* Starts the watchdog thread; NULL on failure. guard_free stops it. */
struct guard *guard_new(const struct guard_limits *limits);
void guard_free(struct guard *g);

/* libmicrohttpd's accept policy: refuses a client already at its connection limit (and a
 * new client when the count table is full, which only MAX_CONNECTIONS clients fill). */
enum MHD_Result guard_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen);
/* libmicrohttpd's connection notice: opens and closes the connection's record. */
void guard_connection(void *cls, struct MHD_Connection *connection, void **socket_context,
                      enum MHD_ConnectionNotificationCode code);
/* Headers are complete: the request deadline starts. */
void guard_request_started(struct MHD_Connection *connection);
/* The answer is sent: the connection waits for the next request's headers. */
void guard_request_done(struct MHD_Connection *connection);

#endif
