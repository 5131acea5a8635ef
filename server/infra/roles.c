/* roles.c: the names of the roles, as the database and the command line spell them. */
#include "infra/roles.h"

#include <string.h>

static const char *const role_names[] = {
    [ROLE_NONE] = "none",
    [ROLE_WRITER] = "writer",
    [ROLE_EDITOR] = "editor",
    [ROLE_ADMIN] = "admin",
};

const char *role_name(enum role role)
{
    return role >= ROLE_NONE && role <= ROLE_ADMIN ? role_names[role] : "none";
}

bool role_parse(const char *name, enum role *out)
{
    for (enum role r = ROLE_WRITER; r <= ROLE_ADMIN; r++)
        if (name != NULL && strcmp(name, role_names[r]) == 0) {
            *out = r;
            return true;
        }
    return false;
}
