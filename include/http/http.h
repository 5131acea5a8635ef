/* http.h: the HTTP glue over libmicrohttpd: per-request state and the reply helpers
 * through which every answer passes, so that all of them carry the same headers. */
#ifndef KHABAR_HTTP_H
#define KHABAR_HTTP_H

#include <jansson.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "http/cursor.h"
#include "db/db.h"
#include "model/serialize.h"
#include "http/routes.h"

struct app;

/* The HTTP layer's own state of a request, one struct per concern (server/http/internal.h). */
struct request_client;
struct request_body;
struct request_answer;
struct request_rate;
struct request_cache;
struct request_deferred;
struct request_auth;

/* Per-request state, in *req_cls from the first callback to the completion notice. */
struct request {
    struct MHD_Connection *connection;
    const struct app *app;
    const char *method;   /* libmicrohttpd's, valid for the request's life */
    char *path;           /* the decoded path, owned */
    char *route_buf;      /* a copy of path cut into segments by route_find, owned */
    const struct route *route;
    const char *params[ROUTE_MAX_PARAMS]; /* point into route_buf */
    int64_t cache_article_id; /* the article the answer shows (0: a list); set by handlers */
    /* the type the answer takes, of those its route produces, by the Accept header
     * (negotiate.c); NULL for a route that produces only JSON */
    const char *media_type;
    struct request_client *client;     /* request id, address, CORS origin, start time */
    struct request_body *body;         /* the bytes received */
    struct request_answer *answer;     /* what was queued */
    struct request_rate *rate;         /* the rate limiter's verdict */
    struct request_cache *cache;       /* where its answer goes in the answer cache */
    struct request_deferred *deferred; /* an answer made on a job thread */
    struct request_auth *auth;         /* the token's holder, once asked */
};

/* Starts the HTTP daemon for app (and its guard and rate limiter, kept in app);
 * NULL with a logged message on failure. */
struct MHD_Daemon *http_start(struct app *app);
/* Stops taking new connections, lets running requests end, then stops. */
void http_stop(struct MHD_Daemon *daemon, struct app *app);

/* Where the index of the API is served (GET /v1): every 404 points there. */
#define INDEX_PATH "/v1"

/* Cache-Control values. */
#define CACHE_NO_STORE "no-store"
#define CACHE_ARTICLE "public, max-age=60"
#define CACHE_LIST "public, max-age=5"
#define CACHE_STATIC "public, max-age=3600"
/* What only a token holder may see (a draft, a scheduled or withdrawn article): never
 * kept by a browser, a proxy or the answer cache. */
#define CACHE_PRIVATE "private, no-store"

/* True when the request carries a valid bearer token (auth.c), of any role. */
bool request_is_authorized(const struct request *req);
/* The role of the token that authorized req; ROLE_NONE without a valid token. */
enum role request_role(const struct request *req);
/* The name of the token that authorized req ("env-1", "env-2", ... for API_TOKENS, in their order); NULL without a valid token. */
const char *request_actor(const struct request *req);
/* True when req's token has role need; otherwise false after answering 401 (no valid
 * token) or 403 naming action (what the token may not do) and the role it needs. */
bool request_may(struct request *req, enum role need, const char *action, int *answered_result);

/*
 * The reply helpers: each queues one response with the common headers (X-Request-Id,
 * CORS, Cache-Control) and returns what the handler returns. A doc passed in stays
 * the caller's. Every body ends with a newline: JSON is sent with one, and a text
 * without one gets it.
 */
int reply_json(struct request *req, unsigned status, const json_t *doc, const char *cache_control);
int reply_empty(struct request *req, unsigned status);
int reply_text(struct request *req, unsigned status, const char *content_type, const char *text,
               size_t len, bool copy, const char *cache_control);
/* An answer with a strong ETag made from its bytes; for 200, 304 instead when
 * If-None-Match (or, without it, If-Modified-Since) says the client has it.
 * last_modified 0 = unknown; header/value, when not NULL, one more header. */
int reply_entity(struct request *req, unsigned status, const json_t *doc, int64_t last_modified,
                 const char *cache_control, const char *header, const char *value);

/* What an answer carries beside its status and bytes. */
struct entity_meta {
    const char *content_type;  /* a static string; NULL: application/json */
    int64_t last_modified;     /* 0: unknown */
    const char *cache_control;
    const char *header, *value; /* one more header, or NULL (a Link is cached with the body) */
};
/* reply_entity for a body already made (text, malloc'd, taken over; NULL: no memory). */
int reply_entity_text(struct request *req, unsigned status, char *text, size_t len,
                      const struct entity_meta *m);

/* The Link header value for the next page: this request's path and the query parameters
 * its route takes (in the route table's order) with cursor replaced, as <...>; rel="next".
 * Caller frees; NULL on no memory. */
char *request_next_link_new(const struct request *req, const char *cursor);

/* A page of a list as {"data": [...], "next_cursor": ...} with Link rel="next" when
 * there is more; the page's items are taken over. */
int reply_page(struct request *req, struct list_page *page, enum cursor_kind kind);
/* The answer of a list read with st: its page (reply_page), else st's problem (what: what
 * was not found). */
int reply_page_read(struct request *req, db_status st, struct list_page *page, enum cursor_kind kind,
                    const char *what);

/* Problem types (RFC 9457), one per kind of error. */
#define PROBLEM_MALFORMED_JSON "/problems/malformed-json"
#define PROBLEM_MALFORMED_REQUEST "/problems/malformed-request"
#define PROBLEM_INVALID_PARAMETER "/problems/invalid-parameter"
#define PROBLEM_INVALID_UTF8 "/problems/invalid-utf8"
#define PROBLEM_UNAUTHORIZED "/problems/unauthorized"
#define PROBLEM_FORBIDDEN "/problems/forbidden"
#define PROBLEM_NOT_FOUND "/problems/not-found"
#define PROBLEM_METHOD_NOT_ALLOWED "/problems/method-not-allowed"
#define PROBLEM_NOT_ACCEPTABLE "/problems/not-acceptable"
#define PROBLEM_SLUG_CONFLICT "/problems/slug-conflict"
#define PROBLEM_IN_USE "/problems/in-use"
#define PROBLEM_PRECONDITION_FAILED "/problems/precondition-failed"
#define PROBLEM_BODY_TOO_LARGE "/problems/body-too-large"
#define PROBLEM_UNSUPPORTED_MEDIA_TYPE "/problems/unsupported-media-type"
#define PROBLEM_VALIDATION_FAILED "/problems/validation-failed"
#define PROBLEM_RATE_LIMITED "/problems/rate-limited"
#define PROBLEM_INTERNAL_ERROR "/problems/internal-error"
#define PROBLEM_DATABASE_UNAVAILABLE "/problems/database-unavailable"
#define PROBLEM_WITHDRAWN "/problems/withdrawn"
#define PROBLEM_ARTICLE_DELETED "/problems/article-deleted"
#define PROBLEM_OVERLOADED "/problems/overloaded"
#define PROBLEM_BODIES_BUSY "/problems/too-many-bodies"

/* An application/problem+json answer; errors (may be NULL) is taken over. A 404 also
 * names the API's index (INDEX_PATH). */
int reply_problem(struct request *req, unsigned status, const char *type, const char *detail,
                  json_t *errors);
/* 401 with WWW-Authenticate: a write, or what only token holders see, without a valid token. */
int reply_unauthorized(struct request *req);
/* 403: the token is valid but its role is below need; action (NULL: "this") is named. */
int reply_forbidden(struct request *req, enum role need, const char *action);
/* 410 for a withdrawn article, telling readers why (reason). */
int reply_withdrawn(struct request *req, const char *reason);
/* The answer for a database status other than DB_OK, with what was not found named. */
int reply_db_status(struct request *req, db_status st, const char *what);

/* The value of a request header or query argument, or NULL. Every query argument a
 * handler reads must be listed in its route's .query (routes.c): others are refused. */
const char *request_header(const struct request *req, const char *name);
const char *request_query(const struct request *req, const char *name);

/*
 * The request body as JSON of one of the accepted media types (NULL-terminated list).
 * Returns the document (caller owns), or NULL after queueing the 400/415 answer
 * (then the handler returns *answered_result).
 */
json_t *request_json_body(struct request *req, const char *const *media_types,
                          int *answered_result);

/*
 * The "limit" query argument: def when absent, else 1..max. False when it is not a
 * whole number in range (the handler answers 400).
 */
bool request_query_limit(const struct request *req, unsigned def, unsigned max, unsigned *out);

/* A connection from the pool, or NULL after answering 503. */
db_conn *request_db(struct request *req, int *answered_result);
/* One connection for requests taken together (reqs[of[k]] for k < *n, reqs[k] when of is
 * NULL), or NULL after answering each of them 503 (rcs at the same places) and setting *n
 * to 0: none is left to answer. */
db_conn *request_db_for_all(struct request *const *reqs, const size_t *of, size_t *n, int *rcs);

/* A path parameter as an article id (1..2^53); -1 when it is not one. */
int64_t request_param_id(const struct request *req, int index);

/*
 * If-Match: true when the header is absent, "*", or lists etag (strong comparison).
 */
bool request_if_match(const struct request *req, const char *etag);

/* The strong ETag of a JSON document as reply_entity would send it, from the bytes
 * sent, final newline included (size >= 24). */
void etag_of_json(const json_t *doc, char *etag, size_t size);

#endif
