"""test_operations.py: operations: the CLI, migrations, the seed, probes and metrics, logs and X-Request-Id, configuration errors, database outages, shutdown."""
import json
import os
import re
import subprocess
import threading
import time

import pytest

import harness
from harness import (REPO_ROOT, TOKEN_1, TOKEN_2, art, check, create, expect_problem, get_article, list_all,
                     metric_value, raw, raw_parse, request, send, wait_until)
from http_client import Response, problem_type

PESKOV_TITLE = "بيسكوف: الاستعدادات جارية لزيارة بوتين إلى كوريا الشمالية"
PESKOV_SLUG = "بيسكوف-الاستعدادات-جارية-لزيارة-بوتين-إلى-كوريا-الشمالية"
KOREA_KEHEH = "کوریا الشمالیة"  # Persian Keheh U+06A9 and Farsi Yeh U+06CC
KOREA_SLUG = "كوريا-الشمالية"


# ---------------------------------------------------------------------------------------
# the command line and migrations

def test_cli(khabar):
    r = khabar.run_cli(["--help"])
    out = r.stdout + r.stderr
    check(r.returncode == 0, "khabar --help exits 0", "exit %d: %s" % (r.returncode, out[-500:]))
    for word in ("serve", "migrate", "import"):
        check(word in out, "khabar --help mentions %s" % word, out[-800:])
    r = khabar.run_cli(["--version"])
    out = r.stdout + r.stderr
    check(r.returncode == 0 and out.strip() != "", "khabar --version exits 0 and prints a version",
          "exit %d: %r" % (r.returncode, out[-300:]))
    r = khabar.run_cli(["frobnicate"])
    out = r.stdout + r.stderr
    check(r.returncode != 0, "unknown subcommand exits non-zero", "exit %d: %r" % (r.returncode, out[-300:]))
    check(out.strip() != "", "unknown subcommand says something", "no output")
    r = khabar.run_cli(["migrate"])
    check(r.returncode == 0, "khabar migrate a second time exits 0 (idempotent)",
          "exit %d: %s" % (r.returncode, (r.stdout + r.stderr)[-800:]))
    r = khabar.run_cli(["import", os.path.join(khabar.workdir, "does-not-exist.ndjson")])
    check(r.returncode != 0, "khabar import of a missing file exits non-zero",
          "exit %d: %s" % (r.returncode, (r.stdout + r.stderr)[-300:]))


@pytest.fixture(scope="module")
def race_db(khabar):
    """A new database that three `khabar migrate` migrated at once: (env, processes, outputs)."""
    url = khabar.pg.url
    other = url.rsplit("/", 1)[0] + "/khabar_race"
    khabar.psql("DROP DATABASE IF EXISTS khabar_race")
    khabar.psql("CREATE DATABASE khabar_race")
    env = dict(khabar.env(), DATABASE_URL=other)
    procs = [subprocess.Popen([khabar.khabar, "migrate"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True) for _ in range(3)]
    outs = [p.communicate(timeout=120)[0] for p in procs]
    yield env, procs, outs
    khabar.psql("DROP DATABASE khabar_race")


def test_concurrent_migrations(race_db):
    """Two instances migrating one new database at once: the advisory lock serializes them."""
    env, procs, outs = race_db
    check(all(p.returncode == 0 for p in procs), "three `khabar migrate` at once on a new database all exit 0",
          " | ".join(outs))
    applied = sum(o.count("applied ") for o in outs)
    check(applied == int(harness.psql(env["DATABASE_URL"], "SELECT count(*) FROM schema_migrations")),
          "each migration was applied by exactly one of them", " | ".join(outs))


def test_changed_migration_refused(khabar, race_db):
    """A migration changed after it was applied is refused, with a message that says so."""
    env = race_db[0]
    harness.psql(env["DATABASE_URL"],
                 "UPDATE schema_migrations SET checksum = 'x' || checksum WHERE version = '0001_articles.sql'")
    r = subprocess.run([khabar.khabar, "migrate"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=60)
    check(r.returncode != 0, "a changed applied migration makes `khabar migrate` fail", r.stdout + r.stderr)
    check("0001_articles.sql" in r.stderr and "changed" in r.stderr,
          "the refusal names the migration and says it was changed", r.stderr)
    r = subprocess.run([khabar.khabar, "serve"], env=dict(env, MIGRATE_ON_START="1", PORT="0"),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
    check(r.returncode != 0, "MIGRATE_ON_START=1 with a changed migration: serve refuses to start",
          "exit %d" % r.returncode)


def test_seed(khabar):
    path = os.path.join(REPO_ROOT, "seed", "sample.ndjson")
    assert check(os.path.exists(path), "seed/sample.ndjson exists", path)
    n0 = len(list_all(khabar.server))
    r = khabar.run_cli(["import", path])
    out = r.stdout + r.stderr
    check(r.returncode == 0, "khabar import seed/sample.ndjson exits 0", "exit %d: %s" % (r.returncode, out[-800:]))
    items = list_all(khabar.server)
    check(len(items) == n0 + 2, "seed import adds 2 articles", "before %d, after %d" % (n0, len(items)))
    peskov = [a for a in items if a.get("title") == PESKOV_TITLE] or \
        [a for a in items if str(a.get("title", "")).startswith("بيسكوف")]
    assert check(len(peskov) == 1, "seed holds one Peskov article", [a.get("title") for a in items])
    a = get_article(khabar.server, peskov[0]["id"])
    tags = a.get("tags") or []
    check(len(tags) == 7, "seed Peskov article has 7 tags", tags)
    korea = [t for t in tags if t.get("slug") == KOREA_SLUG]
    check(len(korea) == 1 and korea[0].get("name") == KOREA_KEHEH,
          "seed tag %s has slug %s and keeps its first spelling" % (KOREA_KEHEH, KOREA_SLUG), tags)
    check(a.get("sources") == ["تاس", "RT Arabic"], "seed Peskov sources are [تاس, RT Arabic] in order",
          a.get("sources"))
    check(a.get("published_at") == "2024-05-19T00:00:00Z", "seed Peskov published_at 2024-05-19T00:00:00Z",
          a.get("published_at"))
    rel = a.get("related") or []
    check(len(rel) == 1, "seed Peskov has one related article", rel)
    if rel:
        other = rel[0]
        check(set(other) >= {"id", "slug", "title", "published_at"} and other.get("id") != a.get("id")
              and any(x.get("id") == other.get("id") for x in items),
              "seed related item is the other seed article with id, slug, title, published_at", other)
        check("ترامب" in str(other.get("title")), "seed related article is the Trump article", other)
    r = request("GET", "/v1/articles/" + PESKOV_SLUG)
    check(r.status == 200 and r.json.get("id") == a.get("id"),
          "seed Peskov article is found by the slug made from its title", r.brief(200))


# ---------------------------------------------------------------------------------------
# probes, metrics, the specification

def test_probes(khabar):
    r = request("GET", "/healthz")
    check(r.status == 200 and isinstance(r.json, dict) and r.json.get("status") == "ok",
          "GET /healthz -> 200 {\"status\":\"ok\"}", r.brief())
    check(bool(r.header("x-request-id")), "/healthz has X-Request-Id", r.headers)
    r = request("GET", "/readyz")
    check(r.status == 200, "GET /readyz -> 200", r.brief())
    r = request("GET", "/openapi.yaml")
    check(r.status == 200 and r.body.startswith(b"openapi: 3.1"), "GET /openapi.yaml -> 200 starting 'openapi: 3.1'",
          r.brief(100))
    r = request("HEAD", "/healthz")
    check(r.status == 200, "HEAD /healthz -> 200", r.brief())


def in_background(fn, *args):
    """Runs fn(*args) on a thread; returns (thread, results): results gets fn's answer or error."""
    results = []

    def run():
        try:
            results.append(fn(*args))
        except OSError as e:
            results.append(e)
    t = threading.Thread(target=run)
    t.start()
    return t, results


def test_probes_answer_while_requests_wait_on_the_database(khabar, start_server, article):
    """Every job thread and pooled connection waiting on a locked table: /healthz, /readyz and a
    cached read, on the same HTTP thread, still answer at once (the readiness check runs apart)."""
    srv = start_server(name="busy-pool", THREADS=1, DB_JOBS=2, DB_POOL_SIZE=2, DB_TIMEOUT=5000,
                        STATEMENT_TIMEOUT=30000)
    cached = "/v1/articles/%d" % article["id"]
    check(wait_until(lambda: srv.request("GET", "/readyz").status == 200, 10), "the server turns ready", "")
    check(wait_until(lambda: metric_value(srv, "khabar_cache_enabled") == 1, 10), "its cache is on", "")
    hits = metric_value(srv, "khabar_cache_hits_total")
    srv.request("GET", cached)
    srv.request("GET", cached)
    check(metric_value(srv, "khabar_cache_hits_total") == hits + 1, "the article is in the answer cache", "")
    waiters = []
    with harness.TableLock(khabar.pg.url, "articles") as lock:
        # two lists, one per job thread and pooled connection, wait on the lock: the second sent once
        # the first waits (two lists queued at once would be taken together by one thread)
        for n in (1, 2):
            waiters.append(in_background(timed_get, srv, "/v1/articles?limit=%d" % n, 60))
            check(wait_until(lambda: lock.waiters() == n, 10), "job thread %d waits on the locked table" % n,
                  lock.waiters())
        # a readiness probe first: one that waits for a pooled connection holds the HTTP thread
        first = in_background(timed_get, srv, "/readyz", 10)
        time.sleep(0.2)
        for path in ("/healthz", "/readyz", cached):
            got, secs = timed_get(srv, path, timeout=10)
            check(isinstance(got, Response) and got.status == 200 and secs < 0.5,
                  "every job thread busy: GET %s -> 200 within 0.5 s (%.2f s)" % (path, secs), brief(got))
        first[0].join()
        got, secs = first[1][0]
        check(isinstance(got, Response) and got.status == 200 and secs < 0.5,
              "and the first /readyz -> 200 within 0.5 s (%.2f s)" % secs, brief(got))
    for t, results in waiters:
        t.join()
        got = results[0][0] if results else None
        check(isinstance(got, Response) and got.status == 200, "the lists waiting on the lock are answered once it goes",
              brief(got))


METRIC_NAME = re.compile(r"^khabar_[a-z][a-z0-9_]*$")
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})? (-?[0-9.e+-]+|\+Inf|NaN)$')
METRIC_FAMILIES = ("khabar_http_requests_total", "khabar_http_request_duration_seconds",
                   "khabar_http_requests_in_flight", "khabar_db_connections_in_use", "khabar_db_connections_idle",
                   "khabar_db_connects_total", "khabar_db_connect_failures_total", "khabar_db_errors_total")


def test_background_threads_connect_under_their_own_names(khabar, start_server):
    """The schedule and readiness threads hold connections of their own, named apart in
    pg_stat_activity, so an operator (or a test counting requests waiting on a lock) can tell
    the requests' connections ("khabar") from theirs."""
    srv = start_server(name="named-threads")
    check(wait_until(lambda: srv.request("GET", "/readyz").status == 200, 10), "the server turns ready", "")
    names = lambda: set(khabar.psql("SELECT DISTINCT application_name FROM pg_stat_activity"
                                    " WHERE application_name LIKE 'khabar%'").split())
    check(wait_until(lambda: {"khabar-schedule", "khabar-readiness", "khabar-tokens"} <= names(), 10),
          "pg_stat_activity names the schedule, readiness and token-reading connections", names())
    srv.request("GET", "/v1/articles?limit=1")
    check("khabar" in names(), "a request's connection is named khabar", names())


def parse_metrics(text):
    """{family: {"type": t, "help": h, "samples": [(name, {labels}, value)]}} or raises ValueError."""
    fams = {}
    for line in text.splitlines():
        if not line:
            continue
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            parts = line.split(" ", 3)
            fams.setdefault(parts[2], {"samples": []})["help" if parts[1] == "HELP" else "type"] = parts[3]
            continue
        m = SAMPLE.match(line)
        if not m:
            raise ValueError("not a sample line: %r" % line)
        name, labels = m.group(1), {}
        if m.group(3):
            for kv in re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', m.group(3)):
                labels[kv[0]] = kv[1]
        fam = re.sub(r"_(bucket|sum|count)$", "", name) if name not in fams else name
        if fam not in fams:
            raise ValueError("sample %s before its # TYPE" % name)
        fams[fam]["samples"].append((name, labels, float(m.group(4))))
    return fams


def requests_of(text, route):
    """khabar_http_requests_total{route=ROUTE,status="200"} in a /metrics text; 0 when absent."""
    m = re.search(r'^khabar_http_requests_total\{route="%s",status="200"\} (\d+)$' % route, text, re.M)
    return int(m.group(1)) if m else 0


def test_every_route_is_counted_under_its_name(khabar):
    """Each route of the table has its own series, the last ones too, and statuses such as 406
    and 410 their own label (not "other")."""
    for path in ("/robots.txt", "/openapi.yaml", "/v1/feeds/rss", "/v1/sitemaps/index.xml", "/v1/sections"):
        request("GET", path)
    a = harness.create(None, harness.art("مقال لعد الطلبات"))
    request("GET", "/v1/articles/%d" % a["id"], headers={"Accept": "text/html"})
    text = request("GET", "/metrics").text
    for name in ("robots", "openapi", "feeds_get", "sitemaps_get", "sections_list"):
        check(requests_of(text, name) >= 1, "requests to %s are counted under its name" % name,
              requests_of(text, name))
    check(re.search(r'^khabar_http_requests_total\{route="articles_get",status="406"\} 1$', text, re.M),
          "a 406 is counted as 406", [l for l in text.splitlines() if 'route="articles_get"' in l][:8])


def test_metrics(khabar):
    """/metrics in the Prometheus text format: names, HELP and TYPE, counters, the request histogram."""
    r = request("GET", "/metrics")
    check(r.status == 200, "GET /metrics -> 200", r.brief())
    check(r.header("content-type").startswith("text/plain"), "/metrics is text/plain", r.header("content-type"))
    before = r.text
    for _ in range(7):
        request("GET", "/v1/articles?limit=1")
    text = request("GET", "/metrics").text
    try:
        fams = parse_metrics(text)
        parse_metrics(before)
        parsed = True
    except ValueError as e:
        fams, parsed = {}, False
        check(False, "/metrics parses as Prometheus text", str(e))
    check(parsed, "/metrics is Prometheus text: HELP, TYPE, then samples", text[:300])
    for fam, f in fams.items():
        check(METRIC_NAME.match(fam) is not None and f.get("help") and f.get("type"),
              "metric %s: khabar_ name, HELP and TYPE" % fam, f.get("type"))
        if f.get("type") == "counter":
            check(fam.endswith("_total"), "counter %s ends in _total" % fam, fam)
    for want in METRIC_FAMILIES:
        check(want in fams, "/metrics has %s" % want, sorted(fams))
    hist = fams.get("khabar_http_request_duration_seconds", {"samples": []})
    check(hist.get("type") == "histogram", "request duration is a histogram", hist.get("type"))
    route = "articles_list"
    buckets = [(float(lb["le"].replace("+Inf", "inf")), v) for n, lb, v in hist["samples"]
               if n.endswith("_bucket") and lb.get("route") == route]
    count = [v for n, lb, v in hist["samples"] if n.endswith("_count") and lb.get("route") == route]
    check(buckets and all(b[1] <= c[1] for b, c in zip(sorted(buckets), sorted(buckets)[1:]))
          and count and sorted(buckets)[-1][1] == count[0],
          "the %s histogram is cumulative and +Inf equals _count" % route, buckets)
    # a request is counted once its answer is sent: the last may not be counted yet
    deadline = time.monotonic() + 2
    while requests_of(text, route) - requests_of(before, route) < 7 and time.monotonic() < deadline:
        time.sleep(0.05)
        text = request("GET", "/metrics").text
    check(requests_of(text, route) - requests_of(before, route) == 7,
          "khabar_http_requests_total{route=%s,status=200} grew by exactly the 7 requests" % route,
          (requests_of(before, route), requests_of(text, route)))


# ---------------------------------------------------------------------------------------
# X-Request-Id

@pytest.fixture(scope="module")
def article(khabar):
    """One article on the default server."""
    return create(khabar.server, art("مقال اختبار التشغيل"))


def test_request_id_echoed(khabar):
    for what, method, path in (("200", "GET", "/v1/articles?limit=1"), ("404", "GET", "/v1/articles/999999999"),
                               ("405", "DELETE", "/v1/tags"), ("400", "GET", "/v1/articles?limit=0")):
        r = request(method, path, headers={"X-Request-Id": "abc-123"})
        check(r.header("x-request-id") == "abc-123", "sane X-Request-Id echoed on a %s" % what,
              r.header("x-request-id"))
    r = request("POST", "/v1/articles", body=art("مقال بمعرف طلب"), token=TOKEN_1, headers={"X-Request-Id": "abc-123"})
    check(r.status == 201 and r.header("x-request-id") == "abc-123", "sane X-Request-Id echoed on a 201",
          r.header("x-request-id"))
    a = request("GET", "/healthz").header("x-request-id")
    b = request("GET", "/healthz").header("x-request-id")
    check(a and b and a != b, "generated request ids differ", (a, b))


REQUEST_ID_CASES = [("GET", "/v1/articles/{id}", None, None), ("GET", "/v1/articles/999999999", None, None),
                    ("GET", "/v1/articles?limit=abc", None, None), ("TRACE", "/v1/articles", None, None),
                    ("POST", "/v1/articles", None, art("x")), ("POST", "/v1/articles", TOKEN_1, b"{bad json"),
                    ("POST", "/v1/articles", TOKEN_1, {"title": ""}), ("OPTIONS", "/v1/articles", None, None),
                    ("GET", "/healthz", None, None), ("GET", "/metrics", None, None),
                    ("GET", "/nowhere", None, None), ("HEAD", "/v1/tags", None, None)]


@pytest.mark.parametrize("method,path,token,body", REQUEST_ID_CASES)
def test_request_id_on_every_answer(khabar, article, method, path, token, body):
    srv = khabar.server
    path = path.replace("{id}", str(article["id"]))
    r = send(srv, method, path, token=token, body=body)
    check(re.match(r"^[A-Za-z0-9._:-]{8,64}$", r.header("x-request-id")) is not None,
          "X-Request-Id on %s %s (%d)" % (method, path, r.status), r.header("x-request-id"))
    r = send(srv, method, path, token=token, body=body, headers={"X-Request-Id": "sec-test.42:a_b"})
    check(r.header("x-request-id") == "sec-test.42:a_b", "a sane X-Request-Id is echoed on %s %s" % (method, path),
          r.header("x-request-id"))


def test_request_id_on_304_and_413(khabar, article):
    srv = khabar.server
    et = send(srv, "GET", "/v1/articles/%d" % article["id"]).header("etag")
    r = send(srv, "GET", "/v1/articles/%d" % article["id"], headers={"If-None-Match": et, "X-Request-Id": "cond-1"})
    check(r.status == 304 and r.header("x-request-id") == "cond-1", "X-Request-Id on a 304", r.headers)
    r = raw_parse(srv, b"POST /v1/articles HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n"
                       b"X-Request-Id: big-1\r\nConnection: close\r\n\r\n")
    check(r.status == 413 and r.header("x-request-id") == "big-1", "X-Request-Id on a 413", r.headers)


def test_insane_request_id_replaced(khabar):
    srv = khabar.server
    for what, rid in (("300 characters", "a" * 300), ("spaces", "abc def ghi"),
                      ("quotes and angle brackets", '"><script>')):
        r = request("GET", "/healthz", headers={"X-Request-Id": rid})
        got = r.header("x-request-id")
        check(got and got != rid and len(got) <= 200 and not re.search(r"\s", got),
              "insane X-Request-Id (%s) replaced by a generated one" % what, repr(got))
    r = raw("GET", "/healthz", headers={"X-Request-Id": "abc\tdef"})
    got = r.header("x-request-id")
    check(r.status == 200 and got and got != "abc\tdef" and "\t" not in got and " " not in got,
          "X-Request-Id with a control character (tab) replaced", repr(got))
    # header injection through the id: refused, never reflected
    r = raw_parse(srv, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: a\x0bb\r\nConnection: close\r\n\r\n")
    check("\x0b" not in r.header("x-request-id"), "X-Request-Id with a control byte is replaced", r.headers)
    for rid in ("a" * 65, "abc<def>", "a b", "ä"):
        r = send(srv, "GET", "/healthz", headers={"X-Request-Id": rid.encode("utf-8").decode("latin-1")})
        check(r.header("x-request-id") not in ("", rid), "insane X-Request-Id %r replaced" % rid[:20],
              r.header("x-request-id"))


# ---------------------------------------------------------------------------------------
# the log

def test_log(khabar):
    # a write with each token first, so that the check on tokens has something to look at
    for token in (TOKEN_1, TOKEN_2):
        create(khabar.server, art("مقال سجل " + token[-1]))
        send(khabar.server, "POST", "/v1/articles", body=b"{bad json", token=token)
    text = khabar.server.log_text()
    lines = [ln for ln in text.splitlines() if ln.strip()]
    bad = []
    for ln in lines:
        try:
            if not isinstance(json.loads(ln), dict):
                bad.append(ln)
        except ValueError:
            bad.append(ln)
    check(lines and not bad, "LOG_FORMAT=json: every log line is a JSON object",
          "%d lines, not JSON: %r" % (len(lines), bad[:3]))
    check(TOKEN_1 not in text and TOKEN_2 not in text, "the log never shows the API tokens", "")


# ---------------------------------------------------------------------------------------
# configuration errors

@pytest.mark.parametrize("var,value", [
    ("TRUSTED_PROXIES", "10.0.0.0/33"), ("TRUSTED_PROXIES", "not-a-network"), ("RATE_LIMIT", "-1"),
    ("RATE_LIMIT", "fast"), ("HEADER_TIMEOUT", "abc"), ("REQUEST_TIMEOUT", "1e3"), ("MAX_HEADER_BYTES", "100"),
    ("PER_CLIENT_CONNECTIONS", "-5"), ("MAX_CONNECTIONS", "0"), ("LOG_FORMAT", "xml")])
def test_config_error_refused(khabar, var, value):
    env = {"PORT": str(harness.free_port()), "LISTEN_ADDR": "127.0.0.1", var: value}
    try:
        r = khabar.run_cli(["serve"], timeout=10, env_extra=env)
        out = r.stdout + r.stderr
        check(r.returncode != 0 and var in out, "%s=%r: serve refuses to start, naming %s" % (var, value, var),
              "exit %d: %s" % (r.returncode, out[-300:]))
    except subprocess.TimeoutExpired:
        check(False, "%s=%r: serve refuses to start, naming %s" % (var, value, var), "it started and served")


# ---------------------------------------------------------------------------------------
# database outages, shutdown

def timed_get(srv, path, timeout=15):
    """(the Response or the OSError of GET path, seconds it took)."""
    t0 = time.monotonic()
    try:
        r = srv.request("GET", path, timeout=timeout)
        return r, time.monotonic() - t0
    except OSError as e:
        return e, time.monotonic() - t0


def brief(got):
    return got.brief() if isinstance(got, Response) else repr(got)


@pytest.fixture(scope="module")
def outage_server(module_server, article):
    """A server with DB_TIMEOUT=2 s and STATEMENT_TIMEOUT=1 s and without the answer cache, so
    that every GET reaches the database; it serves the article."""
    srv = module_server(name="outage", DB_TIMEOUT=2000, STATEMENT_TIMEOUT=1000, CACHE_BYTES=0)
    r = srv.request("GET", "/v1/articles/%d" % article["id"])
    check(r.status == 200, "outage server serves the article", r.brief())
    return srv


class Readers(harness.Threads):
    """Threads reading one path over and over; every answer (or error) kept with its time."""

    def __init__(self, srv, path, n):
        self.srv, self.path, self.results = srv, path, []
        super().__init__(n)

    def run(self, i):
        while not self.stop_flag.is_set():
            got = timed_get(self.srv, self.path)
            with self.lock:
                self.results.append(got)


def test_backends_terminated_under_load(khabar, outage_server, article):
    """Connections killed under load: 200 or 503 with Retry-After, never a hang past DB_TIMEOUT; reconnects counted."""
    srv = outage_server
    path = "/v1/articles/%d" % article["id"]
    connects = metric_value(srv, 'khabar_db_connects_total{pool="primary"}')
    with Readers(srv, path, 4) as readers:
        for _ in range(3):
            time.sleep(0.3)
            khabar.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'khabar'")
        time.sleep(0.5)
    results = readers.results
    errors = [g for g, _ in results if not isinstance(g, Response)]
    statuses = {}
    for g, _ in results:
        if isinstance(g, Response):
            statuses[g.status] = statuses.get(g.status, 0) + 1
    bad503 = [g for g, _ in results if isinstance(g, Response) and g.status == 503 and not g.header("retry-after")]
    slowest = max((s for _, s in results), default=0)
    check(not errors and set(statuses) <= {200, 503} and not bad503,
          "backends terminated 3 times under load: every answer 200 or 503 with Retry-After (%s)" % statuses,
          errors[:3])
    check(statuses.get(200, 0) > 0, "and reads keep being served", statuses)
    check(slowest < 2.0 + 1.0, "no request waited past DB_TIMEOUT (slowest %.2f s)" % slowest, slowest)
    now = metric_value(srv, 'khabar_db_connects_total{pool="primary"}')
    check(now > connects, "khabar_db_connects_total counts the reconnects", (connects, now))
    r = srv.request("GET", path)
    check(r.status == 200, "after the terminations the next GET is 200 (re-prepared)", r.brief())


def outage_answers(srv, path):
    """Soft checks of what srv (no cache, DB_TIMEOUT=2 s) answers while PostgreSQL is down."""
    got, secs = timed_get(srv, path)
    check(isinstance(got, Response) and got.status == 503 and got.header("retry-after") != "",
          "PostgreSQL down: GET -> 503 with Retry-After", brief(got))
    check(secs < 3.0, "PostgreSQL down: the 503 comes at once, not after a hang (%.2f s)" % secs, secs)
    check(srv.request("GET", "/healthz").status == 200, "PostgreSQL down: /healthz still 200", "")
    check(srv.request("GET", "/readyz").status == 503, "PostgreSQL down: /readyz 503", "")
    w = srv.request("POST", "/v1/articles", body=art("أثناء الانقطاع"), token=TOKEN_1)
    check(w.status == 503, "PostgreSQL down: POST -> 503", w.brief())


def wait_for(fn, seconds, pause):
    """Seconds until fn() is true (polled every pause; an OSError counts as false), or None if not
    within seconds."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < seconds:
        try:
            if fn():
                return time.monotonic() - t0
        except OSError:
            pass
        time.sleep(pause)
    return None


def test_database_outage(khabar, outage_server, article):
    """PostgreSQL stopped and started again: 503 at once, probes tell it, service back within 2 s."""
    srv = outage_server
    path = "/v1/articles/%d" % article["id"]
    rc, out = khabar.pg.stop()
    check(rc == 0, "pg.sh stop exits 0", out[-300:])
    try:
        outage_answers(srv, path)
        # the default server, which has the answer cache, does not serve from it either
        r = request("GET", path)
        expect_problem(r, 503, "GET article while PostgreSQL is down", "/problems/database-unavailable")
        check(r.header("retry-after") != "", "503 has Retry-After", r.headers)
        r = request("GET", "/v1/articles")
        check(r.status == 503, "GET /v1/articles while PostgreSQL is down -> 503", r.brief())
    finally:
        khabar.pg.start()
    back = wait_for(lambda: srv.request("GET", path, timeout=5).status == 200, 10, 0.05)
    check(back is not None and back <= 2.0,
          "service back within 2 s of PostgreSQL answering again (%s)" % ("%.2f s" % back if back is not None
                                                                            else "not within 10 s"), back)
    ready = wait_for(lambda: request("GET", "/readyz", timeout=3).status == 200, 10, 0.2)
    check(ready is not None, "/readyz back to 200 within 10 s of PostgreSQL restarting", ready)
    r = request("GET", path)
    check(r.status == 200, "articles served again after the database came back", r.brief())
    w = srv.request("POST", "/v1/articles", body=art("بعد الانقطاع"), token=TOKEN_1)
    check(w.status == 201, "writes work again after the restart", w.brief())
    check(khabar.psql("SELECT count(*) FROM articles WHERE title = 'أثناء الانقطاع'") == "0",
          "the POST refused during the outage stored nothing", "")


def patch(srv, path, title, timeout=None):
    return srv.request("PATCH", path, body=json.dumps({"title": title}), token=TOKEN_1,
                       headers={"Content-Type": "application/merge-patch+json"}, timeout=timeout)


def test_statement_timeout_on_locked_row(khabar, outage_server, article):
    """A write blocked on a row lock ends in 503 after STATEMENT_TIMEOUT, not a hang; reads go on."""
    srv = outage_server
    path = "/v1/articles/%d" % article["id"]
    holder = subprocess.Popen(["psql", "-X", "-q", "-d", khabar.pg.url], stdin=subprocess.PIPE,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)
    holder.stdin.write("BEGIN; SELECT 1 FROM articles WHERE id = %d FOR UPDATE;\n" % article["id"])
    holder.stdin.flush()
    time.sleep(0.5)
    try:
        t0 = time.monotonic()
        p = patch(srv, path, "مقفل", timeout=15)
        took = time.monotonic() - t0
        check(p.status == 503 and problem_type(p) == "/problems/database-unavailable",
              "a PATCH waiting on a locked row -> 503 after STATEMENT_TIMEOUT", p.brief())
        check(0.8 <= took < 3.0, "statement_timeout=1 s bounds it (%.2f s)" % took, took)
        g, secs = timed_get(srv, path)
        check(isinstance(g, Response) and g.status == 200 and secs < 1.0,
              "reads of the locked row are not blocked meanwhile (%.2f s)" % secs, secs)
    finally:
        holder.stdin.write("ROLLBACK;\n\\q\n")
        holder.stdin.close()
        holder.wait(10)
    p = patch(srv, path, "بعد القفل")
    check(p.status == 200 and p.json and p.json.get("title") == "بعد القفل", "the PATCH works once the lock is gone",
          p.brief())


def test_outage_server_stops(khabar, outage_server):
    status, _ = outage_server.stop(30.0 if khabar.sanitized else 15.0)
    check(status == 0, "outage server exits 0", outage_server.log_tail(10))


def test_shutdown(khabar):
    """The default server, after every test above, stops cleanly on SIGTERM."""
    harness.check_shutdown(khabar)
