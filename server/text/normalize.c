/* normalize.c: Arabic-aware text rules (matching keys, slugs, UTF-8 checks) on libutf8proc. */
#include "text/normalize.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "internal.h"

/*
 * NFC plus full case folding. STABLE keeps results fixed across Unicode versions; no
 * compatibility (K) mapping here, so "①" or "ﬁ" are kept as written: only the Arabic
 * presentation forms get it (expand_presentation_new).
 */
#define FOLD_OPTIONS (UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD)
#define COMPAT_OPTIONS (UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT)

/* Removing marks rarely needs more than a second NFC pass; this only bounds the loop. */
#define MAX_PASSES 8

#define NO_POS SIZE_MAX

/* What a rule does with one code point. */
enum cp_action {
    CP_KEEP, /* output it (possibly mapped) */
    CP_DROP, /* remove it as if it were never there: words on both sides join */
    CP_SEP,  /* it separates words: runs of these become one separator, none at the ends */
};

/* A per-code-point rule: decides the action and sets *out to the code point to emit. */
typedef enum cp_action (*cp_rule)(utf8proc_int32_t cp, utf8proc_int32_t *out);

/* Harakat, shadda, sukun, hamza/madda marks and the superscript alef: vowel marks, not letters. */
static bool is_tashkeel(utf8proc_int32_t cp)
{
    return (cp >= TASHKEEL_FIRST && cp <= TASHKEEL_LAST) || cp == SUPERSCRIPT_ALEF;
}

/* Punctuation (P*) and symbols (S*), the characters a slug has no room for. */
static bool is_punct_or_symbol(utf8proc_int32_t cp)
{
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_PC: case UTF8PROC_CATEGORY_PD: case UTF8PROC_CATEGORY_PS:
    case UTF8PROC_CATEGORY_PE: case UTF8PROC_CATEGORY_PI: case UTF8PROC_CATEGORY_PF:
    case UTF8PROC_CATEGORY_PO: case UTF8PROC_CATEGORY_SM: case UTF8PROC_CATEGORY_SC:
    case UTF8PROC_CATEGORY_SK: case UTF8PROC_CATEGORY_SO:
        return true;
    default:
        return false;
    }
}

/*
 * The letter a spelling variant is matched as, apart from hamza on alef (see
 * text_fold_variants); others unchanged.
 */
static utf8proc_int32_t key_letter(utf8proc_int32_t cp)
{
    switch (cp) {
    case KEHEH:
        return KAF;
    case FARSI_YEH: case ALEF_MAKSURA:
        return YEH;
    case ALEF_MADDA: case ALEF_WASLA:
        return ALEF;
    case HAMZA: case WAW_HAMZA:
        return YEH_HAMZA;
    default:
        break;
    }
    if (cp >= ARABIC_INDIC_ZERO && cp <= ARABIC_INDIC_ZERO + 9)
        return '0' + (cp - ARABIC_INDIC_ZERO);
    if (cp >= EXT_ARABIC_INDIC_ZERO && cp <= EXT_ARABIC_INDIC_ZERO + 9)
        return '0' + (cp - EXT_ARABIC_INDIC_ZERO);
    return cp;
}

/* Letters a word may start with before its stem: conjunctions, prepositions, the article. */
static bool is_proclitic_letter(utf8proc_int32_t cp)
{
    return cp == WAW || cp == FEH || cp == BEH || cp == KAF || cp == LAM || cp == ALEF;
}

size_t text_fold_variants(char *s, size_t len)
{
    size_t pos = 0, n = 0;
    bool stem_start = true; /* only proclitic letters so far in this word */
    while (pos < len) {
        utf8proc_int32_t cp, out;
        pos += decode_at(s + pos, len - pos, &cp);
        out = key_letter(cp);
        if (cp == ALEF_HAMZA_ABOVE || cp == ALEF_HAMZA_BELOW)
            /* أ and إ open a stem far more often than not, and there the hamza is the
             * one most often left out (احمد, اسرائيل); inside a word it is one of the
             * hamza seats, which writers choose differently (هيأة, هيئة) */
            out = stem_start ? ALEF : YEH_HAMZA;
        utf8proc_category_t cat = utf8proc_category(cp);
        if (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO)
            stem_start = stem_start && is_proclitic_letter(cp);
        else if (cat < UTF8PROC_CATEGORY_MN || cat > UTF8PROC_CATEGORY_ME)
            stem_start = true; /* neither letter nor mark: a new word starts after it */
        n += (size_t)utf8proc_encode_char(out, (utf8proc_uint8_t *)s + n);
    }
    s[n] = '\0';
    return n;
}

/* Rule of the written form and the keys: marks and invisibles gone, white space folded. */
static enum cp_action key_rule(utf8proc_int32_t cp, utf8proc_int32_t *out)
{
    *out = cp;
    if (is_white_space(cp))
        return CP_SEP;
    if (is_tashkeel(cp) || is_invisible(cp))
        return CP_DROP;
    return CP_KEEP;
}

/* Rule of text_slugify_new: letters kept as written, punctuation and symbols split words. */
static enum cp_action slug_rule(utf8proc_int32_t cp, utf8proc_int32_t *out)
{
    *out = cp;
    if (is_white_space(cp))
        return CP_SEP;
    if (is_tashkeel(cp) || is_invisible(cp))
        return CP_DROP;
    if (is_punct_or_symbol(cp)) /* '-' and '_' included (Pd, Pc) */
        return CP_SEP;
    return CP_KEEP;
}

/*
 * Applies rule to the len valid bytes at in, writing to out (NUL-terminated) and
 * returning its length. Every rule maps a character to one of no more bytes and a
 * separator run to one byte, so out needs at most len + 1 bytes.
 */
static size_t apply_rule(const char *in, size_t len, cp_rule rule, char sep, char *out)
{
    size_t pos = 0, n = 0;
    bool pending_sep = false; /* set only after output, so leading separators vanish */
    while (pos < len) {
        utf8proc_int32_t cp, mapped;
        pos += decode_at(in + pos, len - pos, &cp);
        switch (rule(cp, &mapped)) {
        case CP_DROP:
            break;
        case CP_SEP:
            pending_sep = n > 0;
            break;
        case CP_KEEP:
            if (pending_sep)
                out[n++] = sep;
            pending_sep = false;
            n += (size_t)utf8proc_encode_char(mapped, (utf8proc_uint8_t *)out + n);
            break;
        }
    }
    out[n] = '\0';
    return n;
}

/*
 * One pass: NFC and case fold s (len bytes), then the rule. Returns a new string
 * and its length in *out_len, or NULL on no memory.
 */
static char *fold_pass_new(const char *s, size_t len, cp_rule rule, char sep, size_t *out_len)
{
    utf8proc_uint8_t *folded = NULL;
    char *out = NULL;
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len,
                                      &folded, FOLD_OPTIONS);
    if (n < 0)
        goto done;
    out = malloc((size_t)n + 1);
    if (out == NULL)
        goto done;
    *out_len = apply_rule((const char *)folded, (size_t)n, rule, sep, out);
done:
    free(folded);
    return out;
}

/* The Arabic presentation forms (ligatures and positional shapes of letters). */
static bool is_presentation_form(utf8proc_int32_t cp)
{
    return (cp >= 0xFB50 && cp <= 0xFDFF) || (cp >= 0xFE70 && cp <= 0xFEFF);
}

/*
 * The len valid bytes at s with each Arabic presentation form replaced by its NFKC
 * text ("ﻻ" -> "لا"), everything else as it is: NFKC of the whole text would also
 * turn "①" into "1" or "ﬁ" into "fi". Returns NULL when s holds none (all of them
 * start with the byte 0xEF) or on no memory; else a new string, its length in *out_len.
 */
static char *expand_presentation_new(const char *s, size_t len, size_t *out_len)
{
    char *out = NULL;
    size_t n = 0, pos = 0;
    FILE *f = NULL;
    if (memchr(s, 0xEF, len) == NULL || (f = open_memstream(&out, &n)) == NULL)
        return NULL;
    bool any = false;
    while (pos < len) {
        utf8proc_int32_t cp;
        size_t step = decode_at(s + pos, len - pos, &cp);
        utf8proc_uint8_t *compat = NULL;
        if (is_presentation_form(cp) &&
            utf8proc_map((const utf8proc_uint8_t *)s + pos, (utf8proc_ssize_t)step, &compat,
                         COMPAT_OPTIONS) >= 0) {
            fputs((const char *)compat, f);
            any = true;
        } else {
            fwrite(s + pos, 1, step, f);
        }
        free(compat);
        pos += step;
    }
    if (fclose(f) != 0 || !any) {
        free(out);
        return NULL;
    }
    *out_len = n;
    return out;
}

/*
 * NFC, case fold and rule over the len valid bytes at s (presentation forms expanded
 * first), repeated until a pass changes nothing. One pass is not enough: removing a
 * mark or a ZWNJ can let NFC compose (or reorder) what it could not before, e.g. "e"
 * U+0653 U+0301 becomes "e" U+0301, which NFC makes "é". The fixed point is what makes
 * the result NFC and the functions idempotent. Returns a new string and its length in
 * *out_len, or NULL on no memory.
 */
static char *fold_bytes_new(const char *s, size_t len, cp_rule rule, char sep, size_t *out_len)
{
    size_t expanded_len = 0;
    char *expanded = expand_presentation_new(s, len, &expanded_len);
    char *cur = NULL;
    const char *in = expanded ? expanded : s;
    len = expanded ? expanded_len : len;
    for (int pass = 0; pass < MAX_PASSES; pass++) {
        size_t next_len = 0;
        char *next = fold_pass_new(in, len, rule, sep, &next_len);
        bool stable = next != NULL && next_len == len && memcmp(next, in, len) == 0;
        free(cur);
        cur = next;
        if (cur == NULL || stable)
            break;
        in = cur;
        len = next_len;
    }
    free(expanded);
    *out_len = len;
    return cur;
}

/* fold_bytes_new on a whole string; NULL on NULL input, invalid UTF-8 or no memory. */
static char *fold_new(const char *s, cp_rule rule, char sep)
{
    size_t out_len;
    if (s == NULL || !text_is_valid_utf8(s, strlen(s)))
        return NULL;
    return fold_bytes_new(s, strlen(s), rule, sep, &out_len);
}

/* Byte length of the first max_chars characters of the valid UTF-8 string s. */
static size_t prefix_bytes(const char *s, size_t max_chars)
{
    size_t len = strlen(s), pos = 0;
    for (size_t chars = 0; pos < len && chars < max_chars; chars++) {
        utf8proc_int32_t cp;
        pos += decode_at(s + pos, len - pos, &cp);
    }
    return pos;
}

/*
 * Byte length a slug is cut to for max_chars characters: all of it when it fits,
 * else back to the last '-' within the limit (a word boundary), else a hard cut.
 * A slug has no doubled or edge '-', so the result never ends with '-'.
 */
static size_t slug_cut_bytes(const char *slug, size_t max_chars)
{
    size_t cut = prefix_bytes(slug, max_chars);
    if (slug[cut] == '\0' || slug[cut] == '-')
        return cut; /* fits, or the limit falls exactly between two words */
    const char *dash = memrchr(slug, '-', cut);
    return dash != NULL ? (size_t)(dash - slug) : cut;
}

bool text_is_valid_utf8(const char *s, size_t len)
{
    if (s == NULL)
        return len == 0;
    size_t pos = 0;
    while (pos < len) {
        utf8proc_int32_t cp;
        if (s[pos] == '\0')
            return false; /* a NUL would cut the string short in C and in PostgreSQL */
        /* utf8proc_iterate rejects overlongs, surrogates, > U+10FFFF and truncation */
        utf8proc_ssize_t step =
            utf8proc_iterate((const utf8proc_uint8_t *)s + pos, (utf8proc_ssize_t)(len - pos), &cp);
        if (step <= 0 || cp < 0)
            return false;
        pos += (size_t)step;
    }
    return true;
}

size_t text_char_count(const char *s)
{
    size_t count = 0;
    if (s == NULL)
        return 0;
    /* each character has exactly one byte that is not a continuation byte (10xxxxxx) */
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
        count += (*p & 0xC0) != 0x80;
    return count;
}

bool text_is_blank(const char *s)
{
    if (s == NULL)
        return true;
    size_t len = strlen(s), pos = 0;
    while (pos < len) {
        utf8proc_int32_t cp;
        pos += decode_at(s + pos, len - pos, &cp);
        if (!is_white_space(cp))
            return false; /* invalid bytes are not white space either */
    }
    return true;
}

char *text_normalize_new(const char *s)
{
    char *key = fold_new(s, key_rule, ' ');
    if (key != NULL)
        text_fold_variants(key, strlen(key));
    return key;
}

char *text_slugify_new(const char *s, size_t max_chars)
{
    char *slug = fold_new(s, slug_rule, '-');
    if (slug != NULL)
        slug[slug_cut_bytes(slug, max_chars)] = '\0';
    return slug;
}

char *text_slug_key_new(const char *s)
{
    char *slug = text_slugify_new(s, TEXT_SLUG_MAX_CHARS);
    char *key = text_normalize_new(slug);
    free(slug);
    return key;
}

char *text_slug_with_suffix_new(const char *base, unsigned n, size_t max_chars)
{
    char *out = NULL;
    char suffix[16] = "";
    if (base == NULL || !text_is_valid_utf8(base, strlen(base)))
        goto done;
    if (n >= 2)
        snprintf(suffix, sizeof suffix, "-%u", n);
    size_t suffix_len = strlen(suffix); /* ASCII: bytes are characters */
    size_t keep = prefix_bytes(base, max_chars > suffix_len ? max_chars - suffix_len : 0);
    while (keep > 0 && base[keep - 1] == '-')
        keep--;
    /* with nothing of base left, "-2" would start with '-': the number stands alone */
    const char *tail = (keep == 0 && n >= 2) ? suffix + 1 : suffix;
    if (strlen(tail) > max_chars)
        goto done; /* not even the number fits */
    out = malloc(keep + strlen(tail) + 1);
    if (out == NULL)
        goto done;
    memcpy(out, base, keep);
    strcpy(out + keep, tail);
done:
    return out;
}

char *text_trim_new(const char *s)
{
    if (s == NULL)
        return NULL;
    size_t len = strlen(s), pos = 0, start = NO_POS, end = 0;
    while (pos < len) {
        utf8proc_int32_t cp;
        size_t step = decode_at(s + pos, len - pos, &cp);
        if (!is_white_space(cp)) {
            if (start == NO_POS)
                start = pos;
            end = pos + step;
        }
        pos += step;
    }
    if (start == NO_POS)
        start = end = 0;
    return strndup(s + start, end - start);
}

char *text_written_new(const char *s, size_t len, size_t *out_len)
{
    return fold_bytes_new(s, len, key_rule, ' ', out_len);
}
