/* webhooks.c: admins' webhook endpoints: register (the secret shown once), list, read, change, enable again, delete. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "catalog.h"
#include "handlers/handlers.h"
#include "infra/webhook_send.h"
#include "model/serialize.h"
#include "model/webhook_input.h"

#define MANAGING "managing webhooks"

/* The endpoint the path names; -1 after answering 404. */
static int64_t webhook_id(struct request *req, int *rc)
{
    int64_t id = request_param_id(req, 0);
    if (id < 0)
        *rc = reply_db_status(req, DB_NOT_FOUND, "webhook");
    return id;
}

/* Checks a body as an endpoint or a patch of one, its URL's host too; false after 422. */
static bool check_webhook(struct request *req, const json_t *body, bool patch, struct webhook_input *in,
                          int *rc)
{
    char why[256];
    json_t *errors = json_array();
    if (webhook_input_from_json(body, patch, in, errors) == 0 &&
        (in->url == NULL || webhook_url_allowed(in->url, req->app->config.webhook_allow_private, why,
                                                sizeof why))) {
        json_decref(errors);
        return true;
    }
    if (json_array_size(errors) == 0)
        json_array_append_new(errors, json_pack("{s:s, s:s}", "field", "url", "message", why));
    webhook_input_free(in);
    *rc = catalog_reply_invalid(req, errors);
    return false;
}

/* The endpoint answered: 200, or 201 with its Location and its secret. */
static int reply_webhook(struct request *req, unsigned status, db_status st, const struct db_webhook *w,
                         const char *secret)
{
    char location[48];
    if (st != DB_OK)
        return reply_db_status(req, st, "webhook");
    snprintf(location, sizeof location, "/v1/webhooks/%" PRId64, w->id);
    json_t *doc = serialize_webhook_new(w, secret);
    int rc = reply_entity(req, status, doc, 0, CACHE_PRIVATE, status == 201 ? "Location" : NULL, location);
    json_decref(doc);
    return rc;
}

/* POST /v1/webhooks: registers an endpoint (admins); 201 with its secret, shown only here. */
int webhooks_create(struct request *req)
{
    int rc = MHD_NO;
    char secret[WEBHOOK_SECRET_LEN + 1];
    struct webhook_input in = { 0 };
    struct db_webhook w = { 0 };
    json_t *body = catalog_body(req, false, &rc);
    if (body == NULL || !check_webhook(req, body, false, &in, &rc))
        goto out;
    if (!webhook_secret_new(secret, sizeof secret)) {
        rc = reply_db_status(req, DB_ERROR, "webhook");
        goto out;
    }
    in.write.secret = secret;
    db_conn *c = request_db(req, &rc);
    if (c == NULL)
        goto out;
    db_status st = db_webhook_create(c, &in.write, &w);
    db_release(c);
    rc = reply_webhook(req, 201, st, &w, secret);
out:
    json_decref(body);
    webhook_input_free(&in);
    db_webhook_clear(&w);
    return rc;
}

/* GET /v1/webhooks: every endpoint with its state (admins). */
int webhooks_list(struct request *req)
{
    int rc = MHD_NO;
    struct db_webhook_list list = { 0 };
    if (!request_may(req, ROLE_ADMIN, MANAGING, &rc))
        return rc;
    db_conn *c = request_db(req, &rc);
    if (c == NULL)
        return rc;
    db_status st = db_webhook_list(c, &list);
    db_release(c);
    if (st != DB_OK)
        return reply_db_status(req, st, "webhook");
    json_t *data = json_array();
    for (size_t i = 0; i < list.n; i++)
        json_array_append_new(data, serialize_webhook_new(&list.items[i], NULL));
    json_t *doc = json_pack("{s:o}", "data", data);
    rc = reply_entity(req, 200, doc, 0, CACHE_PRIVATE, NULL, NULL);
    json_decref(doc);
    db_webhook_list_clear(&list);
    return rc;
}

/* GET /v1/webhooks/{webhook}: one endpoint, its last error and what it has still to receive. */
int webhooks_get(struct request *req)
{
    int rc = MHD_NO;
    struct db_webhook w = { 0 };
    int64_t id;
    if (!request_may(req, ROLE_ADMIN, MANAGING, &rc) || (id = webhook_id(req, &rc)) < 0)
        return rc;
    db_conn *c = request_db(req, &rc);
    if (c == NULL)
        return rc;
    db_status st = db_webhook_get(c, id, &w);
    db_release(c);
    rc = reply_webhook(req, 200, st, &w, NULL);
    db_webhook_clear(&w);
    return rc;
}

/* PATCH /v1/webhooks/{webhook}: changes an endpoint (a JSON merge patch); enabled: true
 * enables it again, its waiting deliveries due at once with their retry time anew. */
int webhooks_patch(struct request *req)
{
    int rc = MHD_NO;
    struct webhook_input in = { 0 };
    struct db_webhook w = { 0 };
    int64_t id = webhook_id(req, &rc);
    json_t *body = id > 0 ? catalog_body(req, true, &rc) : NULL;
    if (body == NULL || !check_webhook(req, body, true, &in, &rc))
        goto out;
    db_conn *c = request_db(req, &rc);
    if (c == NULL)
        goto out;
    db_status st = db_webhook_update(c, id, &in.write, &w);
    db_release(c);
    rc = reply_webhook(req, 200, st, &w, NULL);
out:
    json_decref(body);
    webhook_input_free(&in);
    db_webhook_clear(&w);
    return rc;
}

/* DELETE /v1/webhooks/{webhook}: the endpoint and what it had still to receive go. */
int webhooks_delete(struct request *req)
{
    int rc = MHD_NO;
    int64_t id = webhook_id(req, &rc);
    db_conn *c = id > 0 ? request_db(req, &rc) : NULL;
    if (c == NULL)
        return rc;
    db_status st = db_webhook_delete(c, id);
    db_release(c);
    return st == DB_OK ? reply_empty(req, 204) : reply_db_status(req, st, "webhook");
}
