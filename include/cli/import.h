/* import.h: bulk loading of articles from NDJSON (one article object a line). */
#ifndef KHABAR_IMPORT_H
#define KHABAR_IMPORT_H

#include <stdio.h>

#include "infra/config.h"

/*
 * Loads each line of path as a POST body would be. A bad line loads nothing of
 * itself, is reported on err with its number and why, and does not stop the others.
 * Prints the count on out. Returns 0 when every line loaded, 1 when some were
 * refused, 2 when the file or the database could not be used at all. The database and
 * the rules an article must pass come from cfg.
 */
int import_file(const char *path, const struct config *cfg, FILE *out, FILE *err);

#endif
