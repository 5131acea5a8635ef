/* config.c: reads and checks khabar's environment variables. */
#include "infra/config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Reads an unsigned integer variable within [min, max]; absent or empty gives def. */
static int env_unsigned(const char *name, unsigned long long def, unsigned long long min,
                        unsigned long long max, unsigned long long *out, char *err,
                        size_t err_size)
{
    const char *v = getenv(name);
    if (v == NULL || *v == '\0') {
        *out = def;
        return 0;
    }
    char *end = NULL;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    if (errno != 0 || end == v || *end != '\0' || v[0] == '-' || n < min || n > max) {
        snprintf(err, err_size, "%s must be a whole number from %llu to %llu, not \"%s\"", name,
                 min, max, v);
        return -1;
    }
    *out = n;
    return 0;
}

static char *env_string_new(const char *name, const char *def)
{
    const char *v = getenv(name);
    return strdup(v != NULL ? v : def);
}

/* Splits a comma-separated list into trimmed, non-empty, owned strings. */
static int split_list(const char *name, char **items, size_t max, size_t *count, char *err,
                      size_t err_size)
{
    const char *v = getenv(name);
    *count = 0;
    if (v == NULL)
        return 0;
    const char *p = v;
    while (*p != '\0') {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        const char *s = p;
        while (len > 0 && (*s == ' ' || *s == '\t'))
            s++, len--;
        while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
            len--;
        if (len > 0) {
            if (*count == max) {
                snprintf(err, err_size, "%s holds more than %zu entries", name, max);
                return -1;
            }
            items[*count] = strndup(s, len);
            if (items[*count] == NULL) {
                snprintf(err, err_size, "out of memory");
                return -1;
            }
            (*count)++;
        }
        if (comma == NULL)
            break;
        p = comma + 1;
    }
    return 0;
}

/* TRUSTED_PROXIES: comma-separated CIDR ranges (or single addresses). */
static int load_proxies(struct config *cfg, char *err, size_t err_size)
{
    char *items[CONFIG_MAX_PROXIES];
    size_t n = 0;
    int rc = split_list("TRUSTED_PROXIES", items, CONFIG_MAX_PROXIES, &n, err, err_size);
    for (size_t i = 0; i < n; i++) {
        if (rc == 0 && !cidr_parse(items[i], &cfg->trusted_proxies[i])) {
            snprintf(err, err_size, "TRUSTED_PROXIES holds \"%s\", which is not an address or "
                                    "CIDR range such as 10.0.0.0/8", items[i]);
            rc = -1;
        }
        free(items[i]);
    }
    cfg->trusted_proxy_count = rc == 0 ? n : 0;
    return rc;
}

int config_load(struct config *cfg, char *err, size_t err_size)
{
    unsigned long long n;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    memset(cfg, 0, sizeof *cfg);
    if (cores < 1)
        cores = 1;

    cfg->database_url = env_string_new("DATABASE_URL", "");
    const char *read_url = getenv("DATABASE_READ_URL");
    if (read_url != NULL && *read_url != '\0' && (cfg->database_read_url = strdup(read_url)) == NULL) {
        snprintf(err, err_size, "out of memory");
        goto fail;
    }
    cfg->listen_addr = env_string_new("LISTEN_ADDR", "0.0.0.0");
    if (!cfg->database_url || !cfg->listen_addr) {
        snprintf(err, err_size, "out of memory");
        goto fail;
    }
    if (env_unsigned("PORT", 8080, 0, 65535, &n, err, err_size) < 0)
        goto fail;
    cfg->port = (unsigned)n;
    if (env_unsigned("MAX_BODY_BYTES", 1024 * 1024, 1, 1024ULL * 1024 * 1024, &n, err, err_size) < 0)
        goto fail;
    cfg->max_body_bytes = (size_t)n;
    /* HTTP threads never wait on the database (DB_JOBS threads do): one per core. */
    if (env_unsigned("THREADS", (unsigned long long)cores, 1, 256, &n, err, err_size) < 0)
        goto fail;
    cfg->threads = (unsigned)n;
    /* Two per core: a job waiting on its query leaves the core to another. */
    if (env_unsigned("DB_POOL_SIZE", 2ULL * (unsigned long long)cores, 1, 256, &n, err, err_size) < 0)
        goto fail;
    cfg->db_pool_size = (unsigned)n;
    if (env_unsigned("DB_JOBS", cfg->db_pool_size, 0, 256, &n, err, err_size) < 0)
        goto fail;
    cfg->db_jobs = (unsigned)n;
    /* A search keeps a core busy for tens of ms: half the cores at most, so that a GET
     * beside a burst of searches still finds a core (p99 measured in make bench). */
    if (env_unsigned("SEARCH_JOBS", cores > 1 ? (unsigned long long)cores / 2 : 1, 0, 256, &n, err,
                     err_size) < 0)
        goto fail;
    cfg->search_jobs = cfg->db_jobs > 0 ? (unsigned)n : 0;
    if (env_unsigned("DB_TIMEOUT", 5000, 1, 600000, &n, err, err_size) < 0)
        goto fail;
    cfg->db_timeout_ms = (unsigned)n;
    if (env_unsigned("STATEMENT_TIMEOUT", 5000, 1, 3600000, &n, err, err_size) < 0)
        goto fail;
    cfg->statement_timeout_ms = (unsigned)n;
    if (env_unsigned("CACHE_BYTES", 64ULL * 1024 * 1024, 0, 1ULL << 40, &n, err, err_size) < 0)
        goto fail;
    cfg->cache_bytes = (size_t)n;
    if (env_unsigned("CONNECTION_TIMEOUT", 30, 1, 3600, &n, err, err_size) < 0)
        goto fail;
    cfg->connection_timeout_s = (unsigned)n;
    if (env_unsigned("MAX_CONNECTIONS", 1024, 1, 65536, &n, err, err_size) < 0)
        goto fail;
    cfg->max_connections = (unsigned)n;

    if (env_unsigned("PER_CLIENT_CONNECTIONS", 64, 0, 65536, &n, err, err_size) < 0)
        goto fail;
    cfg->per_client_connections = (unsigned)n;
    if (env_unsigned("HEADER_TIMEOUT", 10, 0, 3600, &n, err, err_size) < 0)
        goto fail;
    cfg->header_timeout_s = (unsigned)n;
    if (env_unsigned("REQUEST_TIMEOUT", 30, 0, 3600, &n, err, err_size) < 0)
        goto fail;
    cfg->request_timeout_s = (unsigned)n;
    if (env_unsigned("MAX_HEADER_BYTES", 32768, 4096, 1048576, &n, err, err_size) < 0)
        goto fail;
    cfg->max_header_bytes = (unsigned)n;
    if (env_unsigned("RATE_LIMIT", 50, 0, 1000000, &n, err, err_size) < 0)
        goto fail;
    cfg->rate_limit = (double)n;
    if (env_unsigned("RATE_BURST", (unsigned long long)(2 * cfg->rate_limit), 1, 10000000, &n, err,
                     err_size) < 0)
        goto fail;
    cfg->rate_burst = (double)n;
    const char *rlt = getenv("RATE_LIMIT_TOKENS");
    cfg->rate_limit_tokens = rlt != NULL && strcmp(rlt, "1") == 0;
    if (env_unsigned("SHUTDOWN_TIMEOUT", 10, 0, 3600, &n, err, err_size) < 0)
        goto fail;
    cfg->shutdown_timeout_s = (unsigned)n;
    if (load_proxies(cfg, err, err_size) < 0)
        goto fail;

    const char *fmt = getenv("LOG_FORMAT");
    if (fmt != NULL && *fmt != '\0' && strcmp(fmt, "json") != 0 && strcmp(fmt, "text") != 0) {
        snprintf(err, err_size, "LOG_FORMAT must be json or text, not \"%s\"", fmt);
        goto fail;
    }
    cfg->log_text = fmt != NULL && strcmp(fmt, "text") == 0;
    const char *mig = getenv("MIGRATE_ON_START");
    cfg->migrate_on_start = mig != NULL && (strcmp(mig, "1") == 0 || strcmp(mig, "true") == 0);

    if (split_list("API_TOKENS", cfg->tokens, CONFIG_MAX_TOKENS, &cfg->token_count, err,
                   err_size) < 0)
        goto fail;
    if (split_list("CORS_ORIGINS", cfg->origins, CONFIG_MAX_ORIGINS, &cfg->origin_count, err,
                   err_size) < 0)
        goto fail;
    return 0;
fail:
    config_free(cfg);
    return -1;
}

void config_free(struct config *cfg)
{
    if (cfg == NULL)
        return;
    free(cfg->database_url);
    free(cfg->database_read_url);
    free(cfg->listen_addr);
    for (size_t i = 0; i < cfg->token_count; i++)
        free(cfg->tokens[i]);
    for (size_t i = 0; i < cfg->origin_count; i++)
        free(cfg->origins[i]);
    memset(cfg, 0, sizeof *cfg);
}
