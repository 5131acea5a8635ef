/* webhook_statements.h: the SQL of the webhook statements (migrations/0021_webhooks.sql),
 * named in statements.c's table. Only statements.c includes this. */
#ifndef KHABAR_DB_WEBHOOK_STATEMENTS_H
#define KHABAR_DB_WEBHOOK_STATEMENTS_H

/* The columns of a webhook (see webhooks.c): what admins see of it, never its secret,
 * with how many deliveries it has still to make. */
#define WEBHOOK_COLUMNS                                                                         \
    "w.id, w.url, to_json(w.events)::text, w.description, w.enabled, w.disabled_reason,"        \
    " w.last_error, khabar_time(w.last_error_at), khabar_time(w.last_success_at),"              \
    " khabar_time(w.created_at), khabar_time(w.updated_at),"                                    \
    " (SELECT count(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id"                      \
    " AND d.delivered_at IS NULL AND d.gave_up_at IS NULL)"
/* A delivery that may be sent now: due, not leased, its endpoint enabled, and no earlier
 * event of its article still to deliver to that endpoint or still to fan out. */
#define DELIVERY_SENDABLE                                                                       \
    " c.delivered_at IS NULL AND c.gave_up_at IS NULL AND c.next_attempt_at <= now()"           \
    " AND (c.leased_until IS NULL OR c.leased_until < now())"                                   \
    " AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p WHERE p.webhook_id = c.webhook_id"     \
    " AND p.article_id = c.article_id AND p.event_id < c.event_id"                              \
    " AND p.delivered_at IS NULL AND p.gave_up_at IS NULL)"                                     \
    " AND NOT EXISTS (SELECT 1 FROM webhook_events pe WHERE NOT pe.fanned_out"                  \
    " AND pe.article_id = c.article_id AND pe.id < c.event_id)"

/* Admins' endpoints; $1 the id. */
#define WEBHOOK_INSERT_SQL \
    "INSERT INTO webhooks AS w (url, events, secret, description) VALUES ($1, $2::text[], $3, $4)" \
    " RETURNING " WEBHOOK_COLUMNS
#define WEBHOOK_LIST_SQL \
    "SELECT " WEBHOOK_COLUMNS " FROM webhooks w ORDER BY w.id"
#define WEBHOOK_GET_SQL \
    "SELECT " WEBHOOK_COLUMNS " FROM webhooks w WHERE w.id = $1"
/* $2 url, $3 events, $4 description (set when $5), $6 enabled: NULL keeps each */
#define WEBHOOK_UPDATE_SQL \
    "UPDATE webhooks w SET url = COALESCE($2, url), events = COALESCE($3::text[], events)," \
    " description = CASE WHEN $5::bool THEN $4 ELSE description END," \
    " enabled = COALESCE($6::bool, enabled)," \
    " disabled_reason = CASE WHEN $6::bool THEN NULL ELSE disabled_reason END, updated_at = now()" \
    " WHERE w.id = $1 RETURNING " WEBHOOK_COLUMNS
/* An endpoint enabled again: what it has still to receive is due now, with its retry
 * time anew, those given up on too. */
#define WEBHOOK_RESUME_SQL \
    "UPDATE webhook_deliveries SET next_attempt_at = now(), retry_from = now(), gave_up_at = NULL," \
    " attempts = 0 WHERE webhook_id = $1 AND delivered_at IS NULL"
#define WEBHOOK_DELETE_SQL \
    "DELETE FROM webhooks WHERE id = $1 RETURNING id"
/* One instance at a time makes the deliveries of new events, in event order: the lock
 * (an InitPlan, taken once before any row is read) is the statement's transaction's,
 * taken or skipped; one statement, so that a round with nothing to do costs one trip. */
#define WEBHOOK_FAN_OUT_SQL \
    "WITH e AS (SELECT id, type, article_id FROM webhook_events WHERE NOT fanned_out" \
    " AND (SELECT pg_try_advisory_xact_lock(7202110)) ORDER BY id LIMIT $1 FOR UPDATE)," \
    " d AS (INSERT INTO webhook_deliveries (webhook_id, event_id, article_id)" \
    " SELECT w.id, e.id, e.article_id FROM e JOIN webhooks w ON e.type = ANY (w.events)" \
    " ORDER BY e.id, w.id ON CONFLICT DO NOTHING)" \
    " UPDATE webhook_events x SET fanned_out = true FROM e WHERE x.id = e.id RETURNING x.id"
/* Takes the first $2 sendable deliveries for $1 ms: what to send and where. Of one
 * article's deliveries to one endpoint only the first is sendable (the others wait behind
 * it), so a batch never holds two. The choice is a materialized CTE: a LIMIT under FOR
 * UPDATE SKIP LOCKED in a subquery may be run more than once, and take more rows. */
#define WEBHOOK_CLAIM_SQL \
    "WITH k AS MATERIALIZED (SELECT c.id FROM webhook_deliveries c JOIN webhooks cw ON cw.id = c.webhook_id" \
    " AND cw.enabled WHERE" DELIVERY_SENDABLE \
    " ORDER BY c.next_attempt_at, c.id LIMIT $2 FOR UPDATE OF c SKIP LOCKED)" \
    " UPDATE webhook_deliveries d SET leased_until = now() + $1::bigint * interval '1 millisecond'," \
    " attempts = d.attempts + 1 FROM k, webhooks w, webhook_events e WHERE d.id = k.id" \
    " AND w.id = d.webhook_id AND e.id = d.event_id" \
    " RETURNING d.id, d.webhook_id, w.url, w.secret, d.event_id, e.type, e.data::text," \
    " khabar_time(e.created_at), d.attempts"
/* The endpoint's last success is kept to the second: not a write of its row per delivery,
 * which every worker would queue behind. */
#define WEBHOOK_DELIVERED_SQL \
    "WITH d AS (UPDATE webhook_deliveries SET delivered_at = now(), leased_until = NULL, last_error = NULL" \
    " WHERE id = ANY ($1::bigint[]) RETURNING webhook_id)" \
    " UPDATE webhooks w SET last_success_at = now() WHERE w.id IN (SELECT webhook_id FROM d)" \
    " AND (w.last_success_at IS NULL OR w.last_success_at < now() - interval '1 second')"
/* $2 the error, $3 ms until the next attempt, $4 the retry time in seconds: past it
 * the delivery is given up and its endpoint disabled, the error kept for admins. */
#define WEBHOOK_FAILED_SQL \
    "WITH d AS (UPDATE webhook_deliveries SET leased_until = NULL, last_error = $2," \
    " next_attempt_at = now() + $3::bigint * interval '1 millisecond'," \
    " gave_up_at = CASE WHEN retry_from + $4::bigint * interval '1 second'" \
    " < now() + $3::bigint * interval '1 millisecond' THEN now() END" \
    " WHERE id = $1 RETURNING webhook_id, gave_up_at IS NOT NULL AS gave_up)" \
    " UPDATE webhooks w SET last_error = $2, last_error_at = now(), enabled = w.enabled AND NOT d.gave_up," \
    " disabled_reason = CASE WHEN d.gave_up THEN 'its deliveries kept failing for ' || $4 || ' s'" \
    " ELSE w.disabled_reason END FROM d WHERE w.id = d.webhook_id RETURNING d.gave_up"
/* What waits: deliveries to make and events to fan out, and the age of the oldest. */
#define WEBHOOK_QUEUE_SQL \
    "SELECT (SELECT count(*) FROM webhook_deliveries WHERE delivered_at IS NULL AND gave_up_at IS NULL)" \
    " + (SELECT count(*) FROM webhook_events WHERE NOT fanned_out)," \
    " floor(extract(epoch FROM now() - LEAST((SELECT min(created_at) FROM webhook_deliveries" \
    " WHERE delivered_at IS NULL AND gave_up_at IS NULL)," \
    " (SELECT min(created_at) FROM webhook_events WHERE NOT fanned_out))))::bigint"
/* Events older than a week with nothing left to deliver go, with their deliveries. */
#define WEBHOOK_PRUNE_SQL \
    "DELETE FROM webhook_events WHERE id IN (SELECT e.id FROM webhook_events e WHERE e.fanned_out" \
    " AND e.created_at < now() - interval '7 days' AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d" \
    " WHERE d.event_id = e.id AND d.delivered_at IS NULL AND d.gave_up_at IS NULL) LIMIT 1000)"

#endif
