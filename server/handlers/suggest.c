/* suggest.c: GET /v1/suggest: what a search box offers while a word is typed: titles, tags,
 * authors and sections that begin like it, in any letter variant. */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "handlers/handlers.h"
#include "http/http.h"
#include "model/serialize.h"
#include "text/normalize.h"
#include "text/words.h"

/* At most this many of each kind. */
#define SUGGEST_MAX 10
/* Longest q, in characters: a search box's text, not a document. */
#define SUGGEST_QUERY_MAX_CHARS 100

/* The whole (first) search form of each word of q, in order. */
struct typed_words {
    json_t *forms;
    size_t next_word;
};

static int collect_word(size_t word, const char *form, size_t len, void *arg)
{
    struct typed_words *t = arg;
    if (word < t->next_word)
        return 0; /* a shorter form of a word already taken */
    t->next_word = word + 1;
    return json_array_append_new(t->forms, json_stringn(form, len));
}

/* What the box holds: the last word as a prefix (*prefix_new) and the words before it as a
 * JSON array (*earlier_new, NULL when there are none); false when q holds no word. */
static bool typed_split(const char *q, char **prefix_new, char **earlier_new)
{
    struct typed_words t = { json_array(), 0 };
    *prefix_new = *earlier_new = NULL;
    size_t n = 0;
    if (t.forms != NULL && text_search_forms(q, collect_word, &t) >= 0)
        n = json_array_size(t.forms);
    if (n > 0) {
        *prefix_new = strdup(json_string_value(json_array_get(t.forms, n - 1)));
        json_array_remove(t.forms, n - 1);
        if (n > 1)
            *earlier_new = json_dumps(t.forms, JSON_COMPACT);
    }
    json_decref(t.forms);
    return *prefix_new != NULL;
}

/* GET /v1/suggest: up to 10 titles, tags, authors and sections beginning like q. */
int suggest_get(struct request *req)
{
    int rc = MHD_NO;
    char *prefix = NULL, *earlier = NULL, *name_key = NULL;
    struct db_suggestions s = { 0 };
    const char *q = request_query(req, "q");
    if (q == NULL || !text_is_valid_utf8(q, strlen(q)) || text_is_blank(q) ||
        text_char_count(q) > SUGGEST_QUERY_MAX_CHARS) {
        rc = reply_problem(req, 400, PROBLEM_INVALID_PARAMETER,
                           "q must be 1 to 100 characters of text", NULL);
        goto out;
    }
    if (!typed_split(q, &prefix, &earlier)) {
        rc = reply_problem(req, 400, PROBLEM_INVALID_PARAMETER, "q must hold a letter or a digit", NULL);
        goto out;
    }
    if ((name_key = text_slug_key_new(q)) == NULL) {
        rc = reply_problem(req, 500, PROBLEM_INTERNAL_ERROR, "the request could not be completed", NULL);
        goto out;
    }
    db_conn *c = request_db(req, &rc);
    if (c == NULL)
        goto out;
    db_status st = db_suggest(c, prefix, earlier, name_key, SUGGEST_MAX, &s);
    db_release(c);
    if (st != DB_OK) {
        rc = reply_db_status(req, st, "list");
        goto out;
    }
    json_t *doc = serialize_suggestions_new(&s.articles, &s.tags, &s.authors, &s.sections);
    rc = reply_entity(req, 200, doc, s.articles.end.last_modified, CACHE_LIST, NULL, NULL);
    json_decref(doc);
out:
    db_suggestions_clear(&s);
    free(prefix);
    free(earlier);
    free(name_key);
    return rc;
}
