/* cursor.h: opaque page cursors: where the next page of a list starts. */
#ifndef KHABAR_CURSOR_H
#define KHABAR_CURSOR_H

#include <stddef.h>
#include <stdint.h>

/* What a cursor continues; a cursor of one kind is refused by a list of another. */
enum cursor_kind {
    CURSOR_NEWEST = 'n', /* articles newest first: key is published_at (RFC 3339) */
    CURSOR_RANKED = 'r', /* a search: key is the rank (a real number) */
    CURSOR_TAGS = 't',   /* tags most used first: key is the article count */
    CURSOR_SOURCES = 's',/* sources likewise */
    CURSOR_REVISIONS = 'v', /* an article's revisions newest first: key is the version, id
                             * the article's */
    CURSOR_AUTHORS = 'a',/* authors likewise */
    CURSOR_SECTIONS = 'p',/* sections in their order: key is the position */
    CURSOR_FRONT = 'f',  /* a section's front past its pinned articles: key is published_at */
};

/* The cursor after the item (key, id): base64url, no padding. Caller frees; NULL on no memory. */
char *cursor_encode_new(enum cursor_kind kind, const char *key, int64_t id);

/*
 * Reads a cursor made by cursor_encode_new for kind: 0 with the key (key_size bytes)
 * and id filled in, or -1 when it is malformed, of another kind, or was edited (its
 * checksum no longer matches). Cursors carry no authority: the checksum only tells a
 * cursor this service made from one it did not.
 */
int cursor_decode(const char *cursor, enum cursor_kind kind, char *key, size_t key_size,
                  int64_t *id);

#endif
