/* webhook_input.c: the field checks of a webhook endpoint. */
#include "model/webhook_input.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

const char *const webhook_event_types[] = { "article.published", "article.updated",
                                            "article.withdrawn", "article.deleted", NULL };

static bool known_event(const char *name)
{
    for (const char *const *t = webhook_event_types; *t != NULL; t++)
        if (strcmp(*t, name) == 0)
            return true;
    return false;
}

/* The events as a PostgreSQL text array into out; an error for anything else. */
static void check_events(const json_t *v, char *out, size_t size, json_t *errors)
{
    size_t i, used = 0;
    const json_t *e;
    if (!json_is_array(v) || json_array_size(v) == 0) {
        input_error(errors, "events", "must be a non-empty list of event types");
        return;
    }
    json_array_foreach(v, i, e) {
        const char *name = json_string_value(e);
        bool repeated = false;
        for (size_t k = 0; name != NULL && k < i; k++)
            repeated |= strcmp(json_string_value(json_array_get(v, k)), name) == 0;
        if (name == NULL || !known_event(name) || repeated) {
            input_error(errors, "events", repeated ? "names an event twice"
                                                   : "holds what is not article.published, "
                                                     "article.updated, article.withdrawn or article.deleted");
            return;
        }
        used += (size_t)snprintf(out + used, size - used, "%s%s", i ? "," : "{", name);
    }
    snprintf(out + used, size - used, "}");
}

static char *check_url(const json_t *v, json_t *errors)
{
    const char *url = json_string_value(v);
    size_t n = url ? strlen(url) : 0;
    if (url == NULL || n > WEBHOOK_URL_MAX_BYTES ||
        (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0) ||
        strpbrk(url, " \t\r\n\"<>\\^`{|}") != NULL) {
        input_error(errors, "url", "must be an http or https URL of at most 2048 bytes");
        return NULL;
    }
    return strdup(url);
}

int webhook_input_from_json(const json_t *obj, bool patch, struct webhook_input *in, json_t *errors)
{
    static const char *const writable[] = { "url", "events", "description", "enabled", NULL };
    static const char *const read_only[] = { "id", "secret", "disabled_reason", "last_error",
                                             "last_error_at", "last_success_at", "created_at",
                                             "updated_at", "pending", NULL };
    size_t before = json_array_size(errors);
    const char *desc = NULL;
    memset(in, 0, sizeof *in);
    in->write.enabled = -1;
    if (!json_is_object(obj)) {
        input_error(errors, "", "must be a JSON object");
        return -1;
    }
    input_check_known(obj, writable, read_only, "a webhook", errors);
    const json_t *url = json_object_get(obj, "url"), *events = json_object_get(obj, "events");
    const json_t *enabled = json_object_get(obj, "enabled");
    if (url != NULL || !patch)
        in->url = check_url(url, errors);
    if (events != NULL || !patch)
        check_events(events, in->events, sizeof in->events, errors);
    in->write.description_set = json_object_get(obj, "description") != NULL;
    if (input_string(obj, "description", &desc, errors) == 0 && desc != NULL)
        in->description = input_text_new("description", desc, WEBHOOK_DESCRIPTION_MAX_CHARS, 0, errors);
    if (enabled != NULL && (!patch || !json_is_boolean(enabled)))
        input_error(errors, "enabled", patch ? "must be true or false" : "is set with PATCH, once created");
    else if (enabled != NULL)
        in->write.enabled = json_is_true(enabled);
    in->write.url = in->url;
    in->write.events = in->events[0] ? in->events : NULL;
    in->write.description = in->description;
    if (json_array_size(errors) == before)
        return 0;
    webhook_input_free(in);
    return -1;
}

void webhook_input_free(struct webhook_input *in)
{
    free(in->url);
    free(in->description);
    memset(in, 0, sizeof *in);
    in->write.enabled = -1;
}
