/* rekey.h: stored search vectors and keys recomputed when the text rules change (khabar migrate). */
#ifndef KHABAR_REKEY_H
#define KHABAR_REKEY_H

#include <stddef.h>
#include <stdio.h>

#include <libpq-fe.h>

/*
 * Recomputes, on conn (which holds the migration lock), every kind of row whose text
 * rules version (table text_rules) is older than TEXT_RULES_VERSION: tags' slugs and
 * sources' keys (two that now share a key are merged into the older, its articles
 * moved), authors' and sections' slug keys and articles' slug keys (one whose new key
 * another row has keeps its old one) and articles' search vectors. Batches of rows in
 * their own transactions, each noting the last id done: a stopped run goes on from
 * there, and a finished one does nothing again. Prints what it did and what it kept
 * to out. Returns 0, or -1 with the reason in err.
 */
int rekey_run(PGconn *conn, FILE *out, char *err, size_t err_size);

#endif
