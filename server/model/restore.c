/* restore.c: the input a restore of an article's revision writes (see restore.h). */
#include "model/restore.h"

#include "model/article_input.h"

/* Kept as the article has them now: see restore.h for why. */
static const char *const kept_now[] = { "slug", "status", "published_at", "withdrawn_reason",
                                        "corrections", NULL };

json_t *restore_input_new(const json_t *revision_article, const json_t *current_article)
{
    json_t *out = article_input_json_from_article_new(revision_article);
    json_t *now = article_input_json_from_article_new(current_article);
    for (const char *const *k = kept_now; *k != NULL; k++) {
        json_t *v = json_object_get(now, *k);
        json_object_del(out, *k);
        if (v != NULL)
            json_object_set(out, *k, v);
    }
    json_decref(now);
    return out;
}
