-- 0007_lead_images.sql: an article's lead image, as the metadata khabar checked
-- (server/model/image.c): url, alt, caption, credit, size and other crops. The image
-- bytes live where its URL says (a CDN, an object store), never in this database.
ALTER TABLE articles ADD COLUMN image json;
ALTER TABLE import_rows ADD COLUMN image json;
