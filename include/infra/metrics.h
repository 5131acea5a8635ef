/* metrics.h: counters and histograms kept for GET /metrics (Prometheus text format). */
#ifndef KHABAR_METRICS_H
#define KHABAR_METRICS_H

#include "db/db.h"
#include "http/routes.h"

/* Counts one finished request; route NULL for requests that matched no route. */
void metrics_observe(const struct route *route, unsigned status, double seconds);
/* Requests being served now: +1 when one starts, -1 when it ends. */
void metrics_in_flight_add(int delta);
long long metrics_in_flight(void);
struct app;
/* The exposition text (caller frees); NULL on no memory. */
char *metrics_render_new(const struct app *app);

#endif
