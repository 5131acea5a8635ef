/* log.c: service and access log lines, JSON (one object a line) or plain text. */
#include "infra/log.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

static bool log_as_text;

void log_init(bool text)
{
    log_as_text = text;
    setvbuf(stdout, NULL, _IOLBF, 0);
}

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
    char *text = json_dumps(line, JSON_COMPACT | JSON_REAL_PRECISION(6));
    if (text != NULL)
        printf("%s\n", text);
    free(text);
    json_decref(line);
}

void log_message(const char *level, const char *fmt, ...)
{
    char when[40], msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    now_rfc3339(when, sizeof when);
    if (log_as_text) {
        printf("%s %s %s\n", when, level, msg);
        return;
    }
    emit_json(json_pack("{s:s, s:s, s:s}", "time", when, "level", level, "msg", msg));
}

/* s with control characters and spaces as \xNN, so that one log line stays one line. */
static void printable(const char *s, char *out, size_t size)
{
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && o + 5 < size; p++) {
        if (*p <= 0x20 || *p == 0x7f)
            o += (size_t)snprintf(out + o, size - o, "\\x%02x", *p);
        else
            out[o++] = (char)*p;
    }
    out[o] = '\0';
}

void log_access(const struct access_entry *e)
{
    char when[40];
    now_rfc3339(when, sizeof when);
    if (log_as_text) {
        char path[512];
        printable(e->path, path, sizeof path);
        printf("%s %s %s %s %u %zu %.3fms %s\n", when, e->client, e->method, path, e->status,
               e->bytes, e->duration_ms, e->request_id);
        return;
    }
    emit_json(json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:i, s:I, s:f}", "time", when,
                        "level", "info", "request_id", e->request_id, "client", e->client,
                        "method", e->method, "path", e->path, "route", e->route, "status",
                        (int)e->status, "bytes", (json_int_t)e->bytes, "duration_ms",
                        e->duration_ms));
}
