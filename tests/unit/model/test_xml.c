/* test_xml.c: unit tests of server/model/xml.c: element text written as libxml2's writer
 * escapes it, with the characters XML 1.0 cannot carry replaced, whichever way it goes. */
#include "../../../server/model/xml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

/* Pieces texts are made of, each with what XML may carry of it: every byte the writer
 * escapes, the controls XML 1.0 has no place for, the noncharacters, and plain text. */
static const char *const pieces[][2] = {
    { "a", "a" }, { " ", " " }, { "روسيا", "روسيا" }, { "😀", "😀" }, { "%D8", "%D8" },
    { "&", "&" }, { "<", "<" }, { ">", ">" }, { "\"", "\"" }, { "'", "'" },
    { "\t", "\t" }, { "\n", "\n" }, { "\r", "\r" }, { "\x01", "\xEF\xBF\xBD" },
    { "\x0B", "\xEF\xBF\xBD" }, { "\x1F", "\xEF\xBF\xBD" }, { "\x7F", "\x7F" },
    { "\xEF\xBF\xBE", "\xEF\xBF\xBD" }, { "\xEF\xBF\xBF", "\xEF\xBF\xBD" },
    { "\xEF\xBF\xBD", "\xEF\xBF\xBD" }, { "\xEF\xBB\xBF", "\xEF\xBB\xBF" },
    { "\xEF", "\xEF\xBF\xBD" }, { "\xEF\xBF", "\xEF\xBF\xBD\xEF\xBF\xBD" },
};

/* A document with <e>text</e> and <f k="v">text</f> through x_element and x_element_with. */
static char *written_new(const char *text)
{
    struct xml x;
    size_t len;
    if (xml_begin(&x)) {
        x_start(&x, "r");
        x_element(&x, "e", text);
        x_element_with(&x, "f", "k", "v", text);
        x_end(&x);
    }
    return xml_finish_new(&x, &len);
}

/* The same document written by libxml2's own calls, from the text XML may carry. */
static char *libxml2_new(const char *safe)
{
    xmlBufferPtr buf = xmlBufferCreate();
    xmlTextWriterPtr w = xmlNewTextWriterMemory(buf, 0);
    xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL);
    xmlTextWriterStartElement(w, BAD_CAST "r");
    xmlTextWriterWriteElement(w, BAD_CAST "e", BAD_CAST safe);
    xmlTextWriterStartElement(w, BAD_CAST "f");
    xmlTextWriterWriteAttribute(w, BAD_CAST "k", BAD_CAST "v");
    xmlTextWriterWriteString(w, BAD_CAST safe);
    xmlTextWriterEndElement(w);
    xmlTextWriterEndElement(w);
    xmlTextWriterEndDocument(w);
    xmlFreeTextWriter(w);
    char *text = NULL;
    if (asprintf(&text, "%s%s", (const char *)xmlBufferContent(buf),
                 xmlBufferLength(buf) > 0 && xmlBufferContent(buf)[xmlBufferLength(buf) - 1] == '\n' ? "" : "\n") < 0)
        text = NULL;
    xmlBufferFree(buf);
    return text;
}

static void test_text_as_libxml2_writes_it(void **state)
{
    (void)state;
    char text[512], safe[512];
    for (int i = 0; i < 20000; i++) {
        size_t n = 0, m = 0;
        unsigned count = rnd(12);
        for (unsigned k = 0; k < count; k++) {
            const char *const *piece = pieces[rnd(sizeof pieces / sizeof pieces[0])];
            size_t a = strlen(piece[0]), b = strlen(piece[1]);
            memcpy(text + n, piece[0], a);
            memcpy(safe + m, piece[1], b);
            n += a;
            m += b;
        }
        text[n] = safe[m] = '\0';
        char *got = written_new(text), *want = libxml2_new(safe);
        if (got == NULL || want == NULL || strcmp(got, want) != 0)
            fail_msg("text %d: written\n%s\nlibxml2\n%s", i, got ? got : "(null)", want ? want : "(null)");
        free(got);
        free(want);
    }
}

static void test_escapes_seen(void **state)
{
    (void)state;
    char *got = written_new("a & b <c> \"d\" \r\x01");
    check(got != NULL, "written");
    check(strstr(got, "<e>a &amp; b &lt;c&gt; &quot;d&quot; &#13;\xEF\xBF\xBD</e>") != NULL,
          "escaped, the control replaced");
    free(got);
    got = written_new("");
    check(got != NULL && strstr(got, "<e></e>") != NULL, "an empty text: an empty element");
    free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_as_libxml2_writes_it),
        cmocka_unit_test(test_escapes_seen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
