/* article_writes.h: what the article, "read also" and revision handlers share to write an
 * article. Only server/handlers/ includes this. */
#ifndef KHABAR_ARTICLE_WRITES_H
#define KHABAR_ARTICLE_WRITES_H

#include "http/http.h"
#include "model/article_input.h"

/* The writer of this request's article writes: its token's name, REVISIONS_KEEP. */
struct db_writer article_writes_writer(const struct request *req);

/*
 * The version a conditional write must find: with If-Match, the current article's,
 * after checking its ETag (DB_STALE when it differs); without, 0 (any). When current
 * is not NULL the article is read in any case and, on DB_OK, left there as its public
 * JSON (caller owns), and *version is its version.
 */
db_status article_writes_expected_version(const struct request *req, db_conn *c, int64_t id,
                                          json_t **current, int64_t *version);

/*
 * True when req's token may write in over current (the stored article's JSON; NULL for a
 * new one), by the one rule of model/roles.h; false after answering 403 (*rc). Only a
 * token below editor is asked about the content: an editor may write any article.
 */
bool article_writes_allowed(struct request *req, const json_t *current,
                            const struct article_input *in, int *rc);

/* The answer to a write: status (201 or 200) with the article, the input the database
 * refused, or the status. */
int article_writes_reply(struct request *req, unsigned status, db_status st,
                         const struct db_article *article, const struct db_refusal *refused);

#endif
