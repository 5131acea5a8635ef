/* metrics.h: counters and histograms kept for GET /metrics (Prometheus text format). */
#ifndef KHABAR_METRICS_H
#define KHABAR_METRICS_H

#include <stdbool.h>
#include <stddef.h>

#include "db/db.h"

/* How many routes are counted apart. */
#define METRICS_MAX_ROUTES 64
/* Labels route number index (below METRICS_MAX_ROUTES) with name, kept (not copied) for
 * the exposition text; called for each route before serving. False past the bound. */
bool metrics_name_route(size_t index, const char *name);
/* Counts one finished request of route number index; -1 for requests that matched no
 * route (and any index that was never named). */
void metrics_observe(long index, unsigned status, double seconds);
/* Requests being served now: +1 when one starts, -1 when it ends. */
void metrics_in_flight_add(int delta);
long long metrics_in_flight(void);
/* Why a queued request was not run (metrics_job_skipped). */
enum metrics_skip {
    SKIP_CLIENT_GONE,      /* its client closed the connection while it waited */
    SKIP_WAITED_TOO_LONG,  /* it waited past JOB_QUEUE_TIMEOUT: answered 503 */
    SKIP_REASONS,
};
/* Counts one queued request that was not run. */
void metrics_job_skipped(enum metrics_skip why);
struct app;
/* The exposition text (caller frees); NULL on no memory. */
char *metrics_render_new(const struct app *app);

#endif
