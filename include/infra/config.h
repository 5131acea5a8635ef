/* config.h: khabar's settings, read once from the environment at start-up. */
#ifndef KHABAR_CONFIG_H
#define KHABAR_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "infra/netaddr.h"

#define CONFIG_MAX_TOKENS 16
#define CONFIG_MAX_ORIGINS 16
#define CONFIG_MAX_PROXIES 32
#define CONFIG_MAX_IMAGE_SCHEMES 8

/* The one forwarding header a trusted proxy sets (TRUSTED_PROXY_HEADER); the other is ignored. */
enum proxy_header { PROXY_HEADER_X_FORWARDED_FOR, PROXY_HEADER_FORWARDED };

struct config {
    char *database_url;        /* DATABASE_URL: libpq URI or key=value; "" = libpq defaults */
    char *database_read_url;   /* DATABASE_READ_URL: a streaming replica for reads; NULL = none */
    unsigned port;             /* PORT, default 8080 */
    char *listen_addr;         /* LISTEN_ADDR, default 0.0.0.0 */
    char *tokens[CONFIG_MAX_TOKENS]; /* API_TOKENS, comma separated */
    size_t token_count;
    char *origins[CONFIG_MAX_ORIGINS]; /* CORS_ORIGINS, comma separated; "*" allowed */
    size_t origin_count;
    char *image_schemes[CONFIG_MAX_IMAGE_SCHEMES]; /* IMAGE_URL_SCHEMES, default https */
    size_t image_scheme_count;
    size_t max_body_bytes;     /* MAX_BODY_BYTES, default 1 MiB */
    size_t max_body_memory;    /* MAX_BODY_MEMORY: what bodies in flight hold in all; default
                                  32 x MAX_BODY_BYTES */
    unsigned threads;          /* THREADS, default: number of cores */
    unsigned db_pool_size;     /* DB_POOL_SIZE, default: twice the number of cores */
    unsigned search_jobs;      /* SEARCH_JOBS: threads running searches, so at most this many
                                  run at once; 0: the DB_JOBS threads run them */
    unsigned db_jobs;          /* DB_JOBS: threads answering requests that need the
                                * database (0: the HTTP threads do); default DB_POOL_SIZE */
    unsigned job_queue_max;    /* JOB_QUEUE_MAX, default 256: requests waiting per job queue */
    unsigned job_queue_timeout_ms; /* JOB_QUEUE_TIMEOUT (ms), default 10000: longest wait */
    unsigned db_timeout_ms;    /* DB_TIMEOUT (ms), default 5000: longest wait for a connection */
    unsigned statement_timeout_ms; /* STATEMENT_TIMEOUT (ms), default 5000 */
    unsigned revisions_keep;   /* REVISIONS_KEEP, default 100: revisions per article; 0: all */
    unsigned search_window_articles; /* SEARCH_WINDOW_ARTICLES, default 50000: the newest
                                      * articles searched from an index of their own */
    size_t cache_bytes;        /* CACHE_BYTES, default 64 MiB; 0: no answer cache */
    char *public_article_url;  /* PUBLIC_ARTICLE_URL: {slug}/{id} template (default: the API's) */
    char *public_api_url;      /* PUBLIC_API_URL, no trailing slash; default http://localhost:PORT */
    char *publication_name;    /* PUBLICATION_NAME, default khabar */
    char *publication_lang;    /* PUBLICATION_LANG, default ar */
    char *publisher_logo_url;  /* PUBLISHER_LOGO_URL; NULL: none */
    unsigned sitemap_urls;     /* SITEMAP_URLS, default 50000: articles per monthly sitemap */
    bool webhook_allow_private; /* WEBHOOK_ALLOW_PRIVATE: endpoints inside the network too */
    unsigned webhook_retry_s;  /* WEBHOOK_RETRY_SECONDS, default 86400 */
    unsigned webhook_timeout_ms; /* WEBHOOK_TIMEOUT (ms), default 10000 */
    unsigned webhook_workers;  /* WEBHOOK_WORKERS, default 2; 0: this instance sends none */
    unsigned connection_timeout_s; /* CONNECTION_TIMEOUT (s) idle, default 30 */
    unsigned max_connections;  /* MAX_CONNECTIONS, default 1024 */
    struct cidr trusted_proxies[CONFIG_MAX_PROXIES]; /* TRUSTED_PROXIES, CIDR list */
    size_t trusted_proxy_count;
    enum proxy_header trusted_proxy_header; /* TRUSTED_PROXY_HEADER, default X-Forwarded-For */
    unsigned ipv6_client_prefix; /* IPV6_CLIENT_PREFIX, default 64: IPv6 clients per /64 */
    unsigned per_client_connections; /* PER_CLIENT_CONNECTIONS, default 64; 0 = no limit */
    unsigned header_timeout_s; /* HEADER_TIMEOUT (s), default 10: to send complete headers */
    unsigned request_timeout_s; /* REQUEST_TIMEOUT (s), default 30: headers to answer sent */
    unsigned max_header_bytes; /* MAX_HEADER_BYTES, default 32768: URL and headers (414, 431) */
    double rate_limit;         /* RATE_LIMIT requests/s per client, default 50; 0 = off */
    double rate_burst;         /* RATE_BURST, default 2 x RATE_LIMIT */
    bool rate_limit_tokens;    /* RATE_LIMIT_TOKENS on: limit bearer-token holders too */
    unsigned shutdown_timeout_s; /* SHUTDOWN_TIMEOUT (s), default 10: for requests in flight */
    bool log_text;             /* LOG_FORMAT=text; json otherwise */
    unsigned log_flush_ms;     /* how long a log line may wait to be written with others */
    bool migrate_on_start;     /* MIGRATE_ON_START on */
};

/*
 * Fills cfg from the environment. On a bad value returns -1 with a message in err
 * (err_size bytes), naming the variable; cfg is then freed. config_free releases it.
 */
int config_load(struct config *cfg, char *err, size_t err_size);
void config_free(struct config *cfg);

/* Prints every setting to f: its name, its default and what it means, from the loader's table. */
void config_help(FILE *f);

#endif
