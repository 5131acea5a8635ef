/* ops.c: what operators and tools read: liveness, readiness, metrics, the OpenAPI document. */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "infra/embedded.h"
#include "handlers/handlers.h"
#include "http/http.h"
#include "infra/metrics.h"
#include "infra/readiness.h"

/* GET /healthz: liveness: the process answers. */
int ops_healthz(struct request *req)
{
    const struct app *app = req->app;
    static const char ok[] = "{\"status\":\"ok\"}";
    (void)app;
    return reply_text(req, 200, "application/json", ok, sizeof ok - 1, false, CACHE_NO_STORE);
}

#define TEXT_OF(n) #n
#define SECONDS_TEXT(n) TEXT_OF(n) " s"
#define STALE_TEXT SECONDS_TEXT(READINESS_STALE_S)

/* GET /readyz: readiness: the database answers and has every migration of this binary, as
 * the readiness checker last found (infra/readiness.h): the answer never waits on the
 * database, so a busy pool or a hung database cannot hold up this HTTP thread. */
int ops_readyz(struct request *req)
{
    const struct app *app = req->app;
    static const char ready[] = "{\"status\":\"ready\"}";
    const char *why = NULL;
    if (atomic_load(&((struct app *)app)->shutting_down))
        return reply_problem(req, 503, PROBLEM_DATABASE_UNAVAILABLE, "shutting down", NULL);
    switch (readiness_now(app->readiness)) {
    case READINESS_READY:
        return reply_text(req, 200, "application/json", ready, sizeof ready - 1, false,
                          CACHE_NO_STORE);
    case READINESS_UNKNOWN: why = "the database has not been checked yet"; break;
    case READINESS_MIGRATIONS_PENDING: why = "the database has migrations to apply"; break;
    case READINESS_STALE: why = "the database has not answered a check in " STALE_TEXT; break;
    case READINESS_DB_DOWN:
    default: why = "the database is not answering"; break;
    }
    return reply_problem(req, 503, PROBLEM_DATABASE_UNAVAILABLE, why, NULL);
}

/* GET /metrics: counters and gauges in the Prometheus text format. */
int ops_metrics(struct request *req)
{
    const struct app *app = req->app;
    char *text = metrics_render_new(app);
    if (text == NULL)
        return MHD_NO;
    int rc = reply_text(req, 200, "text/plain; version=0.0.4; charset=utf-8", text, strlen(text),
                        true, CACHE_NO_STORE);
    free(text);
    return rc;
}

/* GET /openapi.yaml: the API contract, as compiled in. */
int ops_openapi(struct request *req)
{
    const struct app *app = req->app;
    (void)app;
    return reply_text(req, 200, "application/yaml", embedded_openapi.data, embedded_openapi.size,
                      false, CACHE_STATIC);
}
