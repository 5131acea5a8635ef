-- 0004_search_newest.sql: search finds the newest matches of a query in publication
-- order, straight from its index. The GIN index returned every match of a word, and
-- ranking only the newest 1,000 still meant reading each match's row to learn its date:
-- a common word cost more with every article published (at a million articles, 12,769
-- rows read for one page). RUM (PostgreSQL's RUM access method, Debian package
-- postgresql-15-rum) keeps published_at beside each entry and returns matches newest
-- first, so a page reads its 1,000 candidates and no more, at any archive size.
CREATE EXTENSION IF NOT EXISTS rum;
DROP INDEX articles_search;
CREATE INDEX articles_search ON articles
    USING rum (search rum_tsvector_addon_ops, published_at)
    WITH (attach = 'published_at', to = 'search');
