/* url.c: URLs made of text: percent-encoding, a segment put after a prefix, an article's address from its template. */
#include "text/url.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Percent-encodes the n bytes at s into out (room for 3 * n), leaving RFC 3986 unreserved
 * characters (and '/' when keep_slash: a path) as they are; the bytes written. */
static size_t percent_encode(char *out, const unsigned char *s, size_t n, bool keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~' || (keep_slash && c == '/')) {
            out[w++] = (char)c;
        } else {
            out[w++] = '%';
            out[w++] = hex[c >> 4];
            out[w++] = hex[c & 0xf];
        }
    }
    return w;
}

void url_put_encoded(FILE *f, const char *s, bool keep_slash)
{
    char chunk[255];
    for (size_t n = strlen(s), k; n > 0; n -= k, s += k) {
        k = n < sizeof chunk / 3 ? n : sizeof chunk / 3;
        fwrite(chunk, 1, percent_encode(chunk, (const unsigned char *)s, k, keep_slash), f);
    }
}

char *url_with_segment_new(const char *prefix, const char *segment)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (f == NULL)
        return NULL;
    fputs(prefix, f);
    url_put_encoded(f, segment, false);
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

/* Written straight into one allocation of the longest it can be: feeds and sitemaps make
 * one for each of their hundreds of items. */
char *url_of_article_new(const char *tmpl, int64_t id, const char *slug)
{
    size_t slug_len = strlen(slug), cap = strlen(tmpl) + 1, n = 0;
    for (const char *p = tmpl; (p = strchr(p, '{')) != NULL; p++)
        cap += 3 * slug_len + 20; /* each place at its longest: the slug encoded, an id */
    char *url = malloc(cap);
    if (url == NULL)
        return NULL;
    for (const char *p = tmpl; *p != '\0';) {
        size_t plain = strcspn(p, "{");
        memcpy(url + n, p, plain);
        n += plain;
        p += plain;
        if (strncmp(p, "{slug}", 6) == 0) {
            n += percent_encode(url + n, (const unsigned char *)slug, slug_len, false);
            p += 6;
        } else if (strncmp(p, "{id}", 4) == 0) {
            n += (size_t)snprintf(url + n, cap - n, "%" PRId64, id);
            p += 4;
        } else if (*p == '{') {
            url[n++] = *p++;
        }
    }
    url[n] = '\0';
    return url;
}

char *url_of_author_new(const char *api_url, const char *slug)
{
    char *prefix = NULL;
    if (asprintf(&prefix, "%s/v1/authors/", api_url) < 0)
        return NULL;
    char *url = url_with_segment_new(prefix, slug);
    free(prefix);
    return url;
}

char *url_of_article_id_new(const char *api_url, int64_t id)
{
    char *url = NULL;
    return asprintf(&url, "%s/v1/articles/%" PRId64, api_url, id) < 0 ? NULL : url;
}

char *url_origin_new(const char *url)
{
    const char *authority = strstr(url, "://");
    authority = authority ? authority + 3 : url;
    size_t n = (size_t)(authority - url) + strcspn(authority, "/?#");
    char *origin = malloc(n + 2);
    if (origin == NULL)
        return NULL;
    memcpy(origin, url, n);
    origin[n] = '/';
    origin[n + 1] = '\0';
    return origin;
}
