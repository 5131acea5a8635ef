/* webhooks.h: the threads that deliver webhook events, off the request path: they make
 * each new event's deliveries, send each when due (one instance a delivery, one article's
 * events in order), and retry with backoff until the retry time runs out. */
#ifndef KHABAR_WEBHOOKS_H
#define KHABAR_WEBHOOKS_H

#include <stdbool.h>

struct webhook_settings {
    const char *conninfo;    /* the primary */
    const char *article_url; /* PUBLIC_ARTICLE_URL: the "url" each event names */
    unsigned workers;        /* WEBHOOK_WORKERS: deliveries sent at once by this instance */
    unsigned timeout_ms;     /* WEBHOOK_TIMEOUT: the longest a receiver may take */
    unsigned retry_s;        /* WEBHOOK_RETRY_SECONDS: how long a delivery is retried */
    bool allow_private;      /* WEBHOOK_ALLOW_PRIVATE */
};

struct webhooks;

/* Starts the workers (none when workers is 0: another instance delivers); NULL when they
 * cannot be started. */
struct webhooks *webhooks_start(const struct webhook_settings *s);
/* Stops them (a delivery in flight finishes, within timeout_ms) and frees; NULL is fine. */
void webhooks_stop(struct webhooks *w);

/* Counts for /metrics: attempts by outcome since start, and the queue as last read (every
 * few seconds): deliveries and events waiting, and the age of the oldest in seconds. */
struct webhook_stats {
    unsigned long long delivered, failed, gave_up;
    long long queue_depth, oldest_s;
};
void webhooks_stats(const struct webhooks *w, struct webhook_stats *out);

#endif
