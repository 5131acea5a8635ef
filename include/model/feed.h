/* feed.h: a page of articles as a feed: RSS 2.0, Atom 1.0 (RFC 4287) or JSON Feed 1.1. */
#ifndef KHABAR_FEED_H
#define KHABAR_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "db/db.h"

enum feed_format { FEED_RSS, FEED_ATOM, FEED_JSON };

/* What a feed is about, where it and its articles live, and its articles (newest first,
 * each with its safe HTML body). The strings are borrowed for the call. */
struct feed {
    enum feed_format format;
    const char *title;       /* "khabar", or "khabar: <tag>" */
    const char *description;
    const char *self_url;    /* this feed's own address */
    const char *home_url;    /* the site it is the feed of */
    const char *lang;        /* the feed's language (each item keeps its own) */
    const char *publisher;   /* who publishes: the feed's author */
    const char *api_url;     /* PUBLIC_API_URL: items' stable ids and authors' pages */
    const struct db_article_page *items;
    char *const *item_urls;  /* the canonical address of each item */
    int64_t last_modified;   /* when nothing is in it: its time of update */
};

/* The media type of a format (with its charset for the XML ones). */
const char *feed_media_type(enum feed_format format);

/* The feed as a document: XML well formed with every text escaped (and characters XML
 * cannot carry replaced by U+FFFD), or JSON; ends with a newline. Caller frees; *len its
 * length; NULL on no memory. */
char *feed_render_new(const struct feed *f, size_t *len);

#endif
