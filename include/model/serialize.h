/* serialize.h: the one place where the public JSON of an article, a list item, a tag,
 * a source, an author and a section is made, from the rows the database layer reads (db/db.h). */
#ifndef KHABAR_SERIALIZE_H
#define KHABAR_SERIALIZE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

struct search_query;

/* A page of a list as the reply sends it: the public items, and where the page ends
 * (from the database's db_page_end). Release items with json_decref. */
struct list_page {
    json_t *items;
    /* the items as the text of a JSON array instead (written directly, text/json_text.h),
     * owned; NULL: items holds them. reply_page takes it over. */
    char *items_text;
    bool more;             /* there is a next page, which starts after the last item */
    char last_key[48];     /* the last item's published_at, rank or article count */
    int64_t last_id;
    int64_t last_modified; /* no item or count can be newer */
    bool editors_only;     /* it lists what only token holders may see: private, never kept */
    json_t *extra;         /* members the answer has beside data and next_cursor, or NULL */
    const char *links;     /* Link values beside rel="next" (the list's feeds), or NULL */
    bool whole;            /* the whole list on one page: no next_cursor member, no next link */
};

/* A webhook endpoint as admins see it; with its secret only when secret is not NULL (on
 * creation, the one time it is shown). */
json_t *serialize_webhook_new(const struct db_webhook *w, const char *secret);

/* The article object of api.md (caller owns); with its body when the row has one. */
json_t *serialize_article_new(const struct db_article *a);
/* The same object as compact JSON text (caller frees); NULL on no memory. What a revision
 * keeps (db_writer.represent_new). */
char *serialize_article_text_new(const struct db_article *a);
/* The same text as an answer's body, ending with a newline; *len its length. Written
 * directly (text/json_text.h), not through a jansson tree: the read most answered. */
char *serialize_article_answer_new(const struct db_article *a, size_t *len);
/* A revision: {"version", "made_at", "actor", "action", "restored_from", "changed"}, and
 * with "article" (its stored representation, null for a deletion) when with_article. */
json_t *serialize_revision_new(const struct db_revision *r, bool with_article);
/* The {"data": [...]} of an article's "read also" list from its stored JSON (caller owns). */
json_t *serialize_related_list_new(const char *related_json);
/* {"slug", "name", "article_count"} of a tag; {"name", "article_count"} of a source. */
json_t *serialize_tag_new(const struct db_name *t);
json_t *serialize_source_new(const struct db_name *s);

/*
 * The pages of lists: summaries (the article without its body), search results (the
 * summary with a snippet of the text that matched search), tags, sources. out->items
 * is the caller's.
 */
void serialize_article_page(const struct db_article_page *in, struct list_page *out);
void serialize_search_page(const struct db_article_page *in, const struct search_query *search,
                           struct list_page *out);
void serialize_tag_page(const struct db_name_page *in, struct list_page *out);
void serialize_source_page(const struct db_name_page *in, struct list_page *out);
void serialize_revision_page(const struct db_revision_page *in, struct list_page *out);

/* {"id", "slug", "name", "bio", "avatar", "article_count"} of an author, and its page. */
json_t *serialize_author_new(const struct db_name *a);
void serialize_author_page(const struct db_name_page *in, struct list_page *out);
/* {"id", "slug", "name", "description", "position"} of a section, and its page. */
json_t *serialize_section_new(const struct db_section *s);
void serialize_section_page(const struct db_section_page *in, struct list_page *out);
/* The suggest box's answer: {"articles": [{"id", "slug", "title", "published_at"}],
 * "tags", "authors", "sections": [each as in its own list]}. */
json_t *serialize_suggestions_new(const struct db_article_page *articles,
                                  const struct db_name_page *tags,
                                  const struct db_name_page *authors,
                                  const struct db_section_page *sections);
/* A page of a section's front: its pinned articles (first page only), then its newest,
 * each item a list item with "pinned" true or false. */
void serialize_front_page(const struct db_front *in, struct list_page *out);

#endif
