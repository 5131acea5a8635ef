/* internal.h: the field checks the model's input files share: errors as {"field", "message"} objects. */
#ifndef KHABAR_MODEL_INTERNAL_H
#define KHABAR_MODEL_INTERNAL_H

#include <jansson.h>
#include <stddef.h>

/* Appends {"field": field, "message": message} to errors. */
void input_error(json_t *errors, const char *field, const char *message);
/* Reads a string field; absent or null leave *out NULL. Returns -1 (error added) on a wrong type. */
int input_string(const json_t *obj, const char *field, const char **out, json_t *errors);
/* A trimmed copy of a text field (value may be NULL), checked for blankness when required and
 * for length; NULL after adding an error, or when an optional one is absent or blank. */
char *input_text_new(const char *field, const char *value, size_t max_chars, int required,
                     json_t *errors);

/* Adds an error for every member of obj not in writable ("is read-only" for those in
 * read_only; both NULL-terminated); what names the thing ("an author"). */
void input_check_known(const json_t *obj, const char *const *writable, const char *const *read_only,
                       const char *what, json_t *errors);

#endif
