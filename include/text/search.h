/* search.h: Arabic-aware full-text search: the tsvector of an article and the tsquery
 * of a search box, both from the word forms of words.h, so variants and proclitics match. */
#ifndef KHABAR_SEARCH_H
#define KHABAR_SEARCH_H

#include <stddef.h>

/* Longest search text accepted, in characters. */
#define SEARCH_QUERY_MAX_CHARS 256
/* Highest word position PostgreSQL keeps in a tsvector; later words share it. */
#define SEARCH_MAX_POSITION 16383
/* Bytes of lexemes and positions a tsvector may hold (PostgreSQL's limit is 1 MiB);
 * past it, words new to the article are not indexed. */
#define SEARCH_MAX_LEXEME_BYTES 1000000

/*
 * How a lexeme of an article's tsvector says how its word was written, so that ranking
 * puts exact matches first at no cost in lexemes for the common case: a word's whole
 * form stands unmarked when the word was written so; when folding changed it (ة, أ,
 * ؤ, ى...), the written form is stored after SEARCH_MARK_WRITTEN and the whole form
 * after SEARCH_MARK_FOLDED; forms with affixes removed after SEARCH_MARK_AFFIX. No word
 * holds these bytes (words are letters, digits and marks).
 */
#define SEARCH_MARK_WRITTEN '='
#define SEARCH_MARK_FOLDED '^'
#define SEARCH_MARK_AFFIX '~'

/*
 * The tsvector (as PostgreSQL's text form) of an article: every form of every word,
 * marked as above, title weighted A, summary B (may be NULL), body C, at consecutive
 * positions with a gap between fields so no phrase spans two. Returns a new string, or
 * NULL on no memory.
 */
char *search_vector_new(const char *title, const char *summary, const char *body);

struct search_query;

/*
 * Parses a search box in web search syntax: words, "quoted phrases", -word and
 * -"phrase" to exclude, "or" between two terms. Every word matches any of its forms.
 * Returns NULL with a reason in err when q has nothing to look for (no word, or only
 * exclusions) or is not valid UTF-8.
 */
struct search_query *search_query_new(const char *q, char *err, size_t err_size);
void search_query_free(struct search_query *query);

/* The tsquery text of a parsed query (owned by it): each word matches any of its
 * forms however the article stored them. */
const char *search_query_tsquery(const struct search_query *query);

/* The same query with each word looked for only as written (exact matches, for
 * ranking); excluded terms exclude as in search_query_tsquery. Owned by the query. */
const char *search_query_exact_tsquery(const struct search_query *query);

/*
 * A snippet of the first of texts (NULL entries skipped) that holds a word the query
 * looks for, with those words marked (see text_snippet_new); NULL when none does.
 */
char *search_snippet_new(const struct search_query *query, const char *const *texts, size_t n);

#endif
