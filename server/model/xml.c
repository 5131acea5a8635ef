/* xml.c: XML documents written through libxml2's xmlwriter, which escapes every text and attribute it writes. */
#include "xml.h"

#include <stdlib.h>
#include <string.h>

#include "infra/utf8.h"

/* Whether the UTF-8 character at p (of len bytes) may stand in XML 1.0 (section 2.2): not
 * a C0 control other than tab, newline and return, nor U+FFFE or U+FFFF. A byte that
 * begins no well-formed sequence is a character of its own that may not. */
static bool xml_char_at(const unsigned char *p, size_t *len)
{
    *len = 1;
    if (*p < 0x20)
        return *p == '\t' || *p == '\n' || *p == '\r';
    if (*p < 0x80)
        return true;
    if ((*len = utf8_sequence(p)) == 0)
        return *len = 1, false;
    return !(p[0] == 0xEF && p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF));
}

/* Whether byte c may begin a character XML cannot carry: a C0 control other than tab,
 * newline and return, or the lead byte of U+FFFE and U+FFFF (and of other characters). */
static bool xml_suspect(unsigned char c)
{
    return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0xEF;
}

/* s as XML may carry it: s itself when it can, else a copy in *owned (caller frees) with each
 * character it cannot carry replaced by U+FFFD (a byte of a malformed sequence too, though
 * the database's text is UTF-8). */
static const char *xml_safe(const char *s, char **owned)
{
    *owned = NULL;
    size_t n = 0, len, bad = 0;
    /* most text has no suspect byte: one pass over the bytes says so */
    while (s[n] != '\0' && !xml_suspect((unsigned char)s[n]))
        n++;
    if (s[n] == '\0')
        return s;
    n += strlen(s + n);
    for (const unsigned char *p = (const unsigned char *)s; *p; p += len)
        bad += !xml_char_at(p, &len);
    if (bad == 0 || (*owned = malloc(n + 2 * bad + 1)) == NULL)
        return bad == 0 ? s : "";
    char *out = *owned;
    for (const unsigned char *p = (const unsigned char *)s; *p; p += len) {
        if (xml_char_at(p, &len))
            memcpy(out, p, len), out += len;
        else
            memcpy(out, "\xEF\xBF\xBD", 3), out += 3;
    }
    *out = '\0';
    return *owned;
}

/* Bytes a text cannot be copied with as it is: those the writer escapes in text (& < > "
 * and return, as xmlEncodeSpecialChars does) and those xml_suspect names; and the NUL
 * that ends it, where the scan stops. */
static const bool text_needs_care[256] = {
    [0x00 ... 0x08] = true, [0x0B ... 0x0C] = true, [0x0D ... 0x1F] = true,
    ['&'] = true, ['<'] = true, ['>'] = true, ['"'] = true, [0xEF] = true,
};

/* text as element content: copied as it is when no byte needs care (most titles, every
 * address and date), which is what escaping it would write; else made safe and escaped. */
static void x_text(struct xml *x, const char *text)
{
    const unsigned char *p = (const unsigned char *)text;
    while (!text_needs_care[*p])
        p++;
    if (*p == '\0') {
        x->ok &= xmlTextWriterWriteRawLen(x->w, BAD_CAST text, (int)((const char *)p - text)) >= 0;
        return;
    }
    char *owned;
    x->ok &= xmlTextWriterWriteString(x->w, BAD_CAST xml_safe(text, &owned)) >= 0;
    free(owned);
}

void x_start(struct xml *x, const char *name)
{
    x->ok &= xmlTextWriterStartElement(x->w, BAD_CAST name) >= 0;
}

void x_end(struct xml *x)
{
    x->ok &= xmlTextWriterEndElement(x->w) >= 0;
}

void x_attr(struct xml *x, const char *name, const char *value)
{
    char *owned;
    x->ok &= xmlTextWriterWriteAttribute(x->w, BAD_CAST name, BAD_CAST xml_safe(value, &owned)) >= 0;
    free(owned);
}

/* <name>text</name>; nothing when text is NULL. */
void x_element(struct xml *x, const char *name, const char *text)
{
    if (text == NULL)
        return;
    x_start(x, name);
    x_text(x, text);
    x_end(x);
}

/* <name attr="value">text</name> */
void x_element_with(struct xml *x, const char *name, const char *attr, const char *value,
                           const char *text)
{
    x_start(x, name);
    x_attr(x, attr, value);
    x_text(x, text);
    x_end(x);
}

/* <link rel="rel" type="type" href="href"/> (Atom's, or atom:link in RSS) */
void x_link(struct xml *x, const char *element, const char *rel, const char *type,
                   const char *href)
{
    x_start(x, element);
    x_attr(x, "rel", rel);
    if (type != NULL)
        x_attr(x, "type", type);
    x_attr(x, "href", href);
    x_end(x);
}

bool xml_begin(struct xml *x)
{
    x->buf = xmlBufferCreate();
    x->w = x->buf ? xmlNewTextWriterMemory(x->buf, 0) : NULL;
    x->ok = x->w != NULL && xmlTextWriterStartDocument(x->w, "1.0", "UTF-8", NULL) >= 0;
    return x->ok;
}

char *xml_finish_new(struct xml *x, size_t *len)
{
    char *text = NULL;
    if (x->w != NULL) {
        x->ok &= xmlTextWriterEndDocument(x->w) >= 0;
        xmlFreeTextWriter(x->w); /* flushes into buf */
    }
    if (x->ok && (text = malloc((size_t)xmlBufferLength(x->buf) + 2)) != NULL) {
        *len = (size_t)xmlBufferLength(x->buf);
        memcpy(text, xmlBufferContent(x->buf), *len);
        if (*len == 0 || text[*len - 1] != '\n')
            text[(*len)++] = '\n';
        text[*len] = '\0';
    }
    if (x->buf != NULL)
        xmlBufferFree(x->buf);
    memset(x, 0, sizeof *x);
    return text;
}
