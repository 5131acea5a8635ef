/* framing.c: whether a request's framing can be trusted. Where a proxy and khabar could
 * read the body's length differently, the next request on the connection could be
 * smuggled in: such requests are refused (RFC 9112 section 6.1 and 6.3). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app.h"
#include "internal.h"

struct header_count {
    const char *name;
    unsigned n;
    bool bad_value; /* Content-Length not made of digits alone */
    bool mangled;   /* a longer name that starts with this one */
};

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
    struct header_count *hc = cls;
    (void)kind;
    /* libmicrohttpd 0.9.75 reads a folded line ("Content-Length:" CRLF " 2") as the
     * name "Content-Length2": a length the client meant, which framing ignored */
    size_t n = strlen(hc->name);
    if (strncasecmp(key, hc->name, n) == 0 && key[n] != '\0')
        hc->mangled = true;
    if (strcasecmp(key, hc->name) == 0) {
        hc->n++;
        const char *v = value ? value : "";
        while (*v == ' ' || *v == '\t')
            v++;
        size_t digits = strspn(v, "0123456789");
        hc->bad_value |= digits == 0 || v[digits + strspn(v + digits, " \t")] != '\0';
    }
    return MHD_YES;
}

/* True when s holds no control character (a raw CR or LF in a request line is a
 * line-ending mix-up, never a path; the path here is decoded, so %20 is a space). */
static bool no_controls(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return false;
    return true;
}

/* True when s is a token (RFC 9110 section 5.6.2), which a method must be: a method with
 * any other byte (a control character, a byte over 0x7f) is no method at all. */
static bool is_token(const char *s)
{
    static const char tchar[] = "!#$%&'*+-.^_`|~0123456789"
                                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    return *s != '\0' && s[strspn(s, tchar)] == '\0';
}

enum framing_fault request_framing_fault(const struct request *req, const char *version)
{
    struct header_count cl = { .name = MHD_HTTP_HEADER_CONTENT_LENGTH };
    struct header_count te = { .name = MHD_HTTP_HEADER_TRANSFER_ENCODING };
    MHD_get_connection_values(req->connection, MHD_HEADER_KIND, count_header, &cl);
    MHD_get_connection_values(req->connection, MHD_HEADER_KIND, count_header, &te);
    const char *coding = request_header(req, MHD_HTTP_HEADER_TRANSFER_ENCODING);
    if (!no_controls(req->path) || version == NULL ||
        (strcmp(version, "HTTP/1.1") != 0 && strcmp(version, "HTTP/1.0") != 0))
        return FRAMING_BAD_LINE;
    if (!is_token(req->method))
        return FRAMING_BAD_METHOD;
    if (cl.mangled || te.mangled)
        return FRAMING_FOLDED;
    if (cl.n > 0 && te.n > 0)
        return FRAMING_LENGTH_AND_CHUNKED;
    if (cl.n > 1)
        return FRAMING_TWO_LENGTHS;
    if (cl.n == 1 && cl.bad_value)
        return FRAMING_LENGTH_NOT_NUMBER;
    if (te.n > 1 || (coding != NULL && strcasecmp(coding, "chunked") != 0))
        return FRAMING_BAD_CODING;
    return FRAMING_OK;
}

size_t request_declared_length(const struct request *req)
{
    /* request_framing_fault has made sure that it is made of digits */
    const char *cl = request_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl == NULL)
        return 0;
    errno = 0;
    unsigned long long n = strtoull(cl, NULL, 10);
    return errno != 0 || n > SIZE_MAX ? SIZE_MAX : (size_t)n;
}

bool request_is_chunked(const struct request *req)
{
    return request_header(req, MHD_HTTP_HEADER_TRANSFER_ENCODING) != NULL;
}

/* The bytes received differ from Content-Length when the connection's framing was read
 * some other way (a folded header line, say): nothing after it is trusted. */
bool request_body_matches_length(const struct request *req)
{
    const char *cl = request_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
    return cl == NULL || strtoull(cl, NULL, 10) == req->body->seen;
}
