/* http.c: libmicrohttpd glue: request life cycle, routing, auth, CORS, and the reply helpers. */
#include "infra/clock.h"
#include "http/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "app.h"
#include "model/article_input.h"
#include "http/cursor.h"
#include "infra/hash.h"
#include "http/guard.h"
#include "infra/jobs.h"
#include "infra/log.h"
#include "http/netaddr.h"
#include "infra/ratelimit.h"
#include "infra/metrics.h"
#include "text/text.h"

#define EXPOSED_HEADERS "ETag, Link, Location, X-Request-Id, Retry-After, Last-Modified"
#define PREFLIGHT_HEADERS "Authorization, Content-Type, If-Match, If-None-Match, X-Request-Id"
#define PREFLIGHT_MAX_AGE "600"
/* How far past MAX_BODY_BYTES a chunked body may run before the connection is closed. */
#define BODY_DROP_FACTOR 8

/* ---- request state ---- */

/* A client's X-Request-Id is kept when it is 1..64 characters of [A-Za-z0-9._:-]. */
static bool request_id_is_sane(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = id[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '.' || ch == '_' || ch == ':' || ch == '-'))
            return false;
    }
    return true;
}

static void request_id_generate(char *out, size_t size)
{
    unsigned char raw[16];
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw) {
        static atomic_ullong counter;
        unsigned long long n = atomic_fetch_add(&counter, 1);
        memcpy(raw, &n, sizeof n);
        memset(raw + sizeof n, 0, sizeof raw - sizeof n);
    }
    for (size_t i = 0; i < sizeof raw && 2 * i + 2 < size; i++)
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
}

/* The direct peer's address; false when libmicrohttpd cannot say (then "-" is logged). */
static bool peer_address(struct MHD_Connection *connection, struct netaddr *out)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    return info != NULL && netaddr_from_sockaddr(info->client_addr, out);
}

struct lines {
    const char *name;
    FILE *out;
    int n;
};

static enum MHD_Result join_line(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value)
{
    struct lines *l = cls;
    (void)kind;
    if (strcasecmp(key, l->name) == 0 && value != NULL)
        fprintf(l->out, "%s%s", l->n++ ? ", " : "", value);
    return MHD_YES;
}

/* Every line of a header, in order, joined with ", " (a proxy may add its own line);
 * NULL when there is none. Caller frees. */
static char *header_lines_new(const struct request *req, const char *name)
{
    char *text = NULL;
    size_t len = 0;
    struct lines l = { .name = name, .out = open_memstream(&text, &len) };
    if (l.out == NULL)
        return NULL;
    MHD_get_connection_values(req->connection, MHD_HEADER_KIND, join_line, &l);
    fclose(l.out);
    if (l.n == 0) {
        free(text);
        return NULL;
    }
    return text;
}

/* Who sent the request: the peer, or behind a trusted proxy the client it forwards for. */
static void identify_client(struct request *req)
{
    const struct config *cfg = &req->app->config;
    struct netaddr peer;
    snprintf(req->client_addr, sizeof req->client_addr, "-");
    if (!peer_address(req->connection, &peer))
        return;
    char *forwarded = header_lines_new(req, "Forwarded");
    char *xff = header_lines_new(req, "X-Forwarded-For");
    req->client = client_address(&peer, cfg->trusted_proxies, cfg->trusted_proxy_count,
                                 forwarded, xff);
    free(forwarded);
    free(xff);
    req->client_known = true;
    netaddr_format(&req->client, req->client_addr, sizeof req->client_addr);
}

/* The Access-Control-Allow-Origin value for this request's Origin, or NULL. */
static const char *cors_origin_for(const struct app *app, const char *origin)
{
    if (origin == NULL)
        return NULL;
    for (size_t i = 0; i < app->config.origin_count; i++) {
        if (strcmp(app->config.origins[i], "*") == 0)
            return "*";
        if (strcmp(app->config.origins[i], origin) == 0)
            return app->config.origins[i];
    }
    return NULL;
}

static struct request *request_new(const struct app *app, struct MHD_Connection *connection,
                                   const char *url, const char *method)
{
    struct request *req = calloc(1, sizeof *req);
    if (req == NULL)
        return NULL;
    clock_gettime(CLOCK_MONOTONIC, &req->started);
    req->connection = connection;
    req->app = app;
    req->method = method;
    req->path = strdup(url);
    if (req->path == NULL) {
        free(req);
        return NULL;
    }
    const char *id = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "X-Request-Id");
    if (id != NULL && request_id_is_sane(id))
        snprintf(req->request_id, sizeof req->request_id, "%s", id);
    else
        request_id_generate(req->request_id, sizeof req->request_id);
    identify_client(req);
    req->cors_origin = cors_origin_for(app, request_header(req, "Origin"));
    metrics_in_flight_add(1);
    return req;
}

static void request_free(struct request *req)
{
    if (req == NULL)
        return;
    free(req->path);
    free(req->route_buf);
    free(req->body);
    free(req->cache_key);
    if (req->pending != NULL)
        MHD_destroy_response(req->pending);
    free(req);
}

const char *request_header(const struct request *req, const char *name)
{
    return MHD_lookup_connection_value(req->connection, MHD_HEADER_KIND, name);
}

const char *request_query(const struct request *req, const char *name)
{
    return MHD_lookup_connection_value(req->connection, MHD_GET_ARGUMENT_KIND, name);
}

/* ---- replies ---- */

/* Adds the headers every answer carries, queues it, and records its status. */
static int queue(struct request *req, unsigned status, struct MHD_Response *resp,
                 const char *cache_control, size_t body_len)
{
    if (resp == NULL)
        return MHD_NO;
    MHD_add_response_header(resp, "X-Request-Id", req->request_id);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, cache_control);
    if (req->cors_origin != NULL) {
        MHD_add_response_header(resp, "Access-Control-Allow-Origin", req->cors_origin);
        MHD_add_response_header(resp, "Access-Control-Expose-Headers", EXPOSED_HEADERS);
    }
    if (req->rate_counted) {
        char n[16];
        snprintf(n, sizeof n, "%u", req->rate.limit);
        MHD_add_response_header(resp, "RateLimit-Limit", n);
        snprintf(n, sizeof n, "%u", req->rate.remaining);
        MHD_add_response_header(resp, "RateLimit-Remaining", n);
        snprintf(n, sizeof n, "%u", req->rate.reset_s);
        MHD_add_response_header(resp, "RateLimit-Reset", n);
    }
    if (req->close_after || atomic_load(&req->app->shutting_down))
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    /* The answer depends on Origin whenever specific origins are configured. */
    if (req->app->config.origin_count > 0 && (req->cors_origin == NULL || strcmp(req->cors_origin, "*") != 0))
        MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, "Origin");
    if (req->deferred) {
        /* on a job thread: queued by on_request once the connection is resumed */
        req->pending = resp;
        req->pending_status = status;
        req->answered = true;
        req->status = status;
        req->bytes_out = body_len;
        return MHD_YES;
    }
    enum MHD_Result rc = MHD_queue_response(req->connection, status, resp);
    MHD_destroy_response(resp);
    if (rc == MHD_YES) {
        req->answered = true;
        req->status = status;
        req->bytes_out = body_len;
    }
    return rc;
}

int reply_text(struct request *req, unsigned status, const char *content_type, const char *text,
               size_t len, bool copy, const char *cache_control)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        len, (void *)text, copy ? MHD_RESPMEM_MUST_COPY : MHD_RESPMEM_PERSISTENT);
    if (resp != NULL && content_type != NULL)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    return queue(req, status, resp, cache_control, len);
}

int reply_empty(struct request *req, unsigned status)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    return queue(req, status, resp, CACHE_NO_STORE, 0);
}

/* A response owning text (malloc'd), which it frees. */
static struct MHD_Response *json_response_new(char *text, size_t len, const char *content_type)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    if (resp == NULL) {
        free(text);
        return NULL;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    return resp;
}

int reply_json(struct request *req, unsigned status, const json_t *doc, const char *cache_control)
{
    char *text = json_dumps(doc, JSON_COMPACT);
    if (text == NULL)
        return MHD_NO;
    size_t len = strlen(text);
    return queue(req, status, json_response_new(text, len, "application/json"), cache_control, len);
}

static const char *problem_title(unsigned status)
{
    switch (status) {
    case 400: return "bad request";
    case 401: return "authentication required";
    case 404: return "not found";
    case 405: return "method not allowed";
    case 409: return "conflict";
    case 412: return "precondition failed";
    case 413: return "request body too large";
    case 415: return "unsupported media type";
    case 422: return "invalid fields";
    case 429: return "too many requests";
    case 503: return "service unavailable";
    default: return "internal error";
    }
}

int reply_problem(struct request *req, unsigned status, const char *type, const char *detail,
                  json_t *errors)
{
    json_t *doc = json_pack("{s:s, s:s, s:i, s:s}", "type", type, "title", problem_title(status),
                            "status", (int)status, "detail", detail);
    if (doc == NULL) {
        json_decref(errors);
        return MHD_NO;
    }
    if (errors != NULL)
        json_object_set_new(doc, "errors", errors);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    if (text == NULL)
        return MHD_NO;
    size_t len = strlen(text);
    struct MHD_Response *resp = json_response_new(text, len, "application/problem+json");
    if (resp == NULL)
        return MHD_NO;
    if (status == 401)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"khabar\"");
    if (status == 503)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, "1");
    if (status == 429) {
        char after[16];
        snprintf(after, sizeof after, "%u", req->rate.retry_after_s);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, after);
    }
    return queue(req, status, resp, CACHE_NO_STORE, len);
}

int reply_db_status(struct request *req, db_status st, const char *what)
{
    char detail[256];
    switch (st) {
    case DB_NOT_FOUND:
        snprintf(detail, sizeof detail, "no such %s", what);
        return reply_problem(req, 404, PROBLEM_NOT_FOUND, detail, NULL);
    case DB_CONFLICT:
        return reply_problem(req, 409, PROBLEM_SLUG_CONFLICT, "the slug is taken", NULL);
    case DB_BAD_REFERENCE:
        return reply_problem(req, 422, PROBLEM_VALIDATION_FAILED, "a referenced article does not exist",
                             NULL);
    case DB_STALE:
        return reply_problem(req, 412, PROBLEM_PRECONDITION_FAILED,
                             "the article changed since the version in If-Match", NULL);
    case DB_UNAVAILABLE:
        return reply_problem(req, 503, PROBLEM_DATABASE_UNAVAILABLE,
                             "the database is not answering; try again shortly", NULL);
    case DB_OK:
    case DB_ERROR:
    default:
        return reply_problem(req, 500, PROBLEM_INTERNAL_ERROR, "the request could not be completed",
                             NULL);
    }
}

static void etag_of_text(const char *text, size_t len, char *etag, size_t size)
{
    /* 64 bits of the representation's bytes: changes with anything that is served */
    snprintf(etag, size, "\"%016llx\"",
             (unsigned long long)hash_fnv1a64(HASH_FNV1A64_INIT, text, len));
}

void etag_of_json(const json_t *doc, char *etag, size_t size)
{
    char *text = json_dumps(doc, JSON_COMPACT);
    etag_of_text(text ? text : "", text ? strlen(text) : 0, etag, size);
    free(text);
}

/* True when a list of entity tags (If-Match / If-None-Match) holds etag or "*". */
static bool etag_list_has(const char *list, const char *etag, bool weak_ok)
{
    size_t elen = strlen(etag);
    const char *p = list;
    while (*p != '\0') {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (*p == '*')
            return true;
        bool weak = strncmp(p, "W/", 2) == 0;
        if (weak)
            p += 2;
        if (*p != '"')
            return false;
        const char *end = strchr(p + 1, '"');
        if (end == NULL)
            return false;
        if ((!weak || weak_ok) && (size_t)(end + 1 - p) == elen && memcmp(p, etag, elen) == 0)
            return true;
        p = end + 1;
    }
    return false;
}

bool request_if_match(const struct request *req, const char *etag)
{
    const char *h = request_header(req, MHD_HTTP_HEADER_IF_MATCH);
    return h == NULL || etag_list_has(h, etag, false);
}

static void http_date(int64_t t, char *buf, size_t size)
{
    struct tm tm;
    time_t tt = (time_t)t;
    gmtime_r(&tt, &tm);
    strftime(buf, size, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/* True when If-Modified-Since is a valid date no earlier than last_modified. */
static bool not_modified_since(const char *h, int64_t last_modified)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *end = strptime(h, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (end == NULL || *end != '\0')
        return false;
    return last_modified > 0 && (int64_t)timegm(&tm) >= last_modified;
}

/*
 * Queues a representation (text, malloc'd, taken over) with its ETag and Last-Modified,
 * or 304 when the request's If-None-Match (or, without it, If-Modified-Since) says the
 * client has it already.
 */
static int reply_representation(struct request *req, unsigned status, char *text, size_t len,
                                const char *etag, int64_t last_modified, const char *cache_control,
                                const char *header, const char *value)
{
    char date[64];
    if (last_modified > 0)
        http_date(last_modified, date, sizeof date);
    if (status == 200) {
        const char *inm = request_header(req, MHD_HTTP_HEADER_IF_NONE_MATCH);
        const char *ims = request_header(req, MHD_HTTP_HEADER_IF_MODIFIED_SINCE);
        if ((inm != NULL && etag_list_has(inm, etag, true)) ||
            (inm == NULL && ims != NULL && not_modified_since(ims, last_modified))) {
            free(text);
            struct MHD_Response *resp =
                MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
            if (resp != NULL) {
                MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
                if (last_modified > 0)
                    MHD_add_response_header(resp, MHD_HTTP_HEADER_LAST_MODIFIED, date);
            }
            return queue(req, 304, resp, cache_control, 0);
        }
    }
    struct MHD_Response *resp = json_response_new(text, len, "application/json");
    if (resp != NULL) {
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
        if (last_modified > 0)
            MHD_add_response_header(resp, MHD_HTTP_HEADER_LAST_MODIFIED, date);
        if (header != NULL && value != NULL)
            MHD_add_response_header(resp, header, value);
    }
    return queue(req, status, resp, cache_control, len);
}

/* Keeps a 200 answer in the cache when the request was marked for it (serve_cached). */
static void cache_keep(struct request *req, const char *text, size_t len, const char *etag,
                       int64_t last_modified, const char *cache_control, const char *link)
{
    if (req->cache_key == NULL)
        return;
    struct cache_answer a = { .body = (char *)text, .body_len = len, .last_modified = last_modified,
                              .cache_control = cache_control, .link = (char *)link };
    snprintf(a.etag, sizeof a.etag, "%s", etag);
    cache_put(req->app->cache, req->cache_key, req->cache_key_len, req->cache_article_id, &a,
              req->cache_generation);
}

int reply_entity(struct request *req, unsigned status, const json_t *doc, int64_t last_modified,
                 const char *cache_control, const char *header, const char *value)
{
    char etag[40];
    char *text = json_dumps(doc, JSON_COMPACT);
    if (text == NULL)
        return MHD_NO;
    size_t len = strlen(text);
    etag_of_text(text, len, etag, sizeof etag);
    if (status == 200)
        cache_keep(req, text, len, etag, last_modified, cache_control,
                   header != NULL && strcmp(header, "Link") == 0 ? value : NULL);
    return reply_representation(req, status, text, len, etag, last_modified, cache_control, header,
                                value);
}

/* The cache key of a GET: the decoded path and query arguments, in the order sent. */
static enum MHD_Result put_key_argument(void *cls, enum MHD_ValueKind kind, const char *key,
                                        const char *value)
{
    (void)kind;
    FILE *f = cls;
    fprintf(f, "\x1f%s\x1e%s", key, value ? value : "\x1d");
    return MHD_YES;
}

static char *cache_key_new(const struct request *req, size_t *len)
{
    char *key = NULL;
    FILE *f = open_memstream(&key, len);
    if (f == NULL)
        return NULL;
    fputs(req->path, f);
    MHD_get_connection_values(req->connection, MHD_GET_ARGUMENT_KIND, put_key_argument, f);
    if (fclose(f) != 0) {
        free(key);
        return NULL;
    }
    return key;
}

/*
 * For a cacheable GET: answers from the cache when it holds the answer (304 when the
 * client has it, without the database), true with *rc set; otherwise marks the request
 * so that its 200 answer is kept, and returns false.
 */
static bool serve_cached(struct request *req, int *rc)
{
    struct cache *cache = req->app->cache;
    struct cache_answer a;
    if (cache == NULL || !req->route->cached)
        return false;
    changes_catch_up(req->app->changes);
    size_t len = 0;
    char *key = cache_key_new(req, &len);
    if (key == NULL)
        return false;
    if (cache_get(cache, key, len, &a)) {
        free(key);
        *rc = reply_representation(req, 200, a.body, a.body_len, a.etag, a.last_modified,
                                   a.cache_control, a.link ? "Link" : NULL, a.link);
        a.body = NULL; /* taken over by the response */
        cache_answer_clear(&a);
        return true;
    }
    req->cache_key = key;
    req->cache_key_len = len;
    req->cache_generation = cache_generation(cache);
    return false;
}

int reply_page(struct request *req, struct list_page *page, enum cursor_kind kind)
{
    char *cursor = page->more ? cursor_encode_new(kind, page->last_key, page->last_id) : NULL;
    char *link = cursor ? request_next_link_new(req, cursor) : NULL;
    json_t *doc = json_pack("{s:o, s:s?}", "data", page->items, "next_cursor", cursor);
    page->items = NULL; /* taken over by doc */
    int rc = doc ? reply_entity(req, 200, doc, page->last_modified, CACHE_LIST, link ? "Link" : NULL,
                                link)
                 : MHD_NO;
    json_decref(doc);
    free(link);
    free(cursor);
    return rc;
}

/* ---- request bodies and parameters ---- */

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
        snprintf(detail, sizeof detail, "send the body as %s", media_types[0]);
        *answered_result = reply_problem(req, 415, PROBLEM_UNSUPPORTED_MEDIA_TYPE, detail, NULL);
        return NULL;
    }
    switch (json_body_parse(req->body ? req->body : "", req->body_len, &doc, detail, sizeof detail)) {
    case JSON_BODY_OK:
        return doc;
    case JSON_BODY_INVALID_UTF8:
        *answered_result = reply_problem(req, 400, PROBLEM_INVALID_UTF8, detail, NULL);
        return NULL;
    case JSON_BODY_MALFORMED:
    case JSON_BODY_TOO_DEEP:
    default:
        *answered_result = reply_problem(req, 400, PROBLEM_MALFORMED_JSON, detail, NULL);
        return NULL;
    }
}

int64_t request_param_id(const struct request *req, int index)
{
    const char *s = req->params[index];
    int64_t v = 0;
    if (s == NULL || *s == '\0' || strlen(s) > 16)
        return -1;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (*p - '0');
    }
    return v >= 1 && v <= (INT64_C(1) << 53) ? v : -1;
}

bool request_query_limit(const struct request *req, unsigned def, unsigned max, unsigned *out)
{
    const char *s = request_query(req, "limit");
    unsigned v = 0;
    *out = def;
    if (s == NULL)
        return true;
    if (*s == '\0' || strlen(s) > 6)
        return false;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        v = v * 10 + (unsigned)(*p - '0');
    }
    if (v < 1 || v > max)
        return false;
    *out = v;
    return true;
}

db_conn *request_db(struct request *req, int *answered_result)
{
    db_conn *c = NULL;
    /* Reads go to the replica when there is one, and to the primary when the replica
     * cannot be reached; writes (and what they read back) always to the primary. */
    if (req->app->db_read != NULL && !req->route->write)
        c = db_acquire(req->app->db_read);
    if (c == NULL)
        c = db_acquire(req->app->db);
    if (c == NULL)
        *answered_result = reply_db_status(req, DB_UNAVAILABLE, NULL);
    return c;
}

/* The path as sent: '/' kept, everything else outside the unreserved set encoded. */
static void put_encoded_path(FILE *f, const char *path)
{
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if (*p == '/' || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
            (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' || *p == '~')
            fputc(*p, f);
        else
            fprintf(f, "%%%02X", *p);
    }
}

/* Percent-encodes s onto f, leaving RFC 3986 unreserved characters as they are. */
static void put_encoded(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~')
            fputc(*p, f);
        else
            fprintf(f, "%%%02X", *p);
    }
}

struct link_state {
    FILE *out;
    int count;
};

static enum MHD_Result put_argument(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
    struct link_state *st = cls;
    (void)kind;
    if (strcmp(key, "cursor") == 0)
        return MHD_YES;
    fputc(st->count++ ? '&' : '?', st->out);
    put_encoded(st->out, key);
    if (value != NULL) {
        fputc('=', st->out);
        put_encoded(st->out, value);
    }
    return MHD_YES;
}

char *request_next_link_new(const struct request *req, const char *cursor)
{
    char *text = NULL;
    size_t len = 0;
    struct link_state st = { .out = open_memstream(&text, &len) };
    if (st.out == NULL)
        return NULL;
    fputc('<', st.out);
    put_encoded_path(st.out, req->path);
    MHD_get_connection_values(req->connection, MHD_GET_ARGUMENT_KIND, put_argument, &st);
    fprintf(st.out, "%ccursor=", st.count ? '&' : '?');
    put_encoded(st.out, cursor);
    fputs(">; rel=\"next\"", st.out);
    if (fclose(st.out) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

/* Appends upload bytes, or only counts them once the body is over the limit. */
static void request_take_body(struct request *req, const char *data, size_t size)
{
    size_t limit = req->app->config.max_body_bytes;
    if (req->body_too_large || size > limit - req->body_len) {
        req->body_too_large = true;
        free(req->body);
        req->body = NULL;
        req->body_len = 0;
        return;
    }
    if (req->body_len + size + 1 > req->body_cap) {
        size_t cap = req->body_cap ? req->body_cap : 4096;
        while (cap < req->body_len + size + 1)
            cap *= 2;
        char *grown = realloc(req->body, cap);
        if (grown == NULL) {
            req->body_too_large = true; /* cannot hold it: refuse it the same way */
            return;
        }
        req->body = grown;
        req->body_cap = cap;
    }
    memcpy(req->body + req->body_len, data, size);
    req->body_len += size;
    req->body[req->body_len] = '\0';
}

/* ---- authentication ---- */

/* Compares in time that depends only on the lengths, not on where the bytes differ. */
static bool constant_time_equal(const char *a, size_t alen, const char *b, size_t blen)
{
    unsigned char diff = (unsigned char)(alen != blen);
    size_t n = alen > blen ? alen : blen;
    for (size_t i = 0; i < n; i++) {
        unsigned char x = i < alen ? (unsigned char)a[i] : 0;
        unsigned char y = i < blen ? (unsigned char)b[i] : 0;
        diff |= x ^ y;
    }
    return diff == 0;
}

static bool request_is_authorized(const struct request *req)
{
    const char *h = request_header(req, MHD_HTTP_HEADER_AUTHORIZATION);
    if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
        return false;
    const char *token = h + 7;
    while (*token == ' ')
        token++;
    size_t len = strlen(token);
    bool ok = false;
    /* Every configured token is compared, so timing does not tell which one nearly matched. */
    for (size_t i = 0; i < req->app->config.token_count; i++)
        ok |= constant_time_equal(token, len, req->app->config.tokens[i],
                                  strlen(req->app->config.tokens[i]));
    return ok;
}

/* ---- dispatch ---- */

static int reply_preflight(struct request *req, const char *allow)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (resp == NULL)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
    if (req->cors_origin != NULL) {
        MHD_add_response_header(resp, "Access-Control-Allow-Methods", allow);
        MHD_add_response_header(resp, "Access-Control-Allow-Headers", PREFLIGHT_HEADERS);
        MHD_add_response_header(resp, "Access-Control-Max-Age", PREFLIGHT_MAX_AGE);
    }
    return queue(req, 204, resp, CACHE_NO_STORE, 0);
}

static int reply_method_not_allowed(struct request *req, const char *allow)
{
    char detail[192];
    snprintf(detail, sizeof detail, "%s is not allowed here; allowed: %s", req->method, allow);
    json_t *doc = json_pack("{s:s, s:s, s:i, s:s}", "type", PROBLEM_METHOD_NOT_ALLOWED, "title",
                            problem_title(405), "status", 405, "detail", detail);
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    if (text == NULL)
        return MHD_NO;
    size_t len = strlen(text);
    struct MHD_Response *resp = json_response_new(text, len, "application/problem+json");
    if (resp != NULL)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
    return queue(req, 405, resp, CACHE_NO_STORE, len);
}

static int reply_too_large(struct request *req)
{
    char detail[96];
    snprintf(detail, sizeof detail, "the body is over %zu bytes", req->app->config.max_body_bytes);
    return reply_problem(req, 413, PROBLEM_BODY_TOO_LARGE, detail, NULL);
}

/* Takes a token from the client's bucket; false when it has none (answer 429). Probes,
 * and unless RATE_LIMIT_TOKENS=1 the holders of a valid bearer token, are not counted. */
static bool rate_allows(struct request *req)
{
    const struct app *app = req->app;
    if (app->ratelimit == NULL || !req->client_known || req->route->probe)
        return true;
    if (!app->config.rate_limit_tokens &&
        request_header(req, MHD_HTTP_HEADER_AUTHORIZATION) != NULL && request_is_authorized(req))
        return true;
    req->rate = ratelimit_take(app->ratelimit, &req->client, clock_monotonic_s());
    req->rate_counted = true;
    return req->rate.allowed;
}

/* False when the bytes received differ from Content-Length: the connection's framing
 * was read some other way (a folded header line, say), so nothing after it is trusted. */
static bool body_matches_length(const struct request *req)
{
    const char *cl = request_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
    return cl == NULL || strtoull(cl, NULL, 10) == req->body_seen;
}

static int run_route(struct request *req);
static struct jobs *jobs_for(const struct request *req);

/* A deferred request, on a job thread: its answer is left in req->pending. */
static void run_deferred(void *arg)
{
    struct request *req = arg;
    req->deferred_rc = run_route(req);
    MHD_resume_connection(req->connection);
}

static int dispatch(struct request *req)
{
    char allow[128];
    char detail[160];
    req->route_buf = strdup(req->path);
    if (req->route_buf == NULL)
        return MHD_NO;
    bool options = strcmp(req->method, MHD_HTTP_METHOD_OPTIONS) == 0;
    enum route_match m = route_find(req->method, req->route_buf, &req->route, req->params, allow,
                                    sizeof allow);
    if (m == ROUTE_NOT_FOUND) {
        snprintf(detail, sizeof detail, "nothing is served at this path");
        return reply_problem(req, 404, PROBLEM_NOT_FOUND, detail, NULL);
    }
    if (options)
        return reply_preflight(req, allow);
    if (m == ROUTE_WRONG_METHOD)
        return reply_method_not_allowed(req, allow);
    if (!rate_allows(req))
        return reply_problem(req, 429, PROBLEM_RATE_LIMITED,
                             "too many requests from this client; see Retry-After", NULL);
    if (req->body_too_large)
        return reply_too_large(req);
    if (!body_matches_length(req)) {
        req->close_after = true;
        return reply_problem(req, 400, PROBLEM_MALFORMED_REQUEST,
                             "the body is not as long as Content-Length says", NULL);
    }
    if (req->route->write && !request_is_authorized(req))
        return reply_problem(req, 401, PROBLEM_UNAUTHORIZED,
                             request_header(req, MHD_HTTP_HEADER_AUTHORIZATION)
                                 ? "the bearer token is not valid"
                                 : "send Authorization: Bearer <token> to write",
                             NULL);
    int rc;
    if (serve_cached(req, &rc))
        return rc;
    /* What may wait on the database runs on a job thread, the connection suspended
     * meanwhile: a slow search never holds up the answers this HTTP thread could give
     * (from the cache, or the probes). */
    if (req->app->jobs != NULL && !req->route->probe) {
        req->deferred = true;
        MHD_suspend_connection(req->connection);
        if (jobs_submit(jobs_for(req), run_deferred, req))
            return MHD_YES;
        MHD_resume_connection(req->connection);
        req->deferred = false;
    }
    return run_route(req);
}

/* The job threads for req: the search ones for a search, when there are any. */
static struct jobs *jobs_for(const struct request *req)
{
    const char *slow = req->route->slow_with;
    const char *value = slow ? MHD_lookup_connection_value(req->connection, MHD_GET_ARGUMENT_KIND, slow)
                             : NULL;
    return value != NULL && *value != '\0' && req->app->search_jobs != NULL ? req->app->search_jobs
                                                                            : req->app->jobs;
}

/* Runs the route's handler (and drops what a write changed from the cache). */
static int run_route(struct request *req)
{
    unsigned long long heard = changes_heard(req->app->changes);
    int rc = req->route->handler(req);
    /* This instance's own write is dropped from its cache before the answer goes out:
     * a client reads its write back at once. Other instances hear of it (changes.c);
     * the answer waits (briefly) for the announcement to come back, by when the others'
     * connections have been sent it as well. */
    if (req->route->write && req->answered && req->status < 300 && req->app->cache != NULL) {
        cache_invalidate_all(req->app->cache);
        changes_wait_after(req->app->changes, heard, 50);
    }
    return rc;
}

struct header_count {
    const char *name;
    unsigned n;
    bool bad_value; /* Content-Length not made of digits alone */
    bool mangled;   /* a longer name that starts with this one */
};

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
    struct header_count *hc = cls;
    (void)kind;
    /* libmicrohttpd 0.9.75 reads a folded line ("Content-Length:" CRLF " 2") as the
     * name "Content-Length2": a length the client meant, which framing ignored */
    size_t n = strlen(hc->name);
    if (strncasecmp(key, hc->name, n) == 0 && key[n] != '\0')
        hc->mangled = true;
    if (strcasecmp(key, hc->name) == 0) {
        hc->n++;
        const char *v = value ? value : "";
        while (*v == ' ' || *v == '\t')
            v++;
        size_t digits = strspn(v, "0123456789");
        hc->bad_value |= digits == 0 || v[digits + strspn(v + digits, " \t")] != '\0';
    }
    return MHD_YES;
}

/* True when s holds no control character (a raw CR or LF in a request line is a
 * line-ending mix-up, never a path; the path here is decoded, so %20 is a space). */
static bool no_controls(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return false;
    return true;
}

/*
 * Why this request's framing cannot be trusted, or NULL. Where a proxy and khabar
 * could read the body's length differently, the next request on the connection
 * could be smuggled in: such requests are refused and their connection closed
 * (RFC 9112 section 6.1 and 6.3).
 */
static const char *framing_problem(struct request *req, const char *version)
{
    struct header_count cl = { .name = MHD_HTTP_HEADER_CONTENT_LENGTH };
    struct header_count te = { .name = MHD_HTTP_HEADER_TRANSFER_ENCODING };
    MHD_get_connection_values(req->connection, MHD_HEADER_KIND, count_header, &cl);
    MHD_get_connection_values(req->connection, MHD_HEADER_KIND, count_header, &te);
    const char *coding = request_header(req, MHD_HTTP_HEADER_TRANSFER_ENCODING);
    if (!no_controls(req->path) || version == NULL ||
        (strcmp(version, "HTTP/1.1") != 0 && strcmp(version, "HTTP/1.0") != 0))
        return "the request line is malformed";
    if (cl.mangled || te.mangled)
        return "a folded Content-Length or Transfer-Encoding line";
    if (cl.n > 0 && te.n > 0)
        return "Content-Length and Transfer-Encoding together";
    if (cl.n > 1)
        return "more than one Content-Length";
    if (cl.n == 1 && cl.bad_value)
        return "Content-Length is not a number";
    if (te.n > 1 || (coding != NULL && strcasecmp(coding, "chunked") != 0))
        return "the only Transfer-Encoding accepted is chunked";
    return NULL;
}

/* True when Content-Length announces more than the limit: refused before reading. */
static bool declared_too_large(const struct request *req)
{
    const char *cl = request_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl == NULL)
        return false;
    errno = 0;
    char *end = NULL;
    unsigned long long n = strtoull(cl, &end, 10);
    return errno != 0 || n > req->app->config.max_body_bytes;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *connection, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **req_cls)
{
    struct request *req = *req_cls;
    if (req == NULL) {
        req = request_new(cls, connection, url, method);
        if (req == NULL)
            return MHD_NO;
        *req_cls = req;
        guard_request_started(connection);
        const char *framing = framing_problem(req, version);
        if (framing != NULL) {
            req->close_after = true;
            return (enum MHD_Result)reply_problem(req, 400, PROBLEM_MALFORMED_REQUEST, framing, NULL);
        }
        if (declared_too_large(req)) {
            req->body_too_large = true;
            return (enum MHD_Result)reply_too_large(req);
        }
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        if (!req->answered)
            request_take_body(req, upload_data, *upload_data_size);
        req->body_seen += *upload_data_size;
        *upload_data_size = 0;
        /* libmicrohttpd 0.9.75 cannot answer in the middle of a body: past the limit the
         * bytes are dropped as they come and 413 goes out at its end; a client that
         * keeps sending far past the limit is cut off instead. */
        if (req->body_seen / BODY_DROP_FACTOR > req->app->config.max_body_bytes)
            return MHD_NO;
        return MHD_YES;
    }
    if (req->deferred) {
        /* back from a job thread (the connection resumed): queue what it answered */
        req->deferred = false;
        if (req->pending == NULL)
            return req->deferred_rc == MHD_NO ? MHD_NO : MHD_YES;
        enum MHD_Result rc = MHD_queue_response(connection, req->pending_status, req->pending);
        MHD_destroy_response(req->pending);
        req->pending = NULL;
        return rc;
    }
    if (req->answered)
        return MHD_YES;
    return (enum MHD_Result)dispatch(req);
}

/* A printable copy of the path for the log: invalid UTF-8 would break a JSON line. */
static const char *loggable_path(const struct request *req)
{
    return text_is_valid_utf8(req->path, strlen(req->path)) ? req->path : "(invalid UTF-8)";
}

static void on_completed(void *cls, struct MHD_Connection *connection, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct request *req = *req_cls;
    (void)cls;
    guard_request_done(connection);
    if (req == NULL)
        return;
    double seconds = clock_seconds_since(&req->started);
    unsigned status = req->answered ? req->status : 0;
    if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK && status == 0)
        status = 499; /* the client went away before an answer */
    struct access_entry e = {
        .request_id = req->request_id,
        .client = req->client_addr,
        .method = req->method,
        .path = loggable_path(req),
        .route = req->route ? req->route->name : NULL,
        .status = status,
        .bytes = req->bytes_out,
        .duration_ms = seconds * 1000.0,
    };
    log_access(&e);
    metrics_observe(req->route, status, seconds);
    metrics_in_flight_add(-1);
    request_free(req);
    *req_cls = NULL;
}

/* Fills addr for LISTEN_ADDR (IPv4 or IPv6); returns its length, or 0 when invalid. */
static socklen_t listen_address(const char *host, unsigned port, struct sockaddr_storage *addr)
{
    memset(addr, 0, sizeof *addr);
    struct sockaddr_in *v4 = (struct sockaddr_in *)addr;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)addr;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        return sizeof *v4;
    }
    if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        return sizeof *v6;
    }
    return 0;
}

/* The guard and the rate limiter of app; false (logged) when they cannot be made. */
static bool protections_new(struct app *app)
{
    const struct config *cfg = &app->config;
    struct guard_limits limits = {
        .per_client_connections = cfg->per_client_connections,
        .header_timeout_s = cfg->header_timeout_s,
        .request_timeout_s = cfg->request_timeout_s,
        .exempt = cfg->trusted_proxies,
        .nexempt = cfg->trusted_proxy_count,
    };
    app->guard = guard_new(&limits);
    if (cfg->rate_limit > 0)
        app->ratelimit = ratelimit_new(cfg->rate_limit, cfg->rate_burst, 65536);
    if (app->guard == NULL || (cfg->rate_limit > 0 && app->ratelimit == NULL)) {
        log_message("error", "out of memory for the connection guard or rate limiter");
        return false;
    }
    return true;
}

static void protections_free(struct app *app)
{
    guard_free(app->guard);
    ratelimit_free(app->ratelimit);
    app->guard = NULL;
    app->ratelimit = NULL;
}

struct MHD_Daemon *http_start(struct app *app)
{
    struct sockaddr_storage addr;
    const struct config *cfg = &app->config;
    if (listen_address(cfg->listen_addr, cfg->port, &addr) == 0) {
        log_message("error", "LISTEN_ADDR is not an IPv4 or IPv6 address: %s", cfg->listen_addr);
        return NULL;
    }
    if (!protections_new(app)) {
        protections_free(app);
        return NULL;
    }
    if ((cfg->db_jobs > 0 && (app->jobs = jobs_start(cfg->db_jobs)) == NULL) ||
        (cfg->search_jobs > 0 && (app->search_jobs = jobs_start(cfg->search_jobs)) == NULL)) {
        log_message("error", "cannot start %u job threads and %u for searches", cfg->db_jobs,
                    cfg->search_jobs);
        jobs_stop(app->jobs);
        app->jobs = NULL;
        protections_free(app);
        return NULL;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
                     MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
    if (addr.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, (uint16_t)cfg->port, guard_accept, app->guard, on_request, (void *)app,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->connection_timeout_s,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->max_connections,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)cfg->max_header_bytes,
        MHD_OPTION_NOTIFY_CONNECTION, guard_connection, app->guard,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, (void *)app, MHD_OPTION_END);
    if (d == NULL) {
        log_message("error", "cannot listen on %s:%u: %s", cfg->listen_addr, cfg->port,
                    strerror(errno));
        jobs_stop(app->jobs);
        jobs_stop(app->search_jobs);
        app->jobs = app->search_jobs = NULL;
        protections_free(app);
    }
    return d;
}

void http_stop(struct MHD_Daemon *daemon, struct app *app)
{
    if (daemon == NULL)
        return;
    /* No new connections; requests in flight (and any a kept-alive connection sends
     * now, answered with Connection: close) finish, for at most SHUTDOWN_TIMEOUT. */
    MHD_socket listener = MHD_quiesce_daemon(daemon);
    /* The listening socket stops listening now (connections waiting in its backlog are
     * refused, so a proxy tries another replica at once); it is closed once no worker
     * thread can be polling it, after MHD_stop_daemon. */
    if (listener != MHD_INVALID_SOCKET)
        shutdown(listener, SHUT_RDWR);
    double deadline = clock_monotonic_s() + app->config.shutdown_timeout_s;
    while (metrics_in_flight() > 0 && clock_monotonic_s() < deadline) {
        struct timespec pause = { 0, 20 * 1000000L };
        nanosleep(&pause, NULL);
    }
    /* Jobs still queued or running finish (each bounded by STATEMENT_TIMEOUT) and resume
     * their connections: none may stay suspended when the daemon stops. */
    jobs_stop(app->jobs);
    jobs_stop(app->search_jobs);
    app->jobs = app->search_jobs = NULL;
    MHD_stop_daemon(daemon);
    if (listener != MHD_INVALID_SOCKET)
        close(listener);
    protections_free(app);
}
