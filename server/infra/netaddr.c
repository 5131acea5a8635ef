/* netaddr.c: IP addresses and CIDR ranges: parsing, formatting, matching. */
#include "infra/netaddr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void mapped_v4(const struct in_addr *v4, struct netaddr *out)
{
    memset(out->bytes, 0, 10);
    out->bytes[10] = 0xff;
    out->bytes[11] = 0xff;
    memcpy(out->bytes + 12, v4, 4);
}

static bool is_mapped_v4(const struct netaddr *a)
{
    static const uint8_t prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    return memcmp(a->bytes, prefix, 12) == 0;
}

bool netaddr_parse(const char *text, struct netaddr *out)
{
    char buf[64];
    size_t len = strlen(text);
    struct in_addr v4;
    if (len == 0 || len >= sizeof buf)
        return false;
    memcpy(buf, text, len + 1);
    if (buf[0] == '[') { /* "[2001:db8::1]" or "[2001:db8::1]:443" */
        char *close = strchr(buf, ']');
        if (close == NULL || (close[1] != '\0' && close[1] != ':'))
            return false;
        *close = '\0';
        return inet_pton(AF_INET6, buf + 1, out->bytes) == 1;
    }
    char *colon = strchr(buf, ':');
    if (colon != NULL && strchr(colon + 1, ':') == NULL)
        *colon = '\0'; /* "192.0.2.1:8080" */
    if (inet_pton(AF_INET, buf, &v4) == 1) {
        mapped_v4(&v4, out);
        return true;
    }
    return inet_pton(AF_INET6, buf, out->bytes) == 1;
}

bool netaddr_from_sockaddr(const struct sockaddr *sa, struct netaddr *out)
{
    if (sa != NULL && sa->sa_family == AF_INET) {
        mapped_v4(&((const struct sockaddr_in *)(const void *)sa)->sin_addr, out);
        return true;
    }
    if (sa != NULL && sa->sa_family == AF_INET6) {
        memcpy(out->bytes, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
        return true;
    }
    return false;
}

void netaddr_format(const struct netaddr *a, char *out, size_t size)
{
    if (is_mapped_v4(a))
        inet_ntop(AF_INET, a->bytes + 12, out, (socklen_t)size);
    else
        inet_ntop(AF_INET6, a->bytes, out, (socklen_t)size);
}

bool cidr_parse(const char *text, struct cidr *out)
{
    char buf[80];
    const char *slash = strchr(text, '/');
    size_t len = slash ? (size_t)(slash - text) : strlen(text);
    if (len == 0 || len >= sizeof buf)
        return false;
    memcpy(buf, text, len);
    buf[len] = '\0';
    if (!netaddr_parse(buf, &out->addr))
        return false;
    unsigned extra = is_mapped_v4(&out->addr) ? 96 : 0, max = is_mapped_v4(&out->addr) ? 32 : 128;
    if (slash == NULL) {
        out->prefix = 128;
        return true;
    }
    char *end = NULL;
    long p = strtol(slash + 1, &end, 10);
    if (slash[1] == '\0' || *end != '\0' || p < 0 || p > (long)max)
        return false;
    out->prefix = (unsigned)p + extra;
    return true;
}

bool cidr_contains(const struct cidr *c, const struct netaddr *a)
{
    unsigned full = c->prefix / 8, rest = c->prefix % 8;
    if (memcmp(c->addr.bytes, a->bytes, full) != 0)
        return false;
    if (rest == 0)
        return true;
    uint8_t mask = (uint8_t)(0xff << (8 - rest));
    return (c->addr.bytes[full] & mask) == (a->bytes[full] & mask);
}

struct netaddr netaddr_client_key(const struct netaddr *a, unsigned ipv6_prefix)
{
    struct netaddr key = *a;
    if (is_mapped_v4(a) || ipv6_prefix >= 128)
        return key;
    unsigned full = ipv6_prefix / 8, rest = ipv6_prefix % 8;
    if (rest != 0)
        key.bytes[full++] &= (uint8_t)(0xff << (8 - rest));
    memset(key.bytes + full, 0, sizeof key.bytes - full);
    return key;
}

/* Ranges that are not the public internet (IANA's special-purpose registries), IPv4 in
 * its mapped form. */
static const char *const non_public[] = {
    "0.0.0.0/8",      "10.0.0.0/8",     "100.64.0.0/10", "127.0.0.0/8",     "169.254.0.0/16",
    "172.16.0.0/12",  "192.0.0.0/24",   "192.0.2.0/24",  "192.88.99.0/24",  "192.168.0.0/16",
    "198.18.0.0/15",  "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4",    "240.0.0.0/4",
    "::/128",         "::1/128",        "64:ff9b:1::/48", "100::/64",       "2001::/23",
    "2001:db8::/32",  "2002::/16",      "fc00::/7",      "fe80::/10",       "fec0::/10",
    "ff00::/8",
};

bool netaddr_is_public(const struct netaddr *a)
{
    static const uint8_t nat64[12] = { 0x00, 0x64, 0xff, 0x9b };
    /* an IPv4 address inside NAT64's prefix is judged as that IPv4 address */
    if (memcmp(a->bytes, nat64, sizeof nat64) == 0) {
        struct netaddr inner = { { 0 } };
        inner.bytes[10] = inner.bytes[11] = 0xff;
        memcpy(inner.bytes + 12, a->bytes + 12, 4);
        return netaddr_is_public(&inner);
    }
    for (size_t i = 0; i < sizeof non_public / sizeof non_public[0]; i++) {
        struct cidr c;
        if (cidr_parse(non_public[i], &c) && cidr_contains(&c, a))
            return false;
    }
    return true;
}
