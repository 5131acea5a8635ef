/* article_facets.c: the facets argument of GET /v1/articles and the facets of its answer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "article_list.h"

static const char *const facet_names[FACETS_MAX] = { "tag", "source", "author", "section" };

/* The index of the facet name (len bytes) in facet_names, or -1. */
static int facet_index(const char *name, size_t len)
{
    for (int i = 0; i < FACETS_MAX; i++)
        if (strlen(facet_names[i]) == len && memcmp(facet_names[i], name, len) == 0)
            return i;
    return -1;
}

/* facet_limit as a whole number from 1 to FACET_LIMIT_MAX. */
static bool facet_limit_of(const char *text, unsigned *out)
{
    char *end;
    if (text[0] < '0' || text[0] > '9' || strlen(text) > 3)
        return false;
    unsigned long v = strtoul(text, &end, 10);
    *out = (unsigned)v;
    return *end == '\0' && v >= 1 && v <= FACET_LIMIT_MAX;
}

bool facet_args_read(const char *facets, const char *facet_limit, struct facet_args *out,
                     char *detail, size_t size)
{
    bool *seen = out->asked;
    int count = 0;
    memset(out, 0, sizeof *out);
    seen = out->asked;
    out->limit = FACET_LIMIT_DEFAULT;
    if (facets == NULL) {
        if (facet_limit != NULL)
            return snprintf(detail, size, "facet_limit is given only with facets"), false;
        return true;
    }
    if (facet_limit != NULL && !facet_limit_of(facet_limit, &out->limit))
        return snprintf(detail, size, "facet_limit must be a whole number from 1 to %d",
                        FACET_LIMIT_MAX), false;
    strcpy(out->kinds, "{");
    for (const char *p = facets;; p++) {
        size_t len = strcspn(p, ",");
        int i = facet_index(p, len);
        if (++count > FACETS_MAX)
            return snprintf(detail, size, "at most %d facets: tag, source, author, section",
                            FACETS_MAX), false;
        if (i < 0)
            return snprintf(detail, size, "facets are a comma-separated list of tag, source, "
                                          "author and section"), false;
        if (seen[i])
            return snprintf(detail, size, "facet %s is asked for twice", facet_names[i]), false;
        seen[i] = true;
        strcat(out->kinds, count > 1 ? "," : "");
        strcat(out->kinds, facet_names[i]);
        p += len;
        if (*p == '\0')
            break;
    }
    strcat(out->kinds, "}");
    return true;
}

/* One value: {"slug", "name", "count"}, a source's {"name", "count"}. */
static json_t *facet_value_new(const struct db_facet_value *v)
{
    if (strcmp(v->facet, "source") == 0)
        return json_pack("{s:s, s:I}", "name", v->name, "count", (json_int_t)v->count);
    return json_pack("{s:s, s:s, s:I}", "slug", v->key, "name", v->name, "count",
                     (json_int_t)v->count);
}

json_t *facets_json_new(const struct facet_args *args, const struct db_facets *facets)
{
    json_t *all = json_object();
    for (int i = 0; i < FACETS_MAX; i++)
        if (args->asked[i])
            json_object_set_new(all, facet_names[i], json_array());
    for (size_t i = 0; i < facets->n; i++)
        json_array_append_new(json_object_get(all, facets->items[i].facet),
                              facet_value_new(&facets->items[i]));
    bool exact = facets->matched <= FACET_BOUND;
    return json_pack("{s:o, s:I, s:b}", "facets", all, "facets_counted",
                     (json_int_t)(exact ? facets->matched : FACET_BOUND), "facets_exact", exact);
}
