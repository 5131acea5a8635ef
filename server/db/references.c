/* references.c: the references of an article's input (related articles, its byline, its section) resolved to ids in a write. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void db_refuse(struct db_refusal *refused, enum db_refused_input input, enum db_refusal_kind kind,
               int index, const char *value)
{
    refused->input = input;
    refused->kind = kind;
    refused->index = index;
    snprintf(refused->value, sizeof refused->value, "%s", value ? value : "");
}

/* A related reference ({"id": n} or {"slug_key": s}) as text, for a refusal. */
static void reference_text(const json_t *ref, char *out, size_t size)
{
    const json_t *id = json_object_get(ref, "id");
    if (json_is_integer(id))
        snprintf(out, size, "%" JSON_INTEGER_FORMAT, json_integer_value(id));
    else if (json_is_string(json_object_get(ref, "slug_key")))
        snprintf(out, size, "%s", json_string_value(json_object_get(ref, "slug_key")));
    else
        out[0] = '\0';
}

/*
 * The ids of the related references, in order; DB_BAD_REFERENCE refusing the first
 * one that does not exist (or is the article itself, self_id).
 */
static db_status resolve_related(db_conn *c, const json_t *refs, int64_t self_id,
                                 json_t **ids_out, struct db_refusal *refused)
{
    db_status st;
    *ids_out = json_array();
    if (json_array_size(refs) == 0)
        return DB_OK;
    char *text = json_dumps(refs, JSON_COMPACT);
    const char *params[1] = { text };
    PGresult *res = text ? db_run(c, STMT_RELATED_RESOLVE, params, PGRES_TUPLES_OK, &st) : NULL;
    free(text);
    if (res == NULL)
        return text ? st : DB_ERROR;
    st = DB_OK;
    for (int i = 0; i < PQntuples(res) && st == DB_OK; i++) {
        int64_t id = PQgetisnull(res, i, 1) ? 0 : db_integer_of(res, i, 1);
        if (id == 0 || id == self_id) {
            char ref[sizeof refused->value];
            reference_text(json_array_get(refs, (size_t)i), ref, sizeof ref);
            db_refuse(refused, DB_INPUT_RELATED, id == 0 ? DB_REFUSAL_NO_ARTICLE : DB_REFUSAL_SELF,
                   i, ref);
            st = DB_BAD_REFERENCE;
        } else {
            json_array_append_new(*ids_out, json_integer((json_int_t)id));
        }
    }
    PQclear(res);
    return st;
}

/*
 * The author ids of the byline, in order; DB_BAD_REFERENCE refusing the first reference
 * that names no author, or an author named already. An import creates the authors it
 * names by slug first.
 */
static db_status resolve_authors(db_conn *c, const struct db_article_write *in, json_t **ids_out,
                                 struct db_refusal *refused)
{
    db_status st = DB_OK;
    *ids_out = json_array();
    if (json_array_size(in->authors) == 0)
        return DB_OK;
    char *text = json_dumps(in->authors, JSON_COMPACT);
    const char *params[1] = { text };
    if (text == NULL)
        return DB_ERROR;
    if (in->create_missing)
        PQclear(db_run(c, STMT_AUTHORS_UPSERT, params, PGRES_COMMAND_OK, &st));
    PGresult *res = st == DB_OK ? db_run(c, STMT_AUTHORS_RESOLVE, params, PGRES_TUPLES_OK, &st) : NULL;
    free(text);
    if (res == NULL)
        return st;
    for (int i = 0; i < PQntuples(res) && st == DB_OK; i++) {
        int64_t id = PQgetisnull(res, i, 1) ? 0 : db_integer_of(res, i, 1);
        bool repeated = false;
        size_t j;
        const json_t *seen;
        json_array_foreach(*ids_out, j, seen) {
            repeated |= json_integer_value(seen) == id;
        }
        if (id == 0 || repeated) {
            char ref[sizeof refused->value];
            reference_text(json_array_get(in->authors, (size_t)i), ref, sizeof ref);
            db_refuse(refused, DB_INPUT_AUTHORS, id == 0 ? DB_REFUSAL_NO_AUTHOR : DB_REFUSAL_DUPLICATE,
                   i, ref);
            st = DB_BAD_REFERENCE;
        } else {
            json_array_append_new(*ids_out, json_integer((json_int_t)id));
        }
    }
    PQclear(res);
    return st;
}

/* The id of the article's section (*id 0: none); DB_BAD_REFERENCE when it names none. */
static db_status resolve_section(db_conn *c, const struct db_article_write *in, int64_t *id,
                                 struct db_refusal *refused)
{
    db_status st = DB_OK;
    *id = 0;
    if (!json_is_object(in->section))
        return DB_OK;
    const json_t *idv = json_object_get(in->section, "id");
    const char *key = json_string_value(json_object_get(in->section, "slug_key"));
    struct db_int_text idtext = db_int_text(json_is_integer(idv) ? json_integer_value(idv) : 0);
    if (in->create_missing && key != NULL) {
        const char *upsert[3] = { json_string_value(json_object_get(in->section, "name")),
                                  json_string_value(json_object_get(in->section, "slug")), key };
        PQclear(db_run(c, STMT_SECTION_UPSERT, upsert, PGRES_COMMAND_OK, &st));
    }
    const char *params[2] = { json_is_integer(idv) ? idtext.s : NULL, key };
    PGresult *res = st == DB_OK ? db_run(c, STMT_SECTION_RESOLVE, params, PGRES_TUPLES_OK, &st) : NULL;
    if (res == NULL)
        return st;
    if (PQntuples(res) == 1) {
        *id = db_integer_of(res, 0, 0);
    } else {
        char ref[sizeof refused->value];
        reference_text(in->section, ref, sizeof ref);
        db_refuse(refused, DB_INPUT_SECTION, DB_REFUSAL_NO_SECTION, 0, ref);
        st = DB_BAD_REFERENCE;
    }
    PQclear(res);
    return st;
}


db_status db_resolve_all(db_conn *c, const struct db_article_write *in, int64_t self_id,
                             struct resolved *r, struct db_refusal *refused)
{
    db_status st = resolve_related(c, in->related, self_id, &r->related, refused);
    if (st == DB_OK)
        st = resolve_authors(c, in, &r->authors, refused);
    if (st == DB_OK)
        st = resolve_section(c, in, &r->section, refused);
    r->section_text = db_int_text(r->section);
    return st;
}

/* The section parameter of an insert or update: NULL for none. */
const char *db_section_param(const struct resolved *r)
{
    return r->section ? r->section_text.s : NULL;
}
