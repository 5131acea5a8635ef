/* test_markup.c: unit tests of server/text/markup.c: CommonMark into safe HTML and plain text (markup.h). */
#include "text/markup.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "unit.h"

/* Renders source and checks its HTML and text (want_text NULL: not checked). */
static void check_render(const char *source, const char *want_html, const char *want_text,
                         const char *name)
{
    struct markup m;
    check(markup_render(source, strlen(source), &m) == 0, name);
    check_str(m.html, want_html, name);
    if (want_text != NULL)
        check_str(m.text, want_text, name);
    markup_clear(&m);
}

static void test_markup_formatting(void **state)
{
    (void)state;
    check_render("سطر أول\n\nسطر **ثان** و*مائل*", "<p>سطر أول</p>\n<p>سطر <strong>ثان</strong> و<em>مائل</em></p>\n",
                 "سطر أول\nسطر ثان ومائل", "paragraphs and emphasis");
    check_render("- أ\n- ب\n", "<ul>\n<li>أ</li>\n<li>ب</li>\n</ul>\n", "أ\nب", "a list");
    check_render("[الوكالة](https://example.com/a?b=1&c=2)",
                 "<p><a href=\"https://example.com/a?b=1&amp;c=2\">الوكالة</a></p>\n", "الوكالة",
                 "a link keeps its URL; its text is the text");
    check_render("سطر\nيليه", "<p>سطر\nيليه</p>\n", "سطر يليه", "a soft break is a space in the text");
    check_render("## عنوان\n\n```\ncode <x>\n```", "<h2>عنوان</h2>\n<pre><code>code &lt;x&gt;\n</code></pre>\n",
                 "عنوان\ncode <x>", "heading and code block");
    check_render("[مرجع](/v1/articles/1) و[بريد](mailto:a@example.com)",
                 "<p><a href=\"/v1/articles/1\">مرجع</a> و<a href=\"mailto:a@example.com\">بريد</a></p>\n",
                 NULL, "relative and mailto links stay");
    check_render("\\# ليس عنوانا \\<b>", "<p># ليس عنوانا &lt;b&gt;</p>\n", "# ليس عنوانا <b>",
                 "escaped punctuation is text");
}

static void test_markup_raw_html_dropped(void **state)
{
    (void)state;
    check_render("<script>alert(1)</script>\n\nنص", "<p>نص</p>\n", "نص", "an HTML block goes");
    check_render("قبل <b onclick=\"x()\">وسط</b> بعد", "<p>قبل وسط بعد</p>\n", "قبل وسط بعد",
                 "inline tags go, their text stays");
    check_render("<!-- تعليق -->", "", "", "a comment goes");
    check_render("```c x\"y\nint a;\n```", "<pre><code class=\"language-c\">int a;\n</code></pre>\n", "int a;",
                 "a plain language word stays a class");
    check_render("```\"><b\nx\n```", "<pre><code>x\n</code></pre>\n", "x", "any other info string goes");
}

static void test_markup_unsafe_links_unwrapped(void **state)
{
    (void)state;
    static const char *const links[] = {
        "[x](javascript:alert(1))", "[x](JaVaScRiPt:alert(1))", "[x](&#106;avascript:alert(1))",
        "[x](java&#9;script:alert(1))", "[x](javascript&#58;alert(1))", "[x](<javascript:alert(1)>)",
        "[x](vbscript:msgbox(1))", "[x](data:text/html,<script>alert(1)</script>)",
        "[x](file:///etc/passwd)", "<javascript:alert(1)>", "[x][r]\n\n[r]: javascript:alert(1)",
        "[x](java\\script:alert(1))",
    };
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
        struct markup m;
        check(markup_render(links[i], strlen(links[i]), &m) == 0, links[i]);
        if (strstr(m.html, "href") != NULL)
            fail_msg("%s: still a link: %s", links[i], m.html);
        markup_clear(&m);
    }
    check_render("![صورة](javascript:alert(1))", "<p>صورة</p>\n", "صورة", "an unsafe image leaves its alt");
    check_render("![صورة](data:image/png;base64,AAAA)", "<p>صورة</p>\n", NULL, "no data: images");
    check_render("![صورة](mailto:a@example.com)", "<p>صورة</p>\n", NULL, "no mailto images");
    check_render("![صورة](https://example.com/a.jpg)",
                 "<p><img src=\"https://example.com/a.jpg\" alt=\"صورة\" /></p>\n", "صورة", "an https image stays");
    check_render("[![i](javascript:x)](javascript:y) بعد", "<p>i بعد</p>\n", "i بعد",
                 "an unsafe image inside an unsafe link: both unwrapped");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_markup_formatting),
        cmocka_unit_test(test_markup_raw_html_dropped),
        cmocka_unit_test(test_markup_unsafe_links_unwrapped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
