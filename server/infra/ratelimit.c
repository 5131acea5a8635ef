/* ratelimit.c: token buckets per client, in sharded tables sized at creation, under short locks. */
#include "infra/ratelimit.h"

#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "infra/hash.h"

#define SHARDS 16
#define PROBE 4
#define SLOTS_PER_CONNECTION 16

struct bucket {
    struct netaddr who;
    double tokens;
    double at;  /* when tokens was last brought up to date */
    bool used;  /* false: an empty slot (any clock reading, 0 included, is a real time) */
};

struct shard {
    pthread_mutex_t mu;
    struct bucket *slots;
};

struct ratelimit {
    double rate, burst;
    unsigned per_shard;
    unsigned ipv6_prefix;
    struct shard shards[SHARDS];
};

unsigned ratelimit_slots_for(unsigned max_connections)
{
    unsigned long long slots = (unsigned long long)max_connections * SLOTS_PER_CONNECTION;
    if (slots < SHARDS * PROBE)
        slots = SHARDS * PROBE;
    return slots > 1u << 24 ? 1u << 24 : (unsigned)slots;
}

struct ratelimit *ratelimit_new(double rate, double burst, unsigned slots, unsigned ipv6_prefix)
{
    struct ratelimit *rl = calloc(1, sizeof *rl);
    if (rl == NULL)
        return NULL;
    rl->rate = rate;
    rl->burst = burst < 1 ? 1 : burst;
    rl->ipv6_prefix = ipv6_prefix;
    rl->per_shard = slots / SHARDS < PROBE ? PROBE : slots / SHARDS;
    for (int i = 0; i < SHARDS; i++) {
        pthread_mutex_init(&rl->shards[i].mu, NULL);
        rl->shards[i].slots = calloc(rl->per_shard, sizeof(struct bucket));
        if (rl->shards[i].slots == NULL) {
            ratelimit_free(rl);
            return NULL;
        }
    }
    return rl;
}

void ratelimit_free(struct ratelimit *rl)
{
    if (rl == NULL)
        return;
    for (int i = 0; i < SHARDS; i++) {
        pthread_mutex_destroy(&rl->shards[i].mu);
        free(rl->shards[i].slots);
    }
    free(rl);
}

/* The bucket's tokens as of now. */
static double refilled(const struct ratelimit *rl, const struct bucket *b, double now)
{
    if (!b->used)
        return rl->burst;
    return fmin(rl->burst, b->tokens + (now - b->at) * rl->rate);
}

/* The client's bucket among PROBE slots, or the slot whose client is closest to full. */
static struct bucket *find(struct ratelimit *rl, struct shard *sh, uint64_t h,
                           const struct netaddr *client, double now)
{
    struct bucket *victim = NULL;
    double most = -1;
    for (unsigned i = 0; i < PROBE; i++) {
        struct bucket *b = &sh->slots[(h + i) % rl->per_shard];
        if (b->used && memcmp(&b->who, client, sizeof *client) == 0)
            return b;
        double t = refilled(rl, b, now);
        if (t > most) {
            most = t;
            victim = b;
        }
    }
    victim->who = *client;
    victim->tokens = rl->burst;
    victim->at = now;
    victim->used = true;
    return victim;
}

struct ratelimit_verdict ratelimit_take(struct ratelimit *rl, const struct netaddr *addr,
                                        double now)
{
    struct ratelimit_verdict v = { .limit = (unsigned)rl->burst };
    struct netaddr key = netaddr_client_key(addr, rl->ipv6_prefix);
    const struct netaddr *client = &key;
    uint64_t h = hash_fnv1a64(HASH_FNV1A64_INIT, client, sizeof *client);
    struct shard *sh = &rl->shards[h % SHARDS];
    pthread_mutex_lock(&sh->mu);
    struct bucket *b = find(rl, sh, h / SHARDS, client, now);
    b->tokens = refilled(rl, b, now);
    b->at = now;
    v.allowed = b->tokens >= 1;
    if (v.allowed)
        b->tokens -= 1;
    double tokens = b->tokens;
    pthread_mutex_unlock(&sh->mu);
    v.remaining = (unsigned)tokens;
    v.reset_s = (unsigned)ceil((rl->burst - tokens) / rl->rate);
    v.retry_after_s = v.allowed ? 0 : (unsigned)ceil((1 - tokens) / rl->rate);
    if (!v.allowed && v.retry_after_s == 0)
        v.retry_after_s = 1;
    return v;
}
