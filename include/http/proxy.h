/* proxy.h: which address a request really came from, behind trusted proxies. */
#ifndef KHABAR_HTTP_PROXY_H
#define KHABAR_HTTP_PROXY_H

#include <stddef.h>

#include "infra/config.h"
#include "infra/netaddr.h"

/* The name of the header of that kind: "X-Forwarded-For" or "Forwarded". */
const char *proxy_header_name(enum proxy_header kind);

/*
 * The client of a request whose direct peer is peer: when peer is one of the trusted
 * ranges, the right-most address of chain (every line of the one header of that kind the
 * trusted proxies set: Forwarded "for=" elements, or X-Forwarded-For items) that is not
 * itself trusted; otherwise, or when chain is NULL or malformed, peer itself. Never
 * trusts a header from an untrusted peer; the header of the other kind is never read, so
 * a client's own copy of it, passed on by the proxy, chooses nothing.
 */
struct netaddr client_address(const struct netaddr *peer, const struct cidr *trusted,
                              size_t ntrusted, enum proxy_header kind, const char *chain);

#endif
