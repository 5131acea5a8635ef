/* wal.h: PostgreSQL's WAL positions (pg_lsn, "16/B374D848") as numbers that compare. */
#ifndef KHABAR_WAL_H
#define KHABAR_WAL_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Reads text (two hexadecimal halves around "/", as PostgreSQL writes a pg_lsn) into
 * *out; false, *out untouched, for NULL or anything else.
 */
bool wal_position_parse(const char *text, uint64_t *out);

/* Raises *at to position when it is lower (several threads may raise it at once). */
void wal_position_raise(_Atomic uint64_t *at, uint64_t position);

#endif
