/* search.c: builds tsvector and tsquery texts from Arabic-aware word forms (text.h). */
#include "search.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "text.h"

#define SNIPPET_WORDS 30

/* Appends a form as a quoted tsvector/tsquery lexeme: '' and \\ escaped. */
static void put_lexeme(FILE *f, const char *form, size_t len)
{
    fputc('\'', f);
    for (size_t i = 0; i < len; i++) {
        if (form[i] == '\'' || form[i] == '\\')
            fputc(form[i], f);
        fputc(form[i], f);
    }
    fputc('\'', f);
}

/* ---- the article side ---- */

struct vector_state {
    FILE *out;
    size_t base;  /* position of the field's first word, less one */
    char weight;  /* A, B or C */
    size_t last;  /* highest position written */
};

static int put_vector_form(size_t word, const char *form, size_t len, void *arg)
{
    struct vector_state *v = arg;
    size_t pos = v->base + word + 1;
    if (pos > SEARCH_MAX_POSITION)
        return 1; /* PostgreSQL would fold every later word onto the last position */
    put_lexeme(v->out, form, len);
    fprintf(v->out, ":%zu%c ", pos, v->weight);
    v->last = pos;
    return 0;
}

static void put_field(struct vector_state *v, const char *text, char weight)
{
    if (text == NULL)
        return;
    v->weight = weight;
    long words = text_search_forms(text, put_vector_form, v);
    if (words > 0)
        v->base += (size_t)words + 1; /* the gap keeps phrases inside one field */
}

char *search_vector_new(const char *title, const char *summary, const char *body)
{
    char *text = NULL;
    size_t len = 0;
    struct vector_state v = { .out = open_memstream(&text, &len) };
    if (v.out == NULL)
        return NULL;
    put_field(&v, title, 'A');
    put_field(&v, summary, 'B');
    put_field(&v, body, 'C');
    if (fclose(v.out) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

/* ---- the search box side ---- */

struct search_query {
    char *tsquery;
    char **forms;   /* forms of the words looked for (not of excluded ones), for snippets */
    size_t nforms, cap;
};

/* One word of the query, written as an OR-group of its forms. */
struct word_state {
    FILE *out;
    struct search_query *query;
    bool keep_forms;
    long current;   /* index of the word being written, -1 before the first */
    size_t words;
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

static int put_query_form(size_t word, const char *form, size_t len, void *arg)
{
    struct word_state *w = arg;
    if ((long)word != w->current) {
        fputs(w->current < 0 ? "( ( " : " ) <-> ( ", w->out);
        w->current = (long)word;
        w->words++;
    } else {
        fputs(" | ", w->out);
    }
    put_lexeme(w->out, form, len);
    if (w->keep_forms)
        remember_form(w->query, form, len);
    return 0;
}

/*
 * Writes one term (a word, or a phrase of words) as a tsquery: each word an OR-group
 * of its forms, words of a phrase joined by <->. Returns how many words it held.
 */
static size_t put_term(FILE *out, struct search_query *q, const char *text, bool negated)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *tmp = open_memstream(&buf, &len);
    if (tmp == NULL)
        return 0;
    struct word_state w = { .out = tmp, .query = q, .keep_forms = !negated, .current = -1 };
    if (text_search_forms(text, put_query_form, &w) < 0)
        w.words = 0;
    if (w.words > 0)
        fputs(" ) )", tmp);
    fclose(tmp);
    if (w.words > 0)
        fprintf(out, "%s%s", negated ? "!" : "", buf);
    free(buf);
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
    char **item;
    size_t n, cap;
};

static int items_add(struct items *it, char *clause)
{
    if (it->n == it->cap) {
        size_t cap = it->cap ? it->cap * 2 : 8;
        char **grown = realloc(it->item, cap * sizeof *grown);
        if (grown == NULL)
            return -1;
        it->item = grown;
        it->cap = cap;
    }
    it->item[it->n++] = clause;
    return 0;
}

/* Joins clause to the last item with " | " (an "or" binds its two neighbours). */
static int items_or(struct items *it, const char *clause)
{
    char *joined = NULL;
    if (asprintf(&joined, "%s | %s", it->item[it->n - 1], clause) < 0)
        return -1;
    free(it->item[it->n - 1]);
    it->item[it->n - 1] = joined;
    return 0;
}

/* One term of the query as a tsquery clause, or NULL when it holds no word. */
static char *term_clause_new(struct search_query *q, const char *term, bool negated)
{
    char *clause = NULL;
    size_t clen = 0;
    FILE *c = open_memstream(&clause, &clen);
    if (c == NULL)
        return NULL;
    size_t words = put_term(c, q, term, negated);
    fclose(c);
    if (words == 0) {
        free(clause);
        return NULL;
    }
    return clause;
}

/* Parses the query text into items; returns how many terms look for something. */
static size_t parse_items(struct search_query *q, const char *text, struct items *it)
{
    const char *p = text;
    size_t positive = 0;
    bool pending_or = false;
    while (*p != '\0') {
        bool negated, quoted;
        char *term = next_term_new(&p, &negated, &quoted);
        if (term == NULL)
            break;
        if (!quoted && !negated && strcasecmp(term, "or") == 0) {
            pending_or = it->n > 0;
            free(term);
            continue;
        }
        char *clause = term_clause_new(q, term, negated);
        free(term);
        if (clause == NULL)
            continue;
        positive += !negated;
        if (pending_or) {
            items_or(it, clause);
            free(clause);
        } else if (items_add(it, clause) < 0) {
            free(clause);
        }
        pending_or = false;
    }
    return positive;
}

/* Writes the items AND-ed, each in parentheses. */
static void put_items(FILE *out, const struct items *it)
{
    for (size_t i = 0; i < it->n; i++)
        fprintf(out, "%s( %s )", i ? " & " : "", it->item[i]);
}

static void items_free(struct items *it)
{
    for (size_t i = 0; i < it->n; i++)
        free(it->item[i]);
    free(it->item);
}

struct search_query *search_query_new(const char *q, char *err, size_t err_size)
{
    size_t len = 0;
    struct search_query *query = calloc(1, sizeof *query);
    if (query == NULL || !text_is_valid_utf8(q, strlen(q))) {
        snprintf(err, err_size, "q is not valid UTF-8");
        goto fail;
    }
    struct items it = { 0 };
    size_t positive = parse_items(query, q, &it);
    FILE *out = open_memstream(&query->tsquery, &len);
    if (out != NULL) {
        put_items(out, &it);
        fclose(out);
    }
    items_free(&it);
    if (out == NULL)
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
    free(query);
}

const char *search_query_tsquery(const struct search_query *query)
{
    return query->tsquery;
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
