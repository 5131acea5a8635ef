-- 0017_title_prefixes.sql: the words of public titles by their beginnings, for the suggest box
-- (GET /v1/suggest) and "more like this" (GET /v1/articles/{id}/similar).
--
-- Every prefix of every search form of every title word (the forms of text/words.h, read
-- back from the weight-A lexemes of the search vector, so the text rules apply here with no
-- code of their own) is a key, and each key keeps its newest public articles only: a
-- prefix of any length is one equality scan of at most KEEP rows, and the table is bounded
-- by the titles' vocabulary, not by the archive (a one-letter key holds 32 rows at a
-- million articles as at a thousand). KEEP is above the 10 answered so that articles
-- deleted or unpublished from a key's newest leave enough behind; a key is not refilled
-- from older articles, so after more than 22 such removals from one key its list is short
-- until new articles come.
CREATE TABLE title_prefixes (
    prefix       text COLLATE "C" NOT NULL,
    published_at timestamptz NOT NULL,
    article_id   bigint NOT NULL
);
CREATE INDEX title_prefixes_newest ON title_prefixes (prefix, published_at DESC, article_id DESC);

-- The keys of one article: each prefix of each title form, once.
CREATE FUNCTION khabar_title_prefixes(search tsvector) RETURNS SETOF text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT DISTINCT left(w, n)
      FROM unnest(khabar_vector_forms(ts_filter(search, '{a}'))) w, generate_series(1, length(w)) n
$$;

-- Keeps the newest 32 of each of keys, best effort: rows another writer has locked (trimming
-- or deleting them) are left for the next trim, so a trim never waits. Every title shares
-- keys with others (a word beginning with ا): trims that waited would queue every writer
-- behind one another and, holding the rows they trimmed, deadlock with writers deleting an
-- article's old keys. A key may hold a few rows over 32 for a while; readers' LIMITs do not
-- see them.
CREATE FUNCTION khabar_title_prefixes_trim(keys text[]) RETURNS void
LANGUAGE sql AS $$
    WITH d AS (
        SELECT t.ctid AS row FROM unnest(keys) k(prefix)
         CROSS JOIN LATERAL (SELECT t.published_at, t.article_id FROM title_prefixes t
                              WHERE t.prefix = k.prefix
                              ORDER BY t.published_at DESC, t.article_id DESC OFFSET 32) x
          JOIN title_prefixes t ON t.prefix = k.prefix AND t.published_at = x.published_at
                               AND t.article_id = x.article_id
           FOR UPDATE OF t SKIP LOCKED)
    DELETE FROM title_prefixes s USING d WHERE s.ctid = d.row
$$;

-- The keys a transaction's writes added to, trimmed when it commits: a trim holds the rows
-- it deletes until the end of its transaction, and one made at the end waits on nothing
-- after it, so no writer waits on a transaction that waits on it. One row a statement or
-- an article's change, written and deleted by its own transaction only.
CREATE TABLE title_prefixes_to_trim (keys text[] NOT NULL);

CREATE FUNCTION khabar_title_prefixes_trim_at_commit() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM khabar_title_prefixes_trim(NEW.keys);
    DELETE FROM title_prefixes_to_trim WHERE ctid = NEW.ctid;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER title_prefixes_trimmed_at_commit AFTER INSERT ON title_prefixes_to_trim
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION khabar_title_prefixes_trim_at_commit();

-- New public articles, once per statement (an import's batch is one set-based insert).
CREATE FUNCTION khabar_title_prefixes_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('khabar.bulk_load', true) = 'on' THEN
        RETURN NULL; -- a load into an empty archive: khabar_title_prefixes_fill() at its end
    END IF;
    INSERT INTO title_prefixes (prefix, published_at, article_id)
    SELECT p, n.published_at, n.id FROM new_rows n, khabar_title_prefixes(n.search) p WHERE n.visible;
    INSERT INTO title_prefixes_to_trim (keys)
    SELECT array_agg(DISTINCT p) FROM new_rows n, khabar_title_prefixes(n.search) p WHERE n.visible
    HAVING count(*) > 0;
    RETURN NULL;
END $$;
CREATE TRIGGER articles_title_prefixes_inserted AFTER INSERT ON articles
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION khabar_title_prefixes_inserted();

-- An article's rows go with its old title, date or visibility, and come back with the new
-- ones (a scheduled article's at its go-live). Found through the one index by their keys.
CREATE FUNCTION khabar_title_prefixes_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.visible THEN
        DELETE FROM title_prefixes s USING khabar_title_prefixes(OLD.search) p
         WHERE s.prefix = p AND s.published_at = OLD.published_at AND s.article_id = OLD.id;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.visible THEN
        INSERT INTO title_prefixes (prefix, published_at, article_id)
        SELECT p, NEW.published_at, NEW.id FROM khabar_title_prefixes(NEW.search) p;
        INSERT INTO title_prefixes_to_trim (keys) VALUES (ARRAY(SELECT khabar_title_prefixes(NEW.search)));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER articles_title_prefixes_changed AFTER UPDATE ON articles
    FOR EACH ROW WHEN ((OLD.visible OR NEW.visible) AND
                       (OLD.search, OLD.published_at, OLD.visible) IS DISTINCT FROM
                       (NEW.search, NEW.published_at, NEW.visible))
    EXECUTE FUNCTION khabar_title_prefixes_changed();
CREATE TRIGGER articles_title_prefixes_deleted AFTER DELETE ON articles
    FOR EACH ROW WHEN (OLD.visible) EXECUTE FUNCTION khabar_title_prefixes_changed();

-- Every key's newest 32 from the articles there are, set-based: for this migration, and at
-- the end of a load into an empty archive (one sort instead of a trim per batch).
CREATE FUNCTION khabar_title_prefixes_fill() RETURNS void
LANGUAGE sql AS $$
    DELETE FROM title_prefixes;
    INSERT INTO title_prefixes (prefix, published_at, article_id)
    SELECT prefix, published_at, id FROM (
        SELECT p AS prefix, a.published_at, a.id,
               row_number() OVER (PARTITION BY p ORDER BY a.published_at DESC, a.id DESC) AS n
          FROM articles a, khabar_title_prefixes(a.search) p WHERE a.visible) x
     WHERE n <= 32;
$$;
SELECT khabar_title_prefixes_fill();
