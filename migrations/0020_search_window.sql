-- 0020_search_window.sql: the newest articles have a search index of their own.
--
-- A search's candidates are its newest matches, read from the RUM index articles_search
-- in publication order; but RUM orders them by sorting every match of the query first
-- (at 1,000,000 articles, 41,024 matches of a common word took 13 ms before the first
-- row came back). The newest articles (about SEARCH_WINDOW_ARTICLES of them, set in
-- khabar's configuration) are marked search_recent and indexed again in
-- articles_search_recent: a common word has enough matches there, and the whole index
-- is read only for what the window cannot answer (STMT_LIST_SEARCH and the others).
--
-- The window is the visible articles published at or after search_window.since:
--   - every visible article published at or after since is search_recent (the trigger
--     below marks it when written, whatever since was then: since only moves forward);
--   - a search reads the window's index for matches published at or after since, and
--     the whole index for those before it, so an article is found once, in one of them;
--   - marks below since are only kept too long (they are dropped a few thousand at a
--     time by khabar_search_window_advance), never missing.
ALTER TABLE articles ADD COLUMN search_recent boolean NOT NULL DEFAULT false;

CREATE TABLE search_window (
    id integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    since timestamptz NOT NULL
);
INSERT INTO search_window (since) VALUES ('-infinity');

CREATE INDEX articles_search_recent ON articles
    USING rum (search rum_tsvector_addon_ops, published_at)
    WITH (attach = 'published_at', to = 'search') WHERE search_recent;
-- the marks past their time, oldest first, for khabar_search_window_advance
CREATE INDEX articles_search_recent_since ON articles (published_at) WHERE search_recent;

-- Named to fire after articles_visibility (BEFORE triggers fire in name order), which
-- sets visible. An import into an empty archive (khabar.bulk_load) marks its articles
-- once at its end (khabar_search_window_fill).
CREATE FUNCTION khabar_search_recent_mark() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.visible AND NOT NEW.search_recent
       AND current_setting('khabar.bulk_load', true) IS DISTINCT FROM 'on'
       AND NEW.published_at >= (SELECT since FROM search_window) THEN
        NEW.search_recent := true;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER articles_window_mark BEFORE INSERT OR UPDATE ON articles
    FOR EACH ROW EXECUTE FUNCTION khabar_search_recent_mark();

-- Moves since forward to the publication time of the size-th newest visible article
-- (never back: an article deleted from the window leaves it a little smaller), and
-- returns it.
CREATE FUNCTION khabar_search_window_raise(size integer) RETURNS timestamptz
LANGUAGE sql AS $$
    UPDATE search_window SET since = n.published_at
    FROM (SELECT published_at FROM articles WHERE visible
          ORDER BY published_at DESC, id DESC OFFSET size - 1 LIMIT 1) n
    WHERE n.published_at > search_window.since;
    SELECT since FROM search_window;
$$;

-- A round of the servers' upkeep: since moved forward, then up to batch marks published
-- before it dropped, oldest first, rows other writers hold skipped. Returns how many
-- were dropped. (A mark on an article no longer visible stays until its time is past:
-- searches ask for visible articles anyway.)
CREATE FUNCTION khabar_search_window_advance(size integer, batch integer) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    edge timestamptz := khabar_search_window_raise(size);
    dropped bigint;
BEGIN
    UPDATE articles SET search_recent = false WHERE id IN (
        SELECT id FROM articles WHERE search_recent AND published_at < edge
        ORDER BY published_at LIMIT batch FOR UPDATE SKIP LOCKED);
    GET DIAGNOSTICS dropped = ROW_COUNT;
    RETURN dropped;
END
$$;

-- After a load into an empty archive: the window set from the loaded articles, its
-- articles marked at once.
CREATE FUNCTION khabar_search_window_fill(size integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    edge timestamptz := khabar_search_window_raise(size);
BEGIN
    UPDATE articles SET search_recent = true
    WHERE visible AND NOT search_recent AND published_at >= edge;
END
$$;

-- The archive as it stands: its newest 50,000 (the default SEARCH_WINDOW_ARTICLES; a
-- server with another setting moves since on its first round).
SELECT khabar_search_window_fill(50000);
