/* test_config.c: unit tests of server/infra/config.c: config_load from a controlled
 * environment: defaults (some from the number of cores), the one boolean syntax, numbers at and
 * past their bounds, lists, and a bad value refused with a message naming its variable.
 * Expected values come from config.h and the help text of each setting.
 */
#include "infra/config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"

static const char *const names[] = {
    "DATABASE_URL", "DATABASE_READ_URL", "PORT", "LISTEN_ADDR", "API_TOKENS", "CORS_ORIGINS",
    "MAX_BODY_BYTES", "MAX_BODY_MEMORY", "THREADS", "DB_POOL_SIZE", "DB_JOBS", "SEARCH_JOBS",
    "DB_TIMEOUT",
    "STATEMENT_TIMEOUT", "CONNECTION_TIMEOUT", "MAX_CONNECTIONS", "TRUSTED_PROXIES",
    "TRUSTED_PROXY_HEADER", "IPV6_CLIENT_PREFIX", "PER_CLIENT_CONNECTIONS", "HEADER_TIMEOUT",
    "REQUEST_TIMEOUT", "MAX_HEADER_BYTES",
    "RATE_LIMIT", "RATE_BURST", "RATE_LIMIT_TOKENS", "LOG_FORMAT", "MIGRATE_ON_START",
    "SHUTDOWN_TIMEOUT", "CACHE_BYTES",
};
#define NAME_COUNT (sizeof names / sizeof names[0])

/* config_load with none of khabar's variables set but name=value (name NULL: none). */
static int load_with(const char *name, const char *value, struct config *cfg, char *err,
                     size_t err_size)
{
    for (size_t i = 0; i < NAME_COUNT; i++)
        unsetenv(names[i]);
    if (name != NULL)
        setenv(name, value, 1);
    err[0] = '\0';
    int rc = config_load(cfg, err, err_size);
    if (name != NULL)
        unsetenv(name);
    return rc;
}

/* Fails unless name=value is refused with a message naming name and quoting value. */
static void check_refused(const char *name, const char *value)
{
    struct config cfg;
    char err[256], quoted[128], what[512];
    snprintf(what, sizeof what, "%s=\"%s\" is refused", name, value);
    check(load_with(name, value, &cfg, err, sizeof err) == -1, what);
    snprintf(what, sizeof what, "%s=\"%s\": the message names the variable: %s", name, value,
             err);
    check(strncmp(err, name, strlen(name)) == 0, what);
    snprintf(quoted, sizeof quoted, "\"%s\"", value);
    snprintf(what, sizeof what, "%s=\"%s\": the message quotes the value: %s", name, value, err);
    check(strstr(err, quoted) != NULL, what);
    check(cfg.database_url == NULL && cfg.listen_addr == NULL, "refused: cfg is left freed");
}

/* The number setting name=value stores, read by field (it fails the test when refused). */
#define check_number(name, value, field, want)                                         \
    do {                                                                               \
        struct config cfg_;                                                            \
        char err_[256];                                                                \
        check(load_with(name, value, &cfg_, err_, sizeof err_) == 0, name "=" value);  \
        check(cfg_.field == (want), name "=" value " is stored as " #want);            \
        config_free(&cfg_);                                                            \
    } while (0)

static long cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n;
}

static void test_defaults(void **state)
{
    (void)state;
    struct config cfg;
    char err[256];
    check(load_with(NULL, NULL, &cfg, err, sizeof err) == 0, "defaults: load");
    check_str(cfg.database_url, "", "defaults: DATABASE_URL empty, libpq's defaults");
    check(cfg.database_read_url == NULL, "defaults: no DATABASE_READ_URL");
    check(cfg.port == 8080, "defaults: PORT 8080");
    check_str(cfg.listen_addr, "0.0.0.0", "defaults: LISTEN_ADDR");
    check(cfg.token_count == 0 && cfg.origin_count == 0 && cfg.trusted_proxy_count == 0,
          "defaults: no tokens, origins or proxies");
    check(cfg.max_body_bytes == 1024 * 1024, "defaults: MAX_BODY_BYTES 1 MiB");
    check(cfg.db_timeout_ms == 5000 && cfg.statement_timeout_ms == 5000,
          "defaults: DB_TIMEOUT and STATEMENT_TIMEOUT 5000 ms");
    check(cfg.cache_bytes == 64 * 1024 * 1024, "defaults: CACHE_BYTES 64 MiB");
    check(cfg.connection_timeout_s == 30 && cfg.max_connections == 1024,
          "defaults: CONNECTION_TIMEOUT 30, MAX_CONNECTIONS 1024");
    check(cfg.per_client_connections == 64, "defaults: PER_CLIENT_CONNECTIONS 64");
    check(cfg.ipv6_client_prefix == 64, "defaults: IPV6_CLIENT_PREFIX 64");
    check(cfg.header_timeout_s == 10 && cfg.request_timeout_s == 30,
          "defaults: HEADER_TIMEOUT 10, REQUEST_TIMEOUT 30");
    check(cfg.max_header_bytes == 32768, "defaults: MAX_HEADER_BYTES 32768");
    check(cfg.rate_limit == 50 && cfg.rate_burst == 100, "defaults: RATE_LIMIT 50, burst twice");
    check(!cfg.rate_limit_tokens && !cfg.log_text && !cfg.migrate_on_start,
          "defaults: the flags off, logs as JSON");
    check(cfg.shutdown_timeout_s == 10, "defaults: SHUTDOWN_TIMEOUT 10");
    check(cfg.max_body_memory == 32 * cfg.max_body_bytes, "defaults: MAX_BODY_MEMORY 32 bodies");
    config_free(&cfg);
    config_free(NULL);
}

static void test_defaults_from_the_machine(void **state)
{
    (void)state;
    struct config cfg;
    char err[256];
    long n = cores();
    check(load_with(NULL, NULL, &cfg, err, sizeof err) == 0, "machine: load");
    check(cfg.threads == (unsigned)n, "machine: THREADS, one per core");
    check(cfg.db_pool_size == (unsigned)(2 * n), "machine: DB_POOL_SIZE, two per core");
    check(cfg.db_jobs == cfg.db_pool_size, "machine: DB_JOBS, DB_POOL_SIZE");
    check(cfg.search_jobs == (unsigned)(n > 1 ? n / 2 : 1), "machine: SEARCH_JOBS, half, >= 1");
    config_free(&cfg);
    /* defaults that follow the settings they are computed from */
    check_number("DB_POOL_SIZE", "7", db_jobs, 7u);
    check_number("MAX_BODY_BYTES", "1000", max_body_memory, (size_t)32000);
    check_number("MAX_BODY_MEMORY", "1", max_body_memory, (size_t)1);
    check_number("RATE_LIMIT", "3", rate_burst, 6.0);
    check_number("RATE_LIMIT", "0", rate_burst, 0.0);
    check_number("RATE_LIMIT", "0", rate_limit, 0.0);
    check_number("THREADS", "", threads, (unsigned)cores());
    check_number("PORT", "", port, 8080u); /* empty is unset */
}

static void test_flags(void **state)
{
    (void)state;
    static const char *const yes[] = { "1", "true", "yes", "on", "TRUE", "Yes", "ON", "oN" };
    static const char *const no[] = { "0", "false", "no", "off", "FALSE", "No", "OFF", "Off" };
    struct config cfg;
    char err[256], name[64];
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        snprintf(name, sizeof name, "flag \"%s\" is on", yes[i]);
        check(load_with("MIGRATE_ON_START", yes[i], &cfg, err, sizeof err) == 0, name);
        check(cfg.migrate_on_start, name);
        config_free(&cfg);
        snprintf(name, sizeof name, "flag \"%s\" is off", no[i]);
        check(load_with("RATE_LIMIT_TOKENS", no[i], &cfg, err, sizeof err) == 0, name);
        check(!cfg.rate_limit_tokens, name);
        config_free(&cfg);
    }
    check(load_with("RATE_LIMIT_TOKENS", "on", &cfg, err, sizeof err) == 0 &&
              cfg.rate_limit_tokens,
          "flag: RATE_LIMIT_TOKENS=on");
    config_free(&cfg);
    static const char *const bad[] = { "y", "n", "2", "enable", "t", " on", "on ", "yes!" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        check_refused("MIGRATE_ON_START", bad[i]);
}

static void test_number_bounds(void **state)
{
    (void)state;
    check_number("PORT", "0", port, 0u);
    check_number("PORT", "65535", port, 65535u);
    check_number("PORT", "080", port, 80u);
    check_refused("PORT", "65536");
    check_number("MAX_HEADER_BYTES", "4096", max_header_bytes, 4096u);
    check_number("MAX_HEADER_BYTES", "1048576", max_header_bytes, 1048576u);
    check_refused("MAX_HEADER_BYTES", "4095");
    check_refused("MAX_HEADER_BYTES", "1048577");
    check_number("MAX_BODY_BYTES", "1", max_body_bytes, 1u);
    check_refused("MAX_BODY_BYTES", "0");
    check_number("THREADS", "256", threads, 256u);
    check_refused("THREADS", "257");
    check_refused("THREADS", "0");
    check_number("CACHE_BYTES", "0", cache_bytes, 0u);
    check_number("CACHE_BYTES", "1099511627776", cache_bytes, (size_t)1 << 40);
    check_refused("CACHE_BYTES", "1099511627777");
    check_number("RATE_BURST", "1", rate_burst, 1.0);
    check_refused("RATE_BURST", "0");
    check_number("DB_JOBS", "0", db_jobs, 0u);
    check_number("PER_CLIENT_CONNECTIONS", "0", per_client_connections, 0u);
    check_number("STATEMENT_TIMEOUT", "3600000", statement_timeout_ms, 3600000u);
    check_refused("STATEMENT_TIMEOUT", "3600001");
}

static void test_number_syntax(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "-1", "+80", " 80", "80 ", "8080x", "0x50", "8e3", "80.0", "eighty",
        "18446744073709551616", "99999999999999999999999999", "٨٠",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        check_refused("PORT", bad[i]);
    check_refused("RATE_LIMIT", "0.5"); /* whole numbers only, though it is kept as a double */
    check_refused("CACHE_BYTES", "18446744073709551615");
}

static void test_strings_and_lists(void **state)
{
    (void)state;
    struct config cfg;
    char err[256];
    check(load_with("API_TOKENS", " a, b\t,,c ,", &cfg, err, sizeof err) == 0, "list: load");
    check(cfg.token_count == 3, "list: three tokens, the empty ones skipped");
    if (cfg.token_count == 3) {
        check_str(cfg.tokens[0], "a", "list: trimmed");
        check_str(cfg.tokens[1], "b", "list: a tab trimmed");
        check_str(cfg.tokens[2], "c", "list: in order");
    }
    config_free(&cfg);
    check(load_with("CORS_ORIGINS", "*", &cfg, err, sizeof err) == 0 && cfg.origin_count == 1,
          "list: CORS_ORIGINS=*");
    check_str(cfg.origin_count ? cfg.origins[0] : NULL, "*", "list: the origin *");
    config_free(&cfg);
    char many[256] = "";
    for (int i = 0; i < CONFIG_MAX_TOKENS; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), "%st%d", i ? "," : "", i);
    check(load_with("API_TOKENS", many, &cfg, err, sizeof err) == 0 &&
              cfg.token_count == CONFIG_MAX_TOKENS,
          "list: CONFIG_MAX_TOKENS tokens are taken");
    config_free(&cfg);
    strcat(many, ",one-more");
    check(load_with("API_TOKENS", many, &cfg, err, sizeof err) == -1, "list: one more refused");
    check(strncmp(err, "API_TOKENS", 10) == 0, "list: the message names API_TOKENS");
    check(load_with("DATABASE_READ_URL", "host=replica", &cfg, err, sizeof err) == 0,
          "string: load");
    check_str(cfg.database_read_url, "host=replica", "string: DATABASE_READ_URL as given");
    config_free(&cfg);
}

static void test_proxies_and_log_format(void **state)
{
    (void)state;
    struct config cfg;
    char err[256];
    check(load_with("TRUSTED_PROXIES", "10.0.0.0/8, ::1 ,192.0.2.7", &cfg, err, sizeof err) == 0,
          "proxies: load");
    check(cfg.trusted_proxy_count == 3, "proxies: three ranges");
    struct netaddr a;
    check(netaddr_parse("10.200.0.1", &a) && cidr_contains(&cfg.trusted_proxies[0], &a),
          "proxies: 10.0.0.0/8 holds 10.200.0.1");
    check(netaddr_parse("192.0.2.8", &a) && !cidr_contains(&cfg.trusted_proxies[2], &a),
          "proxies: a bare address is a /32");
    config_free(&cfg);
    check_refused("TRUSTED_PROXIES", "10.0.0.0/33");
    check_refused("TRUSTED_PROXIES", "proxy.example");
    check(load_with(NULL, NULL, &cfg, err, sizeof err) == 0 &&
              cfg.trusted_proxy_header == PROXY_HEADER_X_FORWARDED_FOR,
          "proxy header: X-Forwarded-For by default (what docker/nginx.conf sets)");
    config_free(&cfg);
    check(load_with("TRUSTED_PROXY_HEADER", "Forwarded", &cfg, err, sizeof err) == 0 &&
              cfg.trusted_proxy_header == PROXY_HEADER_FORWARDED,
          "proxy header: Forwarded");
    config_free(&cfg);
    check(load_with("TRUSTED_PROXY_HEADER", "x-forwarded-for", &cfg, err, sizeof err) == 0 &&
              cfg.trusted_proxy_header == PROXY_HEADER_X_FORWARDED_FOR,
          "proxy header: a header name in any case");
    config_free(&cfg);
    check_refused("TRUSTED_PROXY_HEADER", "X-Real-IP");
    check_refused("TRUSTED_PROXY_HEADER", "Forwarded, X-Forwarded-For");
    check_refused("TRUSTED_PROXY_HEADER", "X-Forwarded-For ");
    check_number("IPV6_CLIENT_PREFIX", "48", ipv6_client_prefix, 48u);
    check_number("IPV6_CLIENT_PREFIX", "128", ipv6_client_prefix, 128u);
    check_refused("IPV6_CLIENT_PREFIX", "129");
    check_refused("IPV6_CLIENT_PREFIX", "/64");
    check(load_with("LOG_FORMAT", "text", &cfg, err, sizeof err) == 0 && cfg.log_text,
          "log: text");
    config_free(&cfg);
    check(load_with("LOG_FORMAT", "json", &cfg, err, sizeof err) == 0 && !cfg.log_text,
          "log: json");
    config_free(&cfg);
    check_refused("LOG_FORMAT", "xml");
}

static void test_help(void **state)
{
    (void)state;
    char *text = NULL, line[64];
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    check(f != NULL, "help: a stream");
    config_help(f);
    fclose(f);
    for (size_t i = 0; i < NAME_COUNT; i++) {
        snprintf(line, sizeof line, "  %s ", names[i]);
        check(strstr(text, line) != NULL, names[i]);
    }
    check(strstr(text, "default: 8080") != NULL, "help: PORT's default");
    check(strstr(text, "from 0 to 65535") != NULL, "help: PORT's bounds");
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_defaults_from_the_machine),
        cmocka_unit_test(test_flags),
        cmocka_unit_test(test_number_bounds),
        cmocka_unit_test(test_number_syntax),
        cmocka_unit_test(test_strings_and_lists),
        cmocka_unit_test(test_proxies_and_log_format),
        cmocka_unit_test(test_help),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
