-- 0012_sections.sql: sections: each article is in at most one, stored beside it as JSON;
-- a section's newest public page is one range scan of a partial index of articles; a
-- section's front is the editor's pinned articles, then its newest.

CREATE TABLE sections (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL CHECK (name <> ''),
    slug        text NOT NULL CHECK (slug <> ''),
    slug_key    text NOT NULL UNIQUE CHECK (slug_key <> ''),
    description text,
    position    integer NOT NULL,  -- the list's order (then id)
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sections_ordered ON sections (position, id);

ALTER TABLE articles
    -- a section with articles cannot be deleted (khabar answers 409)
    ADD COLUMN section_id bigint REFERENCES sections (id) ON DELETE RESTRICT,
    -- {"id", "slug", "name"} of the section, or NULL; kept by the triggers below
    ADD COLUMN section_json json;
CREATE INDEX articles_section_public_newest ON articles (section_id, published_at DESC, id DESC)
    WHERE visible;
-- every article of a section, public or not: renames, deletions, editors' lists
CREATE INDEX articles_section ON articles (section_id) WHERE section_id IS NOT NULL;

CREATE FUNCTION khabar_section_json(section bigint) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object('id', s.id, 'slug', s.slug, 'name', s.name) FROM sections s WHERE s.id = section
$$;
CREATE FUNCTION khabar_article_section() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.section_id IS DISTINCT FROM OLD.section_id THEN
        NEW.section_json := khabar_section_json(NEW.section_id);
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER articles_section BEFORE INSERT OR UPDATE OF section_id ON articles
    FOR EACH ROW EXECUTE FUNCTION khabar_article_section();

-- A renamed section changes its articles: rewritten and dated then.
CREATE FUNCTION khabar_section_renamed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE articles SET section_json = khabar_section_json(NEW.id), updated_at = now()
     WHERE section_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER sections_renamed AFTER UPDATE OF name, slug ON sections
    FOR EACH ROW WHEN ((OLD.name, OLD.slug) IS DISTINCT FROM (NEW.name, NEW.slug))
    EXECUTE FUNCTION khabar_section_renamed();
CREATE TRIGGER sections_changed AFTER INSERT OR UPDATE OR DELETE ON sections
    FOR EACH STATEMENT EXECUTE FUNCTION khabar_names_changed();

-- The editor's pinned articles of a section's front, in order.
CREATE TABLE section_front (
    section_id bigint NOT NULL REFERENCES sections (id) ON DELETE CASCADE,
    article_id bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    position   smallint NOT NULL,
    PRIMARY KEY (section_id, article_id)
);
CREATE INDEX section_front_ordered ON section_front (section_id, position);
CREATE INDEX section_front_article ON section_front (article_id);
CREATE TRIGGER section_front_changed AFTER INSERT OR UPDATE OR DELETE ON section_front
    FOR EACH STATEMENT EXECUTE FUNCTION khabar_names_changed();

-- khabar import: an article's byline and section (references by slug, as the model made
-- them) ride along with its row.
ALTER TABLE import_rows
    ADD COLUMN authors json NOT NULL DEFAULT '[]',
    ADD COLUMN section json;
