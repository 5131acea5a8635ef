/* conncount.h: open connections per client, in one table sized for the connection limit. */
#ifndef KHABAR_INFRA_CONNCOUNT_H
#define KHABAR_INFRA_CONNCOUNT_H

#include <stdbool.h>
#include <stddef.h>

#include "infra/netaddr.h"

struct conncount;

/*
 * A table for up to max_clients clients at once, a client being netaddr_client_key of its
 * address with ipv6_prefix. It is sized once and never grows: give it the connection
 * limit, which no number of clients with open connections can pass. Not thread-safe: the
 * caller locks. NULL on no memory (or max_clients 0); conncount_free accepts NULL.
 */
struct conncount *conncount_new(unsigned max_clients, unsigned ipv6_prefix);
void conncount_free(struct conncount *t);

/* The number of slots: a power of two at least twice max_clients, so probes stay short. */
size_t conncount_slots(const struct conncount *t);
/* The connections the client of a holds. */
unsigned conncount_of(const struct conncount *t, const struct netaddr *a);
/* Whether one more connection of a's client fits: it holds fewer than limit, and when it
 * is a new client the table has room for it. */
bool conncount_admits(const struct conncount *t, const struct netaddr *a, unsigned limit);
/* One more connection for the client of a; false, and nothing counted, when a is a new
 * client and max_clients are already in the table. */
bool conncount_add(struct conncount *t, const struct netaddr *a);
/* One fewer for the client of a (none held: nothing); a client at zero leaves the table. */
void conncount_remove(struct conncount *t, const struct netaddr *a);

#endif
