-- 0013_tokens.sql: the bearer tokens made with `khabar token create`, each with a role.
-- Only the SHA-256 of a token is kept: what the database holds cannot be sent as one.
-- A revoked token stays, with when it was revoked: its name is what the articles' history
-- names, so a name is never given to a second token.
CREATE TABLE tokens (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL UNIQUE
        CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,62}$' AND name !~ '^env-'),
    role text NOT NULL CHECK (role IN ('writer', 'editor', 'admin')),
    hash bytea NOT NULL UNIQUE CHECK (length(hash) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);

-- Every change to the tokens is announced once it commits, on its own channel: each
-- khabar instance then reads the active tokens again (server/infra/changes.c), so a
-- revocation takes effect everywhere at once.
CREATE FUNCTION khabar_announce_tokens() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('khabar_tokens', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER tokens_announce AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tokens
    FOR EACH STATEMENT EXECUTE FUNCTION khabar_announce_tokens();
