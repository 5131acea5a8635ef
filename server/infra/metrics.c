/* metrics.c: request counts and latency per route, kept with atomics, rendered as Prometheus text. */
#include "app.h"
#include "infra/jobs.h"
#include "infra/metrics.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ROUTES METRICS_MAX_ROUTES
/* The statuses khabar answers with; anything else is counted under "other". */
static const unsigned known_statuses[] = { 200, 201, 204, 304, 400, 401, 403, 404, 405, 406,
                                           409, 410, 412, 413, 414, 415, 422, 429, 431, 499,
                                           500, 503 };
#define N_STATUSES (sizeof known_statuses / sizeof known_statuses[0] + 1)
static const double bucket_bounds[] = { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                        0.05,   0.1,   0.25,   0.5,   1,    2.5 };
#define N_BUCKETS (sizeof bucket_bounds / sizeof bucket_bounds[0])

struct route_metrics {
    atomic_ullong requests[N_STATUSES];
    atomic_ullong buckets[N_BUCKETS]; /* not cumulative; summed when rendered */
    atomic_ullong count;
    atomic_ullong sum_us;
};

/* Index MAX_ROUTES holds requests that matched no route. */
static struct route_metrics per_route[MAX_ROUTES + 1];
static atomic_llong in_flight;
static atomic_ullong skipped[SKIP_REASONS];
/* route_names[i] labels route i; the first NULL ends the named routes. */
static const char *route_names[MAX_ROUTES];

bool metrics_name_route(size_t index, const char *name)
{
    if (index >= MAX_ROUTES)
        return false;
    route_names[index] = name;
    return true;
}

static size_t route_index(long index)
{
    return index >= 0 && index < MAX_ROUTES && route_names[index] != NULL ? (size_t)index
                                                                          : MAX_ROUTES;
}

static size_t status_index(unsigned status)
{
    for (size_t i = 0; i < N_STATUSES - 1; i++)
        if (known_statuses[i] == status)
            return i;
    return N_STATUSES - 1;
}

void metrics_observe(long index, unsigned status, double seconds)
{
    struct route_metrics *m = &per_route[route_index(index)];
    atomic_fetch_add_explicit(&m->requests[status_index(status)], 1, memory_order_relaxed);
    size_t b = 0;
    while (b < N_BUCKETS && seconds > bucket_bounds[b])
        b++;
    if (b < N_BUCKETS)
        atomic_fetch_add_explicit(&m->buckets[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->sum_us, (unsigned long long)(seconds * 1e6),
                              memory_order_relaxed);
}

void metrics_job_skipped(enum metrics_skip why)
{
    if (why < SKIP_REASONS)
        atomic_fetch_add_explicit(&skipped[why], 1, memory_order_relaxed);
}

void metrics_in_flight_add(int delta)
{
    atomic_fetch_add_explicit(&in_flight, delta, memory_order_relaxed);
}

long long metrics_in_flight(void)
{
    return atomic_load(&in_flight);
}

static const char *route_label(size_t i)
{
    return i == MAX_ROUTES ? "unmatched" : route_names[i];
}

static size_t route_count(void)
{
    size_t n = 0;
    while (n < MAX_ROUTES && route_names[n] != NULL)
        n++;
    return n;
}

static void render_requests(FILE *f, size_t nroutes)
{
    fputs("# HELP khabar_http_requests_total HTTP requests answered, by route and status.\n"
          "# TYPE khabar_http_requests_total counter\n", f);
    for (size_t r = 0; r <= MAX_ROUTES; r++) {
        if (r >= nroutes && r != MAX_ROUTES)
            continue;
        for (size_t s = 0; s < N_STATUSES; s++) {
            unsigned long long n = atomic_load(&per_route[r].requests[s]);
            if (n == 0)
                continue;
            if (s < N_STATUSES - 1)
                fprintf(f, "khabar_http_requests_total{route=\"%s\",status=\"%u\"} %llu\n",
                        route_label(r), known_statuses[s], n);
            else
                fprintf(f, "khabar_http_requests_total{route=\"%s\",status=\"other\"} %llu\n",
                        route_label(r), n);
        }
    }
}

static void render_latency(FILE *f, size_t nroutes)
{
    fputs("# HELP khabar_http_request_duration_seconds Time to answer a request, by route.\n"
          "# TYPE khabar_http_request_duration_seconds histogram\n", f);
    for (size_t r = 0; r <= MAX_ROUTES; r++) {
        if (r >= nroutes && r != MAX_ROUTES)
            continue;
        unsigned long long count = atomic_load(&per_route[r].count), cumulative = 0;
        if (count == 0)
            continue;
        for (size_t b = 0; b < N_BUCKETS; b++) {
            cumulative += atomic_load(&per_route[r].buckets[b]);
            fprintf(f, "khabar_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
                    route_label(r), bucket_bounds[b], cumulative);
        }
        fprintf(f, "khabar_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n",
                route_label(r), count);
        fprintf(f, "khabar_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n", route_label(r),
                (double)atomic_load(&per_route[r].sum_us) / 1e6);
        fprintf(f, "khabar_http_request_duration_seconds_count{route=\"%s\"} %llu\n",
                route_label(r), count);
    }
}

/* One family of the pools' figures: a sample per pool (the replica's only when there is one). */
static void render_pool_family(FILE *f, const char *name, const char *type, const char *help,
                               const struct db_pool_stats st[2], size_t npools,
                               unsigned long long (*value)(const struct db_pool_stats *))
{
    static const char *const pool_names[2] = { "primary", "replica" };
    fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
    for (size_t i = 0; i < npools; i++)
        fprintf(f, "%s{pool=\"%s\"} %llu\n", name, pool_names[i], value(&st[i]));
}

static unsigned long long in_use_of(const struct db_pool_stats *s) { return s->in_use; }
static unsigned long long idle_of(const struct db_pool_stats *s) { return s->size - s->in_use; }
static unsigned long long connects_of(const struct db_pool_stats *s) { return s->connects; }
static unsigned long long failures_of(const struct db_pool_stats *s) { return s->connect_failures; }

/* The job queues: how many wait, how many were refused, how many were not run. */
static void render_jobs(FILE *f, const struct app *app)
{
    struct jobs_stats db, search;
    jobs_stats(app->jobs, &db);
    jobs_stats(app->search_jobs, &search);
    fprintf(f,
            "# HELP khabar_jobs_waiting Requests waiting for a job thread, by queue.\n"
            "# TYPE khabar_jobs_waiting gauge\n"
            "khabar_jobs_waiting{queue=\"db\"} %u\n"
            "khabar_jobs_waiting{queue=\"search\"} %u\n"
            "# HELP khabar_jobs_refused_total Requests answered 503 because their queue was full "
            "(JOB_QUEUE_MAX).\n"
            "# TYPE khabar_jobs_refused_total counter\n"
            "khabar_jobs_refused_total{queue=\"db\"} %llu\n"
            "khabar_jobs_refused_total{queue=\"search\"} %llu\n"
            "# HELP khabar_jobs_skipped_total Queued requests not run: their client had gone, or "
            "they waited past JOB_QUEUE_TIMEOUT.\n"
            "# TYPE khabar_jobs_skipped_total counter\n"
            "khabar_jobs_skipped_total{reason=\"client_gone\"} %llu\n"
            "khabar_jobs_skipped_total{reason=\"waited_too_long\"} %llu\n"
            "# HELP khabar_jobs_batches_total Runs of several queued requests together, their "
            "statements in one round trip.\n"
            "# TYPE khabar_jobs_batches_total counter\n"
            "khabar_jobs_batches_total{queue=\"db\"} %llu\n"
            "# HELP khabar_jobs_batched_requests_total The requests those runs answered.\n"
            "# TYPE khabar_jobs_batched_requests_total counter\n"
            "khabar_jobs_batched_requests_total{queue=\"db\"} %llu\n",
            db.waiting, search.waiting, db.refused, search.refused,
            atomic_load(&skipped[SKIP_CLIENT_GONE]), atomic_load(&skipped[SKIP_WAITED_TOO_LONG]),
            db.batches, db.batched);
}

/* The answer cache's figures (none when CACHE_BYTES=0). */
static void render_cache(FILE *f, const struct app *app)
{
    struct cache_stats cs;
    if (app->cache == NULL)
        return;
    cache_stats(app->cache, &cs);
    fprintf(f,
            "# HELP khabar_cache_hits_total GETs answered from the answer cache.\n"
            "# TYPE khabar_cache_hits_total counter\n"
            "khabar_cache_hits_total %llu\n"
            "# HELP khabar_cache_misses_total Cacheable GETs the cache could not answer.\n"
            "# TYPE khabar_cache_misses_total counter\n"
            "khabar_cache_misses_total %llu\n"
            "# HELP khabar_cache_evictions_total Answers dropped to stay under CACHE_BYTES.\n"
            "# TYPE khabar_cache_evictions_total counter\n"
            "khabar_cache_evictions_total %llu\n"
            "# HELP khabar_cache_invalidations_total Changes that dropped answers (writes here or announced).\n"
            "# TYPE khabar_cache_invalidations_total counter\n"
            "khabar_cache_invalidations_total %llu\n"
            "# HELP khabar_cache_bytes Bytes the cached answers take.\n"
            "# TYPE khabar_cache_bytes gauge\n"
            "khabar_cache_bytes %zu\n"
            "# HELP khabar_cache_max_bytes The bound on khabar_cache_bytes (CACHE_BYTES).\n"
            "# TYPE khabar_cache_max_bytes gauge\n"
            "khabar_cache_max_bytes %zu\n"
            "# HELP khabar_cache_entries Answers in the cache.\n"
            "# TYPE khabar_cache_entries gauge\n"
            "khabar_cache_entries %zu\n"
            "# HELP khabar_cache_enabled 1 while changes are heard and the cache serves, 0 otherwise.\n"
            "# TYPE khabar_cache_enabled gauge\n"
            "khabar_cache_enabled %d\n"
            "# HELP khabar_changes_connects_total Times the change channel (LISTEN) was connected.\n"
            "# TYPE khabar_changes_connects_total counter\n"
            "khabar_changes_connects_total %llu\n"
            "# HELP khabar_changes_heard_total Change announcements heard and applied to the cache.\n"
            "# TYPE khabar_changes_heard_total counter\n"
            "khabar_changes_heard_total %llu\n"
            "# HELP khabar_token_loads_total Times the valid tokens were read from the database.\n"
            "# TYPE khabar_token_loads_total counter\n"
            "khabar_token_loads_total %llu\n"
            "# HELP khabar_tokens_known 1 while the database's tokens are known (the change channel is heard), 0 otherwise.\n"
            "# TYPE khabar_tokens_known gauge\n"
            "khabar_tokens_known %d\n",
            cs.hits, cs.misses, cs.evictions, cs.invalidations, cs.bytes, cs.max_bytes, cs.entries,
            cs.enabled ? 1 : 0, changes_connects(app->changes), changes_heard(app->changes),
            token_store_loads(app->tokens), token_store_knows_database(app->tokens) ? 1 : 0);
}

/* The webhook workers' figures: attempts by outcome, and what waits. */
static void render_webhooks(FILE *f, const struct app *app)
{
    struct webhook_stats ws;
    webhooks_stats(app->webhooks, &ws);
    fprintf(f,
            "# HELP khabar_webhook_deliveries_total Webhook delivery attempts by this instance, by outcome"
            " (gave_up: the retry time ran out and the endpoint was disabled).\n"
            "# TYPE khabar_webhook_deliveries_total counter\n"
            "khabar_webhook_deliveries_total{outcome=\"delivered\"} %llu\n"
            "khabar_webhook_deliveries_total{outcome=\"failed\"} %llu\n"
            "khabar_webhook_deliveries_total{outcome=\"gave_up\"} %llu\n"
            "# HELP khabar_webhook_queue_depth Webhook deliveries still to make and events still to fan out"
            " (as read every few seconds).\n"
            "# TYPE khabar_webhook_queue_depth gauge\n"
            "khabar_webhook_queue_depth %lld\n"
            "# HELP khabar_webhook_oldest_undelivered_seconds Age of the oldest of them (0: none).\n"
            "# TYPE khabar_webhook_oldest_undelivered_seconds gauge\n"
            "khabar_webhook_oldest_undelivered_seconds %lld\n",
            ws.delivered, ws.failed, ws.gave_up, ws.queue_depth, ws.oldest_s);
}

char *metrics_render_new(const struct app *app)
{
    db_pool *primary = app->db, *replica = app->db_read;
    char *text = NULL;
    size_t len = 0;
    struct db_pool_stats st[2];
    size_t npools = replica != NULL ? 2 : 1;
    FILE *f = open_memstream(&text, &len);
    if (f == NULL)
        return NULL;
    size_t nroutes = route_count();
    render_requests(f, nroutes);
    render_latency(f, nroutes);
    db_pool_stats(primary, &st[0]);
    db_pool_stats(replica, &st[1]);
    fprintf(f,
            "# HELP khabar_http_requests_in_flight Requests being answered now.\n"
            "# TYPE khabar_http_requests_in_flight gauge\n"
            "khabar_http_requests_in_flight %lld\n",
            (long long)atomic_load(&in_flight));
    render_pool_family(f, "khabar_db_connections_in_use", "gauge",
                       "Database connections answering a request now.", st, npools, in_use_of);
    render_pool_family(f, "khabar_db_connections_idle", "gauge",
                       "Database connection slots free in the pool.", st, npools, idle_of);
    render_pool_family(f, "khabar_db_connects_total", "counter",
                       "Connections opened to the database, first ones and reconnects.", st, npools,
                       connects_of);
    render_pool_family(f, "khabar_db_connect_failures_total", "counter",
                       "Attempts to connect that failed.", st, npools, failures_of);
    if (replica != NULL)
        fprintf(f,
                "# HELP khabar_db_replica_behind_total Reads sent to the primary because the replica"
                " had not replayed every change this instance knows of.\n"
                "# TYPE khabar_db_replica_behind_total counter\n"
                "khabar_db_replica_behind_total %llu\n",
                st[1].behind);
    fprintf(f,
            "# HELP khabar_db_errors_total Database calls that failed.\n"
            "# TYPE khabar_db_errors_total counter\n"
            "khabar_db_errors_total %llu\n"
            "# HELP khabar_db_queries_total Statements sent to the database.\n"
            "# TYPE khabar_db_queries_total counter\n"
            "khabar_db_queries_total %llu\n",
            st[0].errors, st[0].queries);
    render_jobs(f, app);
    render_cache(f, app);
    render_webhooks(f, app);
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    return text;
}
