/* proxy.h: which address a request really came from, behind trusted proxies. */
#ifndef KHABAR_HTTP_PROXY_H
#define KHABAR_HTTP_PROXY_H

#include <stddef.h>

#include "infra/netaddr.h"

/*
 * The client of a request whose direct peer is peer: when peer is one of the trusted
 * ranges, the right-most address of the forwarding chain (Forwarded "for=", else
 * X-Forwarded-For) that is not itself trusted; otherwise, or when the headers are
 * absent or malformed, peer itself. Never trusts a header from an untrusted peer.
 */
struct netaddr client_address(const struct netaddr *peer, const struct cidr *trusted,
                              size_t ntrusted, const char *forwarded, const char *x_forwarded_for);

#endif
