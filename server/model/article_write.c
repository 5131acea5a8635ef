/* article_write.c: a checked article in the form the database layer writes, and the words for what it refuses. */
#include "model/article_write.h"

#include <stdio.h>

struct db_article_write article_write_of(const struct article_input *in)
{
    return (struct db_article_write){
        .slug = in->slug,
        .slug_key = in->slug_key,
        .title_slug = in->title_slug,
        .title_slug_key = in->title_slug_key,
        .title = in->title,
        .summary = in->summary,
        .body = in->body,
        .lang = in->lang,
        .published_at = in->published_at,
        .search = in->search,
        .tags = in->tags,
        .sources = in->sources,
        .related = in->related,
    };
}

void article_write_refusal(const struct db_refusal *r, char *field, size_t field_size,
                           const char **message)
{
    if (r->input == DB_INPUT_RELATED)
        snprintf(field, field_size, "related[%d]", r->index);
    else
        snprintf(field, field_size, "%s", r->input == DB_INPUT_SLUG ? "slug" : "");
    switch (r->kind) {
    case DB_REFUSAL_TAKEN:
        *message = "another article already has this slug";
        break;
    case DB_REFUSAL_NO_ARTICLE:
        *message = "no article has this id or slug";
        break;
    case DB_REFUSAL_SELF:
        *message = "an article cannot be related to itself";
        break;
    case DB_REFUSAL_NONE:
    default:
        *message = "";
        break;
    }
}
