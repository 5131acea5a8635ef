/* roles.h: what each role of a token may do: the roles, their order, and the one rule that
 * depends on an article's content (a writer writes drafts only). */
#ifndef KHABAR_MODEL_ROLES_H
#define KHABAR_MODEL_ROLES_H

#include <stdbool.h>

/* Ordered: each role may do everything the ones before it may (admin ⊇ editor ⊇ writer). */
enum role {
    ROLE_NONE = 0, /* no valid token: the public */
    ROLE_WRITER,   /* creates and edits drafts */
    ROLE_EDITOR,   /* also publishes, schedules, withdraws, deletes; authors, sections, links */
    ROLE_ADMIN,    /* also manages the service's own settings (webhooks) */
};

/* "writer", "editor", "admin" ("none" for ROLE_NONE). */
const char *role_name(enum role role);
/* The role named name; false when name is none of writer, editor, admin. */
bool role_parse(const char *name, enum role *out);

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
