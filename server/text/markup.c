/* markup.c: CommonMark bodies rendered by cmark into safe HTML (raw HTML and unsafe links dropped) and plain text. */
#include "text/markup.h"

#include <cmark.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A URL's scheme is allowed when it is one of these; a URL without one is relative. */
static bool scheme_is_allowed(const char *scheme, size_t len, bool image)
{
    static const char *const allowed[] = { "http", "https", "mailto" };
    for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
        if (strlen(allowed[i]) == len && strncasecmp(scheme, allowed[i], len) == 0)
            return !image || i < 2; /* an image is fetched: no mailto */
    return false;
}

/*
 * Whether a link or image may keep its URL. Browsers drop tabs and newlines inside a
 * URL and read "java\tscript:" as "javascript:", so a URL holding any control byte or
 * space is refused outright; a ':' before any '/', '?' or '#' starts a scheme, which
 * must be an allowed one whatever it is made of.
 */
static bool url_is_allowed(const char *url, bool image)
{
    if (url == NULL || *url == '\0')
        return true;
    for (const unsigned char *p = (const unsigned char *)url; *p; p++)
        if (*p <= 0x20 || *p == 0x7f)
            return false;
    size_t head = strcspn(url, ":/?#");
    if (url[head] != ':')
        return true;
    return scheme_is_allowed(url, head, image);
}

/* Moves node's children to just before it, then frees it: a link's text stays, unlinked. */
static void unwrap(cmark_node *node)
{
    cmark_node *child;
    while ((child = cmark_node_first_child(node)) != NULL)
        cmark_node_insert_before(node, child);
    cmark_node_free(node);
}

/* The first word of a fenced code block's info string becomes a class name
 * ("language-..."): kept only when it is a plain word, whatever else the writer put there. */
static void keep_plain_fence_info(cmark_node *node)
{
    static const char plain[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+.-";
    const char *info = cmark_node_get_fence_info(node);
    if (info != NULL && strspn(info, plain) < strcspn(info, " \t"))
        cmark_node_set_fence_info(node, "");
}

/* Whether node must go: raw HTML (dropped), or a link or image with a refused URL (unwrapped). */
static bool is_unsafe(cmark_node *node)
{
    switch (cmark_node_get_type(node)) {
    case CMARK_NODE_HTML_BLOCK:
    case CMARK_NODE_HTML_INLINE:
        return true;
    case CMARK_NODE_LINK:
        return !url_is_allowed(cmark_node_get_url(node), false);
    case CMARK_NODE_IMAGE:
        return !url_is_allowed(cmark_node_get_url(node), true);
    default:
        return false;
    }
}

/* Takes out every unsafe node of doc; -1 on no memory. Nodes are gathered first, since a
 * tree must not change under its iterator; a parent comes before its children. */
static int make_safe(cmark_node *doc)
{
    cmark_node **found = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    cmark_iter *it = cmark_iter_new(doc);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *node = cmark_iter_get_node(it);
        if (ev == CMARK_EVENT_ENTER && cmark_node_get_type(node) == CMARK_NODE_CODE_BLOCK)
            keep_plain_fence_info(node);
        if (ev != CMARK_EVENT_ENTER || !is_unsafe(node))
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            cmark_node **grown = realloc(found, cap * sizeof *found);
            if (grown == NULL) {
                rc = -1;
                break;
            }
            found = grown;
        }
        found[n++] = node;
    }
    cmark_iter_free(it);
    for (size_t i = 0; rc == 0 && i < n; i++)
        unwrap(found[i]); /* raw HTML has no children: unwrapping frees it */
    free(found);
    return rc;
}

/* Ends the current line of out unless it is empty or ended already. */
static void end_line(FILE *out, bool *at_line_start)
{
    if (!*at_line_start)
        fputc('\n', out);
    *at_line_start = true;
}

static void put_text(FILE *out, const char *s, bool *at_line_start)
{
    size_t len = s ? strlen(s) : 0;
    while (len > 0 && s[len - 1] == '\n')
        len--; /* a code block's literal ends with one */
    if (len == 0)
        return;
    fwrite(s, 1, len, out);
    *at_line_start = false;
}

/* The plain text of doc: its words, a block to a line; NULL on no memory. */
static char *plain_text_new(cmark_node *doc)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (out == NULL)
        return NULL;
    bool at_line_start = true;
    cmark_iter *it = cmark_iter_new(doc);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *node = cmark_iter_get_node(it);
        switch (cmark_node_get_type(node)) {
        case CMARK_NODE_TEXT:
        case CMARK_NODE_CODE:
            put_text(out, cmark_node_get_literal(node), &at_line_start);
            break;
        case CMARK_NODE_CODE_BLOCK:
            put_text(out, cmark_node_get_literal(node), &at_line_start);
            end_line(out, &at_line_start);
            break;
        case CMARK_NODE_SOFTBREAK:
            fputc(' ', out);
            break;
        case CMARK_NODE_LINEBREAK:
        case CMARK_NODE_THEMATIC_BREAK:
            end_line(out, &at_line_start);
            break;
        case CMARK_NODE_PARAGRAPH:
        case CMARK_NODE_HEADING:
            if (ev == CMARK_EVENT_EXIT)
                end_line(out, &at_line_start);
            break;
        default:
            break;
        }
    }
    cmark_iter_free(it);
    if (fclose(out) != 0) {
        free(text);
        return NULL;
    }
    while (len > 0 && text[len - 1] == '\n')
        text[--len] = '\0';
    return text;
}

int markup_render(const char *source, size_t len, struct markup *out)
{
    int rc = -1;
    memset(out, 0, sizeof *out);
    cmark_node *doc = cmark_parse_document(source, len, CMARK_OPT_DEFAULT);
    if (doc == NULL || make_safe(doc) != 0)
        goto out;
    /* CMARK_OPT_DEFAULT is cmark's safe mode: it would also blank what make_safe took out */
    out->html = cmark_render_html(doc, CMARK_OPT_DEFAULT);
    out->text = plain_text_new(doc);
    if (out->html == NULL || out->text == NULL) {
        markup_clear(out);
        goto out;
    }
    rc = 0;
out:
    if (doc != NULL)
        cmark_node_free(doc);
    return rc;
}

void markup_clear(struct markup *m)
{
    free(m->html);
    free(m->text);
    m->html = m->text = NULL;
}
