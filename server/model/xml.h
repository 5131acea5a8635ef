/* xml.h: the XML writer the model's documents share (feeds, sitemaps): libxml2's xmlwriter,
 * which escapes what it writes, and every text made fit for XML 1.0 first. Only
 * server/model/ includes this. */
#ifndef KHABAR_MODEL_XML_H
#define KHABAR_MODEL_XML_H

#include <libxml/xmlwriter.h>
#include <stdbool.h>
#include <stddef.h>

/* A document being written and whether every call so far succeeded. */
struct xml {
    xmlBufferPtr buf;
    xmlTextWriterPtr w;
    bool ok;
};

/* Starts a UTF-8 document; false on no memory (xml_finish_new still releases it). */
bool xml_begin(struct xml *x);
/* Ends the document: its text ending with a newline (caller frees), *len its length; NULL
 * when any step failed. Releases the writer either way. */
char *xml_finish_new(struct xml *x, size_t *len);

/* Each writes one piece; a text or value with characters XML 1.0 cannot carry (C0
 * controls but tab, newline and return; U+FFFE, U+FFFF) has them as U+FFFD. */
void x_start(struct xml *x, const char *name);
void x_end(struct xml *x);
void x_attr(struct xml *x, const char *name, const char *value);
/* <name>text</name>; nothing when text is NULL. */
void x_element(struct xml *x, const char *name, const char *text);
/* <name attr="value">text</name> */
void x_element_with(struct xml *x, const char *name, const char *attr, const char *value,
                    const char *text);
/* <element rel="rel" type="type" href="href"/>, type left out when NULL. */
void x_link(struct xml *x, const char *element, const char *rel, const char *type, const char *href);

#endif
