/* tags.c: the tag resource: one tag by slug or name in any letter variant, and the list, with counts. */
#include <stdlib.h>

#include "app.h"
#include "handlers/handlers.h"
#include "http/http.h"
#include "model/serialize.h"
#include "name_list.h"
#include "text/normalize.h"

/* GET /v1/tags/{tag}: one tag with its article count. */
int tags_get(struct request *req)
{
    int rc = MHD_NO;
    struct db_name tag = { 0 };
    char *key = text_slug_key_new(req->params[0]);
    if (key == NULL || key[0] == '\0') {
        free(key);
        return reply_db_status(req, DB_NOT_FOUND, "tag");
    }
    db_conn *c = request_db(req, &rc);
    if (c != NULL) {
        int64_t last_modified = 0;
        db_status st = db_tag_get(c, key, &tag);
        if (st == DB_OK)
            st = db_last_change(c, &last_modified); /* its count moves with any article */
        db_release(c);
        json_t *doc = st == DB_OK ? serialize_tag_new(&tag) : NULL;
        rc = st == DB_OK ? reply_entity(req, 200, doc, last_modified, CACHE_LIST, NULL, NULL)
                         : reply_db_status(req, st, "tag");
        json_decref(doc);
    }
    free(key);
    db_name_clear(&tag);
    return rc;
}

/* GET /v1/tags: tags most used first; q matches the start of a tag in any letter variant. */
int tags_list(struct request *req)
{
    return name_list_reply(req, CURSOR_TAGS, text_slug_key_new, db_tag_list, serialize_tag_page);
}
