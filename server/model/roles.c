/* roles.c: what a write of an article needs: a writer writes drafts only. */
#include "model/roles.h"

#include <string.h>
#include <time.h>

/* True when an RFC 3339 time (already checked) is later than now: the article would be
 * scheduled rather than public. The text is compared as UTC: an offset shifts it by at
 * most a day, which only changes which word a refusal uses. */
static bool is_ahead(const char *published_at)
{
    char now[32];
    time_t t = time(NULL);
    struct tm tm;
    if (published_at == NULL || gmtime_r(&t, &tm) == NULL ||
        strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
        return false;
    return strncmp(published_at, now, strlen(now)) > 0;
}

struct role_need role_for_article_write(const char *before, const char *after,
                                        const char *published_at)
{
    static const struct role_need writer = { ROLE_WRITER, NULL };
    if (before != NULL && strcmp(before, "draft") != 0)
        return (struct role_need){ ROLE_EDITOR, strcmp(before, "withdrawn") == 0
                                                    ? "editing a withdrawn article"
                                                    : "editing a published or scheduled article" };
    if (after == NULL || strcmp(after, "draft") == 0)
        return writer;
    if (strcmp(after, "withdrawn") == 0)
        return (struct role_need){ ROLE_EDITOR, "withdrawing" };
    return (struct role_need){ ROLE_EDITOR, is_ahead(published_at) ? "scheduling" : "publishing" };
}
