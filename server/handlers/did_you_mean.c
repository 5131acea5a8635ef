/* did_you_mean.c: the query GET /v1/articles offers when a search finds nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "article_list.h"
#include "text/normalize.h"
#include "text/search.h"
#include "text/words.h"

/* A word shorter than this (in characters) is never corrected: one edit away from a short
 * word are too many other words. Up to SHORT_WORD_CHARS characters, one edit; longer
 * words, two (a swap of two letters is two edits). */
#define MIN_WORD_CHARS 4
#define SHORT_WORD_CHARS 5
/* The trigram similarity a known word needs to be considered at all (pg_trgm). A letter
 * swapped in a six-letter word keeps about a quarter of its trigrams; the edit distance
 * and the check that the new query finds articles decide among those. */
#define MIN_SIMILARITY "0.2"

/* The search forms of one query word as a PostgreSQL text array, and its whole form. */
struct word_forms {
    char array[4 * TEXT_SEARCH_WORD_MAX_BYTES];
    char whole[TEXT_SEARCH_WORD_MAX_BYTES + 1];
    size_t used;
    long words;
};

/* Collects the forms of the first word (text_form_fn); a form with a quote is not
 * one search makes, so it stops. */
static int collect_form(size_t word, const char *form, size_t len, void *arg)
{
    struct word_forms *w = arg;
    if (word > 0 || memchr(form, '"', len) || memchr(form, '\\', len))
        return 1;
    if (w->used == 0)
        snprintf(w->whole, sizeof w->whole, "%.*s", (int)len, form);
    int n = snprintf(w->array + w->used, sizeof w->array - w->used, "%s\"%.*s\"",
                     w->used == 0 ? "{" : ",", (int)len, form);
    if (n < 0 || (size_t)n >= sizeof w->array - w->used - 1)
        return 1;
    w->used += (size_t)n;
    return 0;
}

/* Whether token is one plain word (not a phrase, an exclusion or "or"), its forms in *w. */
static bool plain_word(const char *token, struct word_forms *w)
{
    memset(w, 0, sizeof *w);
    if (strpbrk(token, "\"-") != NULL || strcmp(token, "or") == 0 || strcmp(token, "OR") == 0)
        return false;
    w->words = text_search_forms(token, collect_form, w);
    if (w->words != 1 || w->used == 0)
        return false;
    strcat(w->array, "}");
    return text_char_count(w->whole) >= MIN_WORD_CHARS;
}

/* The known word for token (a copy of it when it needs no correction), or NULL when
 * it needs one and none is confident (caller frees). */
static char *word_suggestion_new(db_conn *c, const char *token, bool *changed)
{
    struct word_forms w;
    char *found = NULL;
    if (!plain_word(token, &w))
        return strdup(token);
    int edits = text_char_count(w.whole) <= SHORT_WORD_CHARS ? 1 : 2;
    if (db_word_suggest(c, w.array, w.whole, edits, MIN_SIMILARITY, &found) != DB_OK || found == NULL)
        return free(found), NULL;
    if (strcmp(found, w.whole) == 0) {
        free(found);
        return strdup(token);
    }
    *changed = true;
    return found;
}

/* q with each word corrected, words separated by one space; NULL when a word has no
 * confident correction or none needed one (caller frees). */
static char *corrected_new(db_conn *c, const char *q)
{
    char *copy = strdup(q), *out = NULL, *save = NULL;
    size_t size = 0;
    bool changed = false, ok = copy != NULL;
    FILE *f = ok ? open_memstream(&out, &size) : NULL;
    ok = f != NULL;
    for (char *t = ok ? strtok_r(copy, " \t\r\n", &save) : NULL; ok && t;
         t = strtok_r(NULL, " \t\r\n", &save)) {
        char *word = word_suggestion_new(c, t, &changed);
        ok = word != NULL;
        if (ok)
            fprintf(f, "%s%s", size > 0 || ftell(f) > 0 ? " " : "", word);
        free(word);
    }
    if (f != NULL && fclose(f) != 0)
        ok = false;
    free(copy);
    if (!ok || !changed) {
        free(out);
        return NULL;
    }
    return out;
}

char *did_you_mean_new(db_conn *c, const char *q, const struct article_query *query)
{
    char detail[128];
    char *suggestion = corrected_new(c, q);
    struct search_query *search = suggestion ? search_query_new(suggestion, detail, sizeof detail) : NULL;
    struct db_article_page found = { 0 };
    struct article_query again = *query;
    bool has_results = false;
    if (search != NULL) {
        again.tsquery = search_query_tsquery(search);
        again.limit = 1;
        again.after_id = 0;
        again.facets = NULL;
        has_results = db_article_list(c, &again, &found) == DB_OK && found.n > 0;
    }
    db_article_page_clear(&found);
    search_query_free(search);
    if (!has_results) {
        free(suggestion);
        return NULL;
    }
    return suggestion;
}
