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
    char written[TEXT_SEARCH_WORD_MAX_BYTES]; /* the current word as written */
    size_t written_len, written_word;         /* its length and index (SIZE_MAX: none) */
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

/* Adds form at the current word's position (when the vector has room for it). */
static void add_lexeme_at(struct vector_state *v, size_t word, const char *form, size_t len)
{
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
            return;
        }
        l->pos[l->npos] = (uint16_t)pos;
        l->weight[l->npos++] = v->weight;
        v->bytes += 2;
    }
}

/* add_lexeme_at with a one-byte marker before the form (search.h). */
static void add_marked_at(struct vector_state *v, size_t word, char marker, const char *form,
                          size_t len)
{
    char buf[TEXT_SEARCH_WORD_MAX_BYTES + 2];
    buf[0] = marker;
    memcpy(buf + 1, form, len);
    add_lexeme_at(v, word, buf, len + 1);
}

/*
 * One form of an article's word, stored so that ranking can tell how it matched: the
 * whole form unmarked when the word was written so, else the written form after '='
 * and the whole form after '^'; a form with affixes removed after '~'.
 */
static int add_vector_form(size_t word, enum text_form_kind kind, const char *form, size_t len,
                           void *arg)
{
    struct vector_state *v = arg;
    if (kind == TEXT_FORM_WRITTEN) {
        memcpy(v->written, form, len);
        v->written_len = len;
        v->written_word = word;
    } else if (kind == TEXT_FORM_AFFIX) {
        add_marked_at(v, word, SEARCH_MARK_AFFIX, form, len);
    } else if (v->written_word == word && v->written_len == len &&
               memcmp(v->written, form, len) == 0) {
        add_lexeme_at(v, word, form, len);
    } else {
        if (v->written_word == word)
            add_marked_at(v, word, SEARCH_MARK_WRITTEN, v->written, v->written_len);
        add_marked_at(v, word, SEARCH_MARK_FOLDED, form, len);
    }
    return 0;
}

static void add_field(struct vector_state *v, const char *text, char weight)
{
    if (text == NULL)
        return;
    v->weight = weight;
    v->written_word = SIZE_MAX;
    long words = text_search_forms_kinds(text, add_vector_form, v);
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
    char written[TEXT_SEARCH_WORD_MAX_BYTES]; /* the current word as written */
    size_t written_len;
    long written_word;
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
    put_lexeme(f, buf, n + len);
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
        memcpy(w->written, form, len);
        w->written_len = len;
        w->written_word = (long)word;
        return 0;
    }
    if ((long)word != w->current) {
        open_word(w->out, w->current, (long)word);
        open_word(w->exact, w->current, (long)word);
        bool as_written = w->written_word != (long)word ||
                          (w->written_len == len && memcmp(w->written, form, len) == 0);
        if (as_written)
            put_marked(w->exact, 0, form, len);
        else
            put_marked(w->exact, SEARCH_MARK_WRITTEN, w->written, w->written_len);
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
                            .current = -1, .written_word = -1 };
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
