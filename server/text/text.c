/* text.c: Arabic-aware text rules (matching keys, slugs, UTF-8 checks) on top of libutf8proc. */
#include "text/text.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

/*
 * NFC plus full case folding. STABLE keeps results fixed across Unicode versions; no
 * compatibility (K) mapping, so "ﻻ" or "①" are kept as written.
 */
#define FOLD_OPTIONS (UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD)

/* Removing marks rarely needs more than a second NFC pass; this only bounds the loop. */
#define MAX_PASSES 8

#define NO_POS SIZE_MAX

/* Hand-written Arabic code points of the rules in text.h; everything else comes from utf8proc. */
enum {
    ALEF_MADDA = 0x0622,
    ALEF_HAMZA_ABOVE = 0x0623,
    ALEF_HAMZA_BELOW = 0x0625,
    ALEF = 0x0627,
    BEH = 0x0628,
    TEH_MARBUTA = 0x0629,
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

/* What a rule does with one code point. */
enum cp_action {
    CP_KEEP, /* output it (possibly mapped) */
    CP_DROP, /* remove it as if it were never there: words on both sides join */
    CP_SEP,  /* it separates words: runs of these become one separator, none at the ends */
};

/* A per-code-point rule: decides the action and sets *out to the code point to emit. */
typedef enum cp_action (*cp_rule)(utf8proc_int32_t cp, utf8proc_int32_t *out);

/* Decodes the character at s (len bytes left); invalid bytes give cp -1 and step 1. */
static size_t decode_at(const char *s, size_t len, utf8proc_int32_t *cp)
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
static bool is_white_space(utf8proc_int32_t cp)
{
    switch (cp) {
    case 0x09: case 0x0A: case 0x0B: case 0x0C: case 0x0D:
    case 0x85: case 0x2028: case 0x2029:
        return true;
    default:
        return cp >= 0 && utf8proc_category(cp) == UTF8PROC_CATEGORY_ZS;
    }
}

/* Harakat, shadda, sukun, hamza/madda marks and the superscript alef: vowel marks, not letters. */
static bool is_tashkeel(utf8proc_int32_t cp)
{
    return (cp >= TASHKEEL_FIRST && cp <= TASHKEEL_LAST) || cp == SUPERSCRIPT_ALEF;
}

/*
 * Characters that change nothing a reader sees: format characters (ZWNJ, ZWJ, RLM,
 * LRM, BOM...), controls other than white space, and tatweel, which only stretches
 * a word. They vanish without splitting the word they sit in.
 */
static bool is_invisible(utf8proc_int32_t cp)
{
    utf8proc_category_t cat = utf8proc_category(cp);
    if (cp == TATWEEL || cat == UTF8PROC_CATEGORY_CF)
        return true;
    return cat == UTF8PROC_CATEGORY_CC && !is_white_space(cp);
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

/* The letter a spelling variant is matched as (text.h lists them); other code points unchanged. */
static utf8proc_int32_t key_letter(utf8proc_int32_t cp)
{
    switch (cp) {
    case KEHEH:
        return KAF;
    case FARSI_YEH: case ALEF_MAKSURA:
        return YEH;
    case ALEF_MADDA: case ALEF_HAMZA_ABOVE: case ALEF_HAMZA_BELOW: case ALEF_WASLA:
        return ALEF;
    default:
        break;
    }
    if (cp >= ARABIC_INDIC_ZERO && cp <= ARABIC_INDIC_ZERO + 9)
        return '0' + (cp - ARABIC_INDIC_ZERO);
    if (cp >= EXT_ARABIC_INDIC_ZERO && cp <= EXT_ARABIC_INDIC_ZERO + 9)
        return '0' + (cp - EXT_ARABIC_INDIC_ZERO);
    return cp;
}

/* Rule of text_normalize_new: variants mapped, marks and invisibles gone, white space folded. */
static enum cp_action key_rule(utf8proc_int32_t cp, utf8proc_int32_t *out)
{
    *out = key_letter(cp);
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

/* Rule of search words: text_normalize_new's, plus teh marbuta read as heh (search only). */
static enum cp_action search_rule(utf8proc_int32_t cp, utf8proc_int32_t *out)
{
    enum cp_action action = key_rule(cp, out);
    if (*out == TEH_MARBUTA)
        *out = HEH;
    return action;
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

/*
 * NFC, case fold and rule over the len valid bytes at s, repeated until a pass
 * changes nothing. One pass is not enough: removing a mark or a ZWNJ can let NFC
 * compose (or reorder) what it could not before, e.g. "e" U+0653 U+0301 becomes
 * "e" U+0301, which NFC makes "é". The fixed point is what makes the result NFC and
 * the functions idempotent. Returns a new string and its length in *out_len, or
 * NULL on no memory.
 */
static char *fold_bytes_new(const char *s, size_t len, cp_rule rule, char sep, size_t *out_len)
{
    char *cur = NULL;
    const char *in = s;
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
    return fold_new(s, key_rule, ' ');
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

/* ---- search ---- */

/* Most proclitic sequences one word can start with: 2 conjunctions x 2 prepositions x 2 articles. */
#define MAX_PROCLITIC_ENDS 8

/* "…", the mark of a cut in a snippet. */
#define ELLIPSIS "\u2026"

/* A word's bytes in a string: [start, end). */
struct span {
    size_t start, end;
};

/* How the search tokenizer treats a code point. */
enum word_class {
    WC_LETTER, /* letters and digits (L*, N*): start or continue a word */
    WC_MARK,   /* combining marks (M*): continue a word, never start one */
    WC_JOIN,   /* invisibles (format, controls, tatweel): vanish, the word goes on */
    WC_SEP,    /* everything else (white space, punctuation, symbols...): ends a word */
};

/* The word_class of a code point; invisibles first, since tatweel is a letter (Lm). */
static enum word_class word_class_of(utf8proc_int32_t cp)
{
    if (is_invisible(cp))
        return WC_JOIN;
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
        return WC_LETTER;
    case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
        return WC_MARK;
    default:
        return WC_SEP;
    }
}

/*
 * Finds the first word at or after *pos in the len valid bytes at s: it starts at a
 * letter or digit and runs to the next separator (marks and invisibles inside or at
 * its end included). Sets *w, moves *pos past it and returns true; false when none.
 */
static bool next_word(const char *s, size_t len, size_t *pos, struct span *w)
{
    size_t p = *pos;
    bool in_word = false;
    while (p < len) {
        utf8proc_int32_t cp;
        size_t step = decode_at(s + p, len - p, &cp);
        enum word_class cls = word_class_of(cp);
        if (in_word && cls == WC_SEP)
            break;
        if (!in_word && cls == WC_LETTER) {
            in_word = true;
            w->start = p;
        }
        p += step;
        if (in_word)
            w->end = p;
    }
    *pos = p;
    return in_word;
}

/*
 * True when the len bytes at s, what a proclitic leaves, can stand as a form: at
 * least two characters, the first not a combining mark (which belongs to the letter
 * before the cut).
 */
static bool is_form_left(const char *s, size_t len)
{
    size_t chars = 0;
    utf8proc_int32_t first;
    if (len == 0)
        return false;
    decode_at(s, len, &first);
    if (word_class_of(first) != WC_LETTER)
        return false;
    for (size_t i = 0; i < len && chars < 2; i++)
        chars += ((unsigned char)s[i] & 0xC0) != 0x80;
    return chars >= 2;
}

/*
 * When the character at w[pos] (w is len bytes) is in set (0-terminated), stores it
 * in *found and returns its byte length; else returns 0.
 */
static size_t letter_in(const char *w, size_t len, size_t pos, const utf8proc_int32_t *set,
                        utf8proc_int32_t *found)
{
    if (pos >= len)
        return 0;
    utf8proc_int32_t cp;
    size_t step = decode_at(w + pos, len - pos, &cp);
    for (; *set != 0; set++)
        if (*set == cp) {
            *found = cp;
            return step;
        }
    return 0;
}

/*
 * End of the article starting at w[pos], or 0 when there is none: ال, but after the
 * preposition ل only its ل (ل + ال is written لل).
 */
static size_t article_end(const char *w, size_t len, size_t pos, bool after_lam)
{
    static const utf8proc_int32_t alef[] = {ALEF, 0}, lam[] = {LAM, 0};
    utf8proc_int32_t cp;
    size_t a = after_lam ? 0 : letter_in(w, len, pos, alef, &cp);
    if (!after_lam && a == 0)
        return 0;
    size_t l = letter_in(w, len, pos + a, lam, &cp);
    return l > 0 ? pos + a + l : 0;
}

/*
 * Adds end to ends (n entries, ascending) unless it is there already or what it
 * leaves of w (len bytes) is no form (is_form_left). Returns the new count.
 */
static size_t add_end(size_t *ends, size_t n, size_t end, const char *w, size_t len)
{
    size_t i = 0;
    if (end == 0 || !is_form_left(w + end, len - end))
        return n;
    while (i < n && ends[i] < end)
        i++;
    if (i < n && ends[i] == end)
        return n;
    memmove(ends + i + 1, ends + i, (n - i) * sizeof *ends);
    ends[i] = end;
    return n + 1;
}

/*
 * Where each proclitic sequence of text.h that starts the normalized word w ends:
 * (و|ف)? (ب|ك|ل)? (ال)?, at least one part, ل + ال written لل, at least two
 * characters left, no mark cut off its letter. Fills ends ascending (shortest
 * prefix first); returns the count.
 */
static size_t proclitic_ends(const char *w, size_t len, size_t ends[MAX_PROCLITIC_ENDS])
{
    static const utf8proc_int32_t conjunctions[] = {WAW, FEH, 0};
    static const utf8proc_int32_t prepositions[] = {BEH, KAF, LAM, 0};
    size_t n = 0, conj_ends[2] = {0, 0}, nconj = 1;
    utf8proc_int32_t cp = 0;
    size_t step = letter_in(w, len, 0, conjunctions, &cp);
    if (step > 0)
        conj_ends[nconj++] = step;
    for (size_t c = 0; c < nconj; c++) {
        size_t pos = conj_ends[c];
        n = add_end(ends, n, pos, w, len);
        n = add_end(ends, n, article_end(w, len, pos, false), w, len);
        step = letter_in(w, len, pos, prepositions, &cp);
        if (step == 0)
            continue;
        n = add_end(ends, n, pos + step, w, len);
        n = add_end(ends, n, article_end(w, len, pos + step, cp == LAM), w, len);
    }
    return n;
}

/*
 * Calls fn on the whole normalized word w (len bytes), then on what each proclitic
 * sequence leaves, shortest prefix first. Returns fn's first nonzero answer, or 0.
 */
static int each_form(const char *w, size_t len, text_match_fn fn, void *arg)
{
    size_t ends[MAX_PROCLITIC_ENDS];
    size_t n = proclitic_ends(w, len, ends);
    int stop = fn(w, len, arg);
    for (size_t i = 0; stop == 0 && i < n; i++)
        stop = fn(w + ends[i], len - ends[i], arg);
    return stop;
}

/*
 * Normalizes one word of the original text (len bytes at s) for search and calls fn
 * on each of its forms; a word longer than TEXT_SEARCH_WORD_MAX_BYTES has none.
 * Returns 1 when fn said stop (or yes), 0 when not, -1 on no memory.
 */
static int word_forms(const char *s, size_t len, text_match_fn fn, void *arg)
{
    size_t wlen = 0;
    char *w = fold_bytes_new(s, len, search_rule, ' ', &wlen);
    if (w == NULL)
        return -1;
    int stop = 0;
    if (wlen > 0 && wlen <= TEXT_SEARCH_WORD_MAX_BYTES)
        stop = each_form(w, wlen, fn, arg) != 0;
    free(w);
    return stop;
}

/* The caller's text_form_fn and the index of the word whose forms are passed on. */
struct form_call {
    text_form_fn fn;
    void *arg;
    size_t word;
};

/* Passes one form to the caller's text_form_fn with the current word index. */
static int forward_form(const char *form, size_t len, void *arg)
{
    struct form_call *call = arg;
    return call->fn != NULL ? call->fn(call->word, form, len, call->arg) : 0;
}

long text_search_forms(const char *s, text_form_fn fn, void *arg)
{
    if (s == NULL || !text_is_valid_utf8(s, strlen(s)))
        return -1;
    size_t len = strlen(s), pos = 0;
    struct form_call call = {fn, arg, 0};
    struct span w;
    long count = 0;
    while (next_word(s, len, &pos, &w)) {
        call.word = (size_t)count++;
        int stop = fn != NULL ? word_forms(s + w.start, w.end - w.start, forward_form, &call) : 0;
        if (stop < 0)
            return -1;
        if (stop > 0)
            break;
    }
    return count;
}

/* A text and what a snippet of it needs: its words in order and the matcher. */
struct snippet_src {
    const char *text;
    size_t len;
    struct span *words;
    size_t nwords;
    text_match_fn matches;
    void *arg;
};

/* Fills src->words with every word of src->text; false on no memory. */
static bool collect_words(struct snippet_src *src)
{
    size_t cap = 0, pos = 0;
    struct span w;
    while (next_word(src->text, src->len, &pos, &w)) {
        if (src->nwords == cap) {
            cap = cap ? 2 * cap : 64;
            struct span *grown = realloc(src->words, cap * sizeof *grown);
            if (grown == NULL)
                return false;
            src->words = grown;
        }
        src->words[src->nwords++] = w;
    }
    return true;
}

/* 1 when word i of src has a form src->matches accepts, 0 when not, -1 on no memory. */
static int word_matches(const struct snippet_src *src, size_t i)
{
    const struct span *w = &src->words[i];
    return word_forms(src->text + w->start, w->end - w->start, src->matches, src->arg);
}

/* Sets *m to the first matching word: 1 when found, 0 when none, -1 on no memory. */
static int first_match(const struct snippet_src *src, size_t *m)
{
    for (size_t i = 0; i < src->nwords; i++) {
        int found = word_matches(src, i);
        if (found != 0) {
            *m = i;
            return found;
        }
    }
    return 0;
}

/*
 * The words [*first, *end) shown around word m of n: up to max_words (>= 1), about
 * a quarter of them before m, or more before it when the text ends sooner.
 */
static void snippet_window(size_t m, size_t n, size_t max_words, size_t *first, size_t *end)
{
    size_t lead = max_words / 4;
    size_t start = m > lead ? m - lead : 0;
    size_t stop = n - start > max_words ? start + max_words : n;
    if (stop - start < max_words) /* the text ends first: show more before m */
        start = stop > max_words ? stop - max_words : 0;
    *first = start;
    *end = stop;
}

/* Snippet output: a buffer sized beforehand; white space runs become one space, trimmed. */
struct html_out {
    char *p;
    size_t n;
    bool space; /* white space seen since the last output */
};

/* Appends len raw bytes, after one space when white space came between them and earlier output. */
static void out_raw(struct html_out *o, const char *s, size_t len)
{
    if (o->space && o->n > 0)
        o->p[o->n++] = ' ';
    o->space = false;
    memcpy(o->p + o->n, s, len);
    o->n += len;
}

/* The HTML entity of an escaped character, or NULL when it stands as it is. */
static const char *html_entity(utf8proc_int32_t cp)
{
    switch (cp) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '"': return "&quot;";
    case '\'': return "&#39;";
    default: return NULL;
    }
}

/*
 * Appends len valid bytes of original text HTML-escaped (at most 6 bytes per byte):
 * white space folded, controls other than white space dropped, the rest kept.
 */
static void out_text(struct html_out *o, const char *s, size_t len)
{
    size_t pos = 0;
    while (pos < len) {
        utf8proc_int32_t cp;
        size_t step = decode_at(s + pos, len - pos, &cp);
        const char *entity = html_entity(cp);
        if (is_white_space(cp))
            o->space = true;
        else if (entity != NULL)
            out_raw(o, entity, strlen(entity));
        else if (utf8proc_category(cp) != UTF8PROC_CATEGORY_CC)
            out_raw(o, s + pos, step);
        pos += step;
    }
}

/*
 * Appends word i of src, in <mark> when it matches (known for i <= m: only m does).
 * Returns 0, or -1 on no memory.
 */
static int out_word(struct html_out *o, const struct snippet_src *src, size_t i, size_t m)
{
    const struct span *w = &src->words[i];
    int marked = i == m ? 1 : i < m ? 0 : word_matches(src, i);
    if (marked < 0)
        return -1;
    if (marked)
        out_raw(o, "<mark>", 6);
    out_text(o, src->text + w->start, w->end - w->start);
    if (marked)
        out_raw(o, "</mark>", 7);
    return 0;
}

/*
 * The snippet of words [first, end) of src around match m: the text between them
 * kept, the text before the first and after the last word only when the window
 * reaches that end of the text, "…" where it is cut. NULL on no memory.
 */
static char *write_snippet(const struct snippet_src *src, size_t first, size_t end, size_t m)
{
    bool cut_start = first > 0, cut_end = end < src->nwords;
    size_t from = cut_start ? src->words[first].start : 0;
    size_t to = cut_end ? src->words[end - 1].end : src->len;
    struct html_out o = {malloc(6 * (to - from) + 13 * (end - first) + 2 * 3 + 1), 0, false};
    if (o.p == NULL)
        return NULL;
    if (cut_start)
        out_raw(&o, ELLIPSIS, strlen(ELLIPSIS));
    for (size_t i = first; i < end; i++) {
        out_text(&o, src->text + from, src->words[i].start - from);
        if (out_word(&o, src, i, m) < 0) {
            free(o.p);
            return NULL;
        }
        from = src->words[i].end;
    }
    out_text(&o, src->text + from, to - from);
    if (cut_end)
        out_raw(&o, ELLIPSIS, strlen(ELLIPSIS));
    o.p[o.n] = '\0';
    return o.p;
}

char *text_snippet_new(const char *text, size_t max_words, text_match_fn matches, void *arg)
{
    char *out = NULL;
    struct snippet_src src = {text, 0, NULL, 0, matches, arg};
    size_t m = 0, first = 0, end = 0;
    if (text == NULL || matches == NULL || max_words == 0)
        goto done;
    src.len = strlen(text);
    if (!text_is_valid_utf8(text, src.len) || !collect_words(&src))
        goto done;
    if (first_match(&src, &m) <= 0)
        goto done;
    snippet_window(m, src.nwords, max_words, &first, &end);
    out = write_snippet(&src, first, end, m);
done:
    free(src.words);
    return out;
}
