/* search.c: builds tsvector and tsquery texts from Arabic-aware word forms (words.h). */
#include "text/search.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "infra/hash.h"
#include "text/normalize.h"
#include "text/words.h"

#define SNIPPET_WORDS 30

/* Appends a form as a quoted tsvector/tsquery lexeme: '' and \\ escaped (doubled). */
static void put_lexeme(FILE *f, const char *form, size_t len)
{
    fputc('\'', f);
    for (size_t i = 0; i < len;) {
        size_t run = 0;
        while (i + run < len && form[i + run] != '\'' && form[i + run] != '\\')
            run++;
        fwrite(form + i, 1, run, f);
        i += run;
        if (i < len) {
            fputc(form[i], f);
            fputc(form[i++], f);
        }
    }
    fputc('\'', f);
}

/* ---- the article side ---- */

/* PostgreSQL keeps at most this many positions of one lexeme. */
#define LEXEME_MAX_POSITIONS 256

/* One distinct lexeme of an article with where it occurs ("17C"). Most words occur a
 * few times: the positions grow as needed (room for all 256 in every lexeme made
 * clearing memory a noticeable part of an import). */
struct lexeme {
    char *form;
    size_t len;
    uint16_t *pos;
    char *weight;
    unsigned npos, cap;
};

/*
 * The lexemes of an article, each once: PostgreSQL counts its 1 MiB limit over the
 * text it reads, so a word written once per occurrence would reach it on an ordinary
 * long article.
 */
struct vector_state {
    size_t base;  /* position of the field's first word, less one */
    char weight;  /* A, B or C */
    struct lexeme **slot; /* open addressing by hash */
    size_t nslots, count, bytes;
    bool failed;
};

static uint64_t lexeme_hash(const char *form, size_t len)
{
    return hash_fnv1a64(HASH_FNV1A64_INIT, form, len);
}

static bool grow(struct vector_state *v)
{
    size_t n = v->nslots ? v->nslots * 2 : 1024;
    struct lexeme **slot = calloc(n, sizeof *slot);
    if (slot == NULL)
        return false;
    for (size_t i = 0; i < v->nslots; i++) {
        struct lexeme *l = v->slot[i];
        if (l == NULL)
            continue;
        size_t j = lexeme_hash(l->form, l->len) % n;
        while (slot[j] != NULL)
            j = (j + 1) % n;
        slot[j] = l;
    }
    free(v->slot);
    v->slot = slot;
    v->nslots = n;
    return true;
}

/* The lexeme for form, added when new and within the size limit; NULL otherwise. */
static struct lexeme *lexeme_of(struct vector_state *v, const char *form, size_t len)
{
    if (v->count * 2 >= v->nslots && !grow(v)) {
        v->failed = true;
        return NULL;
    }
    size_t j = lexeme_hash(form, len) % v->nslots;
    for (; v->slot[j] != NULL; j = (j + 1) % v->nslots)
        if (v->slot[j]->len == len && memcmp(v->slot[j]->form, form, len) == 0)
            return v->slot[j];
    /* PostgreSQL stores each lexeme, 2-byte aligned, then a count and its positions, and
     * refuses a tsvector whose store passes 1 MiB. */
    size_t need = len + (len & 1) + 2;
    if (v->bytes + need + 2 > SEARCH_MAX_LEXEME_BYTES)
        return NULL;
    struct lexeme *l = calloc(1, sizeof *l);
    char *copy = l ? strndup(form, len) : NULL;
    if (copy == NULL) {
        free(l);
        v->failed = true;
        return NULL;
    }
    l->form = copy;
    l->len = len;
    v->slot[j] = l;
    v->count++;
    v->bytes += need;
    return l;
}

static bool grow_positions(struct lexeme *l)
{
    unsigned cap = l->cap ? l->cap * 4 : 4;
    if (cap > LEXEME_MAX_POSITIONS)
        cap = LEXEME_MAX_POSITIONS;
    uint16_t *pos = realloc(l->pos, cap * sizeof *pos);
    if (pos != NULL)
        l->pos = pos;
    char *weight = pos ? realloc(l->weight, cap) : NULL;
    if (weight == NULL)
        return false;
    l->weight = weight;
    l->cap = cap;
    return true;
}

static int add_vector_form(size_t word, const char *form, size_t len, void *arg)
{
    struct vector_state *v = arg;
    size_t pos = v->base + word + 1;
    /* PostgreSQL keeps positions up to 16383: later words are still found, though not
     * as parts of a phrase. */
    if (pos > SEARCH_MAX_POSITION)
        pos = SEARCH_MAX_POSITION;
    struct lexeme *l = lexeme_of(v, form, len);
    if (l != NULL && l->npos < LEXEME_MAX_POSITIONS &&
        (l->npos == 0 || l->pos[l->npos - 1] != pos) && v->bytes + 2 <= SEARCH_MAX_LEXEME_BYTES) {
        if (l->npos == l->cap && !grow_positions(l)) {
            v->failed = true;
            return 0;
        }
        l->pos[l->npos] = (uint16_t)pos;
        l->weight[l->npos++] = v->weight;
        v->bytes += 2;
    }
    return 0;
}

static void add_field(struct vector_state *v, const char *text, char weight)
{
    if (text == NULL)
        return;
    v->weight = weight;
    long words = text_search_forms(text, add_vector_form, v);
    if (words > 0)
        v->base += (size_t)words + 1; /* the gap keeps phrases inside one field */
}

/* ":17C" or ",17C", written by hand: a printf per position showed in the import's profile. */
static void put_position(FILE *out, char sep, unsigned pos, char weight)
{
    char buf[16], *p = buf + sizeof buf;
    *--p = weight;
    do
        *--p = (char)('0' + pos % 10);
    while ((pos /= 10) > 0);
    *--p = sep;
    fwrite(p, 1, (size_t)(buf + sizeof buf - p), out);
}

/* Writes each lexeme once with its positions: 'form':3A,17C */
static void put_vector(FILE *out, const struct vector_state *v)
{
    for (size_t i = 0; i < v->nslots; i++) {
        const struct lexeme *l = v->slot[i];
        if (l == NULL)
            continue;
        put_lexeme(out, l->form, l->len);
        for (unsigned p = 0; p < l->npos; p++)
            put_position(out, p ? ',' : ':', l->pos[p], l->weight[p]);
        fputc(' ', out);
    }
}

static void vector_state_free(struct vector_state *v)
{
    for (size_t i = 0; i < v->nslots; i++) {
        if (v->slot[i] != NULL) {
            free(v->slot[i]->form);
            free(v->slot[i]->pos);
            free(v->slot[i]->weight);
            free(v->slot[i]);
        }
    }
    free(v->slot);
}

char *search_vector_new(const char *title, const char *summary, const char *body)
{
    char *text = NULL;
    size_t len = 0;
    struct vector_state v = { 0 };
    add_field(&v, title, 'A');
    add_field(&v, summary, 'B');
    add_field(&v, body, 'C');
    FILE *out = v.failed ? NULL : open_memstream(&text, &len);
    if (out != NULL) {
        put_vector(out, &v);
        if (fclose(out) != 0) {
            free(text);
            text = NULL;
        }
    }
    vector_state_free(&v);
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
        /* a word too long to index has no forms but keeps its position (words.h): the
         * words around it stay as far apart as in the article */
        if (w->current < 0)
            fputs("( ( ", w->out);
        else if ((long)word - w->current == 1)
            fputs(" ) <-> ( ", w->out);
        else
            fprintf(w->out, " ) <%ld> ( ", (long)word - w->current);
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
 * of its forms, words of a phrase joined by <-> (or <N> across a word too long to index).
 * Returns how many words it held.
 */
static size_t put_term(FILE *out, struct search_query *q, const char *text, bool negated)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *tmp = open_memstream(&buf, &len);
    if (tmp == NULL)
        return 0;
    struct word_state w = { .out = tmp, .query = q, .keep_forms = !negated, .current = -1 };
    long total = text_search_forms(text, put_query_form, &w);
    if (total < 0)
        w.words = 0;
    if (w.words > 0)
        fputs(" ) )", tmp);
    fclose(tmp);
    if (w.words > 0) {
        fprintf(out, "%s%s", negated ? "!" : "", buf);
    } else if (total > 0) {
        /* only words too long to be indexed: a lexeme no article has ('-' is never a word) */
        fprintf(out, "%s'-'", negated ? "!" : "");
        w.words = 1;
    }
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
