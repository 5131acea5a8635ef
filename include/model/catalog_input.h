/* catalog_input.h: the checks an author and a section must pass, and their input forms for a merge patch. */
#ifndef KHABAR_CATALOG_INPUT_H
#define KHABAR_CATALOG_INPUT_H

#include <jansson.h>

#include "db/db.h"
#include "model/image.h"

/* Limits of the API (documented in openapi.yaml). */
#define AUTHOR_BIO_MAX_CHARS 5000
#define SECTION_DESCRIPTION_MAX_CHARS 2000
#define SECTION_POSITION_MAX 1000000
#define FRONT_PINNED_MAX 20

/* A checked author or section: write points into doc, which this owns. */
struct author_input {
    json_t *doc;
    struct db_author_write write;
};
struct section_input {
    json_t *doc;
    struct db_section_write write;
};

/*
 * Checks obj as an author (name required, slug made from it unless sent, bio, avatar an
 * image) or a section (name, slug, description, position). Returns 0 and fills in
 * (release with *_input_free), or -1 after appending {"field", "message"} objects to errors.
 */
int author_input_from_json(const json_t *obj, const struct image_rules *rules,
                           struct author_input *in, json_t *errors);
void author_input_free(struct author_input *in);
int section_input_from_json(const json_t *obj, struct section_input *in, json_t *errors);
void section_input_free(struct section_input *in);

/* The input form of a stored author's or section's JSON (serialize.h): the fields a
 * client may send, the target a PATCH body is merged into. Caller owns the result. */
json_t *catalog_input_json_new(const json_t *stored);

/*
 * A front's pinned list: an array of at most FRONT_PINNED_MAX distinct article ids.
 * Returns it (caller owns), or NULL after appending errors.
 */
json_t *front_input_new(const json_t *obj, json_t *errors);

#endif
