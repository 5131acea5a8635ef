/* auth.c: who sent a request: its bearer token looked up in the token store (hashed, compared
 * in constant time), its role; and the rate limit. */
#include <string.h>
#include <strings.h>

#include "app.h"
#include "infra/changes.h"
#include "infra/clock.h"
#include "infra/tokens.h"
#include "internal.h"

/* The bearer token of req, or NULL (and *len 0) when it sends none. */
static const char *bearer_token(const struct request *req, size_t *len)
{
    const char *h = request_header(req, MHD_HTTP_HEADER_AUTHORIZATION);
    *len = 0;
    if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
        return NULL;
    const char *token = h + 7;
    while (*token == ' ')
        token++;
    *len = strlen(token);
    return token;
}

/* Finds out once who sent req: the token is hashed and looked up in memory (the store is
 * brought up to the last token announcement that reached this instance first). */
static const struct request_auth *auth_of(const struct request *req)
{
    struct request_auth *auth = req->auth;
    if (auth->resolved)
        return auth;
    auth->resolved = true;
    size_t len;
    const char *token = bearer_token(req, &len);
    if (token == NULL || len == 0)
        return auth;
    changes_tokens_catch_up(req->app->changes);
    auth->holder = token_store_find(req->app->tokens, token, len);
    auth->unsure = auth->holder.role == ROLE_NONE && !token_store_knows_database(req->app->tokens);
    return auth;
}

enum role request_role(const struct request *req)
{
    return auth_of(req)->holder.role;
}

bool request_is_authorized(const struct request *req)
{
    return request_role(req) != ROLE_NONE;
}

const char *request_actor(const struct request *req)
{
    const struct request_auth *auth = auth_of(req);
    return auth->holder.role != ROLE_NONE ? auth->holder.name : NULL;
}

bool request_may(struct request *req, enum role need, const char *action, int *answered_result)
{
    enum role have = request_role(req);
    if (have >= need && have != ROLE_NONE)
        return true;
    *answered_result = have == ROLE_NONE ? reply_unauthorized(req)
                                         : reply_forbidden(req, need, action);
    return false;
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
