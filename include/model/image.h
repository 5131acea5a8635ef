/* image.h: an article's lead image as input (metadata only: the bytes live where the URL says). */
#ifndef KHABAR_IMAGE_H
#define KHABAR_IMAGE_H

#include <jansson.h>
#include <stddef.h>

/* Limits of the API (documented in openapi.yaml). */
#define IMAGE_URL_MAX_BYTES 2048
#define IMAGE_ALT_MAX_CHARS 1000
#define IMAGE_CAPTION_MAX_CHARS 2000
#define IMAGE_CREDIT_MAX_CHARS 500
#define IMAGE_MAX_PIXELS 100000
#define IMAGE_RENDITIONS_MAX 20

/* What configuration decides about images: the URL schemes allowed (IMAGE_URL_SCHEMES). */
struct image_rules {
    char *const *schemes;
    size_t scheme_count;
};

/*
 * The image of an article's input (in may be NULL: absent) in the form khabar stores:
 * {"url", "alt", "caption", "credit", "width", "height", "renditions": [{"url", "width",
 * "height"}]}, texts trimmed and absent members null. json_null() when in is absent or
 * null; NULL after appending {"field", "message"} objects to errors. Caller owns the result.
 */
json_t *image_input_new(const json_t *in, const struct image_rules *rules, json_t *errors);
/* The same for an image in another field (an author's avatar): errors name field. */
json_t *image_input_named_new(const json_t *in, const char *field, const struct image_rules *rules,
                              json_t *errors);

#endif
