/* test_routes.c: unit tests of server/http/routes.c. The endpoints are those of openapi.yaml;
 * 404 vs 405 and Allow follow routes.h and RFC 9110; the query parameters each route takes are
 * those its handler reads.
 */
#include "http/routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#define ALLOW_ARTICLES "GET, HEAD, POST, OPTIONS"
#define ALLOW_ARTICLE "GET, HEAD, PUT, PATCH, DELETE, OPTIONS"
#define ALLOW_READ_ONLY "GET, HEAD, OPTIONS"
#define ALLOW_LINK "PUT, DELETE, OPTIONS"

/* One lookup: method, path; the copy of the path is kept so params can be checked. */
struct lookup {
    char path[1024];
    const struct route *route;
    const char *params[ROUTE_MAX_PARAMS];
    char allow[128];
    enum route_match match;
};

static void find(struct lookup *l, const char *method, const char *path)
{
    snprintf(l->path, sizeof l->path, "%s", path);
    l->route = NULL;
    l->params[0] = l->params[1] = NULL;
    memset(l->allow, 'x', sizeof l->allow - 1);
    l->allow[sizeof l->allow - 1] = '\0';
    l->match = route_find(method, l->path, &l->route, l->params, l->allow, sizeof l->allow);
}

/* A request that must reach route name with the given params (NULL: none). */
static void check_found(const char *method, const char *path, const char *name,
                        const char *p0, const char *p1)
{
    struct lookup l;
    char label[1200];
    find(&l, method, path);
    snprintf(label, sizeof label, "found: %s %s", method, path);
    check(l.match == ROUTE_FOUND && l.route != NULL, label);
    snprintf(label, sizeof label, "found: %s %s is %s", method, path, name);
    check_str(l.route ? l.route->name : NULL, name, label);
    snprintf(label, sizeof label, "found: %s %s param 0", method, path);
    check_str(l.params[0], p0, label);
    snprintf(label, sizeof label, "found: %s %s param 1", method, path);
    check_str(l.params[1], p1, label);
}

/* A path that exists, asked with a method it does not have: 405 with exactly allow. */
static void check_wrong_method(const char *method, const char *path, const char *allow)
{
    struct lookup l;
    char label[1200];
    find(&l, method, path);
    snprintf(label, sizeof label, "405: %s %s", method, path);
    check(l.match == ROUTE_WRONG_METHOD && l.route == NULL, label);
    snprintf(label, sizeof label, "405: %s %s Allow", method, path);
    check_str(l.allow, allow, label);
}

static void check_not_found(const char *method, const char *path, const char *label_path)
{
    struct lookup l;
    char label[1200];
    find(&l, method, path);
    snprintf(label, sizeof label, "404: %s %s", method, label_path ? label_path : path);
    check(l.match == ROUTE_NOT_FOUND && l.route == NULL, label);
}

static void test_every_route(void **state)
{
    (void)state;
    check_found("GET", "/v1/articles", "articles_list", NULL, NULL);
    check_found("GET", "/", "web_home", NULL, NULL);
    check_found("GET", "/articles/x", "web_article", "x", NULL);
    check_found("GET", "/search", "web_search", NULL, NULL);
    check_found("GET", "/web/style.css", "web_asset", "style.css", NULL);
    check_found("GET", "/web/src/app.js", "web_asset_in", "src", "app.js");
    check_found("POST", "/v1/articles", "articles_create", NULL, NULL);
    check_found("GET", "/v1/articles/42", "articles_get", "42", NULL);
    check_found("GET", "/v1/articles/some-slug", "articles_get", "some-slug", NULL);
    check_found("PUT", "/v1/articles/42", "articles_replace", "42", NULL);
    check_found("PATCH", "/v1/articles/42", "articles_patch", "42", NULL);
    check_found("DELETE", "/v1/articles/42", "articles_delete", "42", NULL);
    check_found("GET", "/v1/articles/42/related", "related_list", "42", NULL);
    check_found("PUT", "/v1/articles/42/related/43", "related_add", "42", "43");
    check_found("DELETE", "/v1/articles/42/related/43", "related_remove", "42", "43");
    check_found("GET", "/v1/articles/42/revisions", "revisions_list", "42", NULL);
    check_found("GET", "/v1/articles/42/revisions/3", "revisions_get", "42", "3");
    check_found("POST", "/v1/articles/42/revisions/3/restore", "revisions_restore", "42", "3");
    check_found("GET", "/v1/tags", "tags_list", NULL, NULL);
    check_found("GET", "/v1/tags/كوريا-الشمالية", "tags_get", "كوريا-الشمالية", NULL);
    check_found("GET", "/v1/sources", "sources_list", NULL, NULL);
    check_found("GET", "/healthz", "healthz", NULL, NULL);
    check_found("GET", "/readyz", "readyz", NULL, NULL);
    check_found("GET", "/metrics", "metrics", NULL, NULL);
    check_found("GET", "/openapi.yaml", "openapi", NULL, NULL);
    check_found("GET", "/v1", "index", NULL, NULL);
}

static void test_head(void **state)
{
    (void)state;
    check_found("HEAD", "/v1/articles", "articles_list", NULL, NULL);
    check_found("HEAD", "/v1/articles/42", "articles_get", "42", NULL);
    check_found("HEAD", "/v1/articles/42/related", "related_list", "42", NULL);
    check_found("HEAD", "/v1/tags", "tags_list", NULL, NULL);
    check_found("HEAD", "/v1/tags/x", "tags_get", "x", NULL);
    check_found("HEAD", "/v1/sources", "sources_list", NULL, NULL);
    check_found("HEAD", "/healthz", "healthz", NULL, NULL);
    check_found("HEAD", "/readyz", "readyz", NULL, NULL);
    check_found("HEAD", "/metrics", "metrics", NULL, NULL);
    check_found("HEAD", "/openapi.yaml", "openapi", NULL, NULL);
    /* HEAD where there is no GET is a wrong method */
    check_wrong_method("HEAD", "/v1/articles/42/related/43", ALLOW_LINK);
}

static void test_wrong_method(void **state)
{
    (void)state;
    check_wrong_method("PUT", "/v1/articles", ALLOW_ARTICLES);
    check_wrong_method("DELETE", "/v1/articles", ALLOW_ARTICLES);
    check_wrong_method("PATCH", "/v1/articles", ALLOW_ARTICLES);
    check_wrong_method("POST", "/v1/articles/5", ALLOW_ARTICLE);
    check_wrong_method("OPTIONS", "/v1/articles/5", ALLOW_ARTICLE);
    check_wrong_method("OPTIONS", "/v1/articles", ALLOW_ARTICLES);
    check_wrong_method("POST", "/v1/articles/5/related", ALLOW_READ_ONLY);
    check_wrong_method("DELETE", "/v1/articles/5/related", ALLOW_READ_ONLY);
    check_wrong_method("GET", "/v1/articles/5/related/6", ALLOW_LINK);
    check_wrong_method("POST", "/v1/articles/5/related/6", ALLOW_LINK);
    check_wrong_method("OPTIONS", "/v1/articles/5/related/6", ALLOW_LINK);
    check_wrong_method("POST", "/v1/tags", ALLOW_READ_ONLY);
    check_wrong_method("DELETE", "/v1/tags/x", ALLOW_READ_ONLY);
    check_wrong_method("PUT", "/v1/sources", ALLOW_READ_ONLY);
    check_wrong_method("POST", "/healthz", ALLOW_READ_ONLY);
    check_wrong_method("OPTIONS", "/readyz", ALLOW_READ_ONLY);
    check_wrong_method("DELETE", "/metrics", ALLOW_READ_ONLY);
    check_wrong_method("PUT", "/openapi.yaml", ALLOW_READ_ONLY);
    check_wrong_method("TRACE", "/v1/articles/5", ALLOW_ARTICLE);
    /* method names are case-sensitive (RFC 9110 9.1) */
    check_wrong_method("get", "/v1/articles", ALLOW_ARTICLES);
    check_wrong_method("Get", "/v1/articles/5", ALLOW_ARTICLE);
}

static void test_not_found(void **state)
{
    (void)state;
    char many[256] = "";
    for (int i = 0; i < 20; i++)
        strcat(many, "/a");
    check_not_found("GET", "", "(empty path)");
    check_not_found("GET", "v1/articles", NULL);
    check_not_found("GET", "xv1/articles", NULL);
    check_not_found("GET", "xhealthz", NULL);
    check_not_found("GET", "/articles/", NULL);
    check_not_found("GET", "/web/src/a/b", NULL);
    check_not_found("GET", "/search/", NULL);
    check_not_found("GET", "/v1//", NULL);
    check_not_found("GET", "/v1/articles/", NULL);
    check_not_found("POST", "/v1/articles/", NULL);
    check_not_found("GET", "//v1/articles", NULL);
    check_not_found("GET", "/v1//articles", NULL);
    check_not_found("GET", "/v1/articles//related", NULL);
    check_not_found("PUT", "/v1/articles/5/related/", NULL);
    check_not_found("GET", "/v1/articles/5/related/", NULL);
    check_not_found("PUT", "/v1/articles//related/6", NULL);
    check_not_found("PUT", "/v1/articles/5/related/6/7", NULL);
    check_not_found("GET", "/v1/articles/5/related/6/7", NULL);
    check_not_found("GET", "/v1/tags/", NULL);
    check_not_found("GET", "/v1/tags/a/b", NULL);
    check_not_found("GET", "/v1/Articles", NULL);
    check_not_found("GET", "/V1/articles", NULL);
    check_not_found("GET", "/v2/articles", NULL);
    check_not_found("GET", "/v1/articlesx", NULL);
    check_not_found("GET", "/v1/article", NULL);
    check_not_found("GET", "/healthz/", NULL);
    check_not_found("GET", "/healthzz", NULL);
    check_not_found("GET", "/openapi.yml", NULL);
    check_not_found("GET", "/v1/sources/x", NULL);
    check_not_found("GET", "/v1/articles/5/tags", NULL);
    check_not_found("GET", "/v1/articles/5/related/6/7/8/9/10", NULL);
    check_not_found("GET", many, "(20 segments)");
    check_not_found("OPTIONS", many, "(20 segments, OPTIONS)");
    check_not_found("OPTIONS", "/nowhere", NULL);

    /* a 404 leaves Allow empty */
    struct lookup l;
    find(&l, "GET", "/nowhere");
    check_str(l.allow, "", "404: Allow left empty");
}

static void test_params(void **state)
{
    (void)state;
    struct lookup l;
    const char *slug = "بيسكوف-الاستعدادات-جارية";
    char path[256];
    snprintf(path, sizeof path, "/v1/articles/%s", slug);
    find(&l, "GET", path);
    check(l.match == ROUTE_FOUND, "params: raw UTF-8 slug found");
    check_str(l.params[0], slug, "params: raw UTF-8 slug kept byte for byte");
    check(l.params[0] == l.path + strlen("/v1/articles/"),
          "params: the param points into path_buf");

    snprintf(path, sizeof path, "/v1/articles/%s/related/%s", slug, "كوريا");
    find(&l, "DELETE", path);
    check(l.match == ROUTE_FOUND, "params: two UTF-8 params found");
    check_str(l.params[0], slug, "params: first of two");
    check_str(l.params[1], "كوريا", "params: second of two");
    check(l.params[0] == l.path + strlen("/v1/articles/") &&
              l.params[1] == l.path + strlen("/v1/articles/") + strlen(slug) +
                                 strlen("/related/"),
          "params: both point at their segments in path_buf");

    /* params are whole segments, whatever they hold */
    check_found("GET", "/v1/articles/%D8%A8", "articles_get", "%D8%A8", NULL);
    check_found("GET", "/v1/articles/a.b", "articles_get", "a.b", NULL);
    check_found("GET", "/v1/articles/related", "articles_get", "related", NULL);
    check_found("GET", "/v1/articles/articles/related", "related_list", "articles", NULL);
    check_found("PUT", "/v1/articles/-1/related/0", "related_add", "-1", "0");
    check_found("GET", "/v1/tags/related", "tags_get", "related", NULL);
}

static void test_allow_buffer(void **state)
{
    (void)state;
    char path[64], allow[16];
    const struct route *r;
    const char *params[ROUTE_MAX_PARAMS];
    memset(allow, '#', sizeof allow);
    strcpy(path, "/v1/articles/5");
    enum route_match m = route_find("POST", path, &r, params, allow, 8);
    check(m == ROUTE_WRONG_METHOD, "allow: small buffer still 405");
    check(memchr(allow, '\0', 8) != NULL, "allow: small buffer NUL-terminated");
    check(allow[8] == '#' && allow[15] == '#', "allow: nothing written past allow_size");
    check(strncmp(allow, ALLOW_ARTICLE, strlen(allow)) == 0,
          "allow: small buffer holds a prefix of the list");
}

static void test_table(void **state)
{
    (void)state;
    static const char *const methods[] = { "GET", "POST", "PUT", "PATCH", "DELETE", NULL };
    size_t n = 0;
    int dup = 0, bad_method = 0, bad_write = 0, bad_path = 0, no_handler = 0;
    for (const struct route *r = route_table; r->method != NULL; r++, n++) {
        int known = 0;
        for (const char *const *m = methods; *m; m++)
            known |= strcmp(*m, r->method) == 0;
        if (!known) {
            printf("# unexpected method %s %s\n", r->method, r->path);
            bad_method = 1;
        }
        /* writes need a bearer token of a role, and name what a 403 refuses; reads are
         * public (openapi.yaml) */
        if ((r->role != ROLE_NONE) != (strcmp(r->method, "GET") != 0) ||
            (r->role != ROLE_NONE && r->action == NULL)) {
            printf("# role of %s %s is %s\n", r->method, r->path, role_name(r->role));
            bad_write = 1;
        }
        if (r->path == NULL || r->path[0] != '/' || r->name == NULL)
            bad_path = 1;
        if (r->handler == NULL)
            no_handler = 1;
        for (const struct route *s = route_table; s < r; s++)
            if (strcmp(s->method, r->method) == 0 && strcmp(s->path, r->path) == 0) {
                printf("# duplicate route %s %s\n", r->method, r->path);
                dup = 1;
            }
        for (const struct route *s = route_table; s < r; s++)
            if (strcmp(s->name, r->name) == 0)
                dup = 2;
    }
    check(dup != 1, "table: no two routes with the same method and path");
    check(dup != 2, "table: route names are distinct (logs and metrics)");
    check(!bad_method, "table: only GET, POST, PUT, PATCH, DELETE");
    check(!bad_write, "table: write routes are exactly the non-GET ones");
    check(!bad_path && !no_handler, "table: every route has a path, a name and a handler");
    check(n == 54, "table: the 54 routes of the API and its frontend, no more");

    /* every table entry is reachable with its own method (no route shadowed by another) */
    int unreachable = 0;
    for (const struct route *r = route_table; r->method != NULL; r++) {
        struct lookup l;
        char concrete[256] = "";
        const char *p = r->path;
        while (*p) {
            if (*p == ':') {
                strcat(concrete, "7");
                while (*p && *p != '/')
                    p++;
            } else {
                strncat(concrete, p++, 1);
            }
        }
        find(&l, r->method, concrete);
        if (l.match != ROUTE_FOUND || l.route != r) {
            printf("# %s %s does not reach its own entry\n", r->method, r->path);
            unreachable = 1;
        }
    }
    check(!unreachable, "table: every entry reachable");
}

/* ---- the query parameters of each route ---- */

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
    static const char *const names[] = { "tag", "source", "author", "section", "q", "from", "to",
                                         "lang", "status", "sort", "limit", "cursor", "facets",
                                         "facet_limit" };
    const struct route *r = route_of("GET", "/v1/articles");
    assert_non_null(r);
    assert_int_equal(query_count(r), 14);
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

static void test_revision_list_takes_limit_cursor(void **state)
{
    (void)state;
    const struct route *r = route_of("GET", "/v1/articles/7/revisions");
    assert_non_null(r);
    assert_int_equal(query_count(r), 2);
    assert_true(route_query_allows(r, "limit"));
    assert_true(route_query_allows(r, "cursor"));
    assert_false(route_query_allows(r, "q"));
    assert_false(r->cached); /* editors' answers are never kept */
}

static void test_single_resources_writes_and_probes_take_none(void **state)
{
    (void)state;
    static const char *const routes[][2] = {
        { "GET", "/v1" },
        { "GET", "/v1/articles/7" }, { "GET", "/v1/articles/some-slug" },
        { "GET", "/v1/articles/7/related" }, { "GET", "/v1/tags/a-tag" },
        { "POST", "/v1/articles" }, { "PUT", "/v1/articles/7" },
        { "PATCH", "/v1/articles/7" }, { "DELETE", "/v1/articles/7" },
        { "PUT", "/v1/articles/7/related/8" }, { "DELETE", "/v1/articles/7/related/8" },
        { "GET", "/v1/articles/7/revisions/2" }, { "POST", "/v1/articles/7/revisions/2/restore" },
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
        if (r->role != ROLE_NONE)
            assert_int_equal(n, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_route),
        cmocka_unit_test(test_head),
        cmocka_unit_test(test_wrong_method),
        cmocka_unit_test(test_not_found),
        cmocka_unit_test(test_params),
        cmocka_unit_test(test_allow_buffer),
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_article_list_takes_its_filters),
        cmocka_unit_test(test_typos_and_other_names_are_not_taken),
        cmocka_unit_test(test_name_lists_take_q_limit_cursor),
        cmocka_unit_test(test_revision_list_takes_limit_cursor),
        cmocka_unit_test(test_single_resources_writes_and_probes_take_none),
        cmocka_unit_test(test_every_list_is_well_formed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
