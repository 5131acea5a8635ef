/* webhooks.c: admins' webhook endpoints, and the outbox's deliveries: fanned out, claimed, and their outcomes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Columns of WEBHOOK_COLUMNS. */
enum { W_ID, W_URL, W_EVENTS, W_DESCRIPTION, W_ENABLED, W_DISABLED_REASON, W_LAST_ERROR,
       W_LAST_ERROR_AT, W_LAST_SUCCESS_AT, W_CREATED, W_UPDATED, W_PENDING };

void db_webhook_clear(struct db_webhook *w)
{
    DB_ROW_CLEAR(w);
}

void db_webhook_list_clear(struct db_webhook_list *list)
{
    DB_PAGE_CLEAR(list);
}

static bool webhook_of_row(const PGresult *res, int row, struct db_webhook *w)
{
    static const int cols[] = { W_URL, W_EVENTS, W_DESCRIPTION, W_DISABLED_REASON, W_LAST_ERROR,
                                W_LAST_ERROR_AT, W_LAST_SUCCESS_AT, W_CREATED, W_UPDATED };
    const char *text[9];
    memset(w, 0, sizeof *w);
    if ((w->text_ = db_row_text_new(res, row, cols, 9, text)) == NULL)
        return false;
    w->id = db_integer_of(res, row, W_ID);
    w->url = text[0];
    w->events = text[1];
    w->description = text[2];
    w->disabled_reason = text[3];
    w->last_error = text[4];
    w->last_error_at = text[5];
    w->last_success_at = text[6];
    w->created_at = text[7];
    w->updated_at = text[8];
    w->enabled = PQgetvalue(res, row, W_ENABLED)[0] == 't';
    w->pending = db_integer_of(res, row, W_PENDING);
    return true;
}

/* The one endpoint stmt returns; DB_NOT_FOUND without one. */
static db_status webhook_one(db_conn *c, enum db_stmt stmt, const char *const *params,
                             struct db_webhook *out)
{
    db_status st;
    memset(out, 0, sizeof *out);
    PGresult *res = db_run(c, stmt, params, PGRES_TUPLES_OK, &st);
    if (res == NULL)
        return st;
    st = PQntuples(res) == 1 ? (webhook_of_row(res, 0, out) ? DB_OK : DB_ERROR) : DB_NOT_FOUND;
    PQclear(res);
    return st;
}

db_status db_webhook_create(db_conn *c, const struct db_webhook_write *in, struct db_webhook *out)
{
    const char *params[4] = { in->url, in->events, in->secret, in->description };
    return webhook_one(c, STMT_WEBHOOK_INSERT, params, out);
}

db_status db_webhook_list(db_conn *c, struct db_webhook_list *out)
{
    db_status st;
    memset(out, 0, sizeof *out);
    PGresult *res = db_run(c, STMT_WEBHOOK_LIST, NULL, PGRES_TUPLES_OK, &st);
    if (res == NULL)
        return st;
    DB_ROWS_FILL(res, out, webhook_of_row, st);
    PQclear(res);
    if (st != DB_OK)
        db_webhook_list_clear(out);
    return st;
}

db_status db_webhook_get(db_conn *c, int64_t id, struct db_webhook *out)
{
    struct db_int_text idt = db_int_text(id);
    const char *params[1] = { idt.s };
    return webhook_one(c, STMT_WEBHOOK_GET, params, out);
}

struct webhook_update {
    int64_t id;
    const struct db_webhook_write *in;
    struct db_webhook *out;
};

static db_status update_tx(db_conn *c, void *arg)
{
    const struct webhook_update *u = arg;
    struct db_int_text idt = db_int_text(u->id);
    const char *enabled = u->in->enabled < 0 ? NULL : u->in->enabled ? "true" : "false";
    const char *params[6] = { idt.s, u->in->url, u->in->events, u->in->description,
                              u->in->description_set ? "true" : "false", enabled };
    const char *id_param[1] = { idt.s };
    db_status st = db_tx(c, "BEGIN");
    if (st == DB_OK)
        st = webhook_one(c, STMT_WEBHOOK_UPDATE, params, u->out);
    if (st == DB_OK && u->in->enabled == 1)
        PQclear(db_run(c, STMT_WEBHOOK_RESUME, id_param, PGRES_COMMAND_OK, &st));
    if (st == DB_OK)
        return db_tx(c, "COMMIT");
    db_tx(c, "ROLLBACK");
    db_webhook_clear(u->out);
    return st;
}

db_status db_webhook_update(db_conn *c, int64_t id, const struct db_webhook_write *in,
                            struct db_webhook *out)
{
    struct webhook_update u = { id, in, out };
    return db_transaction_run(c, update_tx, &u);
}

db_status db_webhook_delete(db_conn *c, int64_t id)
{
    db_status st;
    struct db_int_text idt = db_int_text(id);
    const char *params[1] = { idt.s };
    PGresult *res = db_run(c, STMT_WEBHOOK_DELETE, params, PGRES_TUPLES_OK, &st);
    if (res == NULL)
        return st;
    st = PQntuples(res) == 1 ? DB_OK : DB_NOT_FOUND;
    PQclear(res);
    return st;
}

db_status db_webhook_fan_out(db_conn *c, unsigned limit, unsigned *made)
{
    db_status st;
    struct db_int_text lim = db_int_text(limit);
    const char *params[1] = { lim.s };
    *made = 0;
    PGresult *res = db_run(c, STMT_WEBHOOK_FAN_OUT, params, PGRES_TUPLES_OK, &st);
    if (res != NULL)
        *made = (unsigned)PQntuples(res);
    PQclear(res);
    return st;
}

void db_delivery_batch_clear(struct db_delivery_batch *b)
{
    DB_PAGE_CLEAR(b);
}

/* One claimed row into *d; false on no memory. */
static bool delivery_of_row(const PGresult *res, int row, struct db_delivery *d)
{
    static const int cols[] = { 2, 3, 5, 6, 7 };
    const char *text[5];
    if ((d->text_ = db_row_text_new(res, row, cols, 5, text)) == NULL)
        return false;
    d->id = db_integer_of(res, row, 0);
    d->webhook_id = db_integer_of(res, row, 1);
    d->event_id = db_integer_of(res, row, 4);
    d->attempts = db_integer_of(res, row, 8);
    d->url = text[0];
    d->secret = text[1];
    d->type = text[2];
    d->data = text[3];
    d->created_at = text[4];
    return true;
}

db_status db_webhook_claim(db_conn *c, unsigned lease_ms, unsigned max, struct db_delivery_batch *out)
{
    db_status st;
    struct db_int_text lease = db_int_text(lease_ms), limit = db_int_text(max);
    const char *params[2] = { lease.s, limit.s };
    memset(out, 0, sizeof *out);
    PGresult *res = db_run(c, STMT_WEBHOOK_CLAIM, params, PGRES_TUPLES_OK, &st);
    if (res == NULL)
        return st;
    DB_ROWS_FILL(res, out, delivery_of_row, st);
    PQclear(res);
    if (st != DB_OK)
        db_delivery_batch_clear(out);
    return st;
}

db_status db_webhook_delivered(db_conn *c, const int64_t *ids, size_t n)
{
    db_status st = DB_OK;
    char *array = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&array, &len);
    if (f == NULL)
        return DB_ERROR;
    fputc('{', f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s%lld", i ? "," : "", (long long)ids[i]);
    fputc('}', f);
    if (fclose(f) != 0) {
        free(array);
        return DB_ERROR;
    }
    const char *params[1] = { array };
    PQclear(db_run(c, STMT_WEBHOOK_DELIVERED, params, PGRES_COMMAND_OK, &st));
    free(array);
    return st;
}

db_status db_webhook_failed(db_conn *c, int64_t delivery_id, const char *error, int64_t retry_ms,
                            unsigned retry_s, bool *gave_up)
{
    db_status st;
    struct db_int_text idt = db_int_text(delivery_id), ms = db_int_text(retry_ms),
                       secs = db_int_text(retry_s);
    const char *params[4] = { idt.s, error, ms.s, secs.s };
    *gave_up = false;
    PGresult *res = db_run(c, STMT_WEBHOOK_FAILED, params, PGRES_TUPLES_OK, &st);
    if (res != NULL && PQntuples(res) == 1)
        *gave_up = PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    return st;
}

db_status db_webhook_queue(db_conn *c, int64_t *depth, int64_t *oldest_s)
{
    db_status st;
    *depth = *oldest_s = 0;
    PGresult *res = db_run(c, STMT_WEBHOOK_QUEUE, NULL, PGRES_TUPLES_OK, &st);
    if (res != NULL && PQntuples(res) == 1) {
        *depth = db_integer_of(res, 0, 0);
        *oldest_s = PQgetisnull(res, 0, 1) ? 0 : db_integer_of(res, 0, 1);
    }
    PQclear(res);
    return st;
}

db_status db_webhook_prune(db_conn *c)
{
    db_status st;
    PQclear(db_run(c, STMT_WEBHOOK_PRUNE, NULL, PGRES_COMMAND_OK, &st));
    return st;
}
