/* ratelimit.h: a token bucket per client (IPv6: per network), in a table sized at creation. */
#ifndef KHABAR_RATELIMIT_H
#define KHABAR_RATELIMIT_H

#include <stdbool.h>

#include "infra/netaddr.h"

struct ratelimit;

/* What a client has left, for the RateLimit-* and Retry-After headers. */
struct ratelimit_verdict {
    bool allowed;
    unsigned limit;       /* the burst: requests allowed at once */
    unsigned remaining;   /* whole tokens left after this request */
    unsigned reset_s;     /* seconds until the bucket is full again */
    unsigned retry_after_s; /* when refused: seconds until one token is back */
};

/*
 * rate tokens a second, at most burst saved, for up to slots clients at once, a client
 * being netaddr_client_key of its address with ipv6_prefix (the table never grows: when
 * the slots a client may take are all in use, the client closest to a full bucket is
 * forgotten, which only ever errs towards letting a request through, never refuses one
 * client for another's requests). NULL on no memory.
 */
struct ratelimit *ratelimit_new(double rate, double burst, unsigned slots, unsigned ipv6_prefix);

/*
 * The slots for a server of max_connections: a client being limited is sending, so holds
 * a connection (or stands behind a proxy that does, one request at a time on it), and a
 * bucket left alone is full again within burst / rate seconds, when forgetting it costs
 * nothing: 16 per connection leave room for every connected client and many that left.
 */
unsigned ratelimit_slots_for(unsigned max_connections);
void ratelimit_free(struct ratelimit *rl);

/* Takes a token for the client of addr at time now (seconds, monotonic). Thread-safe. */
struct ratelimit_verdict ratelimit_take(struct ratelimit *rl, const struct netaddr *addr,
                                        double now);

#endif
