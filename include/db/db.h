/* db.h: the database layer: a pool of PostgreSQL connections and one function per
 * question or change the service asks of the data. It knows nothing of HTTP. */
#ifndef KHABAR_DB_H
#define KHABAR_DB_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a database call came to; one switch in the HTTP layer maps it to a status.
 * Each value is an outcome of the database, nothing else. */
typedef enum db_status {
    DB_OK = 0,
    DB_NOT_FOUND,     /* the row asked for does not exist */
    DB_CONFLICT,      /* a unique value (a slug) is taken: see the db_refusal */
    DB_BAD_REFERENCE, /* the input names something that does not exist: see the db_refusal */
    DB_STALE,         /* the row changed since the version the caller expected */
    DB_UNAVAILABLE,   /* no connection, a lost connection, a timeout, or a transaction that
                       * kept meeting serialization failures or deadlocks: try again later */
    DB_ERROR,         /* anything else: a bug or a broken database */
} db_status;

/* Which input a write refused (DB_CONFLICT, DB_BAD_REFERENCE), and why: data for the
 * caller to put in its own words. */
enum db_refused_input {
    DB_INPUT_NONE = 0,
    DB_INPUT_SLUG,    /* the slug */
    DB_INPUT_RELATED, /* related[index] */
    DB_INPUT_AUTHORS, /* authors[index] */
    DB_INPUT_SECTION, /* section */
    DB_INPUT_PINNED,  /* a front's pinned list, [index] */
    DB_INPUT_WHOLE,   /* the thing written as a whole (an author or section to delete) */
};
enum db_refusal_kind {
    DB_REFUSAL_NONE = 0,
    DB_REFUSAL_TAKEN,      /* another article has this slug */
    DB_REFUSAL_NO_ARTICLE, /* no article has this id or slug */
    DB_REFUSAL_SELF,       /* the article itself */
    DB_REFUSAL_NO_AUTHOR,  /* no author has this id or slug */
    DB_REFUSAL_NO_SECTION, /* no section has this id or slug */
    DB_REFUSAL_DUPLICATE,  /* named twice (an author by id and by slug) */
    DB_REFUSAL_IN_USE,     /* still named by articles: bylines, or articles of the section */
};
struct db_refusal {
    enum db_refused_input input;
    enum db_refusal_kind kind;
    int index;        /* the position in related, authors or pinned, from 0 */
    char value[128];  /* the value refused (a slug, or a reference's id or slug key), cut short */
};

typedef struct db_pool db_pool;
typedef struct db_conn db_conn;

/* A pool of size connections to conninfo, opened lazily. Every query runs under
 * statement_timeout_ms; acquiring waits at most wait_ms. Returns NULL on no memory. */
db_pool *db_pool_new(const char *conninfo, unsigned size, unsigned wait_ms,
                     unsigned statement_timeout_ms);
void db_pool_free(db_pool *pool);
/* Makes pool a replica of fallback: reads that cannot reach it run on fallback instead,
 * and after a failed connect it is not tried again for a second. */
void db_pool_set_fallback(db_pool *pool, db_pool *fallback);
/* After every commit through pool (the primary, when reads go to a replica), one question
 * more: the WAL position then, kept as db_pool_committed_wal (0 until then, or NULL). */
void db_pool_track_commits(db_pool *pool);
uint64_t db_pool_committed_wal(db_pool *pool);
/* Makes pool a background thread's own: its statements and errors stay out of the counts
 * db_pool_stats gives (/metrics counts the work requests cause), and its connections carry
 * application_name, so pg_stat_activity tells them apart from the requests' ("khabar"). */
void db_pool_set_watcher(db_pool *pool, const char *application_name);
/* Makes pool's commits return before the WAL is flushed (synchronous_commit off): for work
 * that a crash may undo because it is done again (a webhook delivery's claim or outcome:
 * an undone one is sent again), never for what a client was told is written. */
void db_pool_set_async_commit(db_pool *pool);

/* A connection for the caller's exclusive use until db_release, (re)connected and
 * with every statement prepared; NULL when none can be had in time (unavailable). */
db_conn *db_acquire(db_pool *pool);
/* A connection of a replica's pool whose server has replayed the WAL up to required (a
 * position of the primary), so that every read on it from now on shows what committed
 * before it; NULL when none can be had in time or the replica is behind (counted in
 * behind): the caller reads from the primary. Its replay position is asked only when the
 * last answer on that connection is not enough. */
db_conn *db_acquire_replayed(db_pool *pool, uint64_t required);
/* Gives conn back to its pool (NULL: nothing). */
void db_release(db_conn *conn);

/* Waits up to ms on an idle connection for the server to close it: DB_OK when it stayed
 * quiet (or only sent a notice), DB_UNAVAILABLE as soon as it is lost. For a watcher that
 * must learn of a database going away at once, not at its next query. */
db_status db_wait_quiet(db_conn *c, unsigned ms);
/* Sends payload on the marks channel (infra/changes.h: changes_next_mark). */
db_status db_send_mark(db_conn *c, const char *payload);

/* Counts for /metrics. */
struct db_pool_stats {
    unsigned size, in_use;
    unsigned long long connects, connect_failures, errors, queries;
    unsigned long long behind; /* a replica's: uses refused as not replayed far enough */
};
void db_pool_stats(db_pool *pool, struct db_pool_stats *out);

/* An article to write, as the model checked it (article_input_from_json fills one). The
 * strings and lists are borrowed: they stay the caller's for the length of the call. */
struct db_article_write {
    const char *slug;           /* NULL: derive from the title (create) or keep (update) */
    const char *slug_key;       /* the slug's lookup key, when slug is set */
    const char *title_slug;     /* the slug made from the title, when slug is NULL */
    const char *title_slug_key; /* its lookup key */
    const char *title;
    const char *summary;        /* NULL when absent */
    const char *body;           /* CommonMark source */
    const char *body_html;      /* its safe HTML (text/markup.h) */
    const char *body_text;      /* its plain text */
    const char *lang;
    const char *published_at;   /* RFC 3339; NULL: now (create) or keep (update) */
    const char *search;         /* the tsvector text of title, summary and the body's text */
    const json_t *tags;         /* [{"name": ..., "slug": ...}] */
    const json_t *sources;      /* [{"name": ..., "key": ...}] */
    const json_t *related;      /* [{"id": n} or {"slug_key": ...}] */
    const char *image;          /* the lead image as JSON text (model/image.h); NULL: none */
    const char *status;         /* draft, published or withdrawn */
    const char *withdrawn_reason; /* set only when withdrawn */
    const char *corrections;    /* JSON text: [{"at", "text"}] */
    const json_t *authors;      /* the byline: [{"id": n} or {"slug_key", "slug", "name"}] */
    const json_t *section;      /* {"id": n} or {"slug_key", "slug", "name"}; NULL: none */
    bool create_missing;        /* khabar import: authors and a section named by slug are
                                 * created when there are none (with that name) */
};

/* An article row as stored. The strings are PostgreSQL's text of each column (times
 * already in RFC 3339), owned by the struct: release with db_article_clear. tags,
 * sources and related are the JSON arrays the database keeps beside the row. */
struct db_article {
    int64_t id, version;
    const char *slug, *title;
    const char *summary; /* NULL when the article has none */
    const char *body;      /* CommonMark source; NULL in lists */
    const char *body_html; /* its safe HTML; NULL in lists */
    const char *body_text; /* its plain text; only searches read it (for snippets) */
    const char *corrections;      /* JSON text; NULL in lists */
    const char *withdrawn_reason; /* NULL unless withdrawn (and in lists) */
    const char *status;           /* draft, published or withdrawn */
    bool visible;                 /* published and its time has come: public */
    const char *lang;
    const char *published_at, *created_at, *updated_at;
    const char *sources, *tags, *related;
    const char *image;     /* the lead image as JSON text; NULL when it has none */
    const char *authors;   /* the byline, a JSON array of {"id", "slug", "name"} */
    const char *section;   /* {"id", "slug", "name"} as JSON text; NULL: none */
    int64_t last_modified; /* its Last-Modified, seconds since the epoch */
    char *text_;           /* the block every string above points into */
};
/* Releases what a filled db_article owns and zeroes it (a zeroed one: nothing). */
void db_article_clear(struct db_article *a);

/* Article reads; DB_NOT_FOUND when there is none (*out zeroed). */
db_status db_article_get(db_conn *c, int64_t id, struct db_article *out);
db_status db_article_get_by_slug_key(db_conn *c, const char *slug_key, struct db_article *out);
/* The articles of n ids, their statements sent together (one round trip for a batch of
 * requests); out[i] and st[i] as db_article_get gives them for ids[i]. */
void db_articles_get(db_conn *c, const int64_t *ids, size_t n, struct db_article out[],
                     db_status st[]);

/* What a list of articles asks for; NULL members do not filter. */
struct article_query {
    const char *tag_key;    /* a tag's slug key */
    const char *source_key; /* a source's normalized name */
    const char *author_key; /* an author's slug key */
    const char *section_key; /* a section's slug key */
    const char *from, *to;  /* RFC 3339 bounds on published_at, both inclusive */
    const char *lang;
    const char *tsquery;    /* a search (ranked, items keep the body for snippets); NULL: newest first */
    const char *exact_tsquery; /* the search with its words as written (search.h), for ranking */
    bool newest;            /* a search sorted newest first instead of by rank */
    bool with_body;         /* a public list newest first whose items keep their safe HTML
                             * body (feeds) */
    const char *status;     /* editors' lists: draft, scheduled, withdrawn or any; NULL: public */
    unsigned limit;
    /* Facets (public lists only): which, as a PostgreSQL text array such as {tag,source};
     * NULL: none. How many values of each, and over how many of the newest matches. */
    const char *facets;
    unsigned facet_limit, facet_bound;
    /* The page starts after this item; after_id 0 means the first page. */
    const char *after_time; /* published_at of the item (newest-first lists) */
    const char *after_rank; /* its rank (searches) */
    int64_t after_id;
};

/* Where a page of a list ends. */
struct db_page_end {
    bool more;             /* there is a next page, which starts after the last item */
    char last_key[48];     /* the last item's published_at, rank or article count */
    int64_t last_id;
    int64_t last_modified; /* no item or count can be newer (db_last_change) */
};

/* One value of a facet: its facet ("tag", "source", "author", "section"), its key (a
 * slug, or a source's normalized name), its name, and how many counted matches have it. */
struct db_facet_value {
    const char *facet, *key, *name;
    int64_t count;
    char *text_; /* the block the strings point into */
};

/* The facets of a list: the values of each facet asked for, most first, and how many
 * of the newest matches were read (at most the bound + 1: more than the bound means
 * the counts are over the bound's newest only). */
struct db_facets {
    struct db_facet_value *items;
    size_t n;
    int64_t matched;
};

/* A page of articles; release with db_article_page_clear. */
struct db_article_page {
    struct db_article *items;
    size_t n;
    struct db_page_end end;
    struct db_facets facets; /* when the query asks for facets */
};
void db_article_page_clear(struct db_article_page *page);
void db_facets_clear(struct db_facets *facets);

/* Most queries a reader of several lists at once (db_article_lists, db_name_lists_fn,
 * db_section_lists, db_fronts_get) takes: they share one round trip. */
#define DB_LISTS_AT_ONCE 16
/* A page of articles (summaries: no body, except for searches) newest first or ranked, with
 * the facets asked for; db_article_lists: n queries' pages (pages[i], st[i] for qs[i]). */
db_status db_article_list(db_conn *c, const struct article_query *q, struct db_article_page *page);
void db_article_lists(db_conn *c, const struct article_query *const *qs, size_t n,
                      struct db_article_page pages[], db_status st[]);

/* Did you mean: the known search word (migrations/0016_search_words.sql) for a query
 * word with the given search forms (forms a PostgreSQL text array, whole its first,
 * whole form): whole itself when one of its forms is known; else the known word
 * nearest to it within max_edits edits whose trigram similarity is at least
 * min_similarity (a decimal text such as "0.2"); *out (the caller's) NULL when none. */
db_status db_word_suggest(db_conn *c, const char *forms, const char *whole, int max_edits,
                          const char *min_similarity, char **out);
/* Whether article id is public (*visible) or withdrawn (*reason_new its reason, caller
 * frees; NULL when it is not withdrawn). DB_NOT_FOUND: there is no such article. */
db_status db_article_state(db_conn *c, int64_t id, bool *visible, char **reason_new);
/* "More like this": up to limit public articles sharing article id's tags, distinctive
 * title words and sources, best first (list items, as db_article_list's). */
db_status db_similar(db_conn *c, int64_t id, unsigned limit, struct db_article_page *page);
/* The "read also" list of article id as stored beside it, a JSON array (caller frees). */
db_status db_related_list(db_conn *c, int64_t id, bool with_hidden, char **related_json_out);

/* Who makes a write, so that it keeps a revision: every article write given one records,
 * in its own transaction, each article it changes as it then reads (represent_new's JSON
 * text of the row, the same the GET of the article answers; freed here), under the
 * article's new version, with the names of the fields that changed. NULL: no revision
 * (khabar import). */
struct db_writer {
    const char *actor;     /* the name of the token that writes */
    char *(*represent_new)(const struct db_article *a); /* NULL on no memory */
    unsigned keep;         /* revisions kept per article, the oldest pruned; 0: all */
    int64_t restored_from; /* a restore: the version whose content is written; 0: none */
};

/*
 * Article writes: each runs in one transaction, run again when it meets a serialization
 * failure or a deadlock (DB_UNAVAILABLE after the last attempt); on any error nothing
 * is changed, no revision kept either. expected_version 0 means any version; otherwise a
 * different one gives DB_STALE. On DB_CONFLICT or DB_BAD_REFERENCE *refused says which
 * input and why. *out is the article as written (release with db_article_clear).
 */
db_status db_article_create(db_conn *c, const struct db_writer *by,
                            const struct db_article_write *in, struct db_article *out,
                            struct db_refusal *refused);
db_status db_article_replace(db_conn *c, const struct db_writer *by, int64_t id,
                             int64_t expected_version, const struct db_article_write *in,
                             struct db_article *out, struct db_refusal *refused);
/* The articles whose "read also" list loses it change too, and keep a revision each. */
db_status db_article_delete(db_conn *c, const struct db_writer *by, int64_t id,
                            int64_t expected_version);
/* Adds the link id -> other (idempotent); DB_NOT_FOUND when either is missing. */
db_status db_related_add(db_conn *c, const struct db_writer *by, int64_t id, int64_t other);
/* Removes the link id -> other; DB_NOT_FOUND when there is no such link. */
db_status db_related_remove(db_conn *c, const struct db_writer *by, int64_t id, int64_t other);

/* A revision of an article as stored; strings owned by the struct as in db_article
 * (release with db_revision_clear). */
struct db_revision {
    int64_t article_id, version;
    int64_t restored_from;      /* a restore's source version; 0 otherwise */
    const char *made_at;        /* RFC 3339 */
    const char *actor;
    const char *action;         /* created, updated, restored or deleted */
    const char *changed;        /* JSON array of the names of the fields that changed */
    const char *representation; /* the article's JSON text; NULL in lists and for a deletion */
    char *text_;
};
void db_revision_clear(struct db_revision *r);

/* A page of revisions, newest first; release with db_revision_page_clear. */
struct db_revision_page {
    struct db_revision *items;
    size_t n;
    struct db_page_end end; /* last_key the last version, last_id the article */
};
void db_revision_page_clear(struct db_revision_page *page);

/* The revisions of article id (deleted or not) older than before_version (0: from the
 * newest), at most limit; an article with none gives an empty page. */
db_status db_revision_list(db_conn *c, int64_t id, int64_t before_version, unsigned limit,
                           struct db_revision_page *page);
/* One revision with its representation; DB_NOT_FOUND when there is none. */
db_status db_revision_get(db_conn *c, int64_t id, int64_t version, struct db_revision *out);

/*
 * Bulk loading: creates the n articles in one transaction, set-based, the way
 * db_article_create would one by one. They must have no related links, and name their
 * authors and section by slug only (those are created when new). Articles whose
 * slug is taken (by a stored article or an earlier one of the batch) are not loaded:
 * taken[i] is set for them, to be loaded with db_article_create (which adds a suffix).
 * On any error nothing of the batch is loaded. first_row numbers the batch's rows in
 * the staging table: each batch of one import starts past the rows of the one before.
 */
db_status db_article_create_many(db_conn *c, const struct db_article_write *const *in, size_t n,
                                 long first_row, bool *taken);

/*
 * An import into an empty archive runs as one transaction, and builds the search index
 * once at the end instead of entry by entry (at 20,000 articles, 3 s instead of 36 s).
 * db_import_begin opens it when the archive is empty: the articles table locked until
 * the end, the index dropped, *search_index_def set to its definition (caller owns).
 * Otherwise *search_index_def stays NULL and each batch commits on its own.
 * (It starts without a search window, migrations/0020_search_window.sql: the servers
 * open one once the archive is large enough.)
 * db_import_commit builds the index and commits (freeing search_index_def); on any
 * error nothing of the import is kept.
 */
db_status db_import_begin(db_conn *c, char **search_index_def);
db_status db_import_commit(db_conn *c, char *search_index_def);
/* Moves the search window on to the newest window_articles articles (after a batch of
 * an import that commits batch by batch: its articles were marked as they came). */
db_status db_search_window_raise(db_conn *c, unsigned window_articles);
/* Ends an import begun as one transaction without keeping any of it. */
void db_import_abandon(db_conn *c, char *search_index_def);

/* A tag, a source or an author with how many (public) articles have it; strings owned
 * as in db_article. */
struct db_name {
    const char *slug; /* a tag's or an author's; NULL for a source */
    const char *name;
    int64_t article_count;
    int64_t id;         /* an author's (0 for the others) */
    const char *bio;    /* an author's, or NULL */
    const char *avatar; /* an author's image as JSON text, or NULL */
    char *text_;
};
void db_name_clear(struct db_name *n);

/* A page of tags or sources; release with db_name_page_clear. */
struct db_name_page {
    struct db_name *items;
    size_t n;
    struct db_page_end end;
};
void db_name_page_clear(struct db_name_page *page);

/* A tag by slug key; DB_NOT_FOUND when there is none. */
db_status db_tag_get(db_conn *c, const char *slug_key, struct db_name *out);
/* Tags, sources and authors most used first, or sections in their order: prefix (a slug key
 * or normalized name start) may be NULL; the page starts after (after_key: the use count or
 * position, after_id) unless after_id is 0. */
struct name_query {
    const char *prefix;
    unsigned limit;
    int64_t after_key, after_id;
};
db_status db_tag_list(db_conn *c, const struct name_query *q, struct db_name_page *page);
db_status db_source_list(db_conn *c, const struct name_query *q, struct db_name_page *page);
/* The lists of n queries of one kind read together, the archive's last change once:
 * pages[i] and st[i] as db_tag_list, db_source_list or db_author_list give them for qs[i]. */
typedef void db_name_lists_fn(db_conn *c, const struct name_query *const *qs, size_t n,
                              struct db_name_page pages[], db_status st[]);
db_name_lists_fn db_tag_lists, db_source_lists, db_author_lists;
/* An endpoint as admins see it (never its secret); strings owned as in db_article. */
struct db_webhook {
    int64_t id;
    const char *url;
    const char *events;      /* a JSON array of event types */
    const char *description; /* NULL: none */
    bool enabled;
    const char *disabled_reason, *last_error, *last_error_at, *last_success_at; /* or NULL */
    const char *created_at, *updated_at;
    int64_t pending;         /* deliveries still to make */
    char *text_;
};
void db_webhook_clear(struct db_webhook *w);
struct db_webhook_list {
    struct db_webhook *items;
    size_t n;
};
void db_webhook_list_clear(struct db_webhook_list *list);
/* What a write sets of an endpoint: NULL members are kept (an update) or absent. */
struct db_webhook_write {
    const char *url;
    const char *events;      /* a PostgreSQL text array: {article.published,...} */
    const char *secret;      /* set on creation only */
    const char *description;
    bool description_set;    /* an update sets description, NULL clearing it */
    int enabled;             /* an update: -1 keeps, 0 disables, 1 enables (resumes) */
};
db_status db_webhook_create(db_conn *c, const struct db_webhook_write *in, struct db_webhook *out);
db_status db_webhook_list(db_conn *c, struct db_webhook_list *out);
/* DB_NOT_FOUND when there is no such endpoint (for all three). */
db_status db_webhook_get(db_conn *c, int64_t id, struct db_webhook *out);
db_status db_webhook_update(db_conn *c, int64_t id, const struct db_webhook_write *in,
                            struct db_webhook *out);
db_status db_webhook_delete(db_conn *c, int64_t id);

/* One delivery to make, as claimed; strings owned as in db_article. */
struct db_delivery {
    int64_t id, webhook_id, event_id, attempts;
    const char *url, *secret, *type, *data, *created_at;
    char *text_;
};
/* Deliveries claimed together. */
struct db_delivery_batch {
    struct db_delivery *items;
    size_t n;
};
void db_delivery_batch_clear(struct db_delivery_batch *b);
/* Makes the deliveries of up to limit new events, when no other instance is at it;
 * *made how many events were fanned out. */
db_status db_webhook_fan_out(db_conn *c, unsigned limit, unsigned *made);
/* Takes the first (at most max) deliveries that may be sent now for lease_ms; none is an
 * empty batch. */
db_status db_webhook_claim(db_conn *c, unsigned lease_ms, unsigned max, struct db_delivery_batch *out);
/* Records ids[0..n) as delivered. */
db_status db_webhook_delivered(db_conn *c, const int64_t *ids, size_t n);
/* A failed attempt: the next in retry_ms, unless the retry time (retry_s) would be past
 * by then: *gave_up, and its endpoint disabled. */
db_status db_webhook_failed(db_conn *c, int64_t delivery_id, const char *error, int64_t retry_ms,
                            unsigned retry_s, bool *gave_up);
/* How many deliveries and events wait, and the age in seconds of the oldest (0: none). */
db_status db_webhook_queue(db_conn *c, int64_t *depth, int64_t *oldest_s);
/* Drops delivered events older than a week. */
db_status db_webhook_prune(db_conn *c);

/* A month (UTC) of the sitemaps: "2024-05", how many public articles were published in
 * it, and the last update of any of them (RFC 3339). */
struct db_sitemap_month {
    char month[8];
    int64_t articles;
    char last_modified[40];
};
/* The months that have public articles, oldest first (*months the caller's to free), and
 * the archive's last change (db_last_change) read first in the same round trip. */
db_status db_sitemap_months(db_conn *c, struct db_sitemap_month **months, size_t *n,
                            int64_t *last_modified);

/* A public article as a sitemap lists it; strings owned as in db_article. */
struct db_sitemap_url {
    int64_t id;
    const char *slug, *title, *lang, *published_at, *updated_at;
    char *text_;
};
struct db_sitemap_page {
    struct db_sitemap_url *items;
    size_t n;
    int64_t last_modified; /* the archive's last change, read before the rows */
};
void db_sitemap_page_clear(struct db_sitemap_page *page);
/* The public articles published in the month that starts at month_start (RFC 3339),
 * newest first, after skipping offset of them, at most limit. */
db_status db_sitemap_month_page(db_conn *c, const char *month_start, int64_t offset, unsigned limit,
                                struct db_sitemap_page *out);
/* The newest public articles published in the last 48 hours, at most limit. */
db_status db_sitemap_news(db_conn *c, unsigned limit, struct db_sitemap_page *out);

/* A source with public articles by its normalized name; DB_NOT_FOUND when there is none. */
db_status db_source_get(db_conn *c, const char *key, struct db_name *out);

/* ---- authors ---- */

/* An author to write, as the model checked it; strings borrowed. */
struct db_author_write {
    const char *name, *slug, *slug_key;
    const char *bio;    /* NULL: none */
    const char *avatar; /* the image as JSON text; NULL: none */
};
/* An author by slug key; DB_NOT_FOUND when there is none. */
db_status db_author_get(db_conn *c, const char *slug_key, struct db_name *out);
/* Authors, most public articles first (those with none too), as db_tag_list. */
db_status db_author_list(db_conn *c, const struct name_query *q, struct db_name_page *page);
/* Creates an author (DB_CONFLICT: the slug is taken); *out as written. */
db_status db_author_create(db_conn *c, const struct db_author_write *in, struct db_name *out);
/* Replaces the author now at slug_key: DB_NOT_FOUND, or DB_CONFLICT for a taken slug. */
db_status db_author_replace(db_conn *c, const char *slug_key, const struct db_author_write *in,
                            struct db_name *out);
/* Deletes an author: DB_NOT_FOUND, or DB_CONFLICT (refused: in use) while in a byline. */
db_status db_author_delete(db_conn *c, const char *slug_key, struct db_refusal *refused);

/* ---- sections ---- */

/* A section; strings owned as in db_article (release with db_section_clear). */
struct db_section {
    const char *slug, *name;
    const char *description; /* NULL: none */
    int64_t position, id;
    char *text_;
};
void db_section_clear(struct db_section *s);
struct db_section_page {
    struct db_section *items;
    size_t n;
    struct db_page_end end;
};
void db_section_page_clear(struct db_section_page *page);
struct db_section_write {
    const char *name, *slug, *slug_key;
    const char *description; /* NULL: none */
    const char *position;    /* an integer's text; NULL: last (create) or kept (replace) */
};
db_status db_section_get(db_conn *c, const char *slug_key, struct db_section *out);
/* Sections in their order (a query's prefix: of the slug key), n lists read together. */
void db_section_lists(db_conn *c, const struct name_query *const *qs, size_t n,
                      struct db_section_page pages[], db_status st[]);
/* What a search box suggests, up to limit of each, read together: the newest public articles
 * with a title word beginning with prefix (a search form, text/words.h) and, unless
 * words_json is NULL, every form of that JSON array; unless name_key is "", the tags,
 * authors and sections whose slug key begins with it. */
struct db_suggestions {
    struct db_article_page articles;
    struct db_name_page tags, authors;
    struct db_section_page sections;
};
void db_suggestions_clear(struct db_suggestions *s);
db_status db_suggest(db_conn *c, const char *prefix, const char *words_json, const char *name_key,
                     unsigned limit, struct db_suggestions *out);
db_status db_section_create(db_conn *c, const struct db_section_write *in, struct db_section *out);
db_status db_section_replace(db_conn *c, const char *slug_key, const struct db_section_write *in,
                             struct db_section *out);
/* DB_NOT_FOUND, or DB_CONFLICT (refused: in use) while articles are in it. */
db_status db_section_delete(db_conn *c, const char *slug_key, struct db_refusal *refused);

/* A page of a section's front: on the first page (after_id 0) its public pinned articles
 * in the editor's order, then (on every page) its newest public articles not pinned. */
struct db_front {
    struct db_article_page pinned, newest;
};
void db_front_clear(struct db_front *f);
struct front_query {
    const char *section_key, *after_time;
    unsigned limit;
    int64_t after_id;
};
/* The fronts of n queries read together: out[i] and st[i] (DB_NOT_FOUND: no such section). */
void db_fronts_get(db_conn *c, const struct front_query *const *qs, size_t n, struct db_front out[],
                   db_status st[]);
/* Sets the front's pinned articles to ids (a JSON array of article ids, in order):
 * DB_NOT_FOUND without the section, DB_BAD_REFERENCE (refused) for an unknown article. */
db_status db_front_set(db_conn *c, const char *section_key, const json_t *ids,
                       struct db_refusal *refused);

/* When any article last changed or was deleted (seconds since the epoch; 0 when never):
 * the Last-Modified of every list. */
db_status db_last_change(db_conn *c, int64_t *when);

/* DB_OK when the database answers a trivial query on c. */
db_status db_ping(db_conn *c);

/*==== Tokens (db/tokens.c) ====*/

struct token_entry;

/* A token as `khabar token list` shows it: no hash. The strings are owned by the list. */
struct db_token {
    const char *name, *role, *created_at;
    const char *revoked_at; /* NULL while it is valid */
};
struct db_token_list {
    struct db_token *items;
    size_t n;
    char *text_; /* the block every string points into */
};
void db_token_list_clear(struct db_token_list *list);

/* Stores a token by its SHA-256 (hash_hex: 64 hex digits); DB_CONFLICT when the name (or,
 * never in practice, the hash) is taken. */
db_status db_token_create(db_conn *c, const char *name, const char *role, const char *hash_hex);
/* Every token, the revoked ones too, oldest first. */
db_status db_token_list(db_conn *c, struct db_token_list *out);
/* Revokes the token named name; DB_NOT_FOUND when there is no valid one of that name. */
db_status db_token_revoke(db_conn *c, const char *name);
/* The valid tokens, as the in-memory store keeps them (infra/tokens.h); *out (caller
 * frees) holds *n of them. A row the store could not use (a role it does not know) is
 * skipped. */
db_status db_tokens_active(db_conn *c, struct token_entry **out, size_t *n);
/* Reads the valid tokens into store on a connection of pool; false when they cannot be
 * read, and then store knows none of the database's (none is trusted unread). */
struct token_store;
bool db_tokens_load(db_pool *pool, struct token_store *store);

#endif
