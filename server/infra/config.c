/* config.c: khabar's settings from one table, which both the loader and `khabar --help` read. */
#include "infra/config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "infra/decimal.h"

struct setting;

/* Parses value for setting s into its field of cfg; -1 with a message naming s->name in err. */
typedef int (*setting_parser)(const struct setting *s, const char *value, struct config *cfg,
                              char *err, size_t err_size);

/* The C type of a number setting's field. */
enum number_type { NUM_UNSIGNED, NUM_SIZE, NUM_DOUBLE };

struct setting {
    const char *name;          /* the environment variable */
    setting_parser parse;
    size_t offset;             /* the field of struct config it sets */
    size_t count_offset;       /* lists: the size_t field counting the entries */
    enum number_type type;     /* numbers: the field's type */
    unsigned long long min, max; /* numbers: bounds; lists: max is the most entries */
    const char *def;           /* the default, written as a value would be; NULL: none */
    /* A default that depends on the machine or on settings read before; NULL: def. */
    unsigned long long (*computed)(const struct config *cfg, unsigned long long cores);
    const char *shown;         /* the default as --help and the README show it; NULL: def */
    const char *help;          /* one sentence for --help */
};

/* ===== Parsers ===== */

static void *field_of(const struct setting *s, struct config *cfg)
{
    return (char *)cfg + s->offset;
}

/* The one number parser: decimal digits only, within the setting's bounds. */
static int number_parse(const struct setting *s, const char *value, unsigned long long *out,
                        char *err, size_t err_size)
{
    unsigned long long n = 0;
    /* 19 digits hold every bound; a longer text is past them all */
    if (!decimal_parse(value, 19, &n) || n < s->min || n > s->max) {
        snprintf(err, err_size, "%s must be a whole number from %llu to %llu, not \"%s\"", s->name,
                 s->min, s->max, value);
        return -1;
    }
    *out = n;
    return 0;
}

static void number_store(const struct setting *s, struct config *cfg, unsigned long long n)
{
    void *f = field_of(s, cfg);
    if (s->type == NUM_SIZE)
        *(size_t *)f = (size_t)n;
    else if (s->type == NUM_DOUBLE)
        *(double *)f = (double)n;
    else
        *(unsigned *)f = (unsigned)n;
}

static int parse_number(const struct setting *s, const char *value, struct config *cfg,
                        char *err, size_t err_size)
{
    unsigned long long n;
    if (number_parse(s, value, &n, err, err_size) < 0)
        return -1;
    number_store(s, cfg, n);
    return 0;
}

/* The one boolean syntax, PostgreSQL's: 1, true, yes, on or 0, false, no, off, in any case. */
static int parse_flag(const struct setting *s, const char *value, struct config *cfg, char *err,
                      size_t err_size)
{
    static const char *const yes[] = {"1", "true", "yes", "on"};
    static const char *const no[] = {"0", "false", "no", "off"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (strcasecmp(value, yes[i]) == 0 || strcasecmp(value, no[i]) == 0) {
            *(bool *)field_of(s, cfg) = strcasecmp(value, yes[i]) == 0;
            return 0;
        }
    }
    snprintf(err, err_size, "%s must be 1, true, yes or on, or 0, false, no or off, not \"%s\"",
             s->name, value);
    return -1;
}

static int parse_string(const struct setting *s, const char *value, struct config *cfg,
                        char *err, size_t err_size)
{
    char **f = field_of(s, cfg);
    if ((*f = strdup(value)) == NULL) {
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    return 0;
}

/* An http(s) URL with no spaces, quotes or brackets that a header or XML could not carry. */
static bool is_web_url(const char *value)
{
    bool web = strncmp(value, "https://", 8) == 0 || strncmp(value, "http://", 7) == 0;
    return web && strpbrk(value, " \t\"<>\\^`|{}") == NULL;
}

/* An absolute http(s) URL (kept without a trailing slash, so that paths append to it). */
static int parse_base_url(const struct setting *s, const char *value, struct config *cfg,
                          char *err, size_t err_size)
{
    if (!is_web_url(value)) {
        snprintf(err, err_size, "%s must be an http or https URL such as https://api.news.example, "
                 "not \"%s\"", s->name, value);
        return -1;
    }
    if (parse_string(s, value, cfg, err, err_size) < 0)
        return -1;
    char *url = *(char **)field_of(s, cfg);
    for (size_t n = strlen(url); n > 0 && url[n - 1] == '/'; n--)
        url[n - 1] = '\0';
    return 0;
}

/* A language tag of letters, digits and hyphens (ar, en-GB). */
static int parse_lang_tag(const struct setting *s, const char *value, struct config *cfg,
                          char *err, size_t err_size)
{
    size_t n = strlen(value);
    if (n == 0 || n > 35 || strspn(value, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                          "0123456789-") != n) {
        snprintf(err, err_size, "%s must be a language tag such as ar, not \"%s\"", s->name, value);
        return -1;
    }
    return parse_string(s, value, cfg, err, err_size);
}

/* An article's public address: an http(s) URL in which {slug} and {id} stand for the
 * article's (at least one of them), no other braces. */
static int parse_article_url(const struct setting *s, const char *value, struct config *cfg,
                             char *err, size_t err_size)
{
    bool web = strncmp(value, "https://", 8) == 0 || strncmp(value, "http://", 7) == 0;
    bool named = strstr(value, "{slug}") != NULL || strstr(value, "{id}") != NULL;
    size_t braces = 0;
    for (const char *p = value; *p != '\0'; p++)
        if (*p == '{' || *p == '}')
            braces++;
    size_t placeholders = 0;
    for (const char *p = value; (p = strchr(p, '{')) != NULL; p++)
        if (strncmp(p, "{slug}", 6) == 0 || strncmp(p, "{id}", 4) == 0)
            placeholders++;
    if (!web || !named || braces != 2 * placeholders || strpbrk(value, " \t\"<>\\^`|") != NULL) {
        snprintf(err, err_size, "%s must be an http or https URL holding {slug} or {id} (and no other "
                 "braces or spaces), such as https://news.example/a/{slug}, not \"%s\"", s->name, value);
        return -1;
    }
    return parse_string(s, value, cfg, err, err_size);
}

static int parse_log_format(const struct setting *s, const char *value, struct config *cfg,
                            char *err, size_t err_size)
{
    if (strcmp(value, "json") != 0 && strcmp(value, "text") != 0) {
        snprintf(err, err_size, "%s must be json or text, not \"%s\"", s->name, value);
        return -1;
    }
    *(bool *)field_of(s, cfg) = strcmp(value, "text") == 0;
    return 0;
}

/* Splits a comma-separated list into at most max trimmed, non-empty, owned strings. */
static int split_list(const char *name, const char *value, char **items, size_t max,
                      size_t *count, char *err, size_t err_size)
{
    const char *p = value;
    *count = 0;
    while (*p != '\0') {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        const char *start = p;
        while (len > 0 && (*start == ' ' || *start == '\t'))
            start++, len--;
        while (len > 0 && (start[len - 1] == ' ' || start[len - 1] == '\t'))
            len--;
        if (len > 0) {
            if (*count == max) {
                snprintf(err, err_size, "%s holds more than %zu entries", name, max);
                return -1;
            }
            if ((items[*count] = strndup(start, len)) == NULL) {
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

static int parse_list(const struct setting *s, const char *value, struct config *cfg, char *err,
                      size_t err_size)
{
    size_t *count = (size_t *)((char *)cfg + s->count_offset);
    return split_list(s->name, value, field_of(s, cfg), (size_t)s->max, count, err, err_size);
}

/* TRUSTED_PROXIES: comma-separated CIDR ranges (or single addresses). */
static int parse_proxies(const struct setting *s, const char *value, struct config *cfg,
                         char *err, size_t err_size)
{
    char *items[CONFIG_MAX_PROXIES];
    size_t n = 0;
    int rc = split_list(s->name, value, items, CONFIG_MAX_PROXIES, &n, err, err_size);
    for (size_t i = 0; i < n; i++) {
        if (rc == 0 && !cidr_parse(items[i], &cfg->trusted_proxies[i])) {
            snprintf(err, err_size, "%s holds \"%s\", which is not an address or CIDR range "
                                    "such as 10.0.0.0/8", s->name, items[i]);
            rc = -1;
        }
        free(items[i]);
    }
    cfg->trusted_proxy_count = rc == 0 ? n : 0;
    return rc;
}

/* TRUSTED_PROXY_HEADER: the header name, in any case, as HTTP header names are. */
static int parse_proxy_header(const struct setting *s, const char *value, struct config *cfg,
                              char *err, size_t err_size)
{
    if (strcasecmp(value, "X-Forwarded-For") == 0)
        *(enum proxy_header *)field_of(s, cfg) = PROXY_HEADER_X_FORWARDED_FOR;
    else if (strcasecmp(value, "Forwarded") == 0)
        *(enum proxy_header *)field_of(s, cfg) = PROXY_HEADER_FORWARDED;
    else {
        snprintf(err, err_size, "%s must be X-Forwarded-For or Forwarded, not \"%s\"", s->name,
                 value);
        return -1;
    }
    return 0;
}

/* ===== Defaults that depend on the machine or on settings read before ===== */

static unsigned long long cores_all(const struct config *cfg, unsigned long long cores)
{
    (void)cfg;
    return cores;
}

static unsigned long long cores_twice(const struct config *cfg, unsigned long long cores)
{
    (void)cfg;
    return 2 * cores;
}

static unsigned long long cores_half(const struct config *cfg, unsigned long long cores)
{
    (void)cfg;
    return cores > 1 ? cores / 2 : 1;
}

static unsigned long long pool_size(const struct config *cfg, unsigned long long cores)
{
    (void)cores;
    return cfg->db_pool_size;
}

static unsigned long long bodies_32(const struct config *cfg, unsigned long long cores)
{
    (void)cores;
    return 32ULL * cfg->max_body_bytes;
}

static unsigned long long rate_twice(const struct config *cfg, unsigned long long cores)
{
    (void)cores;
    return (unsigned long long)(2 * cfg->rate_limit);
}

/* ===== The table ===== */

#define FIELD(f) .offset = offsetof(struct config, f)
#define NUMBER(f, t, lo, hi) .parse = parse_number, FIELD(f), .type = (t), .min = (lo), .max = (hi)
#define LIST(f, n, most) .parse = parse_list, FIELD(f), .count_offset = offsetof(struct config, n), \
                         .max = (most)

/* In the order they are read: a computed default may use the settings above it. */
static const struct setting settings[] = {
    {.name = "DATABASE_URL", .parse = parse_string, FIELD(database_url), .def = "",
     .shown = "libpq defaults", .help = "libpq URI or key=value string: the primary"},
    {.name = "DATABASE_READ_URL", .parse = parse_string, FIELD(database_read_url),
     .help = "a streaming replica for reads"},
    {.name = "PORT", NUMBER(port, NUM_UNSIGNED, 0, 65535), .def = "8080",
     .help = "listening port"},
    {.name = "LISTEN_ADDR", .parse = parse_string, FIELD(listen_addr), .def = "0.0.0.0",
     .help = "listening address (IPv4 or IPv6)"},
    {.name = "API_TOKENS", LIST(tokens, token_count, CONFIG_MAX_TOKENS),
     .help = "comma-separated bearer tokens with the editor role (named env-1, env-2, ...); more with `khabar token create`"},
    {.name = "CORS_ORIGINS", LIST(origins, origin_count, CONFIG_MAX_ORIGINS),
     .help = "comma-separated origins allowed to call from a browser; * for any"},
    {.name = "IMAGE_URL_SCHEMES", LIST(image_schemes, image_scheme_count, CONFIG_MAX_IMAGE_SCHEMES),
     .def = "https", .help = "comma-separated URL schemes an article's image may have"},
    {.name = "MAX_BODY_BYTES", NUMBER(max_body_bytes, NUM_SIZE, 1, 1024ULL * 1024 * 1024),
     .def = "1048576", .help = "largest request body"},
    /* What a body may hold is reserved before it is read (its Content-Length) or as it
     * comes (chunked): 32 full-size bodies at once by default. */
    {.name = "MAX_BODY_MEMORY", NUMBER(max_body_memory, NUM_SIZE, 1, 1ULL << 40),
     .computed = bodies_32, .shown = "32 times MAX_BODY_BYTES",
     .help = "bytes the request bodies being received may hold in all (a body alone is always "
             "taken); past it a write is answered 503 with Retry-After"},
    /* HTTP threads never wait on the database (DB_JOBS threads do): one per core. */
    {.name = "THREADS", NUMBER(threads, NUM_UNSIGNED, 1, 256), .computed = cores_all,
     .shown = "number of cores", .help = "HTTP threads (they never wait on the database)"},
    /* Two per core: a job waiting on its query leaves the core to another. */
    {.name = "DB_POOL_SIZE", NUMBER(db_pool_size, NUM_UNSIGNED, 1, 256), .computed = cores_twice,
     .shown = "twice the number of cores", .help = "database connections"},
    {.name = "DB_JOBS", NUMBER(db_jobs, NUM_UNSIGNED, 0, 256), .computed = pool_size,
     .shown = "DB_POOL_SIZE",
     .help = "threads answering requests that need the database; 0: the HTTP threads do"},
    /* A search keeps a core busy for tens of ms: half the cores at most, so that a GET
     * beside a burst of searches still finds a core (p99 measured in make bench). */
    {.name = "SEARCH_JOBS", NUMBER(search_jobs, NUM_UNSIGNED, 0, 256), .computed = cores_half,
     .shown = "half the number of cores (at least 1)",
     .help = "threads running searches: at most this many run at once, so that searches never "
             "take every core; 0: the DB_JOBS threads run them"},
    /* Sized so that normal load never reaches it: a few hundred requests, a second or so of
     * work; past it a request is answered 503 at once rather than late. */
    {.name = "JOB_QUEUE_MAX", NUMBER(job_queue_max, NUM_UNSIGNED, 1, 65536), .def = "256",
     .help = "requests that may wait for a DB_JOBS thread (and as many for a SEARCH_JOBS one); "
             "past it 503 with Retry-After"},
    {.name = "JOB_QUEUE_TIMEOUT", NUMBER(job_queue_timeout_ms, NUM_UNSIGNED, 1, 3600000),
     .def = "10000",
     .help = "milliseconds a request may wait for a job thread; one that waited longer is "
             "answered 503 without being run"},
    {.name = "DB_TIMEOUT", NUMBER(db_timeout_ms, NUM_UNSIGNED, 1, 600000), .def = "5000",
     .help = "milliseconds to wait for a database connection before 503"},
    {.name = "STATEMENT_TIMEOUT", NUMBER(statement_timeout_ms, NUM_UNSIGNED, 1, 3600000),
     .def = "5000", .help = "milliseconds any one query may run"},
    {.name = "CONNECTION_TIMEOUT", NUMBER(connection_timeout_s, NUM_UNSIGNED, 1, 3600),
     .def = "30", .help = "seconds an idle client connection is kept"},
    {.name = "MAX_CONNECTIONS", NUMBER(max_connections, NUM_UNSIGNED, 1, 65536), .def = "1024",
     .help = "simultaneous client connections"},
    {.name = "TRUSTED_PROXIES", .parse = parse_proxies, FIELD(trusted_proxies),
     .max = CONFIG_MAX_PROXIES,
     .help = "comma-separated CIDR ranges of proxies whose TRUSTED_PROXY_HEADER is believed"},
    {.name = "TRUSTED_PROXY_HEADER", .parse = parse_proxy_header, FIELD(trusted_proxy_header),
     .def = "X-Forwarded-For",
     .help = "X-Forwarded-For or Forwarded: the one header the trusted proxies write, read right "
             "to left; the other is never read"},
    {.name = "IPV6_CLIENT_PREFIX", NUMBER(ipv6_client_prefix, NUM_UNSIGNED, 0, 128), .def = "64",
     .help = "IPv6 clients are counted per network of this prefix length (connection and rate "
             "limits); 128: per address"},
    {.name = "PER_CLIENT_CONNECTIONS", NUMBER(per_client_connections, NUM_UNSIGNED, 0, 65536),
     .def = "64",
     .help = "simultaneous connections from one client (an IPv4 address, an IPv6 network of "
             "IPV6_CLIENT_PREFIX) as the direct peer; trusted proxies exempt; 0: no limit"},
    {.name = "HEADER_TIMEOUT", NUMBER(header_timeout_s, NUM_UNSIGNED, 0, 3600), .def = "10",
     .help = "seconds a client has to send complete headers (also the keep-alive wait)"},
    {.name = "REQUEST_TIMEOUT", NUMBER(request_timeout_s, NUM_UNSIGNED, 0, 3600), .def = "30",
     .help = "seconds from complete headers to the answer sent"},
    {.name = "MAX_HEADER_BYTES", NUMBER(max_header_bytes, NUM_UNSIGNED, 4096, 1048576),
     .def = "32768",
     .help = "request line and headers; longer is 414 (URL) or 431 (headers)"},
    {.name = "RATE_LIMIT", NUMBER(rate_limit, NUM_DOUBLE, 0, 1000000), .def = "50",
     .help = "requests per second per client (token bucket); 0: off"},
    {.name = "RATE_BURST", NUMBER(rate_burst, NUM_DOUBLE, 1, 10000000), .computed = rate_twice,
     .shown = "twice RATE_LIMIT", .help = "requests a client may make at once"},
    {.name = "RATE_LIMIT_TOKENS", .parse = parse_flag, FIELD(rate_limit_tokens), .def = "off",
     .help = "on: holders of a valid bearer token are rate-limited too"},
    {.name = "LOG_FORMAT", .parse = parse_log_format, FIELD(log_text), .def = "json",
     .help = "json (one object a line) or text"},
    /* A fiftieth of a second: a log reader sees a line at once, and at a hundred thousand
     * requests a second a write carries two thousand lines, not one. */
    {.name = "LOG_FLUSH_MS", NUMBER(log_flush_ms, NUM_UNSIGNED, 0, 1000), .def = "20",
     .help = "milliseconds a log line may wait to be written with the lines after it"},
    {.name = "MIGRATE_ON_START", .parse = parse_flag, FIELD(migrate_on_start), .def = "off",
     .help = "on: serve applies pending migrations first"},
    {.name = "SHUTDOWN_TIMEOUT", NUMBER(shutdown_timeout_s, NUM_UNSIGNED, 0, 3600), .def = "10",
     .help = "seconds requests in flight get to finish after SIGTERM"},
    /* Enough to see how an article was written and undo a run of bad edits; a bound, so
     * that an article edited all day does not grow its history without end. */
    /* A common word of about 2% of the articles has its 1,000 candidates among the newest
     * 50,000; a search sorts the matches its index holds, and this index holds few. */
    {.name = "SEARCH_WINDOW_ARTICLES", NUMBER(search_window_articles, NUM_UNSIGNED, 1, 100000000),
     .def = "50000",
     .help = "the newest articles, searched first from an index of their own "
             "(migrations/0020_search_window.sql)"},
    {.name = "REVISIONS_KEEP", NUMBER(revisions_keep, NUM_UNSIGNED, 0, 1000000), .def = "100",
     .help = "revisions kept per article, the oldest pruned as each write adds one (deleted "
             "articles' included); 0: all"},
    /* khabar serves the API, not the site: where the site shows an article is its to say. */
    {.name = "PUBLIC_ARTICLE_URL", .parse = parse_article_url, FIELD(public_article_url),
     .help = "an article's address on the public site, {slug} and {id} standing for its own "
             "(https://news.example/a/{slug}): its canonical URL, in feeds and sitemaps; none: the "
             "API's own, PUBLIC_API_URL/v1/articles/{slug}"},
    {.name = "PUBLIC_API_URL", .parse = parse_base_url, FIELD(public_api_url),
     .shown = "http://localhost:PORT",
     .help = "where clients reach this API, as the public sees it (behind a proxy, the proxy's "
             "address): the absolute links of feeds, sitemaps and robots.txt start with it"},
    {.name = "PUBLICATION_NAME", .parse = parse_string, FIELD(publication_name), .def = "khabar",
     .help = "the publication's name: the title of the site feed, the Google News sitemap's "
             "publication, the publisher of structured data"},
    {.name = "PUBLICATION_LANG", .parse = parse_lang_tag, FIELD(publication_lang), .def = "ar",
     .help = "the language of the site feed and of sitemaps (each article keeps its own)"},
    {.name = "PUBLISHER_LOGO_URL", .parse = parse_base_url, FIELD(publisher_logo_url),
     .help = "the publisher's logo in structured data (NewsArticle publisher.logo); none: no logo"},
    /* sitemaps.org allows 50,000 URLs (and 50 MB) a sitemap; fewer make smaller answers */
    {.name = "SITEMAP_URLS", NUMBER(sitemap_urls, NUM_UNSIGNED, 1, 50000), .def = "50000",
     .help = "articles in one monthly sitemap; a month with more has more pages"},
    /* Webhooks: an endpoint a name or address inside the network points to is refused, at
     * registration and at each delivery, so that webhooks cannot reach what is behind the
     * firewall; a day of retries outlasts a receiver's night-long outage. */
    {.name = "WEBHOOK_ALLOW_PRIVATE", .parse = parse_flag, FIELD(webhook_allow_private), .def = "off",
     .help = "on: webhooks may go to loopback, private and link-local addresses (receivers on "
             "the same network)"},
    {.name = "WEBHOOK_RETRY_SECONDS", NUMBER(webhook_retry_s, NUM_UNSIGNED, 1, 2592000), .def = "86400",
     .help = "how long a failing delivery is retried (backoff from a second, doubling to an hour, "
             "with jitter) before it is given up and its endpoint disabled"},
    {.name = "WEBHOOK_TIMEOUT", NUMBER(webhook_timeout_ms, NUM_UNSIGNED, 100, 60000), .def = "10000",
     .help = "milliseconds a webhook receiver has to answer"},
    {.name = "WEBHOOK_WORKERS", NUMBER(webhook_workers, NUM_UNSIGNED, 0, 64), .def = "2",
     .help = "webhook deliveries this instance sends at once; 0: it sends none (others do)"},
    {.name = "CACHE_BYTES", NUMBER(cache_bytes, NUM_SIZE, 0, 1ULL << 40), .def = "67108864",
     .help = "bound of the answer cache (64 MiB); 0: no cache"},
};

#define SETTING_COUNT (sizeof settings / sizeof settings[0])

/* ===== Loading and --help ===== */

/* The defaults of the public addresses, made of other settings; false on no memory. */
static bool addresses_complete(struct config *cfg)
{
    char *made = NULL;
    if (cfg->public_api_url == NULL) {
        if (asprintf(&made, "http://localhost:%u", cfg->port) < 0)
            return false;
        cfg->public_api_url = made;
    }
    /* without a site of its own, an article's address is the API's answer for it */
    if (cfg->public_article_url == NULL) {
        if (asprintf(&made, "%s/v1/articles/{slug}", cfg->public_api_url) < 0)
            return false;
        cfg->public_article_url = made;
    }
    return true;
}

int config_load(struct config *cfg, char *err, size_t err_size)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    memset(cfg, 0, sizeof *cfg);
    if (cores < 1)
        cores = 1;
    for (size_t i = 0; i < SETTING_COUNT; i++) {
        const struct setting *s = &settings[i];
        const char *value = getenv(s->name);
        if (value == NULL || *value == '\0') {
            /* Computed defaults are not bounded: RATE_BURST is 0 when RATE_LIMIT is. */
            if (s->computed != NULL) {
                number_store(s, cfg, s->computed(cfg, (unsigned long long)cores));
                continue;
            }
            if ((value = s->def) == NULL)
                continue;
        }
        if (s->parse(s, value, cfg, err, err_size) < 0)
            goto fail;
    }
    /* Without DB_JOBS threads the HTTP threads answer everything, searches too. */
    if (cfg->db_jobs == 0)
        cfg->search_jobs = 0;
    if (!addresses_complete(cfg)) {
        snprintf(err, err_size, "out of memory");
        goto fail;
    }
    return 0;
fail:
    config_free(cfg);
    return -1;
}

/* Prints text word by word, indented, in lines of at most 78 columns. */
static void print_wrapped(FILE *f, const char *text, int indent)
{
    int col = 0;
    while (*text != '\0') {
        int len = (int)strcspn(text, " ");
        if (col > 0 && col + 1 + len > 78)
            col = 0, fputc('\n', f);
        if (col == 0)
            col = fprintf(f, "%*s%.*s", indent, "", len, text);
        else
            col += fprintf(f, " %.*s", len, text);
        text += len;
        text += strspn(text, " ");
    }
    fputc('\n', f);
}

void config_help(FILE *f)
{
    char text[512];
    print_wrapped(f, "configuration, from the environment (unset or empty: the default; flags "
                     "take 1, true, yes, on or 0, false, no, off, in any case):", 0);
    for (size_t i = 0; i < SETTING_COUNT; i++) {
        const struct setting *s = &settings[i];
        const char *shown = s->shown ? s->shown : s->def ? s->def : "none";
        fprintf(f, "  %-23s default: %s\n", s->name, shown);
        if (s->parse == parse_number)
            snprintf(text, sizeof text, "%s; a whole number from %llu to %llu", s->help, s->min,
                     s->max);
        else if (s->parse == parse_list || s->parse == parse_proxies)
            snprintf(text, sizeof text, "%s; at most %llu entries", s->help, s->max);
        else
            snprintf(text, sizeof text, "%s", s->help);
        print_wrapped(f, text, 6);
    }
}

void config_free(struct config *cfg)
{
    if (cfg == NULL)
        return;
    /* every string and list the table's parsers made, so none can be forgotten here */
    for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++) {
        const struct setting *s = &settings[i];
        if (s->parse == parse_string || s->parse == parse_article_url ||
            s->parse == parse_base_url || s->parse == parse_lang_tag) {
            free(*(char **)field_of(s, cfg));
        } else if (s->parse == parse_list) {
            char **items = field_of(s, cfg);
            size_t n = *(size_t *)((char *)cfg + s->count_offset);
            for (size_t k = 0; k < n; k++)
                free(items[k]);
        }
    }
    memset(cfg, 0, sizeof *cfg);
}
