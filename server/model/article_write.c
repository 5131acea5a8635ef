/* article_write.c: who writes an article (for its revisions), and the words a client reads
 * for a write the database layer refused. */
#include "model/article_write.h"

#include <stdio.h>

#include "model/serialize.h"

struct db_writer article_writer(const char *actor, unsigned keep)
{
    return (struct db_writer){ .actor = actor, .represent_new = serialize_article_text_new,
                               .keep = keep };
}

void article_write_refusal(const struct db_refusal *r, char *field, size_t field_size,
                           const char **message)
{
    if (r->input == DB_INPUT_RELATED)
        snprintf(field, field_size, "related[%d]", r->index);
    else if (r->input == DB_INPUT_AUTHORS)
        snprintf(field, field_size, "authors[%d]", r->index);
    else if (r->input == DB_INPUT_PINNED)
        snprintf(field, field_size, "[%d]", r->index);
    else
        snprintf(field, field_size, "%s", r->input == DB_INPUT_SLUG      ? "slug"
                                          : r->input == DB_INPUT_SECTION ? "section"
                                                                         : "");
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
    case DB_REFUSAL_NO_AUTHOR:
        *message = "no author has this id or slug";
        break;
    case DB_REFUSAL_NO_SECTION:
        *message = "no section has this id or slug";
        break;
    case DB_REFUSAL_DUPLICATE:
        *message = "names an author already in the byline";
        break;
    case DB_REFUSAL_IN_USE:
        *message = "still named by articles";
        break;
    case DB_REFUSAL_NONE:
    default:
        *message = "";
        break;
    }
}

const char *article_write_refusal_detail(const struct db_refusal *r)
{
    switch (r->kind) {
    case DB_REFUSAL_NO_AUTHOR:
        return "a referenced author does not exist";
    case DB_REFUSAL_NO_SECTION:
        return "the referenced section does not exist";
    case DB_REFUSAL_DUPLICATE:
        return "an author is named twice in the byline";
    default:
        return "a referenced article does not exist";
    }
}
