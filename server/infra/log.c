/* log.c: service and access log lines, JSON (one object a line) or plain text, every field
 * escaped by one function so that no client's bytes can end a line or forge one; while
 * serving, lines are gathered in memory and written by a thread of their own. */
#include "infra/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "infra/utf8.h"

static bool log_as_text;

void log_init(bool text)
{
    log_as_text = text;
    setvbuf(stdout, NULL, _IOLBF, 0);
}

/*==== Escaping ====*/

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

/*==== Writing ====*/

/* Each of the two buffers: what one flush interval gathers at a few hundred thousand
 * lines a second. A line that finds its buffer full is written by its own thread. */
#define SINK_BYTES (1u << 20)

/*
 * While serving with a flush interval, a line is copied into the active buffer; the
 * writer thread wakes on the first line of a batch, waits flush_ms for the batch to fill,
 * swaps the buffers and writes the full one with one write(2). Request threads never wait
 * on stdout, unless the reader of stdout falls so far behind that a whole buffer waits.
 * Serving without one, each line is one write(2) of its own thread (no lock: a line is
 * shorter than PIPE_BUF, so lines of two threads never mix).
 */
enum sink_mode { SINK_STDIO, SINK_DIRECT, SINK_BUFFERED };
static struct sink {
    pthread_mutex_t mu;
    pthread_cond_t has_lines, written;
    char *buf[2];
    size_t len; /* of buf[active] */
    int active;
    _Atomic enum sink_mode mode;
    bool stopping, writing;
    unsigned flush_ms;
    pthread_t thread;
} sink = { .mu = PTHREAD_MUTEX_INITIALIZER,
           .has_lines = PTHREAD_COND_INITIALIZER,
           .written = PTHREAD_COND_INITIALIZER };

/* Writes all of text to stdout; a failure (stdout closed) loses the lines, as it must. */
static void write_all(const char *text, size_t len)
{
    while (len > 0) {
        ssize_t n = write(STDOUT_FILENO, text, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        text += n;
        len -= (size_t)n;
    }
}

static void *sink_run(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&sink.mu);
    for (;;) {
        while (sink.len == 0 && !sink.stopping)
            pthread_cond_wait(&sink.has_lines, &sink.mu);
        if (sink.len == 0)
            break; /* stopping, and everything written */
        if (!sink.stopping) {
            pthread_mutex_unlock(&sink.mu);
            struct timespec pause = { sink.flush_ms / 1000, (long)(sink.flush_ms % 1000) * 1000000L };
            nanosleep(&pause, NULL);
            pthread_mutex_lock(&sink.mu);
        }
        char *full = sink.buf[sink.active];
        size_t len = sink.len;
        sink.active ^= 1;
        sink.len = 0;
        sink.writing = true;
        pthread_mutex_unlock(&sink.mu);
        write_all(full, len);
        pthread_mutex_lock(&sink.mu);
        sink.writing = false;
        pthread_cond_broadcast(&sink.written);
    }
    pthread_mutex_unlock(&sink.mu);
    return NULL;
}

bool log_start_writer(unsigned flush_ms)
{
    bool ok = false;
    pthread_mutex_lock(&sink.mu);
    fflush(stdout); /* what stdio holds goes out before anything written past it */
    if (sink.mode != SINK_STDIO || flush_ms == 0) {
        if (sink.mode == SINK_STDIO)
            sink.mode = SINK_DIRECT;
        ok = true;
        goto out;
    }
    for (int i = 0; i < 2; i++)
        if (sink.buf[i] == NULL && (sink.buf[i] = malloc(SINK_BYTES)) == NULL)
            goto out;
    sink.flush_ms = flush_ms;
    sink.stopping = false;
    sink.len = 0;
    if (pthread_create(&sink.thread, NULL, sink_run, NULL) != 0)
        goto out;
    sink.mode = SINK_BUFFERED;
    ok = true;
out:
    pthread_mutex_unlock(&sink.mu);
    return ok;
}

void log_stop_writer(void)
{
    pthread_mutex_lock(&sink.mu);
    bool buffered = sink.mode == SINK_BUFFERED;
    sink.stopping = true;
    pthread_cond_signal(&sink.has_lines);
    pthread_mutex_unlock(&sink.mu);
    if (buffered)
        pthread_join(sink.thread, NULL);
    pthread_mutex_lock(&sink.mu);
    if (buffered)
        write_all(sink.buf[sink.active], sink.len); /* lines gathered as the thread ended */
    sink.len = 0;
    sink.mode = SINK_STDIO;
    for (int i = 0; i < 2; i++) {
        free(sink.buf[i]);
        sink.buf[i] = NULL;
    }
    pthread_mutex_unlock(&sink.mu);
}

/* Into the writer's buffer; false when the writer has stopped. */
static bool gather(const char *line, size_t len)
{
    pthread_mutex_lock(&sink.mu);
    if (sink.mode != SINK_BUFFERED) {
        pthread_mutex_unlock(&sink.mu);
        return false;
    }
    if (sink.len + len > SINK_BYTES) {
        /* the writer is behind by a whole buffer: this thread writes it, in order */
        while (sink.writing)
            pthread_cond_wait(&sink.written, &sink.mu);
        write_all(sink.buf[sink.active], sink.len);
        sink.len = 0;
    }
    bool first = sink.len == 0;
    memcpy(sink.buf[sink.active] + sink.len, line, len);
    sink.len += len;
    pthread_mutex_unlock(&sink.mu);
    if (first)
        pthread_cond_signal(&sink.has_lines);
    return true;
}

/* One whole line (ending in a newline) out, the way the sink's mode says. */
static void emit(const char *line, size_t len)
{
    enum sink_mode mode = sink.mode;
    if (mode == SINK_BUFFERED && gather(line, len))
        return;
    if (mode == SINK_STDIO) {
        fwrite(line, 1, len, stdout);
        return;
    }
    write_all(line, len);
}

/*==== Lines ====*/

/* A line being built in a caller's buffer; what does not fit is cut (fields are bounded
 * by log_escape, so only a message past its size is). */
struct line {
    char *buf;
    size_t cap, len;
};

static void put(struct line *l, const char *s, size_t n)
{
    if (n > l->cap - 1 - l->len) /* room is kept for the final newline */
        n = l->cap - 1 - l->len;
    memcpy(l->buf + l->len, s, n);
    l->len += n;
}

static void put_str(struct line *l, const char *s)
{
    put(l, s, strlen(s));
}

/* s (already escaped by log_escape: no control byte) as a JSON string. */
static void put_json_str(struct line *l, const char *s)
{
    put(l, "\"", 1);
    for (const char *run = s;; s++) {
        if (*s == '"' || *s == '\\' || *s == '\0') {
            put(l, run, (size_t)(s - run));
            if (*s == '\0')
                break;
            put(l, *s == '"' ? "\\\"" : "\\\\", 2);
            run = s + 1;
        }
    }
    put(l, "\"", 1);
}

/* ,"key": and value (escaped by log_escape) as a JSON string. */
static void put_json_member(struct line *l, const char *key, const char *value)
{
    put_str(l, ",\"");
    put_str(l, key);
    put_str(l, "\":");
    put_json_str(l, value);
}

static void put_uint(struct line *l, unsigned long long v)
{
    char digits[24];
    size_t n = sizeof digits;
    do {
        digits[--n] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    put(l, digits + n, sizeof digits - n);
}

/* Milliseconds with three decimals (a microsecond). */
static void put_ms(struct line *l, double ms)
{
    unsigned long long us = ms > 0 ? (unsigned long long)(ms * 1000.0 + 0.5) : 0;
    char frac[4] = { (char)('0' + us / 100 % 10), (char)('0' + us / 10 % 10), (char)('0' + us % 10), 0 };
    put_uint(l, us / 1000);
    put(l, ".", 1);
    put(l, frac, 3);
}

static void line_end(struct line *l)
{
    l->buf[l->len++] = '\n';
    emit(l->buf, l->len);
}

/* The current time as RFC 3339 with milliseconds, in UTC; the text up to the seconds is
 * kept per thread, as it changes once a second. */
static void now_rfc3339(char *buf, size_t size)
{
    static _Thread_local time_t shown_second = -1;
    static _Thread_local char second_text[24];
    struct timeval tv;
    gettimeofday(&tv, NULL);
    if (tv.tv_sec != shown_second) {
        struct tm tm;
        gmtime_r(&tv.tv_sec, &tm);
        strftime(second_text, sizeof second_text, "%Y-%m-%dT%H:%M:%S", &tm);
        shown_second = tv.tv_sec;
    }
    unsigned ms = (unsigned)(tv.tv_usec / 1000) % 1000;
    char tail[] = { '.', (char)('0' + ms / 100), (char)('0' + ms / 10 % 10), (char)('0' + ms % 10), 'Z', 0 };
    snprintf(buf, size, "%s%s", second_text, tail);
}

void log_vmessage(const char *level, const char *fmt, va_list ap)
{
    char when[40], msg[1024], lvl[32], shown[4 * sizeof msg], text[2 * sizeof shown + 128];
    struct line l = { .buf = text, .cap = sizeof text };
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n > 0 && msg[n - 1] == '\n') /* libmicrohttpd ends its messages with one */
        msg[--n] = '\0';
    now_rfc3339(when, sizeof when);
    log_escape(level, lvl, sizeof lvl, true);
    log_escape(msg, shown, sizeof shown, false);
    if (log_as_text) {
        const char *parts[] = { when, " ", lvl, " ", shown };
        for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
            put_str(&l, parts[i]);
    } else {
        put_str(&l, "{\"time\":\"");
        put_str(&l, when);
        put_str(&l, "\"");
        put_json_member(&l, "level", lvl);
        put_json_member(&l, "msg", shown);
        put_str(&l, "}");
    }
    line_end(&l);
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

static void access_text(struct line *l, const char *when, const struct access_fields *f,
                        const struct access_entry *e)
{
    const char *head[] = { when, " ", f->client, " ", f->method, " ", f->path, " " };
    for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
        put_str(l, head[i]);
    put_uint(l, e->status);
    put(l, " ", 1);
    put_uint(l, e->bytes);
    put(l, " ", 1);
    put_ms(l, e->duration_ms);
    put_str(l, "ms ");
    put_str(l, f->request_id);
}

static void access_json(struct line *l, const char *when, const struct access_fields *f,
                        const struct access_entry *e)
{
    put_str(l, "{\"time\":\"");
    put_str(l, when);
    put_str(l, "\",\"level\":\"info\"");
    put_json_member(l, "request_id", f->request_id);
    put_json_member(l, "client", f->client);
    put_json_member(l, "method", f->method);
    put_json_member(l, "path", f->path);
    if (e->route != NULL)
        put_json_member(l, "route", f->route);
    put_str(l, ",\"status\":");
    put_uint(l, e->status);
    put_str(l, ",\"bytes\":");
    put_uint(l, e->bytes);
    put_str(l, ",\"duration_ms\":");
    put_ms(l, e->duration_ms);
    put_str(l, "}");
}

void log_access(const struct access_entry *e)
{
    char when[40], text[2 * sizeof(struct access_fields) + 256];
    struct access_fields f;
    struct line l = { .buf = text, .cap = sizeof text };
    now_rfc3339(when, sizeof when);
    access_fields_escape(e, log_as_text, &f);
    if (log_as_text)
        access_text(&l, when, &f, e);
    else
        access_json(&l, when, &f, e);
    line_end(&l);
}
