-- 0002_article_links.sql: each article keeps its sources, tags and "read also" links as
-- JSON beside it, kept current by triggers, so that a page of articles is read row by
-- row with no lookups per article (four lookups per row made a page 6x slower).

ALTER TABLE articles
    ADD COLUMN sources_json json NOT NULL DEFAULT '[]',
    ADD COLUMN tags_json json NOT NULL DEFAULT '[]',
    ADD COLUMN related_json json NOT NULL DEFAULT '[]',
    -- the newest updated_at of its "read also" articles (NULL: none): the article's
    -- Last-Modified is the later of this and its own updated_at
    ADD COLUMN related_changed_at timestamptz;

-- The JSON of tags by slug, and of sources by key, in the order given: what the
-- refresh below stores, and what khabar import stores as it inserts (the same text, so
-- that the refresh then finds nothing to rewrite).
CREATE FUNCTION khabar_tags_json(slugs text[]) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT COALESCE(json_agg(json_build_object('slug', t.slug, 'name', t.name) ORDER BY x.ord), '[]')
      FROM unnest(slugs) WITH ORDINALITY AS x(slug, ord) JOIN tags t ON t.slug = x.slug
$$;
CREATE FUNCTION khabar_sources_json(keys text[]) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT COALESCE(json_agg(s.name ORDER BY x.ord), '[]')
      FROM unnest(keys) WITH ORDINALITY AS x(key, ord) JOIN sources s ON s.key = x.key
$$;

-- Recomputes one kind of links ('sources', 'tags' or 'related') of the articles ids,
-- writing only the rows whose links changed: a rewritten row is a new row version in
-- every index (the search index too), which made a bulk import twice as slow.
CREATE FUNCTION khabar_refresh_links(ids bigint[], kind text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF kind = 'sources' THEN
        UPDATE articles a SET sources_json = n.j
          FROM (SELECT a2.id, khabar_sources_json(ARRAY(
                       SELECT s.key FROM article_sources x JOIN sources s ON s.id = x.source_id
                        WHERE x.article_id = a2.id ORDER BY x.position)) AS j
                  FROM articles a2 WHERE a2.id = ANY (ids)) n
         WHERE a.id = n.id AND a.sources_json::text IS DISTINCT FROM n.j::text;
    ELSIF kind = 'tags' THEN
        UPDATE articles a SET tags_json = n.j
          FROM (SELECT a2.id, khabar_tags_json(ARRAY(
                       SELECT t.slug FROM article_tags x JOIN tags t ON t.id = x.tag_id
                        WHERE x.article_id = a2.id ORDER BY x.position)) AS j
                  FROM articles a2 WHERE a2.id = ANY (ids)) n
         WHERE a.id = n.id AND a.tags_json::text IS DISTINCT FROM n.j::text;
    ELSE
        UPDATE articles a SET related_json = n.j, related_changed_at = n.changed
          FROM (SELECT a2.id, r.j, r.changed FROM articles a2, LATERAL (
                       SELECT COALESCE(json_agg(json_build_object(
                                  'id', r.id, 'slug', r.slug, 'title', r.title,
                                  'published_at', khabar_time(r.published_at))
                              ORDER BY x.position), '[]') AS j,
                              max(r.updated_at) AS changed
                         FROM article_related x JOIN articles r ON r.id = x.related_id
                        WHERE x.article_id = a2.id) r
                 WHERE a2.id = ANY (ids)) n
         WHERE a.id = n.id AND (a.related_json::text, a.related_changed_at)
                               IS DISTINCT FROM (n.j::text, n.changed);
    END IF;
END
$$;

-- A statement that adds or removes links refreshes the articles it touched (deleting an
-- article reaches here through ON DELETE CASCADE, and then touches nothing).
CREATE FUNCTION khabar_links_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM khabar_refresh_links(ARRAY(SELECT DISTINCT article_id FROM changed), TG_ARGV[0]);
    RETURN NULL;
END
$$;
CREATE TRIGGER article_sources_links_in AFTER INSERT ON article_sources
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT
    EXECUTE FUNCTION khabar_links_changed('sources');
CREATE TRIGGER article_sources_links_out AFTER DELETE ON article_sources
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT
    EXECUTE FUNCTION khabar_links_changed('sources');
CREATE TRIGGER article_tags_links_in AFTER INSERT ON article_tags
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT
    EXECUTE FUNCTION khabar_links_changed('tags');
CREATE TRIGGER article_tags_links_out AFTER DELETE ON article_tags
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT
    EXECUTE FUNCTION khabar_links_changed('tags');
CREATE TRIGGER article_related_links_in AFTER INSERT ON article_related
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT
    EXECUTE FUNCTION khabar_links_changed('related');
CREATE TRIGGER article_related_links_out AFTER DELETE ON article_related
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT
    EXECUTE FUNCTION khabar_links_changed('related');

-- An article that changes changes what its linkers show of it ("read also" titles) and
-- their Last-Modified. The refresh itself changes none of these columns, so it stops here.
CREATE FUNCTION khabar_linkers_refresh() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM khabar_refresh_links(
        ARRAY(SELECT article_id FROM article_related WHERE related_id = NEW.id), 'related');
    RETURN NULL;
END
$$;
CREATE TRIGGER articles_linkers_refresh
    AFTER UPDATE ON articles
    FOR EACH ROW WHEN ((OLD.updated_at, OLD.title, OLD.slug, OLD.published_at)
                       IS DISTINCT FROM (NEW.updated_at, NEW.title, NEW.slug, NEW.published_at))
    EXECUTE FUNCTION khabar_linkers_refresh();


-- Counting locks the tag and source rows FOR NO KEY UPDATE, not FOR UPDATE: each writer
-- already holds FOR KEY SHARE on them from its link rows' foreign keys, and two writers
-- upgrading to FOR UPDATE on the same tag waited on each other (a deadlock per pair of
-- concurrent writers sharing a tag). NO KEY UPDATE, which the count UPDATE takes
-- anyway, does not conflict with KEY SHARE.
CREATE OR REPLACE FUNCTION khabar_count_tags() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- rows locked in id order first, so that concurrent writers cannot deadlock
    PERFORM 1 FROM tags WHERE id IN (SELECT tag_id FROM changed) ORDER BY id FOR NO KEY UPDATE;
    UPDATE tags t
       SET article_count = t.article_count + CASE TG_OP WHEN 'INSERT' THEN n.c ELSE -n.c END
      FROM (SELECT tag_id, count(*) AS c FROM changed GROUP BY tag_id) n WHERE t.id = n.tag_id;
    RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION khabar_count_sources() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM sources WHERE id IN (SELECT source_id FROM changed) ORDER BY id FOR NO KEY UPDATE;
    UPDATE sources s
       SET article_count = s.article_count + CASE TG_OP WHEN 'INSERT' THEN n.c ELSE -n.c END
      FROM (SELECT source_id, count(*) AS c FROM changed GROUP BY source_id) n WHERE s.id = n.source_id;
    RETURN NULL;
END
$$;

-- Articles stored before this migration.
SELECT khabar_refresh_links(ARRAY(SELECT id FROM articles), kind)
  FROM unnest(ARRAY['sources', 'tags', 'related']) AS kind;
