/* vector.c: builds the tsvector text of an article from Arabic-aware word forms (words.h). */
#include "text/search.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "infra/hash.h"
#include "internal.h"
#include "text/words.h"

/* Appends a form as a quoted tsvector/tsquery lexeme: '' and \\ escaped (doubled). */
void text_put_lexeme(FILE *f, const char *form, size_t len)
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
    struct text_written written; /* the current word as written */
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
        text_written_keep(&v->written, word, form, len);
    } else if (kind == TEXT_FORM_AFFIX) {
        add_marked_at(v, word, SEARCH_MARK_AFFIX, form, len);
    } else if (text_written_is(&v->written, word, form, len)) {
        add_lexeme_at(v, word, form, len);
    } else {
        if (v->written.word == (long)word)
            add_marked_at(v, word, SEARCH_MARK_WRITTEN, v->written.s, v->written.len);
        add_marked_at(v, word, SEARCH_MARK_FOLDED, form, len);
    }
    return 0;
}

static void add_field(struct vector_state *v, const char *text, char weight)
{
    if (text == NULL)
        return;
    v->weight = weight;
    v->written.word = -1;
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
        text_put_lexeme(out, l->form, l->len);
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

