/* webhook_input.h: the checks a webhook endpoint must pass: its URL, the events it takes, its description. */
#ifndef KHABAR_WEBHOOK_INPUT_H
#define KHABAR_WEBHOOK_INPUT_H

#include <jansson.h>
#include <stdbool.h>

#include "db/db.h"

/* Limits of the API (documented in openapi.yaml). */
#define WEBHOOK_URL_MAX_BYTES 2048
#define WEBHOOK_DESCRIPTION_MAX_CHARS 500

/* The events an endpoint may take, NULL-terminated. */
extern const char *const webhook_event_types[];

/* A checked endpoint: write points into this struct's own strings. */
struct webhook_input {
    struct db_webhook_write write;
    char *url, *description;
    char events[160]; /* a PostgreSQL text array of the events */
};

/*
 * Checks obj as a new endpoint (patch false: url and events required, enabled not taken)
 * or as a merge patch of one (each field optional; description null clears it; enabled a
 * boolean). url: http or https, at most WEBHOOK_URL_MAX_BYTES; events: a non-empty list
 * of distinct webhook_event_types. Returns 0 and fills in (webhook_input_free), or -1
 * after appending {"field", "message"} objects to errors.
 */
int webhook_input_from_json(const json_t *obj, bool patch, struct webhook_input *in, json_t *errors);
void webhook_input_free(struct webhook_input *in);

#endif
