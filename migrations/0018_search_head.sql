-- 0018_search_head.sql: the title's and summary's part of the search vector, kept beside it.
--
-- A search ranks its candidates first by the field of their best match (title, then
-- summary, then body), and that field can be told from these lexemes alone: 0.6 KB
-- an article stored in the row, where the whole vector is 2.6 KB compressed out of it.
-- The whole vector is then read only for the candidates that can reach the page
-- (STMT_LIST_SEARCH), not for all of them.
ALTER TABLE articles ADD COLUMN search_head tsvector
    GENERATED ALWAYS AS (ts_filter(search, '{a,b}')) STORED;
