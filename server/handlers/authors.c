/* authors.c: the author resource: the list, one author by slug, and editors' create, replace, patch and delete. */
#include <stdlib.h>

#include "app.h"
#include "catalog.h"
#include "handlers/handlers.h"
#include "infra/strict_json.h"
#include "model/article_input.h"
#include "model/catalog_input.h"
#include "model/serialize.h"
#include "name_list.h"
#include "text/normalize.h"

/* GET /v1/authors: authors with the most public articles first (those with none too); q
 * matches the start of a slug in any letter variant. */
void authors_list_many(struct request *const *reqs, size_t n, int *rcs)
{
    name_list_reply_many(reqs, n, rcs, CURSOR_AUTHORS, text_slug_key_new, db_author_lists, serialize_author_page);
}

/* GET /v1/authors for one request. */
int authors_list(struct request *req)
{
    int rc = MHD_NO;
    authors_list_many(&req, 1, &rc);
    return rc;
}

/* GET /v1/authors/{author}: one author by slug, with its count of public articles. */
int authors_get(struct request *req)
{
    int rc = MHD_NO;
    char *key = catalog_path_key_new(req, "author", &rc);
    if (key != NULL)
        rc = name_get_reply(req, key, "author", db_author_get, serialize_author_new);
    free(key);
    return rc;
}

/* Checks obj as an author; false after answering 422. */
static bool check_author(struct request *req, const json_t *obj, struct author_input *in, int *rc)
{
    json_t *errors = json_array();
    struct article_rules rules = article_rules_of(&req->app->config);
    if (author_input_from_json(obj, &rules.image, in, errors) == 0) {
        json_decref(errors);
        return true;
    }
    *rc = catalog_reply_invalid(req, errors);
    return false;
}

/* Writes in (create when key is NULL, else replace the author at key) and answers. */
static int write_author(struct request *req, const char *key, const struct author_input *in)
{
    int rc = MHD_NO;
    struct db_name author = { 0 };
    db_conn *c = request_db(req, &rc);
    if (c == NULL)
        return rc;
    db_status st = key ? db_author_replace(c, key, &in->write, &author)
                       : db_author_create(c, &in->write, &author);
    db_release(c);
    json_t *doc = st == DB_OK ? serialize_author_new(&author) : NULL;
    rc = catalog_reply_written(req, key ? 200 : 201, st, doc, "/v1/authors/", author.slug, "author");
    json_decref(doc);
    db_name_clear(&author);
    return rc;
}

/* POST /v1/authors: creates an author (editors); 201 with it and its Location. */
int authors_create(struct request *req)
{
    int rc = MHD_NO;
    struct author_input in = { 0 };
    json_t *body = catalog_body(req, false, &rc);
    if (body != NULL && check_author(req, body, &in, &rc))
        rc = write_author(req, NULL, &in);
    json_decref(body);
    author_input_free(&in);
    return rc;
}

/* PUT /v1/authors/{author}: replaces an author (editors); its articles show the new name. */
int authors_replace(struct request *req)
{
    int rc = MHD_NO;
    struct author_input in = { 0 };
    char *key = catalog_path_key_new(req, "author", &rc);
    json_t *body = key ? catalog_body(req, false, &rc) : NULL;
    if (body != NULL && check_author(req, body, &in, &rc))
        rc = write_author(req, key, &in);
    json_decref(body);
    author_input_free(&in);
    free(key);
    return rc;
}

/* PATCH /v1/authors/{author}: applies a JSON merge patch (RFC 7396) to an author (editors). */
int authors_patch(struct request *req)
{
    int rc = MHD_NO;
    struct author_input in = { 0 };
    struct db_name current = { 0 };
    json_t *merged = NULL;
    char *key = catalog_path_key_new(req, "author", &rc);
    json_t *patch = key ? catalog_body(req, true, &rc) : NULL;
    db_conn *c = patch ? request_db(req, &rc) : NULL;
    if (c == NULL)
        goto out;
    db_status st = db_author_get(c, key, &current);
    db_release(c);
    if (st != DB_OK) {
        rc = reply_db_status(req, st, "author");
        goto out;
    }
    json_t *stored = serialize_author_new(&current);
    merged = catalog_input_json_new(stored);
    json_decref(stored);
    khabar_json_merge_patch(merged, patch);
    if (check_author(req, merged, &in, &rc))
        rc = write_author(req, key, &in);
out:
    json_decref(patch);
    json_decref(merged);
    author_input_free(&in);
    db_name_clear(&current);
    free(key);
    return rc;
}

/* DELETE /v1/authors/{author}: deletes an author (editors); refused (409) while it is in a byline. */
int authors_delete(struct request *req)
{
    int rc = MHD_NO;
    struct db_refusal refused = { 0 };
    char *key = catalog_path_key_new(req, "author", &rc);
    db_conn *c = key ? request_db(req, &rc) : NULL;
    if (c != NULL) {
        db_status st = db_author_delete(c, key, &refused);
        db_release(c);
        rc = catalog_reply_deleted(req, st, &refused, "author",
                                   "the author is still in bylines: take it out of them first");
    }
    free(key);
    return rc;
}
