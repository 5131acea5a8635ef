/* auth.c: who may do what: bearer tokens (compared in constant time) and the rate limit. */
#include <string.h>
#include <strings.h>

#include "app.h"
#include "infra/clock.h"
#include "internal.h"

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

/* The position in API_TOKENS of the request's bearer token, or -1 without a valid one. */
static int matching_token(const struct request *req)
{
    const char *h = request_header(req, MHD_HTTP_HEADER_AUTHORIZATION);
    if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
        return -1;
    const char *token = h + 7;
    while (*token == ' ')
        token++;
    size_t len = strlen(token);
    int found = -1;
    /* Every configured token is compared, so timing does not tell which one nearly matched
     * (nor which one matched). */
    for (size_t i = 0; i < req->app->config.token_count; i++) {
        bool equal = constant_time_equal(token, len, req->app->config.tokens[i],
                                         strlen(req->app->config.tokens[i]));
        found = equal && found < 0 ? (int)i : found;
    }
    return found;
}

bool request_is_authorized(const struct request *req)
{
    return matching_token(req) >= 0;
}

const char *request_actor(const struct request *req)
{
    /* one name per position of CONFIG_MAX_TOKENS */
    static const char *const names[] = { "env-1",  "env-2",  "env-3",  "env-4",
                                         "env-5",  "env-6",  "env-7",  "env-8",
                                         "env-9",  "env-10", "env-11", "env-12",
                                         "env-13", "env-14", "env-15", "env-16" };
    _Static_assert(sizeof names / sizeof names[0] == CONFIG_MAX_TOKENS,
                   "a name for every API_TOKENS position");
    int i = matching_token(req);
    return i < 0 ? NULL : names[i];
}

/* A probe from where monitoring runs: the machine itself (a container's HEALTHCHECK asks
 * 127.0.0.1) or an address in TRUSTED_PROXIES (a load balancer, a kubelet's node), after
 * the forwarding headers of trusted proxies are read: a client behind the proxy is not. */
static bool probe_exempt(const struct request *req)
{
    static const char *const loopback[] = { "127.0.0.0/8", "::1/128" };
    const struct config *cfg = &req->app->config;
    const struct netaddr *a = &req->client->addr;
    struct cidr c;
    for (size_t i = 0; i < sizeof loopback / sizeof loopback[0]; i++)
        if (cidr_parse(loopback[i], &c) && cidr_contains(&c, a))
            return true;
    for (size_t i = 0; i < cfg->trusted_proxy_count; i++)
        if (cidr_contains(&cfg->trusted_proxies[i], a))
            return true;
    return request_header(req, MHD_HTTP_HEADER_AUTHORIZATION) != NULL &&
           request_is_authorized(req);
}

/* Not counted: probes from monitoring (probe_exempt), and unless RATE_LIMIT_TOKENS=1 the
 * holders of a valid bearer token. Any other probe is counted like any request. */
bool request_rate_allows(struct request *req)
{
    const struct app *app = req->app;
    if (app->ratelimit == NULL || !req->client->known)
        return true;
    if (req->route->probe && probe_exempt(req))
        return true;
    if (!app->config.rate_limit_tokens &&
        request_header(req, MHD_HTTP_HEADER_AUTHORIZATION) != NULL && request_is_authorized(req))
        return true;
    req->rate->verdict = ratelimit_take(app->ratelimit, &req->client->addr, clock_monotonic_s());
    req->rate->counted = true;
    return req->rate->verdict.allowed;
}
