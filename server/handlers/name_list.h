/* name_list.h: what the tag, source and author handlers share: a most-used-first list of
 * names, and one name. Only server/handlers/ includes this. */
#ifndef KHABAR_NAME_LIST_H
#define KHABAR_NAME_LIST_H

#include "http/http.h"

/*
 * Answers most-used-first lists of tags, sources or authors for requests taken together (n
 * at most JOBS_BATCH_MAX): limit, q (the start of the name in any letter variant; key_of
 * gives the form it is stored under) and cursor from each query, the pages from fetch
 * (read together), their items made by serialize.
 */
void name_list_reply_many(struct request *const *reqs, size_t n, int *rcs, enum cursor_kind kind,
                          char *(*key_of)(const char *), db_name_lists_fn *fetch,
                          void (*serialize)(const struct db_name_page *, struct list_page *));

/* Answers one tag or author by its slug key (what names it in a 404), with its count of public
 * articles, from fetch, made by serialize. */
int name_get_reply(struct request *req, const char *key, const char *what,
                   db_status (*fetch)(db_conn *, const char *, struct db_name *),
                   json_t *(*serialize)(const struct db_name *));

#endif
