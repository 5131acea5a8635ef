/* token.h: `khabar token create|list|revoke`: the bearer tokens kept in the database. */
#ifndef KHABAR_CLI_TOKEN_H
#define KHABAR_CLI_TOKEN_H

#include <stdio.h>

#include "infra/config.h"

/*
 * Runs `khabar token ARGS...` (argv[0] is the subcommand) against cfg's database. create
 * prints the new token alone on out (so that a shell can capture it), everything else on
 * err. Returns 0 on success, 1 when the database refused or could not be reached, 2 on a
 * bad command line (a name or role that cannot be).
 */
int token_command(int argc, char **argv, const struct config *cfg, FILE *out, FILE *err);

#endif
