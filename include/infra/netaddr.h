/* netaddr.h: IP addresses and CIDR ranges. */
#ifndef KHABAR_INFRA_NETADDR_H
#define KHABAR_INFRA_NETADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An IPv4 address is kept as IPv4-mapped IPv6, so one comparison serves both. */
struct netaddr {
    uint8_t bytes[16];
};

struct cidr {
    struct netaddr addr;
    unsigned prefix; /* 0..128, counted on the IPv6 form */
};

/* Parses "192.0.2.1", "2001:db8::1" (brackets and an IPv4 ":port" allowed). */
bool netaddr_parse(const char *text, struct netaddr *out);
struct sockaddr;
/* The address of an AF_INET or AF_INET6 socket address; false for any other (or NULL). */
bool netaddr_from_sockaddr(const struct sockaddr *sa, struct netaddr *out);
/* "192.0.2.1" or "2001:db8::1" (IPv4-mapped shown as IPv4). */
void netaddr_format(const struct netaddr *a, char *out, size_t size);

/* Parses "10.0.0.0/8", "::1/128", or a bare address (a /32 or /128). */
bool cidr_parse(const char *text, struct cidr *out);
bool cidr_contains(const struct cidr *c, const struct netaddr *a);

/*
 * True when a is reachable on the public internet: not loopback, private (RFC 1918, IPv6
 * unique local), link-local, shared (100.64/10), unspecified, multicast, reserved or for
 * documentation, nor such an IPv4 address inside IPv6 (mapped, NAT64 64:ff9b::/96): what
 * a webhook may be sent to, so that one cannot reach inside the network.
 */
bool netaddr_is_public(const struct netaddr *a);

/*
 * The key under which a's connections and requests are counted: an IPv4 address as it is
 * (one address is one subscriber's), an IPv6 address with all but its first ipv6_prefix
 * bits (0..128; more is taken as 128) cleared, since one subscriber is usually given a
 * whole /64 (or more) and picks any address in it.
 */
struct netaddr netaddr_client_key(const struct netaddr *a, unsigned ipv6_prefix);

#endif
