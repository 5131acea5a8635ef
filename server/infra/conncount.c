/* conncount.c: open connections per client: an open-addressing table, sized at creation. */
#include "infra/conncount.h"

#include <stdlib.h>
#include <string.h>

#include "infra/hash.h"

struct slot {
    struct netaddr key;
    unsigned n; /* 0: an empty slot */
};

struct conncount {
    struct slot *slots;
    size_t mask;        /* slots - 1, slots a power of two */
    unsigned clients;   /* slots in use */
    unsigned max_clients;
    unsigned ipv6_prefix;
};

struct conncount *conncount_new(unsigned max_clients, unsigned ipv6_prefix)
{
    if (max_clients == 0)
        return NULL;
    struct conncount *t = calloc(1, sizeof *t);
    size_t slots = 2;
    while (slots < 2 * (size_t)max_clients)
        slots *= 2;
    if (t == NULL || (t->slots = calloc(slots, sizeof *t->slots)) == NULL) {
        free(t);
        return NULL;
    }
    t->mask = slots - 1;
    t->max_clients = max_clients;
    t->ipv6_prefix = ipv6_prefix;
    return t;
}

void conncount_free(struct conncount *t)
{
    if (t == NULL)
        return;
    free(t->slots);
    free(t);
}

size_t conncount_slots(const struct conncount *t)
{
    return t->mask + 1;
}

static size_t home_of(const struct conncount *t, const struct netaddr *key)
{
    return (size_t)hash_fnv1a64(HASH_FNV1A64_INIT, key, sizeof *key) & t->mask;
}

/* The slot holding key, or the empty slot where it would go (there is always one: the
 * table is never more than half full). */
static size_t find(const struct conncount *t, const struct netaddr *key)
{
    size_t i = home_of(t, key);
    while (t->slots[i].n > 0 && memcmp(&t->slots[i].key, key, sizeof *key) != 0)
        i = (i + 1) & t->mask;
    return i;
}

unsigned conncount_of(const struct conncount *t, const struct netaddr *a)
{
    struct netaddr key = netaddr_client_key(a, t->ipv6_prefix);
    return t->slots[find(t, &key)].n;
}

bool conncount_admits(const struct conncount *t, const struct netaddr *a, unsigned limit)
{
    unsigned n = conncount_of(t, a);
    return n < limit && (n > 0 || t->clients < t->max_clients);
}

bool conncount_add(struct conncount *t, const struct netaddr *a)
{
    struct netaddr key = netaddr_client_key(a, t->ipv6_prefix);
    struct slot *s = &t->slots[find(t, &key)];
    if (s->n == 0) {
        if (t->clients == t->max_clients)
            return false;
        s->key = key;
        t->clients++;
    }
    s->n++;
    return true;
}

/* Empties slot i and moves back the entries after it that could no longer be found past
 * the hole (linear probing's deletion without tombstones). */
static void vacate(struct conncount *t, size_t i)
{
    t->slots[i].n = 0;
    for (size_t j = (i + 1) & t->mask; t->slots[j].n > 0; j = (j + 1) & t->mask) {
        size_t home = home_of(t, &t->slots[j].key);
        /* j's entry stays when its home lies cyclically in (i, j] */
        bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (!stays) {
            t->slots[i] = t->slots[j];
            t->slots[j].n = 0;
            i = j;
        }
    }
}

void conncount_remove(struct conncount *t, const struct netaddr *a)
{
    struct netaddr key = netaddr_client_key(a, t->ipv6_prefix);
    size_t i = find(t, &key);
    if (t->slots[i].n == 0)
        return;
    if (--t->slots[i].n == 0) {
        t->clients--;
        vacate(t, i);
    }
}
