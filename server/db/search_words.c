/* search_words.c: the known search words, for the "did you mean" of a search with no result. */
#include <stdio.h>

#include "internal.h"

db_status db_word_suggest(db_conn *c, const char *forms, const char *whole, int max_edits,
                          const char *min_similarity, char **out)
{
    db_status st;
    char edits[16];
    const char *threshold[1] = { min_similarity };
    *out = NULL;
    /* set for this session each time: the same connection serves other requests, and
     * this is the only statement that reads it */
    PGresult *res = db_run(c, STMT_WORD_SIMILARITY, threshold, PGRES_TUPLES_OK, &st);
    if (res == NULL)
        return st;
    PQclear(res);
    snprintf(edits, sizeof edits, "%d", max_edits);
    const char *params[3] = { forms, whole, edits };
    if ((res = db_run(c, STMT_WORD_SUGGEST, params, PGRES_TUPLES_OK, &st)) == NULL)
        return st;
    st = DB_OK;
    if (PQntuples(res) == 1 && (*out = strdup(PQgetvalue(res, 0, 0))) == NULL)
        st = DB_ERROR;
    PQclear(res);
    return st;
}
