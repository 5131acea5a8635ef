/*
 * fuzz_common.h: what both fuzz targets share: CHECK (a failed property is a crash the
 * fuzzer reports), a reference UTF-8 decoder written from RFC 3629 (not from normalize.c),
 * and syntax checks of what khabar hands to PostgreSQL (tsvector and tsquery texts)
 * and to browsers (snippets).
 */
#ifndef KHABAR_FUZZ_COMMON_H
#define KHABAR_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

/* A property that must hold: when it does not, say which and stop with SIGILL. */
#define CHECK(cond)                                                                      \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "\nPROPERTY FAILED: %s\n  at %s:%d\n", #cond, __FILE__,     \
                    __LINE__);                                                           \
            __builtin_trap();                                                            \
        }                                                                                \
    } while (0)

/* CHECK with the strings involved printed first (a and b may be NULL). */
#define CHECK_STREQ(a, b)                                                                \
    do {                                                                                 \
        const char *check_a_ = (a), *check_b_ = (b);                                     \
        if (check_a_ == NULL || check_b_ == NULL || strcmp(check_a_, check_b_) != 0) {   \
            fprintf(stderr, "\n%s = \"%s\"\n%s = \"%s\"\n", #a,                         \
                    check_a_ ? check_a_ : "(null)", #b, check_b_ ? check_b_ : "(null)"); \
            CHECK(!"the two strings differ");                                            \
        }                                                                                \
    } while (0)

/* Compares two strings either of which may be NULL (both NULL is equal). */
static inline bool fz_same(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* A NUL-terminated copy of len bytes (which may hold NULs: C sees the part before). */
static inline char *fz_strndup(const void *data, size_t len)
{
    char *s = malloc(len + 1);
    if (s == NULL)
        abort();
    if (len > 0)
        memcpy(s, data, len);
    s[len] = '\0';
    return s;
}

/*
 * Decodes one character of RFC 3629 UTF-8 at s (len > 0 bytes left): its length, or
 * 0 when the bytes there are not a character (bad lead, bad continuation, truncated,
 * overlong, surrogate, above U+10FFFF). NUL decodes as U+0000.
 */
static inline size_t fz_utf8_decode(const unsigned char *s, size_t len, int32_t *cp)
{
    unsigned char b = s[0];
    size_t n;
    int32_t v, min;
    if (b < 0x80) {
        *cp = b;
        return 1;
    } else if (b >= 0xC2 && b <= 0xDF) {
        n = 2, v = b & 0x1F, min = 0x80;
    } else if (b >= 0xE0 && b <= 0xEF) {
        n = 3, v = b & 0x0F, min = 0x800;
    } else if (b >= 0xF0 && b <= 0xF4) {
        n = 4, v = b & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (len < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return n;
}

/* Well-formed UTF-8 with no NUL (what normalize.h calls valid). */
static inline bool fz_utf8_valid(const void *data, size_t len)
{
    const unsigned char *s = data;
    size_t pos = 0;
    while (pos < len) {
        int32_t cp;
        size_t n = fz_utf8_decode(s + pos, len - pos, &cp);
        if (n == 0 || cp == 0)
            return false;
        pos += n;
    }
    return true;
}

static inline bool fz_str_valid(const char *s)
{
    return s != NULL && fz_utf8_valid(s, strlen(s));
}

/* Code points of a valid string. */
static inline size_t fz_char_count(const char *s)
{
    size_t pos = 0, len = strlen(s), count = 0;
    while (pos < len) {
        int32_t cp;
        size_t n = fz_utf8_decode((const unsigned char *)s + pos, len - pos, &cp);
        pos += n ? n : 1;
        count++;
    }
    return count;
}

/* Unicode White_Space (PropList.txt): Zs plus these. */
static inline bool fz_is_white_space(int32_t cp)
{
    switch (cp) {
    case 0x09: case 0x0A: case 0x0B: case 0x0C: case 0x0D:
    case 0x85: case 0x2028: case 0x2029:
        return true;
    default:
        return cp >= 0 && utf8proc_category(cp) == UTF8PROC_CATEGORY_ZS;
    }
}

/* True when a slug-shaped string has no leading, trailing or doubled '-'. */
static inline bool fz_dashes_ok(const char *s)
{
    size_t len = strlen(s);
    if (len == 0)
        return true;
    return s[0] != '-' && s[len - 1] != '-' && strstr(s, "--") == NULL;
}

/* ---- PostgreSQL text forms ---- */

/*
 * Reads a quoted lexeme at *p ('...' with '' and backslash escapes), as PostgreSQL's
 * tsvector and tsquery input do; sets *out and *out_len to its raw span. False when bad.
 */
static inline bool fz_read_lexeme(const char **p, const char **out, size_t *out_len)
{
    const char *s = *p;
    if (*s != '\'')
        return false;
    s++;
    *out = s;
    size_t content = 0;
    for (;;) {
        if (*s == '\0')
            return false;
        if (*s == '\\') {
            if (s[1] == '\0')
                return false;
            s += 2, content++;
        } else if (*s == '\'') {
            if (s[1] == '\'') {
                s += 2, content++;
            } else {
                break;
            }
        } else {
            s++, content++;
        }
    }
    *out_len = (size_t)(s - *out);
    *p = s + 1;
    return content > 0; /* an empty lexeme is a syntax error in PostgreSQL */
}

static inline int fz_cmp_span(const void *a, const void *b)
{
    const char *const *x = a, *const *y = b;
    /* each entry points at a lexeme's text; the span ends at the closing quote */
    const char *p = *x, *q = *y;
    for (;; p++, q++) {
        bool end_p = *p == '\'' && p[1] != '\'', end_q = *q == '\'' && q[1] != '\'';
        if (end_p || end_q)
            return end_p && end_q ? 0 : end_p ? -1 : 1;
        if (*p == '\'' || *p == '\\') /* an escape pair: compare both bytes */
            p++;
        if (*q == '\'' || *q == '\\')
            q++;
        if (*p != *q)
            return (unsigned char)*p < (unsigned char)*q ? -1 : 1;
    }
}

/*
 * Checks the text search_vector_new makes: "'lexeme':3A,17C 'other':5B " -- each
 * lexeme quoted, non-empty and given once, its positions 1..16383 strictly rising,
 * weights A, B or C never falling (title, then summary, then body).
 */
static inline void fz_check_tsvector(const char *v)
{
    const char *p = v;
    size_t n = 0, cap = 0;
    const char **lexemes = NULL;
    CHECK(fz_str_valid(v));
    while (*p != '\0') {
        const char *lex;
        size_t lex_len;
        CHECK(fz_read_lexeme(&p, &lex, &lex_len));
        CHECK(lex_len <= 2 * 200); /* TEXT_SEARCH_WORD_MAX_BYTES, escapes doubled */
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            lexemes = realloc(lexemes, cap * sizeof *lexemes);
            if (lexemes == NULL)
                abort();
        }
        lexemes[n++] = lex;
        long last_pos = 0;
        char last_weight = 'A';
        if (*p == ':') {
            do {
                p++;
                char *end;
                long pos = strtol(p, &end, 10);
                CHECK(end != p && *p >= '0' && *p <= '9');
                CHECK(pos >= 1 && pos <= 16383 && pos > last_pos);
                CHECK(*end == 'A' || *end == 'B' || *end == 'C');
                CHECK(*end >= last_weight);
                last_pos = pos;
                last_weight = *end;
                p = end + 1;
            } while (*p == ',');
        }
        CHECK(*p == ' ');
        p++;
    }
    if (n > 1)
        qsort(lexemes, n, sizeof *lexemes, fz_cmp_span);
    for (size_t i = 1; i < n; i++)
        CHECK(fz_cmp_span(&lexemes[i - 1], &lexemes[i]) != 0);
    free(lexemes);
}

/* A small recursive-descent reader of PostgreSQL's tsquery syntax. */
static inline void fz_skip_spaces(const char **p)
{
    while (**p == ' ')
        (*p)++;
}

static inline bool fz_tsq_or(const char **p, int depth);

static inline bool fz_tsq_operand(const char **p, int depth)
{
    const char *lex;
    size_t len;
    fz_skip_spaces(p);
    if (depth > 64)
        return false;
    if (**p == '!') {
        (*p)++;
        return fz_tsq_operand(p, depth + 1);
    }
    if (**p == '(') {
        (*p)++;
        if (!fz_tsq_or(p, depth + 1))
            return false;
        fz_skip_spaces(p);
        if (**p != ')')
            return false;
        (*p)++;
        return true;
    }
    return fz_read_lexeme(p, &lex, &len);
}

static inline bool fz_tsq_phrase(const char **p, int depth)
{
    if (!fz_tsq_operand(p, depth))
        return false;
    for (;;) {
        fz_skip_spaces(p);
        /* <-> (neighbours) or <N>, N from 2 to 16384 (words apart, PostgreSQL's bound) */
        if (strncmp(*p, "<->", 3) == 0) {
            *p += 3;
        } else if ((*p)[0] == '<' && (*p)[1] >= '1' && (*p)[1] <= '9') {
            char *end;
            long n = strtol(*p + 1, &end, 10);
            if (*end != '>' || n < 2 || n > 16384)
                return false;
            *p = end + 1;
        } else {
            return true;
        }
        if (!fz_tsq_operand(p, depth))
            return false;
    }
}

static inline bool fz_tsq_and(const char **p, int depth)
{
    if (!fz_tsq_phrase(p, depth))
        return false;
    for (;;) {
        fz_skip_spaces(p);
        if (**p != '&')
            return true;
        (*p)++;
        if (!fz_tsq_phrase(p, depth))
            return false;
    }
}

static inline bool fz_tsq_or(const char **p, int depth)
{
    if (!fz_tsq_and(p, depth))
        return false;
    for (;;) {
        fz_skip_spaces(p);
        if (**p != '|')
            return true;
        (*p)++;
        if (!fz_tsq_and(p, depth))
            return false;
    }
}

/* Checks a tsquery text: one whole expression of quoted lexemes, ! & | <-> <N> and parentheses. */
static inline void fz_check_tsquery(const char *q)
{
    const char *p = q;
    CHECK(fz_str_valid(q));
    bool ok = fz_tsq_or(&p, 0);
    fz_skip_spaces(&p);
    if (!ok || *p != '\0') {
        fprintf(stderr, "\ntsquery = \"%s\"\nbad at offset %zu\n", q, (size_t)(p - q));
        CHECK(!"the tsquery text is not valid tsquery syntax");
    }
}

/*
 * Checks a snippet (text_snippet_new): valid UTF-8, HTML-escaped (a '<' only in
 * <mark> and </mark>, which alternate and close, at least one; '&' only in the five
 * entities; no raw > " '), no control characters, no leading, trailing or doubled
 * space. Returns how many words were marked.
 */
static inline size_t fz_check_snippet(const char *s)
{
    static const char *const entities[] = { "&amp;", "&lt;", "&gt;", "&quot;", "&#39;", NULL };
    size_t len = strlen(s), pos = 0, marks = 0;
    bool open = false;
    CHECK(fz_str_valid(s));
    CHECK(len > 0 && s[0] != ' ' && s[len - 1] != ' ' && strstr(s, "  ") == NULL);
    while (pos < len) {
        int32_t cp;
        size_t n = fz_utf8_decode((const unsigned char *)s + pos, len - pos, &cp);
        CHECK(n > 0);
        CHECK(cp >= 0x20 && !(cp >= 0x7F && cp <= 0x9F)); /* no Cc, white space folded */
        if (cp == '<') {
            if (!open && strncmp(s + pos, "<mark>", 6) == 0) {
                open = true, marks++, n = 6;
            } else if (open && strncmp(s + pos, "</mark>", 7) == 0) {
                open = false, n = 7;
            } else {
                CHECK(!"a '<' that is not <mark> or </mark> in turn");
            }
        } else if (cp == '&') {
            size_t e = 0;
            while (entities[e] != NULL && strncmp(s + pos, entities[e], strlen(entities[e])) != 0)
                e++;
            CHECK(entities[e] != NULL);
            n = strlen(entities[e]);
        } else {
            CHECK(cp != '>' && cp != '"' && cp != '\'');
        }
        pos += n;
    }
    CHECK(!open && marks > 0);
    return marks;
}

#endif
