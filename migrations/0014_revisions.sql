-- 0014_revisions.sql: every write of an article keeps the article as it then read, for
-- editors to look back at and restore. The representation is made by khabar's one
-- serializer (server/model/serialize.c) and stored as it was served, so a field the
-- article gains later is kept without a change here.

CREATE TABLE article_revisions (
    -- no foreign key to articles: the revisions of a deleted article stay (an audit trail)
    article_id     bigint NOT NULL,
    -- the article's version after the write (the deletion's: one past its last)
    version        integer NOT NULL CHECK (version >= 1),
    made_at        timestamptz NOT NULL DEFAULT now(),
    -- the name of the token that wrote (env-1, env-2, ... for API_TOKENS)
    actor          text NOT NULL,
    action         text NOT NULL CHECK (action IN ('created', 'updated', 'restored', 'deleted')),
    -- a restore: the version whose content it wrote
    restored_from  integer,
    -- the representation's fields that differ from the version before, in name order
    changed        text[] NOT NULL,
    -- the article as GET /v1/articles/{id} answered it after the write; NULL for a deletion
    representation jsonb,
    -- newest first by a backward scan of this one index: a page is limit + 1 entries
    PRIMARY KEY (article_id, version),
    CHECK ((action = 'deleted') = (representation IS NULL)),
    CHECK ((action = 'restored') = (restored_from IS NOT NULL))
);

-- The names of the fields whose values differ between two representations (before NULL:
-- every field, for a creation; after NULL: none, for a deletion). version and updated_at
-- move on every write and say nothing of what changed.
CREATE FUNCTION khabar_changed_fields(before jsonb, after jsonb) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
    SELECT COALESCE(array_agg(k ORDER BY k), '{}')
      FROM (SELECT jsonb_object_keys(after)) AS keys(k)
     WHERE k NOT IN ('version', 'updated_at')
       AND (before IS NULL OR before -> k IS DISTINCT FROM after -> k)
$$;
