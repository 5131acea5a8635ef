/* article_write.h: who writes an article (for its revisions), and the words a client reads
 * for a write the database layer refused. */
#ifndef KHABAR_ARTICLE_WRITE_H
#define KHABAR_ARTICLE_WRITE_H

#include <stddef.h>

#include "db/db.h"

/*
 * What a client reads of a write the database refused (DB_CONFLICT, DB_BAD_REFERENCE):
 * the field ("slug", "related[2]", field_size bytes) and the message.
 */
void article_write_refusal(const struct db_refusal *r, char *field, size_t field_size,
                           const char **message);
/* The detail of the 422 answering a DB_BAD_REFERENCE: what kind of thing was not found. */
const char *article_write_refusal_detail(const struct db_refusal *r);

/* The writer of an article write by actor: revisions keep the article as it is served
 * (serialize_article_text_new), at most keep of them per article (0: all). */
struct db_writer article_writer(const char *actor, unsigned keep);

#endif
