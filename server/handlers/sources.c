/* sources.c: the source resource: the list of sources, most used first, with counts. */
#include "app.h"
#include "handlers/handlers.h"
#include "http/http.h"
#include "model/serialize.h"
#include "name_list.h"
#include "text/normalize.h"

/* GET /v1/sources: sources most used first; q matches the start of a name in any letter variant. */
int sources_list(struct request *req)
{
    return name_list_reply(req, CURSOR_SOURCES, text_normalize_new, db_source_list,
                           serialize_source_page);
}
