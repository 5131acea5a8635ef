/* main.c: start-up only: reads the command line and runs serve, migrate, import or token. */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "http/http.h"
#include "cli/import.h"
#include "cli/token.h"
#include "infra/log.h"
#include "infra/readiness.h"
#include "db/migrate.h"

#define KHABAR_VERSION "0.1.0"

/* The commands; with full, every setting too (khabar --help), else where to find them. */
static void usage(FILE *f, bool full)
{
    fputs("usage: khabar COMMAND\n"
          "\n"
          "commands:\n"
          "  serve               serve the HTTP API (PORT, default 8080)\n"
          "  migrate             apply pending database migrations\n"
          "  import FILE.ndjson  load articles, one JSON object a line (- for stdin)\n"
          "  token create NAME --role writer|editor|admin\n"
          "                      make a bearer token; it is printed once, alone on stdout\n"
          "  token list          the tokens: name, role, created, revoked\n"
          "  token revoke NAME   revoke a token on every instance at once\n"
          "  --help, --version\n"
          "\n",
          f);
    if (full)
        config_help(f);
    else
        fputs("khabar --help lists the configuration (environment variables)\n", f);
}

static int run_migrate(const struct config *cfg)
{
    char err[1024];
    if (migrate_run(cfg->database_url, stdout, err, sizeof err) < 0) {
        fprintf(stderr, "khabar: %s\n", err);
        return 1;
    }
    return 0;
}

/* The listener's hands on the token store: read the database's tokens, or forget them. */
static bool tokens_reload(void *arg)
{
    struct app *app = arg;
    return db_tokens_load(app->tokens_db, app->tokens);
}

static void tokens_forget(void *arg)
{
    struct app *app = arg;
    token_store_forget(app->tokens);
}

/* The token store (API_TOKENS at once, the database's once the listener has read them),
 * and the listener, which runs with or without an answer cache; false on failure. */
static bool start_listening(struct app *app)
{
    const struct changes_tokens hooks = { tokens_reload, tokens_forget, app };
    app->tokens = token_store_new((const char *const *)app->config.tokens, app->config.token_count);
    app->tokens_db = db_pool_new(app->config.database_url, 1, 2000, 5000);
    if (app->tokens == NULL || app->tokens_db == NULL)
        return false;
    db_pool_set_watcher(app->tokens_db, "khabar-tokens");
    /* Read once before serving, so that the first requests are not answered 503 while the
     * listener connects; it reads them again once it listens (what changed in between). A
     * database that cannot be read now leaves them unknown until then. */
    db_tokens_load(app->tokens_db, app->tokens);
    if (app->config.cache_bytes > 0 && (app->cache = cache_new(app->config.cache_bytes)) == NULL)
        return false;
    /* without a cache no read waits for a replica on the listener's account */
    app->changes = changes_start(app->config.database_url, app->cache,
                                 app->db_read != NULL && app->cache != NULL, &hooks);
    return app->changes != NULL;
}

/* Serves until SIGTERM or SIGINT, then stops taking connections and exits 0. */
/* The webhook workers, with what configuration says of them. */
static struct webhooks *start_webhooks(const struct config *cfg)
{
    struct webhook_settings s = { .conninfo = cfg->database_url, .article_url = cfg->public_article_url,
                                  .workers = cfg->webhook_workers, .timeout_ms = cfg->webhook_timeout_ms,
                                  .retry_s = cfg->webhook_retry_s,
                                  .allow_private = cfg->webhook_allow_private };
    return webhooks_start(&s);
}

static int run_serve(struct app *app)
{
    int rc = 1, sig = 0;
    sigset_t stop_signals;
    struct MHD_Daemon *daemon = NULL;
    log_init(app->config.log_text);
    if (app->config.token_count == 0)
        log_message("warning", "API_TOKENS is not set: only tokens made with `khabar token create` "
                               "are accepted");
    if (app->config.migrate_on_start && run_migrate(&app->config) != 0)
        return 1;
    app->db = db_pool_new(app->config.database_url, app->config.db_pool_size,
                          app->config.db_timeout_ms, app->config.statement_timeout_ms);
    if (app->db == NULL)
        return 1;
    if (app->config.database_read_url != NULL &&
        (app->db_read = db_pool_new(app->config.database_read_url, app->config.db_pool_size,
                                    app->config.db_timeout_ms, app->config.statement_timeout_ms)) == NULL)
        goto out;
    if (app->db_read != NULL)
        db_pool_set_fallback(app->db_read, app->db);
    if ((app->schedule = schedule_start(app->config.database_url, app->config.search_window_articles)) == NULL)
        goto out;
    /* Announcements come from the primary, where every write commits; with a replica the
     * listener also keeps the WAL position its reads must have replayed (request_db), and
     * the primary's pool the position of this instance's own writes. */
    if (app->db_read != NULL)
        db_pool_track_commits(app->db);
    /* Probes answer from what this thread last found: they never wait on the database. */
    if ((app->readiness = readiness_start(app->config.database_url)) == NULL)
        goto out;
    if (!start_listening(app))
        goto out;
    /* Blocked before any thread starts, so that only sigwait below receives them. */
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    signal(SIGPIPE, SIG_IGN);
    if ((app->webhooks = start_webhooks(&app->config)) == NULL)
        goto out;
    if (!log_start_writer(app->config.log_flush_ms))
        log_message("warning", "no memory or thread for the log writer: each line is written at once");
    daemon = http_start(app);
    if (daemon == NULL)
        goto out;
    log_message("info", "listening on %s:%u with %u threads", app->config.listen_addr,
                app->config.port, app->config.threads);
    sigwait(&stop_signals, &sig);
    atomic_store(&app->shutting_down, 1);
    log_message("info", "stopping on signal %d", sig);
    http_stop(daemon, app);
    rc = 0;
out:
    log_stop_writer();
    webhooks_stop(app->webhooks);
    app->webhooks = NULL;
    schedule_stop(app->schedule);
    app->schedule = NULL;
    readiness_stop(app->readiness);
    app->readiness = NULL;
    changes_stop(app->changes);
    cache_free(app->cache);
    token_store_free(app->tokens);
    db_pool_free(app->tokens_db);
    app->changes = NULL;
    app->cache = NULL;
    app->tokens = NULL;
    app->tokens_db = NULL;
    db_pool_free(app->db);
    db_pool_free(app->db_read);
    app->db = app->db_read = NULL;
    return rc;
}

int main(int argc, char **argv)
{
    static struct app app;
    char err[512];
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout, argc >= 2);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("khabar %s\n", KHABAR_VERSION);
        return 0;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "serve") != 0 && strcmp(cmd, "migrate") != 0 && strcmp(cmd, "import") != 0 &&
        strcmp(cmd, "token") != 0) {
        fprintf(stderr, "khabar: unknown command \"%s\"\n", cmd);
        usage(stderr, false);
        return 2;
    }
    if (strcmp(cmd, "import") == 0 && argc != 3) {
        fprintf(stderr, "khabar: import needs one file name\n");
        return 2;
    }
    if (config_load(&app.config, err, sizeof err) < 0) {
        fprintf(stderr, "khabar: %s\n", err);
        return 2;
    }
    int rc;
    if (strcmp(cmd, "serve") == 0)
        rc = run_serve(&app);
    else if (strcmp(cmd, "migrate") == 0)
        rc = run_migrate(&app.config);
    else if (strcmp(cmd, "token") == 0)
        rc = token_command(argc - 2, argv + 2, &app.config, stdout, stderr);
    else
        rc = import_file(argv[2], &app.config, stdout, stderr);
    config_free(&app.config);
    return rc;
}
