-- 0021_webhooks.sql: webhooks: endpoints that admins register, the events that article
-- changes leave (an outbox, written in the change's own transaction), and their
-- deliveries to each endpoint, retried until they succeed or their time runs out.

CREATE TABLE webhooks (
    id bigserial PRIMARY KEY,
    url text NOT NULL,
    events text[] NOT NULL,
    -- "whsec_" and the base64 of the key that signs (Standard Webhooks); kept to sign
    secret text NOT NULL,
    description text,
    enabled boolean NOT NULL DEFAULT true,
    -- why it was disabled, and what its receiver last answered or failed with
    disabled_reason text,
    last_error text,
    last_error_at timestamptz,
    last_success_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- The outbox: one event per article a transaction changed as the public sees it. Two
-- changes of one article in one transaction are one event (xact, article_id), the
-- later kind winning, except that an article that became public and was then edited
-- was published. data is what the event says of the article.
CREATE TABLE webhook_events (
    id bigserial PRIMARY KEY,
    type text NOT NULL CHECK (type IN ('article.published', 'article.updated',
                                       'article.withdrawn', 'article.deleted')),
    article_id bigint NOT NULL,
    data jsonb NOT NULL,
    xact xid8 NOT NULL DEFAULT pg_current_xact_id(),
    created_at timestamptz NOT NULL DEFAULT now(),
    -- its deliveries were made (one per endpoint taking its type, when it was read)
    fanned_out boolean NOT NULL DEFAULT false,
    UNIQUE (xact, article_id)
);
CREATE INDEX webhook_events_to_fan_out ON webhook_events (id) WHERE NOT fanned_out;
CREATE INDEX webhook_events_unfanned_of ON webhook_events (article_id, id) WHERE NOT fanned_out;

CREATE TABLE webhook_deliveries (
    id bigserial PRIMARY KEY,
    webhook_id bigint NOT NULL REFERENCES webhooks ON DELETE CASCADE,
    event_id bigint NOT NULL REFERENCES webhook_events ON DELETE CASCADE,
    article_id bigint NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    -- an instance sending it holds it until then (a killed one lets it go at that time)
    leased_until timestamptz,
    delivered_at timestamptz,
    gave_up_at timestamptz,
    last_error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    -- retries stop once this plus the retry time has passed (set again when an admin
    -- enables the endpoint again)
    retry_from timestamptz NOT NULL DEFAULT now(),
    UNIQUE (webhook_id, event_id)
);
-- What is still to deliver, by when it is due; and per endpoint and article in event
-- order, since one article's events are delivered in order.
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at, id)
    WHERE delivered_at IS NULL AND gave_up_at IS NULL;
CREATE INDEX webhook_deliveries_in_order ON webhook_deliveries (webhook_id, article_id, event_id)
    WHERE delivered_at IS NULL AND gave_up_at IS NULL;

-- The event of a change, or NULL: becoming public is published; a public article whose
-- version moved, updated; leaving the public (withdrawn, or back to draft or to a later
-- time), withdrawn; deleting one that readers saw (public or withdrawn), deleted.
CREATE FUNCTION khabar_event_type(op text, old_visible boolean, old_status text,
                                  new_visible boolean, version_moved boolean) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN op = 'DELETE' THEN CASE WHEN old_visible OR old_status = 'withdrawn' THEN 'article.deleted' END
        WHEN new_visible AND NOT COALESCE(old_visible, false) THEN 'article.published'
        WHEN new_visible AND version_moved THEN 'article.updated'
        WHEN old_visible AND NOT new_visible THEN 'article.withdrawn'
    END
$$;

-- Writes the event of each changed row, when any endpoint is registered (otherwise writes
-- pay nothing; a disabled one keeps what it misses until it is enabled again or deleted).
-- khabar import sets khabar.events = off: an archive moved in is no news.
CREATE FUNCTION khabar_webhook_event() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    kind text;
    a articles;
BEGIN
    IF current_setting('khabar.events', true) = 'off'
       OR NOT EXISTS (SELECT 1 FROM webhooks) THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN
        a := OLD;
        kind := khabar_event_type(TG_OP, OLD.visible, OLD.status, NULL, NULL);
    ELSIF TG_OP = 'INSERT' THEN
        a := NEW;
        kind := khabar_event_type(TG_OP, NULL, NULL, NEW.visible, true);
    ELSE
        a := NEW;
        kind := khabar_event_type(TG_OP, OLD.visible, OLD.status, NEW.visible, NEW.version <> OLD.version);
    END IF;
    IF kind IS NULL THEN
        RETURN NULL;
    END IF;
    INSERT INTO webhook_events (type, article_id, data)
    VALUES (kind, a.id, jsonb_build_object(
        'id', a.id, 'slug', a.slug, 'title', a.title, 'status', a.status, 'lang', a.lang,
        'version', a.version, 'published_at', khabar_time(a.published_at),
        'updated_at', khabar_time(a.updated_at)))
    ON CONFLICT (xact, article_id) DO UPDATE
        SET type = CASE WHEN webhook_events.type = 'article.published' AND EXCLUDED.type = 'article.updated'
                        THEN webhook_events.type ELSE EXCLUDED.type END,
            data = EXCLUDED.data;
    RETURN NULL;
END
$$;
CREATE TRIGGER articles_webhook_event_in AFTER INSERT ON articles
    FOR EACH ROW EXECUTE FUNCTION khabar_webhook_event();
CREATE TRIGGER articles_webhook_event_changed AFTER UPDATE ON articles
    FOR EACH ROW WHEN (OLD.visible IS DISTINCT FROM NEW.visible OR OLD.version IS DISTINCT FROM NEW.version)
    EXECUTE FUNCTION khabar_webhook_event();
CREATE TRIGGER articles_webhook_event_out AFTER DELETE ON articles
    FOR EACH ROW EXECUTE FUNCTION khabar_webhook_event();
