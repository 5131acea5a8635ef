/* test_url.c: unit tests of server/text/url.c: percent-encoding, segments after a prefix,
 * and an article's address from its template. */
#include "text/url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

/* What url_put_encoded writes for s. */
static char *encoded_new(const char *s, bool keep_slash)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (f == NULL)
        return NULL;
    url_put_encoded(f, s, keep_slash);
    fclose(f);
    return text;
}

/* n copies of piece, as one string. */
static char *repeated_new(const char *piece, size_t n)
{
    size_t len = strlen(piece);
    char *s = malloc(len * n + 1);
    for (size_t i = 0; i < n; i++)
        memcpy(s + i * len, piece, len);
    s[len * n] = '\0';
    return s;
}

static void test_percent_encoding(void **state)
{
    (void)state;
    check_new_str(encoded_new("AZaz09-._~", false), "AZaz09-._~", "unreserved characters kept");
    check_new_str(encoded_new("a b/c?d=e&f#%+", false), "a%20b%2Fc%3Fd%3De%26f%23%25%2B",
                  "reserved characters and space encoded");
    check_new_str(encoded_new("/v1/tags/a b", true), "/v1/tags/a%20b", "a path keeps its slashes");
    check_new_str(encoded_new("روسيا", false), "%D8%B1%D9%88%D8%B3%D9%8A%D8%A7",
                  "Arabic: each UTF-8 byte, upper-case hex");
    check_new_str(encoded_new("", false), "", "nothing for an empty text");
    char *long_text = repeated_new("بa", 500), *long_want = repeated_new("%D8%A8a", 500);
    check_new_str(encoded_new(long_text, false), long_want, "a text longer than any buffer, whole");
    free(long_text);
    free(long_want);
}

static void test_segment_after_prefix(void **state)
{
    (void)state;
    check_new_str(url_with_segment_new("/v1/tags/", "شؤون دولية"),
                  "/v1/tags/%D8%B4%D8%A4%D9%88%D9%86%20%D8%AF%D9%88%D9%84%D9%8A%D8%A9",
                  "the segment encoded, the prefix as it is");
    check_new_str(url_of_author_new("https://api.example", "a/b"),
                  "https://api.example/v1/authors/a%2Fb", "an author's page");
    check_new_str(url_of_article_id_new("https://api.example", 9007199254740993LL),
                  "https://api.example/v1/articles/9007199254740993", "an article's lasting address");
}

static void test_article_address_from_template(void **state)
{
    (void)state;
    check_new_str(url_of_article_new("https://news.example/a/{id}/{slug}", 42, "روسيا اليوم"),
                  "https://news.example/a/42/%D8%B1%D9%88%D8%B3%D9%8A%D8%A7%20%D8%A7%D9%84%D9%8A%D9%88%D9%85",
                  "id and slug put in, the slug encoded");
    check_new_str(url_of_article_new("{slug}", 1, "x"), "x", "a template that is only the slug");
    check_new_str(url_of_article_new("{id}{id}-{slug}{slug}", -9223372036854775807LL - 1, "a b"),
                  "-9223372036854775808-9223372036854775808-a%20ba%20b",
                  "each place filled, the longest id too");
    check_new_str(url_of_article_new("https://x/{ {x} {id {slug", 7, "s"),
                  "https://x/{ {x} {id {slug", "braces that name nothing kept as they are");
    check_new_str(url_of_article_new("https://x/{id}{", 7, "s"), "https://x/7{", "a brace at the end");
    check_new_str(url_of_article_new("https://x/plain", 7, "s"), "https://x/plain",
                  "a template with no place");
    char *slug = repeated_new("ب", 300), *want = NULL;
    char *encoded = repeated_new("%D8%A8", 300);
    check(asprintf(&want, "/%s/%s/%s", encoded, encoded, encoded) > 0, "expected address");
    check_new_str(url_of_article_new("/{slug}/{slug}/{slug}", 1, slug), want,
                  "a long slug, three times");
    free(slug);
    free(encoded);
    free(want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_percent_encoding),
        cmocka_unit_test(test_segment_after_prefix),
        cmocka_unit_test(test_article_address_from_template),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
