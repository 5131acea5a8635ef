/* ops.c: what operators and tools read: liveness, readiness, metrics, the OpenAPI document. */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "infra/embedded.h"
#include "handlers/handlers.h"
#include "http/http.h"
#include "infra/metrics.h"
#include "db/migrate.h"

/* GET /healthz: liveness: the process answers. */
int ops_healthz(struct request *req)
{
    const struct app *app = req->app;
    static const char ok[] = "{\"status\":\"ok\"}";
    (void)app;
    return reply_text(req, 200, "application/json", ok, sizeof ok - 1, false, CACHE_NO_STORE);
}

/* GET /readyz: readiness: the database answers and has every migration of this binary. */
int ops_readyz(struct request *req)
{
    const struct app *app = req->app;
    static const char ready[] = "{\"status\":\"ready\"}";
    bool current = false;
    if (atomic_load(&((struct app *)app)->shutting_down))
        return reply_problem(req, 503, PROBLEM_DATABASE_UNAVAILABLE, "shutting down", NULL);
    db_conn *c = db_acquire(app->db);
    db_status st = c ? db_ping(c) : DB_UNAVAILABLE;
    if (st == DB_OK)
        st = migrate_is_current(c, &current);
    db_release(c);
    if (st == DB_OK && current)
        return reply_text(req, 200, "application/json", ready, sizeof ready - 1, false,
                          CACHE_NO_STORE);
    return reply_problem(req, 503, PROBLEM_DATABASE_UNAVAILABLE,
                         st == DB_OK ? "the database has migrations to apply"
                                     : "the database is not answering",
                         NULL);
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
