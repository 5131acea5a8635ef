/* normalize.h: Arabic-aware text rules (matching keys, slugs, UTF-8 checks); no HTTP, no database. */
#ifndef KHABAR_TEXT_NORMALIZE_H
#define KHABAR_TEXT_NORMALIZE_H

#include <stdbool.h>
#include <stddef.h>

/* The version of the rules below and of words.h: raise it with any change of what a key
 * or a search form is, and khabar migrate recomputes what the database stores. */
#define TEXT_RULES_VERSION 2

/* Longest slug, in characters (code points), suffix included. */
#define TEXT_SLUG_MAX_CHARS 120

/* True when the len bytes at s are well-formed UTF-8 with no NUL byte. */
bool text_is_valid_utf8(const char *s, size_t len);

/* Number of code points in a valid UTF-8 string (0 for NULL). */
size_t text_char_count(const char *s);

/* True when s holds only white space (Unicode White_Space) or is empty or NULL. */
bool text_is_blank(const char *s);

/*
 * The matching key of s: the Arabic presentation forms (U+FB50..U+FDFF, U+FE70..U+FEFF)
 * replaced by their NFKC text (ﻻ -> لا; no other compatibility mapping), NFC, case
 * folded, Keheh U+06A9 -> Kaf U+0643, Farsi Yeh U+06CC and Alef Maksura U+0649 -> Yeh
 * U+064A, alef with madda or wasla (U+0622 U+0671) -> U+0627, hamza on alef (U+0623
 * U+0625) -> U+0627 at the start of a stem (the word's start, or after nothing but the
 * letters و ف ب ك ل ا: الأمن -> الامن) and -> U+0626 anywhere else, as are hamza on waw
 * U+0624 and lone hamza U+0621 (مسؤول -> مسئول, هيأة -> هيئة, شيء -> شيئ), tashkeel
 * U+064B..U+065F and U+0670 removed, tatweel U+0640 removed, format characters (ZWNJ,
 * ZWJ, RLM, LRM, ALM, BOM...) and controls other than white space removed, Arabic-Indic
 * digits (U+0660.. and U+06F0..) -> ASCII, runs of white space folded to one space,
 * leading and trailing white space trimmed. NFC comes first, so a decomposed أ or ؤ is
 * still its letter.
 * Returns a new string the caller frees, or NULL on NULL, invalid UTF-8 or no memory.
 */
char *text_normalize_new(const char *s);

/*
 * The slug of a title: NFC, lower case, tashkeel and tatweel removed, punctuation
 * and symbols dropped, words joined by '-', no leading, trailing or doubled '-',
 * at most max_chars characters (cut at a word boundary when one exists). Letter
 * forms and digits are kept (a title's "إلى" stays "إلى", "٢٠٢٤" stays), presentation
 * forms excepted (they become their letters, as in text_normalize_new). White space,
 * '-', '_' and other punctuation (P*) or symbols (S*) separate words ("don't" gives
 * "don-t"); format and control characters (ZWNJ, RLM...) vanish without separating.
 * Applying it to a slug gives the same slug. Returns a new string ("" when nothing
 * is left) the caller frees, or NULL on NULL, invalid UTF-8 or no memory.
 */
char *text_slugify_new(const char *s, size_t max_chars);

/*
 * The key a slug is stored and looked up under: text_normalize_new applied to
 * text_slugify_new(s, TEXT_SLUG_MAX_CHARS), so every letter variant of a slug, a
 * title or a tag name gives the same key. Used as the slug of tags.
 * Returns a new string the caller frees, or NULL on invalid UTF-8 or no memory.
 */
char *text_slug_key_new(const char *s);

/*
 * base with "-n" appended, base first cut (at a character boundary, trailing '-'
 * dropped) so that the whole stays within max_chars characters. n < 2 gives a copy
 * of base cut to max_chars. When nothing of base is left the number stands alone
 * ("2", never "-2"). Returns a new string the caller frees, or NULL when base is NULL
 * or invalid UTF-8, when even the number does not fit, or on no memory.
 */
char *text_slug_with_suffix_new(const char *base, unsigned n, size_t max_chars);

/* A copy of s without leading and trailing white space; NULL on NULL or no memory. */
char *text_trim_new(const char *s);

#endif
