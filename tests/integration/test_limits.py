"""test_limits.py: limits and attacks: body and header sizes, malformed HTTP, methods and 405, no internal text in errors, trusted proxies, the rate limit, connection limits, slow clients."""
import json
import re
import socket
import threading
import time
import urllib.parse

import pytest

import harness
import replay
from harness import (MAX_BODY_BYTES, TOKEN_1, art, check, create, expect_problem, get_article, list_all, log,
                     log_entry, note, problem_basics, raw, raw_parse, request, send)

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
# the client address behind proxies, and the rate limit

def burst(srv, n, headers=None, src=None, path="/v1/articles?limit=1", token=None):
    return [send(srv, "GET", path, headers=headers, src=src, token=token) for _ in range(n)]


def client_of(srv, request_id, headers, src=None):
    """The client address srv's access log gives to one GET /healthz sent with headers, its log
    line, and the answer."""
    r = send(srv, "GET", "/healthz", headers=dict(headers, **{"X-Request-Id": request_id}), src=src)
    e = log_entry(srv, request_id)
    return (e.get("client") if e is not None else None), e, r


@pytest.fixture(scope="module")
def proxy_server(module_server):
    return module_server("proxy", TRUSTED_PROXIES="127.0.0.1/32", RATE_LIMIT=1, RATE_BURST=5, LOG_FORMAT="json")


def test_trusted_proxy_access_log_fields(proxy_server):
    """The address a trusted proxy forwards for is the client."""
    got, e, _ = client_of(proxy_server, "xff-1", {"X-Forwarded-For": "203.0.113.7"})
    check(got == "203.0.113.7", "trusted proxy: X-Forwarded-For 203.0.113.7 is the client in the access log", e)
    for k in ("time", "request_id", "client", "method", "path", "status", "bytes", "duration_ms"):
        check(e is not None and k in e, "access log line has %s" % k, e)


@pytest.mark.parametrize("rid,headers,client,name", [
    ("xff-2", {"X-Forwarded-For": "1.2.3.4, 203.0.113.7"}, "203.0.113.7",
     "trusted proxy: chain '1.2.3.4, 203.0.113.7' -> the right-most untrusted 203.0.113.7"),
    ("xff-3", {"X-Forwarded-For": "198.51.100.9, 127.0.0.1"}, "198.51.100.9",
     "trusted proxy: trusted hops at the right are skipped"),
    ("fwd-1", {"Forwarded": 'for="[2001:db8::1]"'}, "2001:db8::1",
     'trusted proxy: Forwarded: for="[2001:db8::1]" -> 2001:db8::1'),
    ("fwd-2", {"Forwarded": "for=192.0.2.60;proto=http;by=203.0.113.43"}, "192.0.2.60",
     "trusted proxy: Forwarded: for=192.0.2.60;proto=..."),
    ("fwd-3", {"Forwarded": 'for="[2001:db8:cafe::17]:4711"'}, "2001:db8:cafe::17",
     "trusted proxy: Forwarded IPv6 with a port"),
    ("xff-bad", {"X-Forwarded-For": "not-an-address"}, "127.0.0.1",
     "trusted proxy: a malformed X-Forwarded-For is ignored (the peer is the client)"),
    # what a client puts to the left of what the proxy appends must not choose its address
    ("xff-long", {"X-Forwarded-For": ", ".join("192.0.2.%d" % i for i in range(1, 41)) + ", 203.0.113.77"},
     "203.0.113.77", "trusted proxy: 40 spoofed entries before the proxy's own do not hide the client"),
    ("xff-garbage-left", {"X-Forwarded-For": "garbage, 203.0.113.78"}, "203.0.113.78",
     "trusted proxy: a malformed entry left of the client's does not hide the client"),
    ("fwd-unknown", {"Forwarded": "for=unknown, for=203.0.113.79"}, "203.0.113.79",
     "trusted proxy: Forwarded 'for=unknown, for=203.0.113.79' (RFC 7239 'unknown') -> 203.0.113.79")])
def test_trusted_proxy_client_address(proxy_server, rid, headers, client, name):
    got, e, r = client_of(proxy_server, rid, headers)
    check(r.status == 200 and got == client, name, (r.status, e))


def test_trusted_proxy_two_forwarded_lines(proxy_server):
    """A proxy that adds its own X-Forwarded-For line (HAProxy's option forwardfor does)."""
    proxy_server.raw_request(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 6.6.6.6\r\n"
                             b"X-Forwarded-For: 203.0.113.80\r\nX-Request-Id: xff-two-lines\r\nConnection: close\r\n\r\n")
    e = log_entry(proxy_server, "xff-two-lines")
    check(e is not None and e.get("client") == "203.0.113.80",
          "trusted proxy: two X-Forwarded-For lines are one list: the last line's address is the client", e)


def test_untrusted_peer_cannot_choose_its_address(proxy_server):
    got, e, _ = client_of(proxy_server, "untrusted-1", {"X-Forwarded-For": "203.0.113.99"}, src="127.0.0.2")
    check(got == "127.0.0.2", "untrusted peer: X-Forwarded-For ignored, the peer is the client", e)
    got, e, _ = client_of(proxy_server, "untrusted-2", {"Forwarded": "for=203.0.113.98"}, src="127.0.0.2")
    check(got == "127.0.0.2", "untrusted peer: Forwarded ignored", e)


def test_trusted_proxy_rate_limit(proxy_server):
    srv = proxy_server
    # rotating the spoofed part must not escape the client's limit
    st = [send(srv, "GET", "/v1/articles?limit=1",
               headers={"X-Forwarded-For": ", ".join("192.0.2.%d" % (i * 40 + j) for j in range(1, 40)) +
                        ", 203.0.113.90"}).status for i in range(7)]
    check(st[:5] == [200] * 5 and 429 in st[5:],
          "trusted proxy: rotating 39 spoofed entries does not escape the real client's limit", st)
    # IPv6: one holder of a /64 has 2^64 addresses
    st = [send(srv, "GET", "/v1/articles?limit=1",
               headers={"Forwarded": 'for="[2001:db8:1:2::%x]"' % (i + 1)}).status for i in range(7)]
    if 429 not in st:
        note("rate-limit buckets are per IPv6 address: 7 addresses of one /64 got %s; a client holding a /64 "
             "is not limited (buckets per /64 would hold it)" % st)
    # each forwarded client has its own bucket
    sa = [r.status for r in burst(srv, 7, headers={"X-Forwarded-For": "203.0.113.10"})]
    check(sa[:5] == [200] * 5 and 429 in sa[5:], "forwarded client A: 5 requests pass, then 429", sa)
    sb = [r.status for r in burst(srv, 5, headers={"X-Forwarded-For": "203.0.113.11"})]
    check(sb == [200] * 5, "forwarded client B: its own 5, untouched by A", sb)
    r = send(srv, "GET", "/v1/articles?limit=1", headers={"X-Forwarded-For": "1.2.3.4, 203.0.113.10"})
    check(r.status == 429, "a spoofed left part of the chain does not give A a new bucket", r.brief())
    r = send(srv, "GET", "/v1/articles?limit=1", headers={"X-Forwarded-For": "203.0.113.12"})
    check(r.status == 200, "forwarded client C still served", r.brief())
    # the untrusted peer is limited by its own address, whatever it forwards
    su = [send(srv, "GET", "/v1/articles?limit=1", src="127.0.0.2",
               headers={"X-Forwarded-For": "203.0.113.%d" % (100 + i)}).status for i in range(7)]
    check(su[:5] == [200] * 5 and su[5:] == [429, 429],
          "untrusted peer: changing X-Forwarded-For does not escape the limit", su)


def test_no_trusted_proxies(start_server):
    srv = start_server("no-proxy", RATE_LIMIT=1, RATE_BURST=5, LOG_FORMAT="json")
    got, e, _ = client_of(srv, "np-1", {"X-Forwarded-For": "203.0.113.7"})
    check(got == "127.0.0.1", "without TRUSTED_PROXIES: X-Forwarded-For ignored (client 127.0.0.1)", e)
    got, e, _ = client_of(srv, "np-2", {"Forwarded": 'for="[2001:db8::1]"'})
    check(got == "127.0.0.1", "without TRUSTED_PROXIES: Forwarded ignored", e)
    st = [send(srv, "GET", "/v1/articles?limit=1",
               headers={"X-Forwarded-For": "198.51.100.%d" % i, "Forwarded": "for=192.0.2.%d" % i}).status
          for i in range(7)]
    check(st[:5] == [200] * 5 and st[5:] == [429, 429],
          "without TRUSTED_PROXIES: spoofed forwarding headers do not escape the rate limit", st)


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
    # probes never
    for p in ("/healthz", "/readyz", "/metrics"):
        st = [send(srv, "GET", p).status for _ in range(8)]
        check(st == [200] * 8, "%s is never rate-limited" % p, st)
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
# connections

def open_idle(srv, src=None):
    """A keep-alive connection that made one request (so it is surely accepted); the socket, or None."""
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=3, source_address=(src, 0) if src else None)
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        data = replay._read(s, time.monotonic() + 3, settle=0.02)[0]
    except OSError:
        s.close()
        return None
    if not data.startswith(b"HTTP/1.1 200"):
        s.close()
        return None
    return s


def try_request(srv, src=None, wait=2.0):
    """(answered 200?, what happened) for one GET /healthz on a new connection."""
    try:
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=wait,
                                     source_address=(src, 0) if src else None)
    except OSError as e:
        return False, "connect: %s" % e
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data, closed = replay._read(s, time.monotonic() + wait, settle=0.02)
    except OSError as e:
        return False, "error: %s" % e
    finally:
        s.close()
    if data.startswith(b"HTTP/1.1 200"):
        return True, "200"
    return False, "closed without an answer" if closed and not data else ("answer %r" % data[:40] if data else
                                                                           "no answer in %.0f s" % wait)


@pytest.fixture
def sockets():
    """A list for the test's sockets; every one still open is closed at the end."""
    socks = []
    yield socks
    for s in socks:
        if s:
            s.close()


def test_per_client_connections(start_server, sockets):
    srv = start_server("per-client", PER_CLIENT_CONNECTIONS=3, TRUSTED_PROXIES="127.0.0.3/32", HEADER_TIMEOUT=20)
    for _ in range(3):
        sockets.append(open_idle(srv))
    check(all(sockets), "PER_CLIENT_CONNECTIONS=3: three keep-alive connections accepted", sockets)
    ok, what = try_request(srv)
    check(not ok, "the 4th connection from the same address is refused or closed", what)
    ok, what = try_request(srv, src="127.0.0.2")
    check(ok, "another address still connects while the first is at its limit", what)
    extra = [open_idle(srv, src="127.0.0.3") for _ in range(5)]
    check(all(extra), "a trusted proxy address is exempt from the per-client limit (5 connections)", extra)
    for s in extra:
        if s:
            s.close()
    s = sockets.pop()
    if s:
        s.close()
    ok, what = False, ""
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and not ok:
        ok, what = try_request(srv)
        if not ok:
            time.sleep(0.1)
    check(ok, "after closing one, a new connection from the address works", what)


def test_max_connections(start_server, sockets):
    srv = start_server("max-conn", MAX_CONNECTIONS=4, THREADS=1, PER_CLIENT_CONNECTIONS=0, HEADER_TIMEOUT=20)
    for i in range(4):
        sockets.append(open_idle(srv, src="127.0.0.%d" % (10 + i)))
    check(all(sockets), "MAX_CONNECTIONS=4: four connections accepted", sockets)
    s5 = socket.create_connection(("127.0.0.1", srv.port), timeout=3, source_address=("127.0.0.20", 0))
    sockets.append(s5)
    s5.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    data, closed = replay._read(s5, time.monotonic() + 1.0)
    check(not data.startswith(b"HTTP/1.1 200"), "a 5th connection is not served while 4 are open",
          (data[:40], closed))
    s = sockets.pop(0)
    if s:
        s.close()
    if not closed:
        data, closed = replay._read(s5, time.monotonic() + 3.0)
        check(data.startswith(b"HTTP/1.1 200"), "the waiting 5th connection is served once one closes",
              (data[:60], closed))
    s5.close()
    ok, what = try_request(srv, src="127.0.0.21")
    check(ok, "a new connection is served after the others close", what)


# ---------------------------------------------------------------------------------------
# slow clients

class Probe(threading.Thread):
    """GET path every interval from another address; counts answers."""

    def __init__(self, srv, path, src="127.0.0.2", interval=0.2):
        super().__init__(daemon=True)
        self.srv, self.path, self.src, self.interval = srv, path, src, interval
        self.ok = 0
        self.failed = []
        self.halt = threading.Event()

    def run(self):
        while not self.halt.is_set():
            t = time.monotonic()
            try:
                r = send(self.srv, "GET", self.path, src=self.src, timeout=3)
                if r.status == 200:
                    self.ok += 1
                else:
                    self.failed.append(r.status)
            except OSError as e:
                self.failed.append(repr(e))
            self.halt.wait(max(0.0, self.interval - (time.monotonic() - t)))

    def stop(self):
        self.halt.set()
        self.join(10)


def trickle(srv, first, drip, interval, limit_s, src=None):
    """Sends first, then one byte of drip every interval; returns (seconds until the server
    closed the connection or None if it never did within limit_s, answer bytes)."""
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=3, source_address=(src, 0) if src else None)
    t0 = time.monotonic()
    got = b""
    try:
        s.sendall(first)
        i = 0
        while time.monotonic() - t0 < limit_s:
            s.settimeout(interval)
            try:
                c = s.recv(4096)
                if not c:
                    return time.monotonic() - t0, got
                got += c
            except socket.timeout:
                pass
            except OSError:
                return time.monotonic() - t0, got
            try:
                s.send(drip[i % len(drip):i % len(drip) + 1])
            except OSError:
                return time.monotonic() - t0, got
            i += 1
        return None, got
    finally:
        s.close()


def silent_conn(srv, limit_s):
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=3, source_address=("127.0.0.5", 0))
    t0 = time.monotonic()
    try:
        data, closed = replay._read(s, t0 + limit_s)
        return (time.monotonic() - t0 if closed else None), data
    finally:
        s.close()


def idle_keepalive(srv, limit_s):
    s = open_idle(srv, src="127.0.0.4")
    t0 = time.monotonic()
    if s is None:
        return None, b"not accepted"
    try:
        data, closed = replay._read(s, time.monotonic() + limit_s)
        return (time.monotonic() - t0 if closed else None), data
    finally:
        s.close()


def slow_reader(srv, limit_s, n=120):
    """Asks for n copies of /openapi.yaml (more than the kernel buffers hold) and reads
    nothing; returns (seconds until the server gave up on the connection, or None; what happened)."""
    size = len(send(srv, "GET", "/openapi.yaml").body)
    total = n * size
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
    s.bind(("127.0.0.6", 0))
    s.settimeout(3)
    s.connect(("127.0.0.1", srv.port))
    t0 = time.monotonic()
    one = b"GET /openapi.yaml HTTP/1.1\r\nHost: x\r\n\r\n"
    try:
        try:
            s.sendall(one * n)
        except OSError:
            pass
        # read nothing for REQUEST_TIMEOUT + 2.5 s, then drain: a cut connection ends early
        time.sleep(5.5)
        got = 0
        s.settimeout(1.0)
        while time.monotonic() - t0 < limit_s:
            try:
                c = s.recv(1 << 20)
            except socket.timeout:
                return None, "still open after %d of %d bytes" % (got, total)
            except OSError as e:
                return time.monotonic() - t0, "reset after %d of %d bytes (%s)" % (got, total, e)
            if not c:
                t = time.monotonic() - t0
                if got >= total:  # the kernel took it all: nothing was slow for the server
                    return None, "all %d bytes were sent: the test did not hold the server" % total
                return t, "closed after %d of %d bytes" % (got, total)
            got += len(c)
        return None, "still sending after %.0f s: %d of %d bytes" % (limit_s, got, total)
    finally:
        s.close()


@pytest.fixture(scope="module")
def slow_server(module_server):
    return module_server("slow", HEADER_TIMEOUT=2, REQUEST_TIMEOUT=3, MAX_HEADER_BYTES=8192)


def closed_after(t):
    return "closed after %s s" % (None if t is None else "%.2f" % t)


def test_slow_clients(khabar, article, slow_server):
    srv = slow_server
    a_id = article["id"]
    probe = Probe(srv, "/v1/articles/%d" % a_id)
    probe.start()
    head = (b"POST /v1/articles HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN_1.encode() +
            b"\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
    clients = {
        "headers": lambda: trickle(srv, b"GET /v1/articles/%d HTTP/1.1\r\nHost: x\r\nX-Slow: " % a_id, b"abcdefgh",
                                   0.5, 9),
        "body": lambda: trickle(srv, head, b"{\"title\": \"slow\"                  ", 0.5, 9),
        "silent": lambda: silent_conn(srv, 9),
        "idle": lambda: idle_keepalive(srv, 9),
        "read": lambda: slow_reader(srv, 9),
    }
    results = {}

    def run(k):
        results[k] = clients[k]()

    threads = [threading.Thread(target=run, args=(k,), daemon=True) for k in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    time.sleep(0.5)
    probe.stop()
    for k in ("headers", "silent", "idle", "body", "read"):
        t, info = results.get(k, (None, ""))
        log("slow %s: %s (%s)" % (k, "closed after %.2f s" % t if t is not None else "not closed",
                                  info if isinstance(info, str) else "%d bytes back" % len(info)))
    log("probe: %d ok, %d failed" % (probe.ok, len(probe.failed)))
    lo, hi = 1.5, 5.0 if khabar.sanitized else 4.0
    t, _ = results.get("headers", (None, b""))
    check(t is not None and lo <= t <= hi, "HEADER_TIMEOUT=2: a header trickled a byte every 0.5 s is cut off "
          "in %.1f-%.1f s" % (lo, hi), closed_after(t))
    t, _ = results.get("silent", (None, b""))
    check(t is not None and lo <= t <= hi, "HEADER_TIMEOUT=2: a connection that sends nothing is closed",
          closed_after(t))
    t, _ = results.get("idle", (None, b""))
    check(t is not None and lo <= t <= hi, "HEADER_TIMEOUT=2: an idle keep-alive connection is closed",
          closed_after(t))
    t, got = results.get("body", (None, b""))
    lo_b, hi_b = 2.5, 6.0 if khabar.sanitized else 5.0
    check(t is not None and lo_b <= t <= hi_b,
          "REQUEST_TIMEOUT=3: a body of 1000 bytes trickled a byte every 0.5 s is cut off in %.1f-%.1f s"
          % (lo_b, hi_b), "%s, got %r" % (closed_after(t), got[:80]))
    t, info = results.get("read", (None, ""))
    check(t is not None and t <= 9, "REQUEST_TIMEOUT=3: a client that does not read its answers is cut off",
          "%s; %s" % (None if t is None else "%.2f s" % t, info))
    check(probe.ok >= 10 and not probe.failed,
          "a probe on other connections kept getting 200s meanwhile (%d ok)" % probe.ok,
          "ok %d, failed %r" % (probe.ok, probe.failed[:5]))


def get_with_header(srv, name, size):
    return raw_parse(srv, b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + name + b": " + b"h" * size +
                     b"\r\nConnection: close\r\n\r\n")


def get_long_url(srv, size):
    return raw_parse(srv, b"GET /v1/articles/" + b"u" * size + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")


def test_header_sizes(slow_server):
    """The sizes of a server with MAX_HEADER_BYTES=8192."""
    srv = slow_server
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
    check(send(srv, "GET", "/healthz").status == 200, "slow server still answers", "")


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
