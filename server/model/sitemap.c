/* sitemap.c: the sitemap index, a sitemap of URLs, and the Google News sitemap, as XML. */
#include "model/sitemap.h"

#include <string.h>

#include "xml.h"

#define SITEMAP_NS "http://www.sitemaps.org/schemas/sitemap/0.9"
#define NEWS_NS "http://www.google.com/schemas/sitemap-news/0.9"

/* <root xmlns=...> with one <element> of loc and lastmod per entry. */
static char *entries_new(const char *root, const char *element, const struct sitemap_entry *e,
                         size_t n, size_t *len)
{
    struct xml x;
    if (xml_begin(&x)) {
        x_start(&x, root);
        x_attr(&x, "xmlns", SITEMAP_NS);
        for (size_t i = 0; i < n; i++) {
            x_start(&x, element);
            x_element(&x, "loc", e[i].loc);
            x_element(&x, "lastmod", e[i].lastmod);
            x_end(&x);
        }
        x_end(&x);
    }
    return xml_finish_new(&x, len);
}

char *sitemap_index_new(const struct sitemap_entry *sitemaps, size_t n, size_t *len)
{
    return entries_new("sitemapindex", "sitemap", sitemaps, n, len);
}

char *sitemap_urlset_new(const struct sitemap_entry *urls, size_t n, size_t *len)
{
    return entries_new("urlset", "url", urls, n, len);
}

/* Google News wants a language as ISO 639 (its primary subtag: "ar" of "ar-EG"), except
 * for the two Chinese it names in full. */
static void news_language(const char *lang, char *buf, size_t size)
{
    size_t n = strcspn(lang, "-");
    if (strcasecmp(lang, "zh-CN") == 0 || strcasecmp(lang, "zh-TW") == 0)
        n = strlen(lang);
    snprintf(buf, size, "%.*s", (int)n, lang);
}

char *sitemap_news_new(const char *publication, const struct sitemap_news_entry *urls, size_t n,
                       size_t *len)
{
    struct xml x;
    char lang[16];
    if (xml_begin(&x)) {
        x_start(&x, "urlset");
        x_attr(&x, "xmlns", SITEMAP_NS);
        x_attr(&x, "xmlns:news", NEWS_NS);
        for (size_t i = 0; i < n; i++) {
            x_start(&x, "url");
            x_element(&x, "loc", urls[i].loc);
            x_start(&x, "news:news");
            x_start(&x, "news:publication");
            x_element(&x, "news:name", publication);
            news_language(urls[i].lang, lang, sizeof lang);
            x_element(&x, "news:language", lang);
            x_end(&x);
            x_element(&x, "news:publication_date", urls[i].published_at);
            x_element(&x, "news:title", urls[i].title);
            x_end(&x);
            x_end(&x);
        }
        x_end(&x);
    }
    return xml_finish_new(&x, len);
}
