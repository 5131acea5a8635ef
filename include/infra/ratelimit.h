/* ratelimit.h: a token bucket per client address, in a fixed-size table. */
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
 * rate tokens a second, at most burst saved, for up to slots clients at once (the
 * table never grows: when it is full, the client closest to a full bucket is
 * forgotten, which only ever errs towards letting a request through). NULL on no memory.
 */
struct ratelimit *ratelimit_new(double rate, double burst, unsigned slots);
void ratelimit_free(struct ratelimit *rl);

/* Takes a token for client at time now (seconds, monotonic). Thread-safe. */
struct ratelimit_verdict ratelimit_take(struct ratelimit *rl, const struct netaddr *client,
                                        double now);

#endif
