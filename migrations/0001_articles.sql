-- 0001_articles.sql: articles, tags, sources, their links and "read also" links.

-- RFC 3339 in UTC, with microseconds only when there are any.
CREATE FUNCTION khabar_time(t timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN date_trunc('second', t) = t
                THEN to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                ELSE to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
           END
$$;

CREATE TABLE articles (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug         text NOT NULL CHECK (slug <> ''),
    -- the slug with Arabic letter variants folded: what lookups and uniqueness use
    slug_key     text NOT NULL UNIQUE CHECK (slug_key <> ''),
    title        text NOT NULL,
    summary      text,
    body         text NOT NULL,
    lang         text NOT NULL DEFAULT 'ar',
    published_at timestamptz NOT NULL DEFAULT now(),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    version      integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    -- every search form of every word (see text_search_forms), title A, summary B, body C;
    -- made by khabar, which knows the Arabic rules, and passed in on each write
    search       tsvector NOT NULL DEFAULT ''
);
-- newest first, with id breaking ties: the order of every list
CREATE INDEX articles_newest ON articles (published_at DESC, id DESC);
CREATE INDEX articles_lang_newest ON articles (lang, published_at DESC, id DESC);
CREATE INDEX articles_search ON articles USING gin (search);
-- the newest change, for the Last-Modified of lists (with khabar_changes for deletions)
CREATE INDEX articles_updated ON articles (updated_at);

-- When an article was last deleted: a list can change without any article changing.
CREATE TABLE khabar_changes (
    id         integer PRIMARY KEY CHECK (id = 1),
    deleted_at timestamptz  -- NULL: never
);
INSERT INTO khabar_changes (id) VALUES (1);

CREATE TABLE tags (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text NOT NULL,                          -- the first spelling seen
    slug       text NOT NULL UNIQUE CHECK (slug <> ''), -- normalized: one per tag whatever the spelling
    article_count integer NOT NULL DEFAULT 0,           -- kept by triggers on article_tags
    created_at timestamptz NOT NULL DEFAULT now()
);
-- "most used first", keyset-paged on (article_count, id); prefix search on the slug
CREATE INDEX tags_most_used ON tags (article_count DESC, id DESC);
CREATE INDEX tags_slug_prefix ON tags (slug text_pattern_ops);

CREATE TABLE sources (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text NOT NULL,                        -- the first spelling seen
    key        text NOT NULL UNIQUE CHECK (key <> ''), -- normalized name
    article_count integer NOT NULL DEFAULT 0,           -- kept by triggers on article_sources
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sources_most_used ON sources (article_count DESC, id DESC);
CREATE INDEX sources_key_prefix ON sources (key text_pattern_ops);

-- published_at is copied into the link rows so that "newest of a tag" is one index
-- range scan with no sort; a trigger keeps the copies in step.
CREATE TABLE article_tags (
    article_id   bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    tag_id       bigint NOT NULL REFERENCES tags (id) ON DELETE RESTRICT,
    position     smallint NOT NULL,
    published_at timestamptz NOT NULL,
    PRIMARY KEY (article_id, tag_id)
);
CREATE INDEX article_tags_newest ON article_tags (tag_id, published_at DESC, article_id DESC);

CREATE TABLE article_sources (
    article_id   bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    source_id    bigint NOT NULL REFERENCES sources (id) ON DELETE RESTRICT,
    position     smallint NOT NULL,
    published_at timestamptz NOT NULL,
    PRIMARY KEY (article_id, source_id)
);
CREATE INDEX article_sources_newest ON article_sources (source_id, published_at DESC, article_id DESC);

-- "read also": directional, ordered; gone when either end is deleted
CREATE TABLE article_related (
    article_id bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    related_id bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    position   integer NOT NULL,
    PRIMARY KEY (article_id, related_id),
    CHECK (article_id <> related_id)
);
CREATE INDEX article_related_to ON article_related (related_id);

CREATE FUNCTION khabar_copy_published_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE article_tags SET published_at = NEW.published_at WHERE article_id = NEW.id;
    UPDATE article_sources SET published_at = NEW.published_at WHERE article_id = NEW.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER articles_published_at_copies
    AFTER UPDATE OF published_at ON articles
    FOR EACH ROW WHEN (OLD.published_at IS DISTINCT FROM NEW.published_at)
    EXECUTE FUNCTION khabar_copy_published_at();

-- Article counts of tags and sources, kept per statement from the rows it touched
-- (deleting an article reaches here through ON DELETE CASCADE).
CREATE FUNCTION khabar_count_tags() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- rows locked in id order first, so that concurrent writers cannot deadlock
    PERFORM 1 FROM tags WHERE id IN (SELECT tag_id FROM changed) ORDER BY id FOR UPDATE;
    UPDATE tags t
       SET article_count = t.article_count + CASE TG_OP WHEN 'INSERT' THEN n.c ELSE -n.c END
      FROM (SELECT tag_id, count(*) AS c FROM changed GROUP BY tag_id) n WHERE t.id = n.tag_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER article_tags_counted_in AFTER INSERT ON article_tags
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION khabar_count_tags();
CREATE TRIGGER article_tags_counted_out AFTER DELETE ON article_tags
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION khabar_count_tags();

CREATE FUNCTION khabar_count_sources() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM sources WHERE id IN (SELECT source_id FROM changed) ORDER BY id FOR UPDATE;
    UPDATE sources s
       SET article_count = s.article_count + CASE TG_OP WHEN 'INSERT' THEN n.c ELSE -n.c END
      FROM (SELECT source_id, count(*) AS c FROM changed GROUP BY source_id) n WHERE s.id = n.source_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER article_sources_counted_in AFTER INSERT ON article_sources
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION khabar_count_sources();
CREATE TRIGGER article_sources_counted_out AFTER DELETE ON article_sources
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION khabar_count_sources();

-- Rows of an import batch on their way in (khabar import): COPY fills it, set-based
-- statements move it into the tables above, the batch's transaction empties it.
-- Unlogged: it only ever holds rows of transactions in progress.
CREATE UNLOGGED TABLE import_rows (
    session      integer NOT NULL DEFAULT pg_backend_pid(),
    line         integer NOT NULL,
    slug         text NOT NULL,
    slug_key     text NOT NULL,
    title        text NOT NULL,
    summary      text,
    body         text NOT NULL,
    lang         text NOT NULL,
    published_at timestamptz,
    search       tsvector NOT NULL,
    tags         json NOT NULL,
    sources      json NOT NULL,
    PRIMARY KEY (session, line)
);
