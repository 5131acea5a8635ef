/* config.h: khabar's settings, read once from the environment at start-up. */
#ifndef KHABAR_CONFIG_H
#define KHABAR_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define CONFIG_MAX_TOKENS 16
#define CONFIG_MAX_ORIGINS 16

struct config {
    char *database_url;        /* DATABASE_URL: libpq URI or key=value; "" = libpq defaults */
    unsigned port;             /* PORT, default 8080 */
    char *listen_addr;         /* LISTEN_ADDR, default 0.0.0.0 */
    char *tokens[CONFIG_MAX_TOKENS]; /* API_TOKENS, comma separated */
    size_t token_count;
    char *origins[CONFIG_MAX_ORIGINS]; /* CORS_ORIGINS, comma separated; "*" allowed */
    size_t origin_count;
    size_t max_body_bytes;     /* MAX_BODY_BYTES, default 1 MiB */
    unsigned threads;          /* THREADS, default: number of cores */
    unsigned db_pool_size;     /* DB_POOL_SIZE, default: THREADS */
    unsigned db_timeout_ms;    /* DB_TIMEOUT (ms), default 5000: longest wait for a connection */
    unsigned statement_timeout_ms; /* STATEMENT_TIMEOUT (ms), default 5000 */
    unsigned connection_timeout_s; /* CONNECTION_TIMEOUT (s) idle, default 30 */
    unsigned max_connections;  /* MAX_CONNECTIONS, default 1024 */
    bool log_text;             /* LOG_FORMAT=text; json otherwise */
    bool migrate_on_start;     /* MIGRATE_ON_START=1 */
};

/*
 * Fills cfg from the environment. On a bad value returns -1 with a message in err
 * (err_size bytes), naming the variable; cfg is then freed. config_free releases it.
 */
int config_load(struct config *cfg, char *err, size_t err_size);
void config_free(struct config *cfg);

#endif
