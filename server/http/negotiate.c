/* negotiate.c: picks the media type of an answer from the Accept header (RFC 9110 section 12.5.1). */
#include "http/negotiate.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

/* How well one media range fits a type: how specific the range is (0 for a star/star,
 * 1 for type/star, 2 for the full type; -1 when it does not match), with its weight in
 * thousandths. */
struct fit {
    int specificity;
    int weight;
};

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* A qvalue ("0", "0.5", "1.000"): thousandths, or -1 when it is not one. */
static int qvalue(const char *p, size_t n)
{
    if (n == 0 || (p[0] != '0' && p[0] != '1'))
        return -1;
    int whole = p[0] - '0', frac = 0, digits = 0;
    if (n > 1) {
        if (p[1] != '.' || n > 5)
            return -1;
        for (size_t i = 2; i < n; i++) {
            if (p[i] < '0' || p[i] > '9' || (whole == 1 && p[i] != '0'))
                return -1;
            frac = frac * 10 + (p[i] - '0');
            digits++;
        }
    }
    while (digits++ < 3)
        frac *= 10;
    return whole * 1000 + frac;
}

/* The weight of a range's parameters (n bytes at p, after its first ';'): its q, 1000
 * without one, -1 when q is malformed. */
static int range_weight(const char *p, size_t n)
{
    while (n > 0) {
        const char *semi = memchr(p, ';', n);
        size_t len = semi ? (size_t)(semi - p) : n;
        size_t skip = len;
        while (len > 0 && is_space(*p))
            p++, len--, skip--, n--;
        while (len > 0 && is_space(p[len - 1]))
            len--;
        if (len >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=')
            return qvalue(p + 2, len - 2);
        if (semi == NULL)
            break;
        p += skip + 1;
        n -= skip + 1;
    }
    return 1000;
}

/* How the media range of n bytes at p fits type ("application/json"). */
static struct fit range_fit(const char *p, size_t n, const char *type)
{
    struct fit none = { -1, 0 };
    while (n > 0 && is_space(*p))
        p++, n--;
    const char *semi = memchr(p, ';', n);
    size_t range_len = semi ? (size_t)(semi - p) : n;
    struct fit f = { -1, semi ? range_weight(semi + 1, n - range_len - 1) : 1000 };
    while (range_len > 0 && is_space(p[range_len - 1]))
        range_len--;
    const char *slash = memchr(p, '/', range_len);
    const char *type_slash = strchr(type, '/');
    if (slash == NULL || type_slash == NULL || f.weight < 0)
        return none;
    size_t main_len = (size_t)(slash - p), sub_len = range_len - main_len - 1;
    if (main_len == 1 && p[0] == '*' && sub_len == 1 && slash[1] == '*')
        f.specificity = 0;
    else if (main_len != (size_t)(type_slash - type) || strncasecmp(p, type, main_len) != 0)
        return none;
    else if (sub_len == 1 && slash[1] == '*')
        f.specificity = 1;
    else if (sub_len == strlen(type_slash + 1) && strncasecmp(slash + 1, type_slash + 1, sub_len) == 0)
        f.specificity = 2;
    return f;
}

/* The weight accept gives type: that of its most specific range matching it; 0 for none. */
static int type_weight(const char *accept, const char *type)
{
    struct fit best = { -1, 0 };
    const char *p = accept;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        struct fit f = range_fit(p, n, type);
        if (f.specificity > best.specificity)
            best = f;
        if (comma == NULL)
            break;
        p = comma + 1;
    }
    return best.specificity < 0 ? 0 : best.weight;
}

const char *negotiate_media_type(const char *accept, const char *const *produces)
{
    if (accept == NULL || accept[strspn(accept, " \t")] == '\0')
        return produces[0];
    const char *chosen = NULL;
    int chosen_weight = 0;
    for (const char *const *t = produces; *t != NULL; t++) {
        int w = type_weight(accept, *t);
        if (w > chosen_weight)
            chosen = *t, chosen_weight = w;
    }
    return chosen;
}
