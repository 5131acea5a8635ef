-- 0022_bulk_fill.sql: the tables a load into an empty archive fills once at its end (the
-- search words, the title keys) filled set-based, and the staging rows compressed as the
-- articles' own columns are.

-- The search forms of a vector as a set, duplicates and all: one query the planner puts
-- inline, so that a statement over many articles makes one pass and one DISTINCT for all of
-- them instead of an array per article. khabar_vector_forms keeps its meaning (0016).
CREATE FUNCTION khabar_vector_form_set(v tsvector) RETURNS SETOF text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ltrim(w, '^~') FROM unnest(tsvector_to_array(v)) w WHERE left(w, 1) <> '='
$$;

CREATE OR REPLACE FUNCTION khabar_vector_forms(v tsvector) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT w), '{}') FROM khabar_vector_form_set(v) w
$$;

CREATE OR REPLACE FUNCTION khabar_title_prefixes(search tsvector) RETURNS SETOF text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT DISTINCT left(w, n) FROM khabar_vector_form_set(ts_filter(search, '{a}')) w, generate_series(1, length(w)) n
$$;

-- khabar_rebuilt_index(index, fill): runs the statement fill with the index dropped, then
-- builds the index again from its own definition: one sorted build instead of an entry at
-- a time. The table stays locked against writers until the transaction ends, as a load
-- into an empty archive holds the articles already.
CREATE FUNCTION khabar_rebuilt_index(index regclass, fill text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    definition text := pg_get_indexdef(index);
BEGIN
    EXECUTE format('DROP INDEX %s', index);
    EXECUTE fill;
    EXECUTE definition;
END $$;

CREATE OR REPLACE FUNCTION khabar_refresh_search_words() RETURNS void
LANGUAGE sql AS $$
    SELECT khabar_rebuilt_index('search_words_trgm',
        'INSERT INTO search_words (word) SELECT DISTINCT w FROM articles, khabar_vector_form_set(articles.search) w
         ON CONFLICT (word) DO NOTHING');
$$;

-- The keys sorted byte-wise (the column's collation "C"), not by the database's collation:
-- the partitions are the same, and the sort of every key of every title is most of the
-- fill. Its row estimates are guesses (set-returning functions) that would have the
-- planner compile the query (JIT) for longer than it runs.
CREATE OR REPLACE FUNCTION khabar_title_prefixes_fill() RETURNS void
LANGUAGE sql SET jit = off AS $$
    DELETE FROM title_prefixes;
    SELECT khabar_rebuilt_index('title_prefixes_newest', $fill$
        INSERT INTO title_prefixes (prefix, published_at, article_id)
        SELECT prefix, published_at, id FROM (
            SELECT p AS prefix, a.published_at, a.id,
                   row_number() OVER (PARTITION BY p COLLATE "C" ORDER BY a.published_at DESC, a.id DESC) AS n
              FROM articles a, khabar_title_prefixes(a.search) p WHERE a.visible) x
         WHERE n <= 32 $fill$);
$$;

-- A value compressed in the staging rows is stored in articles as it was compressed, so
-- each staging column uses the method its articles column asks for (0005, 0006); pglz is
-- also the slower of the two on the way in.
ALTER TABLE import_rows
    ALTER COLUMN body_html SET COMPRESSION lz4,
    ALTER COLUMN body_text SET COMPRESSION lz4;
