/* words.c: the words of a text, their search forms (variants folded, affixes.c) and snippets. */
#include "text/words.h"

#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "internal.h"
#include "text/normalize.h"

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

/* One word's forms on their way to a caller: its callback, with or without kinds. */
struct form_call {
    text_kind_form_fn kind_fn;
    text_match_fn match_fn;
    void *arg;
    size_t word;
};

/* Passes one form of text_affix_forms on, with its kind when the caller asked for kinds. */
static int forward_form(const char *form, size_t len, int affix, void *arg)
{
    struct form_call *call = arg;
    if (call->kind_fn != NULL)
        return call->kind_fn(call->word, affix ? TEXT_FORM_AFFIX : TEXT_FORM_WHOLE, form, len,
                             call->arg);
    return call->match_fn(form, len, call->arg);
}

/*
 * Normalizes one word of the original text (len bytes at s) for search and passes
 * its written form (to a kind_fn only) and each of its forms on; a word longer than
 * TEXT_SEARCH_WORD_MAX_BYTES has none. Returns 1 when the callback said stop (or
 * yes), 0 when not, -1 on no memory.
 */
static int word_forms(const char *s, size_t len, struct form_call *call)
{
    size_t wlen = 0;
    char *w = text_written_new(s, len, &wlen);
    char *folded = w ? strndup(w, wlen) : NULL;
    int stop = 0;
    if (folded == NULL) {
        free(w);
        return -1;
    }
    size_t flen = text_fold_variants(folded, wlen);
    /* a ligature of several words (ﷺ) gives a word with spaces: no form, as a word too long */
    if (flen > 0 && flen <= TEXT_SEARCH_WORD_MAX_BYTES && memchr(folded, ' ', flen) == NULL) {
        if (call->kind_fn != NULL && wlen <= TEXT_SEARCH_WORD_MAX_BYTES)
            stop = call->kind_fn(call->word, TEXT_FORM_WRITTEN, w, wlen, call->arg);
        if (stop == 0)
            stop = text_affix_forms(folded, flen, forward_form, call);
    }
    free(w);
    free(folded);
    return stop != 0;
}

long text_search_forms_kinds(const char *s, text_kind_form_fn fn, void *arg)
{
    if (s == NULL || !text_is_valid_utf8(s, strlen(s)))
        return -1;
    size_t len = strlen(s), pos = 0;
    struct form_call call = {fn, NULL, arg, 0};
    struct span w;
    long count = 0;
    while (next_word(s, len, &pos, &w)) {
        call.word = (size_t)count++;
        int stop = fn != NULL ? word_forms(s + w.start, w.end - w.start, &call) : 0;
        if (stop < 0)
            return -1;
        if (stop > 0)
            break;
    }
    return count;
}

/* The caller of text_search_forms, which wants no written forms and no kinds. */
struct plain_call {
    text_form_fn fn;
    void *arg;
};

static int forward_plain(size_t word, enum text_form_kind kind, const char *form, size_t len,
                         void *arg)
{
    struct plain_call *call = arg;
    return kind == TEXT_FORM_WRITTEN ? 0 : call->fn(word, form, len, call->arg);
}

long text_search_forms(const char *s, text_form_fn fn, void *arg)
{
    struct plain_call call = {fn, arg};
    return text_search_forms_kinds(s, fn ? forward_plain : NULL, &call);
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
    struct form_call call = {NULL, src->matches, src->arg, i};
    return word_forms(src->text + w->start, w->end - w->start, &call);
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
