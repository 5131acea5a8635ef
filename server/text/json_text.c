/* json_text.c: JSON written straight into a buffer, the bytes jansson's compact dump
 * writes for the same values (tests/unit/text/test_json_text.c holds the two together),
 * and names read straight out of stored lists. */
#include "text/json_text.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "infra/utf8.h"

void json_text_free(struct json_text *j)
{
    free(j->buf);
    memset(j, 0, sizeof *j);
}

/* Room for n more bytes and the NUL; false (failed) when there is no memory. */
static bool reserve(struct json_text *j, size_t n)
{
    if (j->failed)
        return false;
    if (j->len + n + 1 <= j->cap)
        return true;
    size_t cap = j->cap ? j->cap : 1024;
    while (cap < j->len + n + 1)
        cap *= 2;
    char *grown = realloc(j->buf, cap);
    if (grown == NULL) {
        j->failed = true;
        return false;
    }
    j->buf = grown;
    j->cap = cap;
    return true;
}

void json_text_raw_grown(struct json_text *j, const char *s, size_t n)
{
    if (!reserve(j, n))
        return;
    memcpy(j->buf + j->len, s, n);
    j->len += n;
    j->buf[j->len] = '\0';
}

void json_text_open(struct json_text *j)
{
    json_text_raw(j, "{", 1);
    j->first = true;
}

void json_text_close(struct json_text *j)
{
    json_text_raw(j, "}", 1);
    j->first = false;
}

void json_text_member(struct json_text *j, const char *key)
{
    if (!j->first)
        json_text_raw(j, ",", 1);
    j->first = false;
    json_text_raw(j, "\"", 1);
    json_text_raw(j, key, strlen(key));
    json_text_raw(j, "\":", 2);
}

/* jansson's escape of an ASCII byte that needs one. */
static void put_escape(struct json_text *j, unsigned char c)
{
    static const char hex[] = "0123456789ABCDEF";
    char esc[6] = { '\\', 0, 0, 0, 0, 0 };
    size_t n = 2;
    switch (c) {
    case '"': esc[1] = '"'; break;
    case '\\': esc[1] = '\\'; break;
    case '\b': esc[1] = 'b'; break;
    case '\f': esc[1] = 'f'; break;
    case '\n': esc[1] = 'n'; break;
    case '\r': esc[1] = 'r'; break;
    case '\t': esc[1] = 't'; break;
    default:
        memcpy(esc + 1, "u00", 3);
        esc[4] = hex[c >> 4];
        esc[5] = hex[c & 0xf];
        n = 6;
    }
    json_text_raw(j, esc, n);
}

void json_text_string(struct json_text *j, const char *s)
{
    if (s == NULL) {
        json_text_raw(j, "null", 4);
        return;
    }
    json_text_raw(j, "\"", 1);
    /* runs of bytes written as they are (ASCII and well-formed UTF-8) are copied at once */
    const unsigned char *p = (const unsigned char *)s, *run = p;
    for (;;) {
        unsigned char c = *p;
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            p++;
            continue;
        }
        if (c >= 0x80) {
            size_t n = utf8_sequence(p);
            if (n == 0) {
                j->failed = true;
                return;
            }
            p += n;
            continue;
        }
        json_text_raw(j, (const char *)run, (size_t)(p - run));
        if (c == '\0')
            break;
        put_escape(j, c);
        run = ++p;
    }
    json_text_raw(j, "\"", 1);
}

void json_text_int(struct json_text *j, int64_t v)
{
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%" PRId64, v);
    json_text_raw(j, digits, (size_t)n);
}

/* The end of the string whose opening quote is at p, past its closing quote; NULL when it
 * holds an escape jansson writes otherwise (\uXXXX, \/) or never ends. */
static const char *string_end(const char *p)
{
    for (p++; *p != '\0'; p++) {
        if (*p == '"')
            return p + 1;
        if (*p == '\\' && (p[1] == '\0' || strchr("\"\\bfnrt", p[1]) == NULL))
            return NULL;
        if (*p == '\\')
            p++;
    }
    return NULL;
}

/* True for a number jansson writes back as it is: an integer, not -0. */
static bool plain_integer(const char *p, const char **end)
{
    const char *q = p + (*p == '-');
    if (*q < '0' || *q > '9' || (*q == '0' && q[1] >= '0' && q[1] <= '9') || (*q == '0' && *p == '-'))
        return false;
    while (*q >= '0' && *q <= '9')
        q++;
    *end = q;
    return *q != '.' && *q != 'e' && *q != 'E';
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The end of the token at p (a string, an integer, a literal, or one punctuation byte);
 * NULL for anything json_text_stored leaves to jansson. */
static const char *token_end(const char *p)
{
    const char *end = p + 1;
    switch (*p) {
    case '"':
        return string_end(p);
    case '[': case ']': case '{': case '}': case ',': case ':':
        return end;
    case 't':
        return strncmp(p, "true", 4) == 0 ? p + 4 : NULL;
    case 'n':
        return strncmp(p, "null", 4) == 0 ? p + 4 : NULL;
    case 'f':
        return strncmp(p, "false", 5) == 0 ? p + 5 : NULL;
    default:
        return plain_integer(p, &end) ? end : NULL;
    }
}

/* Where a container is in its grammar: what the next token may be. */
enum expect { EXPECT_VALUE, EXPECT_VALUE_OR_CLOSE, EXPECT_KEY, EXPECT_KEY_OR_CLOSE, EXPECT_COLON,
              EXPECT_COMMA_OR_CLOSE };

#define STORED_MAX_DEPTH 32

/* Checks one token against the grammar and moves it on; false when it is out of place. */
static bool grammar_step(char c, char *open, enum expect *state, int *depth)
{
    enum expect *st = &state[*depth];
    bool value_expected = *st == EXPECT_VALUE || *st == EXPECT_VALUE_OR_CLOSE;
    if (c == ']' || c == '}') {
        if (*depth == 0 || open[*depth] != (c == ']' ? '[' : '{') ||
            (*st != EXPECT_VALUE_OR_CLOSE && *st != EXPECT_KEY_OR_CLOSE && *st != EXPECT_COMMA_OR_CLOSE))
            return false;
        (*depth)--;
        state[*depth] = EXPECT_COMMA_OR_CLOSE;
        return true;
    }
    if (c == ',') {
        if (*st != EXPECT_COMMA_OR_CLOSE || *depth == 0)
            return false;
        *st = open[*depth] == '[' ? EXPECT_VALUE : EXPECT_KEY;
        return true;
    }
    if (c == ':') {
        if (*st != EXPECT_COLON)
            return false;
        *st = EXPECT_VALUE;
        return true;
    }
    if ((*st == EXPECT_KEY || *st == EXPECT_KEY_OR_CLOSE) && c == '"') {
        *st = EXPECT_COLON;
        return true;
    }
    if (!value_expected)
        return false;
    *st = EXPECT_COMMA_OR_CLOSE;
    if (c == '[' || c == '{') {
        if (*depth + 1 >= STORED_MAX_DEPTH)
            return false;
        (*depth)++;
        open[*depth] = c;
        state[*depth] = c == '[' ? EXPECT_VALUE_OR_CLOSE : EXPECT_KEY_OR_CLOSE;
    }
    return true;
}

bool json_text_stored(struct json_text *j, const char *text, char open)
{
    if (text == NULL)
        return false;
    const char *p = text;
    while (is_space(*p))
        p++;
    if (*p != open || j->failed)
        return false;
    size_t start = j->len;
    char opened[STORED_MAX_DEPTH] = { 0 };
    enum expect state[STORED_MAX_DEPTH] = { EXPECT_VALUE };
    int depth = 0;
    bool ok = true;
    const char *run = p; /* tokens with no space between them are copied together */
    do {
        const char *end = token_end(p);
        if (end == NULL || !grammar_step(*p, opened, state, &depth)) {
            ok = false;
            break;
        }
        p = end;
        if (is_space(*p) || depth == 0) {
            json_text_raw(j, run, (size_t)(p - run));
            while (is_space(*p))
                p++;
            run = p;
        }
    } while (depth > 0 && *p != '\0');
    if (ok && run != p)
        json_text_raw(j, run, (size_t)(p - run));
    if (!ok || depth != 0 || *p != '\0' || j->failed) {
        /* not written as jansson would write it: what was copied goes */
        if (!j->failed && j->buf != NULL) {
            j->len = start;
            j->buf[start] = '\0';
        }
        return false;
    }
    return true;
}

/* Whether jansson would read the token from p to end as the tokenizer does: a string of
 * well-formed UTF-8 with no control character, an integer that fits in 64 bits (18 digits
 * at most, to be sure), anything else as it is. */
static bool token_jansson_reads(const char *p, const char *end)
{
    if (*p == '"') {
        for (const unsigned char *q = (const unsigned char *)p + 1; q < (const unsigned char *)end - 1;) {
            size_t n = *q < 0x80 ? (*q >= 0x20) : utf8_sequence(q);
            if (n == 0)
                return false;
            q += n;
        }
        return true;
    }
    return !(*p == '-' || (*p >= '0' && *p <= '9')) || end - p - (*p == '-') <= 18;
}

/* The string token from p to end (quotes included) NUL-terminated in place, in the copy;
 * NULL when it holds an escape (left to jansson, which decodes it). */
static char *plain_string_in_place(char *p, const char *end)
{
    char *close = (char *)end - 1;
    if (memchr(p + 1, '\\', (size_t)(close - p - 1)) != NULL)
        return NULL;
    *close = '\0';
    return p + 1;
}

/* Which member the key token from p to end names: name, slug, or neither (NULL). */
static char **member_of_key(const char *p, const char *end, char **name, char **slug)
{
    if (end - p != 6)
        return NULL;
    return strncmp(p, "\"name\"", 6) == 0 ? name : strncmp(p, "\"slug\"", 6) == 0 ? slug : NULL;
}

int json_text_names(const char *text, char open, struct json_name *names, int max, char **copy)
{
    *copy = NULL;
    const char *lead = text;
    while (lead != NULL && is_space(*lead))
        lead++;
    if (lead == NULL || *lead != open || (*copy = strdup(lead)) == NULL)
        return -1;
    char opened[STORED_MAX_DEPTH] = { 0 };
    enum expect state[STORED_MAX_DEPTH] = { EXPECT_VALUE };
    const int object_depth = open == '[' ? 2 : 1; /* where the objects named are */
    int depth = 0, n = 0;
    char **member = NULL; /* where the value of the key just read goes, if anywhere */
    char *name = NULL, *slug = NULL, *p = *copy;
    do {
        char *end = (char *)token_end(p), c = *p;
        enum expect at = state[depth];
        bool in_object = depth == object_depth;
        bool element = open == '[' && depth == 1 && (at == EXPECT_VALUE || at == EXPECT_VALUE_OR_CLOSE);
        if (end == NULL || !token_jansson_reads(p, end) || !grammar_step(c, opened, state, &depth) ||
            (element && c != '{' && c != ']'))
            goto refused;
        if (in_object && (at == EXPECT_KEY || at == EXPECT_KEY_OR_CLOSE) && c == '"')
            member = member_of_key(p, end, &name, &slug);
        else if (in_object && at == EXPECT_VALUE && member != NULL) {
            *member = c == '"' ? plain_string_in_place(p, end) : NULL; /* else: as if none */
            if (c == '"' && *member == NULL)
                goto refused;
        }
        if (c == '{' && depth == object_depth) {
            name = slug = NULL;
            member = NULL;
        }
        if (c == '}' && depth == object_depth - 1 && name != NULL) {
            if (n == max)
                goto refused;
            names[n++] = (struct json_name){ .name = name, .slug = slug };
        }
        p = end;
        while (is_space(*p))
            p++;
    } while (depth > 0 && *p != '\0');
    if (depth == 0 && *p == '\0')
        return n;
refused:
    free(*copy);
    *copy = NULL;
    return -1;
}
