/* article_write.h: a checked article (article_input.h) in the form the database layer writes. */
#ifndef KHABAR_ARTICLE_WRITE_H
#define KHABAR_ARTICLE_WRITE_H

#include <stddef.h>

#include "db/db.h"
#include "model/article_input.h"

/* The write of in; its strings and lists are in's, valid while in is. */
struct db_article_write article_write_of(const struct article_input *in);

/*
 * What a client reads of a write the database refused (DB_CONFLICT, DB_BAD_REFERENCE):
 * the field ("slug", "related[2]", field_size bytes) and the message.
 */
void article_write_refusal(const struct db_refusal *r, char *field, size_t field_size,
                           const char **message);

#endif
