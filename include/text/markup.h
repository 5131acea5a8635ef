/* markup.h: an article body's CommonMark source into HTML safe to put in a page, and into plain text. */
#ifndef KHABAR_MARKUP_H
#define KHABAR_MARKUP_H

#include <stddef.h>

/* What a body's source renders to; both owned (release with markup_clear). */
struct markup {
    char *html; /* no raw HTML, only http(s)/mailto/relative links, http(s) images */
    char *text; /* the words a reader sees, one line per block: for search and snippets */
};

/* Renders source (len bytes of valid UTF-8); 0, or -1 on no memory (*out then empty). */
int markup_render(const char *source, size_t len, struct markup *out);
void markup_clear(struct markup *m);

#endif
