/* embedded.h: files compiled into the binary (migrations, openapi.yaml, the frontend), so that it
 * runs the same from any folder and in a bare container image. */
#ifndef KHABAR_EMBEDDED_H
#define KHABAR_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
    const char *name;
    const char *data;
    size_t size;
};

/* migrations/NNNN_name.sql in name order, ended by an entry whose name is NULL. */
extern const struct embedded_file embedded_migrations[];
extern const struct embedded_file embedded_openapi;
/* The frontend's files by their path under web/ ("index.html", "src/app.js",
 * "fonts/....woff2"), ended by an entry whose name is NULL. */
extern const struct embedded_file embedded_web[];

#endif
