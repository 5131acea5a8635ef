/* structured_data.c: an article as schema.org NewsArticle in JSON-LD. */
#include "model/structured_data.h"

#include <stdlib.h>

#include "text/url.h"

static json_t *stored_json(const char *text)
{
    return text ? json_loads(text, 0, NULL) : NULL;
}

/* An ImageObject of a stored image or rendition ({"url", "width", "height", ...}). */
static json_t *image_object(const json_t *img, const char *caption)
{
    json_t *o = json_pack("{s:s, s:O}", "@type", "ImageObject", "url", json_object_get(img, "url"));
    if (o == NULL)
        return NULL;
    if (json_is_integer(json_object_get(img, "width")))
        json_object_set(o, "width", json_object_get(img, "width"));
    if (json_is_integer(json_object_get(img, "height")))
        json_object_set(o, "height", json_object_get(img, "height"));
    if (caption != NULL)
        json_object_set_new(o, "caption", json_string(caption));
    return o;
}

/* The lead image and each of its renditions (Google asks for several sizes); NULL: none. */
static json_t *images_of(const char *image_json)
{
    json_t *img = stored_json(image_json);
    if (!json_is_string(json_object_get(img, "url"))) {
        json_decref(img);
        return NULL;
    }
    json_t *list = json_array();
    json_array_append_new(list, image_object(img, json_string_value(json_object_get(img, "caption"))));
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(img, "renditions"), i, r)
        if (json_is_string(json_object_get(r, "url")))
            json_array_append_new(list, image_object(r, NULL));
    json_decref(img);
    return list;
}

/* Each author of the byline as a Person with a name and the address of its page. */
static json_t *authors_of(const char *authors_json, const char *api_url)
{
    json_t *in = stored_json(authors_json), *out = json_array();
    size_t i;
    json_t *a;
    json_array_foreach(in, i, a) {
        const char *slug = json_string_value(json_object_get(a, "slug"));
        json_t *person = json_pack("{s:s, s:O}", "@type", "Person", "name", json_object_get(a, "name"));
        char *url = slug ? url_of_author_new(api_url, slug) : NULL;
        if (person != NULL && url != NULL)
            json_object_set_new(person, "url", json_string(url));
        free(url);
        json_array_append_new(out, person);
    }
    json_decref(in);
    return out;
}

/* The names of the article's tags. */
static json_t *keywords_of(const char *tags_json)
{
    json_t *in = stored_json(tags_json), *out = json_array();
    size_t i;
    json_t *t;
    json_array_foreach(in, i, t)
        if (json_is_string(json_object_get(t, "name")))
            json_array_append(out, json_object_get(t, "name"));
    json_decref(in);
    return out;
}

static json_t *publisher_of(const struct publisher *pub)
{
    json_t *o = json_pack("{s:s, s:s}", "@type", "Organization", "name", pub->name);
    if (o != NULL && pub->logo_url != NULL)
        json_object_set_new(o, "logo", json_pack("{s:s, s:s}", "@type", "ImageObject", "url",
                                                 pub->logo_url));
    return o;
}

json_t *structured_news_article_new(const struct db_article *a, const char *url,
                                    const struct publisher *pub)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "@context", "https://schema.org",
                          "@type", "NewsArticle", "headline", a->title, "datePublished",
                          a->published_at, "dateModified", a->updated_at, "inLanguage", a->lang,
                          "url", url, "mainEntityOfPage", url);
    if (o == NULL)
        return NULL;
    if (a->summary != NULL)
        json_object_set_new(o, "description", json_string(a->summary));
    json_object_set_new(o, "author", authors_of(a->authors, pub->api_url));
    json_t *images = images_of(a->image);
    if (images != NULL)
        json_object_set_new(o, "image", images);
    json_object_set_new(o, "publisher", publisher_of(pub));
    json_t *section = stored_json(a->section);
    if (json_is_string(json_object_get(section, "name")))
        json_object_set(o, "articleSection", json_object_get(section, "name"));
    json_decref(section);
    json_object_set_new(o, "keywords", keywords_of(a->tags));
    return o;
}
