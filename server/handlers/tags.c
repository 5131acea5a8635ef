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
    char *key = text_slug_key_new(req->params[0]);
    int rc = key != NULL && key[0] != '\0'
                 ? name_get_reply(req, key, "tag", db_tag_get, serialize_tag_new)
                 : reply_db_status(req, DB_NOT_FOUND, "tag");
    free(key);
    return rc;
}

/* GET /v1/tags: tags most used first; q matches the start of a tag in any letter variant. */
void tags_list_many(struct request *const *reqs, size_t n, int *rcs)
{
    name_list_reply_many(reqs, n, rcs, CURSOR_TAGS, text_slug_key_new, db_tag_lists, serialize_tag_page);
}

/* GET /v1/tags for one request. */
int tags_list(struct request *req)
{
    int rc = MHD_NO;
    tags_list_many(&req, 1, &rc);
    return rc;
}
