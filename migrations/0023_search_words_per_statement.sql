-- 0023_search_words_per_statement.sql: the new words of inserted articles noted once per
-- statement: an import's batch is one insert of a thousand articles that share most of
-- their 170-odd forms each, so one DISTINCT over the batch probes the table once a word
-- where a trigger per row would probe it once an article and a word. Updates stay per row
-- (0016: a statement trigger would capture every updated row's vectors, old and new).
DROP TRIGGER articles_search_words_insert ON articles;

CREATE FUNCTION khabar_note_inserted_search_words() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('khabar.bulk_load', true) = 'on' THEN
        RETURN NULL; -- a load into an empty archive: khabar_refresh_search_words() at its end
    END IF;
    -- in word order, so that two writers adding the same new words cannot deadlock
    INSERT INTO search_words (word)
    SELECT DISTINCT w FROM new_rows n, khabar_vector_form_set(n.search) w
     ORDER BY w ON CONFLICT (word) DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER articles_search_words_insert AFTER INSERT ON articles
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION khabar_note_inserted_search_words();
