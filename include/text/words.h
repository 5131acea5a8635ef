/* words.h: the search forms of words and snippets around the words a search finds; no HTTP,
 * no database. */
#ifndef KHABAR_TEXT_WORDS_H
#define KHABAR_TEXT_WORDS_H

#include <stddef.h>

/* Longest word (in bytes) that search indexes; longer ones are skipped. */
#define TEXT_SEARCH_WORD_MAX_BYTES 200

/*
 * Called once per form of each word: word is the word's index (0, 1, 2, ... in
 * reading order), form/len its bytes (not NUL-terminated). Returning nonzero stops.
 */
typedef int (*text_form_fn)(size_t word, const char *form, size_t len, void *arg);

/*
 * The search forms of every word of s. Words are runs of letters and digits (L*, N*,
 * any script) in s, with the combining marks (M*) that follow them; anything else
 * (white space, punctuation, symbols) separates words, while format characters
 * (ZWNJ, RLM...), controls and tatweel vanish without separating. Each word is then
 * normalized as by text_normalize_new, with teh marbuta U+0629 also folded to heh
 * U+0647 (so الشمالية, الشماليه and الشمالیة give one form; tags and slugs keep ة).
 * Each word gives first its whole form, then each form left after removing an
 * Arabic proclitic sequence from its start -- conjunction و or ف, then preposition
 * ب, ك or ل, then the article ال (ل + ال written لل), at least one of them -- when
 * at least two characters remain and no combining mark is cut off its letter,
 * shortest prefix first; then, for the whole form and each of those, what is left
 * after removing a suffix with enough of the word left: a pronoun (ه ها هم هن هما
 * and نا with three characters left; كم كن كما and ي with four), a teh before a
 * pronoun read as ة again (زيارته gives زيارت and زياره, four characters), then a
 * plural or dual ending (ون ين ات ان, four characters left; ات also gives the
 * singular's ة: سيارات gives سيار and سياره). A few names would be cut into other
 * words (بوتين into ب + وتين, لبنان into ل + بنان, ماكرون into ماكر + ون): they
 * give no form cut from them. No form is given twice for one word. So
 * "وبالكرملين" gives وبالكرملين, بالكرملين, الكرملين, كرملين; "للكرملين" gives
 * للكرملين, لكرملين, كرملين; "بوتين" gives بوتين; "لبوتين" gives لبوتين, بوتين;
 * "ال" gives ال only.
 * A word longer than TEXT_SEARCH_WORD_MAX_BYTES bytes after normalization gives no
 * form but still takes its index, so the words after it keep their positions.
 * Two words match when they share a form. fn may be NULL to count words only.
 * Returns the number of words (when fn stops, the words up to and including the
 * one it stopped on), or -1 on NULL, invalid UTF-8 or no memory.
 */
long text_search_forms(const char *s, text_form_fn fn, void *arg);

/* What a form passed to a text_kind_form_fn is. */
enum text_form_kind {
    TEXT_FORM_WRITTEN, /* the word as written: no letter variant folded, no affix removed */
    TEXT_FORM_WHOLE,   /* the whole word, variants folded: the first form of text_search_forms */
    TEXT_FORM_AFFIX,   /* a form left after removing proclitics or suffixes */
};

typedef int (*text_kind_form_fn)(size_t word, enum text_form_kind kind, const char *form,
                                 size_t len, void *arg);

/*
 * text_search_forms with each form's kind, and before them each word's written form
 * (text_normalize_new's rules without the letter variants: what tells an exact match
 * from a folded one), given once even when it equals the whole form.
 */
long text_search_forms_kinds(const char *s, text_kind_form_fn fn, void *arg);

/* Says whether a form (len bytes) is one the searcher looks for. */
typedef int (*text_match_fn)(const char *form, size_t len, void *arg);

/*
 * A snippet of text around its first matching word (one with a form, as given by
 * text_search_forms, for which matches says yes): at most max_words words of the
 * original text (not the normalized one), starting about max_words / 4 words before
 * that word (earlier when the text ends sooner), with the original text between
 * them; HTML-escaped (& < > " ' as &amp; &lt; &gt; &quot; &#39;), each matching
 * word in the window wrapped in <mark>...</mark>, "…" (U+2026) where the text is
 * cut at the start or the end, white space runs folded to one space and trimmed,
 * controls dropped. Returns a new string the caller frees, or NULL when no word
 * matches, max_words is 0, text or matches is NULL, text is invalid UTF-8, or on
 * no memory.
 */
char *text_snippet_new(const char *text, size_t max_words, text_match_fn matches, void *arg);

#endif
