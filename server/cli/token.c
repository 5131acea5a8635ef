/* token.c: `khabar token create NAME --role ROLE`, `khabar token list`, `khabar token revoke NAME`. */
#include "cli/token.h"

#include <openssl/crypto.h>
#include <string.h>

#include "db/db.h"
#include "infra/tokens.h"
#include "infra/roles.h"

static const char usage_text[] =
    "usage: khabar token create NAME --role writer|editor|admin\n"
    "       khabar token list\n"
    "       khabar token revoke NAME\n";

/* A connection for one command, or NULL after saying why on err. */
static db_conn *connect_for(db_pool **pool, const struct config *cfg, FILE *err)
{
    *pool = db_pool_new(cfg->database_url, 1, 10000, 60000);
    db_conn *c = *pool ? db_acquire(*pool) : NULL;
    if (c == NULL)
        fprintf(err, "khabar: cannot use the database (is it up, and migrated with "
                     "`khabar migrate`?)\n");
    return c;
}

/* The name is checked before anything else, so that a bad one never reaches the database. */
static bool name_ok(const char *name, FILE *err)
{
    if (token_name_is_valid(name))
        return true;
    fprintf(err, "khabar: a token name is 1 to %d of a-z, 0-9, '.', '_' and '-', starting with a "
                 "letter or digit, and not env-N (the API_TOKENS' names): \"%s\" is not one\n",
            TOKEN_NAME_MAX, name);
    return false;
}

/* The hash of token as the statement takes it: 64 hex digits. */
static bool hash_hex(const char *token, char hex[2 * TOKEN_HASH_LEN + 1])
{
    unsigned char hash[TOKEN_HASH_LEN];
    if (!token_hash(token, strlen(token), hash))
        return false;
    for (size_t i = 0; i < TOKEN_HASH_LEN; i++)
        snprintf(hex + 2 * i, 3, "%02x", hash[i]);
    return true;
}

static int create(const char *name, const char *role_text, const struct config *cfg, FILE *out,
                  FILE *err)
{
    enum role role;
    char token[TOKEN_TEXT_LEN + 1], hex[2 * TOKEN_HASH_LEN + 1];
    db_pool *pool = NULL;
    int rc = 1;
    if (!name_ok(name, err))
        return 2;
    if (!role_parse(role_text, &role)) {
        fprintf(err, "khabar: the role must be writer, editor or admin, not \"%s\"\n", role_text);
        return 2;
    }
    if (!token_generate(token, sizeof token) || !hash_hex(token, hex)) {
        fprintf(err, "khabar: cannot make a token: no random bytes or no SHA-256\n");
        return 1;
    }
    db_conn *c = connect_for(&pool, cfg, err);
    if (c == NULL)
        goto out;
    db_status st = db_token_create(c, name, role_name(role), hex);
    if (st == DB_CONFLICT) {
        fprintf(err, "khabar: a token named \"%s\" exists already (names are never reused, "
                     "revoked ones included)\n", name);
    } else if (st != DB_OK) {
        fprintf(err, "khabar: the token could not be stored\n");
    } else {
        /* the token alone on out: it is shown this once and never stored */
        fprintf(out, "%s\n", token);
        fprintf(err, "khabar: created token \"%s\" with the %s role; keep it now: only its "
                     "hash is stored\n", name, role_name(role));
        rc = 0;
    }
out:
    OPENSSL_cleanse(token, sizeof token);
    db_release(c);
    db_pool_free(pool);
    return rc;
}

static int list(const struct config *cfg, FILE *out, FILE *err)
{
    db_pool *pool = NULL;
    struct db_token_list tokens = { 0 };
    int rc = 1;
    db_conn *c = connect_for(&pool, cfg, err);
    if (c == NULL)
        goto out;
    if (db_token_list(c, &tokens) != DB_OK) {
        fprintf(err, "khabar: the tokens could not be read\n");
        goto out;
    }
    fprintf(out, "%-24s %-7s %-21s %s\n", "NAME", "ROLE", "CREATED", "REVOKED");
    for (size_t i = 0; i < tokens.n; i++) {
        const struct db_token *t = &tokens.items[i];
        fprintf(out, "%-24s %-7s %-21s %s\n", t->name, t->role, t->created_at,
                t->revoked_at ? t->revoked_at : "-");
    }
    rc = 0;
out:
    db_token_list_clear(&tokens);
    db_release(c);
    db_pool_free(pool);
    return rc;
}

static int revoke(const char *name, const struct config *cfg, FILE *err)
{
    db_pool *pool = NULL;
    int rc = 1;
    if (!name_ok(name, err))
        return 2;
    db_conn *c = connect_for(&pool, cfg, err);
    if (c == NULL)
        goto out;
    db_status st = db_token_revoke(c, name);
    if (st == DB_NOT_FOUND)
        fprintf(err, "khabar: no valid token is named \"%s\"\n", name);
    else if (st != DB_OK)
        fprintf(err, "khabar: the token could not be revoked\n");
    else {
        fprintf(err, "khabar: revoked token \"%s\"\n", name);
        rc = 0;
    }
out:
    db_release(c);
    db_pool_free(pool);
    return rc;
}

int token_command(int argc, char **argv, const struct config *cfg, FILE *out, FILE *err)
{
    const char *sub = argc > 0 ? argv[0] : "";
    if (strcmp(sub, "create") == 0 && argc == 4 && strcmp(argv[2], "--role") == 0)
        return create(argv[1], argv[3], cfg, out, err);
    if (strcmp(sub, "create") == 0 && argc == 4 && strcmp(argv[1], "--role") == 0)
        return create(argv[3], argv[2], cfg, out, err);
    if (strcmp(sub, "list") == 0 && argc == 1)
        return list(cfg, out, err);
    if (strcmp(sub, "revoke") == 0 && argc == 2)
        return revoke(argv[1], cfg, err);
    fputs(usage_text, err);
    return 2;
}
