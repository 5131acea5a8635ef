/* test_article_facets.c: unit tests of server/handlers/article_facets.c, the facets and
 * facet_limit arguments of GET /v1/articles as openapi.yaml states them. */
#include "../../../server/handlers/article_list.h"

#include "unit.h"

static bool read_args(const char *facets, const char *limit, struct facet_args *out)
{
    char detail[192];
    return facet_args_read(facets, limit, out, detail, sizeof detail);
}

static void test_facets_in_any_order_and_subset(void **state)
{
    (void)state;
    struct facet_args a;
    assert_true(read_args("section,tag", NULL, &a));
    assert_string_equal(a.kinds, "{section,tag}");
    assert_true(a.asked[0] && !a.asked[1] && !a.asked[2] && a.asked[3]);
    assert_int_equal(a.limit, FACET_LIMIT_DEFAULT);
    assert_true(read_args("tag,source,author,section", "50", &a));
    assert_string_equal(a.kinds, "{tag,source,author,section}");
    assert_int_equal(a.limit, 50);
    assert_true(read_args(NULL, NULL, &a));
    assert_string_equal(a.kinds, "");
}

static void test_bad_facets_are_refused(void **state)
{
    (void)state;
    struct facet_args a;
    static const char *const bad[] = { "", ",", "tag,", ",tag", "tag,tag", "Tag", "tags",
                                       "tag,source,author,section,tag", "tag;source", "tag source" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(read_args(bad[i], NULL, &a));
}

static void test_bad_facet_limits_are_refused(void **state)
{
    (void)state;
    struct facet_args a;
    static const char *const bad[] = { "0", "51", "-1", "+5", "5x", "", "1.5", "0050", "99999999999" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(read_args("tag", bad[i], &a));
    assert_false(read_args(NULL, "5", &a)); /* facet_limit only with facets */
    assert_true(read_args("tag", "1", &a));
    assert_int_equal(a.limit, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_facets_in_any_order_and_subset),
        cmocka_unit_test(test_bad_facets_are_refused),
        cmocka_unit_test(test_bad_facet_limits_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
