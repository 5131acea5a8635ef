/* test_search.c: unit tests of server/text/search.c: the tsquery text of web search syntax
 * (words, "phrases", -exclusion, or), the tsvector text of an article (positions, weights, the
 * gap between fields, the limits), refused queries and snippets. Expected values come from
 * search.h, words.h and PostgreSQL's text forms of tsquery and tsvector.
 */
#include "text/search.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "text/words.h"
#include "unit.h"

/* Removes from a tsquery text, in place, the alternatives that look for a form as the
 * article marks it (" | '^x'" and " | '~x'"): test_query_marks tests those, the other
 * tests the forms. */
static void drop_marked(char *s)
{
    char *out = s;
    for (const char *p = s; *p != '\0';) {
        if (strncmp(p, " | '^", 5) == 0 || strncmp(p, " | '~", 5) == 0) {
            p = strchr(p + 5, '\'') + 1;
            continue;
        }
        *out++ = *p++;
    }
    *out = '\0';
}

/* The tsquery text of q (unmarked forms only, exact when asked), or "refused: <reason>". */
static const char *tsquery_text_of(const char *q, bool marked, bool exact, char *out, size_t size)
{
    char err[128] = "";
    struct search_query *query = search_query_new(q, err, sizeof err);
    if (query == NULL)
        snprintf(out, size, "refused: %s", err);
    else
        snprintf(out, size, "%s",
                 exact ? search_query_exact_tsquery(query) : search_query_tsquery(query));
    if (query != NULL && !marked)
        drop_marked(out);
    search_query_free(query);
    return out;
}

static const char *tsquery_of(const char *q, char *out, size_t size)
{
    return tsquery_text_of(q, false, false, out, size);
}

static const char *marked_tsquery_of(const char *q, char *out, size_t size)
{
    return tsquery_text_of(q, true, false, out, size);
}

static const char *exact_tsquery_of(const char *q, char *out, size_t size)
{
    return tsquery_text_of(q, true, true, out, size);
}

#define check_query(q, want, name) check_into(1024, want, name, tsquery_of, q)
#define check_marked_query(q, want, name) check_into(2048, want, name, marked_tsquery_of, q)
#define check_exact_query(q, want, name) check_into(1024, want, name, exact_tsquery_of, q)

static int compare_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lexemes of a tsvector text sorted (its order is PostgreSQL's own business), space
 * separated, in a new string. */
static char *sorted_vector_new(char *vector)
{
    char *tokens[64], *save = NULL, *out = calloc(1, strlen(vector) + 1);
    size_t n = 0;
    for (char *t = strtok_r(vector, " ", &save); t != NULL && n < 64;
         t = strtok_r(NULL, " ", &save))
        tokens[n++] = t;
    qsort(tokens, n, sizeof tokens[0], compare_str);
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            strcat(out, " ");
        strcat(out, tokens[i]);
    }
    return out;
}

/* The sorted tsvector text of an article. */
static char *vector_of_new(const char *title, const char *summary, const char *body)
{
    char *v = search_vector_new(title, summary, body);
    check(v != NULL, "vector: made");
    char *sorted = sorted_vector_new(v);
    free(v);
    return sorted;
}

#define check_vector(title, summary, body, want, name)                                 \
    check_new_str(vector_of_new(title, summary, body), want, name)

static void test_query_words(void **state)
{
    (void)state;
    check_query("news", "( ( ( 'news' ) ) )", "a word: one item of one OR-group");
    check_query("News  Putin", "( ( ( 'news' ) ) ) & ( ( ( 'putin' ) ) )",
                "two words: both, case folded");
    check_query("بوتين", "( ( ( 'بوتين' ) ) )", "a name cut into another word gives its whole form");
    check_query("لبوتين", "( ( ( 'لبوتين' | 'بوتين' ) ) )", "a word: any of its forms");
    check_query("وبالكرملين",
                "( ( ( 'وبالكرملين' | 'بالكرملين' | 'الكرملين' | 'كرملين' ) ) )",
                "a word: its forms after each proclitic, shortest prefix first");
    check_query("الشمالية", "( ( ( 'الشماليه' | 'شماليه' ) ) )",
                "a word: teh marbuta folded to heh");
    check_query("don't", "( ( ( 'don' ) <-> ( 't' ) ) )",
                "a term with punctuation inside: a phrase of its words, no quote kept");
}

static void test_query_phrases(void **state)
{
    (void)state;
    check_query("\"putin visits\"", "( ( ( 'putin' ) <-> ( 'visits' ) ) )",
                "a phrase: words one after the other");
    check_query("\"putin, visits\"", "( ( ( 'putin' ) <-> ( 'visits' ) ) )",
                "a phrase: punctuation inside is no word");
    check_query("\"putin visits", "( ( ( 'putin' ) <-> ( 'visits' ) ) )",
                "a phrase left open runs to the end");
    check_query("a\"b c\"", "( ( ( 'a' ) ) ) & ( ( ( 'b' ) <-> ( 'c' ) ) )",
                "a quote starts a phrase after a word");
    check_query("\"\" news", "( ( ( 'news' ) ) )", "an empty phrase is nothing");
}

static void test_query_exclusion_and_or(void **state)
{
    (void)state;
    check_query("-news putin", "( !( ( 'news' ) ) ) & ( ( ( 'putin' ) ) )", "-word excluded");
    check_query("-\"a b\" c", "( !( ( 'a' ) <-> ( 'b' ) ) ) & ( ( ( 'c' ) ) )",
                "-\"phrase\" excluded");
    check_query("a or b", "( ( ( 'a' ) ) | ( ( 'b' ) ) )", "or joins its two neighbours");
    check_query("a OR b", "( ( ( 'a' ) ) | ( ( 'b' ) ) )", "OR in capitals too");
    check_query("a or b or c", "( ( ( 'a' ) ) | ( ( 'b' ) ) | ( ( 'c' ) ) )", "or, twice");
    check_query("a b or c", "( ( ( 'a' ) ) ) & ( ( ( 'b' ) ) | ( ( 'c' ) ) )",
                "or binds tighter than the AND between items");
    check_query("or news", "( ( ( 'news' ) ) )", "a leading or joins nothing");
    check_query("news or", "( ( ( 'news' ) ) )", "a trailing or joins nothing");
    check_query("\"or\" news", "( ( ( 'or' ) ) ) & ( ( ( 'news' ) ) )", "a quoted or is a word");
}

static void test_query_refused(void **state)
{
    (void)state;
    static const char nothing[] = "refused: q must hold at least one word to look for";
    check_query("", nothing, "empty");
    check_query(" \t\n ", nothing, "white space only");
    check_query("!!! ... ??", nothing, "punctuation only");
    check_query("-news", nothing, "only an exclusion");
    check_query("-news -\"a b\"", nothing, "only exclusions");
    check_query("or", nothing, "or alone");
    check_query("\"\"", nothing, "an empty phrase alone");
    check_query("news \xff", "refused: q is not valid UTF-8", "invalid UTF-8");
    check_query("\xd8", "refused: q is not valid UTF-8", "a cut UTF-8 sequence");
}

static void test_query_long_words(void **state)
{
    (void)state;
    char q[1024], want[1024];
    char word[TEXT_SEARCH_WORD_MAX_BYTES + 2];
    memset(word, 'x', sizeof word - 1);
    word[sizeof word - 1] = '\0'; /* one byte too long to be indexed */
    snprintf(q, sizeof q, "%s news", word);
    check_query(q, "( '-' ) & ( ( ( 'news' ) ) )",
                "a word too long to index: a lexeme no article has, so nothing matches");
    snprintf(q, sizeof q, "-%s news", word);
    check_query(q, "( !'-' ) & ( ( ( 'news' ) ) )", "excluding a word too long excludes none");
    word[TEXT_SEARCH_WORD_MAX_BYTES] = '\0';
    snprintf(want, sizeof want, "( ( ( '%s' ) ) )", word);
    check_query(word, want, "a word of exactly the longest indexed length");
}

static void test_query_phrase_over_long_word(void **state)
{
    (void)state;
    char q[1024], word[TEXT_SEARCH_WORD_MAX_BYTES + 2];
    memset(word, 'x', sizeof word - 1);
    word[sizeof word - 1] = '\0';
    /* the long word keeps its position in articles (words.h), so the phrase must too: an
     * article reading "a <word> b" has a at 1 and b at 3 */
    snprintf(q, sizeof q, "a %s b", word);
    check_vector(q, NULL, NULL, "'a':1A 'b':3A", "the article side: b two after a");
    snprintf(q, sizeof q, "\"a %s b\"", word);
    check_query(q, "( ( ( 'a' ) <2> ( 'b' ) ) )",
                "a phrase over a word too long: its neighbours stay two apart");
}

static void test_vector_positions_weights(void **state)
{
    (void)state;
    check_vector("Putin visits", NULL, "Putin speaks", "'putin':1A,4C 'speaks':5C 'visits':2A",
                 "title A, body C, one position left empty between them");
    check_vector("Putin visits", "In short", "Putin speaks",
                 "'in':4B 'putin':1A,7C 'short':5B 'speaks':8C 'visits':2A",
                 "summary B between them, with a gap on each side");
    check_vector("news news", NULL, NULL, "'news':1A,2A", "a word twice: two positions");
    check_vector("وبالكرملين", NULL, NULL,
                 "'~الكرملين':1A '~بالكرملين':1A '~كرملين':1A 'وبالكرملين':1A",
                 "every form of a word at its one position, proclitic cuts marked");
    check_vector("A", "", "b", "'a':1A 'b':3C", "an empty summary takes no positions");
    check_vector("", NULL, "", "", "no words, no lexemes");
    check_vector("Don't", NULL, NULL, "'don':1A 't':2A", "punctuation separates words");
}

/* How the vector tells exact, folded and cut forms apart, and how the queries find them. */
static void test_query_marks(void **state)
{
    (void)state;
    check_marked_query("news", "( ( ( 'news' | '^news' | '~news' ) ) )",
                       "marks: a form matches unmarked, folded or cut");
    check_exact_query("news", "( ( ( 'news' ) ) )", "marks: exact, written as its whole form");
    check_exact_query("\u0645\u0633\u0624\u0648\u0644", "( ( ( '=\u0645\u0633\u0624\u0648\u0644' ) ) )",
                      "marks: exact مسؤول is its written form");
    check_exact_query("\"putin visits\" -news", "( ( ( 'putin' ) <-> ( 'visits' ) ) ) & "
                      "( !( ( 'news' | '^news' | '~news' ) ) )",
                      "marks: exact phrase; an exclusion excludes every form");
    check_exact_query("a or b", "( ( ( 'a' ) ) | ( ( 'b' ) ) )", "marks: exact or");
    check_vector("\u0645\u0633\u0624\u0648\u0644", NULL, NULL,
                 "'=\u0645\u0633\u0624\u0648\u0644':1A '^\u0645\u0633\u0626\u0648\u0644':1A",
                 "marks: a folded word keeps its written form and its folded whole form");
    check_vector("\u0628\u0648\u062A\u064A\u0646", NULL, NULL, "'\u0628\u0648\u062A\u064A\u0646':1A",
                 "marks: a word written as its whole form is one lexeme");
}

static void test_vector_long_body(void **state)
{
    (void)state;
    /* 16384 words: the last is at position 16385 and shares the highest one */
    size_t words = SEARCH_MAX_POSITION + 1;
    char *body = malloc(words * 2 + 8);
    for (size_t i = 0; i < words; i++)
        memcpy(body + 2 * i, "a ", 2);
    strcpy(body + 2 * words, "zzz");
    char *v = search_vector_new("t", NULL, body);
    check(v != NULL, "long: made");
    check(strstr(v, "'zzz':16383C ") != NULL, "long: a word past 16383 is kept at 16383");
    char *a = strstr(v, "'a':");
    size_t commas = 0;
    for (const char *p = a; p != NULL && *p != ' '; p++)
        commas += *p == ',';
    check(a != NULL && commas + 1 <= 256, "long: at most 256 positions of one lexeme");
    free(v);
    free(body);
}

static void test_vector_lexeme_bytes(void **state)
{
    (void)state;
    /* 120000 distinct words of 8 letters: over a megabyte of lexemes and positions */
    size_t n = 120000;
    char *body = malloc(n * 9 + 1), word[16];
    for (size_t i = 0; i < n; i++) {
        snprintf(word, sizeof word, "w%07zu ", i);
        memcpy(body + 9 * i, word, 9);
    }
    body[9 * n] = '\0';
    char *v = search_vector_new("title", NULL, body);
    check(v != NULL, "bytes: made");
    check(strstr(v, "'w0000000':3C") != NULL, "bytes: the first words are indexed");
    check(strstr(v, "'w0119999'") == NULL, "bytes: words new past the limit are not");
    check(strstr(v, "'title':1A") != NULL, "bytes: the title is indexed");
    free(v);
    free(body);
}

/* The snippet of texts (n of them) for q, or "(none)"; the caller frees. */
static char *snippet_of_new(const char *q, const char *const *texts, size_t n)
{
    char err[128];
    struct search_query *query = search_query_new(q, err, sizeof err);
    check(query != NULL, q);
    char *s = search_snippet_new(query, texts, n);
    search_query_free(query);
    return s ? s : strdup("(none)");
}

static void test_snippets(void **state)
{
    (void)state;
    const char *const texts[] = { "Putin in Moscow", NULL, "The Kremlin said Putin visits" };
    check_new_str(snippet_of_new("kremlin", texts, 3), "The <mark>Kremlin</mark> said Putin visits",
                  "snippet: the first text holding the word, NULL skipped");
    check_new_str(snippet_of_new("putin -moscow", texts, 3), "<mark>Putin</mark> in Moscow",
                  "snippet: excluded words are not marked");
    check_new_str(snippet_of_new("\"putin visits\"", texts, 3),
                  "<mark>Putin</mark> in Moscow", "snippet: each word of a phrase is marked");
    check_new_str(snippet_of_new("berlin", texts, 3), "(none)", "snippet: none holds the word");
    const char *const arabic[] = { "قال وبالكرملين أمس" };
    check_new_str(snippet_of_new("الكرملين", arabic, 1), "قال <mark>وبالكرملين</mark> أمس",
                  "snippet: a word found by a form, marked as written");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_query_words),
        cmocka_unit_test(test_query_phrases),
        cmocka_unit_test(test_query_exclusion_and_or),
        cmocka_unit_test(test_query_refused),
        cmocka_unit_test(test_query_long_words),
        cmocka_unit_test(test_query_phrase_over_long_word),
        cmocka_unit_test(test_vector_positions_weights),
        cmocka_unit_test(test_query_marks),
        cmocka_unit_test(test_vector_long_body),
        cmocka_unit_test(test_vector_lexeme_bytes),
        cmocka_unit_test(test_snippets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
