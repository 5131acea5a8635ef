/* publication.h: an article's publication state as input: status, the reason for a withdrawal, corrections. */
#ifndef KHABAR_PUBLICATION_H
#define KHABAR_PUBLICATION_H

#include <jansson.h>

/* Limits of the API (documented in openapi.yaml). */
#define PUBLICATION_REASON_MAX_CHARS 1000
#define PUBLICATION_CORRECTIONS_MAX 50
#define PUBLICATION_CORRECTION_MAX_CHARS 2000

/*
 * Checks status, withdrawn_reason and corrections of an article's input obj into doc:
 * "status" (published when absent), "withdrawn_reason" (only when withdrawn, where it is
 * required) and "corrections" (the JSON text of [{"at", "text"}], a correction without
 * "at" dated now). Appends {"field", "message"} objects to errors; -1 on no memory.
 */
int publication_input(const json_t *obj, json_t *doc, json_t *errors);

#endif
