/* internal.h: what the text files share: the Arabic code points of the rules, character
 * classes and the search key of a word. Nothing outside server/text/ includes this. */
#ifndef KHABAR_TEXT_INTERNAL_H
#define KHABAR_TEXT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <utf8proc.h>

#include "text/words.h"

/* Hand-written Arabic code points of the rules in normalize.h and words.h; everything else
 * comes from utf8proc. */
enum {
    HAMZA = 0x0621,
    ALEF_MADDA = 0x0622,
    ALEF_HAMZA_ABOVE = 0x0623,
    WAW_HAMZA = 0x0624,
    ALEF_HAMZA_BELOW = 0x0625,
    YEH_HAMZA = 0x0626,
    ALEF = 0x0627,
    BEH = 0x0628,
    TEH_MARBUTA = 0x0629,
    TEH = 0x062A,
    TATWEEL = 0x0640,
    FEH = 0x0641,
    KAF = 0x0643,
    LAM = 0x0644,
    HEH = 0x0647,
    WAW = 0x0648,
    ALEF_MAKSURA = 0x0649,
    YEH = 0x064A,
    TASHKEEL_FIRST = 0x064B,
    TASHKEEL_LAST = 0x065F,
    ARABIC_INDIC_ZERO = 0x0660,
    SUPERSCRIPT_ALEF = 0x0670,
    ALEF_WASLA = 0x0671,
    KEHEH = 0x06A9,
    FARSI_YEH = 0x06CC,
    EXT_ARABIC_INDIC_ZERO = 0x06F0,
};

/* Decodes the character at s (len bytes left); invalid bytes give cp -1 and step 1. */
static inline size_t decode_at(const char *s, size_t len, utf8proc_int32_t *cp)
{
    utf8proc_ssize_t step =
        utf8proc_iterate((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, cp);
    if (step <= 0 || *cp < 0) {
        *cp = -1;
        return 1;
    }
    return (size_t)step;
}

/* Unicode White_Space: utf8proc has no such property, but it is exactly Zs plus these. */
static inline bool is_white_space(utf8proc_int32_t cp)
{
    switch (cp) {
    case 0x09: case 0x0A: case 0x0B: case 0x0C: case 0x0D:
    case 0x85: case 0x2028: case 0x2029:
        return true;
    default:
        return cp >= 0 && utf8proc_category(cp) == UTF8PROC_CATEGORY_ZS;
    }
}

/*
 * Characters that change nothing a reader sees: format characters (ZWNJ, ZWJ, RLM,
 * LRM, BOM...), controls other than white space, and tatweel, which only stretches
 * a word. They vanish without splitting the word they sit in.
 */
static inline bool is_invisible(utf8proc_int32_t cp)
{
    utf8proc_category_t cat = utf8proc_category(cp);
    if (cp == TATWEEL || cat == UTF8PROC_CATEGORY_CF)
        return true;
    return cat == UTF8PROC_CATEGORY_CC && !is_white_space(cp);
}

/*
 * The word as written, for exact matches: the len valid bytes at s with the
 * presentation forms compatibility-decomposed, NFC, case folded, tashkeel, tatweel and
 * invisible characters removed, white space folded; letter variants are kept. Returns
 * a new string and its length in *out_len, or NULL on no memory.
 */
char *text_written_new(const char *s, size_t len, size_t *out_len);

/*
 * Folds the spelling variants of normalize.h in the len bytes at s (as text_written_new
 * gives them), in place: no character grows. Teh marbuta is kept. Returns the new
 * length (s is NUL-terminated there).
 */
size_t text_fold_variants(char *s, size_t len);

/*
 * Calls fn on each search form of one word w (len bytes, as text_fold_variants leaves
 * it): the whole word first, then what removing proclitics and suffixes leaves (words.h),
 * each with teh marbuta read as heh and none twice; affix tells fn which kind a form is
 * (0 whole, 1 affix removed). Returns fn's first nonzero answer, or 0.
 */
typedef int (*text_kind_fn)(const char *form, size_t len, int affix, void *arg);
int text_affix_forms(const char *w, size_t len, text_kind_fn fn, void *arg);

/* The written form of the word whose forms are being passed on (TEXT_FORM_WRITTEN comes
 * before them): what tells the vector and the query whether a whole form is exact. */
struct text_written {
    char s[TEXT_SEARCH_WORD_MAX_BYTES];
    size_t len;
    long word; /* -1: none yet */
};

static inline void text_written_keep(struct text_written *w, size_t word, const char *form,
                                     size_t len)
{
    memcpy(w->s, form, len);
    w->len = len;
    w->word = (long)word;
}

/* True when word's written form is known and is form (len bytes). */
static inline bool text_written_is(const struct text_written *w, size_t word, const char *form,
                                   size_t len)
{
    return w->word == (long)word && w->len == len && memcmp(w->s, form, len) == 0;
}

/* Appends a form (len bytes) to f as a quoted tsvector/tsquery lexeme: ' and \\ doubled. */
void text_put_lexeme(FILE *f, const char *form, size_t len);

#endif
