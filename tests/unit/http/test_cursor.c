/* test_cursor.c: unit tests of server/http/cursor.c: page cursors read back as made, and
 * refused when edited, cut, of another list, not base64url or too long. Expected values come
 * from cursor.h, RFC 4648 section 5 (base64url) and what each list sorts on.
 */
#include "http/cursor.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "unit.h"

/* The key and id a cursor made for (kind, key, id) reads back as, "key|id", or "refused". */
static const char *round_trip(enum cursor_kind kind, const char *key, int64_t id, char *out,
                              size_t size)
{
    char *cursor = cursor_encode_new(kind, key, id);
    char got[128];
    int64_t got_id = 0;
    check(cursor != NULL, "encode: a cursor is made");
    if (cursor_decode(cursor, kind, got, sizeof got, &got_id) == 0)
        snprintf(out, size, "%s|%" PRId64, got, got_id);
    else
        snprintf(out, size, "refused");
    free(cursor);
    return out;
}

#define check_round_trip(kind, key, id, want, name) \
    check_into(160, want, name, round_trip, kind, key, id)

/* Whether cursor_decode takes text as a cursor of kind. */
static bool accepted(const char *text, enum cursor_kind kind)
{
    char key[128];
    int64_t id = 0;
    return cursor_decode(text, kind, key, sizeof key, &id) == 0;
}

static void test_round_trip(void **state)
{
    (void)state;
    check_round_trip(CURSOR_NEWEST, "2024-05-19T10:00:00Z", 42, "2024-05-19T10:00:00Z|42",
                     "newest: a UTC time");
    check_round_trip(CURSOR_NEWEST, "2024-05-19T13:00:00.123456+03:00", 7,
                     "2024-05-19T13:00:00.123456+03:00|7",
                     "newest: a time whose offset holds ':' like the separator");
    check_round_trip(CURSOR_RANKED, "0.0607927", 3, "0.0607927|3", "ranked: a rank");
    check_round_trip(CURSOR_RANKED, "0", 3, "0|3", "ranked: rank 0");
    check_round_trip(CURSOR_RANKED, "1e-20", 5, "1e-20|5", "ranked: an exponent");
    check_round_trip(CURSOR_TAGS, "17", 9, "17|9", "tags: an article count");
    check_round_trip(CURSOR_TAGS, "0", 9, "0|9", "tags: no article");
    check_round_trip(CURSOR_REVISIONS, "12", 42, "12|42", "revisions: the version and the article");
    check_round_trip(CURSOR_SOURCES, "4294967295", 2, "4294967295|2", "sources: ten digits");
}

static void test_edge_ids(void **state)
{
    (void)state;
    check_round_trip(CURSOR_TAGS, "5", 1, "5|1", "id 1, the smallest");
    check_round_trip(CURSOR_TAGS, "5", 9007199254740992LL, "5|9007199254740992",
                     "id 2^53 (past what a JSON double holds exactly)");
    check_round_trip(CURSOR_TAGS, "5", INT64_MAX, "5|9223372036854775807",
                     "id 2^63-1, the largest bigint");
    /* ids start at 1: no item has 0 or a negative one */
    check_round_trip(CURSOR_TAGS, "5", 0, "refused", "id 0 is refused on the way back");
    check_round_trip(CURSOR_TAGS, "5", -1, "refused", "a negative id is refused");
}

static void test_keys_a_list_never_sorts_on(void **state)
{
    (void)state;
    check_round_trip(CURSOR_TAGS, "", 1, "refused", "an empty key is refused");
    check_round_trip(CURSOR_NEWEST, "", 1, "refused", "newest: an empty key is refused");
    check_round_trip(CURSOR_NEWEST, "yesterday", 1, "refused", "newest: not RFC 3339");
    check_round_trip(CURSOR_NEWEST, "2024-05-19", 1, "refused", "newest: a date alone");
    check_round_trip(CURSOR_RANKED, "nan", 1, "refused", "ranked: not a number");
    check_round_trip(CURSOR_RANKED, "inf", 1, "refused", "ranked: infinity");
    /* a PostgreSQL real holds about 1e-37 to 1e+37 */
    check_round_trip(CURSOR_RANKED, "1e38", 1, "refused", "ranked: over what a real holds");
    check_round_trip(CURSOR_RANKED, "1e-38", 1, "refused", "ranked: under what a real holds");
    check_round_trip(CURSOR_TAGS, "-1", 1, "refused", "tags: a negative count");
    check_round_trip(CURSOR_TAGS, "1.5", 1, "refused", "tags: a fraction");
    check_round_trip(CURSOR_SOURCES, "x", 1, "refused", "sources: a word");
}

static void test_alphabet(void **state)
{
    (void)state;
    static const char url_safe[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char *cursor = cursor_encode_new(CURSOR_NEWEST, "2024-05-19T13:00:00+03:00", 12345);
    check(cursor != NULL, "alphabet: a cursor is made");
    check(strspn(cursor, url_safe) == strlen(cursor),
          "alphabet: base64url only, no '+', '/' or '=' padding");
    check(strlen(cursor) % 4 != 1, "alphabet: a length base64 can have");
    free(cursor);
}

static void test_foreign_kind(void **state)
{
    (void)state;
    /* "17" is a valid key of both tags and sources: only the kind tells them apart */
    char *cursor = cursor_encode_new(CURSOR_TAGS, "17", 4);
    check(cursor != NULL, "kind: a cursor is made");
    check(accepted(cursor, CURSOR_TAGS), "kind: read by its own list");
    check(!accepted(cursor, CURSOR_SOURCES), "kind: a tags cursor is refused by sources");
    check(!accepted(cursor, CURSOR_NEWEST), "kind: refused by the newest list");
    check(!accepted(cursor, CURSOR_RANKED), "kind: refused by a search");
    free(cursor);
}

static void test_edited(void **state)
{
    (void)state;
    char *cursor = cursor_encode_new(CURSOR_NEWEST, "2024-05-19T10:00:00Z", 42);
    char name[96];
    check(cursor != NULL, "edited: a cursor is made");
    /* every character, changed to another of the alphabet, makes a cursor never made */
    for (size_t i = 0; cursor[i] != '\0'; i++) {
        char *edited = strdup(cursor);
        edited[i] = edited[i] == 'A' ? 'B' : 'A';
        snprintf(name, sizeof name, "edited: character %zu changed is refused", i);
        check(!accepted(edited, CURSOR_NEWEST), name);
        free(edited);
    }
    free(cursor);
}

static void test_truncated(void **state)
{
    (void)state;
    char *cursor = cursor_encode_new(CURSOR_RANKED, "0.5", 42);
    char name[96];
    check(cursor != NULL, "truncated: a cursor is made");
    for (size_t len = 0; len < strlen(cursor); len++) {
        char *cut = strndup(cursor, len);
        snprintf(name, sizeof name, "truncated: the first %zu characters are refused", len);
        check(!accepted(cut, CURSOR_RANKED), name);
        free(cut);
    }
    free(cursor);
}

static void test_not_base64url(void **state)
{
    (void)state;
    char *cursor = cursor_encode_new(CURSOR_TAGS, "17", 4);
    char buf[256];
    check(cursor != NULL, "base64url: a cursor is made");
    snprintf(buf, sizeof buf, "%s=", cursor);
    check(!accepted(buf, CURSOR_TAGS), "base64url: '=' padding is refused");
    snprintf(buf, sizeof buf, "%s==", cursor);
    check(!accepted(buf, CURSOR_TAGS), "base64url: '==' padding is refused");
    snprintf(buf, sizeof buf, " %s", cursor);
    check(!accepted(buf, CURSOR_TAGS), "base64url: a leading space is refused");
    snprintf(buf, sizeof buf, "%s\n", cursor);
    check(!accepted(buf, CURSOR_TAGS), "base64url: a trailing newline is refused");
    static const char others[] = "+/.%~*";
    for (const char *o = others; *o != '\0'; o++) {
        snprintf(buf, sizeof buf, "%s", cursor);
        buf[1] = *o;
        check(!accepted(buf, CURSOR_TAGS), "base64url: a character outside the alphabet");
    }
    check(!accepted("", CURSOR_TAGS), "base64url: the empty string");
    check(!accepted("bjoyMDI0LTA1LTE5VDEwOjAwOjAwWjo0Mg", CURSOR_NEWEST),
          "base64url: \"n:2024-05-19T10:00:00Z:42\" without its checksum");
    free(cursor);
}

static void test_over_long(void **state)
{
    (void)state;
    char *cursor = cursor_encode_new(CURSOR_TAGS, "17", 4);
    char buf[2048];
    check(cursor != NULL, "over-long: a cursor is made");
    /* a valid cursor followed by more base64url: the checksum is no longer the last part */
    snprintf(buf, sizeof buf, "%s", cursor);
    while (strlen(buf) < 1000)
        strcat(buf, "AAAA");
    check(!accepted(buf, CURSOR_TAGS), "over-long: a cursor with 1000 characters");
    memset(buf, 'A', 400);
    buf[400] = '\0';
    check(!accepted(buf, CURSOR_TAGS), "over-long: 400 characters of base64url");
    free(cursor);
}

static void test_key_room(void **state)
{
    (void)state;
    char *cursor = cursor_encode_new(CURSOR_NEWEST, "2024-05-19T10:00:00Z", 42);
    char small[8] = "unset", exact[21];
    int64_t id = 0;
    check(cursor != NULL, "room: a cursor is made");
    check(cursor_decode(cursor, CURSOR_NEWEST, small, sizeof small, &id) == -1,
          "room: a key that does not fit is refused, not cut short");
    check(cursor_decode(cursor, CURSOR_NEWEST, exact, sizeof exact, &id) == 0,
          "room: 20 characters and the NUL fit in 21 bytes");
    check_str(exact, "2024-05-19T10:00:00Z", "room: the key read into a buffer just its size");
    check(id == 42, "room: the id");
    free(cursor);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_edge_ids),
        cmocka_unit_test(test_keys_a_list_never_sorts_on),
        cmocka_unit_test(test_alphabet),
        cmocka_unit_test(test_foreign_kind),
        cmocka_unit_test(test_edited),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_not_base64url),
        cmocka_unit_test(test_over_long),
        cmocka_unit_test(test_key_room),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
