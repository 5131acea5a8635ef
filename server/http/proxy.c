/* proxy.c: the client of a request behind trusted proxies, from the one header they set. */
#include "http/proxy.h"

#include <string.h>
#include <strings.h>

static bool is_trusted(const struct netaddr *a, const struct cidr *trusted, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (cidr_contains(&trusted[i], a))
            return true;
    return false;
}

/* The address of one forwarding element (X-Forwarded-For item, or Forwarded element's
 * for= parameter); false when it names none ("unknown", obfuscated, malformed). */
static bool element_address(const char *start, size_t len, bool forwarded, struct netaddr *out)
{
    char item[128];
    if (len >= sizeof item)
        return false;
    memcpy(item, start, len);
    item[len] = '\0';
    char *value = item;
    if (forwarded) {
        char *save = NULL;
        value = NULL;
        for (char *tok = strtok_r(item, ";", &save); tok && !value; tok = strtok_r(NULL, ";", &save)) {
            while (*tok == ' ' || *tok == '\t')
                tok++;
            if (strncasecmp(tok, "for=", 4) == 0)
                value = tok + 4;
        }
        if (value == NULL)
            return false;
    }
    while (*value == ' ' || *value == '\t' || *value == '"')
        value++;
    size_t vlen = strlen(value);
    while (vlen > 0 && (value[vlen - 1] == ' ' || value[vlen - 1] == '\t' || value[vlen - 1] == '"'))
        value[--vlen] = '\0';
    return netaddr_parse(value, out);
}

const char *proxy_header_name(enum proxy_header kind)
{
    return kind == PROXY_HEADER_FORWARDED ? "Forwarded" : "X-Forwarded-For";
}

struct netaddr client_address(const struct netaddr *peer, const struct cidr *trusted,
                              size_t ntrusted, enum proxy_header kind, const char *chain)
{
    bool forwarded = kind == PROXY_HEADER_FORWARDED;
    struct netaddr nearest = *peer; /* the closest hop known so far, trusted */
    if (!is_trusted(peer, trusted, ntrusted) || chain == NULL)
        return *peer;
    /* Right to left: each trusted hop vouches for the one before it; what lies left
     * of the first untrusted address is the client's to write, so never read. */
    const char *end = chain + strlen(chain);
    while (end > chain) {
        const char *start = end;
        while (start > chain && start[-1] != ',')
            start--;
        struct netaddr hop;
        if (!element_address(start, (size_t)(end - start), forwarded, &hop))
            return nearest; /* a hop we cannot read: the last one we could is the client */
        if (!is_trusted(&hop, trusted, ntrusted))
            return hop;
        nearest = hop;
        end = start > chain ? start - 1 : chain;
    }
    return nearest;
}
