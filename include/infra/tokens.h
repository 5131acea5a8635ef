/* tokens.h: bearer tokens: their format and hash, and the set of valid ones each request is
 * checked against in memory (no query per request). */
#ifndef KHABAR_INFRA_TOKENS_H
#define KHABAR_INFRA_TOKENS_H

#include <stdbool.h>
#include <stddef.h>

#include "infra/roles.h"

/* What every token made by khabar starts with, so that one found in a log or a paste is
 * recognised (and scanners can look for it). */
#define TOKEN_PREFIX "khb_"
/* The prefix, then 32 random bytes in unpadded base64url (43 characters). */
#define TOKEN_TEXT_LEN (sizeof TOKEN_PREFIX - 1 + 43)
#define TOKEN_HASH_LEN 32
/* A name: 1..63 of [a-z0-9._-], starting with a letter or digit. */
#define TOKEN_NAME_MAX 63

/* Writes a new token (TOKEN_TEXT_LEN characters and a NUL) from the operating system's
 * CSPRNG into out (size bytes); false when no random bytes can be had or out is short. */
bool token_generate(char *out, size_t size);
/* The SHA-256 of a token's text: what the database keeps. False on a libcrypto failure. */
bool token_hash(const char *token, size_t len, unsigned char hash[TOKEN_HASH_LEN]);
/* True when name may name a token made with `khabar token create` (the env-N names are
 * the API_TOKENS' own). */
bool token_name_is_valid(const char *name);

/* One valid token as the store keeps it. */
struct token_entry {
    unsigned char hash[TOKEN_HASH_LEN];
    char name[TOKEN_NAME_MAX + 1];
    enum role role;
};

/* Who a token is, copied out of the store (which may change meanwhile). */
struct token_holder {
    enum role role; /* ROLE_NONE: not a valid token */
    char name[TOKEN_NAME_MAX + 1];
};

struct token_store;

/*
 * A store holding the given tokens from API_TOKENS (n texts, named env-1, env-2, ... in
 * their order, editors) and no database token until the first token_store_replace: until
 * then, and after token_store_forget, the database's tokens are unknown and refused.
 * NULL on no memory.
 */
struct token_store *token_store_new(const char *const *env_tokens, size_t n);
void token_store_free(struct token_store *s);
/* Makes entries (n of them, copied) the database's valid tokens. False on no memory (the
 * store then knows none). */
bool token_store_replace(struct token_store *s, const struct token_entry *entries, size_t n);
/* Drops the database's tokens: a change to them may have gone unheard. */
void token_store_forget(struct token_store *s);
/* True when the store holds the database's tokens as last read (not before the first
 * reading, nor after token_store_forget). */
bool token_store_knows_database(const struct token_store *s);
/* Times the database's tokens were read into the store. */
unsigned long long token_store_loads(const struct token_store *s);

/* Who token (len bytes) is. Every valid token is compared, each in constant time, so the
 * time taken tells nothing of which one nearly matched. */
struct token_holder token_store_find(struct token_store *s, const char *token, size_t len);

#endif
