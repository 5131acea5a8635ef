/* log.h: one line per event on stdout (JSON by default, LOG_FORMAT=text for people). */
#ifndef KHABAR_LOG_H
#define KHABAR_LOG_H

#include <stdbool.h>
#include <stddef.h>

void log_init(bool text);

/* A service message at level "info", "warning" or "error" (printf-style). */
void log_message(const char *level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

struct access_entry {
    const char *request_id, *client, *method, *path, *route;
    unsigned status;
    size_t bytes;
    double duration_ms;
};
void log_access(const struct access_entry *e);

#endif
