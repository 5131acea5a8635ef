/* test_tokens.c: unit tests of server/infra/tokens.c: the token format, its SHA-256 (the
 * FIPS 180-2 test vector), names, and the store's lookups (API_TOKENS as env-N editors,
 * the database's tokens replaced whole, forgotten when a change may have gone unheard).
 */
#include "infra/tokens.h"

#include <stdio.h>

#include "unit.h"

static bool is_base64url(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_';
}

static void test_generate(void **state)
{
    (void)state;
    char a[TOKEN_TEXT_LEN + 1], b[TOKEN_TEXT_LEN + 1], small[TOKEN_TEXT_LEN];
    check(token_generate(a, sizeof a) && token_generate(b, sizeof b), "generate: two tokens");
    check(strlen(a) == TOKEN_TEXT_LEN && strlen(a) == 4 + 43, "generate: the prefix and 43 characters");
    check(strncmp(a, TOKEN_PREFIX, strlen(TOKEN_PREFIX)) == 0, "generate: starts with khb_");
    for (size_t i = strlen(TOKEN_PREFIX); i < TOKEN_TEXT_LEN; i++)
        check(is_base64url(a[i]), "generate: base64url characters only");
    /* 43 characters of 32 bytes: the last holds 4 bits and 2 zero bits, a multiple of 4 */
    check(strchr("AEIMQUYcgkosw048", a[TOKEN_TEXT_LEN - 1]) != NULL,
          "generate: the last character pads 2 zero bits");
    check(strcmp(a, b) != 0, "generate: two tokens differ");
    check(!token_generate(small, sizeof small), "generate: refuses a buffer without room for the NUL");
}

static void test_hash(void **state)
{
    (void)state;
    static const unsigned char abc[TOKEN_HASH_LEN] = {
        0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
        0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
    };
    unsigned char h[TOKEN_HASH_LEN];
    check(token_hash("abc", 3, h) && memcmp(h, abc, sizeof h) == 0, "hash: SHA-256 of abc");
    check(token_hash("abcd", 3, h) && memcmp(h, abc, sizeof h) == 0, "hash: only len bytes count");
}

static void test_names(void **state)
{
    (void)state;
    const char *good[] = { "a", "desk-1", "night.editor", "w_2", "0", NULL };
    const char *bad[] = { "", "-a", ".a", "_a", "Desk", "a b", "a/b", "env-1", "env-", "ضيف",
                          "0123456789012345678901234567890123456789012345678901234567890123", NULL };
    for (const char **n = good; *n; n++)
        check(token_name_is_valid(*n), *n);
    for (const char **n = bad; *n; n++)
        check(!token_name_is_valid(*n), *n);
    check(token_name_is_valid("012345678901234567890123456789012345678901234567890123456789012"),
          "names: 63 characters");
}

static struct token_entry entry(const char *token, const char *name, enum role role)
{
    struct token_entry e = { .role = role };
    token_hash(token, strlen(token), e.hash);
    snprintf(e.name, sizeof e.name, "%s", name);
    return e;
}

static struct token_holder find(struct token_store *s, const char *token)
{
    return token_store_find(s, token, strlen(token));
}

static void test_store(void **state)
{
    (void)state;
    const char *env[] = { "first", "second" };
    struct token_store *s = token_store_new(env, 2);
    check(s != NULL, "store: made");
    struct token_holder h = find(s, "second");
    check(h.role == ROLE_EDITOR && strcmp(h.name, "env-2") == 0, "store: API_TOKENS are env-N editors");
    check(find(s, "first").role == ROLE_EDITOR, "store: env-1");
    check(find(s, "firs").role == ROLE_NONE && find(s, "first ").role == ROLE_NONE,
          "store: a near miss is no token");
    check(find(s, "").role == ROLE_NONE, "store: an empty token is none");
    check(!token_store_knows_database(s) && token_store_loads(s) == 0,
          "store: the database's tokens unknown until read");

    struct token_entry db[] = { entry("w", "desk", ROLE_WRITER), entry("a", "root", ROLE_ADMIN) };
    check(token_store_replace(s, db, 2) && token_store_knows_database(s), "store: replaced");
    check(token_store_loads(s) == 1, "store: one load");
    h = find(s, "w");
    check(h.role == ROLE_WRITER && strcmp(h.name, "desk") == 0, "store: a writer");
    check(find(s, "a").role == ROLE_ADMIN, "store: an admin");
    check(find(s, "first").role == ROLE_EDITOR, "store: API_TOKENS stay");

    check(token_store_replace(s, db + 1, 1), "store: replaced by one");
    check(find(s, "w").role == ROLE_NONE, "store: a token gone from the database is refused");
    check(find(s, "a").role == ROLE_ADMIN, "store: the one kept");

    token_store_forget(s);
    check(!token_store_knows_database(s), "store: forgotten");
    check(find(s, "a").role == ROLE_NONE, "store: a forgotten token is not accepted");
    check(find(s, "second").role == ROLE_EDITOR, "store: API_TOKENS survive forgetting");
    token_store_free(s);
    token_store_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generate),
        cmocka_unit_test(test_hash),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
