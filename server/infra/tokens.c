/* tokens.c: token texts from the CSPRNG, their SHA-256, and the in-memory set of valid ones. */
#include "infra/tokens.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_RANDOM_BYTES 32

bool token_generate(char *out, size_t size)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned char raw[TOKEN_RANDOM_BYTES];
    size_t prefix = sizeof TOKEN_PREFIX - 1, n = prefix;
    if (size < TOKEN_TEXT_LEN + 1 || RAND_bytes(raw, sizeof raw) != 1)
        return false;
    memcpy(out, TOKEN_PREFIX, prefix);
    /* base64url without padding: 6 bits a character, the last one holding 2 bits */
    for (size_t bit = 0; bit < 8 * sizeof raw; bit += 6) {
        size_t byte = bit / 8, shift = bit % 8;
        unsigned v = (unsigned)raw[byte] << 8;
        if (byte + 1 < sizeof raw)
            v |= raw[byte + 1];
        out[n++] = alphabet[(v >> (10 - shift)) & 0x3f];
    }
    out[n] = '\0';
    OPENSSL_cleanse(raw, sizeof raw);
    return n == TOKEN_TEXT_LEN;
}

bool token_hash(const char *token, size_t len, unsigned char hash[TOKEN_HASH_LEN])
{
    unsigned int out_len = 0;
    return EVP_Digest(token, len, hash, &out_len, EVP_sha256(), NULL) == 1 &&
           out_len == TOKEN_HASH_LEN;
}

bool token_name_is_valid(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > TOKEN_NAME_MAX || strncmp(name, "env-", 4) == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
            return false;
    }
    return true;
}

/*==== The store ====*/

struct token_store {
    /* API_TOKENS: fixed from the start, never forgotten */
    struct token_entry *env;
    size_t env_count;
    /* the database's: replaced whole by the listener's thread, read by the requests' */
    pthread_rwlock_t lock;
    struct token_entry *db;
    size_t db_count;
    atomic_bool db_known; /* db holds what the database had when last read */
    atomic_ullong loads;
};

struct token_store *token_store_new(const char *const *env_tokens, size_t n)
{
    struct token_store *s = calloc(1, sizeof *s);
    if (s == NULL || (n > 0 && (s->env = calloc(n, sizeof *s->env)) == NULL)) {
        free(s);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        struct token_entry *e = &s->env[i];
        if (!token_hash(env_tokens[i], strlen(env_tokens[i]), e->hash)) {
            free(s->env);
            free(s);
            return NULL;
        }
        snprintf(e->name, sizeof e->name, "env-%zu", i + 1);
        e->role = ROLE_EDITOR;
    }
    s->env_count = n;
    pthread_rwlock_init(&s->lock, NULL);
    atomic_init(&s->loads, 0);
    atomic_init(&s->db_known, false);
    return s;
}

void token_store_free(struct token_store *s)
{
    if (s == NULL)
        return;
    pthread_rwlock_destroy(&s->lock);
    free(s->env);
    free(s->db);
    free(s);
}

/* Puts n entries (a copy) in place of the database's; false on no memory (then none). */
static bool store_set(struct token_store *s, const struct token_entry *entries, size_t n,
                      bool known)
{
    struct token_entry *copy = n > 0 ? malloc(n * sizeof *copy) : NULL;
    bool ok = n == 0 || copy != NULL;
    if (copy != NULL)
        memcpy(copy, entries, n * sizeof *copy);
    pthread_rwlock_wrlock(&s->lock);
    struct token_entry *old = s->db;
    s->db = copy;
    s->db_count = ok ? n : 0;
    atomic_store(&s->db_known, known && ok);
    pthread_rwlock_unlock(&s->lock);
    free(old);
    return ok;
}

bool token_store_replace(struct token_store *s, const struct token_entry *entries, size_t n)
{
    bool ok = store_set(s, entries, n, true);
    if (ok)
        atomic_fetch_add(&s->loads, 1);
    return ok;
}

void token_store_forget(struct token_store *s)
{
    store_set(s, NULL, 0, false);
}

bool token_store_knows_database(const struct token_store *s)
{
    return s != NULL && atomic_load(&s->db_known);
}

unsigned long long token_store_loads(const struct token_store *s)
{
    return s ? atomic_load(&s->loads) : 0;
}

/* Compares hash with every entry (CRYPTO_memcmp: constant time), remembering the match. */
static void match_all(const struct token_entry *entries, size_t n,
                      const unsigned char hash[TOKEN_HASH_LEN], struct token_holder *found)
{
    for (size_t i = 0; i < n; i++)
        if (CRYPTO_memcmp(entries[i].hash, hash, TOKEN_HASH_LEN) == 0 && found->role == ROLE_NONE) {
            found->role = entries[i].role;
            memcpy(found->name, entries[i].name, sizeof found->name);
        }
}

struct token_holder token_store_find(struct token_store *s, const char *token, size_t len)
{
    struct token_holder found = { .role = ROLE_NONE };
    unsigned char hash[TOKEN_HASH_LEN];
    if (s == NULL || len == 0 || !token_hash(token, len, hash))
        return found;
    match_all(s->env, s->env_count, hash, &found);
    pthread_rwlock_rdlock(&s->lock);
    match_all(s->db, s->db_count, hash, &found);
    pthread_rwlock_unlock(&s->lock);
    return found;
}
