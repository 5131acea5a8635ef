/* json_text.h: JSON written straight into a growing buffer, byte for byte as jansson's
 * compact dump writes the same values, for the answers read most (no tree is built); and
 * the names of stored lists read straight out of them, for the feeds. */
#ifndef KHABAR_JSON_TEXT_H
#define KHABAR_JSON_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The text being written; a zeroed one is empty. After any failure (no memory, a value
 * json_text cannot write as jansson would) failed is set and the text is to be dropped. */
struct json_text {
    char *buf; /* owned, NUL-terminated while not failed */
    size_t len, cap;
    bool failed;
    bool first; /* no member in the object opened last yet */
};

void json_text_free(struct json_text *j);

/* Raw bytes, as they are: copied in place while they fit (a page writes thousands of small
 * pieces), else by json_text_raw_grown, which makes room first. */
void json_text_raw_grown(struct json_text *j, const char *s, size_t n);
static inline void json_text_raw(struct json_text *j, const char *s, size_t n)
{
    if (j->failed || j->len + n + 1 > j->cap) {
        json_text_raw_grown(j, s, n);
        return;
    }
    memcpy(j->buf + j->len, s, n);
    j->len += n;
    j->buf[j->len] = '\0';
}

/* "{" and "}" of an object whose members json_text_member starts. */
void json_text_open(struct json_text *j);
void json_text_close(struct json_text *j);
/* The separator before a member and its key (a plain ASCII name). */
void json_text_member(struct json_text *j, const char *key);

/* s as a JSON string escaped as jansson escapes it; NULL as null. Fails on bytes that
 * are not well-formed UTF-8 (which jansson refuses too). */
void json_text_string(struct json_text *j, const char *s);
void json_text_int(struct json_text *j, int64_t v);

/*
 * JSON text that PostgreSQL stored (a json column), written compact: whitespace between
 * tokens dropped, everything else copied. Returns false, having written nothing, when the
 * text holds what jansson would write otherwise (an escape \uXXXX or \/, a number with a
 * fraction or an exponent, -0) or is not well formed, when its first character is not
 * open (the '[' or '{' the caller expects), or for NULL: the caller then writes that value
 * through jansson.
 */
bool json_text_stored(struct json_text *j, const char *text, char open);

/* One name a stored list holds: its "name" and "slug" members (slug NULL when it has none). */
struct json_name {
    const char *name, *slug;
};
/*
 * The "name" and "slug" string members of each object of text (a stored JSON array of
 * objects, or the one stored object when open is '{'), read without building a tree: up to
 * max into names, their strings in *copy (caller frees), in order. An object whose name is
 * not a string is left out, as a reader of the tree would leave it. Returns how many, or -1
 * (*copy NULL) for what it leaves to jansson: NULL, text not well formed (as jansson reads
 * it: UTF-8, no control character in a string, integers of 64 bits), an element that is
 * not an object, an escape in a name or slug, more than max.
 */
int json_text_names(const char *text, char open, struct json_name *names, int max, char **copy);

#endif
