/* statement_parts.h: the SQL fragments the statements of statements.c share (columns,
 * cursor positions, bounds, filters, scans, searches, facets, re-keying). Only
 * statements.c includes this. */
#ifndef KHABAR_DB_STATEMENT_PARTS_H
#define KHABAR_DB_STATEMENT_PARTS_H

/* The columns of an article (see articles.c), with the ones of one kind of answer:
 * the body's source, HTML and text, the corrections and the reason for a withdrawal are
 * read where they are shown (NULL elsewhere, so that lists read no body). Its sources,
 * tags and links are stored beside it as JSON (migrations/0002_article_links.sql). */
#define ARTICLE_COLUMNS(detail)                                                                 \
    "a.id, a.slug, a.title, a.summary, " detail ", a.status, a.visible, a.lang,"                \
    " khabar_time(a.published_at),"                                                             \
    " khabar_time(a.created_at), khabar_time(a.updated_at), a.version,"                         \
    " a.sources_json, a.tags_json, a.related_json, a.image, a.authors_json, a.section_json,"    \
    " floor(extract(epoch FROM GREATEST(a.updated_at, a.related_changed_at)))::bigint"
#define ONE_ARTICLE "a.body, a.body_html, NULL, a.corrections, a.withdrawn_reason"
#define LIST_ITEM "NULL, NULL, NULL, NULL, NULL"
#define SEARCH_ITEM "NULL, NULL, a.body_text, NULL, NULL"
#define FEED_ITEM "NULL, a.body_html, NULL, NULL, NULL"

/* The columns of a sitemap's article (see sitemaps.c). */
#define SITEMAP_COLUMNS "a.id, a.slug, a.title, a.lang, khabar_time(a.published_at), khabar_time(a.updated_at)"

/* The columns of a revision (see revisions.c), with its representation or NULL. */
#define REVISION_COLUMNS(representation)                                                   \
    "r.version, khabar_time(r.made_at), r.actor, r.action, r.restored_from,"                \
    " to_json(r.changed)::text, " representation ", r.article_id"

/*
 * Lists newest first share their parameters: $1 $2 the last item seen (published_at,
 * id; NULL for the first page), $3 $4 from and to, $5 lang, $6 how many rows, and for
 * the tag and source lists $7 the id whose index drives the scan and $8 the other filter.
 * The position and the bounds are ranges on the driving index, so a page is one index
 * scan of limit rows and never a sort.
 */
/* The scan starts after the cursor or just past `to`, whichever comes first: one
 * start key, because a B-tree scan positions on one bound and checks any other entry
 * by entry (a month long ago would walk every newer article). */
#define START_AFTER_CURSOR "$1::timestamptz IS NOT NULL AND ($4::timestamptz IS NULL OR $1::timestamptz <= $4::timestamptz)"
#define AFTER(ts, id) \
    " (" ts ", " id ") < (CASE WHEN " START_AFTER_CURSOR " THEN $1::timestamptz" \
    " ELSE COALESCE($4::timestamptz + interval '1 microsecond', 'infinity') END," \
    " CASE WHEN " START_AFTER_CURSOR " THEN $2::bigint ELSE 0 END)"
#define BOUNDS(ts) \
    " AND " ts " >= COALESCE($3::timestamptz, '-infinity')" \
    " AND ($5::text IS NULL OR a.lang = $5)"
#define TO_BOUND(ts) " AND " ts " <= COALESCE($4::timestamptz, 'infinity')"
/* How many of the newest matches of a search are ranked. */
#define SEARCH_CANDIDATES "1000"
/* Above every rank a ranked search's candidate of this tier can have (STMT_LIST_SEARCH):
 * tier + 1, and 2 for a body-only one (tier -1, ranked in [0, 2)). */
#define SEARCH_TIER_TOP(tier) "CASE WHEN " tier " < 0 THEN 2 ELSE " tier " + 1 END"
/* How many of the newest public articles of each of its tags and sources "more like this" weighs. */
#define SIMILAR_PER_NAME "50"
/* Rows a newest-first search reads past its page (see STMT_LIST_SEARCH_NEWEST). */
#define SEARCH_TIES "100"
/* The articles a search finds, $9 its tsquery (SEARCH_MATCH), with the filters of the lists. */
#define SEARCH_MATCHES \
    SEARCH_MATCH("$9") " AND a.visible" BOUNDS("a.published_at") \
    TO_BOUND("a.published_at") \
    HAS_TAG("$7") HAS_SOURCE("$8") HAS_AUTHOR("$10") IN_SECTION("$11")
/* The article is linked to the tag or source param (when not NULL). A public list's
 * link is visible too, which lets the public index of the tag or source answer it. */
#define LINKED(table, column, param, visible) \
    " AND (" param "::bigint IS NULL OR EXISTS (SELECT 1 FROM " table " f" \
    " WHERE f.article_id = a.id AND f." column " = " param visible "))"
#define HAS_TAG(param) LINKED("article_tags", "tag_id", param, " AND f.visible")
#define HAS_SOURCE(param) LINKED("article_sources", "source_id", param, " AND f.visible")
#define EDITORS_HAS_TAG(param) LINKED("article_tags", "tag_id", param, "")
#define EDITORS_HAS_SOURCE(param) LINKED("article_sources", "source_id", param, "")
#define HAS_AUTHOR(param) LINKED("article_authors", "author_id", param, " AND f.visible")
#define EDITORS_HAS_AUTHOR(param) LINKED("article_authors", "author_id", param, "")
#define IN_SECTION(param) " AND (" param "::bigint IS NULL OR a.section_id = " param ")"
/* The scans of the public lists newest first (what follows their SELECT): the list
 * pages' and their facets'. An author's list reads the public index of its bylines and
 * a section's the public index of its articles: $7 the author or section, $8 tag, $9
 * source, and for an author's $10 the section, as filters. */
#define NEWEST_SCAN \
    " FROM articles a WHERE a.visible AND" AFTER("a.published_at", "a.id") BOUNDS("a.published_at") \
    " ORDER BY a.published_at DESC, a.id DESC LIMIT $6"
#define TAG_SCAN \
    " FROM article_tags x JOIN articles a ON a.id = x.article_id" \
    " WHERE x.tag_id = $7 AND x.visible AND" AFTER("x.published_at", "x.article_id") \
    BOUNDS("x.published_at") HAS_SOURCE("$8") " ORDER BY x.published_at DESC, x.article_id DESC LIMIT $6"
#define SOURCE_SCAN \
    " FROM article_sources x JOIN articles a ON a.id = x.article_id" \
    " WHERE x.source_id = $7 AND x.visible AND" AFTER("x.published_at", "x.article_id") \
    BOUNDS("x.published_at") HAS_TAG("$8") " ORDER BY x.published_at DESC, x.article_id DESC LIMIT $6"
#define AUTHOR_SCAN \
    " FROM article_authors x JOIN articles a ON a.id = x.article_id" \
    " WHERE x.author_id = $7 AND x.visible AND" AFTER("x.published_at", "x.article_id") \
    BOUNDS("x.published_at") HAS_TAG("$8") HAS_SOURCE("$9") IN_SECTION("$10") \
    " ORDER BY x.published_at DESC, x.article_id DESC LIMIT $6"
#define SECTION_SCAN \
    " FROM articles a WHERE a.section_id = $7 AND a.visible AND" AFTER("a.published_at", "a.id") \
    BOUNDS("a.published_at") HAS_TAG("$8") HAS_SOURCE("$9") " ORDER BY a.published_at DESC, a.id DESC LIMIT $6"
/*
 * A search's newest matches (SEARCH_MATCHES and the conditions cond, with the columns
 * cols), at most limit of them, newest first from start; a subquery to name after it.
 * The window of the newest articles is read first, from its own index
 * (migrations/0020_search_window.sql), then the whole index for the rest, published
 * before the window, only when the window held fewer than limit (a LIMIT of 0 reads
 * nothing): RUM sorts every match an index holds before it returns the first, and a
 * common word's are sorted among the window's rather than among every article's. A
 * small archive has no window (since NULL): the first part is not run at all.
 */
#define NEWEST_MATCHES(cols, cond, start, limit) \
    "(WITH r AS MATERIALIZED (SELECT " cols " FROM articles a WHERE (SELECT since FROM search_window) IS NOT NULL" \
    " AND a.search_recent AND" SEARCH_MATCHES cond " AND a.published_at >= (SELECT since FROM search_window)" \
    " ORDER BY a.published_at <=| " start " LIMIT " limit ")" \
    " SELECT * FROM r UNION ALL (SELECT " cols " FROM articles a WHERE" SEARCH_MATCHES cond \
    " AND a.published_at < COALESCE((SELECT since FROM search_window), 'infinity')" \
    " ORDER BY a.published_at <=| " start " LIMIT " limit " - (SELECT count(*) FROM r)))"
/* An article matches the tsquery param. The index is asked for the query's positive part
 * (querytree) with the words of phrases in any order: RUM 1.3 misses phrase matches whose
 * words have alternative forms. When the query has a phrase or a negation, each
 * candidate's vector is then checked for the query itself (ts_match_vq, which is never
 * an index condition); without either, the index's answer is the query's, and the check,
 * which reads the whole stored vector, would cost a common word's search most of its time.
 * The test is an InitPlan: made once a statement, not once a row. */
#define SEARCH_MATCH(param) \
    " a.search @@ regexp_replace(querytree(" param "::tsquery), ' <[0-9-]+> ', ' & ', 'g')::tsquery" \
    " AND ((SELECT " param "::tsquery::text !~ '[<!]') OR ts_match_vq(a.search, " param "::tsquery))"
/* One facet's values, most articles first, among the counted articles k: the set of
 * (key, name) pairs each article has, from the article's own JSON of them. */
#define FACET(kind, pairs, key, name) \
    " UNION ALL (SELECT '" kind "', " key ", " name ", count(*) FROM k, " pairs \
    " WHERE '" kind "' = ANY($12::text[]) GROUP BY 2, 3 ORDER BY 4 DESC, 2 LIMIT $13)"
/*
 * The facets of a list: the list's scan (its $1..$11 with no cursor, $6 the bound + 1)
 * gives the newest matches m; the counts are over the first bound of them (k, in the
 * scan's order); $12 the facets asked for (a text array), $13 how many values of each.
 * They read the names each article row keeps for its list items (tags_json and the
 * others, migrations/0002_article_links.sql): the rows are read by the scan already,
 * where a join to each link table costs an index probe per article and value.
 * Rows: ('counted', NULL, NULL, how many matches m holds), then (facet, key, name,
 * count). unused: the parameters the scan does not read, named so that PostgreSQL
 * knows their types.
 */
#define FACETS(scan, unused) \
    "WITH m AS MATERIALIZED (SELECT a.tags_json, a.sources_json, a.authors_json, a.section_json" \
    scan ")," \
    " unused AS (SELECT " unused ")," \
    " k AS MATERIALIZED (SELECT * FROM m LIMIT $6 - 1)" \
    " SELECT 'counted', NULL, NULL, count(*) FROM m" \
    FACET("tag", "json_array_elements(k.tags_json) x", "x->>'slug'", "x->>'name'") \
    FACET("source", "json_array_elements_text(k.sources_json) x", "x", "x") \
    FACET("author", "json_array_elements(k.authors_json) x", "x->>'slug'", "x->>'name'") \
    FACET("section", "LATERAL (SELECT k.section_json AS x WHERE k.section_json IS NOT NULL) s", \
          "s.x->>'slug'", "s.x->>'name'")
/* What khabar migrate's recomputing of keys (rekey.c) does to each kind of row: a batch
 * of rows after id $1 ($2 of them), locked for its transaction; the other row that has
 * key $1 ($2 the row asking); the links of $1 moved to $2; slug key $2 for row $1 unless
 * another row has it (true when it was taken). */
#define READ_BATCH(columns, table) \
    "SELECT " columns " FROM " table " WHERE id > $1::bigint ORDER BY id LIMIT $2 FOR UPDATE"
#define KEY_HOLDER(table, key) \
    "SELECT id, name FROM " table " WHERE " key " = $1 AND id <> $2::bigint FOR UPDATE"
#define MOVE_LINKS(table, column) \
    "WITH moved AS (DELETE FROM " table " WHERE " column " = $1::bigint RETURNING *)" \
    " INSERT INTO " table " (article_id, " column ", position, published_at, visible)" \
    " SELECT article_id, $2::bigint, position, published_at, visible FROM moved ON CONFLICT DO NOTHING"
#define SLUG_KEY_UNLESS_TAKEN(table) \
    "UPDATE " table " r SET slug_key = CASE WHEN EXISTS (SELECT 1 FROM " table " o" \
    " WHERE o.slug_key = $2 AND o.id <> r.id) THEN r.slug_key ELSE $2 END" \
    " WHERE r.id = $1::bigint RETURNING r.slug_key = $2"

/* The columns of an author (authors.c) and of a section (sections.c). */
#define AUTHOR_COLUMNS "au.slug, au.name, au.article_count, au.id, au.bio, au.avatar"
#define SECTION_COLUMNS "s.slug, s.name, s.position, s.id, s.description"

#endif
