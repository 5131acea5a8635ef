/* conditional.c: representations with their ETag and Last-Modified, and conditional
 * requests: If-None-Match / If-Modified-Since (304) and If-Match. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "infra/hash.h"
#include "text/json_text.h"
#include "internal.h"

static void etag_of_text(const char *text, size_t len, char *etag, size_t size)
{
    /* 64 bits of the representation's bytes: changes with anything that is served */
    snprintf(etag, size, "\"%016llx\"", (unsigned long long)hash_representation64(text, len));
}

void etag_of_json(const json_t *doc, char *etag, size_t size)
{
    size_t len = 0;
    char *text = reply_body_new(doc, &len);
    etag_of_text(text ? text : "", text ? len : 0, etag, size);
    free(text);
}

/* True when a list of entity tags (If-Match / If-None-Match) holds etag or "*". */
static bool etag_list_has(const char *list, const char *etag, bool weak_ok)
{
    size_t elen = strlen(etag);
    const char *p = list;
    while (*p != '\0') {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (*p == '*')
            return true;
        bool weak = strncmp(p, "W/", 2) == 0;
        if (weak)
            p += 2;
        if (*p != '"')
            return false;
        const char *end = strchr(p + 1, '"');
        if (end == NULL)
            return false;
        if ((!weak || weak_ok) && (size_t)(end + 1 - p) == elen && memcmp(p, etag, elen) == 0)
            return true;
        p = end + 1;
    }
    return false;
}

bool request_if_match(const struct request *req, const char *etag)
{
    const char *h = request_header(req, MHD_HTTP_HEADER_IF_MATCH);
    return h == NULL || etag_list_has(h, etag, false);
}

static void http_date(int64_t t, char *buf, size_t size)
{
    struct tm tm;
    time_t tt = (time_t)t;
    gmtime_r(&tt, &tm);
    strftime(buf, size, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/* True when If-Modified-Since is a valid date no earlier than last_modified. */
static bool not_modified_since(const char *h, int64_t last_modified)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *end = strptime(h, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (end == NULL || *end != '\0')
        return false;
    return last_modified > 0 && (int64_t)timegm(&tm) >= last_modified;
}

/* True when the client says it has the representation with this ETag already. */
static bool client_has(const struct request *req, const char *etag, int64_t last_modified)
{
    const char *inm = request_header(req, MHD_HTTP_HEADER_IF_NONE_MATCH);
    const char *ims = request_header(req, MHD_HTTP_HEADER_IF_MODIFIED_SINCE);
    return (inm != NULL && etag_list_has(inm, etag, true)) ||
           (inm == NULL && ims != NULL && not_modified_since(ims, last_modified));
}

/* Queues resp (NULL: no memory) as a representation: its validators, and the header the
 * entity names unless the answer is a 304. */
static int representation_queue(struct request *req, unsigned status, struct MHD_Response *resp,
                                size_t len, const char *etag, const struct entity_meta *m)
{
    if (resp != NULL) {
        char date[64];
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
        if (m->last_modified > 0) {
            http_date(m->last_modified, date, sizeof date);
            MHD_add_response_header(resp, MHD_HTTP_HEADER_LAST_MODIFIED, date);
        }
        if (status != 304 && m->header != NULL && m->value != NULL)
            MHD_add_response_header(resp, m->header, m->value);
    }
    return reply_queue(req, status, resp, m->cache_control, len);
}

static struct MHD_Response *not_modified_response(void)
{
    return MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
}

static const char *content_type_of(const struct entity_meta *m)
{
    return m->content_type ? m->content_type : "application/json";
}

int reply_representation(struct request *req, unsigned status, char *text, size_t len,
                         const char *etag, const struct entity_meta *m)
{
    if (status == 200 && client_has(req, etag, m->last_modified)) {
        free(text);
        return representation_queue(req, 304, not_modified_response(), 0, etag, m);
    }
    return representation_queue(req, status, reply_response_new(text, len, content_type_of(m)), len,
                                etag, m);
}

int reply_representation_shared(struct request *req, const struct shared_text *body,
                                const char *etag, const struct entity_meta *m)
{
    struct MHD_Response *resp = NULL;
    if (client_has(req, etag, m->last_modified)) {
        body->release(body->cls);
        return representation_queue(req, 304, not_modified_response(), 0, etag, m);
    }
    resp = MHD_create_response_from_buffer_with_free_callback_cls(body->len, (void *)body->text,
                                                                 body->release, body->cls);
    if (resp == NULL)
        body->release(body->cls);
    else
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type_of(m));
    return representation_queue(req, 200, resp, body->len, etag, m);
}

int reply_entity_text(struct request *req, unsigned status, char *text, size_t len,
                      const struct entity_meta *m)
{
    char etag[40];
    if (text == NULL)
        return MHD_NO;
    etag_of_text(text, len, etag, sizeof etag);
    if (status == 200)
        answer_cache_keep(req, text, len, etag, m);
    return reply_representation(req, status, text, len, etag, m);
}

int reply_entity(struct request *req, unsigned status, const json_t *doc, int64_t last_modified,
                 const char *cache_control, const char *header, const char *value)
{
    size_t len = 0;
    char *text = reply_body_new(doc, &len);
    /* a negotiated type (application/ld+json) is JSON too */
    struct entity_meta m = { .content_type = req->media_type, .last_modified = last_modified,
                             .cache_control = cache_control, .header = header, .value = value };
    return reply_entity_text(req, status, text, len, &m);
}

/* The page's answer written directly around its items' text (taken over): the bytes
 * json_dumps writes for {"data": [...], "next_cursor": ..., extra's members}, and a
 * newline; NULL on no memory. */
static char *page_text_new(struct list_page *page, const char *cursor, size_t *len)
{
    struct json_text j = { 0 };
    json_text_raw(&j, "{\"data\":", 8);
    json_text_raw(&j, page->items_text, strlen(page->items_text));
    free(page->items_text);
    page->items_text = NULL;
    if (!page->whole) {
        json_text_raw(&j, ",\"next_cursor\":", 15);
        json_text_string(&j, cursor);
    }
    const char *key;
    json_t *value;
    json_object_foreach(page->extra, key, value) {
        char *dumped = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
        json_text_raw(&j, ",", 1);
        json_text_string(&j, key);
        json_text_raw(&j, ":", 1);
        if (dumped != NULL)
            json_text_raw(&j, dumped, strlen(dumped));
        else
            j.failed = true;
        free(dumped);
    }
    json_text_raw(&j, "}\n", 2);
    if (j.failed) {
        json_text_free(&j);
        return NULL;
    }
    *len = j.len;
    return j.buf;
}

int reply_page(struct request *req, struct list_page *page, enum cursor_kind kind)
{
    char *cursor = page->more && !page->whole ? cursor_encode_new(kind, page->last_key, page->last_id) : NULL;
    char *next = cursor ? request_next_link_new(req, cursor) : NULL, *link = next;
    if (page->links != NULL && next != NULL && asprintf(&link, "%s, %s", next, page->links) < 0)
        link = NULL;
    else if (page->links != NULL && next == NULL)
        link = (char *)page->links;
    struct entity_meta m = { .content_type = req->media_type, .last_modified = page->last_modified,
                             .cache_control = page->editors_only ? CACHE_PRIVATE : CACHE_LIST,
                             .header = link ? "Link" : NULL, .value = link };
    int rc;
    if (page->items_text != NULL) {
        size_t len = 0;
        char *text = page_text_new(page, cursor, &len);
        rc = reply_entity_text(req, 200, text, len, &m);
    } else {
        json_t *doc = page->whole ? json_pack("{s:o}", "data", page->items)
                                  : json_pack("{s:o, s:s?}", "data", page->items, "next_cursor", cursor);
        page->items = NULL; /* taken over by doc */
        if (doc != NULL && page->extra != NULL)
            json_object_update(doc, page->extra);
        rc = doc ? reply_entity(req, 200, doc, m.last_modified, m.cache_control, m.header, m.value) : MHD_NO;
        json_decref(doc);
    }
    if (link != next && link != page->links)
        free(link);
    free(next);
    free(cursor);
    return rc;
}

int reply_page_read(struct request *req, db_status st, struct list_page *page, enum cursor_kind kind,
                    const char *what)
{
    return st == DB_OK ? reply_page(req, page, kind) : reply_db_status(req, st, what);
}
