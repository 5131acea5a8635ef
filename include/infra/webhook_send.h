/* webhook_send.h: one webhook delivery as the Standard Webhooks convention has it: signed
 * with HMAC-SHA256 (OpenSSL's libcrypto), POSTed with libcurl, never to an address inside
 * the network unless allowed. */
#ifndef KHABAR_WEBHOOK_SEND_H
#define KHABAR_WEBHOOK_SEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "whsec_" and the base64 of 24 random bytes, with its terminator. */
#define WEBHOOK_SECRET_LEN (6 + 32)

/* A new endpoint's secret into out (at least WEBHOOK_SECRET_LEN + 1 bytes); false when
 * the random source fails. */
bool webhook_secret_new(char *out, size_t size);

/*
 * The webhook-signature value of a message: "v1," and the base64 of HMAC-SHA256, keyed by
 * the secret's key (the base64 after "whsec_"), over "id.timestamp.body". False when the
 * secret is not one or out (at least 50 bytes) is too small.
 */
bool webhook_sign(const char *secret, const char *id, int64_t timestamp, const char *body,
                  char *out, size_t size);

/* Whether url may be an endpoint: http or https with a host, and (unless allow_private)
 * every address its host resolves to public (netaddr_is_public). False with why. */
bool webhook_url_allowed(const char *url, bool allow_private, char *why, size_t size);

/* One message to send. */
struct webhook_message {
    const char *url, *secret, *id, *body;
};

/* One thread's sender: it keeps its connections open from one message to the next (a
 * receiver's keep-alive saves a connection a message). NULL on no memory. */
struct webhook_sender;
struct webhook_sender *webhook_sender_new(unsigned timeout_ms, bool allow_private);
void webhook_sender_free(struct webhook_sender *s);

/*
 * POSTs the message as JSON with webhook-id, webhook-timestamp (now) and webhook-signature,
 * within the sender's timeout, following no redirect and through no proxy; each address
 * connected to is checked as webhook_url_allowed checks (a name pointed elsewhere since it
 * was registered is caught here). True when the receiver answered 2xx; otherwise false
 * with what happened in error.
 */
bool webhook_send(struct webhook_sender *s, const struct webhook_message *m, char *error, size_t size);

/* libcurl's global set-up, once, before any thread sends. */
bool webhook_send_init(void);

#endif
