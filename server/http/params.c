/* params.c: what the handlers read from a request: path ids, query arguments (only those
 * the route lists), the JSON body, a database connection, and the next page's link. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "internal.h"
#include "infra/decimal.h"
#include "infra/jobs.h"
#include "infra/strict_json.h"
#include "text/normalize.h"
#include "text/url.h"

/* A whole number of 1..max_digits decimal digits and nothing else; false otherwise. */
int64_t request_param_id(const struct request *req, int index)
{
    unsigned long long v = 0;
    if (!decimal_parse(req->params[index], 16, &v))
        return -1;
    return v >= 1 && v <= (1ULL << 53) ? (int64_t)v : -1;
}

bool request_query_limit(const struct request *req, unsigned def, unsigned max, unsigned *out)
{
    const char *s = request_query(req, "limit");
    unsigned long long v = 0;
    *out = def;
    if (s == NULL)
        return true;
    if (!decimal_parse(s, 6, &v) || v < 1 || v > max)
        return false;
    *out = (unsigned)v;
    return true;
}

struct query_scan {
    const struct route *route;
    json_t *unknown;
};

static enum MHD_Result note_unknown(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
    struct query_scan *scan = cls;
    (void)kind;
    (void)value;
    /* a stray "&" (an empty name) carries nothing to misread */
    if (key[0] == '\0' || route_query_allows(scan->route, key))
        return MHD_YES;
    const char *name = text_is_valid_utf8(key, strlen(key)) ? key : "(not UTF-8)";
    size_t i;
    json_t *seen;
    json_array_foreach(scan->unknown, i, seen)
        if (strcmp(json_string_value(seen), name) == 0)
            return MHD_YES;
    json_array_append_new(scan->unknown, json_string(name));
    return MHD_YES;
}

/* The first query parameter the route takes whose value is not UTF-8; NULL: none. */
static const char *query_not_utf8(const struct request *req)
{
    for (const char *const *q = req->route->query; q != NULL && *q != NULL; q++) {
        const char *value = request_query(req, *q);
        if (value != NULL && !text_is_valid_utf8(value, strlen(value)))
            return *q;
    }
    return NULL;
}

bool request_query_refused(struct request *req, int *answered_result)
{
    if (req->route->any_query)
        return false;
    const char *not_utf8 = query_not_utf8(req);
    if (not_utf8 != NULL) {
        char detail[96];
        snprintf(detail, sizeof detail, "the query parameter %s is not valid UTF-8", not_utf8);
        *answered_result = reply_problem(req, 400, PROBLEM_INVALID_UTF8, detail, NULL);
        return true;
    }
    struct query_scan scan = { .route = req->route, .unknown = json_array() };
    if (scan.unknown == NULL) {
        *answered_result = MHD_NO;
        return true;
    }
    MHD_get_connection_values(req->connection, MHD_GET_ARGUMENT_KIND, note_unknown, &scan);
    if (json_array_size(scan.unknown) == 0) {
        json_decref(scan.unknown);
        return false;
    }
    json_t *allowed = json_array();
    for (const char *const *q = req->route->query; q != NULL && *q != NULL; q++)
        json_array_append_new(allowed, json_string(*q));
    *answered_result = reply_unknown_parameters(req, scan.unknown, allowed);
    return true;
}

/* The media type of Content-Type, lower case, without parameters. */
static void media_type_of(const char *header, char *out, size_t size)
{
    size_t n = 0;
    out[0] = '\0';
    if (header == NULL)
        return;
    while (*header == ' ')
        header++;
    while (header[n] != '\0' && header[n] != ';' && header[n] != ' ' && n + 1 < size) {
        out[n] = (char)((header[n] >= 'A' && header[n] <= 'Z') ? header[n] + 32 : header[n]);
        n++;
    }
    out[n] = '\0';
}

json_t *request_json_body(struct request *req, const char *const *media_types,
                          int *answered_result)
{
    char type[96], detail[256];
    json_t *doc = NULL;
    media_type_of(request_header(req, MHD_HTTP_HEADER_CONTENT_TYPE), type, sizeof type);
    bool accepted = false;
    for (const char *const *m = media_types; *m != NULL; m++)
        accepted |= strcmp(type, *m) == 0;
    if (!accepted) {
        *answered_result = reply_unsupported_media_type(req, media_types[0]);
        return NULL;
    }
    const struct request_body *body = req->body;
    enum khabar_json_status r =
        khabar_json_parse(body->data ? body->data : "", body->len, &doc, detail, sizeof detail);
    if (r == KHABAR_JSON_OK)
        return doc;
    *answered_result = reply_bad_body(req, r == KHABAR_JSON_INVALID_UTF8, detail);
    return NULL;
}

db_conn *request_db(struct request *req, int *answered_result)
{
    db_conn *c = NULL;
    /*
     * Reads go to the replica when there is one and it has replayed every change this
     * instance knows of, else to the primary (also when the replica cannot be reached);
     * writes (and what they read back) always to the primary.
     *
     * Why a cached answer is then never older than a change announced before it was
     * stored: answer_cache_serve took the cache's generation before this point, and the
     * listener raises the required position before it moves the generation on
     * (changes.c). So if the generation is still the one taken when the answer is stored,
     * every announcement applied by then was applied before the generation was taken, and
     * its commit is at or before the position read here, after it. The replica is asked
     * how far it has replayed before the read, and each statement of the read takes its
     * snapshot after that: it shows every such commit. An announcement applied later
     * moves the generation on, and the answer is not kept (or dropped, if already in).
     * This instance's own commits count too (db_pool_committed_wal), cache or not.
     */
    if (req->app->db_read != NULL && req->route->role == ROLE_NONE) {
        uint64_t heard = changes_required_wal(req->app->changes);
        uint64_t written = db_pool_committed_wal(req->app->db);
        c = db_acquire_replayed(req->app->db_read, heard > written ? heard : written);
    }
    if (c == NULL)
        c = db_acquire(req->app->db);
    if (c == NULL)
        *answered_result = reply_db_status(req, DB_UNAVAILABLE, NULL);
    return c;
}

/* A batch's lists are read in one call of a db reader of several at once. */
_Static_assert(JOBS_BATCH_MAX <= DB_LISTS_AT_ONCE, "a batch of requests outgrows the db readers");

db_conn *request_db_for_all(struct request *const *reqs, const size_t *of, size_t *n, int *rcs)
{
    db_conn *c = NULL;
    if (*n > 0)
        c = request_db(reqs[of ? of[0] : 0], &rcs[of ? of[0] : 0]);
    for (size_t k = 1; c == NULL && k < *n; k++) {
        size_t i = of ? of[k] : k;
        rcs[i] = reply_db_status(reqs[i], DB_UNAVAILABLE, NULL);
    }
    if (c == NULL)
        *n = 0;
    return c;
}

char *request_next_link_new(const struct request *req, const char *cursor)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (f == NULL)
        return NULL;
    fputc('<', f);
    url_put_encoded(f, req->path, true);
    /* The arguments the handler read, in the route table's order: the same page asked in
     * any spelling links to the same next page (and its cached answer is right for all). */
    char sep = '?';
    for (const char *const *q = req->route->query; q != NULL && *q != NULL; q++) {
        const char *value = request_query(req, *q);
        if (value == NULL || strcmp(*q, "cursor") == 0)
            continue;
        fputc(sep, f);
        sep = '&';
        url_put_encoded(f, *q, false);
        fputc('=', f);
        url_put_encoded(f, value, false);
    }
    fprintf(f, "%ccursor=", sep);
    url_put_encoded(f, cursor, false);
    fputs(">; rel=\"next\"", f);
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    return text;
}
