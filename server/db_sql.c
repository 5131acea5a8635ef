/* db_sql.c: every SQL statement khabar runs, in one place, as named prepared statements. */
#include "db_internal.h"

/* The columns of an article; the list leaves body out (NULL), single reads keep it. */
#define ARTICLE_HEAD "SELECT a.id, a.slug, a.title, a.summary, "
#define ARTICLE_TAIL                                                                            \
    " a.lang, khabar_time(a.published_at), khabar_time(a.created_at), khabar_time(a.updated_at),"\
    " a.version,"                                                                               \
    " (SELECT COALESCE(json_agg(s.name ORDER BY x.position), '[]') FROM article_sources x"      \
    "   JOIN sources s ON s.id = x.source_id WHERE x.article_id = a.id),"                       \
    " (SELECT COALESCE(json_agg(json_build_object('slug', t.slug, 'name', t.name)"              \
    "   ORDER BY x.position), '[]') FROM article_tags x JOIN tags t ON t.id = x.tag_id"         \
    "   WHERE x.article_id = a.id),"                                                            \
    " (" RELATED_JSON "),"                                                                      \
    " floor(extract(epoch FROM GREATEST(a.updated_at, (SELECT max(r.updated_at)"                \
    "   FROM article_related x JOIN articles r ON r.id = x.related_id"                          \
    "   WHERE x.article_id = a.id))))::bigint"                                                  \
    " FROM articles a"
#define RELATED_JSON                                                                            \
    "SELECT COALESCE(json_agg(json_build_object('id', r.id, 'slug', r.slug, 'title', r.title,"  \
    " 'published_at', khabar_time(r.published_at)) ORDER BY x.position), '[]')"                 \
    " FROM article_related x JOIN articles r ON r.id = x.related_id WHERE x.article_id = a.id"

const struct db_statement db_statements[STMT_COUNT] = {
    [STMT_PING] = { "SELECT 1", 0 },
    [STMT_ARTICLE_BY_ID] = { ARTICLE_HEAD "a.body," ARTICLE_TAIL " WHERE a.id = $1", 1 },
    [STMT_ARTICLE_BY_SLUG_KEY] = { ARTICLE_HEAD "a.body," ARTICLE_TAIL " WHERE a.slug_key = $1", 1 },
    [STMT_ARTICLE_LIST] = { ARTICLE_HEAD "NULL," ARTICLE_TAIL
                            " ORDER BY a.published_at DESC, a.id DESC LIMIT $1", 1 },
    [STMT_RELATED_OF] = { "SELECT (" RELATED_JSON ") FROM articles a WHERE a.id = $1", 1 },
    /* Each reference ({"id": n} or {"slug_key": s}) with the id it names, or NULL. */
    [STMT_RELATED_RESOLVE] = {
        "SELECT x.ord, a.id FROM json_array_elements($1::json) WITH ORDINALITY AS x(item, ord)"
        " LEFT JOIN articles a ON a.id = (x.item->>'id')::bigint OR a.slug_key = x.item->>'slug_key'"
        " ORDER BY x.ord", 1 },
    /* No row back means the slug is taken. */
    [STMT_ARTICLE_INSERT] = {
        "INSERT INTO articles (slug, slug_key, title, summary, body, lang, published_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, COALESCE($7::timestamptz, now()))"
        " ON CONFLICT (slug_key) DO NOTHING RETURNING id", 7 },
    [STMT_ARTICLE_LOCK] = { "SELECT version FROM articles WHERE id = $1 FOR UPDATE", 1 },
    [STMT_ARTICLE_UPDATE] = {
        "UPDATE articles SET slug = COALESCE($2, slug), slug_key = COALESCE($3, slug_key),"
        " title = $4, summary = $5, body = $6, lang = $7,"
        " published_at = COALESCE($8::timestamptz, published_at),"
        " version = version + 1, updated_at = now() WHERE id = $1", 8 },
    [STMT_ARTICLE_DELETE] = { "DELETE FROM articles WHERE id = $1", 1 },
    [STMT_ARTICLE_TOUCH] = {
        "UPDATE articles SET version = version + 1, updated_at = now() WHERE id = $1", 1 },
    /* Articles whose "read also" list loses a deleted article have changed too. */
    [STMT_LINKERS_TOUCH] = {
        "UPDATE articles SET version = version + 1, updated_at = now()"
        " WHERE id IN (SELECT article_id FROM article_related WHERE related_id = $1)", 1 },
    /* In slug order, so that two writers adding the same tags cannot deadlock. */
    [STMT_TAGS_UPSERT] = {
        "INSERT INTO tags (name, slug) SELECT x->>'name', x->>'slug'"
        " FROM json_array_elements($1::json) x ORDER BY 2 ON CONFLICT (slug) DO NOTHING", 1 },
    [STMT_ARTICLE_TAGS_CLEAR] = { "DELETE FROM article_tags WHERE article_id = $1", 1 },
    [STMT_ARTICLE_TAGS_ADD] = {
        "INSERT INTO article_tags (article_id, tag_id, position, published_at)"
        " SELECT a.id, t.id, x.ord, a.published_at FROM articles a"
        " CROSS JOIN json_array_elements($2::json) WITH ORDINALITY AS x(item, ord)"
        " JOIN tags t ON t.slug = x.item->>'slug' WHERE a.id = $1", 2 },
    [STMT_SOURCES_UPSERT] = {
        "INSERT INTO sources (name, key) SELECT x->>'name', x->>'key'"
        " FROM json_array_elements($1::json) x ORDER BY 2 ON CONFLICT (key) DO NOTHING", 1 },
    [STMT_ARTICLE_SOURCES_CLEAR] = { "DELETE FROM article_sources WHERE article_id = $1", 1 },
    [STMT_ARTICLE_SOURCES_ADD] = {
        "INSERT INTO article_sources (article_id, source_id, position, published_at)"
        " SELECT a.id, s.id, x.ord, a.published_at FROM articles a"
        " CROSS JOIN json_array_elements($2::json) WITH ORDINALITY AS x(item, ord)"
        " JOIN sources s ON s.key = x.item->>'key' WHERE a.id = $1", 2 },
    [STMT_ARTICLE_RELATED_CLEAR] = { "DELETE FROM article_related WHERE article_id = $1", 1 },
    [STMT_ARTICLE_RELATED_ADD_ALL] = {
        "INSERT INTO article_related (article_id, related_id, position)"
        " SELECT $1, x.id::bigint, x.ord FROM json_array_elements_text($2::json)"
        " WITH ORDINALITY AS x(id, ord) ON CONFLICT DO NOTHING", 2 },
    /* Appended after the existing links; nothing when the link exists already. */
    [STMT_RELATED_ADD] = {
        "INSERT INTO article_related (article_id, related_id, position)"
        " SELECT $1, $2, COALESCE((SELECT max(position) FROM article_related"
        " WHERE article_id = $1), 0) + 1 ON CONFLICT DO NOTHING", 2 },
    [STMT_RELATED_REMOVE] = {
        "DELETE FROM article_related WHERE article_id = $1 AND related_id = $2", 2 },
    [STMT_ARTICLE_EXISTS] = { "SELECT 1 FROM articles WHERE id = $1", 1 },
    [STMT_TAG_BY_SLUG] = {
        "SELECT t.slug, t.name, (SELECT count(*) FROM article_tags x WHERE x.tag_id = t.id)"
        " FROM tags t WHERE t.slug = $1", 1 },
    [STMT_TAG_LIST] = {
        "SELECT t.slug, t.name, count(x.article_id) AS n FROM tags t"
        " LEFT JOIN article_tags x ON x.tag_id = t.id GROUP BY t.id ORDER BY n DESC, t.slug"
        " LIMIT $1", 1 },
    [STMT_SOURCE_LIST] = {
        "SELECT s.name, count(x.article_id) AS n FROM sources s"
        " LEFT JOIN article_sources x ON x.source_id = s.id GROUP BY s.id ORDER BY n DESC, s.key"
        " LIMIT $1", 1 },
};
