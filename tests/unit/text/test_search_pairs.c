/* test_search_pairs.c: the labelled precision set tests/data/search_pairs.tsv through the C
 * rules that decide a match (words.c, affixes.c, normalize.c): a query matches a stored text
 * when each of its words shares a form with a word of the text, as the tsquery of search.c
 * asks. Prints recall on the rows that must match and the false matches on those that must
 * not; fails below 95% recall or on any false match. tests/integration/test_search_pairs.py
 * runs the same rows through the real search.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/words.h"
#include "unit.h"

#define PAIRS_PATH "tests/data/search_pairs.tsv"
#define MAX_FORMS 512
#define MAX_WORDS 16

/* The forms of a stored text, or the words of a query and whether each matched. */
struct forms {
    char *form[MAX_FORMS];
    size_t n;
};

static int collect_form(size_t word, const char *form, size_t len, void *arg)
{
    (void)word;
    struct forms *f = arg;
    if (f->n < MAX_FORMS)
        f->form[f->n++] = strndup(form, len);
    return 0;
}

struct query_words {
    const struct forms *text;
    bool matched[MAX_WORDS];
    size_t words;
};

static int match_form(size_t word, const char *form, size_t len, void *arg)
{
    struct query_words *q = arg;
    if (word >= MAX_WORDS)
        return 0;
    if (word + 1 > q->words)
        q->words = word + 1;
    for (size_t i = 0; i < q->text->n; i++)
        if (strlen(q->text->form[i]) == len && memcmp(q->text->form[i], form, len) == 0)
            q->matched[word] = true;
    return 0;
}

/* True when every word of query shares a form with a word of stored. */
static bool pair_matches(const char *stored, const char *query)
{
    struct forms text = { .n = 0 };
    struct query_words q = { .text = &text };
    text_search_forms(stored, collect_form, &text);
    text_search_forms(query, match_form, &q);
    bool all = q.words > 0;
    for (size_t i = 0; i < q.words; i++)
        all = all && q.matched[i];
    for (size_t i = 0; i < text.n; i++)
        free(text.form[i]);
    return all;
}

static void test_search_pairs(void **state)
{
    (void)state;
    FILE *f = fopen(PAIRS_PATH, "r");
    check(f != NULL, "pairs: " PAIRS_PATH " opens (run from the project's folder)");
    if (f == NULL)
        return;
    char line[2048];
    unsigned must = 0, found = 0, must_not = 0, false_matches = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        line[strcspn(line, "\n")] = '\0';
        char *save = NULL;
        char *stored = strtok_r(line, "\t", &save), *query = strtok_r(NULL, "\t", &save);
        char *expected = strtok_r(NULL, "\t", &save), *what = strtok_r(NULL, "\t", &save);
        check(what != NULL, "pairs: a row has four fields");
        if (what == NULL)
            continue;
        bool want = strcmp(expected, "match") == 0, got = pair_matches(stored, query);
        if (want) {
            must++;
            found += got;
        } else {
            must_not++;
            false_matches += got;
        }
        if (got != want)
            printf("# pairs: %s: %s / %s %s\n", what, stored, query,
                   want ? "does not match" : "matches");
    }
    fclose(f);
    printf("# search pairs (C rules): recall %u/%u (%.1f%%), false matches %u/%u\n", found, must,
           must ? 100.0 * found / must : 0.0, false_matches, must_not);
    check(must >= 100 && must_not >= 50, "pairs: the set holds enough rows of each kind");
    check(found * 100 >= must * 95, "pairs: recall at least 95%");
    check(false_matches == 0, "pairs: no false match");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_search_pairs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
