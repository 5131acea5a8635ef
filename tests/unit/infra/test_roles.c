/* test_roles.c: unit tests of server/infra/roles.c: the roles' names and their order. */
#include "infra/roles.h"

#include "unit.h"

static void test_names(void **state)
{
    (void)state;
    enum role r = ROLE_NONE;
    check(role_parse("writer", &r) && r == ROLE_WRITER, "parse: writer");
    check(role_parse("editor", &r) && r == ROLE_EDITOR, "parse: editor");
    check(role_parse("admin", &r) && r == ROLE_ADMIN, "parse: admin");
    r = ROLE_WRITER;
    check(!role_parse("none", &r) && !role_parse("Editor", &r) && !role_parse("", &r) &&
              !role_parse(NULL, &r) && r == ROLE_WRITER, "parse: anything else refused, nothing set");
    check_str(role_name(ROLE_EDITOR), "editor", "name: editor");
    check(ROLE_NONE < ROLE_WRITER && ROLE_WRITER < ROLE_EDITOR && ROLE_EDITOR < ROLE_ADMIN,
          "order: admin > editor > writer > none");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
