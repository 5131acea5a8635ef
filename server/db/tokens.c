/* tokens.c: the tokens table: create, list and revoke for the CLI, and the valid ones for
 * the in-memory store every instance checks requests against. */
#include <stdlib.h>
#include <string.h>

#include "infra/tokens.h"
#include "internal.h"

db_status db_token_create(db_conn *c, const char *name, const char *role, const char *hash_hex)
{
    db_status st;
    const char *params[] = { name, role, hash_hex };
    PGresult *res = db_run(c, STMT_TOKEN_INSERT, params, PGRES_COMMAND_OK, &st);
    PQclear(res);
    return res != NULL ? DB_OK : st;
}

void db_token_list_clear(struct db_token_list *list)
{
    free(list->items);
    free(list->text_);
    memset(list, 0, sizeof *list);
}

/* The length of every column of res's rows, NUL included: the block they are copied to. */
static size_t text_size(const PGresult *res)
{
    size_t size = 1;
    for (int r = 0; r < PQntuples(res); r++)
        for (int col = 0; col < PQnfields(res); col++)
            size += (size_t)PQgetlength(res, r, col) + 1;
    return size;
}

/* Copies one column into the block at *at, or NULL for SQL NULL. */
static const char *copy_column(const PGresult *res, int row, int col, char **at)
{
    if (PQgetisnull(res, row, col))
        return NULL;
    size_t len = (size_t)PQgetlength(res, row, col);
    char *s = *at;
    memcpy(s, PQgetvalue(res, row, col), len);
    s[len] = '\0';
    *at += len + 1;
    return s;
}

db_status db_token_list(db_conn *c, struct db_token_list *out)
{
    db_status st;
    memset(out, 0, sizeof *out);
    PGresult *res = db_run(c, STMT_TOKEN_LIST, NULL, PGRES_TUPLES_OK, &st);
    if (res == NULL)
        return st;
    int n = PQntuples(res);
    out->items = calloc(n > 0 ? (size_t)n : 1, sizeof *out->items);
    out->text_ = malloc(text_size(res));
    if (out->items == NULL || out->text_ == NULL) {
        PQclear(res);
        db_token_list_clear(out);
        return DB_ERROR;
    }
    char *at = out->text_;
    for (int r = 0; r < n; r++) {
        struct db_token *t = &out->items[r];
        t->name = copy_column(res, r, 0, &at);
        t->role = copy_column(res, r, 1, &at);
        t->created_at = copy_column(res, r, 2, &at);
        t->revoked_at = copy_column(res, r, 3, &at);
    }
    out->n = (size_t)n;
    PQclear(res);
    return DB_OK;
}

db_status db_token_revoke(db_conn *c, const char *name)
{
    db_status st;
    const char *params[] = { name };
    PGresult *res = db_run(c, STMT_TOKEN_REVOKE, params, PGRES_COMMAND_OK, &st);
    if (res == NULL)
        return st;
    bool revoked = strcmp(PQcmdTuples(res), "0") != 0;
    PQclear(res);
    return revoked ? DB_OK : DB_NOT_FOUND;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* One row as a store entry; false when it is not one (a hash or role it cannot read). */
static bool entry_of_row(const PGresult *res, int row, struct token_entry *e)
{
    const char *hex = PQgetvalue(res, row, 0), *name = PQgetvalue(res, row, 1);
    if (strlen(hex) != 2 * TOKEN_HASH_LEN || strlen(name) > TOKEN_NAME_MAX ||
        !role_parse(PQgetvalue(res, row, 2), &e->role))
        return false;
    for (size_t i = 0; i < TOKEN_HASH_LEN; i++) {
        int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        e->hash[i] = (unsigned char)(hi << 4 | lo);
    }
    strcpy(e->name, name);
    return true;
}

db_status db_tokens_active(db_conn *c, struct token_entry **out, size_t *n)
{
    db_status st;
    *out = NULL;
    *n = 0;
    PGresult *res = db_run(c, STMT_TOKENS_ACTIVE, NULL, PGRES_TUPLES_OK, &st);
    if (res == NULL)
        return st;
    int rows = PQntuples(res);
    struct token_entry *entries = calloc(rows > 0 ? (size_t)rows : 1, sizeof *entries);
    if (entries == NULL) {
        PQclear(res);
        return DB_ERROR;
    }
    size_t kept = 0;
    for (int r = 0; r < rows; r++)
        if (entry_of_row(res, r, &entries[kept]))
            kept++;
    PQclear(res);
    *out = entries;
    *n = kept;
    return DB_OK;
}

bool db_tokens_load(db_pool *pool, struct token_store *store)
{
    struct token_entry *entries = NULL;
    size_t n = 0;
    db_conn *c = db_acquire(pool);
    db_status st = c != NULL ? db_tokens_active(c, &entries, &n) : DB_UNAVAILABLE;
    db_release(c);
    bool ok = st == DB_OK && token_store_replace(store, entries, n);
    if (!ok)
        token_store_forget(store);
    free(entries);
    return ok;
}
