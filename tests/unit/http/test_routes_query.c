/* test_routes_query.c: the query parameters each route takes, as the route table
 * (server/http/routes.c) declares them, and route_query_allows. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "http/routes.h"

/* The route for method and path, or NULL. */
static const struct route *route_of(const char *method, const char *path)
{
    char buf[256], allow[128];
    const struct route *found = NULL;
    const char *params[ROUTE_MAX_PARAMS] = { NULL, NULL };
    snprintf(buf, sizeof buf, "%s", path);
    return route_find(method, buf, &found, params, allow, sizeof allow) == ROUTE_FOUND ? found : NULL;
}

static size_t query_count(const struct route *r)
{
    size_t n = 0;
    while (r->query != NULL && r->query[n] != NULL)
        n++;
    return n;
}

static void test_article_list_takes_its_filters(void **state)
{
    (void)state;
    static const char *const names[] = { "tag", "source", "q", "from", "to", "lang", "limit", "cursor" };
    const struct route *r = route_of("GET", "/v1/articles");
    assert_non_null(r);
    assert_int_equal(query_count(r), 8);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        assert_true(route_query_allows(r, names[i]));
}

static void test_typos_and_other_names_are_not_taken(void **state)
{
    (void)state;
    const struct route *r = route_of("GET", "/v1/articles");
    assert_non_null(r);
    assert_false(route_query_allows(r, "tags"));
    assert_false(route_query_allows(r, "Tag"));
    assert_false(route_query_allows(r, "limit "));
    assert_false(route_query_allows(r, "lim"));
    assert_false(route_query_allows(r, ""));
}

static void test_name_lists_take_q_limit_cursor(void **state)
{
    (void)state;
    const char *const paths[] = { "/v1/tags", "/v1/sources" };
    for (size_t i = 0; i < 2; i++) {
        const struct route *r = route_of("GET", paths[i]);
        assert_non_null(r);
        assert_int_equal(query_count(r), 3);
        assert_true(route_query_allows(r, "q"));
        assert_true(route_query_allows(r, "limit"));
        assert_true(route_query_allows(r, "cursor"));
        assert_false(route_query_allows(r, "tag"));
        assert_false(route_query_allows(r, "lang"));
    }
}

static void test_single_resources_writes_and_probes_take_none(void **state)
{
    (void)state;
    static const char *const routes[][2] = {
        { "GET", "/v1" },           { "GET", "/v1/" },
        { "GET", "/v1/articles/7" }, { "GET", "/v1/articles/some-slug" },
        { "GET", "/v1/articles/7/related" }, { "GET", "/v1/tags/a-tag" },
        { "POST", "/v1/articles" }, { "PUT", "/v1/articles/7" },
        { "PATCH", "/v1/articles/7" }, { "DELETE", "/v1/articles/7" },
        { "PUT", "/v1/articles/7/related/8" }, { "DELETE", "/v1/articles/7/related/8" },
        { "GET", "/healthz" },      { "GET", "/readyz" },
        { "GET", "/metrics" },      { "GET", "/openapi.yaml" },
    };
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        const struct route *r = route_of(routes[i][0], routes[i][1]);
        assert_non_null(r);
        assert_int_equal(query_count(r), 0);
        assert_false(route_query_allows(r, "limit"));
        assert_false(route_query_allows(r, "q"));
    }
}

static void test_every_list_is_well_formed(void **state)
{
    (void)state;
    for (const struct route *r = route_table; r->method != NULL; r++) {
        size_t n = query_count(r);
        for (size_t i = 0; i < n; i++) {
            assert_true(r->query[i][0] != '\0');
            assert_true(route_query_allows(r, r->query[i]));
            for (size_t j = i + 1; j < n; j++)
                assert_string_not_equal(r->query[i], r->query[j]);
        }
        /* the parameter that sends a request to the search threads is one it takes */
        if (r->slow_with != NULL)
            assert_true(route_query_allows(r, r->slow_with));
        /* only reads take parameters */
        if (r->write)
            assert_int_equal(n, 0);
    }
}

static void test_the_index_is_at_v1(void **state)
{
    (void)state;
    const struct route *r = route_of("GET", "/v1");
    assert_non_null(r);
    assert_string_equal(r->name, "index");
    r = route_of("GET", "/v1/");
    assert_non_null(r);
    assert_string_equal(r->name, "index_slash");
    assert_null(route_of("GET", "/"));
    assert_null(route_of("GET", "/v1//"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_article_list_takes_its_filters),
        cmocka_unit_test(test_typos_and_other_names_are_not_taken),
        cmocka_unit_test(test_name_lists_take_q_limit_cursor),
        cmocka_unit_test(test_single_resources_writes_and_probes_take_none),
        cmocka_unit_test(test_every_list_is_well_formed),
        cmocka_unit_test(test_the_index_is_at_v1),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
