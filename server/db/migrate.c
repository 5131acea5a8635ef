/* migrate.c: applies migrations/NNNN_name.sql (compiled in) under an advisory lock, then rekey.c. */
#include "db/migrate.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "db/rekey.h"
#include "infra/embedded.h"
#include "text/normalize.h"
#include "internal.h"

/* Any fixed number: every khabar instance takes the same lock. */
#define MIGRATION_LOCK_KEY "7240172301"

static const char create_table_sql[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version text PRIMARY KEY,"
    " checksum text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now())";

/* Runs a statement with parameters; true when it returned the expected status. */
static bool exec_ok(PGconn *conn, const char *sql, int n, const char *const *values,
                    ExecStatusType want, char *err, size_t err_size)
{
    PGresult *res = PQexecParams(conn, sql, n, NULL, values, NULL, NULL, 0);
    bool ok = PQresultStatus(res) == want;
    if (!ok)
        snprintf(err, err_size, "%s", PQresultErrorMessage(res));
    PQclear(res);
    return ok;
}

/* The checksum recorded for an applied migration, or "" when it is not applied. */
static int applied_checksum(PGconn *conn, const char *version, char *sum, size_t sum_size)
{
    const char *params[1] = { version };
    PGresult *res = PQexecParams(conn, "SELECT checksum FROM schema_migrations WHERE version = $1",
                                 1, NULL, params, NULL, NULL, 0);
    int rc = -1;
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        goto out;
    snprintf(sum, sum_size, "%s", PQntuples(res) == 1 ? PQgetvalue(res, 0, 0) : "");
    rc = 0;
out:
    PQclear(res);
    return rc;
}

/* The SHA-256 of a migration's text, computed by the server so no crypto library is needed. */
static int checksum_of(PGconn *conn, const struct embedded_file *m, char *sum, size_t sum_size)
{
    const char *params[1] = { m->data };
    PGresult *res = PQexecParams(conn, "SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex')", 1,
                                 NULL, params, NULL, NULL, 0);
    int rc = -1;
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
        snprintf(sum, sum_size, "%s", PQgetvalue(res, 0, 0));
        rc = 0;
    }
    PQclear(res);
    return rc;
}

/* Applies one migration and records it, all in one transaction. */
static int apply_one(PGconn *conn, const struct embedded_file *m, const char *sum, char *err,
                     size_t err_size)
{
    char detail[512];
    const char *params[2] = { m->name, sum };
    if (!exec_ok(conn, "BEGIN", 0, NULL, PGRES_COMMAND_OK, detail, sizeof detail))
        goto fail;
    /* The file's own SQL may hold several statements, which only the simple protocol runs. */
    PGresult *res = PQexec(conn, m->data);
    bool ran = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK;
    if (!ran)
        snprintf(detail, sizeof detail, "%s", PQresultErrorMessage(res));
    PQclear(res);
    if (!ran)
        goto rollback;
    if (!exec_ok(conn, "INSERT INTO schema_migrations (version, checksum) VALUES ($1, $2)", 2,
                 params, PGRES_COMMAND_OK, detail, sizeof detail))
        goto rollback;
    if (!exec_ok(conn, "COMMIT", 0, NULL, PGRES_COMMAND_OK, detail, sizeof detail))
        goto fail;
    return 0;
rollback:
    PQclear(PQexec(conn, "ROLLBACK"));
fail:
    snprintf(err, err_size, "migration %s failed: %s", m->name, detail);
    return -1;
}

static int migrate_locked(PGconn *conn, FILE *out, char *err, size_t err_size)
{
    char detail[512];
    if (!exec_ok(conn, create_table_sql, 0, NULL, PGRES_COMMAND_OK, detail, sizeof detail)) {
        snprintf(err, err_size, "cannot create schema_migrations: %s", detail);
        return -1;
    }
    unsigned applied = 0;
    for (const struct embedded_file *m = embedded_migrations; m->name != NULL; m++) {
        char sum[80], recorded[80];
        if (checksum_of(conn, m, sum, sizeof sum) < 0 ||
            applied_checksum(conn, m->name, recorded, sizeof recorded) < 0) {
            snprintf(err, err_size, "cannot read schema_migrations: %s", PQerrorMessage(conn));
            return -1;
        }
        if (recorded[0] != '\0') {
            if (strcmp(recorded, sum) != 0) {
                snprintf(err, err_size,
                         "migration %s was changed after it was applied "
                         "(recorded checksum %.12s, file %.12s): add a new migration instead",
                         m->name, recorded, sum);
                return -1;
            }
            continue;
        }
        if (apply_one(conn, m, sum, err, err_size) < 0)
            return -1;
        fprintf(out, "applied %s\n", m->name);
        applied++;
    }
    if (applied == 0)
        fprintf(out, "database is up to date\n");
    /* the rules of server/text are C: what they computed is redone here, not in SQL */
    return rekey_run(conn, out, err, err_size);
}

int migrate_run(const char *conninfo, FILE *out, char *err, size_t err_size)
{
    char detail[512];
    int rc = -1;
    PGconn *conn = PQconnectdb(conninfo);
    if (PQstatus(conn) != CONNECTION_OK) {
        snprintf(err, err_size, "cannot connect to the database: %s", PQerrorMessage(conn));
        goto out;
    }
    PQclear(PQexec(conn, "SET client_min_messages = warning"));
    const char *key[1] = { MIGRATION_LOCK_KEY };
    if (!exec_ok(conn, "SELECT pg_advisory_lock($1::bigint)", 1, key, PGRES_TUPLES_OK, detail,
                 sizeof detail)) {
        snprintf(err, err_size, "cannot take the migration lock: %s", detail);
        goto out;
    }
    rc = migrate_locked(conn, out, err, err_size);
    exec_ok(conn, "SELECT pg_advisory_unlock($1::bigint)", 1, key, PGRES_TUPLES_OK, detail,
            sizeof detail);
out:
    PQfinish(conn);
    return rc;
}

db_status migrate_is_current(db_conn *c, bool *current)
{
    *current = false;
    for (const struct embedded_file *m = embedded_migrations; m->name != NULL; m++) {
        char sum[80], recorded[80];
        if (checksum_of(c->pg, m, sum, sizeof sum) < 0)
            return DB_UNAVAILABLE;
        if (applied_checksum(c->pg, m->name, recorded, sizeof recorded) < 0)
            return DB_OK; /* no schema_migrations table yet */
        if (strcmp(sum, recorded) != 0)
            return DB_OK;
    }
    /* and what the text rules computed follows the rules compiled in (rekey.c) */
    char version[16];
    snprintf(version, sizeof version, "%d", TEXT_RULES_VERSION);
    const char *params[1] = { version };
    db_status st;
    PGresult *res = db_run(c, STMT_TEXT_RULES_BEHIND, params, PGRES_TUPLES_OK, &st);
    if (res == NULL)
        return st;
    *current = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "0") == 0;
    PQclear(res);
    return DB_OK;
}
