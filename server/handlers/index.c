/* index.c: the index of the API: each collection's URL and what it holds, and where the
 * contract is, so that a newcomer finds the rest from one address. */
#include "handlers/handlers.h"
#include "http/http.h"

/* GET /v1: the index. */
int index_get(struct request *req)
{
    json_t *doc = json_pack(
        "{s:s, s:s, s:[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s}], s:[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}]}",
        "service", "khabar: Arabic news articles with their tags, sources and \"read also\" links",
        "contract", "/openapi.yaml",
        "resources",
        "url", "/v1/articles", "description",
        "news articles, newest first; filter by tag, source, author, section, from, to, lang; "
        "search with q; "
        "one article at /v1/articles/{id or slug}, its links at /v1/articles/{id}/related, "
        "more like it at /v1/articles/{id}/similar; a search box's suggestions at /v1/suggest?q=",
        "url", "/v1/tags", "description",
        "keyword tags, most used first; q matches the start of a name; one at /v1/tags/{slug}",
        "url", "/v1/sources", "description",
        "the sources articles cite, most cited first; q matches the start of a name",
        "url", "/v1/authors", "description",
        "bylines, most public articles first; q matches the start of a slug; one at /v1/authors/{slug}",
        "url", "/v1/sections", "description",
        "sections in the editors' order; one at /v1/sections/{slug}, its front at "
        "/v1/sections/{slug}/front",
        "operations",
        "url", "/healthz", "description", "liveness: the process answers",
        "url", "/readyz", "description", "readiness: the database answers and is migrated",
        "url", "/metrics", "description", "Prometheus metrics");
    int rc = doc ? reply_entity(req, 200, doc, 0, CACHE_STATIC, NULL, NULL) : MHD_NO;
    json_decref(doc);
    return rc;
}
