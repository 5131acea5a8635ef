/* log.h: one line per event on stdout (JSON by default, LOG_FORMAT=text for people). */
#ifndef KHABAR_LOG_H
#define KHABAR_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

void log_init(bool text);

/*
 * From here on lines are gathered in memory and written by a thread of their own, a batch
 * at most flush_ms after its first line (0: as soon as the thread gets to them), so that
 * no request waits on stdout; false (lines still written at once) when it cannot start.
 * log_stop_writer writes what is gathered and goes back to writing each line at once.
 */
bool log_start_writer(unsigned flush_ms);
void log_stop_writer(void);

/* A service message at level "info", "warning" or "error" (printf-style). */
void log_message(const char *level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* log_message with a va_list; trailing newlines dropped (any other is escaped). */
void log_vmessage(const char *level, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

struct access_entry {
    const char *request_id, *client, *method, *path, *route;
    unsigned status;
    size_t bytes;
    double duration_ms;
};
void log_access(const struct access_entry *e);

/*
 * The one escaping of every log field: s (NULL as "") into out (size bytes, always
 * NUL-terminated) with control characters (C0, DEL, C1, U+2028, U+2029), bytes that are
 * not well-formed UTF-8 and, when spaces is set, spaces as \xNN, and a backslash as
 * \\; other UTF-8 as it is. A field that does not fit ends with "...". Returns the
 * length written.
 */
size_t log_escape(const char *s, char *out, size_t size, bool spaces);

#endif
