"""harness.py: runs khabar for black-box tests: a private PostgreSQL, servers, soft checks, the test data helpers.

Python 3 standard library only. The pytest fixtures of conftest.py set it up for each test file:

    h = Harness("build/khabar")
    h.setup()                      # PostgreSQL, `khabar migrate`, `khabar serve`, wait for /healthz
    r = request("GET", "/v1/articles")
    check(r.status == 200, "list answers 200", r.brief())
    srv = h.start_server(extra={"CORS_ORIGINS": "*"})   # another server on the same database
    ...
    h.cleanup()

check() records a failed check and lets the caller go on (conftest fails the test at its end).
HTTP itself (requests, raw sockets, parsing, problem+json) is in http_client.py. Everything started here (servers, PostgreSQL, temp dirs) is stopped
and removed at the end, on failure too (cleanup() in the caller plus atexit here).
"""
import atexit
import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse

from http_client import build_request, exchange, http_request, parse_response, problem_issues

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PG_SH = os.path.join(REPO_ROOT, "scripts", "pg.sh")

# The tokens and limits the default server is started with.
TOKEN_1 = "test-token-1"
TOKEN_2 = "test-token-2"
MAX_BODY_BYTES = 65536
CORS_ORIGIN = "https://front.example"

# Configuration variables of khabar; removed from the inherited environment so that the
# caller's shell cannot change what the tests see.
CONFIG_VARS = ("DATABASE_URL", "DATABASE_READ_URL", "PORT", "LISTEN_ADDR", "API_TOKENS", "CORS_ORIGINS",
               "TRUSTED_PROXIES", "MAX_BODY_BYTES", "MAX_BODY_MEMORY", "THREADS", "DB_POOL_SIZE", "DB_JOBS", "SEARCH_JOBS",
               "CACHE_BYTES", "LOG_FORMAT", "PER_CLIENT_CONNECTIONS", "MAX_CONNECTIONS", "MAX_HEADER_BYTES",
               "TRUSTED_PROXY_HEADER", "IPV6_CLIENT_PREFIX",
               "HEADER_TIMEOUT", "REQUEST_TIMEOUT", "CONNECTION_TIMEOUT", "SHUTDOWN_TIMEOUT", "RATE_LIMIT",
               "RATE_BURST", "RATE_LIMIT_TOKENS", "DB_TIMEOUT", "STATEMENT_TIMEOUT", "MIGRATE_ON_START",
               "JOB_QUEUE_MAX", "JOB_QUEUE_TIMEOUT", "REVISIONS_KEEP")


class HarnessError(Exception):
    """Something the tests depend on (PostgreSQL, migrate, the server) could not be set up."""


# Five times the server's default LOG_FLUSH_MS: a line logged before is written by then.
LOG_SETTLE_S = 0.1


def log(msg):
    print("# " + msg.replace("\n", "\n# "), flush=True)


def free_port():
    """A TCP port that was free a moment ago on 127.0.0.1 (bind port 0, read it, close)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def tail(text, lines=40):
    return "\n".join(text.splitlines()[-lines:])


# ---------------------------------------------------------------------------------------
# soft checks

_failures = []


def check(cond, name, detail=""):
    """Records one assertion: prints `ok - name` or `FAIL - name: detail`; returns bool(cond)."""
    if cond:
        print("ok - " + name, flush=True)
        return True
    detail = str(detail)
    if len(detail) > 1500:
        detail = detail[:1500] + "...(cut)"
    _failures.append(name)
    print("FAIL - " + name + (": " + detail if detail else ""), flush=True)
    return False


def failures():
    return list(_failures)


# ---------------------------------------------------------------------------------------
# PostgreSQL through scripts/pg.sh

def psql(url, sql, timeout=60):
    """Runs sql (one or more statements) on url with psql; returns the unaligned output.
    Raises HarnessError when psql fails."""
    r = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)
    if r.returncode != 0:
        raise HarnessError("psql failed: %s" % r.stderr.strip())
    return r.stdout.strip()


class Postgres:
    """A private cluster in a temp dir, on a free port, started and stopped by scripts/pg.sh."""

    def __init__(self):
        self.dir = None
        self.port = None
        self.url = None
        self.running = False

    def _pg_sh(self, *args, timeout=180):
        if not os.path.exists(PG_SH):
            raise HarnessError("%s does not exist" % PG_SH)
        cmd = [PG_SH] if os.access(PG_SH, os.X_OK) else ["bash", PG_SH]
        return subprocess.run(cmd + list(args), cwd=REPO_ROOT, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)

    def start(self):
        """Starts the cluster (initialising it the first time); returns the DATABASE_URL."""
        if self.dir is None:
            self.dir = tempfile.mkdtemp(prefix="khabar-pg-")
            os.chmod(self.dir, 0o755)  # the postgres user must reach it when we are root
            self.port = free_port()
        self.running = True  # even a half-started cluster must be stopped
        r = self._pg_sh("start", self.dir, str(self.port))
        out = r.stdout.decode("utf-8", "replace")
        err = r.stderr.decode("utf-8", "replace")
        if r.returncode != 0:
            raise HarnessError("scripts/pg.sh start %s %s exited %d\nstdout:\n%s\nstderr:\n%s"
                               % (self.dir, self.port, r.returncode, tail(out), tail(err)))
        lines = [line.strip() for line in out.splitlines() if line.strip()]
        if not lines:
            raise HarnessError("scripts/pg.sh start printed no DATABASE_URL\nstderr:\n%s" % tail(err))
        self.url = lines[-1]
        return self.url

    def stop(self):
        """Stops the cluster; returns (exit status, output)."""
        if self.dir is None:
            return 0, ""
        r = self._pg_sh("stop", self.dir, timeout=120)
        self.running = False
        return r.returncode, (r.stdout + r.stderr).decode("utf-8", "replace")

    def cleanup(self):
        if self.dir is None:
            return
        if self.running:
            try:
                self.stop()
            except Exception as e:  # noqa: BLE001 - cleanup goes on
                log("pg.sh stop failed: %s" % e)
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None


# ---------------------------------------------------------------------------------------
# a khabar server process

class Server:
    """One `khabar serve` process on its own port, logging to a file."""

    def __init__(self, khabar, env, log_path, name, timeout):
        self.khabar = khabar
        self.env = env
        self.port = int(env["PORT"])
        self.log_path = log_path
        self.name = name
        self.timeout = timeout
        self.proc = None
        self.exit_status = None
        self._log_file = None

    def start(self, wait=30.0):
        self._log_file = open(self.log_path, "ab")
        self.proc = subprocess.Popen([self.khabar, "serve"], env=self.env, stdin=subprocess.DEVNULL,
                                     stdout=self._log_file, stderr=subprocess.STDOUT, cwd=REPO_ROOT)
        deadline = time.monotonic() + wait
        last = "no answer yet"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise HarnessError("server %s exited with status %s during start-up; log tail:\n%s"
                                   % (self.name, self.proc.returncode, self.log_tail()))
            try:
                r = self.request("GET", "/healthz", timeout=2)
                if r.status == 200:
                    return self
                last = r.brief()
            except (OSError, http.client.HTTPException) as e:
                last = repr(e)
            time.sleep(0.1)
        raise HarnessError("server %s: GET /healthz did not answer 200 within %.0f s (last: %s); log tail:\n%s"
                           % (self.name, wait, last, self.log_tail()))

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log_text(self):
        """The server's log so far; while it runs, after the time a line may wait in its log
        writer (LOG_FLUSH_MS, 20 ms by default), so that what it logged before is there."""
        if self.alive():
            time.sleep(LOG_SETTLE_S)
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def log_tail(self, lines=40):
        return tail(self.log_text(), lines)

    def stop(self, timeout=10.0):
        """SIGTERM, wait up to timeout; then SIGKILL. Returns (exit status or None if it had to be killed, seconds)."""
        if self.proc is None:
            return None, 0.0
        t0 = time.monotonic()
        if self.proc.poll() is None:
            try:
                self.proc.send_signal(signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self.exit_status = None
                self._close_log()
                return None, time.monotonic() - t0
        self.exit_status = self.proc.returncode
        self._close_log()
        return self.exit_status, time.monotonic() - t0

    def _close_log(self):
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    # --- HTTP -----------------------------------------------------------------------

    def request(self, method, path, body=None, headers=None, token=None, encoded=False, timeout=None,
                src=None, safe="/?&="):
        """One request on a new connection (see http_request); returns a Response."""
        return http_request(self.port, method, path, body=body, headers=headers, token=token,
                            encoded=encoded, timeout=timeout or self.timeout, src=src, safe=safe)

    def raw_request(self, data, timeout=None, head=False):
        """Sends data over a plain socket and returns every response byte received (see exchange)."""
        return exchange(self.port, data, timeout=timeout or self.timeout, head=head)

    def raw(self, method, target, headers=None, body=None, chunked=False, chunk_size=4096, timeout=None):
        """A request built by hand (see build_request), sent with raw_request; the answer parsed."""
        data = build_request(self.port, method, target, headers=headers, body=body, chunked=chunked,
                             chunk_size=chunk_size)
        head = method == "HEAD"
        return parse_response(self.raw_request(data, timeout=timeout, head=head), head=head)


def send(srv, method, path, body=None, headers=None, token=None, src=None, encoded=False, timeout=None):
    """One request to srv on a new connection from source address src (default 127.0.0.1);
    a '%' in path is taken as already percent-encoded."""
    return srv.request(method, path, body=body, headers=headers, token=token, encoded=encoded,
                       timeout=timeout, src=src, safe="/?&=%")


def raw_parse(srv, data, head=False, timeout=None):
    """Sends the bytes data to srv and parses the answer."""
    return parse_response(srv.raw_request(data, timeout=timeout, head=head), head=head)


def art(title, body="نص المقال للاختبار.", **fields):
    """An article object for a POST: title, body and any other fields."""
    d = {"title": title, "body": body}
    d.update(fields)
    return d


def qs(**params):
    """A query string with UTF-8 percent-encoding (spaces as %20, never '+')."""
    return urllib.parse.urlencode(params, quote_via=urllib.parse.quote)


def post_article(srv, obj, token=TOKEN_1, name=None):
    """POSTs an article to srv (the default server when None) that must be created; returns the
    Response (raises if not 201)."""
    r = send(srv or _default_server, "POST", "/v1/articles", body=obj, token=token)
    if r.status != 201 or not isinstance(r.json, dict) or "id" not in r.json:
        raise AssertionError("creating %s: %s" % (name or repr(obj.get("title"))[:80], r.brief()))
    return r


def create(srv, obj):
    """post_article, returning the created article."""
    return post_article(srv, obj).json


def list_all(srv, limit=100, path="/v1/articles", **params):
    """Every item of a paged collection of srv (the default server when None), following
    next_cursor."""
    items = []
    cursor = None
    for _ in range(1000):
        p = dict(params)
        if limit:
            p["limit"] = limit
        if cursor:
            p["cursor"] = cursor
        sep = "&" if "?" in path else "?"
        r = send(srv or _default_server, "GET", path + (sep + qs(**p) if p else ""), encoded=True)
        if r.status != 200 or not isinstance(r.json, dict) or not isinstance(r.json.get("data"), list):
            raise AssertionError("listing %s: %s" % (path, r.brief()))
        items.extend(r.json["data"])
        cursor = r.json.get("next_cursor")
        if not cursor:
            return items
    raise AssertionError("listing %s: more than 1000 pages" % path)


def get_article(srv, ident):
    """The article ident (an id or a slug) as srv (the default server when None) serves it
    (raises if not 200)."""
    r = send(srv or _default_server, "GET", "/v1/articles/%s" % ident)
    if r.status != 200 or not isinstance(r.json, dict):
        raise AssertionError("GET /v1/articles/%s: %s" % (ident, r.brief()))
    return r.json


def note(msg):
    """A line worth reading that no check fails on."""
    print("# note: " + msg, flush=True)


def expect_problem(r, status, name, ptype=None):
    """Soft checks that r is a well-formed problem answer with this status (and type suffix)."""
    ok = check(r.status == status, "%s -> %d" % (name, status), r.brief())
    if ptype is not None:
        t = r.json.get("type") if isinstance(r.json, dict) else None
        check(isinstance(t, str) and (t == ptype or t.endswith(ptype)),
              "%s: problem type %s" % (name, ptype), "type %r; %s" % (t, r.brief(200)))
    issues = problem_issues(r)
    check(not issues, "%s: well-formed problem+json" % name, "; ".join(issues))
    return ok


def access_lines(srv):
    """The access-log lines (JSON objects with a request_id) of a LOG_FORMAT=json server."""
    out = []
    for line in srv.log_text().splitlines():
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj, dict) and "request_id" in obj:
            out.append(obj)
    return out


def log_entry(servers, request_id, wait=2.0):
    """The access-log line of one request in any of servers' logs (a server or a list);
    the log is written after the answer, so this waits a little. None when absent."""
    servers = servers if isinstance(servers, (list, tuple)) else [servers]
    deadline = time.monotonic() + wait
    while True:
        for srv in servers:
            for obj in access_lines(srv):
                if obj.get("request_id") == request_id:
                    return obj
        if time.monotonic() > deadline:
            return None
        time.sleep(0.05)


def database_before_migration(h, name, version):
    """A new database beside h's with the migrations before version applied, recorded as khabar
    migrate records them (so that `khabar migrate` then applies only the later ones); its URL."""
    psql(h.pg.url, "DROP DATABASE IF EXISTS %s WITH (FORCE)" % name)
    psql(h.pg.url, "CREATE DATABASE %s" % name)
    url = h.pg.url.rsplit("/", 1)[0] + "/" + name
    psql(url, "CREATE TABLE schema_migrations (version text PRIMARY KEY, checksum text NOT NULL,"
              " applied_at timestamptz NOT NULL DEFAULT now())")
    folder = os.path.join(REPO_ROOT, "migrations")
    for f in sorted(os.listdir(folder)):
        if not f.endswith(".sql") or f[:4] >= version:
            continue
        with open(os.path.join(folder, f), "rb") as src:
            text = src.read()
        psql(url, text.decode())
        psql(url, "INSERT INTO schema_migrations (version, checksum) VALUES ('%s', '%s')"
             % (f, hashlib.sha256(text).hexdigest()))
    return url


def metric_value(srv, name):
    """One sample of srv's /metrics by its name and labels as written; -1 when absent."""
    m = re.search(r"^%s (\d+)$" % re.escape(name), srv.request("GET", "/metrics").text, re.M)
    return int(m.group(1)) if m else -1


def wait_until(fn, seconds):
    """True as soon as fn() is, polled every 50 ms; after seconds, what fn() says last."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if fn():
            return True
        time.sleep(0.05)
    return fn()


class TableLock:
    """`LOCK TABLE table IN ACCESS EXCLUSIVE MODE` held by a psql session of url for the length of a
    with block (granted when the block starts), so that every statement on the table waits."""

    def __init__(self, url, table):
        self.url, self.table, self.proc = url, table, None

    def __enter__(self):
        self.proc = subprocess.Popen(["psql", "-X", "-q", "-d", self.url], stdin=subprocess.PIPE,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)
        self.proc.stdin.write("BEGIN;\nLOCK TABLE %s IN ACCESS EXCLUSIVE MODE;\n" % self.table)
        self.proc.stdin.flush()
        granted = "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation " \
                  "WHERE c.relname = '%s' AND l.mode = 'AccessExclusiveLock' AND l.granted" % self.table
        if not wait_until(lambda: psql(self.url, granted) == "1", 10):
            self.__exit__()
            raise HarnessError("the lock on %s was not granted within 10 s" % self.table)
        return self

    def waiters(self):
        """How many of khabar's statements wait for a lock now."""
        return int(psql(self.url, "SELECT count(*) FROM pg_stat_activity "
                                  "WHERE application_name = 'khabar' AND wait_event_type = 'Lock'"))

    def __exit__(self, *exc):
        try:
            self.proc.stdin.write("ROLLBACK;\n\\q\n")
            self.proc.stdin.close()
        except OSError:
            pass
        self.proc.wait(10)


class Threads:
    """Threads running self.run(i) (i = 0..n-1) for the length of a with block; run
    loops until self.stop_flag is set."""

    def __init__(self, n):
        self.stop_flag = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.run, args=(i,)) for i in range(n)]

    def run(self, i):
        raise NotImplementedError

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop_flag.set()
        for t in self.threads:
            t.join()


# ---------------------------------------------------------------------------------------
# the whole set-up

_default_server = None


def request(method, path, body=None, headers=None, token=None, encoded=False, timeout=None):
    """request() on the default server (see Server.request)."""
    return _default_server.request(method, path, body=body, headers=headers, token=token,
                                   encoded=encoded, timeout=timeout)


def api_url():
    """Where the default server says it is reached (PUBLIC_API_URL's default): the start of
    the absolute links it gives."""
    return "http://localhost:%d" % _default_server.port


def raw_request(data, timeout=None, head=False):
    """raw_request() on the default server: bytes in, all response bytes out."""
    return _default_server.raw_request(data, timeout=timeout, head=head)


def raw(method, target, headers=None, body=None, chunked=False, chunk_size=4096, timeout=None):
    """raw() on the default server: a hand-built request, parsed answer."""
    return _default_server.raw(method, target, headers=headers, body=body, chunked=chunked,
                               chunk_size=chunk_size, timeout=timeout)


class Harness:
    def __init__(self, khabar):
        self.khabar = os.path.abspath(khabar)
        # A sanitizer build starts and answers more slowly.
        self.sanitized = "san" in os.path.relpath(self.khabar, REPO_ROOT).split(os.sep)[:-1] or \
            "/san/" in self.khabar
        self.http_timeout = 30.0 if self.sanitized else 15.0
        self.start_wait = 60.0 if self.sanitized else 30.0
        self.pg = Postgres()
        self.workdir = tempfile.mkdtemp(prefix="khabar-it-")
        os.chmod(self.workdir, 0o755)
        self.servers = []
        self.server = None
        self._cleaned = False
        atexit.register(self.cleanup)

    def env(self, extra=None, unset=()):
        """The inherited environment without khabar's settings, plus DATABASE_URL and extra."""
        env = {k: v for k, v in os.environ.items() if k not in CONFIG_VARS}
        if self.pg.url:
            env["DATABASE_URL"] = self.pg.url
        env.update(extra or {})
        for k in unset:
            env.pop(k, None)
        return env

    def run_cli(self, args, timeout=120, env_extra=None, unset=()):
        """Runs `khabar ARGS`; returns a CompletedProcess with text stdout/stderr."""
        return subprocess.run([self.khabar] + list(args), env=self.env(env_extra, unset), cwd=REPO_ROOT,
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=timeout, text=True, encoding="utf-8", errors="replace")

    def default_server_env(self):
        return {
            "PORT": str(free_port()),
            "LISTEN_ADDR": "127.0.0.1",
            "API_TOKENS": "%s,%s" % (TOKEN_1, TOKEN_2),
            "MAX_BODY_BYTES": str(MAX_BODY_BYTES),
            "RATE_LIMIT": "0",  # the suite sends hundreds of requests a second; limits are tested apart
            "CORS_ORIGINS": CORS_ORIGIN,
            "LOG_FORMAT": "json",
        }

    def start_server(self, extra=None, unset=(), name=None):
        """Starts `khabar serve` with the default settings changed by extra and without unset;
        waits for GET /healthz to answer 200. The server is stopped by cleanup() if still running."""
        extra_env = self.default_server_env()
        extra_env.update(extra or {})
        for k in unset:
            extra_env.pop(k, None)
        name = name or "server%d" % (len(self.servers) + 1)
        env = self.env(extra_env, unset)
        srv = Server(self.khabar, env, os.path.join(self.workdir, name + ".log"), name, self.http_timeout)
        self.servers.append(srv)
        return srv.start(self.start_wait)

    def psql(self, sql, timeout=60):
        """psql() on this harness's database."""
        return psql(self.pg.url, sql, timeout=timeout)

    def setup(self):
        """PostgreSQL, `khabar migrate` (must exit 0), the default server. Raises HarnessError."""
        global _default_server
        if not os.path.exists(self.khabar):
            raise HarnessError("%s does not exist (build it first)" % self.khabar)
        t0 = time.monotonic()
        self.pg.start()
        log("PostgreSQL on port %d in %s (%.1f s)" % (self.pg.port, self.pg.dir, time.monotonic() - t0))
        r = self.run_cli(["migrate"])
        if not check(r.returncode == 0, "khabar migrate exits 0",
                     "exit %d\nstdout:\n%s\nstderr:\n%s" % (r.returncode, tail(r.stdout), tail(r.stderr))):
            raise HarnessError("khabar migrate failed")
        self.server = self.start_server(name="main")
        _default_server = self.server
        log("khabar serving on 127.0.0.1:%d (log %s)" % (self.server.port, self.server.log_path))
        return self.server

    def restart_main(self):
        """Starts a new default server (after the old one died); returns it."""
        global _default_server
        n = sum(1 for s in self.servers if s.name.startswith("main"))
        self.server = self.start_server(name="main%d" % (n + 1))
        _default_server = self.server
        log("khabar restarted on 127.0.0.1:%d (log %s)" % (self.server.port, self.server.log_path))
        return self.server

    def cleanup(self):
        """Stops every server still running and PostgreSQL, removes the temp dirs. Idempotent."""
        if self._cleaned:
            return
        self._cleaned = True
        for srv in self.servers:
            try:
                if srv.alive():
                    srv.stop(5.0)
            except Exception as e:  # noqa: BLE001 - cleanup goes on
                log("stopping %s: %s" % (srv.name, e))
        self.pg.cleanup()
        if os.environ.get("KHABAR_TEST_KEEP"):
            log("kept %s" % self.workdir)
        else:
            shutil.rmtree(self.workdir, ignore_errors=True)


def check_shutdown(h):
    """Soft checks that h's default server, still running, stops within the limit on SIGTERM and
    exits 0 (no leaks under ASan); then starts a new default server for whatever runs next."""
    srv = h.server
    check(srv.alive(), "server still running before shutdown", "exit status %r" % (srv.proc.poll(),))
    limit = 30.0 if h.sanitized else 10.0
    status, secs = srv.stop(limit)
    check(status is not None, "SIGTERM stops the server within %.0f s" % limit,
          "killed after %.1f s; log tail:\n%s" % (secs, srv.log_tail(30)))
    check(status == 0, "server exits 0 after SIGTERM (no leaks under ASan)",
          "status %r after %.1f s; log tail:\n%s" % (status, secs, srv.log_tail(40)))
    h.restart_main()


def server_answers(srv):
    """True when the server is alive and answers /healthz; a hung server is killed."""
    for _ in range(2):
        if not srv.alive():
            return False
        try:
            if srv.request("GET", "/healthz", timeout=5).status == 200:
                return True
        except OSError:
            pass
        time.sleep(0.5)
    deadline = time.monotonic() + 5  # a sanitizer may still be writing its report
    while srv.alive() and time.monotonic() < deadline:
        time.sleep(0.1)
    if srv.alive():
        srv.proc.kill()
        srv.proc.wait()
    return False
