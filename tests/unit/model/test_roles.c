/* test_roles.c: unit tests of server/model/roles.c: what an article write needs (a writer
 * writes drafts only, before and after the write). */
#include "model/roles.h"

#include "unit.h"

static void needs(const char *before, const char *after, const char *at, enum role role,
                  const char *action)
{
    struct role_need n = role_for_article_write(before, after, at);
    check(n.role == role, action ? action : "a writer's write");
    check_str(n.action, action, "the action named");
}

static void test_article_writes(void **state)
{
    (void)state;
    needs(NULL, "draft", NULL, ROLE_WRITER, NULL);
    needs("draft", "draft", "2020-01-01T00:00:00Z", ROLE_WRITER, NULL);
    needs(NULL, "published", NULL, ROLE_EDITOR, "publishing");
    needs("draft", "published", "2020-01-01T00:00:00Z", ROLE_EDITOR, "publishing");
    needs("draft", "published", "2999-01-01T00:00:00Z", ROLE_EDITOR, "scheduling");
    needs(NULL, "withdrawn", NULL, ROLE_EDITOR, "withdrawing");
    needs("published", "draft", NULL, ROLE_EDITOR, "editing a published or scheduled article");
    needs("published", "published", NULL, ROLE_EDITOR, "editing a published or scheduled article");
    needs("withdrawn", "draft", NULL, ROLE_EDITOR, "editing a withdrawn article");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_article_writes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
