/* internal.h: what the database layer's files share: the named statements and
 * the helpers that run them. Nothing outside server/db/ includes this. */
#ifndef KHABAR_DB_INTERNAL_H
#define KHABAR_DB_INTERNAL_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"

/* Every statement khabar runs, prepared on each connection when it opens. */
enum db_stmt {
    STMT_PING,
    STMT_SEND_MARK,
    STMT_WAL_END_POSITION,
    STMT_WAL_REPLAY_POSITION,
    STMT_ARTICLE_BY_ID,
    STMT_ARTICLE_BY_SLUG_KEY,
    STMT_LIST_NEWEST,
    STMT_LIST_BY_TAG,
    STMT_LIST_BY_SOURCE,
    STMT_LIST_BY_AUTHOR,
    STMT_LIST_BY_SECTION,
    STMT_LIST_SEARCH,
    STMT_LIST_SEARCH_NEWEST,
    STMT_LIST_BY_STATUS,
    STMT_FEED_NEWEST,
    STMT_FEED_BY_TAG,
    STMT_FEED_BY_SOURCE,
    STMT_FEED_BY_AUTHOR,
    STMT_FEED_BY_SECTION,
    STMT_FACETS_NEWEST,
    STMT_FACETS_BY_TAG,
    STMT_FACETS_BY_SOURCE,
    STMT_FACETS_BY_AUTHOR,
    STMT_FACETS_BY_SECTION,
    STMT_FACETS_SEARCH,
    STMT_WORD_SUGGEST,
    STMT_WORD_SIMILARITY,
    STMT_TAG_FIND,
    STMT_SOURCE_FIND,
    STMT_SOURCE_BY_KEY,
    STMT_WEBHOOK_INSERT,
    STMT_WEBHOOK_LIST,
    STMT_WEBHOOK_GET,
    STMT_WEBHOOK_UPDATE,
    STMT_WEBHOOK_RESUME,
    STMT_WEBHOOK_DELETE,
    STMT_WEBHOOK_FAN_OUT,
    STMT_WEBHOOK_CLAIM,
    STMT_WEBHOOK_DELIVERED,
    STMT_WEBHOOK_FAILED,
    STMT_WEBHOOK_QUEUE,
    STMT_WEBHOOK_PRUNE,
    STMT_SITEMAP_MONTHS,
    STMT_SITEMAP_MONTH,
    STMT_SITEMAP_NEWS,
    STMT_AUTHOR_FIND,
    STMT_SECTION_FIND,
    STMT_RELATED_OF,
    STMT_ARTICLE_STATE,
    STMT_SIMILAR,
    STMT_SUGGEST_ARTICLES,
    STMT_RELATED_RESOLVE,
    STMT_ARTICLE_INSERT,
    STMT_ARTICLE_LOCK,
    STMT_ARTICLE_UPDATE,
    STMT_ARTICLE_DELETE,
    STMT_LINKERS_OF,
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
    STMT_REVISION_INSERT,
    STMT_REVISION_PRUNE,
    STMT_REVISION_LIST,
    STMT_REVISION_GET,
    STMT_AUTHORS_RESOLVE,
    STMT_AUTHORS_UPSERT,
    STMT_SECTION_UPSERT,
    STMT_SECTION_RESOLVE,
    STMT_ARTICLE_AUTHORS_CLEAR,
    STMT_ARTICLE_AUTHORS_ADD,
    STMT_ARTICLE_EXISTS,
    STMT_TAG_BY_SLUG,
    STMT_TAG_LIST,
    STMT_TAG_PREFIX,
    STMT_SOURCE_LIST,
    STMT_SOURCE_PREFIX,
    STMT_AUTHOR_BY_SLUG,
    STMT_AUTHOR_LIST,
    STMT_AUTHOR_PREFIX,
    STMT_AUTHOR_INSERT,
    STMT_AUTHOR_UPDATE,
    STMT_AUTHOR_DELETE,
    STMT_SECTION_BY_SLUG,
    STMT_SECTION_LIST,
    STMT_SECTION_PREFIX,
    STMT_SECTION_INSERT,
    STMT_SECTION_UPDATE,
    STMT_SECTION_DELETE,
    STMT_FRONT_PINNED,
    STMT_FRONT_NEWEST,
    STMT_FRONT_UNKNOWN,
    STMT_FRONT_CLEAR,
    STMT_FRONT_SET,
    STMT_IMPORT_TAKEN,
    STMT_IMPORT_TAGS,
    STMT_IMPORT_SOURCES,
    STMT_IMPORT_AUTHORS,
    STMT_IMPORT_SECTIONS,
    STMT_IMPORT_ARTICLES,
    STMT_IMPORT_ARTICLE_TAGS,
    STMT_IMPORT_ARTICLE_SOURCES,
    STMT_IMPORT_ARTICLE_AUTHORS,
    STMT_IMPORT_CLEAR,
    STMT_ARCHIVE_IS_EMPTY,
    STMT_SEARCH_INDEX_DEF,
    STMT_DELETION_NOTE,
    STMT_LAST_CHANGE,
    STMT_GO_LIVE,
    STMT_NEXT_GO_LIVE,
    STMT_SEARCH_WINDOW_ADVANCE,
    STMT_SEARCH_WINDOW_RAISE,
    STMT_SEARCH_WINDOW_CLOSE,
    STMT_TOKEN_INSERT,
    STMT_TOKEN_LIST,
    STMT_TOKEN_REVOKE,
    STMT_TOKENS_ACTIVE,
    STMT_TEXT_RULES_GET,
    STMT_TEXT_RULES_BEHIND,
    STMT_TEXT_RULES_SET,
    STMT_REKEY_ARTICLES_LEFT,
    STMT_REKEY_INDEX_SAVE,
    STMT_REKEY_INDEX_DEF,
    STMT_REKEY_INDEX_DONE,
    STMT_REKEY_ARTICLES_READ,
    STMT_REKEY_ARTICLE,
    STMT_REKEY_TAGS_READ,
    STMT_REKEY_TAG_HOLDER,
    STMT_REKEY_TAG_SET,
    STMT_REKEY_TAG_REFRESH,
    STMT_REKEY_TAG_MERGE_LINKS,
    STMT_REKEY_TAG_DELETE,
    STMT_REKEY_SOURCES_READ,
    STMT_REKEY_SOURCE_HOLDER,
    STMT_REKEY_SOURCE_SET,
    STMT_REKEY_SOURCE_MERGE_LINKS,
    STMT_REKEY_SOURCE_DELETE,
    STMT_REKEY_AUTHORS_READ,
    STMT_REKEY_AUTHOR_SET,
    STMT_REKEY_SECTIONS_READ,
    STMT_REKEY_SECTION_SET,
    STMT_COUNT
};

struct db_statement {
    const char *sql;
    int nparams;
    /* 1: sent with its text each time, so PostgreSQL plans it for the actual values;
     * 0: prepared, and run with its one generic plan from the first run (db/pool.c) */
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
    /* the session's plan_cache_mode as last set (enum plan_mode in db/pool.c): a ROLLBACK
     * may undo a change, so it is then unknown */
    int plan_mode;
};

/*
 * Runs a prepared statement with text parameters (NULL = SQL NULL). Returns the
 * result when its status is want, else NULL with *st saying why (the result cleared).
 */
PGresult *db_run(db_conn *c, enum db_stmt stmt, const char *const *params, ExecStatusType want,
                 db_status *st);
/* One statement of db_run_all: what to run, and what came of it. */
struct db_call {
    enum db_stmt stmt;
    const char *const *params;
    PGresult *res; /* the result when its status is want, else NULL */
    db_status st;  /* why res is NULL */
};
/*
 * Runs the calls as db_run runs each: outside a transaction, the reads with a generic plan
 * in one round trip (libpq's pipeline mode), then the others alone, in order. A call that
 * got no answer of its own (the connection lost, or an earlier call's failure aborting it)
 * runs again alone through db_run.
 */
void db_run_all(db_conn *c, struct db_call *calls, size_t n, ExecStatusType want);
/*
 * Of rows fetched with limit + 1 (one more row means a next page): how many belong to
 * the page, and where it ends (the last one's key_col and id_col); last_modified is
 * left as it is.
 */
int db_page_rows(const PGresult *res, unsigned limit, int key_col, int id_col,
                 struct db_page_end *end);
/* The clear of a row that owns one text block (text_, which its strings point into), and of
 * a page of such rows (items, n): the rows' blocks and the rows freed, the page emptied. */
#define DB_ROW_CLEAR(row)                          \
    do {                                           \
        if ((row) != NULL) {                       \
            free((row)->text_);                    \
            memset((row), 0, sizeof *(row));       \
        }                                          \
    } while (0)
#define DB_PAGE_CLEAR(page)                                                  \
    do {                                                                     \
        for (size_t i_ = 0; (page)->items != NULL && i_ < (page)->n; i_++)   \
            free((page)->items[i_].text_);                                   \
        free((page)->items);                                                 \
        (page)->items = NULL;                                                \
        (page)->n = 0;                                                       \
    } while (0)
/* Fills a page (items, n) with one item per row of res, each made by of_row(res, row,
 * &item) (false: no memory); st becomes DB_ERROR when an item cannot be made, and the
 * caller clears the page then. */
#define DB_ROWS_FILL(res, page, of_row, st)                                                  \
    do {                                                                                     \
        int rows_ = PQntuples(res);                                                          \
        if (rows_ > 0 && ((page)->items = calloc((size_t)rows_, sizeof *(page)->items)) == NULL) \
            (st) = DB_ERROR;                                                                 \
        for (int i_ = 0; (st) == DB_OK && i_ < rows_; i_++, (page)->n++)                    \
            if (!of_row((res), i_, &(page)->items[i_]))                                      \
                (st) = DB_ERROR;                                                             \
    } while (0)
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
 * Revisions (revisions.c), inside a write's transaction; each does nothing without a
 * writer (by NULL). db_revision_snapshot: article id as by represents it now (*text_out
 * the caller's; NULL when it does not exist). db_revision_keep: keeps now as its revision,
 * before being its snapshot before the write (NULL for a creation), then prunes past
 * by->keep. db_revision_keep_deletion: keeps the deletion of article id, at last_version
 * + 1.
 */
db_status db_revision_snapshot(db_conn *c, const struct db_writer *by, int64_t id, char **text_out);
db_status db_revision_keep(db_conn *c, const struct db_writer *by, const struct db_article *now,
                           const char *action, const char *before);
db_status db_revision_keep_deletion(db_conn *c, const struct db_writer *by, int64_t id,
                                    int64_t last_version);

/*
 * Runs tx (a function that runs one whole transaction, BEGIN to COMMIT or ROLLBACK, and
 * leaves nothing half done) and, when it failed on a serialization failure or a deadlock,
 * runs it again after a short pause, up to DB_TX_ATTEMPTS times in all; then its
 * DB_UNAVAILABLE stands. Inside a transaction begun already (db_tx) it runs once: only
 * the outermost transaction can be run again.
 */
#define DB_TX_ATTEMPTS 3

/* Runs stmt, whose rows are articles newest first, into page (zeroed by the caller, its
 * last_modified kept): limit + 1 rows fetched mean a next page; limit 0 takes every row. */
db_status db_article_rows(db_conn *c, enum db_stmt stmt, const char *const *params, unsigned limit,
                          struct db_article_page *page);
/* The same from stmt's result (res NULL: it failed with st), which is cleared. */
db_status db_article_rows_of(PGresult *res, db_status st, unsigned limit, struct db_article_page *page);
/* db_last_change from its statement's result (res NULL: it failed with st), which is cleared. */
db_status db_last_change_of(PGresult *res, db_status st, int64_t *when);
/* Runs calls[1..n) as db_run_all does, the archive's last change (db_last_change) read first
 * in the same round trip into calls[0] and *when: a page is never older than its
 * Last-Modified. On that read's failure, returned, every call is cleared and fails with it. */
db_status db_run_all_after_last_change(db_conn *c, struct db_call *calls, size_t n, int64_t *when);
/* The parameters of a name or section list's statement ($1 to $4) from q, text kept in t. */
void db_name_query_params(const struct name_query *q, struct db_int_text t[3], const char *params[4]);

/* What the input's references name, once found: the related and author ids, the section. */
struct resolved {
    json_t *related, *authors;
    int64_t section;
    struct db_int_text section_text;
};
/* Finds the ids of what in names (related articles other than self_id, authors, the
 * section) into r (lists the caller releases); DB_BAD_REFERENCE with refused saying which
 * names nothing (or an author named twice). An import creates what it names by slug. */
db_status db_resolve_all(db_conn *c, const struct db_article_write *in, int64_t self_id,
                         struct resolved *r, struct db_refusal *refused);
/* The section parameter of an insert or update: NULL for none. */
const char *db_section_param(const struct resolved *r);
/* Records what a write refused; value may be NULL. */
void db_refuse(struct db_refusal *refused, enum db_refused_input input, enum db_refusal_kind kind,
               int index, const char *value);

/* Tags, sources and authors share their rows' reading (tags.c). */
enum db_name_kind { DB_NAME_TAG, DB_NAME_SOURCE, DB_NAME_AUTHOR };
/* The one row of stmt as a name; DB_NOT_FOUND without one. */
db_status db_name_one(db_conn *c, enum db_stmt stmt, const char *const *params,
                      enum db_name_kind kind, struct db_name *out);
/* Most-used-first lists of names, read together (db_name_lists_fn): stmt, or prefix_stmt
 * with a query's prefix. */
void db_name_lists(db_conn *c, enum db_stmt stmt, enum db_stmt prefix_stmt, enum db_name_kind kind,
                   const struct name_query *const *qs, size_t n, struct db_name_page pages[],
                   db_status st[]);
/* A page of names or sections from its statement's result (res NULL: it failed with st),
 * which is cleared; limit + 1 rows mean a next page. */
db_status db_name_page_of(PGresult *res, db_status st, enum db_name_kind kind, unsigned limit,
                          struct db_name_page *page);
db_status db_section_page_of(PGresult *res, db_status st, unsigned limit, struct db_section_page *page);
/* Runs stmt, a DELETE ... WHERE slug_key = $1 RETURNING id: DB_NOT_FOUND without a row,
 * DB_CONFLICT (refused: in use) when a foreign key still points to it. */
db_status db_remove_named(db_conn *c, enum db_stmt stmt, const char *slug_key,
                          struct db_refusal *refused);
db_status db_transaction_run(db_conn *c, db_status (*tx)(db_conn *c, void *arg), void *arg);

#endif
