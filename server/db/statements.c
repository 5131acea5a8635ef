/* statements.c: every SQL statement khabar runs, in one place, as named prepared statements,
 * each declaring beside its text whether it only reads and whether it is planned each time. */
#include "infra/changes.h"
#include "internal.h"
#include "infra/wal.h"
#include "statement_parts.h"
#include "webhook_statements.h"

const struct db_statement db_statements[STMT_COUNT] = {
    [STMT_PING] = { "SELECT 1", 0, .read_only = 1 },
    /* after a write: a mark the writer's change thread hears once the write's own
     * announcement, committed before it, has been applied (infra/changes.h). It changes no
     * row, and a mark heard twice is heard once: it may run again after a lost connection. */
    [STMT_SEND_MARK] = { "SELECT pg_notify('" MARKS_CHANNEL "', $1)", 1, .read_only = 1 },
    /* on the primary after a commit: at or past the end of its commit record */
    [STMT_WAL_END_POSITION] = { WAL_END_OF_RECORDS_SQL, 0, .read_only = 1 },
    /* on a replica: how far it has replayed (NULL on a server that is not in recovery) */
    [STMT_WAL_REPLAY_POSITION] = { "SELECT pg_last_wal_replay_lsn()", 0, .read_only = 1 },
    [STMT_ARTICLE_BY_ID] = { "SELECT " ARTICLE_COLUMNS(ONE_ARTICLE) " FROM articles a WHERE a.id = $1", 1, .read_only = 1 },
    [STMT_ARTICLE_BY_SLUG_KEY] = {
        "SELECT " ARTICLE_COLUMNS(ONE_ARTICLE) " FROM articles a WHERE a.slug_key = $1", 1, .read_only = 1 },
    [STMT_LIST_NEWEST] = { "SELECT " ARTICLE_COLUMNS(LIST_ITEM) NEWEST_SCAN, 6, .read_only = 1 },
    [STMT_LIST_BY_TAG] = { "SELECT " ARTICLE_COLUMNS(LIST_ITEM) TAG_SCAN, 8, .read_only = 1 },
    [STMT_LIST_BY_SOURCE] = { "SELECT " ARTICLE_COLUMNS(LIST_ITEM) SOURCE_SCAN, 8, .read_only = 1 },
    [STMT_LIST_BY_AUTHOR] = { "SELECT " ARTICLE_COLUMNS(LIST_ITEM) AUTHOR_SCAN, 10, .read_only = 1 },
    [STMT_LIST_BY_SECTION] = { "SELECT " ARTICLE_COLUMNS(LIST_ITEM) SECTION_SCAN, 9, .read_only = 1 },
    /* Feeds: the lists' scans, each item with its safe HTML body. */
    [STMT_FEED_NEWEST] = { "SELECT " ARTICLE_COLUMNS(FEED_ITEM) NEWEST_SCAN, 6, .read_only = 1 },
    [STMT_FEED_BY_TAG] = { "SELECT " ARTICLE_COLUMNS(FEED_ITEM) TAG_SCAN, 8, .read_only = 1 },
    [STMT_FEED_BY_SOURCE] = { "SELECT " ARTICLE_COLUMNS(FEED_ITEM) SOURCE_SCAN, 8, .read_only = 1 },
    [STMT_FEED_BY_AUTHOR] = { "SELECT " ARTICLE_COLUMNS(FEED_ITEM) AUTHOR_SCAN, 10, .read_only = 1 },
    [STMT_FEED_BY_SECTION] = { "SELECT " ARTICLE_COLUMNS(FEED_ITEM) SECTION_SCAN, 9, .read_only = 1 },
    /* The facets of each list, over the same scan (FACETS). */
    [STMT_FACETS_NEWEST] = {
        FACETS(NEWEST_SCAN, "$7::bigint, $8::bigint, $9::text, $10::bigint, $11::bigint"), 13, .read_only = 1 },
    [STMT_FACETS_BY_TAG] = { FACETS(TAG_SCAN, "$9::text, $10::bigint, $11::bigint"), 13, .read_only = 1 },
    [STMT_FACETS_BY_SOURCE] = { FACETS(SOURCE_SCAN, "$9::text, $10::bigint, $11::bigint"), 13, .read_only = 1 },
    [STMT_FACETS_BY_AUTHOR] = { FACETS(AUTHOR_SCAN, "$11::bigint"), 13, .read_only = 1 },
    [STMT_FACETS_BY_SECTION] = { FACETS(SECTION_SCAN, "$10::bigint, $11::bigint"), 13, .read_only = 1 },
    /* A search's matches newest first, as the search's candidates are found (below). */
    [STMT_FACETS_SEARCH] = {
        FACETS(" FROM " NEWEST_MATCHES("a.tags_json, a.sources_json, a.authors_json, a.section_json", "",
                                       "COALESCE($4::timestamptz, '9999-12-31T23:59:59Z')", "$6") " a",
               "$1::real, $2::bigint"), 13, .read_only = 1 },
    /* Did you mean (migrations/0016_search_words.sql): $1 the forms of a query word (a
     * text array), $2 its whole form, $3 the largest edit distance allowed. $2 back when
     * a form is a known word; else the known word nearest to $2 in trigrams (the index
     * finds those past pg_trgm.similarity_threshold) within $3 edits, fewest edits
     * first; no row when there is none. */
    [STMT_WORD_SUGGEST] = {
        "SELECT $2::text WHERE EXISTS (SELECT 1 FROM search_words WHERE word = ANY($1::text[]))"
        " UNION ALL (SELECT w.word FROM search_words w WHERE w.word % $2::text"
        " AND NOT EXISTS (SELECT 1 FROM search_words WHERE word = ANY($1::text[]))"
        " AND levenshtein_less_equal(w.word, $2::text, $3::int) <= $3::int"
        " ORDER BY levenshtein_less_equal(w.word, $2::text, $3::int), similarity(w.word, $2::text) DESC,"
        " w.word LIMIT 1) LIMIT 1", 3, .read_only = 1 },
    /* The trigram similarity the suggestions' index scan starts from, for this session. */
    [STMT_WORD_SIMILARITY] = {
        "SELECT set_config('pg_trgm.similarity_threshold', $1, false)", 1, .read_only = 1 },
    /* Ranked: $1 $2 the last item seen (rank, id), $7 tag, $8 source, $9 the tsquery,
     * $10 author, $11 section, $12 the same query with words as written (exact).
     * Title words weigh most (A), then summary (B), then body (C). */
    [STMT_LIST_SEARCH] = {
        /* The candidates: the newest SEARCH_CANDIDATES matches, read newest first from
         * the RUM indexes, which keep each entry's published_at
         * (migrations/0004_search_newest.sql), the newest articles' first
         * (NEWEST_MATCHES). */
        /* Each candidate's tier, from the title's and summary's lexemes kept in the row
         * (search_head, migrations/0018_search_head.sql): 4 or 5 for a title match, 2 or 3
         * for a summary one (the higher when the field holds the whole query as written:
         * search.h's unmarked or written lexemes), -1 for a body-only match, whose tier (0
         * or 1) needs the body's lexemes. A rank is its tier plus ts_rank below 1
         * (normalization 32), so a candidate of tier t ranks in [t, t + 1), a body-only one
         * in [0, 2). A field matches when ts_rank weighing it alone is above 0, as it is over
         * the whole vector; over these lexemes ts_rank answers 1e-20 (not 0) for an AND none
         * of whose words are there, hence the threshold above that. */
        "WITH candidate AS MATERIALIZED (SELECT * FROM " NEWEST_MATCHES("a.id, CASE"
        " WHEN ts_rank('{0, 0, 0, 1}', a.search_head, $9::tsquery) > 1e-19 THEN 4 + (ts_filter(a.search_head, '{a}') @@ $12::tsquery)::int"
        " WHEN ts_rank('{0, 0, 1, 0}', a.search_head, $9::tsquery) > 1e-19 THEN 2 + (ts_filter(a.search_head, '{b}') @@ $12::tsquery)::int"
        " ELSE -1 END AS tier", "", "COALESCE($4::timestamptz, '9999-12-31T23:59:59Z')", SEARCH_CANDIDATES) " c),"
        /* The page's rows: $6 candidates ranked surely below the cursor (their rank's
         * upper bound at most the cursor's) whose lower bounds are highest give the least
         * rank the page can hold; a candidate whose upper bound is not above it cannot
         * reach the page and its whole vector is never read. */
        " bound AS (SELECT COALESCE((SELECT GREATEST(tier, 0) FROM candidate"
        "  WHERE " SEARCH_TIER_TOP("tier") " <= COALESCE($1::real, 'Infinity')"
        "  ORDER BY tier DESC OFFSET $6 - 1 LIMIT 1), -1) AS least),"
        /* A body-only candidate reads the whole vector twice, for its tier and its rank:
         * "|| ''" makes one copy of it (detoasted once) for both. */
        " ranked AS (SELECT a.id, (CASE WHEN candidate.tier >= 0"
        " THEN candidate.tier + ts_rank('{0, 0.1, 0.3, 1}', a.search, $9::tsquery, 32)"
        " ELSE (SELECT (ts_filter(v.s, '{c}') @@ $12::tsquery)::int + ts_rank('{0, 0.1, 0.3, 1}', v.s, $9::tsquery, 32)"
        " FROM (SELECT a.search || ''::tsvector AS s OFFSET 0) v) END)::real AS rank"
        " FROM candidate JOIN articles a ON a.id = candidate.id"
        " WHERE " SEARCH_TIER_TOP("candidate.tier") " > (SELECT least FROM bound)),"
        " page AS (SELECT id, rank FROM ranked"
        " WHERE (rank, id) < (COALESCE($1::real, 'Infinity'), COALESCE($2::bigint, 0))"
        " ORDER BY rank DESC, id DESC LIMIT $6)"
        " SELECT " ARTICLE_COLUMNS(SEARCH_ITEM) ", page.rank FROM page JOIN articles a ON a.id = page.id"
        " ORDER BY page.rank DESC, page.id DESC", 12, .read_only = 1 },
    /* sort=newest: $1 $2 the last item seen (published_at, id), the rest as above but
     * $12. The RUM index returns matches newest first from the cursor (or `to`); a page
     * reads its rows and SEARCH_TIES more, so that articles sharing the published_at
     * of a page's edge come in id order too. */
    [STMT_LIST_SEARCH_NEWEST] = {
        "WITH candidate AS MATERIALIZED (SELECT * FROM " NEWEST_MATCHES("a.id",
        " AND ($1::timestamptz IS NULL OR (a.published_at, a.id) < ($1::timestamptz, $2::bigint))",
        "COALESCE(LEAST($1::timestamptz, $4::timestamptz), '9999-12-31T23:59:59Z')", "$6 + " SEARCH_TIES) " c)"
        " SELECT " ARTICLE_COLUMNS(SEARCH_ITEM) ", NULL::real FROM candidate"
        " JOIN articles a ON a.id = candidate.id ORDER BY a.published_at DESC, a.id DESC LIMIT $6",
        11, .read_only = 1 },
    /* Editors' lists by status ($9: draft, scheduled, withdrawn or any), tag $7,
     * source $8, author $10 and section $11 as filters. Planned for each status, so that each reads its own index:
     * articles_status_newest, articles_scheduled, or articles_newest for any. */
    [STMT_LIST_BY_STATUS] = {
        "SELECT " ARTICLE_COLUMNS(LIST_ITEM) " FROM articles a WHERE"
        " (CASE $9::text WHEN 'any' THEN true"
        " WHEN 'scheduled' THEN a.status = 'published' AND NOT a.visible"
        " ELSE a.status = $9::text END) AND" AFTER("a.published_at", "a.id") BOUNDS("a.published_at")
        EDITORS_HAS_TAG("$7") EDITORS_HAS_SOURCE("$8") EDITORS_HAS_AUTHOR("$10") IN_SECTION("$11")
        " ORDER BY a.published_at DESC, a.id DESC LIMIT $6", 11,
        .plan_each_time = 1, .read_only = 1 },
    /* A tag or source by key, with its id and how many articles it has. */
    [STMT_TAG_FIND] = { "SELECT id, article_count FROM tags WHERE slug = $1", 1, .read_only = 1 },
    [STMT_SOURCE_FIND] = { "SELECT id, article_count FROM sources WHERE key = $1", 1, .read_only = 1 },
    /* Sitemaps: each month (UTC) that has public articles, with how many and their last
     * change; one month's articles from $1 (its first instant), $2 skipped, $3 of them;
     * the $1 newest public articles of the last 48 hours. The month and the news are
     * ranges of the public index, newest first. */
    /* Webhooks: admins' endpoints and the outbox's deliveries (webhook_statements.h). */
    [STMT_WEBHOOK_INSERT] = { WEBHOOK_INSERT_SQL, 4 },
    [STMT_WEBHOOK_LIST] = { WEBHOOK_LIST_SQL, 0, .read_only = 1 },
    [STMT_WEBHOOK_GET] = { WEBHOOK_GET_SQL, 1, .read_only = 1 },
    [STMT_WEBHOOK_UPDATE] = { WEBHOOK_UPDATE_SQL, 6 },
    [STMT_WEBHOOK_RESUME] = { WEBHOOK_RESUME_SQL, 1 },
    [STMT_WEBHOOK_DELETE] = { WEBHOOK_DELETE_SQL, 1 },
    [STMT_WEBHOOK_FAN_OUT] = { WEBHOOK_FAN_OUT_SQL, 1 },
    [STMT_WEBHOOK_CLAIM] = { WEBHOOK_CLAIM_SQL, 2 },
    [STMT_WEBHOOK_DELIVERED] = { WEBHOOK_DELIVERED_SQL, 1 },
    [STMT_WEBHOOK_FAILED] = { WEBHOOK_FAILED_SQL, 4 },
    [STMT_WEBHOOK_QUEUE] = { WEBHOOK_QUEUE_SQL, 0, .read_only = 1 },
    [STMT_WEBHOOK_PRUNE] = { WEBHOOK_PRUNE_SQL, 0 },
    /* grouped by the month's first instant, so that each month's name is written once, not
     * once an article */
    [STMT_SITEMAP_MONTHS] = {
        "SELECT to_char(m.month, 'YYYY-MM'), m.articles, khabar_time(m.updated_at) FROM"
        " (SELECT date_trunc('month', a.published_at AT TIME ZONE 'UTC') AS month, count(*) AS articles,"
        " max(a.updated_at) AS updated_at FROM articles a WHERE a.visible GROUP BY 1) m ORDER BY 1",
        0, .read_only = 1 },
    [STMT_SITEMAP_MONTH] = {
        "SELECT " SITEMAP_COLUMNS
        " FROM articles a WHERE a.visible AND a.published_at >= $1::timestamptz"
        " AND a.published_at < $1::timestamptz + interval '1 month'"
        " ORDER BY a.published_at DESC, a.id DESC OFFSET $2 LIMIT $3", 3, .read_only = 1 },
    [STMT_SITEMAP_NEWS] = {
        "SELECT " SITEMAP_COLUMNS
        " FROM articles a WHERE a.visible AND a.published_at >= now() - interval '48 hours'"
        " ORDER BY a.published_at DESC, a.id DESC LIMIT $1", 1, .read_only = 1 },
    [STMT_SOURCE_BY_KEY] = {
        "SELECT s.name, s.article_count, s.id FROM sources s WHERE s.key = $1 AND s.article_count > 0",
        1, .read_only = 1 },
    [STMT_AUTHOR_FIND] = { "SELECT id, article_count FROM authors WHERE slug_key = $1", 1, .read_only = 1 },
    [STMT_SECTION_FIND] = { "SELECT id, 0 FROM sections WHERE slug_key = $1", 1, .read_only = 1 },
    /* $2: whether an article that is not public is found too (for editors) */
    [STMT_RELATED_OF] = { "SELECT a.related_json FROM articles a WHERE a.id = $1 AND (a.visible OR $2::bool)",
                          2, .read_only = 1 },
    /* Whether an article is public, and why not (GET by id answers the same). */
    [STMT_ARTICLE_STATE] = { "SELECT a.visible, a.status, a.withdrawn_reason FROM articles a WHERE a.id = $1",
                             1, .read_only = 1 },
    /* "More like this" for article $1, $2 rows: candidates from bounded scans only, scored
     * 3 a shared tag, 2 a shared distinctive title word, 1 a shared source, newest first
     * among equals; never the article itself nor its "read also" list. Each tag and
     * source gives its newest SIMILAR_PER_NAME public articles (their public indexes);
     * the distinctive words are the article's title forms of 3 letters or more that the
     * fewest other titles begin with (title_prefixes: fewer than its 32 a key, so rarer
     * than what every article shares), the 3 rarest words (one form each), each giving
     * the newest of its key. */
    [STMT_SIMILAR] = {
        /* a title word's forms share its position: its rarest form stands for it (a
         * form without its mark, see khabar_vector_forms; written spellings left out) */
        "WITH forms AS MATERIALIZED (SELECT DISTINCT ON (w.positions[1]) f.form AS w, c.n FROM articles me,"
        " unnest(ts_filter(me.search, '{a}')) w, LATERAL (SELECT ltrim(w.lexeme, '^~') AS form) f,"
        " LATERAL (SELECT count(*) AS n FROM (SELECT 1 FROM title_prefixes t WHERE t.prefix = f.form"
        "  LIMIT 32) k) c WHERE me.id = $1 AND left(w.lexeme, 1) <> '=' AND length(f.form) >= 3"
        " AND c.n BETWEEN 2 AND 31 ORDER BY w.positions[1], c.n, length(f.form) DESC),"
        " words AS (SELECT w FROM forms ORDER BY n, length(w) DESC, w LIMIT 3),"
        " candidate AS (SELECT x.article_id AS id, 3 AS weight FROM article_tags t,"
        "  LATERAL (SELECT x.article_id FROM article_tags x WHERE x.tag_id = t.tag_id AND x.visible"
        "   ORDER BY x.published_at DESC, x.article_id DESC LIMIT " SIMILAR_PER_NAME ") x WHERE t.article_id = $1"
        " UNION ALL SELECT x.article_id, 1 FROM article_sources s,"
        "  LATERAL (SELECT x.article_id FROM article_sources x WHERE x.source_id = s.source_id AND x.visible"
        "   ORDER BY x.published_at DESC, x.article_id DESC LIMIT " SIMILAR_PER_NAME ") x WHERE s.article_id = $1"
        " UNION ALL SELECT x.article_id, 2 FROM words,"
        "  LATERAL (SELECT t.article_id FROM title_prefixes t WHERE t.prefix = words.w"
        "   ORDER BY t.published_at DESC, t.article_id DESC LIMIT 32) x),"
        " scored AS (SELECT id, sum(weight) AS score FROM candidate WHERE id <> $1"
        "  AND id NOT IN (SELECT r.related_id FROM article_related r WHERE r.article_id = $1) GROUP BY id)"
        " SELECT " ARTICLE_COLUMNS(LIST_ITEM) " FROM scored JOIN articles a ON a.id = scored.id"
        " WHERE a.visible ORDER BY scored.score DESC, a.published_at DESC, a.id DESC LIMIT $2",
        2, .read_only = 1 },
    /* The suggest box's titles: the newest public ones with a word beginning with $1 (one
     * equality scan of title_prefixes, migrations/0017_title_prefixes.sql), and when the
     * box holds earlier words, $2 (a JSON array of their forms), titles holding them all. */
    [STMT_SUGGEST_ARTICLES] = {
        "SELECT " ARTICLE_COLUMNS(LIST_ITEM) " FROM title_prefixes t JOIN articles a ON a.id = t.article_id"
        " WHERE t.prefix = $1 AND a.visible"
        " AND ($2::json IS NULL OR khabar_vector_forms(ts_filter(a.search, '{a}'))"
        " @> ARRAY(SELECT json_array_elements_text($2::json)))"
        " ORDER BY t.published_at DESC, t.article_id DESC LIMIT $3", 3, .read_only = 1 },
    /* Each reference ({"id": n} or {"slug_key": s}) with the id it names, or NULL. */
    [STMT_RELATED_RESOLVE] = {
        "SELECT x.ord, a.id FROM json_array_elements($1::json) WITH ORDINALITY AS x(item, ord)"
        " LEFT JOIN articles a ON a.id = (x.item->>'id')::bigint OR a.slug_key = x.item->>'slug_key'"
        " ORDER BY x.ord", 1, .read_only = 1 },
    /* No row back means the slug is taken. */
    [STMT_ARTICLE_INSERT] = {
        "INSERT INTO articles (slug, slug_key, title, summary, body, lang, published_at, search,"
        " body_html, body_text, image, status, withdrawn_reason, corrections, section_id)"
        " VALUES ($1, $2, $3, $4, $5, $6, COALESCE($7::timestamptz, now()), $8::tsvector, $9, $10,"
        " $11::json, $12, $13, $14::json, $15::bigint) ON CONFLICT (slug_key) DO NOTHING RETURNING id", 15 },
    [STMT_ARTICLE_LOCK] = { "SELECT version FROM articles WHERE id = $1 FOR UPDATE", 1 },
    [STMT_ARTICLE_UPDATE] = {
        "UPDATE articles SET slug = COALESCE($2, slug), slug_key = COALESCE($3, slug_key),"
        " title = $4, summary = $5, body = $6, lang = $7,"
        /* a draft published without a time of its own is published now, unless it was
         * given a time ahead (an embargo set while it was drafted) */
        " published_at = CASE WHEN $8::timestamptz IS NOT NULL THEN $8::timestamptz"
        " WHEN status = 'draft' AND $13 = 'published' AND published_at < now() THEN now()"
        " ELSE published_at END, search = $9::tsvector,"
        " body_html = $10, body_text = $11, image = $12::json, status = $13,"
        " withdrawn_reason = $14, corrections = $15::json, section_id = $16::bigint,"
        " version = version + 1, updated_at = now() WHERE id = $1", 16 },
    [STMT_ARTICLE_DELETE] = { "DELETE FROM articles WHERE id = $1", 1 },
    /* The articles listing $1 as "read also", locked in id order before they change. */
    [STMT_LINKERS_OF] = {
        "SELECT a.id FROM articles a WHERE a.id IN (SELECT article_id FROM article_related"
        " WHERE related_id = $1) ORDER BY a.id FOR UPDATE", 1 },
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
        "INSERT INTO article_tags (article_id, tag_id, position, published_at, visible)"
        " SELECT a.id, t.id, x.ord, a.published_at, a.visible FROM articles a"
        " CROSS JOIN json_array_elements($2::json) WITH ORDINALITY AS x(item, ord)"
        " JOIN tags t ON t.slug = x.item->>'slug' WHERE a.id = $1", 2 },
    [STMT_SOURCES_UPSERT] = {
        "INSERT INTO sources (name, key) SELECT x->>'name', x->>'key'"
        " FROM json_array_elements($1::json) x ORDER BY 2 ON CONFLICT (key) DO NOTHING", 1 },
    [STMT_ARTICLE_SOURCES_CLEAR] = { "DELETE FROM article_sources WHERE article_id = $1", 1 },
    [STMT_ARTICLE_SOURCES_ADD] = {
        "INSERT INTO article_sources (article_id, source_id, position, published_at, visible)"
        " SELECT a.id, s.id, x.ord, a.published_at, a.visible FROM articles a"
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
    /* Revisions (revisions.c): $6 the representation before the write (NULL for a
     * creation), $7 after it (NULL for a deletion). */
    [STMT_REVISION_INSERT] = {
        "INSERT INTO article_revisions (article_id, version, actor, action, restored_from, changed,"
        " representation) VALUES ($1, $2, $3, $4, $5, khabar_changed_fields($6::jsonb, $7::jsonb),"
        " $7::jsonb)", 7 },
    /* The oldest go once more than $3 are kept: one range of the primary key. */
    [STMT_REVISION_PRUNE] = {
        "DELETE FROM article_revisions WHERE article_id = $1 AND version <= $2::integer - $3::integer", 3 },
    /* Newest first after version $2 (NULL: from the newest), $3 rows: a backward range scan
     * of the primary key. */
    [STMT_REVISION_LIST] = {
        "SELECT " REVISION_COLUMNS("NULL") " FROM article_revisions r WHERE r.article_id = $1"
        " AND r.version < COALESCE($2::integer, 2147483647) ORDER BY r.version DESC LIMIT $3", 3,
        .read_only = 1 },
    [STMT_REVISION_GET] = {
        "SELECT " REVISION_COLUMNS("r.representation::text") " FROM article_revisions r"
        " WHERE r.article_id = $1 AND r.version = $2", 2, .read_only = 1 },
    /* Each byline reference ({"id": n} or {"slug_key": s}) with the author it names, or NULL. */
    [STMT_AUTHORS_RESOLVE] = {
        "SELECT x.ord, au.id FROM json_array_elements($1::json) WITH ORDINALITY AS x(item, ord)"
        " LEFT JOIN authors au ON au.id = (x.item->>'id')::bigint OR au.slug_key = x.item->>'slug_key'"
        " ORDER BY x.ord", 1, .read_only = 1 },
    /* khabar import: the authors and sections a line names by slug are created when new. */
    [STMT_AUTHORS_UPSERT] = {
        "INSERT INTO authors (name, slug, slug_key) SELECT x->>'name', x->>'slug', x->>'slug_key'"
        " FROM json_array_elements($1::json) x WHERE x->>'slug_key' IS NOT NULL ORDER BY 3"
        " ON CONFLICT (slug_key) DO NOTHING", 1 },
    [STMT_SECTION_UPSERT] = {
        "INSERT INTO sections (name, slug, slug_key, position)"
        " SELECT $1, $2, $3, (SELECT COALESCE(max(position), 0) + 1 FROM sections)"
        " ON CONFLICT (slug_key) DO NOTHING", 3 },
    [STMT_SECTION_RESOLVE] = {
        "SELECT id FROM sections WHERE id = $1::bigint OR slug_key = $2", 2, .read_only = 1 },
    [STMT_ARTICLE_AUTHORS_CLEAR] = { "DELETE FROM article_authors WHERE article_id = $1", 1 },
    [STMT_ARTICLE_AUTHORS_ADD] = {
        "INSERT INTO article_authors (article_id, author_id, position, published_at, visible)"
        " SELECT a.id, x.id::bigint, x.ord, a.published_at, a.visible FROM articles a"
        " CROSS JOIN json_array_elements_text($2::json) WITH ORDINALITY AS x(id, ord) WHERE a.id = $1", 2 },
    [STMT_ARTICLE_EXISTS] = { "SELECT 1 FROM articles WHERE id = $1", 1, .read_only = 1 },
    [STMT_TAG_BY_SLUG] = {
        "SELECT t.slug, t.name, t.article_count, t.id FROM tags t WHERE t.slug = $1"
        " AND t.article_count > 0", 1, .read_only = 1 },
    /* Most used first: $1 $2 the last item seen (count, id), $3 how many, $4 a prefix. */
    [STMT_TAG_LIST] = {
        "SELECT t.slug, t.name, t.article_count, t.id FROM tags t"
        " WHERE (t.article_count, t.id) < (COALESCE($1::int, 2147483647), COALESCE($2::bigint, 0))"
        " AND t.article_count > 0"
        " ORDER BY t.article_count DESC, t.id DESC LIMIT $3", 3, .read_only = 1 },
    /* With a prefix: either a range on the text_pattern_ops index (byte order, any
     * collation) and a sort of the matches, or a walk down the most-used index until a
     * page of matches, whichever is cheaper for this prefix: so planned at each run. */
    [STMT_TAG_PREFIX] = {
        "SELECT t.slug, t.name, t.article_count, t.id FROM tags t"
        " WHERE t.slug ~>=~ $4 AND t.slug ~<~ ($4 || U&'\\+10FFFF')"
        " AND (t.article_count, t.id) < (COALESCE($1::int, 2147483647), COALESCE($2::bigint, 0))"
        " AND t.article_count > 0"
        " ORDER BY t.article_count DESC, t.id DESC LIMIT $3", 4, .plan_each_time = 1, .read_only = 1 },
    [STMT_SOURCE_LIST] = {
        "SELECT s.name, s.article_count, s.id FROM sources s"
        " WHERE (s.article_count, s.id) < (COALESCE($1::int, 2147483647), COALESCE($2::bigint, 0))"
        " AND s.article_count > 0"
        " ORDER BY s.article_count DESC, s.id DESC LIMIT $3", 3, .read_only = 1 },
    [STMT_SOURCE_PREFIX] = {
        "SELECT s.name, s.article_count, s.id FROM sources s"
        " WHERE s.key ~>=~ $4 AND s.key ~<~ ($4 || U&'\\+10FFFF')"
        " AND (s.article_count, s.id) < (COALESCE($1::int, 2147483647), COALESCE($2::bigint, 0))"
        " AND s.article_count > 0"
        " ORDER BY s.article_count DESC, s.id DESC LIMIT $3", 4, .plan_each_time = 1, .read_only = 1 },
    [STMT_AUTHOR_BY_SLUG] = {
        "SELECT " AUTHOR_COLUMNS " FROM authors au WHERE au.slug_key = $1", 1, .read_only = 1 },
    /* Most articles first, as tags (authors with none too): $1 $2 the last item seen
     * (count, id), $3 how many, $4 a prefix of the slug key. */
    [STMT_AUTHOR_LIST] = {
        "SELECT " AUTHOR_COLUMNS " FROM authors au"
        " WHERE (au.article_count, au.id) < (COALESCE($1::int, 2147483647), COALESCE($2::bigint, 0))"
        " ORDER BY au.article_count DESC, au.id DESC LIMIT $3", 3, .read_only = 1 },
    [STMT_AUTHOR_PREFIX] = {
        "SELECT " AUTHOR_COLUMNS " FROM authors au"
        " WHERE au.slug_key ~>=~ $4 AND au.slug_key ~<~ ($4 || U&'\\+10FFFF')"
        " AND (au.article_count, au.id) < (COALESCE($1::int, 2147483647), COALESCE($2::bigint, 0))"
        " ORDER BY au.article_count DESC, au.id DESC LIMIT $3", 4, .plan_each_time = 1, .read_only = 1 },
    /* No row back means the slug is taken. */
    [STMT_AUTHOR_INSERT] = {
        "INSERT INTO authors AS au (name, slug, slug_key, bio, avatar) VALUES ($1, $2, $3, $4, $5::json)"
        " ON CONFLICT (slug_key) DO NOTHING RETURNING " AUTHOR_COLUMNS, 5 },
    /* $1 the author's slug key now; no row back: there is none */
    [STMT_AUTHOR_UPDATE] = {
        "UPDATE authors au SET name = $2, slug = $3, slug_key = $4, bio = $5, avatar = $6::json,"
        " updated_at = now() WHERE au.slug_key = $1 RETURNING " AUTHOR_COLUMNS, 6 },
    [STMT_AUTHOR_DELETE] = { "DELETE FROM authors WHERE slug_key = $1 RETURNING id", 1 },
    [STMT_SECTION_BY_SLUG] = {
        "SELECT " SECTION_COLUMNS " FROM sections s WHERE s.slug_key = $1", 1, .read_only = 1 },
    /* In the editors' order: $1 $2 the last item seen (position, id), $3 how many. */
    [STMT_SECTION_LIST] = {
        "SELECT " SECTION_COLUMNS " FROM sections s"
        " WHERE (s.position, s.id) > (COALESCE($1::int, -2147483648), COALESCE($2::bigint, 0))"
        " ORDER BY s.position, s.id LIMIT $3", 3, .read_only = 1 },
    /* Sections whose slug key begins with $4, in order ($1 $2 $3 as the list's). */
    [STMT_SECTION_PREFIX] = {
        "SELECT " SECTION_COLUMNS " FROM sections s"
        " WHERE s.slug_key ~>=~ $4 AND s.slug_key ~<~ ($4 || U&'\\+10FFFF')"
        " AND (s.position, s.id) > (COALESCE($1::int, -2147483648), COALESCE($2::bigint, 0))"
        " ORDER BY s.position, s.id LIMIT $3", 4, .read_only = 1 },
    /* Without a position, a new section comes last. */
    [STMT_SECTION_INSERT] = {
        "INSERT INTO sections AS s (name, slug, slug_key, description, position)"
        " VALUES ($1, $2, $3, $4, COALESCE($5::int, (SELECT COALESCE(max(position), 0) + 1 FROM sections)))"
        " ON CONFLICT (slug_key) DO NOTHING RETURNING " SECTION_COLUMNS, 5 },
    [STMT_SECTION_UPDATE] = {
        "UPDATE sections s SET name = $2, slug = $3, slug_key = $4, description = $5,"
        " position = COALESCE($6::int, s.position), updated_at = now()"
        " WHERE s.slug_key = $1 RETURNING " SECTION_COLUMNS, 6 },
    [STMT_SECTION_DELETE] = { "DELETE FROM sections WHERE slug_key = $1 RETURNING id", 1 },
    /* A front: its public pinned articles in the editor's order ($1 the section), then
     * its newest public articles that are not pinned, after $2 $3 (published_at, id). */
    [STMT_FRONT_PINNED] = {
        "SELECT " ARTICLE_COLUMNS(LIST_ITEM) " FROM section_front f JOIN articles a ON a.id = f.article_id"
        " WHERE f.section_id = $1 AND a.visible ORDER BY f.position", 1, .read_only = 1 },
    [STMT_FRONT_NEWEST] = {
        "SELECT " ARTICLE_COLUMNS(LIST_ITEM) " FROM articles a WHERE a.section_id = $1 AND a.visible"
        " AND (a.published_at, a.id) < (COALESCE($2::timestamptz, 'infinity'), COALESCE($3::bigint, 0))"
        " AND NOT EXISTS (SELECT 1 FROM section_front f WHERE f.section_id = $1 AND f.article_id = a.id)"
        " ORDER BY a.published_at DESC, a.id DESC LIMIT $4", 4, .read_only = 1 },
    /* The first of the ids ($1, a JSON array) that no article has, by position from 1. */
    [STMT_FRONT_UNKNOWN] = {
        "SELECT x.ord FROM json_array_elements_text($1::json) WITH ORDINALITY AS x(id, ord)"
        " WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = x.id::bigint) ORDER BY x.ord LIMIT 1",
        1, .read_only = 1 },
    [STMT_FRONT_CLEAR] = { "DELETE FROM section_front WHERE section_id = $1", 1 },
    [STMT_FRONT_SET] = {
        "INSERT INTO section_front (section_id, article_id, position)"
        " SELECT $1, x.id::bigint, x.ord FROM json_array_elements_text($2::json) WITH ORDINALITY AS x(id, ord)", 2 },
    /* Bulk import (import.c): this session's rows of import_rows from line $1 on (the
     * current batch: rows of earlier batches of the same transaction are dead but not yet
     * gone, and an index range past them is not slowed by them), set-based. Rows
     * whose slug is taken (by an article, or an earlier row) go back to be loaded one by
     * one, with a suffix; the first spelling of a new tag or source is the earliest row's. */
    /* The taken lines are found once (MATERIALIZED): as a semi-join the planner, which
     * takes the staging table for empty, ran the whole search again for every row of
     * the batch: most of a 4 s batch at 600,000 articles. */
    [STMT_IMPORT_TAKEN] = {
        "WITH taken AS MATERIALIZED ("
        " SELECT i.line FROM import_rows i JOIN articles a ON a.slug_key = i.slug_key"
        "  WHERE i.session = pg_backend_pid() AND i.line >= $1"
        " UNION SELECT d.line FROM (SELECT line, row_number() OVER (PARTITION BY slug_key"
        "  ORDER BY line) AS n FROM import_rows WHERE session = pg_backend_pid() AND line >= $1) d"
        "  WHERE d.n > 1)"
        " DELETE FROM import_rows r USING taken t WHERE r.session = pg_backend_pid() AND r.line = t.line"
        " RETURNING r.line", 1 },
    [STMT_IMPORT_TAGS] = {
        "INSERT INTO tags (name, slug) SELECT DISTINCT ON (x->>'slug') x->>'name', x->>'slug'"
        " FROM import_rows r, json_array_elements(r.tags) x WHERE r.session = pg_backend_pid() AND r.line >= $1"
        " ORDER BY x->>'slug', r.line ON CONFLICT (slug) DO NOTHING", 1 },
    [STMT_IMPORT_SOURCES] = {
        "INSERT INTO sources (name, key) SELECT DISTINCT ON (x->>'key') x->>'name', x->>'key'"
        " FROM import_rows r, json_array_elements(r.sources) x WHERE r.session = pg_backend_pid() AND r.line >= $1"
        " ORDER BY x->>'key', r.line ON CONFLICT (key) DO NOTHING", 1 },
    /* The authors and sections the batch names by slug (the only references a batch
     * holds: a line naming one by id is loaded on its own), created when new. */
    [STMT_IMPORT_AUTHORS] = {
        "INSERT INTO authors (name, slug, slug_key) SELECT DISTINCT ON (x->>'slug_key')"
        " x->>'name', x->>'slug', x->>'slug_key'"
        " FROM import_rows r, json_array_elements(r.authors) x WHERE r.session = pg_backend_pid() AND r.line >= $1"
        " ORDER BY x->>'slug_key', r.line ON CONFLICT (slug_key) DO NOTHING", 1 },
    [STMT_IMPORT_SECTIONS] = {
        "INSERT INTO sections (name, slug, slug_key, position)"
        " SELECT d.name, d.slug, d.slug_key, b.base + row_number() OVER (ORDER BY d.line)"
        " FROM (SELECT DISTINCT ON (r.section->>'slug_key') r.section->>'name' AS name,"
        "  r.section->>'slug' AS slug, r.section->>'slug_key' AS slug_key, r.line FROM import_rows r"
        "  WHERE r.session = pg_backend_pid() AND r.line >= $1 AND r.section IS NOT NULL"
        "  ORDER BY r.section->>'slug_key', r.line) d,"
        " (SELECT COALESCE(max(position), 0) AS base FROM sections) b"
        " ON CONFLICT (slug_key) DO NOTHING", 1 },
    [STMT_IMPORT_ARTICLES] = {
        "INSERT INTO articles (slug, slug_key, title, summary, body, lang, published_at, search,"
        " body_html, body_text, image, status, withdrawn_reason, corrections, tags_json, sources_json,"
        " section_id)"
        " SELECT slug, slug_key, title, summary, body, lang, COALESCE(published_at, now()), search,"
        " body_html, body_text, image, status, withdrawn_reason, corrections,"
        " khabar_tags_json(ARRAY(SELECT x.item->>'slug' FROM json_array_elements(tags)"
        "   WITH ORDINALITY AS x(item, ord) ORDER BY x.ord)),"
        " khabar_sources_json(ARRAY(SELECT x.item->>'key' FROM json_array_elements(sources)"
        "   WITH ORDINALITY AS x(item, ord) ORDER BY x.ord)),"
        " (SELECT s.id FROM sections s WHERE s.slug_key = section->>'slug_key')"
        " FROM import_rows WHERE session = pg_backend_pid() AND line >= $1 ORDER BY line", 1 },
    [STMT_IMPORT_ARTICLE_TAGS] = {
        "INSERT INTO article_tags (article_id, tag_id, position, published_at, visible)"
        " SELECT a.id, t.id, x.ord, a.published_at, a.visible FROM import_rows r"
        " JOIN articles a ON a.slug_key = r.slug_key"
        " CROSS JOIN json_array_elements(r.tags) WITH ORDINALITY AS x(item, ord)"
        " JOIN tags t ON t.slug = x.item->>'slug' WHERE r.session = pg_backend_pid() AND r.line >= $1", 1 },
    [STMT_IMPORT_ARTICLE_SOURCES] = {
        "INSERT INTO article_sources (article_id, source_id, position, published_at, visible)"
        " SELECT a.id, s.id, x.ord, a.published_at, a.visible FROM import_rows r"
        " JOIN articles a ON a.slug_key = r.slug_key"
        " CROSS JOIN json_array_elements(r.sources) WITH ORDINALITY AS x(item, ord)"
        " JOIN sources s ON s.key = x.item->>'key' WHERE r.session = pg_backend_pid() AND r.line >= $1", 1 },
    [STMT_IMPORT_ARTICLE_AUTHORS] = {
        "INSERT INTO article_authors (article_id, author_id, position, published_at, visible)"
        " SELECT a.id, au.id, x.ord, a.published_at, a.visible FROM import_rows r"
        " JOIN articles a ON a.slug_key = r.slug_key"
        " CROSS JOIN json_array_elements(r.authors) WITH ORDINALITY AS x(item, ord)"
        " JOIN authors au ON au.slug_key = x.item->>'slug_key' WHERE r.session = pg_backend_pid() AND r.line >= $1", 1 },
    [STMT_IMPORT_CLEAR] = { "DELETE FROM import_rows WHERE session = pg_backend_pid() AND line >= $1", 1 },
    [STMT_ARCHIVE_IS_EMPTY] = { "SELECT NOT EXISTS (SELECT 1 FROM articles)", 0, .read_only = 1 },
    /* The search index as created, to create it again after a load into an empty archive. */
    [STMT_SEARCH_INDEX_DEF] = { "SELECT pg_get_indexdef(to_regclass('articles_search'))", 0, .read_only = 1 },
    [STMT_DELETION_NOTE] = { "UPDATE khabar_changes SET deleted_at = now() WHERE id = 1", 0 },
    /* The newest change to any article, deletions and the last go-live included: no list
     * can be newer. */
    [STMT_LAST_CHANGE] = {
        "SELECT floor(extract(epoch FROM GREATEST((SELECT max(updated_at) FROM articles),"
        " (SELECT max(published_at) FROM articles WHERE visible),"
        " (SELECT GREATEST(deleted_at, names_changed_at) FROM khabar_changes WHERE id = 1))))::bigint",
        0, .read_only = 1 },
    /* Scheduled articles whose time has come go live (the visibility trigger sets
     * visible); an article another instance is making live is skipped, not waited for. */
    [STMT_GO_LIVE] = {
        "UPDATE articles SET visible = true WHERE id IN (SELECT id FROM articles"
        " WHERE status = 'published' AND NOT visible AND published_at <= now()"
        " ORDER BY published_at FOR UPDATE SKIP LOCKED)", 0 },
    /* Milliseconds until the next scheduled article goes live, by the database's clock;
     * NULL when none is scheduled. */
    [STMT_NEXT_GO_LIVE] = {
        "SELECT ceil(extract(epoch FROM min(published_at) - now()) * 1000)::bigint FROM articles"
        " WHERE status = 'published' AND NOT visible", 0, .read_only = 1 },
    /* The window of the newest articles (migrations/0020_search_window.sql): $1 its
     * size in articles; a round of upkeep drops at most $2 marks. */
    [STMT_SEARCH_WINDOW_ADVANCE] = { "SELECT khabar_search_window_advance($1::int, $2::int)", 2 },
    [STMT_SEARCH_WINDOW_RAISE] = { "SELECT khabar_search_window_raise($1::int)", 1 },
    /* An import into an empty archive starts without a window (it is locked: no writer
     * can be marking meanwhile); the servers open one when the archive has grown. */
    [STMT_SEARCH_WINDOW_CLOSE] = { "UPDATE search_window SET since = NULL, pending = NULL, pending_at = NULL", 0 },
    /* Tokens (migrations/0013_tokens.sql): only a token's SHA-256 is stored, sent as hex. */
    [STMT_TOKEN_INSERT] = {
        "INSERT INTO tokens (name, role, hash) VALUES ($1, $2, decode($3, 'hex'))", 3 },
    [STMT_TOKEN_LIST] = {
        "SELECT name, role, khabar_time(created_at), khabar_time(revoked_at) FROM tokens"
        " ORDER BY created_at, id", 0, .read_only = 1 },
    [STMT_TOKEN_REVOKE] = {
        "UPDATE tokens SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL", 1 },
    [STMT_TOKENS_ACTIVE] = {
        "SELECT encode(hash, 'hex'), name, role FROM tokens WHERE revoked_at IS NULL", 0,
        .read_only = 1 },
    /* khabar migrate's recomputing of keys and vectors under new text rules (rekey.c):
     * each kind read in batches by id, locked for the batch's transaction. */
    [STMT_TEXT_RULES_GET] = { "SELECT version, through FROM text_rules WHERE kind = $1", 1, .read_only = 1 },
    /* kinds of rows still computed under older rules (readiness: a stopped recomputing) */
    [STMT_TEXT_RULES_BEHIND] = {
        "SELECT count(*) FROM text_rules WHERE version < $1::integer", 1, .read_only = 1 },
    [STMT_TEXT_RULES_SET] = {
        "UPDATE text_rules SET version = $2::integer, through = $3::bigint WHERE kind = $1", 3 },
    /* Many articles to recompute: the search index is dropped for it and made again at
     * the end, its definition kept meanwhile (so that a stopped run makes it again). */
    [STMT_REKEY_ARTICLES_LEFT] = {
        "SELECT count(*) FROM articles WHERE id > $1::bigint", 1, .read_only = 1 },
    [STMT_REKEY_INDEX_SAVE] = {
        "UPDATE text_rules SET rebuild = pg_get_indexdef(to_regclass('articles_search'))"
        " WHERE kind = 'articles' AND to_regclass('articles_search') IS NOT NULL RETURNING rebuild", 0 },
    [STMT_REKEY_INDEX_DEF] = {
        "SELECT rebuild FROM text_rules WHERE kind = 'articles' AND rebuild IS NOT NULL", 0, .read_only = 1 },
    [STMT_REKEY_INDEX_DONE] = { "UPDATE text_rules SET rebuild = NULL WHERE kind = 'articles'", 0 },
    [STMT_REKEY_ARTICLES_READ] = {
        READ_BATCH("id, slug, title, summary, COALESCE(body_text, body)", "articles"), 2 },
    /* An article whose new slug key another article has keeps its old key (the older
     * article keeps the slug's address); true when the new key was taken. */
    [STMT_REKEY_ARTICLE] = {
        "UPDATE articles a SET search = $2::tsvector, slug_key = CASE WHEN EXISTS"
        " (SELECT 1 FROM articles o WHERE o.slug_key = $3 AND o.id <> a.id) THEN a.slug_key ELSE $3 END"
        " WHERE a.id = $1::bigint RETURNING a.slug_key = $3", 3 },
    [STMT_REKEY_TAGS_READ] = { READ_BATCH("id, name, slug", "tags"), 2 },
    /* the other tag that has a key, if any */
    [STMT_REKEY_TAG_HOLDER] = { KEY_HOLDER("tags", "slug"), 2 },
    [STMT_REKEY_TAG_SET] = { "UPDATE tags SET slug = $2 WHERE id = $1::bigint", 2 },
    /* the stored JSON of a tag's articles made to name its new slug (links locked) */
    [STMT_REKEY_TAG_REFRESH] = {
        "SELECT khabar_refresh_links(ARRAY(SELECT x.article_id FROM article_tags x"
        " WHERE x.tag_id = $1::bigint FOR UPDATE), 'tags')", 1 },
    /* the links of tag $1 moved to tag $2 (an article with both keeps its link to $2) */
    [STMT_REKEY_TAG_MERGE_LINKS] = { MOVE_LINKS("article_tags", "tag_id"), 2 },
    [STMT_REKEY_TAG_DELETE] = { "DELETE FROM tags WHERE id = $1::bigint", 1 },
    [STMT_REKEY_SOURCES_READ] = { READ_BATCH("id, name, key", "sources"), 2 },
    [STMT_REKEY_SOURCE_HOLDER] = { KEY_HOLDER("sources", "key"), 2 },
    [STMT_REKEY_SOURCE_SET] = { "UPDATE sources SET key = $2 WHERE id = $1::bigint", 2 },
    [STMT_REKEY_SOURCE_MERGE_LINKS] = { MOVE_LINKS("article_sources", "source_id"), 2 },
    [STMT_REKEY_SOURCE_DELETE] = { "DELETE FROM sources WHERE id = $1::bigint", 1 },
    [STMT_REKEY_AUTHORS_READ] = { READ_BATCH("id, name, slug", "authors"), 2 },
    /* An author or section whose new key another has keeps its old one (two people or
     * two sections are not merged by a spelling rule); true when the new key was taken. */
    [STMT_REKEY_AUTHOR_SET] = { SLUG_KEY_UNLESS_TAKEN("authors"), 2 },
    [STMT_REKEY_SECTIONS_READ] = { READ_BATCH("id, name, slug", "sections"), 2 },
    [STMT_REKEY_SECTION_SET] = { SLUG_KEY_UNLESS_TAKEN("sections"), 2 },
};
