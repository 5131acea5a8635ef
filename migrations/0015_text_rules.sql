-- 0015_text_rules.sql: which version of the text rules (server/text: matching keys,
-- slug keys, search forms) each kind of stored row was computed with. The rules live
-- in C, so SQL cannot apply a change of them: khabar migrate recomputes the rows of a
-- kind in batches after the SQL migrations (server/db/rekey.c), noting the last id
-- done, so that a stopped run goes on where it stopped.
CREATE TABLE text_rules (
    kind    text PRIMARY KEY CHECK (kind IN ('articles', 'tags', 'sources', 'authors', 'sections')),
    version integer NOT NULL,          -- every row of the kind follows this version
    through bigint NOT NULL DEFAULT 0, -- rows up to this id follow the next version already
    -- the search index's definition while articles are recomputed without it (a new row
    -- version inserts every lexeme into the RUM index: ten times the work of the update)
    rebuild text
);
-- Rows written before this migration follow the first rules.
INSERT INTO text_rules (kind, version)
VALUES ('articles', 1), ('tags', 1), ('sources', 1), ('authors', 1), ('sections', 1);
