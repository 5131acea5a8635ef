/* wal.h: PostgreSQL's WAL positions (pg_lsn, "16/B374D848") as numbers that compare. */
#ifndef KHABAR_WAL_H
#define KHABAR_WAL_H

#include <stdbool.h>
#include <stdint.h>

/*
 * The primary's WAL position at the end of every record inserted so far: its insert
 * position, except that just past a page (or segment) header, where the insert position
 * points at the next record's start, it is the page boundary itself, which is where a
 * standby's replay of the last record ends (pg_last_wal_replay_lsn). Without that, after
 * a record that ends a page (or pg_switch_wal) an idle primary's position would be one no
 * standby reaches. The insert position, not the flush one: an asynchronous commit is
 * visible before its record is flushed. One row, one pg_lsn column.
 */
#define WAL_END_OF_RECORDS_SQL                                                              \
    "SELECT CASE WHEN (p.at - '0/0') % p.segment = 40 THEN p.at - 40"                       \
    " WHEN (p.at - '0/0') % p.page = 24 THEN p.at - 24 ELSE p.at END"                       \
    " FROM (SELECT pg_current_wal_insert_lsn() AS at,"                                      \
    " current_setting('wal_block_size')::numeric AS page,"                                  \
    " (SELECT setting::numeric FROM pg_settings WHERE name = 'wal_segment_size') AS segment) p"

/*
 * Reads text (two hexadecimal halves around "/", as PostgreSQL writes a pg_lsn) into
 * *out; false, *out untouched, for NULL or anything else.
 */
bool wal_position_parse(const char *text, uint64_t *out);

/* Raises *at to position when it is lower (several threads may raise it at once). */
void wal_position_raise(_Atomic uint64_t *at, uint64_t position);

#endif
