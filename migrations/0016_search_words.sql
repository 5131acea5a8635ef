-- 0016_search_words.sql: the words search has indexed, with a trigram index, so that a
-- search with no result can answer the closest word that has some ("did you mean").
-- pg_trgm ships with PostgreSQL (contrib, in Debian's postgresql-15 package);
-- fuzzystrmatch gives the edit distance that keeps suggestions to likely typos.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;

-- Every lexeme any article's search vector has held: the search forms of its words
-- (text_search_forms), whole words and the forms left without their proclitics.
-- Rows are only ever added. A count of articles per word would take a row lock on
-- every word of every article written, so two writers sharing common words would
-- queue on each other until commit; instead a word whose last article went away stays,
-- and a suggestion is only made after the suggested query is run and finds articles.
-- The search forms a vector holds: its lexemes without the marks of how the word was
-- written (include/text/search.h: '^' a folded whole form, '~' a form with affixes
-- removed), the written spellings ('=') left out since no query form is one.
CREATE FUNCTION khabar_vector_forms(v tsvector) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT ltrim(w, '^~')), '{}')
      FROM unnest(tsvector_to_array(v)) w WHERE left(w, 1) <> '='
$$;

CREATE TABLE search_words (
    word text PRIMARY KEY
);
CREATE INDEX search_words_trgm ON search_words USING gin (word gin_trgm_ops);

-- The new words of an article written: row by row, and for an update only when its
-- search vector changed, only the words it did not hold before, so that the updates
-- which leave the text alone (a go-live, a version bump) cost nothing. (A statement
-- trigger would capture every updated row in transition tables, vectors included.)
-- An import into an empty archive sets khabar.bulk_load: it fills the table once at
-- the end (khabar_refresh_search_words) instead.
CREATE FUNCTION khabar_note_search_words() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('khabar.bulk_load', true) = 'on' THEN
        RETURN NULL;
    END IF;
    -- in word order, so that two writers adding the same new words cannot deadlock
    INSERT INTO search_words (word)
    SELECT n.w FROM (SELECT unnest(khabar_vector_forms(NEW.search)) AS w
                     EXCEPT SELECT unnest(khabar_vector_forms(CASE TG_OP WHEN 'UPDATE' THEN OLD.search END))) n
     ORDER BY n.w ON CONFLICT (word) DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER articles_search_words_insert AFTER INSERT ON articles
    FOR EACH ROW EXECUTE FUNCTION khabar_note_search_words();
CREATE TRIGGER articles_search_words_update AFTER UPDATE OF search ON articles
    FOR EACH ROW WHEN (OLD.search IS DISTINCT FROM NEW.search)
    EXECUTE FUNCTION khabar_note_search_words();

CREATE FUNCTION khabar_refresh_search_words() RETURNS void
LANGUAGE sql AS $$
    INSERT INTO search_words (word)
    SELECT DISTINCT w FROM articles, unnest(khabar_vector_forms(articles.search)) w
    ON CONFLICT (word) DO NOTHING;
$$;
SELECT khabar_refresh_search_words();
