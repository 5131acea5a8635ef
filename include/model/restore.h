/* restore.h: what a restore of an article's revision writes: the revision's content with
 * the article's present publication state. */
#ifndef KHABAR_RESTORE_H
#define KHABAR_RESTORE_H

#include <jansson.h>

/*
 * The input form (article_input_json_from_article_new) of an article restored from
 * revision_article onto current_article, both as GET answers them: every field is the
 * revision's except those a restore keeps as they are now: the slug (links already shared
 * keep working), the publication state (status, published_at, withdrawn_reason: a restore
 * never publishes, unpublishes or reschedules) and the corrections (the readers' record of
 * what was corrected). Caller owns the result.
 */
json_t *restore_input_new(const json_t *revision_article, const json_t *current_article);

#endif
