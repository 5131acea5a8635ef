-- 0011_authors.sql: authors (bylines): each article keeps an ordered byline of authors,
-- stored beside it as JSON like its tags (0002), with the link rows carrying published_at
-- and visible (0010) so that an author's newest public page is one index range scan,
-- and counts of public articles only.

CREATE TABLE authors (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text NOT NULL CHECK (name <> ''),
    slug       text NOT NULL CHECK (slug <> ''),
    -- the slug with Arabic letter variants folded: what lookups and uniqueness use
    slug_key   text NOT NULL UNIQUE CHECK (slug_key <> ''),
    bio        text,
    avatar     json,                                -- an image object (model/image.c)
    article_count integer NOT NULL DEFAULT 0,       -- public articles, kept by triggers
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX authors_most_used ON authors (article_count DESC, id DESC);
CREATE INDEX authors_slug_prefix ON authors (slug_key text_pattern_ops);

CREATE TABLE article_authors (
    article_id   bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    -- an author still in a byline cannot be deleted (khabar answers 409)
    author_id    bigint NOT NULL REFERENCES authors (id) ON DELETE RESTRICT,
    position     smallint NOT NULL,
    published_at timestamptz NOT NULL,
    visible      boolean NOT NULL,
    PRIMARY KEY (article_id, author_id)
);
CREATE INDEX article_authors_public_newest
    ON article_authors (author_id, published_at DESC, article_id DESC) WHERE visible;
-- every byline of an author, public or not: renames, deletions, editors' lists
CREATE INDEX article_authors_author ON article_authors (author_id);

ALTER TABLE articles ADD COLUMN authors_json json NOT NULL DEFAULT '[]';

-- When an author, a section or a section's front last changed: lists of them (and
-- fronts) change without any article changing, so their Last-Modified reads this too.
ALTER TABLE khabar_changes ADD COLUMN names_changed_at timestamptz;

-- Such a change is announced to every instance's answer cache ('*': it is not one
-- article's) and dates the lists.
CREATE FUNCTION khabar_names_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE khabar_changes SET names_changed_at = now() WHERE id = 1;
    PERFORM pg_notify('khabar_changes', '*');
    RETURN NULL;
END
$$;
-- Not on the count updates of article writes: those announce their articles already, and
-- a '*' (and a write of the one khabar_changes row) on each of them would empty every
-- cache and queue every writer behind one row.
CREATE TRIGGER authors_changed AFTER INSERT OR UPDATE OF name, slug, slug_key, bio, avatar OR DELETE
    ON authors FOR EACH STATEMENT EXECUTE FUNCTION khabar_names_changed();

-- The bylines of the articles ids as JSON, written only where they changed.
CREATE FUNCTION khabar_refresh_authors(ids bigint[]) RETURNS void
LANGUAGE sql AS $$
    UPDATE articles a SET authors_json = n.j
      FROM (SELECT i.id, COALESCE(l.j, '[]') AS j
              FROM unnest(ids) AS i(id)
              LEFT JOIN (SELECT x.article_id,
                                json_agg(json_build_object('id', au.id, 'slug', au.slug, 'name', au.name)
                                         ORDER BY x.position) AS j
                           FROM article_authors x JOIN authors au ON au.id = x.author_id
                          WHERE x.article_id = ANY (ids) GROUP BY x.article_id) l
                ON l.article_id = i.id) n
     WHERE a.id = n.id AND a.authors_json::text IS DISTINCT FROM n.j::text;
$$;
CREATE FUNCTION khabar_bylines_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM khabar_refresh_authors(ARRAY(SELECT DISTINCT article_id FROM changed));
    RETURN NULL;
END
$$;
CREATE TRIGGER article_authors_links_in AFTER INSERT ON article_authors
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION khabar_bylines_changed();
CREATE TRIGGER article_authors_links_out AFTER DELETE ON article_authors
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION khabar_bylines_changed();

-- A renamed author (or a new slug) changes every article that names it: they are
-- rewritten and dated then, so that their Last-Modified and the lists' move.
CREATE FUNCTION khabar_author_renamed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE articles SET updated_at = now()
     WHERE id IN (SELECT article_id FROM article_authors WHERE author_id = NEW.id);
    PERFORM khabar_refresh_authors(ARRAY(SELECT article_id FROM article_authors WHERE author_id = NEW.id));
    RETURN NULL;
END
$$;
CREATE TRIGGER authors_renamed AFTER UPDATE OF name, slug ON authors
    FOR EACH ROW WHEN ((OLD.name, OLD.slug) IS DISTINCT FROM (NEW.name, NEW.slug))
    EXECUTE FUNCTION khabar_author_renamed();

-- The byline rows follow their article's published_at and visibility, as the tag rows do.
CREATE FUNCTION khabar_copy_published_at_authors() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE article_authors SET published_at = NEW.published_at, visible = NEW.visible
     WHERE article_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER articles_published_at_copies_authors
    AFTER UPDATE OF published_at, visible ON articles
    FOR EACH ROW WHEN ((OLD.published_at, OLD.visible) IS DISTINCT FROM (NEW.published_at, NEW.visible))
    EXECUTE FUNCTION khabar_copy_published_at_authors();

-- Counts of public articles, kept as the tags' are (0010): links added or removed count
-- when visible, a link that becomes visible (or stops being) counts then.
CREATE FUNCTION khabar_count_authors() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('khabar.bulk_load', true) = 'on' THEN
        RETURN NULL;
    END IF;
    -- rows locked in id order first, so that concurrent writers cannot deadlock
    PERFORM 1 FROM authors WHERE id IN (SELECT author_id FROM changed WHERE visible) ORDER BY id
        FOR NO KEY UPDATE;
    UPDATE authors au
       SET article_count = au.article_count + CASE TG_OP WHEN 'INSERT' THEN n.c ELSE -n.c END
      FROM (SELECT author_id, count(*) AS c FROM changed WHERE visible GROUP BY author_id) n
     WHERE au.id = n.author_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER article_authors_counted_in AFTER INSERT ON article_authors
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION khabar_count_authors();
CREATE TRIGGER article_authors_counted_out AFTER DELETE ON article_authors
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION khabar_count_authors();
CREATE FUNCTION khabar_recount_authors_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM authors WHERE id IN (SELECT n.author_id FROM new_rows n JOIN old_rows o
                                         ON (o.article_id, o.author_id) = (n.article_id, n.author_id)
                                         WHERE o.visible <> n.visible) ORDER BY id FOR NO KEY UPDATE;
    UPDATE authors au SET article_count = au.article_count + d.delta
      FROM (SELECT n.author_id, sum(CASE WHEN n.visible THEN 1 ELSE -1 END) AS delta
              FROM new_rows n JOIN old_rows o ON (o.article_id, o.author_id) = (n.article_id, n.author_id)
             WHERE o.visible <> n.visible GROUP BY n.author_id) d
     WHERE au.id = d.author_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER article_authors_counted_changed AFTER UPDATE ON article_authors
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION khabar_recount_authors_changed();

-- 0010's recount (run after a bulk load) with the authors' counts.
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
    UPDATE authors au SET article_count = COALESCE(n.c, 0)
      FROM authors au2 LEFT JOIN (SELECT author_id, count(*) AS c FROM article_authors WHERE visible
                                   GROUP BY author_id) n ON n.author_id = au2.id
     WHERE au.id = au2.id AND au.article_count IS DISTINCT FROM COALESCE(n.c, 0);
$$;
