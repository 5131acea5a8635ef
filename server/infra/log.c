/* log.c: service and access log lines, JSON (one object a line) or plain text, every field
 * escaped by one function so that no client's bytes can end a line or forge one. */
#include "infra/log.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static bool log_as_text;

void log_init(bool text)
{
    log_as_text = text;
    setvbuf(stdout, NULL, _IOLBF, 0);
}

/*==== Escaping ====*/

/* The length of the well-formed UTF-8 sequence of two to four bytes at p (RFC 3629: no
 * overlong form, no surrogate, nothing past U+10FFFF); 0 when there is none. */
static size_t utf8_sequence(const unsigned char *p)
{
    unsigned char c = p[0];
    size_t n = c >= 0xc2 && c <= 0xdf   ? 2
               : c >= 0xe0 && c <= 0xef ? 3
               : c >= 0xf0 && c <= 0xf4 ? 4
                                        : 0;
    unsigned char lo = 0x80, hi = 0xbf; /* the bounds of the second byte */
    if (c == 0xe0)
        lo = 0xa0;
    else if (c == 0xed)
        hi = 0x9f;
    else if (c == 0xf0)
        lo = 0x90;
    else if (c == 0xf4)
        hi = 0x8f;
    if (n == 0 || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (p[i] < 0x80 || p[i] > 0xbf)
            return 0;
    return n;
}

/* True for a sequence a terminal or a log reader may take as a control or a line break:
 * C1 controls (U+0080..U+009F) and the line and paragraph separators (U+2028, U+2029). */
static bool utf8_is_control(const unsigned char *p, size_t n)
{
    return (n == 2 && p[0] == 0xc2 && p[1] <= 0x9f) ||
           (n == 3 && p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9));
}

size_t log_escape(const char *s, char *out, size_t size, bool spaces)
{
    static const char cut[] = "...";
    size_t o = 0, mark_at = 0;
    if (size == 0)
        return 0;
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p != '\0';) {
        char unit[16];
        size_t n = *p >= 0x80 ? utf8_sequence(p) : 1, len;
        if (n > 1 && !utf8_is_control(p, n)) {
            memcpy(unit, p, n);
            len = n;
        } else if (n > 1) {
            len = 0;
            for (size_t i = 0; i < n; i++)
                len += (size_t)snprintf(unit + len, sizeof unit - len, "\\x%02x", p[i]);
        } else if (*p == '\\') {
            len = (size_t)snprintf(unit, sizeof unit, "\\\\");
        } else if (*p < 0x20 || *p >= 0x7f || (spaces && *p == ' ')) {
            n = 1; /* a byte of no well-formed sequence, or a control */
            len = (size_t)snprintf(unit, sizeof unit, "\\x%02x", *p);
        } else {
            unit[0] = (char)*p;
            len = 1;
        }
        if (o + sizeof cut <= size)
            mark_at = o; /* the mark would fit after what is written so far */
        if (o + len >= size) {
            /* the field does not fit: cut at a unit's end, never inside an escape or a
             * character, and say so */
            o = mark_at;
            if (o + sizeof cut <= size) {
                memcpy(out + o, cut, sizeof cut - 1);
                o += sizeof cut - 1;
            }
            break;
        }
        memcpy(out + o, unit, len);
        o += len;
        p += n;
    }
    out[o] = '\0';
    return o;
}

/*==== Lines ====*/

/* The current time as RFC 3339 with milliseconds, in UTC. */
static void now_rfc3339(char *buf, size_t size)
{
    struct timeval tv;
    struct tm tm;
    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, size - n, ".%03ldZ", (long)(tv.tv_usec / 1000));
}

/* Writes a JSON object as one line; the object is released. */
static void emit_json(json_t *line)
{
    char *text = line ? json_dumps(line, JSON_COMPACT | JSON_REAL_PRECISION(6)) : NULL;
    if (text != NULL)
        printf("%s\n", text);
    free(text);
    json_decref(line);
}

void log_vmessage(const char *level, const char *fmt, va_list ap)
{
    char when[40], msg[1024], lvl[32], shown[4 * sizeof msg];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n > 0 && msg[n - 1] == '\n') /* libmicrohttpd ends its messages with one */
        msg[--n] = '\0';
    now_rfc3339(when, sizeof when);
    log_escape(level, lvl, sizeof lvl, true);
    log_escape(msg, shown, sizeof shown, false);
    if (log_as_text) {
        printf("%s %s %s\n", when, lvl, shown);
        return;
    }
    emit_json(json_pack("{s:s, s:s, s:s}", "time", when, "level", lvl, "msg", shown));
}

void log_message(const char *level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vmessage(level, fmt, ap);
    va_end(ap);
}

/* The string fields of an access line, escaped; in text lines spaces too, as they part
 * the fields. */
struct access_fields {
    char request_id[96], client[96], method[160], path[1024], route[64];
};

static void access_fields_escape(const struct access_entry *e, bool spaces,
                                 struct access_fields *f)
{
    log_escape(e->request_id, f->request_id, sizeof f->request_id, spaces);
    log_escape(e->client, f->client, sizeof f->client, spaces);
    log_escape(e->method, f->method, sizeof f->method, spaces);
    log_escape(e->path, f->path, sizeof f->path, spaces);
    log_escape(e->route, f->route, sizeof f->route, spaces);
}

void log_access(const struct access_entry *e)
{
    char when[40];
    struct access_fields f;
    now_rfc3339(when, sizeof when);
    access_fields_escape(e, log_as_text, &f);
    if (log_as_text) {
        printf("%s %s %s %s %u %zu %.3fms %s\n", when, f.client, f.method, f.path, e->status,
               e->bytes, e->duration_ms, f.request_id);
        return;
    }
    emit_json(json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:i, s:I, s:f}", "time", when,
                        "level", "info", "request_id", f.request_id, "client", f.client,
                        "method", f.method, "path", f.path, "route", e->route ? f.route : NULL,
                        "status", (int)e->status, "bytes", (json_int_t)e->bytes,
                        "duration_ms", e->duration_ms));
}
