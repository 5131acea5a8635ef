/* article_input.h: strict reading of request bodies and the checks an article must pass. */
#ifndef KHABAR_ARTICLE_INPUT_H
#define KHABAR_ARTICLE_INPUT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Nesting deeper than this is refused before jansson sees the text. */
#define JSON_MAX_DEPTH 32

enum json_body_status {
    JSON_BODY_OK = 0,
    JSON_BODY_MALFORMED,    /* not JSON, duplicate keys, trailing bytes, empty */
    JSON_BODY_INVALID_UTF8, /* bytes that are not UTF-8 */
    JSON_BODY_TOO_DEEP,     /* nested deeper than JSON_MAX_DEPTH */
};

/*
 * Parses len bytes of a request body: UTF-8 checked, duplicate keys refused, no
 * trailing bytes, depth limited. On JSON_BODY_OK *out is the document (caller owns);
 * otherwise detail (detail_size bytes) says what is wrong, with a position.
 */
enum json_body_status json_body_parse(const char *buf, size_t len, json_t **out, char *detail,
                                      size_t detail_size);

/* Limits of api.md and of this service (documented in openapi.yaml). */
#define ARTICLE_TITLE_MAX_CHARS 500
#define ARTICLE_SUMMARY_MAX_CHARS 2000
#define ARTICLE_BODY_MAX_BYTES (1024 * 1024)
#define ARTICLE_LANG_MAX_CHARS 35
#define ARTICLE_TAGS_MAX 50
#define ARTICLE_TAG_MAX_CHARS 100
#define ARTICLE_SOURCES_MAX 20
#define ARTICLE_SOURCE_MAX_CHARS 200
#define ARTICLE_RELATED_MAX 50

/*
 * A checked article, ready for the database. Every pointer points into doc, which
 * this owns; article_input_free releases it.
 */
struct article_input {
    json_t *doc;
    const char *slug;         /* NULL: derive from the title (create) or keep (update) */
    const char *slug_key;     /* the slug's lookup key, when slug is set */
    const char *title_slug;   /* the slug made from the title, when slug is NULL */
    const char *title_slug_key; /* its lookup key */
    const char *title;
    const char *summary;      /* NULL when absent */
    const char *body;
    const char *lang;
    const char *published_at; /* RFC 3339, NULL: now (create) or keep (update) */
    json_t *tags;             /* [{"name": ..., "slug": ...}], one per tag */
    json_t *sources;          /* [{"name": ..., "key": ...}], one per source, in order */
    json_t *related;          /* [{"id": n} or {"slug_key": ...}], in order */
    const char *search;       /* the tsvector text of title, summary and body (search.h) */
};

/*
 * Checks obj as an article (POST and PUT bodies, and the result of a merge patch).
 * Returns 0 and fills in (release with article_input_free), or -1 after appending one
 * {"field", "message"} object per problem to errors. self_id, when not 0, is the
 * article being written (it may not list itself as related).
 */
int article_input_from_json(const json_t *obj, int64_t self_id, struct article_input *in,
                            json_t *errors);
void article_input_free(struct article_input *in);

/*
 * The input form of a stored article (as db_article_get returns it): the fields a
 * client may send, with tag and source names and related ids. Caller owns the result.
 */
json_t *article_input_json_from_article_new(const json_t *article);

/* RFC 7396 JSON Merge Patch: applies patch to target in place (target must be an object). */
void json_merge_patch(json_t *target, const json_t *patch);

/* True when s is an RFC 3339 date-time ("2024-05-19T00:00:00Z", offsets, fractions)
 * that PostgreSQL stores as given: years 1000 to 9998, offsets up to ±15:59. */
bool rfc3339_is_valid(const char *s);

/* True when s has the shape of a BCP 47 language tag (ar, en-GB, zh-Hant-TW). */
bool lang_is_valid(const char *s);

/* The text direction of a BCP 47 language tag: "rtl" or "ltr". */
const char *lang_direction(const char *lang);

#endif
