/* migrate.h: applies the migrations compiled into the binary, in order, once each. */
#ifndef KHABAR_MIGRATE_H
#define KHABAR_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "db/db.h"

/*
 * Applies every pending migration to the database at conninfo, each in its own
 * transaction, recorded with its checksum in schema_migrations, under an advisory
 * lock so that instances starting together cannot race. Prints one line per applied
 * migration to out. Returns 0, or -1 with the reason in err (err_size bytes); a
 * migration changed after it was applied is refused.
 */
int migrate_run(const char *conninfo, FILE *out, char *err, size_t err_size);

/* *current: every compiled-in migration is applied unchanged on c's database and every
 * kind of row follows the text rules compiled in (the readiness probe asks).
 * DB_UNAVAILABLE (or db_run's status) when the database could not be asked. */
db_status migrate_is_current(db_conn *c, bool *current);

#endif
