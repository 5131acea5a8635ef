/* handlers_ops.c: what operators and tools read: liveness, readiness, metrics, the OpenAPI document. */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "infra/embedded.h"
#include "handlers/handlers.h"
#include "http/http.h"
#include "infra/metrics.h"

int ops_healthz(struct request *req)
{
    const struct app *app = req->app;
    static const char ok[] = "{\"status\":\"ok\"}";
    (void)app;
    return reply_text(req, 200, "application/json", ok, sizeof ok - 1, false, CACHE_NO_STORE);
}

int ops_readyz(struct request *req)
{
    const struct app *app = req->app;
    static const char ready[] = "{\"status\":\"ready\"}";
    if (atomic_load(&((struct app *)app)->shutting_down))
        return reply_problem(req, 503, PROBLEM_DATABASE_UNAVAILABLE, "shutting down", NULL);
    db_conn *c = db_acquire(app->db);
    db_status st = c ? db_ready(c) : DB_UNAVAILABLE;
    db_release(c);
    if (st == DB_OK)
        return reply_text(req, 200, "application/json", ready, sizeof ready - 1, false,
                          CACHE_NO_STORE);
    return reply_problem(req, 503, PROBLEM_DATABASE_UNAVAILABLE,
                         st == DB_NOT_FOUND ? "the database has migrations to apply"
                                            : "the database is not answering",
                         NULL);
}

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

int ops_openapi(struct request *req)
{
    const struct app *app = req->app;
    (void)app;
    return reply_text(req, 200, "application/yaml", embedded_openapi.data, embedded_openapi.size,
                      false, CACHE_STATIC);
}
