/* webhook_send.c: signs a webhook message (HMAC-SHA256) and POSTs it with libcurl, refusing addresses inside the network. */
#include "infra/webhook_send.h"

#include <curl/curl.h>
#include <inttypes.h>
#include <netdb.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "infra/netaddr.h"

#define SECRET_PREFIX "whsec_"
#define SECRET_BYTES 24

bool webhook_send_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

bool webhook_secret_new(char *out, size_t size)
{
    unsigned char raw[SECRET_BYTES];
    if (size < WEBHOOK_SECRET_LEN + 1 || RAND_bytes(raw, sizeof raw) != 1)
        return false;
    memcpy(out, SECRET_PREFIX, sizeof SECRET_PREFIX - 1);
    EVP_EncodeBlock((unsigned char *)out + sizeof SECRET_PREFIX - 1, raw, sizeof raw);
    OPENSSL_cleanse(raw, sizeof raw);
    return true;
}

bool webhook_sign(const char *secret, const char *id, int64_t timestamp, const char *body,
                  char *out, size_t size)
{
    unsigned char key[64], mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    size_t b64_len = secret ? strlen(secret) - (sizeof SECRET_PREFIX - 1) : 0;
    if (secret == NULL || strncmp(secret, SECRET_PREFIX, sizeof SECRET_PREFIX - 1) != 0 ||
        b64_len == 0 || b64_len % 4 != 0 || b64_len / 4 * 3 > sizeof key || size < 50)
        return false;
    int key_len = EVP_DecodeBlock(key, (const unsigned char *)secret + sizeof SECRET_PREFIX - 1,
                                  (int)b64_len);
    if (key_len < 0)
        return false;
    /* EVP_DecodeBlock counts the padding's bytes too */
    key_len -= (secret[strlen(secret) - 1] == '=') + (secret[strlen(secret) - 2] == '=');
    char *signed_text = NULL;
    int n = asprintf(&signed_text, "%s.%" PRId64 ".%s", id, timestamp, body);
    bool ok = n >= 0 && HMAC(EVP_sha256(), key, key_len, (unsigned char *)signed_text, (size_t)n,
                             mac, &mac_len) != NULL;
    if (ok) {
        memcpy(out, "v1,", 3);
        EVP_EncodeBlock((unsigned char *)out + 3, mac, (int)mac_len);
    }
    free(n >= 0 ? signed_text : NULL);
    OPENSSL_cleanse(key, sizeof key);
    return ok;
}

/* The host and port of an http(s) URL, by libcurl's own parser; false when it is not one. */
static bool url_host(const char *url, char *host, size_t host_size, char *port, size_t port_size)
{
    /* libcurl reads "https:///x" as host x; an empty authority is no host here */
    const char *authority = strstr(url, "://");
    if (authority == NULL || authority[3] == '\0' || authority[3] == '/')
        return false;
    CURLU *u = curl_url();
    char *scheme = NULL, *h = NULL, *p = NULL;
    bool ok = u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
              curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
              (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0) &&
              curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK &&
              curl_url_get(u, CURLUPART_PORT, &p, CURLU_DEFAULT_PORT) == CURLUE_OK;
    ok = ok && h[0] != '\0';
    if (ok) {
        size_t n = strlen(h);
        /* an IPv6 literal comes in brackets */
        if (n >= 2 && h[0] == '[' && h[n - 1] == ']')
            snprintf(host, host_size, "%.*s", (int)(n - 2), h + 1);
        else
            snprintf(host, host_size, "%s", h);
        snprintf(port, port_size, "%s", p);
    }
    curl_free(scheme);
    curl_free(h);
    curl_free(p);
    curl_url_cleanup(u);
    return ok;
}

bool webhook_url_allowed(const char *url, bool allow_private, char *why, size_t size)
{
    char host[256], port[8];
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *found = NULL;
    if (!url_host(url, host, sizeof host, port, sizeof port)) {
        snprintf(why, size, "must be an http or https URL with a host");
        return false;
    }
    if (allow_private)
        return true;
    if (getaddrinfo(host, port, &hints, &found) != 0) {
        snprintf(why, size, "its host %s does not resolve", host);
        return false;
    }
    bool ok = true;
    for (struct addrinfo *ai = found; ok && ai != NULL; ai = ai->ai_next) {
        struct netaddr a;
        ok = netaddr_from_sockaddr(ai->ai_addr, &a) && netaddr_is_public(&a);
    }
    freeaddrinfo(found);
    if (!ok)
        snprintf(why, size, "its host %s resolves to an address inside the network (loopback, "
                 "private or link-local); set WEBHOOK_ALLOW_PRIVATE=1 to allow it", host);
    return ok;
}

/* What the connect-time check saw. */
struct guard {
    bool allow_private;
    bool refused;
};

/* Every address libcurl connects to is checked as it connects, after its own resolving. */
static curl_socket_t open_checked(void *clientp, curlsocktype purpose, struct curl_sockaddr *address)
{
    struct guard *g = clientp;
    struct netaddr a;
    (void)purpose;
    if (!g->allow_private && (!netaddr_from_sockaddr(&address->addr, &a) || !netaddr_is_public(&a))) {
        g->refused = true;
        return CURL_SOCKET_BAD;
    }
    return socket(address->family, address->socktype, address->protocol);
}

/* The receiver's body is not read for anything: it is dropped as it comes. */
static size_t drop_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    (void)ptr, (void)userdata;
    return size * nmemb;
}

/* The webhook-* and Content-Type headers of a message; NULL on failure. */
static struct curl_slist *message_headers(const struct webhook_message *m)
{
    char sig[128], line[192];
    int64_t now = (int64_t)time(NULL);
    if (!webhook_sign(m->secret, m->id, now, m->body, sig, sizeof sig))
        return NULL;
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    /* no "Expect: 100-continue": a receiver that does not answer it would cost a second */
    h = h ? curl_slist_append(h, "Expect:") : NULL;
    snprintf(line, sizeof line, "webhook-id: %s", m->id);
    h = h ? curl_slist_append(h, line) : NULL;
    snprintf(line, sizeof line, "webhook-timestamp: %" PRId64, now);
    h = h ? curl_slist_append(h, line) : NULL;
    snprintf(line, sizeof line, "webhook-signature: %s", sig);
    h = h ? curl_slist_append(h, line) : NULL;
    return h;
}

struct webhook_sender {
    CURL *curl;
    unsigned timeout_ms;
    struct guard guard;
};

struct webhook_sender *webhook_sender_new(unsigned timeout_ms, bool allow_private)
{
    struct webhook_sender *s = calloc(1, sizeof *s);
    if (s != NULL && (s->curl = curl_easy_init()) == NULL) {
        free(s);
        return NULL;
    }
    if (s != NULL) {
        s->timeout_ms = timeout_ms;
        s->guard.allow_private = allow_private;
    }
    return s;
}

void webhook_sender_free(struct webhook_sender *s)
{
    if (s == NULL)
        return;
    curl_easy_cleanup(s->curl);
    free(s);
}

bool webhook_send(struct webhook_sender *s, const struct webhook_message *m, char *error, size_t size)
{
    struct curl_slist *headers = message_headers(m);
    CURL *curl = s->curl;
    long status = 0;
    if (headers == NULL) {
        snprintf(error, size, "the message could not be made");
        return false;
    }
    s->guard.refused = false;
    /* every option again: the handle keeps only its connections from one message to the next */
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, m->url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_PROXY, ""); /* never a proxy from the environment */
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)s->timeout_ms);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "khabar-webhooks");
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, m->body);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, drop_body);
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, open_checked);
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, &s->guard);
    CURLcode rc = curl_easy_perform(curl);
    if (rc == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    if (s->guard.refused)
        snprintf(error, size, "refused: the address is inside the network (WEBHOOK_ALLOW_PRIVATE)");
    else if (rc != CURLE_OK)
        snprintf(error, size, "%s", curl_easy_strerror(rc));
    else if (status < 200 || status > 299)
        snprintf(error, size, "the receiver answered %ld", status);
    return rc == CURLE_OK && status >= 200 && status <= 299;
}
