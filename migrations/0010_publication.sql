-- 0010_publication.sql: drafts, scheduled publication and withdrawal. An article is
-- public (visible) when it is published and its time has come; every public read
-- (lists, counts, search, "read also") sees visible articles only.

ALTER TABLE articles
    ADD COLUMN status text NOT NULL DEFAULT 'published'
        CHECK (status IN ('draft', 'published', 'withdrawn')),
    -- what readers are told, kept only while the article is withdrawn
    ADD COLUMN withdrawn_reason text,
    -- dated notes shown with the article: [{"at": "...", "text": "..."}]
    ADD COLUMN corrections json NOT NULL DEFAULT '[]',
    -- status = 'published' AND published_at <= the moment it was last set: set by the
    -- trigger below on every write, and by khabar when a scheduled article's time comes
    -- (server/db/schedule.c), which is how lists, counts and links change at that moment
    -- without anyone writing
    ADD COLUMN visible boolean NOT NULL DEFAULT true,
    ADD CONSTRAINT articles_withdrawn_reason
        CHECK ((status = 'withdrawn') = (withdrawn_reason IS NOT NULL));

CREATE FUNCTION khabar_visibility() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.visible := NEW.status = 'published' AND NEW.published_at <= now();
    RETURN NEW;
END
$$;
CREATE TRIGGER articles_visibility BEFORE INSERT OR UPDATE ON articles
    FOR EACH ROW EXECUTE FUNCTION khabar_visibility();

-- Articles dated ahead were public at once before: they are scheduled now.
UPDATE articles SET visible = false WHERE published_at > now();

-- Public lists scan only visible articles; editors' lists by status, and the next
-- articles to go live, have their own (small) indexes.
CREATE INDEX articles_public_newest ON articles (published_at DESC, id DESC) WHERE visible;
CREATE INDEX articles_status_newest ON articles (status, published_at DESC, id DESC)
    WHERE status <> 'published';
CREATE INDEX articles_scheduled ON articles (published_at DESC, id DESC)
    WHERE status = 'published' AND NOT visible;

-- The link rows carry visible beside published_at, so that a tag's or a source's newest
-- public page is still one index range scan.
ALTER TABLE article_tags ADD COLUMN visible boolean NOT NULL DEFAULT true;
ALTER TABLE article_sources ADD COLUMN visible boolean NOT NULL DEFAULT true;
UPDATE article_tags x SET visible = false FROM articles a WHERE a.id = x.article_id AND NOT a.visible;
UPDATE article_sources x SET visible = false FROM articles a WHERE a.id = x.article_id AND NOT a.visible;
DROP INDEX article_tags_newest;
DROP INDEX article_sources_newest;
CREATE INDEX article_tags_public_newest ON article_tags (tag_id, published_at DESC, article_id DESC)
    WHERE visible;
CREATE INDEX article_sources_public_newest ON article_sources (source_id, published_at DESC, article_id DESC)
    WHERE visible;

CREATE OR REPLACE FUNCTION khabar_copy_published_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE article_tags SET published_at = NEW.published_at, visible = NEW.visible
     WHERE article_id = NEW.id;
    UPDATE article_sources SET published_at = NEW.published_at, visible = NEW.visible
     WHERE article_id = NEW.id;
    RETURN NULL;
END
$$;
DROP TRIGGER articles_published_at_copies ON articles;
CREATE TRIGGER articles_published_at_copies
    AFTER UPDATE OF published_at, visible ON articles
    FOR EACH ROW WHEN ((OLD.published_at, OLD.visible) IS DISTINCT FROM (NEW.published_at, NEW.visible))
    EXECUTE FUNCTION khabar_copy_published_at();

-- Counts are of public articles: links added or removed count when visible, and a link
-- that becomes visible (or stops being) counts then.
CREATE OR REPLACE FUNCTION khabar_count_tags() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('khabar.bulk_load', true) = 'on' THEN
        RETURN NULL;
    END IF;
    -- rows locked in id order first, so that concurrent writers cannot deadlock
    PERFORM 1 FROM tags WHERE id IN (SELECT tag_id FROM changed WHERE visible) ORDER BY id
        FOR NO KEY UPDATE;
    UPDATE tags t
       SET article_count = t.article_count + CASE TG_OP WHEN 'INSERT' THEN n.c ELSE -n.c END
      FROM (SELECT tag_id, count(*) AS c FROM changed WHERE visible GROUP BY tag_id) n
     WHERE t.id = n.tag_id;
    RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION khabar_count_sources() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('khabar.bulk_load', true) = 'on' THEN
        RETURN NULL;
    END IF;
    PERFORM 1 FROM sources WHERE id IN (SELECT source_id FROM changed WHERE visible) ORDER BY id
        FOR NO KEY UPDATE;
    UPDATE sources s
       SET article_count = s.article_count + CASE TG_OP WHEN 'INSERT' THEN n.c ELSE -n.c END
      FROM (SELECT source_id, count(*) AS c FROM changed WHERE visible GROUP BY source_id) n
     WHERE s.id = n.source_id;
    RETURN NULL;
END
$$;
CREATE FUNCTION khabar_recount_tags_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM tags WHERE id IN (SELECT n.tag_id FROM new_rows n JOIN old_rows o
                                      ON (o.article_id, o.tag_id) = (n.article_id, n.tag_id)
                                      WHERE o.visible <> n.visible) ORDER BY id FOR NO KEY UPDATE;
    UPDATE tags t SET article_count = t.article_count + d.delta
      FROM (SELECT n.tag_id, sum(CASE WHEN n.visible THEN 1 ELSE -1 END) AS delta
              FROM new_rows n JOIN old_rows o ON (o.article_id, o.tag_id) = (n.article_id, n.tag_id)
             WHERE o.visible <> n.visible GROUP BY n.tag_id) d
     WHERE t.id = d.tag_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER article_tags_counted_changed AFTER UPDATE ON article_tags
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION khabar_recount_tags_changed();
CREATE FUNCTION khabar_recount_sources_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM sources WHERE id IN (SELECT n.source_id FROM new_rows n JOIN old_rows o
                                         ON (o.article_id, o.source_id) = (n.article_id, n.source_id)
                                         WHERE o.visible <> n.visible) ORDER BY id FOR NO KEY UPDATE;
    UPDATE sources s SET article_count = s.article_count + d.delta
      FROM (SELECT n.source_id, sum(CASE WHEN n.visible THEN 1 ELSE -1 END) AS delta
              FROM new_rows n JOIN old_rows o ON (o.article_id, o.source_id) = (n.article_id, n.source_id)
             WHERE o.visible <> n.visible GROUP BY n.source_id) d
     WHERE s.id = d.source_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER article_sources_counted_changed AFTER UPDATE ON article_sources
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION khabar_recount_sources_changed();

CREATE OR REPLACE FUNCTION khabar_recount() RETURNS void
LANGUAGE sql AS $$
    UPDATE tags t SET article_count = COALESCE(n.c, 0)
      FROM tags t2 LEFT JOIN (SELECT tag_id, count(*) AS c FROM article_tags WHERE visible
                               GROUP BY tag_id) n ON n.tag_id = t2.id
     WHERE t.id = t2.id AND t.article_count IS DISTINCT FROM COALESCE(n.c, 0);
    UPDATE sources s SET article_count = COALESCE(n.c, 0)
      FROM sources s2 LEFT JOIN (SELECT source_id, count(*) AS c FROM article_sources WHERE visible
                                  GROUP BY source_id) n ON n.source_id = s2.id
     WHERE s.id = s2.id AND s.article_count IS DISTINCT FROM COALESCE(n.c, 0);
$$;
SELECT khabar_recount();

-- "Read also" lists show public articles only; one that goes live changes its linkers'
-- lists then, and their Last-Modified moves to that moment (its published_at).
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
                              ORDER BY x.position) FILTER (WHERE r.visible), '[]') AS j,
                              max(CASE WHEN r.visible THEN GREATEST(r.updated_at, r.published_at)
                                       ELSE r.updated_at END) AS changed
                         FROM article_related x JOIN articles r ON r.id = x.related_id
                        WHERE x.article_id = a2.id) r
                 WHERE a2.id = ANY (ids)) n
         WHERE a.id = n.id AND (a.related_json::text, a.related_changed_at)
                               IS DISTINCT FROM (n.j::text, n.changed);
    END IF;
END
$$;
DROP TRIGGER articles_linkers_refresh ON articles;
CREATE TRIGGER articles_linkers_refresh
    AFTER UPDATE ON articles
    FOR EACH ROW WHEN ((OLD.updated_at, OLD.title, OLD.slug, OLD.published_at, OLD.visible)
                       IS DISTINCT FROM (NEW.updated_at, NEW.title, NEW.slug, NEW.published_at, NEW.visible))
    EXECUTE FUNCTION khabar_linkers_refresh();
SELECT khabar_refresh_links(ARRAY(SELECT DISTINCT article_id FROM article_related), 'related');

ALTER TABLE import_rows
    ADD COLUMN status text NOT NULL DEFAULT 'published',
    ADD COLUMN withdrawn_reason text,
    ADD COLUMN corrections json NOT NULL DEFAULT '[]';
