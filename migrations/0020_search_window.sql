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
-- The window, once open, is the visible articles published at or after search_window.since:
--   - every visible article published at or after since is search_recent (the trigger
--     below marks it when written: since only moves forward);
--   - a search reads the window's index for matches published at or after since, and
--     the whole index for those before it, so an article is found once, in one of them;
--   - marks before since are only kept too long (servers drop them 200 at a time),
--     never missing.
-- An archive of fewer than twice SEARCH_WINDOW_ARTICLES visible articles has no window
-- (since NULL): nothing is marked, nothing written twice, and searches read the whole
-- index, as cheap at that size. A server opens it when the archive has grown (see
-- khabar_search_window_advance): the edge is set as pending, so that writers mark from
-- then on, and once every transaction that might not have seen it has ended and every
-- article past the edge is marked, it becomes since.
ALTER TABLE articles ADD COLUMN search_recent boolean NOT NULL DEFAULT false;

CREATE TABLE search_window (
    id integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    since timestamptz,      -- NULL: no window
    pending timestamptz,    -- the edge of a window being opened
    pending_at timestamptz, -- when pending was set
    -- marks before it are all dropped: those left lie between it and since (the window
    -- was all marked when since was there, and only moved forward)
    dropped_to timestamptz
);
INSERT INTO search_window DEFAULT VALUES;

CREATE INDEX articles_search_recent ON articles
    USING rum (search rum_tsvector_addon_ops, published_at)
    WITH (attach = 'published_at', to = 'search') WHERE search_recent;
-- (The marks to drop are found through articles_public_newest between dropped_to and
-- since: a B-tree over the marked rows alone was taken by the planner for searches.)

-- Named to fire after articles_visibility (BEFORE triggers fire in name order), which
-- sets visible.
CREATE FUNCTION khabar_search_recent_mark() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.visible AND NOT NEW.search_recent
       AND NEW.published_at >= (SELECT COALESCE(since, pending) FROM search_window) THEN
        NEW.search_recent := true;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER articles_window_mark BEFORE INSERT OR UPDATE ON articles
    FOR EACH ROW EXECUTE FUNCTION khabar_search_recent_mark();

-- The publication time of the n-th newest visible article; NULL when there are fewer.
CREATE FUNCTION khabar_nth_newest(n integer) RETURNS timestamptz
LANGUAGE sql STABLE AS $$
    SELECT published_at FROM articles WHERE visible
    ORDER BY published_at DESC, id DESC OFFSET n - 1 LIMIT 1
$$;

-- An open window moves forward to the publication time of the size-th newest visible
-- article (never back: an article deleted from the window leaves it a little smaller).
CREATE FUNCTION khabar_search_window_raise(size integer) RETURNS void
LANGUAGE sql AS $$
    UPDATE search_window SET since = khabar_nth_newest(size)
    WHERE since IS NOT NULL AND khabar_nth_newest(size) > since;
$$;

-- A round of a server's upkeep; batch bounds the rows it updates (a mark on an article no
-- longer visible, or moved before dropped_to, stays: searches ask for visible articles
-- at or after since anyway). Returns true when
-- there is more to do at once (a round soon after), false when the next can wait.
CREATE FUNCTION khabar_search_window_advance(size integer, batch integer) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    w search_window;
    n bigint;
    last timestamptz;
BEGIN
    SELECT * INTO w FROM search_window FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
        RETURN false;  -- another server's round holds it
    END IF;
    IF w.since IS NULL AND w.pending IS NULL THEN
        -- open once the archive holds twice the window
        IF khabar_nth_newest(2 * size) IS NOT NULL THEN
            UPDATE search_window SET pending = khabar_nth_newest(size), pending_at = clock_timestamp();
            RETURN true;
        END IF;
        RETURN false;
    ELSIF w.since IS NULL THEN
        -- opening: mark what was written before writers knew of pending
        UPDATE articles SET search_recent = true WHERE id IN (
            SELECT id FROM articles WHERE visible AND NOT search_recent AND published_at >= w.pending
            ORDER BY published_at DESC LIMIT batch FOR UPDATE SKIP LOCKED);
        GET DIAGNOSTICS n = ROW_COUNT;
        IF n > 0 OR EXISTS (SELECT 1 FROM pg_stat_activity WHERE backend_type = 'client backend'
                            AND pid <> pg_backend_pid() AND xact_start < w.pending_at + interval '1 second') THEN
            RETURN true;  -- more to mark, or a transaction that may not have seen pending
        END IF;
        IF EXISTS (SELECT 1 FROM articles WHERE visible AND NOT search_recent
                   AND published_at >= w.pending) THEN
            RETURN true;  -- rows others held: the next round marks them
        END IF;
        UPDATE search_window SET since = pending, dropped_to = pending, pending = NULL, pending_at = NULL;
        RETURN true;
    END IF;
    PERFORM khabar_search_window_raise(size);
    SELECT * INTO w FROM search_window;
    -- the oldest marks first, so that dropped_to can follow them up
    WITH dropped AS (
        UPDATE articles SET search_recent = false WHERE id IN (
            SELECT id FROM articles WHERE visible AND search_recent
            AND published_at >= w.dropped_to AND published_at < w.since
            ORDER BY published_at, id LIMIT batch FOR UPDATE SKIP LOCKED)
        RETURNING published_at)
    SELECT count(*), max(published_at) INTO n, last FROM dropped;
    UPDATE search_window SET dropped_to = CASE WHEN n < batch THEN w.since ELSE last END;
    RETURN n = batch;
END
$$;
