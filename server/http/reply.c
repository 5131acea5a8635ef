/* reply.c: the reply helpers every answer passes through (the same headers on all), the
 * problem+json answers, and every status and client-facing message of the HTTP layer. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "internal.h"

#define EXPOSED_HEADERS "ETag, Link, Location, X-Request-Id, Retry-After, Last-Modified"
#define PREFLIGHT_HEADERS "Authorization, Content-Type, If-Match, If-None-Match, X-Request-Id"
#define PREFLIGHT_MAX_AGE "600"

/*==== Queueing ====*/

static void add_rate_headers(struct MHD_Response *resp, const struct ratelimit_verdict *v)
{
    char n[16];
    snprintf(n, sizeof n, "%u", v->limit);
    MHD_add_response_header(resp, "RateLimit-Limit", n);
    snprintf(n, sizeof n, "%u", v->remaining);
    MHD_add_response_header(resp, "RateLimit-Remaining", n);
    snprintf(n, sizeof n, "%u", v->reset_s);
    MHD_add_response_header(resp, "RateLimit-Reset", n);
}

/*
 * A public answer may be kept by browsers and proxies for its max-age, but never past
 * the moment the next scheduled article goes live: it could then show a list, a count
 * or a "read also" list that article changes. Also applied to answers the answer cache
 * replays, which were stored earlier.
 */
static const char *bounded_cache_control(const struct request *req, const char *cache_control,
                                         char *buf, size_t size)
{
    static const char public_max_age[] = "public, max-age=";
    if (cache_control == NULL || strncmp(cache_control, public_max_age, sizeof public_max_age - 1) != 0)
        return cache_control;
    long max_age = strtol(cache_control + sizeof public_max_age - 1, NULL, 10);
    double left = schedule_seconds_to_next(req->app->schedule);
    if (left < 0 || left >= (double)max_age)
        return cache_control;
    snprintf(buf, size, "%s%ld", public_max_age, (long)left);
    return buf;
}

static void add_common_headers(const struct request *req, struct MHD_Response *resp,
                               const char *cache_control)
{
    const char *origin = req->client->cors_origin;
    char bounded[48];
    MHD_add_response_header(resp, "X-Request-Id", req->client->request_id);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
                            bounded_cache_control(req, cache_control, bounded, sizeof bounded));
    if (origin != NULL) {
        MHD_add_response_header(resp, "Access-Control-Allow-Origin", origin);
        MHD_add_response_header(resp, "Access-Control-Expose-Headers", EXPOSED_HEADERS);
    }
    if (req->rate->counted)
        add_rate_headers(resp, &req->rate->verdict);
    if (req->answer->close_after || req->answer->body_unread ||
        atomic_load(&req->app->shutting_down))
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    /* The answer depends on Origin whenever specific origins are configured, and on
     * Accept where the route has more than one type. */
    bool by_origin = req->app->config.origin_count > 0 && (origin == NULL || strcmp(origin, "*") != 0);
    bool by_accept = req->route != NULL && req->route->produces != NULL;
    if (by_origin || by_accept)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY,
                                by_origin && by_accept ? "Accept, Origin" : by_accept ? "Accept" : "Origin");
}

static void note_answer(struct request *req, unsigned status, size_t body_len)
{
    req->answer->queued = true;
    req->answer->status = status;
    req->answer->bytes = body_len;
}

int reply_queue(struct request *req, unsigned status, struct MHD_Response *resp,
                const char *cache_control, size_t body_len)
{
    if (resp == NULL)
        return MHD_NO;
    add_common_headers(req, resp, cache_control);
    if (req->deferred->active) {
        /* on a job thread: queued by the daemon once the connection is resumed */
        req->deferred->pending = resp;
        req->deferred->status = status;
        note_answer(req, status, body_len);
        return MHD_YES;
    }
    enum MHD_Result rc = MHD_queue_response(req->connection, status, resp);
    MHD_destroy_response(resp);
    if (rc == MHD_YES)
        note_answer(req, status, body_len);
    return rc;
}

/*==== Bodies ====*/

int reply_text(struct request *req, unsigned status, const char *content_type, const char *text,
               size_t len, bool copy, const char *cache_control)
{
    struct MHD_Response *resp;
    if (len > 0 && text[len - 1] != '\n') {
        /* every body ends with a newline, so that answers do not run together in a terminal */
        char *with_newline = malloc(len + 1);
        if (with_newline == NULL)
            return MHD_NO;
        memcpy(with_newline, text, len);
        with_newline[len++] = '\n';
        resp = MHD_create_response_from_buffer(len, with_newline, MHD_RESPMEM_MUST_FREE);
        if (resp == NULL)
            free(with_newline);
    } else {
        resp = MHD_create_response_from_buffer(
            len, (void *)text, copy ? MHD_RESPMEM_MUST_COPY : MHD_RESPMEM_PERSISTENT);
    }
    if (resp != NULL && content_type != NULL)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    return reply_queue(req, status, resp, cache_control, len);
}

int reply_empty(struct request *req, unsigned status)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    return reply_queue(req, status, resp, CACHE_NO_STORE, 0);
}

char *reply_body_new(const json_t *doc, size_t *len)
{
    char *text = json_dumps(doc, JSON_COMPACT);
    if (text == NULL)
        return NULL;
    size_t n = strlen(text);
    char *grown = realloc(text, n + 2);
    if (grown == NULL) {
        free(text);
        return NULL;
    }
    grown[n++] = '\n';
    grown[n] = '\0';
    *len = n;
    return grown;
}

struct MHD_Response *reply_response_new(char *text, size_t len, const char *content_type)
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
    size_t len = 0;
    char *text = reply_body_new(doc, &len);
    if (text == NULL)
        return MHD_NO;
    return reply_queue(req, status, reply_response_new(text, len, "application/json"),
                       cache_control, len);
}

/*==== Problems ====*/

static const char *problem_title(unsigned status)
{
    switch (status) {
    case 400: return "bad request";
    case 401: return "authentication required";
    case 403: return "forbidden";
    case 404: return "not found";
    case 405: return "method not allowed";
    case 406: return "not acceptable";
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

/* The headers a problem of this status carries (the caller's header/value as well). */
static void add_problem_headers(const struct request *req, struct MHD_Response *resp,
                                unsigned status, const char *header, const char *value)
{
    char after[16];
    if (status == 401)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"khabar\"");
    if (status == 503)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, "1");
    if (status == 429) {
        snprintf(after, sizeof after, "%u", req->rate->verdict.retry_after_s);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, after);
    }
    if (header != NULL)
        MHD_add_response_header(resp, header, value);
}

/*
 * A problem answer: members (may be NULL, taken over) adds to the RFC 9457 ones, and
 * header/value (may be NULL) is one more header. A 404 names the index of the API.
 */
static int problem_queue(struct request *req, unsigned status, const char *type,
                         const char *detail, json_t *members, const char *header,
                         const char *value)
{
    size_t len = 0;
    json_t *doc = json_pack("{s:s, s:s, s:i, s:s}", "type", type, "title", problem_title(status),
                            "status", (int)status, "detail", detail);
    if (doc == NULL) {
        json_decref(members);
        return MHD_NO;
    }
    if (members != NULL)
        json_object_update(doc, members);
    json_decref(members);
    if (status == 404)
        json_object_set_new(doc, "index", json_string(INDEX_PATH));
    char *text = reply_body_new(doc, &len);
    json_decref(doc);
    if (text == NULL)
        return MHD_NO;
    struct MHD_Response *resp = reply_response_new(text, len, "application/problem+json");
    if (resp != NULL)
        add_problem_headers(req, resp, status, header, value);
    return reply_queue(req, status, resp, CACHE_NO_STORE, len);
}

int reply_problem(struct request *req, unsigned status, const char *type, const char *detail,
                  json_t *errors)
{
    json_t *members = errors ? json_pack("{s:o}", "errors", errors) : NULL;
    return problem_queue(req, status, type, detail, members, NULL, NULL);
}

int reply_withdrawn(struct request *req, const char *reason)
{
    json_t *members = json_pack("{s:s}", "withdrawn_reason", reason ? reason : "");
    return problem_queue(req, 410, PROBLEM_WITHDRAWN, "this article was withdrawn", members, NULL,
                         NULL);
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

/*==== The HTTP layer's own answers ====*/

int reply_framing(struct request *req, enum framing_fault fault)
{
    static const char *const why[] = {
        [FRAMING_OK] = "the request is malformed",
        [FRAMING_BAD_LINE] = "the request line is malformed",
        [FRAMING_BAD_METHOD] = "the method holds a byte no method may (RFC 9110 section 9.1)",
        [FRAMING_FOLDED] = "a folded Content-Length or Transfer-Encoding line",
        [FRAMING_LENGTH_AND_CHUNKED] = "Content-Length and Transfer-Encoding together",
        [FRAMING_TWO_LENGTHS] = "more than one Content-Length",
        [FRAMING_LENGTH_NOT_NUMBER] = "Content-Length is not a number",
        [FRAMING_BAD_CODING] = "the only Transfer-Encoding accepted is chunked",
        [FRAMING_SHORT_BODY] = "the body is not as long as Content-Length says",
    };
    /* where a proxy and khabar could read the framing differently, the next request on
     * the connection could be smuggled in: the connection closes after this answer */
    req->answer->close_after = true;
    return reply_problem(req, 400, PROBLEM_MALFORMED_REQUEST, why[fault], NULL);
}

int reply_not_found_path(struct request *req)
{
    return reply_problem(req, 404, PROBLEM_NOT_FOUND,
                         "nothing is served at this path; the index of the API is at " INDEX_PATH,
                         NULL);
}

int reply_preflight(struct request *req, const char *allow)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (resp == NULL)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
    if (req->client->cors_origin != NULL) {
        MHD_add_response_header(resp, "Access-Control-Allow-Methods", allow);
        MHD_add_response_header(resp, "Access-Control-Allow-Headers", PREFLIGHT_HEADERS);
        MHD_add_response_header(resp, "Access-Control-Max-Age", PREFLIGHT_MAX_AGE);
    }
    return reply_queue(req, 204, resp, CACHE_NO_STORE, 0);
}

int reply_method_not_allowed(struct request *req, const char *allow)
{
    char detail[192];
    snprintf(detail, sizeof detail, "%s is not allowed here; allowed: %s", req->method, allow);
    return problem_queue(req, 405, PROBLEM_METHOD_NOT_ALLOWED, detail, NULL,
                         MHD_HTTP_HEADER_ALLOW, allow);
}

int reply_too_large(struct request *req)
{
    char detail[96];
    snprintf(detail, sizeof detail, "the body is over %zu bytes", req->app->config.max_body_bytes);
    return reply_problem(req, 413, PROBLEM_BODY_TOO_LARGE, detail, NULL);
}

int reply_bodies_busy(struct request *req)
{
    return reply_problem(req, 503, PROBLEM_BODIES_BUSY,
                         "too many request bodies are being received; try again shortly", NULL);
}

int reply_unsupported_media_type(struct request *req, const char *media_type)
{
    char detail[128];
    snprintf(detail, sizeof detail, "send the body as %s", media_type);
    return reply_problem(req, 415, PROBLEM_UNSUPPORTED_MEDIA_TYPE, detail, NULL);
}

int reply_bad_body(struct request *req, bool invalid_utf8, const char *detail)
{
    return reply_problem(req, 400, invalid_utf8 ? PROBLEM_INVALID_UTF8 : PROBLEM_MALFORMED_JSON,
                         detail, NULL);
}

int reply_rate_limited(struct request *req)
{
    return reply_problem(req, 429, PROBLEM_RATE_LIMITED,
                         "too many requests from this client; see Retry-After", NULL);
}

int reply_overloaded(struct request *req, enum overload why)
{
    return reply_problem(req, 503, PROBLEM_OVERLOADED,
                         why == OVERLOAD_QUEUE_FULL
                             ? "too many requests are waiting to be served; see Retry-After"
                             : "the request waited too long to be served; see Retry-After",
                         NULL);
}

int reply_not_acceptable(struct request *req, const char *const *types)
{
    char detail[192];
    size_t used = (size_t)snprintf(detail, sizeof detail, "this resource is served as");
    for (size_t i = 0; types[i] != NULL && used < sizeof detail; i++)
        used += (size_t)snprintf(detail + used, sizeof detail - used, "%s %s", i ? " or" : "",
                                 types[i]);
    json_t *available = json_array();
    for (size_t i = 0; types[i] != NULL; i++)
        json_array_append_new(available, json_string(types[i]));
    return problem_queue(req, 406, PROBLEM_NOT_ACCEPTABLE, detail,
                         json_pack("{s:o}", "available", available), NULL, NULL);
}

int reply_unauthorized(struct request *req)
{
    /* a token that may be valid, unread while the change channel is lost: try again */
    if (req->auth->unsure)
        return reply_problem(req, 503, PROBLEM_DATABASE_UNAVAILABLE,
                             "the tokens cannot be checked just now; try again shortly", NULL);
    return reply_problem(req, 401, PROBLEM_UNAUTHORIZED,
                         request_header(req, MHD_HTTP_HEADER_AUTHORIZATION)
                             ? "the bearer token is not valid"
                             : "send Authorization: Bearer <token>: writes, and what is not public, need one",
                         NULL);
}

int reply_forbidden(struct request *req, enum role need, const char *action)
{
    char detail[160];
    snprintf(detail, sizeof detail, "%s needs the %s role", action ? action : "this",
             role_name(need));
    return reply_problem(req, 403, PROBLEM_FORBIDDEN, detail, NULL);
}

/* names as "a, b, c" (at most size bytes, cut short with "..." when longer). */
static void join_names(const json_t *names, char *out, size_t size)
{
    size_t used = 0, i;
    json_t *name;
    out[0] = '\0';
    json_array_foreach(names, i, name) {
        int n = snprintf(out + used, size - used, "%s%s", i ? ", " : "", json_string_value(name));
        if (n < 0 || (size_t)n >= size - used) {
            snprintf(out + (size > 4 ? size - 4 : 0), size > 4 ? 4 : size, "...");
            return;
        }
        used += (size_t)n;
    }
}

int reply_unknown_parameters(struct request *req, json_t *unknown, json_t *allowed)
{
    char names[256], accepted[256], detail[600];
    size_t i;
    json_t *name;
    json_t *errors = json_array();
    join_names(unknown, names, sizeof names);
    join_names(allowed, accepted, sizeof accepted);
    if (json_array_size(allowed) > 0)
        snprintf(detail, sizeof detail, "unknown query parameter%s %s; this path takes %s",
                 json_array_size(unknown) > 1 ? "s" : "", names, accepted);
    else
        snprintf(detail, sizeof detail, "unknown query parameter%s %s; this path takes none",
                 json_array_size(unknown) > 1 ? "s" : "", names);
    json_array_foreach(unknown, i, name)
        json_array_append_new(errors, json_pack("{s:O, s:s}", "field", name, "message",
                                                "is not a query parameter of this path"));
    json_t *members = json_pack("{s:o, s:o, s:o}", "errors", errors, "unknown", unknown,
                                "allowed", allowed);
    return problem_queue(req, 400, PROBLEM_INVALID_PARAMETER, detail, members, NULL, NULL);
}
