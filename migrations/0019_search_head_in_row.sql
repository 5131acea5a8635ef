-- 0019_search_head_in_row.sql: the title's and summary's lexemes stay in the row itself.
--
-- search_head was stored as any large value is: when a row is long (a long body, summary
-- or title), PostgreSQL moves its largest values out of the row to the TOAST table, and
-- search_head often went with them. A search reads it for each of its 1,000 candidates,
-- and each read then cost a TOAST index probe and a decompression, three times a
-- candidate (once per use). Storage MAIN keeps it in the row, compressed (LZ4) only when
-- the row is still too long once the body, its HTML and text and the whole vector are
-- out. The column is made again so that every row's value is stored so.
ALTER TABLE articles DROP COLUMN search_head,
    ADD COLUMN search_head tsvector GENERATED ALWAYS AS (ts_filter(search, '{a,b}')) STORED,
    ALTER COLUMN search_head SET STORAGE MAIN,
    ALTER COLUMN search_head SET COMPRESSION lz4;
