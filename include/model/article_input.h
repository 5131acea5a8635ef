/* article_input.h: the checks an article must pass, and its input form for a merge patch. */
#ifndef KHABAR_ARTICLE_INPUT_H
#define KHABAR_ARTICLE_INPUT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "db/db.h"
#include "infra/config.h"
#include "model/formats.h"
#include "model/image.h"

/* Limits of the API (documented in openapi.yaml). */
#define ARTICLE_TITLE_MAX_CHARS 500
#define ARTICLE_SUMMARY_MAX_CHARS 2000
#define ARTICLE_BODY_MAX_BYTES (1024 * 1024)
#define ARTICLE_LANG_MAX_CHARS FORMAT_LANG_TAG_MAX_CHARS
#define ARTICLE_TAGS_MAX 50
#define ARTICLE_TAG_MAX_CHARS 100
#define ARTICLE_SOURCES_MAX 20
#define ARTICLE_SOURCE_MAX_CHARS 200
#define ARTICLE_RELATED_MAX 50
#define ARTICLE_AUTHORS_MAX 20
/* An author's or a section's name (model/catalog_input.h) */
#define CATALOG_NAME_MAX_CHARS 200

/*
 * A checked article, ready for the database: write is what db_article_create and
 * db_article_replace take. Every string and list of write points into doc, which this
 * owns; article_input_free releases it.
 */
struct article_input {
    json_t *doc;
    struct db_article_write write;
};

/* What configuration decides about an article's input. */
struct article_rules {
    struct image_rules image;
};
/* The rules cfg sets (it must outlive them). */
struct article_rules article_rules_of(const struct config *cfg);

/*
 * Checks obj as an article (POST and PUT bodies, and the result of a merge patch).
 * Returns 0 and fills in (release with article_input_free), or -1 after appending one
 * {"field", "message"} object per problem to errors. self_id, when not 0, is the
 * article being written (it may not list itself as related).
 */
int article_input_from_json(const json_t *obj, int64_t self_id, const struct article_rules *rules,
                            struct article_input *in, json_t *errors);
void article_input_free(struct article_input *in);

/*
 * The input form of a stored article (as db_article_get returns it): the fields a
 * client may send, with tag and source names and related ids, the target a PATCH body is
 * merged into (khabar_json_merge_patch, strict_json.h). Caller owns the result.
 */
json_t *article_input_json_from_article_new(const json_t *article);

#endif
