/* affixes.c: the search forms of one word: Arabic proclitics and suffixes removed (words.h). */
#include <stdbool.h>
#include <string.h>

#include <utf8proc.h>

#include "internal.h"
#include "text/words.h"

/* Most proclitic sequences one word can start with: 2 conjunctions x 2 prepositions x 2 articles. */
#define MAX_PROCLITIC_ENDS 8
/* Most forms of one word: the whole word, and per proclitic cut a handful of suffix cuts. */
#define MAX_FORMS 96
/* Room for a form: a cut of the word, at most one letter added. */
#define FORM_BYTES (TEXT_SEARCH_WORD_MAX_BYTES + 8)

/*
 * The suffixes taken off a stem, with the fewest characters that must be left: short
 * words and names keep their endings (سور is not سوري, زيت not زيتون, لبن not
 * لبنان). Pronouns first, then the plural and dual endings, which may follow a pronoun's
 * removal (سياراتهم -> سيارات -> سيارة).
 */
enum suffix_kind { PRONOUN, PLURAL, FEMININE_PLURAL };
struct suffix {
    const char *text;
    size_t min_left;
    enum suffix_kind kind;
};
static const struct suffix suffixes[] = {
    { "\u0647\u0645\u0627", 3, PRONOUN }, /* هما */
    { "\u0643\u0645\u0627", 4, PRONOUN }, /* كما */
    { "\u0647\u0645", 3, PRONOUN },       /* هم */
    { "\u0647\u0646", 3, PRONOUN },       /* هن */
    { "\u0647\u0627", 3, PRONOUN },       /* ها */
    { "\u0646\u0627", 3, PRONOUN },       /* نا */
    { "\u0643\u0645", 4, PRONOUN },       /* كم: محاكم, اماكن keep theirs */
    { "\u0643\u0646", 4, PRONOUN },       /* كن */
    { "\u0647", 3, PRONOUN },             /* ه (never ة: مدرسة is not مدرس) */
    { "\u064A", 4, PRONOUN },             /* ي: مصري, دولي keep theirs */
    { "\u0648\u0646", 4, PLURAL },        /* ون */
    { "\u064A\u0646", 4, PLURAL },        /* ين */
    { "\u0627\u062A", 4, FEMININE_PLURAL },        /* ات, also read as the singular's ة */
    { "\u0627\u0646", 4, PLURAL },        /* ان */
};

/*
 * Names that start with a proclitic letter or end like a suffix and whose cut would be
 * another word: بوتين is not ب + وتين (the aorta), لبنان not ل + بنان, ماكرون not
 * ماكر, كرملين not كرمل. They give their whole form only; proclitics before them are
 * still taken off (لبوتين gives بوتين, الكرملين gives كرملين) and no suffix after.
 */
static const char *const whole_names[] = {
    "\u0628\u0648\u062A\u064A\u0646",             /* بوتين */
    "\u0644\u0628\u0646\u0627\u0646",             /* لبنان */
    "\u0645\u0627\u0643\u0631\u0648\u0646",       /* ماكرون */
    "\u0643\u0631\u0645\u0644\u064A\u0646",       /* كرملين */
    "\u0627\u0644\u0644\u0647",                   /* الله */
    "\u0643\u0648\u0628\u0627",                   /* كوبا: not ك + وبا */
    "\u0643\u0646\u062F\u0627",                   /* كندا: not ك + ندا */
    "\u0641\u0627\u0646\u0633",                   /* فانس: not ف + انس */
    "\u0628\u0627\u064A\u062F\u0646",             /* بايدن: not ب + ايدن */
    "\u0628\u0643\u064A\u0646",                   /* بكين: not ب + كين */
    NULL,
};

/* The forms given so far for one word, to give none twice. */
struct form_set {
    char buf[MAX_FORMS][FORM_BYTES];
    size_t len[MAX_FORMS];
    size_t n;
    text_kind_fn fn;
    void *arg;
};

/* True when w (len bytes) is one of whole_names. */
static bool is_whole_name(const char *w, size_t len)
{
    for (const char *const *name = whole_names; *name != NULL; name++)
        if (strlen(*name) == len && memcmp(*name, w, len) == 0)
            return true;
    return false;
}

/* True when w (len bytes) is the article and one of whole_names (الكرملين). */
static bool is_article_name(const char *w, size_t len)
{
    static const char article[] = "\u0627\u0644";
    size_t a = sizeof article - 1;
    return len > a && memcmp(w, article, a) == 0 && is_whole_name(w + a, len - a);
}

static size_t char_count(const char *s, size_t len)
{
    size_t chars = 0;
    for (size_t i = 0; i < len; i++)
        chars += ((unsigned char)s[i] & 0xC0) != 0x80;
    return chars;
}

/*
 * Gives fn the form w (len bytes) followed by tail (may be NULL), teh marbuta read as
 * heh (search folds ة, tags and slugs keep it), unless it was given already.
 * Returns fn's answer, or 0.
 */
static int give(struct form_set *set, const char *w, size_t len, const char *tail, int affix)
{
    size_t tail_len = tail ? strlen(tail) : 0;
    if (set->n == MAX_FORMS || len + tail_len > TEXT_SEARCH_WORD_MAX_BYTES)
        return 0;
    char *f = set->buf[set->n];
    memcpy(f, w, len);
    if (tail_len > 0)
        memcpy(f + len, tail, tail_len);
    len += tail_len;
    for (size_t i = 0; i + 1 < len; i++)
        if ((unsigned char)f[i] == 0xD8 && (unsigned char)f[i + 1] == 0xA9) { /* ة */
            f[i] = (char)0xD9;
            f[++i] = (char)0x87; /* ه */
        }
    for (size_t i = 0; i < set->n; i++)
        if (set->len[i] == len && memcmp(set->buf[i], f, len) == 0)
            return 0;
    set->len[set->n++] = len;
    return set->fn(f, len, affix, set->arg);
}

/*
 * True when the len bytes at s end with suffix and keep at least min_left characters
 * after the first skip ones (the article's, which do not make a stem longer: الشئون
 * is not الشئ + ون).
 */
static bool ends_with(const char *s, size_t len, size_t skip, const struct suffix *sfx)
{
    size_t n = strlen(sfx->text);
    return len > n && memcmp(s + len - n, sfx->text, n) == 0 &&
           char_count(s, len - n) >= sfx->min_left + skip;
}

/* The stem left by a plural or dual ending of s (len bytes), and for ات the singular's ة. */
static int give_plural_cuts(struct form_set *set, const char *s, size_t len, size_t skip)
{
    int stop = 0;
    for (size_t i = 0; stop == 0 && i < sizeof suffixes / sizeof suffixes[0]; i++) {
        const struct suffix *sfx = &suffixes[i];
        if (sfx->kind == PRONOUN || !ends_with(s, len, skip, sfx))
            continue;
        size_t left = len - strlen(sfx->text);
        stop = give(set, s, left, NULL, 1);
        if (stop == 0 && sfx->kind == FEMININE_PLURAL) /* سيارات -> سيارة */
            stop = give(set, s, left, "\u0629", 1);
    }
    return stop;
}

/*
 * The suffix cuts of a stem s (len bytes): a pronoun taken off (and a teh left before
 * it read as ة again: زيارته -> زيارة), then a plural ending off what is left; or a
 * plural ending off s itself.
 */
static int give_suffix_cuts(struct form_set *set, const char *s, size_t len, size_t skip)
{
    int stop = 0;
    static const char teh[] = "\u062A";
    for (size_t i = 0; stop == 0 && i < sizeof suffixes / sizeof suffixes[0]; i++) {
        const struct suffix *sfx = &suffixes[i];
        if (sfx->kind != PRONOUN || !ends_with(s, len, skip, sfx))
            continue;
        size_t left = len - strlen(sfx->text);
        stop = give(set, s, left, NULL, 1);
        bool ends_teh = left >= 2 && memcmp(s + left - 2, teh, 2) == 0;
        if (stop == 0 && ends_teh && char_count(s, left) >= 4 + skip)
            stop = give(set, s, left - 2, "\u0629", 1);
        if (stop == 0)
            stop = give_plural_cuts(set, s, left, skip);
    }
    return stop == 0 ? give_plural_cuts(set, s, len, skip) : stop;
}

/* ---- proclitics ---- */

/*
 * True when the len bytes at s, what a proclitic leaves, can stand as a form: at
 * least two characters, the first not a combining mark (which belongs to the letter
 * before the cut).
 */
static bool is_form_left(const char *s, size_t len)
{
    utf8proc_int32_t first;
    if (len == 0)
        return false;
    decode_at(s, len, &first);
    utf8proc_category_t cat = utf8proc_category(first);
    if (cat >= UTF8PROC_CATEGORY_MN && cat <= UTF8PROC_CATEGORY_ME)
        return false;
    return char_count(s, len) >= 2;
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
 * Where each proclitic sequence of words.h that starts w ends: (و|ف)? (ب|ك|ل)? (ال)?,
 * at least one part, ل + ال written لل, at least two characters left, no mark cut off
 * its letter. Fills ends ascending (shortest prefix first), sets *article to where
 * the deepest article ends (unchanged when there is none); returns the count.
 */
static size_t proclitic_ends(const char *w, size_t len, size_t ends[MAX_PROCLITIC_ENDS],
                             size_t *article)
{
    static const utf8proc_int32_t conjunctions[] = {WAW, FEH, 0};
    static const utf8proc_int32_t prepositions[] = {BEH, KAF, LAM, 0};
    size_t n = 0, conj_ends[2] = {0, 0}, nconj = 1;
    utf8proc_int32_t cp = 0;
    size_t step = letter_in(w, len, 0, conjunctions, &cp);
    if (step > 0)
        conj_ends[nconj++] = step;
    for (size_t c = 0; c < nconj; c++) {
        size_t pos = conj_ends[c], a;
        n = add_end(ends, n, pos, w, len);
        n = add_end(ends, n, a = article_end(w, len, pos, false), w, len);
        if (a > *article && is_form_left(w + a, len - a))
            *article = a;
        step = letter_in(w, len, pos, prepositions, &cp);
        if (step == 0)
            continue;
        n = add_end(ends, n, pos + step, w, len);
        n = add_end(ends, n, a = article_end(w, len, pos + step, cp == LAM), w, len);
        if (a > *article && is_form_left(w + a, len - a))
            *article = a;
    }
    return n;
}

/*
 * The whole word, then what each proclitic sequence leaves (shortest prefix first),
 * then the suffix cuts of each of those. When one of them is a name of whole_names,
 * the word gives the stems down to that name and nothing cut from it.
 */
int text_affix_forms(const char *w, size_t len, text_kind_fn fn, void *arg)
{
    struct form_set local; /* about 20 KiB of stack, no allocation per word */
    struct form_set *set = &local;
    size_t ends[MAX_PROCLITIC_ENDS + 1];
    set->n = 0;
    set->fn = fn;
    set->arg = arg;
    size_t article = 0;
    ends[0] = 0;
    size_t n = 1 + proclitic_ends(w, len, ends + 1, &article);
    bool name = false;
    for (size_t i = 0; i < n && !name; i++) {
        if (is_whole_name(w + ends[i], len - ends[i]))
            n = i + 1, name = true;
        else if (is_article_name(w + ends[i], len - ends[i]))
            name = true; /* no suffix cut; the article's cut, when there is one, follows */
    }
    int stop = 0;
    for (size_t i = 0; stop == 0 && i < n; i++)
        stop = give(set, w + ends[i], len - ends[i], NULL, i > 0);
    for (size_t i = 0; stop == 0 && !name && i < n; i++) {
        size_t skip = ends[i] < article ? char_count(w + ends[i], article - ends[i]) : 0;
        stop = give_suffix_cuts(set, w + ends[i], len - ends[i], skip);
    }
    return stop;
}
