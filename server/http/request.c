/* request.c: the state of one request: its id, its client (behind trusted proxies), its
 * CORS origin, its headers, and the body as it arrives. */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "app.h"
#include "infra/metrics.h"
#include "internal.h"

/* A request and the state of each concern, allocated and freed together. */
struct request_block {
    struct request req;
    struct request_client client;
    struct request_body body;
    struct request_answer answer;
    struct request_rate rate;
    struct request_cache cache;
    struct request_deferred deferred;
    struct request_auth auth;
};

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

/* 64 random bits from this thread's generator (xorshift64*), seeded from the kernel's
 * random source on a thread's first request: an id needs to be unique, not secret, and
 * asking the kernel on every request costs a system call. */
static uint64_t thread_random(void)
{
    static _Thread_local uint64_t state;
    while (state == 0) {
        static atomic_ullong fallback = 0x9e3779b97f4a7c15ull;
        if (getrandom(&state, sizeof state, 0) != (ssize_t)sizeof state)
            state = atomic_fetch_add(&fallback, 0x9e3779b97f4a7c15ull) ^ (uint64_t)(uintptr_t)&state;
    }
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 0x2545f4914f6cdd1dull;
}

/* 32 hexadecimal digits (128 random bits). */
static void request_id_generate(char *out, size_t size)
{
    static const char hex[] = "0123456789abcdef";
    uint64_t halves[2] = { thread_random(), thread_random() };
    size_t n = 0;
    for (size_t h = 0; h < 2; h++)
        for (int shift = 60; shift >= 0 && n + 1 < size; shift -= 4)
            out[n++] = hex[(halves[h] >> shift) & 0xf];
    out[n] = '\0';
}

/* The direct peer's address; false when libmicrohttpd cannot say (then "-" is logged). */
static bool peer_address(struct MHD_Connection *connection, struct netaddr *out)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    return info != NULL && netaddr_from_sockaddr(info->client_addr, out);
}

/* The lines of one header: counted and measured in a first pass, joined in a second. */
struct lines {
    const char *name;
    const char *first;
    size_t count, total;
    char *joined; /* NULL in the first pass */
    size_t used;
};

static enum MHD_Result header_line(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    struct lines *l = cls;
    (void)kind;
    if (value == NULL || strcasecmp(key, l->name) != 0)
        return MHD_YES;
    size_t n = strlen(value);
    if (l->joined == NULL) {
        if (l->count++ == 0)
            l->first = value;
        l->total += n;
        return MHD_YES;
    }
    if (l->used > 0) {
        memcpy(l->joined + l->used, ", ", 2);
        l->used += 2;
    }
    memcpy(l->joined + l->used, value, n + 1);
    l->used += n;
    return MHD_YES;
}

/* Every line of a header, in order, joined with ", " (a proxy may add its own line);
 * NULL when there is none. One line is libmicrohttpd's own string; more are joined into
 * *owned, which the caller frees. */
static const char *header_lines(const struct request *req, const char *name, char **owned)
{
    struct lines l = { .name = name };
    *owned = NULL;
    MHD_get_connection_values(req->connection, MHD_HEADER_KIND, header_line, &l);
    if (l.count <= 1)
        return l.first;
    if ((l.joined = malloc(l.total + 2 * (l.count - 1) + 1)) == NULL)
        return NULL;
    MHD_get_connection_values(req->connection, MHD_HEADER_KIND, header_line, &l);
    return *owned = l.joined;
}

/* Who sent the request: the peer, or behind a trusted proxy the client it forwards for. */
static void identify_client(struct request *req)
{
    const struct config *cfg = &req->app->config;
    struct request_client *client = req->client;
    struct netaddr peer;
    memcpy(client->addr_text, "-", 2);
    if (!peer_address(req->connection, &peer))
        return;
    /* Only the header the trusted proxies set: the other is the client's own to write. */
    char *owned = NULL;
    const char *chain = cfg->trusted_proxy_count == 0
                            ? NULL
                            : header_lines(req, proxy_header_name(cfg->trusted_proxy_header), &owned);
    client->addr = client_address(&peer, cfg->trusted_proxies, cfg->trusted_proxy_count,
                                  cfg->trusted_proxy_header, chain);
    free(owned);
    client->known = true;
    netaddr_format(&client->addr, client->addr_text, sizeof client->addr_text);
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

struct request *request_new(const struct app *app, struct MHD_Connection *connection,
                            const char *url, const char *method)
{
    struct request_block *b = calloc(1, sizeof *b);
    if (b == NULL)
        return NULL;
    struct request *req = &b->req;
    *req = (struct request){ .connection = connection, .app = app, .method = method,
                             .client = &b->client, .body = &b->body, .answer = &b->answer,
                             .rate = &b->rate, .cache = &b->cache, .deferred = &b->deferred,
                             .auth = &b->auth };
    clock_gettime(CLOCK_MONOTONIC, &req->client->started);
    req->path = strdup(url);
    if (req->path == NULL) {
        free(b);
        return NULL;
    }
    const char *id = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "X-Request-Id");
    if (id != NULL && request_id_is_sane(id))
        snprintf(req->client->request_id, sizeof req->client->request_id, "%s", id);
    else
        request_id_generate(req->client->request_id, sizeof req->client->request_id);
    identify_client(req);
    req->client->cors_origin = cors_origin_for(app, request_header(req, "Origin"));
    metrics_in_flight_add(1);
    return req;
}

const char *request_header(const struct request *req, const char *name)
{
    return MHD_lookup_connection_value(req->connection, MHD_HEADER_KIND, name);
}

const char *request_query(const struct request *req, const char *name)
{
    return MHD_lookup_connection_value(req->connection, MHD_GET_ARGUMENT_KIND, name);
}

/* What the bodies of all requests in flight hold, against MAX_BODY_MEMORY. */
static atomic_size_t bodies_held;

bool request_body_reserve(struct request *req, size_t total)
{
    struct request_body *body = req->body;
    if (total <= body->reserved)
        return true;
    size_t more = total - body->reserved;
    size_t before = atomic_fetch_add(&bodies_held, more);
    /* a body alone is always taken, so that a bound below MAX_BODY_BYTES still lets a
     * write through */
    if (before + more > req->app->config.max_body_memory && before > body->reserved) {
        atomic_fetch_sub(&bodies_held, more);
        return false;
    }
    body->reserved = total;
    return true;
}

/* Frees what the body holds and gives its share of MAX_BODY_MEMORY back. */
static void body_release(struct request_body *body)
{
    free(body->data);
    body->data = NULL;
    body->len = body->cap = 0;
    atomic_fetch_sub(&bodies_held, body->reserved);
    body->reserved = 0;
}

/* The capacity for a body of need bytes and its NUL: what was reserved for its declared
 * length, else doubling from 4 KiB, never past MAX_BODY_BYTES and the NUL. */
static size_t body_capacity(const struct request_body *body, size_t need, size_t limit)
{
    if (body->reserved >= need)
        return body->reserved;
    size_t cap = body->cap ? body->cap : 4096;
    while (cap < need)
        cap *= 2;
    return cap > limit + 1 ? limit + 1 : cap;
}

void request_take_body(struct request *req, const char *data, size_t size)
{
    struct request_body *body = req->body;
    size_t limit = req->app->config.max_body_bytes;
    if (body->too_large || body->over_memory)
        return;
    if (size > limit - body->len) {
        body->too_large = true;
        body_release(body);
        return;
    }
    if (body->len + size + 1 > body->cap) {
        size_t cap = body_capacity(body, body->len + size + 1, limit);
        char *grown = request_body_reserve(req, cap) ? realloc(body->data, cap) : NULL;
        if (grown == NULL) {
            /* the bodies in flight hold all they may (or memory is out): dropped, 503 */
            body->over_memory = true;
            body_release(body);
            return;
        }
        body->data = grown;
        body->cap = cap;
    }
    memcpy(body->data + body->len, data, size);
    body->len += size;
    body->data[body->len] = '\0';
}

void request_free(struct request *req)
{
    if (req == NULL)
        return;
    free(req->path);
    free(req->route_buf);
    body_release(req->body);
    free(req->cache->key);
    if (req->deferred->pending != NULL)
        MHD_destroy_response(req->deferred->pending);
    free((struct request_block *)req); /* req is the block's first member */
}
