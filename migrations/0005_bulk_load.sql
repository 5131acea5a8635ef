-- 0005_bulk_load.sql: cheaper writes of many articles at once. Measured on 20,000
-- articles (perf, and PostgreSQL's own timing of each statement of khabar import).

-- A body and its search vector pass PostgreSQL's 2 kB line, so every row is
-- compressed on the way in: pglz took a fifth of the CPU of a COPY into articles.
-- lz4 compresses about as small and copying the rows took 30% less time.
-- (Rows already stored keep their compression until they are rewritten.)
ALTER TABLE articles
    ALTER COLUMN body SET COMPRESSION lz4,
    ALTER COLUMN summary SET COMPRESSION lz4,
    ALTER COLUMN search SET COMPRESSION lz4;
ALTER TABLE import_rows
    ALTER COLUMN body SET COMPRESSION lz4,
    ALTER COLUMN summary SET COMPRESSION lz4,
    ALTER COLUMN search SET COMPRESSION lz4;

-- The tags and sources refresh, set-based: one join for all the articles a statement
-- touched instead of a lookup per article. Linking 1,000 imported articles to their
-- tags spent 300-560 ms here, most of it in the per-article lookups. The JSON is built
-- exactly as khabar_tags_json and khabar_sources_json build it, so rows the import
-- already wrote are found unchanged and not rewritten.
CREATE OR REPLACE FUNCTION khabar_refresh_links(ids bigint[], kind text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF kind = 'sources' THEN
        UPDATE articles a SET sources_json = n.j
          FROM (SELECT i.id, COALESCE(l.j, '[]') AS j
                  FROM unnest(ids) AS i(id)
                  LEFT JOIN (SELECT x.article_id, json_agg(s.name ORDER BY x.position) AS j
                               FROM article_sources x JOIN sources s ON s.id = x.source_id
                              WHERE x.article_id = ANY (ids) GROUP BY x.article_id) l
                    ON l.article_id = i.id) n
         WHERE a.id = n.id AND a.sources_json::text IS DISTINCT FROM n.j::text;
    ELSIF kind = 'tags' THEN
        UPDATE articles a SET tags_json = n.j
          FROM (SELECT i.id, COALESCE(l.j, '[]') AS j
                  FROM unnest(ids) AS i(id)
                  LEFT JOIN (SELECT x.article_id,
                                    json_agg(json_build_object('slug', t.slug, 'name', t.name)
                                             ORDER BY x.position) AS j
                               FROM article_tags x JOIN tags t ON t.id = x.tag_id
                              WHERE x.article_id = ANY (ids) GROUP BY x.article_id) l
                    ON l.article_id = i.id) n
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

-- khabar import into an empty archive loads everything in one transaction, batch after
-- batch. Counting each batch's tags updated the same tag rows again and again, and the
-- old versions of a row cannot be cleared before the transaction ends: every statement
-- that read tags read more of them, and at 100,000 articles a batch's tag links took
-- 3 s instead of 60 ms. The import sets khabar.bulk_load for its transaction: the
-- counts wait, and khabar_recount sets them once at the end.
CREATE OR REPLACE FUNCTION khabar_count_tags() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('khabar.bulk_load', true) = 'on' THEN
        RETURN NULL;
    END IF;
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
    IF current_setting('khabar.bulk_load', true) = 'on' THEN
        RETURN NULL;
    END IF;
    PERFORM 1 FROM sources WHERE id IN (SELECT source_id FROM changed) ORDER BY id FOR NO KEY UPDATE;
    UPDATE sources s
       SET article_count = s.article_count + CASE TG_OP WHEN 'INSERT' THEN n.c ELSE -n.c END
      FROM (SELECT source_id, count(*) AS c FROM changed GROUP BY source_id) n WHERE s.id = n.source_id;
    RETURN NULL;
END
$$;

-- Every tag's and source's count from its links: what the triggers above keep.
CREATE FUNCTION khabar_recount() RETURNS void
LANGUAGE sql AS $$
    UPDATE tags t SET article_count = COALESCE(n.c, 0)
      FROM tags t2 LEFT JOIN (SELECT tag_id, count(*) AS c FROM article_tags GROUP BY tag_id) n
        ON n.tag_id = t2.id
     WHERE t.id = t2.id AND t.article_count IS DISTINCT FROM COALESCE(n.c, 0);
    UPDATE sources s SET article_count = COALESCE(n.c, 0)
      FROM sources s2 LEFT JOIN (SELECT source_id, count(*) AS c FROM article_sources GROUP BY source_id) n
        ON n.source_id = s2.id
     WHERE s.id = s2.id AND s.article_count IS DISTINCT FROM COALESCE(n.c, 0);
$$;
