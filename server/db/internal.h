/* internal.h: what the database layer's files share: the named statements and
 * the helpers that run them. Nothing outside server/db/ includes this. */
#ifndef KHABAR_DB_INTERNAL_H
#define KHABAR_DB_INTERNAL_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

/* Every statement khabar runs, prepared on each connection when it opens. */
enum db_stmt {
    STMT_PING,
    STMT_WAL_END_POSITION,
    STMT_WAL_REPLAY_POSITION,
    STMT_ARTICLE_BY_ID,
    STMT_ARTICLE_BY_SLUG_KEY,
    STMT_LIST_NEWEST,
    STMT_LIST_BY_TAG,
    STMT_LIST_BY_SOURCE,
    STMT_LIST_SEARCH,
    STMT_LIST_BY_STATUS,
    STMT_TAG_FIND,
    STMT_SOURCE_FIND,
    STMT_RELATED_OF,
    STMT_RELATED_RESOLVE,
    STMT_ARTICLE_INSERT,
    STMT_ARTICLE_LOCK,
    STMT_ARTICLE_UPDATE,
    STMT_ARTICLE_DELETE,
    STMT_ARTICLE_TOUCH,
    STMT_LINKERS_TOUCH,
    STMT_TAGS_UPSERT,
    STMT_ARTICLE_TAGS_CLEAR,
    STMT_ARTICLE_TAGS_ADD,
    STMT_SOURCES_UPSERT,
    STMT_ARTICLE_SOURCES_CLEAR,
    STMT_ARTICLE_SOURCES_ADD,
    STMT_ARTICLE_RELATED_CLEAR,
    STMT_ARTICLE_RELATED_ADD_ALL,
    STMT_RELATED_ADD,
    STMT_RELATED_REMOVE,
    STMT_ARTICLE_EXISTS,
    STMT_TAG_BY_SLUG,
    STMT_TAG_LIST,
    STMT_TAG_PREFIX,
    STMT_SOURCE_LIST,
    STMT_SOURCE_PREFIX,
    STMT_IMPORT_TAKEN,
    STMT_IMPORT_TAGS,
    STMT_IMPORT_SOURCES,
    STMT_IMPORT_ARTICLES,
    STMT_IMPORT_ARTICLE_TAGS,
    STMT_IMPORT_ARTICLE_SOURCES,
    STMT_IMPORT_CLEAR,
    STMT_ARCHIVE_IS_EMPTY,
    STMT_SEARCH_INDEX_DEF,
    STMT_DELETION_NOTE,
    STMT_LAST_CHANGE,
    STMT_GO_LIVE,
    STMT_NEXT_GO_LIVE,
    STMT_TOKEN_INSERT,
    STMT_TOKEN_LIST,
    STMT_TOKEN_REVOKE,
    STMT_TOKENS_ACTIVE,
    STMT_COUNT
};

struct db_statement {
    const char *sql;
    int nparams;
    /* 1: sent with its text each time, so PostgreSQL plans it for the actual values
     * (a prepared statement may settle on one generic plan for all of them) */
    int plan_each_time;
    /* 1: it only reads, so after a lost connection it may run again on a new one */
    int read_only;
};
extern const struct db_statement db_statements[STMT_COUNT];

struct db_conn {
    PGconn *pg;
    int in_use;
    db_pool *pool; /* the pool it belongs to: a lost connection is opened again from it */
    /* a replica's connection that could not be had: the rest of the request's reads run
     * on this connection of the fallback pool (the primary), released with this one */
    struct db_conn *borrowed;
    int tx_depth; /* db_tx: 0 outside a transaction, 2 and more inside a savepoint */
    /* the last failure was a serialization failure or a deadlock (db_classify): the
     * transaction may succeed when run again from its start */
    bool transient;
    /* a replica's connection: the WAL position its server had replayed when last asked
     * (0: not asked since it connected), and when it was asked (monotonic seconds) */
    uint64_t replayed;
    double replayed_asked_at;
    /* the position this use needs replayed (db_acquire_replayed); 0: any */
    uint64_t required;
};

/*
 * Runs a prepared statement with text parameters (NULL = SQL NULL). Returns the
 * result when its status is want, else NULL with *st saying why (the result cleared).
 */
PGresult *db_run(db_conn *c, enum db_stmt stmt, const char *const *params, ExecStatusType want,
                 db_status *st);
/*
 * Of rows fetched with limit + 1 (one more row means a next page): how many belong to
 * the page, and where it ends (the last one's key_col and id_col); last_modified is
 * left as it is.
 */
int db_page_rows(const PGresult *res, unsigned limit, int key_col, int id_col,
                 struct db_page_end *end);
/*
 * Copies the n columns cols of a row into one block (caller frees): out[i] points to
 * column cols[i]'s text in it, NULL for SQL NULL. NULL when there is no memory.
 */
char *db_row_text_new(const PGresult *res, int row, const int *cols, int n, const char **out);
/* A column holding an integer (an id, a count, a version, a time in seconds). */
int64_t db_integer_of(const PGresult *res, int row, int col);
/* The text of an integer, as a statement parameter. */
struct db_int_text {
    char s[24];
};
struct db_int_text db_int_text(int64_t v);
/* Runs a command without parameters (text written in khabar, never input); rows are dropped. */
db_status db_command(db_conn *c, const char *sql);
/* Runs BEGIN, COMMIT or ROLLBACK. Inside a transaction already begun with db_tx they
 * become a savepoint, its release and a rollback to it: a write that runs in its own
 * transaction runs the same way inside a larger one (khabar import into an empty archive). */
db_status db_tx(db_conn *c, const char *command);
/* The db_status for a failed result (SQLSTATE and connection state); counts the error
 * and sets c->transient for a serialization failure or a deadlock. */
db_status db_classify(db_conn *c, const PGresult *res);

/*
 * Runs tx (a function that runs one whole transaction, BEGIN to COMMIT or ROLLBACK, and
 * leaves nothing half done) and, when it failed on a serialization failure or a deadlock,
 * runs it again after a short pause, up to DB_TX_ATTEMPTS times in all; then its
 * DB_UNAVAILABLE stands. Inside a transaction begun already (db_tx) it runs once: only
 * the outermost transaction can be run again.
 */
#define DB_TX_ATTEMPTS 3
db_status db_transaction_run(db_conn *c, db_status (*tx)(db_conn *c, void *arg), void *arg);

#endif
