/* search.c: builds the tsquery texts of a search box from Arabic-aware word forms (words.h), and snippets. */
#include "text/search.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "text/normalize.h"
#include "text/words.h"

#define SNIPPET_WORDS 30

struct search_query {
    char *tsquery;
    char *exact;    /* the same query with each word looked for as written only */
    char **forms;   /* forms of the words looked for (not of excluded ones), for snippets */
    size_t nforms, cap;
};

/* One term of the query: each word an OR-group of its forms in out, its written form in exact. */
struct word_state {
    FILE *out, *exact;
    struct search_query *query;
    bool keep_forms;
    long current;   /* index of the word being written, -1 before the first */
    size_t words;
    struct text_written written; /* the current word as written */
};

static void remember_form(struct search_query *q, const char *form, size_t len)
{
    if (q->nforms == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 16;
        char **grown = realloc(q->forms, cap * sizeof *grown);
        if (grown == NULL)
            return; /* a snippet without this mark is still a snippet */
        q->forms = grown;
        q->cap = cap;
    }
    q->forms[q->nforms] = strndup(form, len);
    if (q->forms[q->nforms] != NULL)
        q->nforms++;
}

/* Appends a lexeme with a marker byte before it (0: none). */
static void put_marked(FILE *f, char marker, const char *form, size_t len)
{
    char buf[TEXT_SEARCH_WORD_MAX_BYTES + 2];
    size_t n = 0;
    if (marker != 0)
        buf[n++] = marker;
    memcpy(buf + n, form, len);
    text_put_lexeme(f, buf, n + len);
}

/* Opens the group of a new word in f, after the previous one (phrase distance words). */
static void open_word(FILE *f, long current, long word)
{
    /* a word too long to index has no forms but keeps its position (words.h): the
     * words around it stay as far apart as in the article */
    if (current < 0)
        fputs("( ( ", f);
    else if (word - current == 1)
        fputs(" ) <-> ( ", f);
    else
        fprintf(f, " ) <%ld> ( ", word - current);
}

/*
 * A form of a query word: it matches the article's form however that was stored
 * (add_vector_form): unmarked, folded or with affixes removed. The exact query looks
 * for the word as written: unmarked when it is its whole form, else marked written.
 */
static int put_query_form(size_t word, enum text_form_kind kind, const char *form, size_t len,
                          void *arg)
{
    struct word_state *w = arg;
    if (kind == TEXT_FORM_WRITTEN) {
        text_written_keep(&w->written, word, form, len);
        return 0;
    }
    if ((long)word != w->current) {
        open_word(w->out, w->current, (long)word);
        open_word(w->exact, w->current, (long)word);
        if (w->written.word != (long)word || text_written_is(&w->written, word, form, len))
            put_marked(w->exact, 0, form, len);
        else
            put_marked(w->exact, SEARCH_MARK_WRITTEN, w->written.s, w->written.len);
        w->current = (long)word;
        w->words++;
    } else {
        fputs(" | ", w->out);
    }
    put_marked(w->out, 0, form, len);
    fputs(" | ", w->out);
    put_marked(w->out, SEARCH_MARK_FOLDED, form, len);
    fputs(" | ", w->out);
    put_marked(w->out, SEARCH_MARK_AFFIX, form, len);
    if (w->keep_forms)
        remember_form(w->query, form, len);
    return 0;
}

/* A term's two clauses: what it matches, and what it matches as written. */
struct clause {
    char *match, *exact;
};

static void clause_clear(struct clause *c)
{
    free(c->match);
    free(c->exact);
}

/*
 * One term (a word, or a phrase of words) as tsquery clauses: each word an OR-group
 * of its forms, words of a phrase joined by <-> (or <N> across a word too long to
 * index). An excluded term excludes every form in both. Returns how many words it held
 * (0: no clause, c left empty).
 */
static size_t term_clause(struct search_query *q, const char *text, bool negated, struct clause *c)
{
    char *buf = NULL, *ebuf = NULL;
    size_t len = 0, elen = 0;
    FILE *out = open_memstream(&buf, &len), *exact = open_memstream(&ebuf, &elen);
    struct word_state w = { .out = out, .exact = exact, .query = q, .keep_forms = !negated,
                            .current = -1, .written.word = -1 };
    long total = out && exact ? text_search_forms_kinds(text, put_query_form, &w) : -1;
    if (total < 0)
        w.words = 0;
    if (w.words > 0 && out && exact) {
        fputs(" ) )", out);
        fputs(" ) )", exact);
    }
    if (out != NULL)
        fclose(out);
    if (exact != NULL)
        fclose(exact);
    memset(c, 0, sizeof *c);
    const char *sign = negated ? "!" : "";
    if (w.words > 0) {
        asprintf(&c->match, "%s%s", sign, buf);
        asprintf(&c->exact, "%s%s", sign, negated ? buf : ebuf);
    } else if (total > 0) {
        /* only words too long to be indexed: a lexeme no article has ('-' is never a word) */
        asprintf(&c->match, "%s'-'", sign);
        asprintf(&c->exact, "%s'-'", sign);
        w.words = 1;
    }
    free(buf);
    free(ebuf);
    if (w.words > 0 && (c->match == NULL || c->exact == NULL)) {
        clause_clear(c);
        return 0;
    }
    return w.words;
}

/* The next term of q at *p: a "phrase" or a word, with a leading '-' for exclusion. */
static char *next_term_new(const char **p, bool *negated, bool *quoted)
{
    const char *s = *p;
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    *negated = *s == '-';
    if (*negated)
        s++;
    *quoted = *s == '"';
    if (*quoted)
        s++;
    const char *start = s;
    while (*s != '\0' && (*quoted ? *s != '"' : (*s != ' ' && *s != '\t' && *s != '\n' &&
                                                  *s != '\r' && *s != '"')))
        s++;
    char *term = strndup(start, (size_t)(s - start));
    if (*quoted && *s == '"')
        s++;
    *p = s;
    return term;
}

/* AND-ed items of a query, each one term or several joined by "or". */
struct items {
    struct clause *item;
    size_t n, cap;
};

/* Adds c as a new item (taking it over); -1 on no memory (c freed). */
static int items_add(struct items *it, struct clause *c)
{
    if (it->n == it->cap) {
        size_t cap = it->cap ? it->cap * 2 : 8;
        struct clause *grown = realloc(it->item, cap * sizeof *grown);
        if (grown == NULL) {
            clause_clear(c);
            return -1;
        }
        it->item = grown;
        it->cap = cap;
    }
    it->item[it->n++] = *c;
    return 0;
}

/* Joins b to a with " | " (an "or" binds its two neighbours), in place; -1 on no memory. */
static int join_or(char **a, const char *b)
{
    char *joined = NULL;
    if (asprintf(&joined, "%s | %s", *a, b) < 0)
        return -1;
    free(*a);
    *a = joined;
    return 0;
}

/* Joins c to the last item (c stays the caller's). */
static void items_or(struct items *it, const struct clause *c)
{
    join_or(&it->item[it->n - 1].match, c->match);
    join_or(&it->item[it->n - 1].exact, c->exact);
}

/* Parses the query text into items; returns how many terms look for something. */
static size_t parse_items(struct search_query *q, const char *text, struct items *it)
{
    const char *p = text;
    size_t positive = 0;
    bool pending_or = false;
    while (*p != '\0') {
        bool negated, quoted;
        struct clause c;
        char *term = next_term_new(&p, &negated, &quoted);
        if (term == NULL)
            break;
        if (!quoted && !negated && strcasecmp(term, "or") == 0) {
            pending_or = it->n > 0;
            free(term);
            continue;
        }
        size_t words = term_clause(q, term, negated, &c);
        free(term);
        if (words == 0)
            continue;
        positive += !negated;
        if (pending_or) {
            items_or(it, &c);
            clause_clear(&c);
        } else {
            items_add(it, &c);
        }
        pending_or = false;
    }
    return positive;
}

/* Writes the items AND-ed, each in parentheses: their match or their exact clauses. */
static char *items_text_new(const struct items *it, bool exact)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < it->n; i++)
        fprintf(out, "%s( %s )", i ? " & " : "", exact ? it->item[i].exact : it->item[i].match);
    if (fclose(out) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

static void items_free(struct items *it)
{
    for (size_t i = 0; i < it->n; i++)
        clause_clear(&it->item[i]);
    free(it->item);
}

struct search_query *search_query_new(const char *q, char *err, size_t err_size)
{
    struct search_query *query = calloc(1, sizeof *query);
    if (query == NULL || !text_is_valid_utf8(q, strlen(q))) {
        snprintf(err, err_size, "q is not valid UTF-8");
        goto fail;
    }
    struct items it = { 0 };
    size_t positive = parse_items(query, q, &it);
    query->tsquery = items_text_new(&it, false);
    query->exact = items_text_new(&it, true);
    items_free(&it);
    if (query->tsquery == NULL || query->exact == NULL)
        goto fail;
    if (positive == 0) {
        snprintf(err, err_size, "q must hold at least one word to look for");
        goto fail;
    }
    return query;
fail:
    search_query_free(query);
    return NULL;
}

void search_query_free(struct search_query *query)
{
    if (query == NULL)
        return;
    for (size_t i = 0; i < query->nforms; i++)
        free(query->forms[i]);
    free(query->forms);
    free(query->tsquery);
    free(query->exact);
    free(query);
}

const char *search_query_tsquery(const struct search_query *query)
{
    return query->tsquery;
}

const char *search_query_exact_tsquery(const struct search_query *query)
{
    return query->exact;
}

static int form_is_wanted(const char *form, size_t len, void *arg)
{
    const struct search_query *q = arg;
    for (size_t i = 0; i < q->nforms; i++)
        if (strlen(q->forms[i]) == len && memcmp(q->forms[i], form, len) == 0)
            return 1;
    return 0;
}

char *search_snippet_new(const struct search_query *query, const char *const *texts, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (texts[i] == NULL)
            continue;
        char *snippet = text_snippet_new(texts[i], SNIPPET_WORDS, form_is_wanted, (void *)query);
        if (snippet != NULL)
            return snippet;
    }
    return NULL;
}
