-- 0003_change_notices.sql: every statement that changes articles announces, once it
-- commits, the ids it changed on the channel khabar_changes ('*' when they are too
-- many to name): how the answer caches of every khabar instance on this database learn
-- what to drop (server/changes.c). Tags, sources and links reach here too, since they
-- are kept on the article rows (0002).
CREATE FUNCTION khabar_announce() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    ids text;
BEGIN
    SELECT string_agg(id::text, ',') INTO ids FROM changed;
    IF ids IS NOT NULL THEN
        PERFORM pg_notify('khabar_changes', CASE WHEN length(ids) <= 7000 THEN ids ELSE '*' END);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER articles_announce_in AFTER INSERT ON articles
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION khabar_announce();
CREATE TRIGGER articles_announce_changed AFTER UPDATE ON articles
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION khabar_announce();
CREATE TRIGGER articles_announce_out AFTER DELETE ON articles
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION khabar_announce();
