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
    version      integer NOT NULL DEFAULT 1 CHECK (version >= 1)
);
-- newest first, with id breaking ties: the order of every list
CREATE INDEX articles_newest ON articles (published_at DESC, id DESC);

CREATE TABLE tags (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text NOT NULL,                          -- the first spelling seen
    slug       text NOT NULL UNIQUE CHECK (slug <> ''), -- normalized: one per tag whatever the spelling
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sources (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text NOT NULL,                        -- the first spelling seen
    key        text NOT NULL UNIQUE CHECK (key <> ''), -- normalized name
    created_at timestamptz NOT NULL DEFAULT now()
);

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
