/* feed.c: a page of articles as RSS 2.0, Atom 1.0 or JSON Feed 1.1. */
#include "model/feed.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "text/json_text.h"
#include "text/url.h"
#include "xml.h"

#define RSS_CONTENT_NS "http://purl.org/rss/1.0/modules/content/"
#define DC_NS "http://purl.org/dc/elements/1.1/"
#define ATOM_NS "http://www.w3.org/2005/Atom"
#define JSON_FEED_VERSION "https://jsonfeed.org/version/1.1"

const char *feed_media_type(enum feed_format format)
{
    switch (format) {
    case FEED_RSS: return "application/rss+xml; charset=utf-8";
    case FEED_ATOM: return "application/atom+xml; charset=utf-8";
    default: return "application/feed+json";
    }
}

/*==== Times ====*/

/* An RFC 3339 time of the database (khabar_time: UTC, "Z") in seconds; -1 when unreadable. */
static int64_t time_of(const char *rfc3339)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (rfc3339 == NULL || strptime(rfc3339, "%Y-%m-%dT%H:%M:%S", &tm) == NULL)
        return -1;
    return (int64_t)timegm(&tm);
}

/* RFC 822 as RSS dates it (RFC 1123's four-digit year), in English whatever the locale. */
static void rss_date(int64_t t, char *buf, size_t size)
{
    static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
    static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    struct tm tm;
    time_t tt = (time_t)t;
    gmtime_r(&tt, &tm);
    snprintf(buf, size, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
             months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void rfc3339_date(int64_t t, char *buf, size_t size)
{
    struct tm tm;
    time_t tt = (time_t)t;
    gmtime_r(&tt, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* When the feed last changed: its newest item's update, or last_modified when it is empty. */
static void feed_updated(const struct feed *f, char *buf, size_t size)
{
    const char *newest = NULL;
    int64_t newest_t = -1;
    for (size_t i = 0; i < f->items->n; i++) {
        int64_t t = time_of(f->items->items[i].updated_at);
        if (t > newest_t)
            newest_t = t, newest = f->items->items[i].updated_at;
    }
    if (newest != NULL)
        snprintf(buf, size, "%s", newest);
    else
        rfc3339_date(f->last_modified, buf, size);
}

/*==== What the items hold ====*/

static json_t *stored_json(const char *text)
{
    return text ? json_loads(text, 0, NULL) : NULL;
}

/* The lead image's URL (NULL: none), from the JSON kept beside the row (caller decrefs *img). */
static const char *image_url(const struct db_article *a, json_t **img)
{
    *img = stored_json(a->image);
    return json_string_value(json_object_get(*img, "url"));
}

/* An image's media type from its name's extension; a generic one when it says nothing. */
static const char *image_media_type(const char *url)
{
    static const struct {
        const char *ext, *type;
    } types[] = { { ".jpg", "image/jpeg" }, { ".jpeg", "image/jpeg" }, { ".png", "image/png" },
                  { ".gif", "image/gif" },  { ".webp", "image/webp" }, { ".avif", "image/avif" },
                  { ".svg", "image/svg+xml" } };
    size_t n = strcspn(url, "?#");
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        size_t e = strlen(types[i].ext);
        if (n >= e && strncasecmp(url + n - e, types[i].ext, e) == 0)
            return types[i].type;
    }
    return "application/octet-stream";
}

/* Calls each(x, item, name, slug) for the byline's authors, then the tags, then the section:
 * kind 'a', 't' or 's'. */
typedef void (*name_fn)(struct xml *x, const struct feed *f, char kind, const char *name,
                        const char *slug);

/* Most names one stored list gives read straight (json_text_names); a longer one goes
 * through jansson. */
#define NAMES_READ_STRAIGHT 64

/* Calls fn for o's name and slug, when o is an object with a name. */
static void tree_name(struct xml *x, const struct feed *f, json_t *o, char kind, name_fn fn)
{
    if (json_is_string(json_object_get(o, "name")))
        fn(x, f, kind, json_string_value(json_object_get(o, "name")),
           json_string_value(json_object_get(o, "slug")));
}

/* Calls fn for each name of one stored list (open '[') or object ('{'), as kind: read
 * straight, or through jansson when it cannot be. */
static void names_of(struct xml *x, const struct feed *f, const char *stored, char open, char kind,
                     name_fn fn)
{
    struct json_name names[NAMES_READ_STRAIGHT];
    char *copy;
    int n = json_text_names(stored, open, names, NAMES_READ_STRAIGHT, &copy);
    for (int i = 0; i < n; i++)
        fn(x, f, kind, names[i].name, names[i].slug);
    free(copy);
    if (n >= 0)
        return;
    json_t *v = stored_json(stored), *item;
    size_t i;
    if (open == '{')
        tree_name(x, f, v, kind, fn);
    else
        json_array_foreach(v, i, item)
            tree_name(x, f, item, kind, fn);
    json_decref(v);
}

static void each_name(struct xml *x, const struct feed *f, const struct db_article *a, name_fn fn)
{
    names_of(x, f, a->authors, '[', 'a', fn);
    names_of(x, f, a->tags, '[', 't', fn);
    names_of(x, f, a->section, '{', 's', fn);
}

static void rss_name(struct xml *x, const struct feed *f, char kind, const char *name, const char *slug)
{
    (void)f, (void)slug;
    x_element(x, kind == 'a' ? "dc:creator" : "category", name);
}

static void rss_item(struct xml *x, const struct feed *f, const struct db_article *a, const char *url)
{
    char date[64], *id = url_of_article_id_new(f->api_url, a->id);
    json_t *img;
    const char *image = image_url(a, &img);
    x->ok &= id != NULL;
    x_start(x, "item");
    x_attr(x, "xml:lang", a->lang);
    x_element(x, "title", a->title);
    x_element(x, "link", url);
    x_element_with(x, "guid", "isPermaLink", "false", id ? id : "");
    rss_date(time_of(a->published_at), date, sizeof date);
    x_element(x, "pubDate", date);
    x_element(x, "description", a->summary);
    x_element(x, "content:encoded", a->body_html);
    each_name(x, f, a, rss_name);
    if (image != NULL) {
        x_start(x, "enclosure");
        x_attr(x, "url", image);
        x_attr(x, "length", "0"); /* unknown: the bytes live where the URL says */
        x_attr(x, "type", image_media_type(image));
        x_end(x);
    }
    x_end(x);
    json_decref(img);
    free(id);
}

static void rss_body(struct xml *x, const struct feed *f)
{
    char date[64];
    x_start(x, "rss");
    x_attr(x, "version", "2.0");
    x_attr(x, "xmlns:atom", ATOM_NS);
    x_attr(x, "xmlns:content", RSS_CONTENT_NS);
    x_attr(x, "xmlns:dc", DC_NS);
    x_start(x, "channel");
    x_element(x, "title", f->title);
    x_element(x, "link", f->home_url);
    x_element(x, "description", f->description);
    x_element(x, "language", f->lang);
    char updated[64];
    feed_updated(f, updated, sizeof updated);
    rss_date(time_of(updated), date, sizeof date);
    x_element(x, "lastBuildDate", date);
    x_link(x, "atom:link", "self", "application/rss+xml", f->self_url);
    for (size_t i = 0; i < f->items->n; i++)
        rss_item(x, f, &f->items->items[i], f->item_urls[i]);
    x_end(x);
    x_end(x);
}

static void atom_name(struct xml *x, const struct feed *f, char kind, const char *name, const char *slug)
{
    if (kind == 'a') {
        char *uri = slug ? url_of_author_new(f->api_url, slug) : NULL;
        x_start(x, "author");
        x_element(x, "name", name);
        x_element(x, "uri", uri);
        x_end(x);
        free(uri);
        return;
    }
    /* readers show the term: the name, as RSS's category is */
    x_start(x, "category");
    x_attr(x, "term", name);
    x_end(x);
}

static void atom_entry(struct xml *x, const struct feed *f, const struct db_article *a, const char *url)
{
    char *id = url_of_article_id_new(f->api_url, a->id);
    json_t *img;
    const char *image = image_url(a, &img);
    x->ok &= id != NULL;
    x_start(x, "entry");
    x_attr(x, "xml:lang", a->lang);
    x_element(x, "id", id ? id : "");
    x_element(x, "title", a->title);
    x_element(x, "published", a->published_at);
    x_element(x, "updated", a->updated_at);
    x_link(x, "link", "alternate", "text/html", url);
    each_name(x, f, a, atom_name);
    if (a->summary != NULL)
        x_element_with(x, "summary", "type", "text", a->summary);
    x_element_with(x, "content", "type", "html", a->body_html ? a->body_html : "");
    if (image != NULL)
        x_link(x, "link", "enclosure", image_media_type(image), image);
    x_end(x);
    json_decref(img);
    free(id);
}

static void atom_body(struct xml *x, const struct feed *f)
{
    char updated[64];
    x_start(x, "feed");
    x_attr(x, "xmlns", ATOM_NS);
    x_attr(x, "xml:lang", f->lang);
    x_element(x, "id", f->self_url);
    x_element(x, "title", f->title);
    x_element(x, "subtitle", f->description);
    feed_updated(f, updated, sizeof updated);
    x_element(x, "updated", updated);
    x_link(x, "link", "alternate", "text/html", f->home_url);
    x_link(x, "link", "self", "application/atom+xml", f->self_url);
    /* the feed's author stands for entries without a byline (RFC 4287 section 4.1.1) */
    x_start(x, "author");
    x_element(x, "name", f->publisher);
    x_end(x);
    for (size_t i = 0; i < f->items->n; i++)
        atom_entry(x, f, &f->items->items[i], f->item_urls[i]);
    x_end(x);
}

static char *xml_render_new(const struct feed *f, size_t *len)
{
    struct xml x;
    if (xml_begin(&x)) {
        if (f->format == FEED_RSS)
            rss_body(&x, f);
        else
            atom_body(&x, f);
    }
    return xml_finish_new(&x, len);
}

/*==== JSON Feed ====*/

static json_t *json_item(const struct feed *f, const struct db_article *a, const char *url)
{
    char *id = url_of_article_id_new(f->api_url, a->id);
    json_t *o = json_pack("{s:s?, s:s, s:s, s:s*, s:s, s:s, s:s, s:s}", "id", id, "url", url,
                          "title", a->title, "summary", a->summary, "content_html",
                          a->body_html ? a->body_html : "", "date_published", a->published_at,
                          "date_modified", a->updated_at, "language", a->lang);
    free(id);
    if (o == NULL)
        return NULL;
    json_t *in = stored_json(a->authors), *authors = json_array(), *tags = json_array(), *v;
    size_t i;
    json_array_foreach(in, i, v) {
        const char *slug = json_string_value(json_object_get(v, "slug"));
        char *page = slug ? url_of_author_new(f->api_url, slug) : NULL;
        json_array_append_new(authors, json_pack("{s:O, s:s?}", "name", json_object_get(v, "name"),
                                                 "url", page));
        free(page);
    }
    json_decref(in);
    in = stored_json(a->tags);
    json_array_foreach(in, i, v)
        json_array_append(tags, json_object_get(v, "name"));
    json_decref(in);
    if (json_array_size(authors) > 0)
        json_object_set(o, "authors", authors);
    json_decref(authors);
    json_object_set_new(o, "tags", tags);
    json_t *img;
    const char *image = image_url(a, &img);
    if (image != NULL)
        json_object_set_new(o, "image", json_string(image));
    json_decref(img);
    return o;
}

static char *json_render_new(const struct feed *f, size_t *len)
{
    json_t *items = json_array();
    for (size_t i = 0; i < f->items->n; i++)
        json_array_append_new(items, json_item(f, &f->items->items[i], f->item_urls[i]));
    json_t *doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:[{s:s}], s:o}", "version",
                            JSON_FEED_VERSION, "title", f->title, "home_page_url", f->home_url,
                            "feed_url", f->self_url, "description", f->description, "language",
                            f->lang, "authors", "name", f->publisher, "items", items);
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    if (text == NULL)
        return NULL;
    *len = strlen(text);
    char *grown = realloc(text, *len + 2);
    if (grown == NULL) {
        free(text);
        return NULL;
    }
    grown[(*len)++] = '\n';
    grown[*len] = '\0';
    return grown;
}

char *feed_render_new(const struct feed *f, size_t *len)
{
    *len = 0;
    return f->format == FEED_JSON ? json_render_new(f, len) : xml_render_new(f, len);
}
