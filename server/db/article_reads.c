/* article_reads.c: reading articles: one by id or slug, the lists by their filters, the "read also" list, the last change. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
/* Columns of the article statements (see statements.c). */
enum {
    COL_ID, COL_SLUG, COL_TITLE, COL_SUMMARY, COL_BODY, COL_BODY_HTML, COL_BODY_TEXT,
    COL_CORRECTIONS, COL_WITHDRAWN_REASON, COL_STATUS, COL_VISIBLE, COL_LANG, COL_PUBLISHED, COL_CREATED,
    COL_UPDATED, COL_VERSION, COL_SOURCES, COL_TAGS, COL_RELATED, COL_IMAGE, COL_AUTHORS, COL_SECTION,
    COL_LAST_MODIFIED,
    COL_RANK /* searches only */
};

void db_article_clear(struct db_article *a)
{
    DB_ROW_CLEAR(a);
}

void db_article_page_clear(struct db_article_page *page)
{
    DB_PAGE_CLEAR(page);
    db_facets_clear(&page->facets);
}

/* One article row into *a; false when there is no memory. */
static bool article_of_row(const PGresult *res, int row, struct db_article *a)
{
    static const int cols[] = { COL_SLUG,        COL_TITLE,     COL_SUMMARY,   COL_BODY,
                                COL_BODY_HTML,   COL_BODY_TEXT, COL_LANG,      COL_PUBLISHED,
                                COL_CREATED,     COL_UPDATED,   COL_SOURCES,   COL_TAGS,
                                COL_RELATED,     COL_IMAGE,     COL_CORRECTIONS,
                                COL_WITHDRAWN_REASON, COL_STATUS, COL_AUTHORS, COL_SECTION };
    const char *text[sizeof cols / sizeof cols[0]];
    memset(a, 0, sizeof *a);
    a->text_ = db_row_text_new(res, row, cols, (int)(sizeof cols / sizeof cols[0]), text);
    if (a->text_ == NULL)
        return false;
    a->id = db_integer_of(res, row, COL_ID);
    a->version = db_integer_of(res, row, COL_VERSION);
    a->last_modified = db_integer_of(res, row, COL_LAST_MODIFIED);
    a->slug = text[0];
    a->title = text[1];
    a->summary = text[2];
    a->body = text[3];
    a->body_html = text[4];
    a->body_text = text[5];
    a->lang = text[6];
    a->published_at = text[7];
    a->created_at = text[8];
    a->updated_at = text[9];
    a->sources = text[10];
    a->tags = text[11];
    a->related = text[12];
    a->image = text[13];
    a->corrections = text[14];
    a->withdrawn_reason = text[15];
    a->status = text[16];
    a->authors = text[17];
    a->section = text[18];
    a->visible = PQgetvalue(res, row, COL_VISIBLE)[0] == 't';
    return true;
}

/* The article of a one-article statement's result (res NULL: it failed with st), which
 * is cleared. */
static db_status article_of_result(PGresult *res, db_status st, struct db_article *out)
{
    memset(out, 0, sizeof *out);
    if (res == NULL)
        return st;
    st = DB_NOT_FOUND;
    if (PQntuples(res) == 1)
        st = article_of_row(res, 0, out) ? DB_OK : DB_ERROR;
    PQclear(res);
    return st;
}

static db_status article_by(db_conn *c, enum db_stmt stmt, const char *param, struct db_article *out)
{
    db_status st;
    const char *params[1] = { param };
    PGresult *res = db_run(c, stmt, params, PGRES_TUPLES_OK, &st);
    return article_of_result(res, st, out);
}

db_status db_article_get(db_conn *c, int64_t id, struct db_article *out)
{
    return article_by(c, STMT_ARTICLE_BY_ID, db_int_text(id).s, out);
}

/* Articles sent in one round trip at most: a batch of requests is never larger. */
#define ARTICLES_AT_ONCE 16

void db_articles_get(db_conn *c, const int64_t *ids, size_t n, struct db_article out[],
                     db_status st[])
{
    struct db_int_text texts[ARTICLES_AT_ONCE];
    const char *param[ARTICLES_AT_ONCE][1];
    struct db_call calls[ARTICLES_AT_ONCE];
    for (size_t done = 0; done < n;) {
        size_t m = n - done < ARTICLES_AT_ONCE ? n - done : ARTICLES_AT_ONCE;
        for (size_t i = 0; i < m; i++) {
            texts[i] = db_int_text(ids[done + i]);
            param[i][0] = texts[i].s;
            calls[i] = (struct db_call){ .stmt = STMT_ARTICLE_BY_ID, .params = param[i] };
        }
        db_run_all(c, calls, m, PGRES_TUPLES_OK);
        for (size_t i = 0; i < m; i++)
            st[done + i] = article_of_result(calls[i].res, calls[i].st, &out[done + i]);
        done += m;
    }
}

db_status db_article_get_by_slug_key(db_conn *c, const char *slug_key, struct db_article *out)
{
    return article_by(c, STMT_ARTICLE_BY_SLUG_KEY, slug_key, out);
}

/* The page's articles from rows fetched with limit + 1. */
static db_status article_page_fill(const PGresult *res, unsigned limit, int key_col,
                                   struct db_article_page *page)
{
    int rows = db_page_rows(res, limit, key_col, COL_ID, &page->end);
    if (rows > 0 && (page->items = calloc((size_t)rows, sizeof *page->items)) == NULL)
        return DB_ERROR;
    for (int i = 0; i < rows; i++, page->n++)
        if (!article_of_row(res, i, &page->items[i]))
            return DB_ERROR;
    return DB_OK;
}

db_status db_article_rows_of(PGresult *res, db_status st, unsigned limit, struct db_article_page *page)
{
    if (res == NULL)
        return st;
    st = article_page_fill(res, limit ? limit : (unsigned)PQntuples(res), COL_PUBLISHED, page);
    PQclear(res);
    if (st != DB_OK)
        db_article_page_clear(page);
    return st;
}

db_status db_article_rows(db_conn *c, enum db_stmt stmt, const char *const *params, unsigned limit,
                          struct db_article_page *page)
{
    db_status st;
    PGresult *res = db_run(c, stmt, params, PGRES_TUPLES_OK, &st);
    return db_article_rows_of(res, st, limit, page);
}

/* The ids and article counts of what a list is filtered by; 0 when not asked for. */
struct list_filters {
    int64_t tag, tag_count, source, source_count, author, author_count, section, unused;
};

/* The statement of a list: an author's or a section's index drives the scan when asked
 * for, else the rarer of tag and source, the others filter it. */
static enum db_stmt list_statement(const struct article_query *q, const struct list_filters *f)
{
    if (q->tsquery)
        return q->newest ? STMT_LIST_SEARCH_NEWEST : STMT_LIST_SEARCH;
    if (q->status)
        return STMT_LIST_BY_STATUS;
    if (f->author)
        return STMT_LIST_BY_AUTHOR;
    if (f->section)
        return STMT_LIST_BY_SECTION;
    if (f->tag && (!f->source || f->tag_count <= f->source_count))
        return STMT_LIST_BY_TAG;
    return f->source ? STMT_LIST_BY_SOURCE : STMT_LIST_NEWEST;
}

/* The lookup of one filter a query names: its key, and where its id and article count go. */
struct filter_lookup {
    const char *key;
    int64_t *id, *count;
};

/* The lookups of the filters q names, into out (their statements into stmts); how many. */
static size_t filter_lookups(const struct article_query *q, struct list_filters *f,
                             struct filter_lookup out[4], enum db_stmt stmts[4])
{
    const struct {
        const char *key;
        enum db_stmt stmt;
        int64_t *id, *count;
    } names[] = { { q->tag_key, STMT_TAG_FIND, &f->tag, &f->tag_count },
                  { q->source_key, STMT_SOURCE_FIND, &f->source, &f->source_count },
                  { q->author_key, STMT_AUTHOR_FIND, &f->author, &f->author_count },
                  { q->section_key, STMT_SECTION_FIND, &f->section, &f->unused } };
    size_t n = 0;
    memset(f, 0, sizeof *f);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (names[i].key == NULL)
            continue;
        out[n] = (struct filter_lookup){ names[i].key, names[i].id, names[i].count };
        stmts[n++] = names[i].stmt;
    }
    return n;
}

/* The id and article count a lookup found (none: 0) from its call; false when the name is
 * unknown. The result is cleared. */
static bool filter_found(struct db_call *call, const struct filter_lookup *l)
{
    if (call->res != NULL && PQntuples(call->res) == 1) {
        *l->id = db_integer_of(call->res, 0, 0);
        *l->count = db_integer_of(call->res, 0, 1);
    }
    PQclear(call->res);
    return *l->id != 0;
}

/* An id as a parameter: NULL for 0 (no filter). */
static const char *id_param(int64_t id, struct db_int_text *buf)
{
    *buf = db_int_text(id);
    return id ? buf->s : NULL;
}

/* The statement of a list and its parameters ($1..$12, see statements.c; $12 $13 a
 * facets statement's instead), pointing into the query and into this struct's own texts. */
struct list_scan {
    enum db_stmt stmt;
    struct db_int_text rows, after_id, tb, sb, ab, cb, facet_limit;
    const char *params[13];
};

/* The scan of list stmt for q: rows to read, from the cursor when with_cursor. */
static void list_scan_of(const struct article_query *q, const struct list_filters *f,
                         enum db_stmt stmt, unsigned rows, bool with_cursor, struct list_scan *s)
{
    s->stmt = stmt;
    s->rows = db_int_text(rows);
    s->after_id = db_int_text(q->after_id);
    const char *tag = id_param(f->tag, &s->tb), *source = id_param(f->source, &s->sb);
    const char *author = id_param(f->author, &s->ab), *section = id_param(f->section, &s->cb);
    const char *after = q->tsquery && !q->newest ? q->after_rank : q->after_time;
    bool cursor = with_cursor && q->after_id;
    const char *params[12] = { cursor ? after : NULL, cursor ? s->after_id.s : NULL,
                               q->from, q->to, q->lang, s->rows.s,
                               stmt == STMT_LIST_BY_SOURCE ? source : tag,
                               stmt == STMT_LIST_BY_SOURCE ? tag : source,
                               stmt == STMT_LIST_BY_STATUS ? q->status : q->tsquery,
                               author, section, q->exact_tsquery };
    if (stmt == STMT_LIST_BY_AUTHOR || stmt == STMT_LIST_BY_SECTION) {
        /* $7 the driving author or section, then tag, source and (an author's) section */
        params[6] = stmt == STMT_LIST_BY_AUTHOR ? author : section;
        params[7] = tag;
        params[8] = source;
        params[9] = section;
    }
    memset(s->params, 0, sizeof s->params);
    memcpy(s->params, params, sizeof params);
}

/* The feed statement of each public list's statement newest first (the same scan, with
 * the body); a search or an editors' list keeps its own. */
static enum db_stmt feed_statement(enum db_stmt list)
{
    switch (list) {
    case STMT_LIST_NEWEST: return STMT_FEED_NEWEST;
    case STMT_LIST_BY_TAG: return STMT_FEED_BY_TAG;
    case STMT_LIST_BY_SOURCE: return STMT_FEED_BY_SOURCE;
    case STMT_LIST_BY_AUTHOR: return STMT_FEED_BY_AUTHOR;
    case STMT_LIST_BY_SECTION: return STMT_FEED_BY_SECTION;
    default: return list;
    }
}

/* The facets statement of each public list's statement. */
static enum db_stmt facets_statement(enum db_stmt list)
{
    switch (list) {
    case STMT_LIST_BY_TAG: return STMT_FACETS_BY_TAG;
    case STMT_LIST_BY_SOURCE: return STMT_FACETS_BY_SOURCE;
    case STMT_LIST_BY_AUTHOR: return STMT_FACETS_BY_AUTHOR;
    case STMT_LIST_BY_SECTION: return STMT_FACETS_BY_SECTION;
    case STMT_LIST_SEARCH:
    case STMT_LIST_SEARCH_NEWEST: return STMT_FACETS_SEARCH;
    default: return STMT_FACETS_NEWEST;
    }
}

void db_facets_clear(struct db_facets *facets)
{
    DB_PAGE_CLEAR(facets);
    facets->matched = 0;
}

/* The facet rows of a facets statement into *out (see FACETS in statements.c). */
static db_status facets_fill(const PGresult *res, struct db_facets *out)
{
    static const int cols[] = { 0, 1, 2 };
    int rows = PQntuples(res);
    if (rows > 1 && (out->items = calloc((size_t)rows - 1, sizeof *out->items)) == NULL)
        return DB_ERROR;
    for (int i = 0; i < rows; i++) {
        const char *text[3];
        if (strcmp(PQgetvalue(res, i, 0), "counted") == 0) {
            out->matched = db_integer_of(res, i, 3);
            continue;
        }
        struct db_facet_value *v = &out->items[out->n];
        if ((v->text_ = db_row_text_new(res, i, cols, 3, text)) == NULL)
            return DB_ERROR;
        v->facet = text[0];
        v->key = text[1];
        v->name = text[2];
        v->count = db_integer_of(res, i, 3);
        out->n++;
    }
    return DB_OK;
}

/* The facets q asks for, over the newest q->facet_bound matches of the list stmt. */
static db_status list_facets(db_conn *c, const struct article_query *q, const struct list_filters *f,
                             enum db_stmt stmt, struct db_facets *out)
{
    db_status st;
    struct list_scan s;
    list_scan_of(q, f, stmt, q->facet_bound + 1, false, &s);
    s.stmt = facets_statement(stmt);
    s.facet_limit = db_int_text(q->facet_limit);
    s.params[11] = q->facets;
    s.params[12] = s.facet_limit.s;
    PGresult *res = db_run(c, s.stmt, s.params, PGRES_TUPLES_OK, &st);
    if (res == NULL)
        return st;
    st = facets_fill(res, out);
    PQclear(res);
    return st;
}

/* Lists being read together: each query's filters, whether they all name something, and
 * its scan. */
struct list_read {
    struct list_filters filters;
    struct filter_lookup lookups[4];
    bool known;
    struct list_scan scan;
};

/* Finds the filters of every query, their lookups in one round trip; st[i] set for a
 * query whose lookup failed. */
static void find_all_filters(db_conn *c, const struct article_query *const *qs, size_t n,
                             struct list_read *r, db_status st[])
{
    struct db_call calls[DB_LISTS_AT_ONCE * 4];
    size_t of[DB_LISTS_AT_ONCE * 4], m = 0;
    const struct filter_lookup *lookup[DB_LISTS_AT_ONCE * 4];
    for (size_t i = 0; i < n; i++) {
        enum db_stmt stmts[4];
        size_t k = filter_lookups(qs[i], &r[i].filters, r[i].lookups, stmts);
        for (size_t j = 0; j < k; j++, m++) {
            calls[m] = (struct db_call){ .stmt = stmts[j], .params = &r[i].lookups[j].key };
            lookup[m] = &r[i].lookups[j];
            of[m] = i;
        }
        r[i].known = true;
    }
    db_run_all(c, calls, m, PGRES_TUPLES_OK);
    for (size_t j = 0; j < m; j++) {
        if (calls[j].res == NULL && st[of[j]] == DB_OK)
            st[of[j]] = calls[j].st;
        r[of[j]].known &= filter_found(&calls[j], lookup[j]);
    }
}

/* The page of query q from its call's result (res NULL: it failed with st). */
static db_status list_page_of(const struct article_query *q, PGresult *res, db_status st,
                              struct db_article_page *page)
{
    if (res == NULL)
        return st;
    st = article_page_fill(res, q->limit, q->tsquery && !q->newest ? COL_RANK : COL_PUBLISHED, page);
    PQclear(res);
    return st;
}

void db_article_lists(db_conn *c, const struct article_query *const *qs, size_t n,
                      struct db_article_page pages[], db_status st[])
{
    struct list_read r[DB_LISTS_AT_ONCE];
    struct db_call calls[DB_LISTS_AT_ONCE + 1];
    size_t call_of[DB_LISTS_AT_ONCE], m = 1;
    int64_t when;
    for (size_t i = 0; i < n; i++) {
        memset(&pages[i], 0, sizeof pages[i]);
        st[i] = DB_OK;
    }
    find_all_filters(c, qs, n, r, st);
    for (size_t i = 0; i < n; i++) {
        call_of[i] = 0;
        if (st[i] != DB_OK || !r[i].known) /* an unknown filter: no articles */
            continue;
        const struct article_query *q = qs[i];
        list_scan_of(q, &r[i].filters, list_statement(q, &r[i].filters), q->limit + 1, true, &r[i].scan);
        if (q->with_body)
            r[i].scan.stmt = feed_statement(r[i].scan.stmt);
        calls[m] = (struct db_call){ .stmt = r[i].scan.stmt, .params = r[i].scan.params };
        call_of[i] = m++;
    }
    db_status changed = db_run_all_after_last_change(c, calls, m, &when);
    for (size_t i = 0; i < n; i++) {
        if (st[i] == DB_OK)
            st[i] = changed;
        if (st[i] == DB_OK && call_of[i])
            st[i] = list_page_of(qs[i], calls[call_of[i]].res, calls[call_of[i]].st, &pages[i]);
        else if (call_of[i])
            PQclear(calls[call_of[i]].res);
        pages[i].end.last_modified = when;
        if (st[i] == DB_OK && call_of[i] && qs[i]->facets != NULL && !qs[i]->status)
            st[i] = list_facets(c, qs[i], &r[i].filters, r[i].scan.stmt, &pages[i].facets);
        if (st[i] != DB_OK)
            db_article_page_clear(&pages[i]);
    }
}

db_status db_article_list(db_conn *c, const struct article_query *q, struct db_article_page *page)
{
    db_status st;
    db_article_lists(c, &q, 1, page, &st);
    return st;
}

db_status db_related_list(db_conn *c, int64_t id, bool with_hidden, char **related_json_out)
{
    db_status st;
    struct db_int_text idtext = db_int_text(id);
    const char *params[2] = { idtext.s, with_hidden ? "true" : "false" };
    *related_json_out = NULL;
    PGresult *res = db_run(c, STMT_RELATED_OF, params, PGRES_TUPLES_OK, &st);
    if (res == NULL)
        return st;
    st = DB_NOT_FOUND;
    if (PQntuples(res) == 1)
        st = (*related_json_out = strdup(PQgetvalue(res, 0, 0))) != NULL ? DB_OK : DB_ERROR;
    PQclear(res);
    return st;
}

/* ---- the archive's last change ---- */

db_status db_last_change_of(PGresult *res, db_status st, int64_t *when)
{
    *when = 0;
    if (res == NULL)
        return st;
    if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
        *when = db_integer_of(res, 0, 0);
    PQclear(res);
    return DB_OK;
}

db_status db_last_change(db_conn *c, int64_t *when)
{
    db_status st;
    PGresult *res = db_run(c, STMT_LAST_CHANGE, NULL, PGRES_TUPLES_OK, &st);
    return db_last_change_of(res, st, when);
}

db_status db_run_all_after_last_change(db_conn *c, struct db_call *calls, size_t n, int64_t *when)
{
    calls[0] = (struct db_call){ .stmt = STMT_LAST_CHANGE };
    db_run_all(c, calls, n, PGRES_TUPLES_OK);
    db_status changed = db_last_change_of(calls[0].res, calls[0].st, when);
    for (size_t i = 1; changed != DB_OK && i < n; i++) {
        PQclear(calls[i].res);
        calls[i].res = NULL;
        calls[i].st = changed;
    }
    return changed;
}
