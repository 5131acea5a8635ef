/* roles.h: the roles a bearer token may have, their order and their names. */
#ifndef KHABAR_INFRA_ROLES_H
#define KHABAR_INFRA_ROLES_H

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
/* The role named name; false (*out untouched) when name is none of writer, editor, admin. */
bool role_parse(const char *name, enum role *out);

#endif
