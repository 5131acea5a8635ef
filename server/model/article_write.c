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
