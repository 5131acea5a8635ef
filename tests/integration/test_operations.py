"""test_operations.py: operations: the CLI, migrations, the seed, probes and metrics, logs and X-Request-Id, configuration errors, a database outage, shutdown."""
import json
import os
import re
import subprocess
import time

import pytest

import harness
from harness import (REPO_ROOT, TOKEN_1, TOKEN_2, art, check, create, expect_problem, get_article, list_all, raw,
                     raw_parse, request, send)

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

def test_probes_and_metrics(khabar):
    r = request("GET", "/healthz")
    check(r.status == 200 and isinstance(r.json, dict) and r.json.get("status") == "ok",
          "GET /healthz -> 200 {\"status\":\"ok\"}", r.brief())
    check(bool(r.header("x-request-id")), "/healthz has X-Request-Id", r.headers)
    r = request("GET", "/readyz")
    check(r.status == 200, "GET /readyz -> 200", r.brief())
    r = request("GET", "/metrics")
    check(r.status == 200, "GET /metrics -> 200", r.brief())
    check(r.header("content-type").startswith("text/plain"), "/metrics is text/plain", r.header("content-type"))
    check(b"khabar_http_requests_total" in r.body, "/metrics has khabar_http_requests_total", r.brief(600))
    r = request("GET", "/openapi.yaml")
    check(r.status == 200 and r.body.startswith(b"openapi: 3.1"), "GET /openapi.yaml -> 200 starting 'openapi: 3.1'",
          r.brief(100))
    r = request("HEAD", "/healthz")
    check(r.status == 200, "HEAD /healthz -> 200", r.brief())


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
# a database outage, shutdown

def test_database_outage(khabar, article):
    some = article["id"]
    rc, out = khabar.pg.stop()
    check(rc == 0, "pg.sh stop exits 0", out[-300:])
    try:
        r = request("GET", "/readyz")
        check(r.status == 503, "/readyz -> 503 while PostgreSQL is down", r.brief())
        r = request("GET", "/v1/articles/%d" % some)
        expect_problem(r, 503, "GET article while PostgreSQL is down", "/problems/database-unavailable")
        check(r.header("retry-after") != "", "503 has Retry-After", r.headers)
        r = request("GET", "/v1/articles")
        check(r.status == 503, "GET /v1/articles while PostgreSQL is down -> 503", r.brief())
        r = request("POST", "/v1/articles", body=art("مقال أثناء الانقطاع"), token=TOKEN_1)
        check(r.status == 503, "POST while PostgreSQL is down -> 503", r.brief())
        r = request("GET", "/healthz")
        check(r.status == 200, "/healthz still 200 while PostgreSQL is down", r.brief())
    finally:
        khabar.pg.start()
    deadline = time.monotonic() + 10
    status = None
    while time.monotonic() < deadline:
        try:
            status = request("GET", "/readyz", timeout=3).status
        except OSError as e:
            status = repr(e)
        if status == 200:
            break
        time.sleep(0.2)
    check(status == 200, "/readyz back to 200 within 10 s of PostgreSQL restarting", status)
    r = request("GET", "/v1/articles/%d" % some)
    check(r.status == 200, "articles served again after the database came back", r.brief())


def test_shutdown(khabar):
    """The default server, after every test above, stops cleanly on SIGTERM."""
    harness.check_shutdown(khabar)
