"""test_limits.py: limits and attacks: body and header sizes, malformed HTTP, methods and 405, no internal text in errors, the rate limit."""
import json
import re
import time
import urllib.parse

import pytest

import harness
import replay
from harness import (MAX_BODY_BYTES, TOKEN_1, art, check, create, expect_problem, get_article, list_all, log, note, raw,
                     raw_parse, request, send)
from http_client import problem_basics

MERGE = {"Content-Type": "application/merge-patch+json"}
# What must never reach a client in an error body
LEAK_MARKERS = ("SELECT ", "INSERT ", "UPDATE ", "DELETE FROM", "ERROR:", "syntax error", "PQ", "libpq",
                "postgres", "relation ", "/work/", "/usr/", "/tmp/", "/home/", "/root/", ".c:", ".h:", "jansson",
                "microhttpd", "Segmentation", "assert", "0x7f")
HOSTILE = ("' OR '1'='1", "1; DROP TABLE articles; --", "\" OR 1=1 --", "1' AND SLEEP(5)--",
           "1 UNION SELECT NULL,version()--", "%27%20OR%201=1--", "../../../../etc/passwd", "{{7*7}}",
           "<script>alert(1)</script>", "\\x00", "$(id)", "' || pg_sleep(5) || '")


@pytest.fixture(scope="module")
def article(khabar):
    """One article on the default server."""
    return create(khabar.server, art("مقال الأمان الأول", tags=["وسم الأمان"], sources=["مصدر الأمان"]))


def leaks(text, sent=()):
    """Internal text in an answer; what the client sent itself (echoed in a field name) aside."""
    for v in sent:
        for form in (v, json.dumps(v, ensure_ascii=False)[1:-1], json.dumps(v)[1:-1]):
            text = text.replace(form, "")
    return [m for m in LEAK_MARKERS if m in text]


# ---------------------------------------------------------------------------------------
# bodies and JSON

def test_body_limits(khabar):
    srv = khabar.server
    n0 = len(list_all(srv))
    big = json.dumps(art("مقال كبير جدا", body="ب" * 40000), ensure_ascii=False).encode()
    check(len(big) > MAX_BODY_BYTES, "test body is over MAX_BODY_BYTES", len(big))
    hdrs = {"Authorization": "Bearer " + TOKEN_1, "Content-Type": "application/json"}
    r = raw("POST", "/v1/articles", headers=hdrs, body=big)
    expect_problem(r, 413, "body over MAX_BODY_BYTES with Content-Length", "/problems/body-too-large")
    r = raw("POST", "/v1/articles", headers=hdrs, body=big, chunked=True, chunk_size=8192)
    expect_problem(r, 413, "chunked body over MAX_BODY_BYTES", "/problems/body-too-large")
    small = json.dumps(art("مقال أرسل على دفعات", body="نص قصير أرسل مقطعا"), ensure_ascii=False).encode()
    r = raw("POST", "/v1/articles", headers=hdrs, body=small, chunked=True, chunk_size=10)
    check(r.status == 201 and isinstance(r.json, dict) and r.json.get("title") == "مقال أرسل على دفعات",
          "small chunked body -> 201", r.brief())
    if r.status == 201:
        check(get_article(srv, r.json["id"]).get("body") == "نص قصير أرسل مقطعا", "chunked article stored whole", "")
    check(len(list_all(srv)) == n0 + 1, "only the small chunked post was created", n0 + 1)
    r = request("GET", "/healthz")
    check(r.status == 200, "server still healthy after oversized bodies", r.brief())
    big = json.dumps(art("كبير", body="x" * (MAX_BODY_BYTES + 10))).encode()
    r = srv.raw("POST", "/v1/articles", headers=hdrs, body=big)
    check(r.status == 413 and not problem_basics(r), "body over MAX_BODY_BYTES -> 413 problem+json", r.brief())
    r = srv.raw("POST", "/v1/articles", headers=hdrs, body=big, chunked=True, chunk_size=4096)
    check(r.status == 413, "chunked body over MAX_BODY_BYTES -> 413", r.brief())


def test_json_depth(khabar):
    srv = khabar.server
    js = {"Content-Type": "application/json"}
    deep = lambda n: '{"title": "t", "body": "b", "x": ' + "[" * n + "]" * n + "}"  # noqa: E731
    r = send(srv, "POST", "/v1/articles", token=TOKEN_1, body=deep(40), headers=js)
    check(r.status == 400 and r.json and r.json.get("type", "").endswith("malformed-json"),
          "JSON nested 40 deep -> 400 malformed-json", r.brief())
    r = send(srv, "POST", "/v1/articles", token=TOKEN_1, body=deep(5), headers=js)
    check(r.status == 422, "JSON nested 5 deep in an unknown field -> 422 (not a depth error)", r.brief())
    r = send(srv, "POST", "/v1/articles", token=TOKEN_1, body="[" * 60000, headers=js)
    check(r.status == 400, "60,000 open brackets -> 400", r.brief())
    r = send(srv, "POST", "/v1/articles", token=TOKEN_1, body='{"a":' * 10000 + "1" + "}" * 10000, headers=js)
    check(r.status == 400, "objects nested 10,000 deep -> 400", r.brief())
    check(send(srv, "GET", "/healthz").status == 200, "server alive after deep JSON", "")


# ---------------------------------------------------------------------------------------
# unknown paths, methods and 405

def test_unknown_path_and_methods(khabar):
    r = request("GET", "/nope")
    expect_problem(r, 404, "GET /nope")
    r = request("DELETE", "/v1/tags", token=TOKEN_1)
    expect_problem(r, 405, "DELETE /v1/tags")
    check("GET" in r.header("allow"), "405 Allow lists GET", r.header("allow"))
    r = request("POST", "/v1/articles/1/related", body=b"{}", headers={"Content-Type": "application/json"},
                token=TOKEN_1)
    expect_problem(r, 405, "POST /v1/articles/1/related")
    check("GET" in r.header("allow") and "POST" not in r.header("allow"), "405 Allow lists GET, not POST",
          r.header("allow"))
    r = request("PATCH", "/v1/tags/x", body=b"{}", headers=MERGE, token=TOKEN_1)
    expect_problem(r, 405, "PATCH /v1/tags/x")


METHOD_CASES = [
    ("TRACE", "/v1/articles", "GET, HEAD, POST, OPTIONS"), ("TRACE", "/v1/articles/{id}", None),
    ("TRACE", "/healthz", None), ("TRACK", "/v1/articles", None), ("CONNECT", "/v1/articles", None),
    ("PATCH", "/v1/tags", None), ("POST", "/v1/tags", None), ("DELETE", "/v1/tags", None), ("PUT", "/v1/tags/x", None),
    ("DELETE", "/v1/sources", None), ("PUT", "/v1/articles", None), ("DELETE", "/v1/articles", None),
    ("POST", "/v1/articles/{id}", None), ("POST", "/v1/articles/{id}/related", None),
    ("GET", "/v1/articles/1/related/2", None), ("POST", "/healthz", None), ("DELETE", "/readyz", None),
    ("PUT", "/metrics", None), ("POST", "/openapi.yaml", None), ("PROPFIND", "/v1/articles", None),
    ("FOO", "/v1/tags", None)]


@pytest.mark.parametrize("method,path,exact", METHOD_CASES)
def test_method_not_allowed(khabar, article, method, path, exact):
    srv = khabar.server
    path = path.replace("{id}", str(article["id"]))
    r = send(srv, method, path, token=TOKEN_1, headers={"X-Secret-Probe": "s3cr3t-value"},
             body=b"{}" if method in ("POST", "PUT", "PATCH") else None)
    check(r.status == 405, "%s %s -> 405" % (method, path), r.brief())
    allow = [m.strip() for m in r.header("allow").split(",") if m.strip()]
    check(allow and method not in allow, "%s %s: Allow lists the methods, not %s" % (method, path, method),
          r.header("allow"))
    check("TRACE" not in allow and "CONNECT" not in allow, "%s %s: Allow never lists TRACE/CONNECT" % (method, path),
          allow)
    if exact:
        check(set(allow) == set(m.strip() for m in exact.split(",")), "%s %s: Allow is %s" % (method, path, exact),
              allow)
    check(not problem_basics(r), "%s %s: 405 is problem+json" % (method, path), problem_basics(r))
    check(b"s3cr3t-value" not in r.body, "%s %s: request headers are not echoed" % (method, path), r.body[:200])
    # the Allow methods do answer (HEAD and OPTIONS at least)
    if "OPTIONS" in allow:
        r2 = send(srv, "OPTIONS", path)
        check(r2.status == 204 and set(a.strip() for a in r2.header("allow").split(",")) == set(allow),
              "OPTIONS %s answers 204 with the same Allow" % path, (r2.status, r2.header("allow")))


def test_trace(khabar):
    srv = khabar.server
    r = send(srv, "TRACE", "/nowhere")
    check(r.status == 404, "TRACE on an unknown path -> 404", r.brief())
    # TRACE through the raw socket with Max-Forwards: no reflection either
    r = raw_parse(srv, b"TRACE /v1/articles HTTP/1.1\r\nHost: x\r\nMax-Forwards: 0\r\nCookie: secret=1\r\n"
                       b"Connection: close\r\n\r\n")
    check(r.status == 405 and b"secret=1" not in r.raw, "TRACE with Max-Forwards: 0 -> 405, nothing reflected",
          r.brief())


# ---------------------------------------------------------------------------------------
# hostile input: no internal text, no 5xx

def hostile_requests(a_id):
    """(method, path, token, body) of every hostile request; the body's own strings may be echoed back."""
    bad = []
    for v in HOSTILE:
        q = urllib.parse.quote(v, safe="")
        for param in ("limit", "cursor", "tag", "source", "q", "from", "to", "lang"):
            bad.append(("GET", "/v1/articles?%s=%s" % (param, q), None, None))
        for param in ("q", "limit", "cursor"):
            bad.append(("GET", "/v1/tags?%s=%s" % (param, q), None, None))
            bad.append(("GET", "/v1/sources?%s=%s" % (param, q), None, None))
        bad.append(("GET", "/v1/articles/" + q, None, None))
        bad.append(("GET", "/v1/tags/" + q, None, None))
        bad.append(("GET", "/v1/articles/" + q + "/related", None, None))
        bad.append(("PUT", "/v1/articles/%d/related/%s" % (a_id, q), TOKEN_1, None))
        bad.append(("POST", "/v1/articles", TOKEN_1, {"title": v, "body": v, "related": [v]}))
        bad.append(("POST", "/v1/articles", TOKEN_1, {"title": "t", "body": "b", "lang": v}))
        bad.append(("POST", "/v1/articles", TOKEN_1, {"title": "t", "body": "b", "published_at": v}))
        bad.append(("POST", "/v1/articles", TOKEN_1, {"title": "t", "body": "b", "slug": v, v: 1}))
        bad.append(("PATCH", "/v1/articles/%d" % a_id, TOKEN_1, {"related": [v], "tags": 5}))
    return bad + [
        ("GET", "/v1/articles?limit=99999999999999999999", None, None),
        ("GET", "/v1/articles?limit=-1", None, None),
        ("GET", "/v1/articles?from=2024-13-45T99:99:99Z", None, None),
        ("GET", "/v1/articles?from=99999-01-01T00:00:00Z", None, None),
        ("GET", "/v1/articles?cursor=" + "A" * 400, None, None),
        ("GET", "/v1/articles/99999999999999999999999", None, None),
        ("GET", "/v1/articles/-1", None, None),
        ("GET", "/v1/articles/0x10", None, None),
        ("GET", "/v1/articles/%00", None, None),
        ("GET", "/v1/articles/%FF%FE", None, None),
        ("GET", "/v1/tags/%C0%AF", None, None),
        ("GET", "/v1/articles?q=%FF", None, None),
        ("GET", "/v1/articles?q=" + urllib.parse.quote("ب" * 1000), None, None),
        ("GET", "/v1/articles?q=%22%22%22%22-----", None, None),
        ("GET", "/v1/articles?q=" + urllib.parse.quote("!:*&|()<->"), None, None),
        ("POST", "/v1/articles", TOKEN_1, b"\xff\xfe"),
        ("POST", "/v1/articles", TOKEN_1, b'{"title": "a", "title": "b"}'),
        ("POST", "/v1/articles", TOKEN_1, b'{"title": "a\\u0000b", "body": "x"}'),
        ("POST", "/v1/articles", TOKEN_1, b'{"title": 1e999, "body": "x"}'),
        ("POST", "/v1/articles", TOKEN_1, {"title": "t", "body": "b", "related": [2 ** 63, -1, 0]}),
        ("POST", "/v1/articles", TOKEN_1, {"title": "t", "body": "b", "published_at": "0000-01-01T00:00:00Z"}),
        ("POST", "/v1/articles", TOKEN_1, {"title": "t", "body": "b", "published_at": "294277-01-01T00:00:00Z"}),
        ("PUT", "/v1/articles/1/related/99999999999999999", TOKEN_1, None),
        ("DELETE", "/v1/articles/99999999999999", TOKEN_1, None),
        ("GET", "/v1/articles/1/related/../../../etc/passwd", None, None),
    ]


def test_no_internal_text_leaks(khabar, article):
    srv = khabar.server
    bad = hostile_requests(article["id"])
    created = []
    worst = []
    for method, path, token, body in bad:
        r = send(srv, method, path, token=token, body=body, encoded=True)
        if r.status in (200, 201) and method == "POST" and isinstance(r.json, dict) and "id" in r.json:
            created.append(r.json["id"])
        if r.status >= 500:
            worst.append("%s %s -> %d %r" % (method, path[:80], r.status, r.body[:150]))
        if r.status >= 400:
            found = leaks(r.text, HOSTILE if isinstance(body, dict) else ())
            if found:
                worst.append("%s %s -> %d leaks %r: %r" % (method, path[:80], r.status, found, r.body[:200]))
            if problem_basics(r):
                worst.append("%s %s -> %d not a problem+json: %s" % (method, path[:80], r.status, problem_basics(r)))
    check(not worst, "%d hostile requests: no 5xx, no internal text, every error problem+json" % len(bad),
          "\n".join(worst[:15]))
    for i in created:
        send(srv, "DELETE", "/v1/articles/%d" % i, token=TOKEN_1)
    r = send(srv, "GET", "/readyz")
    check(r.status == 200, "the database still answers after the hostile requests", r.brief())


# ---------------------------------------------------------------------------------------
# malformed HTTP: the corpus of tests/security/corpus/

def test_malformed_http(khabar):
    srv = khabar.server
    t0 = time.monotonic()
    wait = 4.0 if khabar.sanitized else 2.0
    results = replay.replay_all("127.0.0.1", srv.port, workers=6, wait=wait, follow_wait=wait * 2)
    check(len(results) > 0, "the malformed-HTTP corpus is not empty", len(results))
    for res in results:
        check(res.ok, "malformed HTTP %s: %s" % (res.name, res.summary), "; ".join(res.problems))
    notes = {}
    for res in results:
        for n in res.notes:
            key = re.sub(r"answer \d+ made by", "answer made by", n)
            key = re.sub(r"\(no X-Request-Id, [^)]*\)", "(no X-Request-Id)", key)
            key = re.sub(r": b'.*", "", key)
            notes.setdefault(key, []).append(res.name.split("-", 1)[0])
    for key, names in notes.items():
        note("malformed corpus: %s: %s" % (key, ",".join(names)))
    log("replayed %d corpus files in %.1f s" % (len(results), time.monotonic() - t0))
    check(srv.alive(), "server alive after the malformed corpus", srv.log_tail(10))


# ---------------------------------------------------------------------------------------
# the rate limit

def burst(srv, n, headers=None, src=None, path="/v1/articles?limit=1", token=None):
    return [send(srv, "GET", path, headers=headers, src=src, token=token) for _ in range(n)]


def test_rate_limit(start_server):
    srv = start_server("ratelimit", RATE_LIMIT=1, RATE_BURST=5, LOG_FORMAT="text")
    rs = burst(srv, 5)
    check([r.status for r in rs] == [200] * 5, "rate limit: a burst of 5 passes", [r.status for r in rs])
    first = rs[0]
    check(first.header("ratelimit-limit") == "5", "200 carries RateLimit-Limit: 5", first.headers)
    rem = [r.header("ratelimit-remaining") for r in rs]
    check(all(x.isdigit() for x in rem) and int(rem[0]) > int(rem[-1]), "RateLimit-Remaining goes down", rem)
    check(first.header("ratelimit-reset").isdigit(), "200 carries RateLimit-Reset", first.headers)
    r = send(srv, "GET", "/v1/articles?limit=1")
    check(r.status == 429, "rate limit: the 6th request -> 429", r.brief())
    ra = r.header("retry-after")
    check(ra.isdigit() and int(ra) >= 1, "429 has Retry-After, an integer >= 1", repr(ra))
    check(r.header("ratelimit-limit") == "5" and r.header("ratelimit-remaining") == "0"
          and r.header("ratelimit-reset").isdigit(), "429 has RateLimit-Limit/Remaining 0/Reset", r.headers)
    check(not problem_basics(r) and r.json.get("type", "").endswith("/problems/rate-limited"),
          "429 is problem+json /problems/rate-limited", r.brief())
    check(bool(r.header("x-request-id")), "429 has X-Request-Id", r.headers)
    r = send(srv, "POST", "/v1/articles", body=art("x"))
    check(r.status == 429, "rate limit applies to writes without a token too", r.brief())
    r = send(srv, "GET", "/v1/articles/1", headers={"Authorization": "Bearer wrong-token"})
    check(r.status == 429, "an invalid bearer token is limited", r.brief())
    # probes from the machine itself (a container's health check) are not counted
    for p in ("/healthz", "/readyz", "/metrics"):
        st = [send(srv, "GET", p).status for _ in range(8)]
        check(st == [200] * 8, "%s from loopback is not rate-limited" % p, st)
    # valid tokens are not limited (RATE_LIMIT_TOKENS off)
    st = [send(srv, "GET", "/v1/articles?limit=1", token=TOKEN_1).status for _ in range(8)]
    check(st == [200] * 8, "requests with a valid bearer token are not limited", st)
    # another client has its own bucket
    r = send(srv, "GET", "/v1/articles?limit=1", src="127.0.0.2")
    check(r.status == 200, "another client address is not limited by the first one's burst", r.brief())
    # recovery
    wait_s = int(ra) if ra.isdigit() else 1
    time.sleep(wait_s + 0.1)
    r = send(srv, "GET", "/v1/articles?limit=1")
    check(r.status == 200, "after Retry-After seconds the client is served again", r.brief())
    # the text access log
    lines = [ln for ln in srv.log_text().splitlines() if " 429 " in ln]
    check(any("127.0.0.1" in ln and " GET " in ln and "/v1/articles" in ln for ln in lines),
          "LOG_FORMAT=text: a readable access line with client, method, path, status", lines[:2])
    check(not any(ln.lstrip().startswith("{") for ln in srv.log_text().splitlines() if ln.strip()),
          "LOG_FORMAT=text: no JSON lines", srv.log_tail(3))


def test_rate_limit_probes(start_server):
    """Probes are counted like any request, unless they come from loopback or TRUSTED_PROXIES or carry a
    valid bearer token: anyone else hammering /readyz gets 429."""
    srv = start_server("ratelimit-probes", RATE_LIMIT=1, RATE_BURST=3, TRUSTED_PROXIES="127.0.0.2/32")
    outsider = {"X-Forwarded-For": "203.0.113.9"}  # a client behind the trusted proxy 127.0.0.2
    st = [send(srv, "GET", "/healthz", src="127.0.0.2", headers=outsider).status for _ in range(6)]
    check(st[:3] == [200] * 3 and st.count(429) >= 2 and st[-1] == 429,
          "an untrusted client's probes are counted: a burst of 3, then 429", st)
    for p in ("/readyz", "/metrics"):
        r = send(srv, "GET", p, src="127.0.0.2", headers=outsider)
        check(r.status == 429 and r.header("retry-after").isdigit()
              and r.json.get("type", "").endswith("/problems/rate-limited"),
              "%s from that client -> 429 problem+json with Retry-After" % p, r.brief())
    st = [send(srv, "GET", "/readyz", src="127.0.0.2", headers=outsider, token=TOKEN_1).status for _ in range(6)]
    check(429 not in st, "the same client with a valid bearer token is not limited", st)
    r = send(srv, "GET", "/readyz", src="127.0.0.2", headers=outsider, token="wrong-token")
    check(r.status == 429, "an invalid bearer token does not exempt a probe", r.brief())
    st = [send(srv, "GET", "/readyz", src="127.0.0.2").status for _ in range(6)]
    check(429 not in st, "the trusted address itself (a load balancer's health check) is not limited", st)
    st = [send(srv, "GET", "/readyz").status for _ in range(6)]
    check(429 not in st, "nor is loopback (a container's HEALTHCHECK)", st)


def test_rate_limit_tokens(start_server):
    srv = start_server("ratelimit-tokens", RATE_LIMIT=1, RATE_BURST=5, RATE_LIMIT_TOKENS=1)
    st = [send(srv, "GET", "/v1/articles?limit=1", token=TOKEN_1).status for _ in range(7)]
    check(st[:5] == [200] * 5 and 429 in st[5:], "RATE_LIMIT_TOKENS=1: token holders are limited too", st)
    st = [send(srv, "GET", "/healthz", token=TOKEN_1).status for _ in range(3)]
    check(st == [200] * 3, "RATE_LIMIT_TOKENS=1: /healthz still never limited", st)


def test_rate_limit_on_by_default(start_server):
    srv = start_server("ratelimit-default", RATE_LIMIT="", RATE_BURST="")
    r = send(srv, "GET", "/v1/articles?limit=1")
    lim = r.header("ratelimit-limit")
    check(r.status == 200 and lim.isdigit() and int(lim) >= 10,
          "the rate limit is on by default (RateLimit-Limit %s)" % lim, r.headers)


# ---------------------------------------------------------------------------------------
# header sizes

def get_with_header(srv, name, size):
    return raw_parse(srv, b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + name + b": " + b"h" * size +
                     b"\r\nConnection: close\r\n\r\n")


def get_long_url(srv, size):
    return raw_parse(srv, b"GET /v1/articles/" + b"u" * size + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")


@pytest.fixture(scope="module")
def small_headers_server(module_server):
    return module_server("small-headers", MAX_HEADER_BYTES=8192)


def test_header_sizes(small_headers_server):
    """The sizes of a server with MAX_HEADER_BYTES=8192."""
    srv = small_headers_server
    r = get_long_url(srv, 9000)
    check(r.status == 414, "URL over MAX_HEADER_BYTES=8192 -> 414", r.brief(100))
    r = get_with_header(srv, b"X-Big", 9000)
    check(r.status == 431, "a 9,000-byte header with MAX_HEADER_BYTES=8192 -> 431", r.brief(100))
    r = raw_parse(srv, b"GET /healthz HTTP/1.1\r\nHost: x\r\n" +
                  b"".join(b"X-H%d: %s\r\n" % (i, b"v" * 50) for i in range(300)) + b"Connection: close\r\n\r\n")
    check(r.status == 431, "300 headers of 60 bytes with MAX_HEADER_BYTES=8192 -> 431", r.brief(100))
    r = get_with_header(srv, b"X-Fine", 3000)
    check(r.status == 200, "a 3,000-byte header under MAX_HEADER_BYTES=8192 -> 200", r.brief(100))
    r = send(srv, "GET", "/v1/articles?limit=1&tag=" + "a" * 3000)
    check(r.status == 200, "a 3,000-byte URL under MAX_HEADER_BYTES=8192 -> 200", r.brief(100))
    check(send(srv, "GET", "/healthz").status == 200, "the MAX_HEADER_BYTES=8192 server still answers", "")


def test_default_header_sizes(start_server):
    srv = start_server("default-sizes")
    r = get_with_header(srv, b"X-Big", 20000)
    check(r.status == 200, "default MAX_HEADER_BYTES: a 20,000-byte header is fine", r.brief(100))
    r = get_with_header(srv, b"X-Big", 40000)
    check(r.status == 431, "default MAX_HEADER_BYTES: a 40,000-byte header -> 431", r.brief(100))
    r = get_long_url(srv, 40000)
    check(r.status == 414, "default MAX_HEADER_BYTES: a 40,000-byte URL -> 414", r.brief(100))


def test_shutdown_after_the_attacks(khabar):
    """The default server, after every attack above, stops cleanly on SIGTERM."""
    harness.check_shutdown(khabar)
