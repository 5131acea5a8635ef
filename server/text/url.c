/* url.c: URLs made of text: percent-encoding, a segment put after a prefix, an article's address from its template. */
#include "text/url.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Percent-encodes s onto f, leaving RFC 3986 unreserved characters (and '/' when
 * keep_slash: a path) as they are. */
void url_put_encoded(FILE *f, const char *s, bool keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    char chunk[256];
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (n + 3 > sizeof chunk) {
            fwrite(chunk, 1, n, f);
            n = 0;
        }
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~' || (keep_slash && *p == '/')) {
            chunk[n++] = (char)*p;
        } else {
            chunk[n++] = '%';
            chunk[n++] = hex[*p >> 4];
            chunk[n++] = hex[*p & 0xf];
        }
    }
    fwrite(chunk, 1, n, f);
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

char *url_of_article_new(const char *tmpl, int64_t id, const char *slug)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (f == NULL)
        return NULL;
    for (const char *p = tmpl; *p != '\0'; p++) {
        if (strncmp(p, "{slug}", 6) == 0) {
            url_put_encoded(f, slug, false);
            p += 5;
        } else if (strncmp(p, "{id}", 4) == 0) {
            fprintf(f, "%" PRId64, id);
            p += 3;
        } else {
            fputc(*p, f);
        }
    }
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    return text;
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
