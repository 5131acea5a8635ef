-- 0006_formatted_bodies.sql: a body is CommonMark source. khabar renders it with cmark
-- when it is written into body_html, HTML safe to put in a page, and body_text, the
-- words a reader sees, which search and snippets read (server/text/markup.c).
ALTER TABLE articles ADD COLUMN body_html text, ADD COLUMN body_text text;
ALTER TABLE articles ALTER COLUMN body_html SET COMPRESSION lz4, ALTER COLUMN body_text SET COMPRESSION lz4;
-- import_rows only ever holds rows of a batch in progress: it is empty here.
ALTER TABLE import_rows ADD COLUMN body_html text NOT NULL, ADD COLUMN body_text text NOT NULL;

-- Bodies stored before were plain text, a paragraph a line. Each line becomes a
-- paragraph of CommonMark with its ASCII punctuation escaped (so that no line turns
-- into a heading, a list or a link), and its HTML and text are what cmark makes of
-- that source: a test renders the migrated source again and compares.
WITH line AS (
    SELECT a.id, x.n, btrim(x.l, E' \t\r') AS text
    FROM articles a, regexp_split_to_table(a.body, E'\n') WITH ORDINALITY AS x(l, n)
), converted AS (
    SELECT id,
           string_agg(regexp_replace(text, '([\\!"#$%&''()*+,./:;<=>?@\[\]^_`{|}~-])', '\\\1', 'g'),
                      E'\n\n' ORDER BY n) AS body,
           string_agg('<p>' || replace(replace(replace(replace(text, '&', '&amp;'), '<', '&lt;'),
                                                   '>', '&gt;'), '"', '&quot;') || '</p>',
                      E'\n' ORDER BY n) || E'\n' AS body_html,
           string_agg(text, E'\n' ORDER BY n) AS body_text
    FROM line WHERE text <> '' GROUP BY id
)
UPDATE articles a SET body = c.body, body_html = c.body_html, body_text = c.body_text
FROM converted c WHERE a.id = c.id;

ALTER TABLE articles ALTER COLUMN body_html SET NOT NULL, ALTER COLUMN body_text SET NOT NULL;
