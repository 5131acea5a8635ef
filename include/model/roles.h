/* roles.h: the one rule of the roles that depends on an article's content: a writer writes
 * drafts only (the roles themselves: infra/roles.h). */
#ifndef KHABAR_MODEL_ROLES_H
#define KHABAR_MODEL_ROLES_H

#include "infra/roles.h"

/* What a write of an article needs: the role, and the action a refusal names. */
struct role_need {
    enum role role;
    const char *action; /* "publishing", "editing a published article", ...; NULL: writer */
};

/*
 * The role an article write needs. before is the stored status (NULL for a creation);
 * after the status written and published_at the time written (NULL: kept, or now). A
 * writer may write only what is a draft before and after; anything else needs an editor.
 */
struct role_need role_for_article_write(const char *before, const char *after,
                                        const char *published_at);

#endif
