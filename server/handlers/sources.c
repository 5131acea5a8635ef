/* sources.c: the source resource: the list of sources, most used first, with counts. */
#include "app.h"
#include "handlers/handlers.h"
#include "http/http.h"
#include "model/serialize.h"
#include "name_list.h"
#include "text/normalize.h"

/* GET /v1/sources: sources most used first; q matches the start of a name in any letter variant. */
void sources_list_many(struct request *const *reqs, size_t n, int *rcs)
{
    name_list_reply_many(reqs, n, rcs, CURSOR_SOURCES, text_normalize_new, db_source_lists, serialize_source_page);
}

/* GET /v1/sources for one request. */
int sources_list(struct request *req)
{
    int rc = MHD_NO;
    sources_list_many(&req, 1, &rc);
    return rc;
}
