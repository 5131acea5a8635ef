/* internal.h: what the HTTP layer's files share and the handlers never see: the state of
 * a request by concern, and the steps from the daemon's callbacks to the reply helpers. */
#ifndef KHABAR_HTTP_INTERNAL_H
#define KHABAR_HTTP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "http/http.h"
#include "http/proxy.h"
#include "infra/ratelimit.h"
#include "infra/tokens.h"

/*==== The state of a request, one struct per concern ====*/

/* Who sent the request, and when. */
struct request_client {
    char request_id[72];
    char addr_text[64];      /* the client, behind trusted proxies; "-" when unknown */
    struct netaddr addr;
    bool known;
    const char *cors_origin; /* the Access-Control-Allow-Origin value, or NULL */
    struct timespec started;
};

struct request_body {
    char *data;       /* owned, NUL-terminated */
    size_t len, cap;
    size_t seen;      /* bytes received, kept or dropped */
    size_t declared;  /* what Content-Length announces (SIZE_MAX past it); 0: none */
    size_t reserved;  /* bytes counted against MAX_BODY_MEMORY for this body */
    bool too_large;   /* the body passed MAX_BODY_BYTES: answer 413 */
    bool over_memory; /* the bodies in flight would pass MAX_BODY_MEMORY: answer 503 */
};

/* What was queued for the client. */
struct request_answer {
    bool queued;
    bool close_after;  /* the connection cannot be trusted for another request */
    bool body_unread;  /* a body is announced and not read yet: an answer now closes the
                        * connection, lest its bytes be read as the next request */
    unsigned status;
    size_t bytes;
};

struct request_rate {
    bool counted; /* the rate limiter counted it: RateLimit-* headers go out */
    struct ratelimit_verdict verdict;
};

/* Set when a 200 answer is to be kept in the answer cache. */
struct request_cache {
    char *key;           /* owned */
    size_t key_len;
    uint64_t generation; /* the cache's generation before the database was read */
};

/* A request run on a job thread while its connection is suspended: the answer waits here
 * until libmicrohttpd calls back on the connection's own thread. */
struct request_deferred {
    bool active;
    double queued_at; /* when it was handed to the job threads (monotonic seconds) */
    struct MHD_Response *pending;
    unsigned status;
    int rc;
};

/* Who sent the request, found out once (auth.c) and kept for the request's life: the
 * store may change meanwhile. */
struct request_auth {
    bool resolved;
    /* the database's tokens were not known (the change channel was lost): a token not
     * among API_TOKENS was neither accepted nor refused, and is answered 503 */
    bool unsure;
    struct token_holder holder;
};

/*==== request.c ====*/

/* A request for the first callback of a connection's request; NULL on no memory. */
struct request *request_new(const struct app *app, struct MHD_Connection *connection,
                            const char *url, const char *method);
/* Frees req and everything it owns; NULL is fine. */
void request_free(struct request *req);
/* Appends upload bytes, or drops them once the body is over MAX_BODY_BYTES or the bodies
 * in flight would hold more than MAX_BODY_MEMORY. */
void request_take_body(struct request *req, const char *data, size_t size);
/* Counts req's body as holding total bytes against MAX_BODY_MEMORY (released by
 * request_free); false, with nothing counted, when that would pass the bound while other
 * bodies are held. */
bool request_body_reserve(struct request *req, size_t total);

/*==== params.c ====*/

/* Answers 400 when the query holds a parameter the route does not list; false otherwise. */
bool request_query_refused(struct request *req, int *answered_result);

/*==== reply.c: every status and message of the HTTP layer ====*/

/* Adds the headers every answer carries and queues resp (or keeps it for a deferred
 * request); takes resp over. MHD_NO when resp is NULL. */
int reply_queue(struct request *req, unsigned status, struct MHD_Response *resp,
                const char *cache_control, size_t body_len);
/* The JSON text of doc as sent, ending with a newline; caller frees; NULL on no memory. */
char *reply_body_new(const json_t *doc, size_t *len);
/* A response owning text (malloc'd, freed with it; also on failure) of this type. */
struct MHD_Response *reply_response_new(char *text, size_t len, const char *content_type);

/* Why a request's framing cannot be trusted (framing.c); its answer closes the connection. */
enum framing_fault {
    FRAMING_OK,
    FRAMING_BAD_LINE,
    FRAMING_BAD_METHOD,
    FRAMING_FOLDED,
    FRAMING_LENGTH_AND_CHUNKED,
    FRAMING_TWO_LENGTHS,
    FRAMING_LENGTH_NOT_NUMBER,
    FRAMING_BAD_CODING,
    FRAMING_SHORT_BODY,
};

int reply_framing(struct request *req, enum framing_fault fault);
int reply_not_found_path(struct request *req);
int reply_preflight(struct request *req, const char *allow);
int reply_method_not_allowed(struct request *req, const char *allow);
int reply_too_large(struct request *req);
/* The bodies in flight hold MAX_BODY_MEMORY: 503 with Retry-After. */
int reply_bodies_busy(struct request *req);
/* The body is not of the media type the route takes (415). */
int reply_unsupported_media_type(struct request *req, const char *media_type);
/* The body is not well-formed JSON, or (invalid_utf8) not UTF-8: 400 with the parser's detail. */
int reply_bad_body(struct request *req, bool invalid_utf8, const char *detail);
int reply_rate_limited(struct request *req);
/* Why a request is answered 503 without being run. */
enum overload {
    OVERLOAD_QUEUE_FULL,       /* JOB_QUEUE_MAX requests wait already */
    OVERLOAD_WAITED_TOO_LONG,  /* it waited past JOB_QUEUE_TIMEOUT for a job thread */
};
int reply_overloaded(struct request *req, enum overload why);
/* 406 naming the media types the resource has (types, NULL-terminated). */
int reply_not_acceptable(struct request *req, const char *const *types);
/* unknown: the names refused; allowed: those the route lists (both taken over). */
int reply_unknown_parameters(struct request *req, json_t *unknown, json_t *allowed);

/*==== conditional.c ====*/

/*
 * Queues a representation (text, malloc'd, taken over) with its ETag and Last-Modified,
 * or 304 when the request's If-None-Match (or, without it, If-Modified-Since) says the
 * client has it already; header/value, when not NULL, one more header.
 */
int reply_representation(struct request *req, unsigned status, char *text, size_t len,
                         const char *etag, const struct entity_meta *m);
/* A 200 body someone else keeps: release(cls) is called once the answer no longer needs
 * text (sent, a 304 instead, or no memory). */
struct shared_text {
    const char *text;
    size_t len;
    void (*release)(void *cls);
    void *cls;
};
/* reply_representation for a 200 whose text is shared (the answer cache's). */
int reply_representation_shared(struct request *req, const struct shared_text *body,
                                const char *etag, const struct entity_meta *m);

/*==== answer_cache.c ====*/

/* For a cacheable GET: answers from the cache when it holds the answer, true with *rc
 * set; otherwise marks the request so that its 200 answer is kept, and returns false. */
bool answer_cache_serve(struct request *req, int *rc);
/* Keeps a 200 answer when the request was marked for it, with its meta's Link header. */
void answer_cache_keep(struct request *req, const char *text, size_t len, const char *etag,
                       const struct entity_meta *m);

/*==== auth.c ====*/

/* Takes a token from the client's bucket; false when it has none (answer 429). */
bool request_rate_allows(struct request *req);

/*==== framing.c ====*/

enum framing_fault request_framing_fault(const struct request *req, const char *version);
/* The length Content-Length announces (SIZE_MAX when it is past that); 0 when there is
 * none (a chunked body, or none at all). */
size_t request_declared_length(const struct request *req);
/* True when the body comes chunked (Transfer-Encoding). */
bool request_is_chunked(const struct request *req);
/* False when the bytes received differ from Content-Length. */
bool request_body_matches_length(const struct request *req);

/*==== dispatch.c ====*/

/* The first callback: every check the headers decide (framing, route, rate limit, token,
 * declared length, query, body memory). True with *rc set when one answered. */
bool dispatch_refused_at_headers(struct request *req, const char *version, int *rc);
/* Once the body is in: the checks the body decides, the cache, then the handler (on a job
 * thread when there are any). */
int dispatch(struct request *req);

#endif
