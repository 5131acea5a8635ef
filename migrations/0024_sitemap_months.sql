-- 0024_sitemap_months.sql: the sitemap index counts each month's public articles and their
-- last update. An index of each article's month and update answers it in month order
-- without reading the rows: an index-only scan of a few megabytes at 50,000 articles, where
-- the rows with their bodies are hundreds. Led by the month (an expression), it is no index
-- a list could take for its order by publication.
CREATE INDEX articles_public_months
    ON articles ((date_trunc('month', published_at AT TIME ZONE 'UTC')), updated_at)
    INCLUDE (published_at) WHERE visible;
