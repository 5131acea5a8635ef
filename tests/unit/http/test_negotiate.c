/* test_negotiate.c: unit tests of server/http/negotiate.c: the media type an Accept header
 * picks among those a resource has, by RFC 9110 section 12.5.1 (weights, the most specific
 * range deciding, q=0 refusing, ties to the server's order) and malformed headers. */
#include "http/negotiate.h"

#include "unit.h"

static const char *const article[] = { "application/json", "application/ld+json", NULL };

#define picks(accept, want) check_str(negotiate_media_type(accept, article), want, accept ? accept : "(none)")

static void test_no_preference_takes_the_default(void **state)
{
    (void)state;
    picks(NULL, "application/json");
    picks("", "application/json");
    picks("  ", "application/json");
    picks("*/*", "application/json");
    picks("application/*", "application/json");
    /* a browser's navigation */
    picks("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/json");
}

static void test_an_exact_type_is_taken(void **state)
{
    (void)state;
    picks("application/ld+json", "application/ld+json");
    picks("APPLICATION/LD+JSON", "application/ld+json");
    picks("application/json", "application/json");
    picks("application/ld+json; profile=\"https://schema.org\"", "application/ld+json");
    picks(" application/ld+json ;q=1 ", "application/ld+json");
}

static void test_weights_decide(void **state)
{
    (void)state;
    picks("application/json;q=0.5, application/ld+json", "application/ld+json");
    picks("application/json;q=0.5, application/ld+json;q=0.4", "application/json");
    picks("application/ld+json;q=0.9, */*;q=0.1", "application/ld+json");
    picks("application/json;q=0.001,application/ld+json;q=0.002", "application/ld+json");
    /* equal weights: the server's order */
    picks("application/ld+json, application/json", "application/json");
    picks("application/ld+json;Q=0.7, application/json;q=0.7", "application/json");
}

static void test_the_most_specific_range_decides(void **state)
{
    (void)state;
    /* the weight of the any-type range does not lift a type its own range ranks lower */
    picks("application/json;q=0.1, */*", "application/ld+json");
    picks("application/ld+json;q=0.1, application/*;q=0.5", "application/json");
    picks("application/*;q=0.2, application/ld+json", "application/ld+json");
}

static void test_zero_refuses(void **state)
{
    (void)state;
    picks("application/json;q=0, */*", "application/ld+json");
    picks("application/json;q=0", NULL);
    picks("application/json;q=0.000, application/ld+json;q=0", NULL);
    picks("*/*;q=0", NULL);
}

static void test_what_it_cannot_make_is_refused(void **state)
{
    (void)state;
    picks("text/html", NULL);
    picks("application/xml", NULL);
    picks("image/*", NULL);
    picks("application/jsonx", NULL);
    picks("application/js", NULL);
    picks("json", NULL);
    picks("application", NULL);
}

static void test_malformed_weights_drop_their_range(void **state)
{
    (void)state;
    picks("application/ld+json;q=2", NULL);
    picks("application/ld+json;q=1.5, application/json", "application/json");
    picks("application/ld+json;q=0.5555, application/json;q=0.1", "application/json");
    picks("application/ld+json;q=abc", NULL);
    picks("application/ld+json;q=", NULL);
    picks(",,,", NULL);
    picks(";q=1", NULL);
    picks("/", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_preference_takes_the_default),
        cmocka_unit_test(test_an_exact_type_is_taken),
        cmocka_unit_test(test_weights_decide),
        cmocka_unit_test(test_the_most_specific_range_decides),
        cmocka_unit_test(test_zero_refuses),
        cmocka_unit_test(test_what_it_cannot_make_is_refused),
        cmocka_unit_test(test_malformed_weights_drop_their_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
