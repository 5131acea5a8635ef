"""test_limits.py: limits and attacks: body and header sizes, bodies refused before they are read and the memory bodies in flight hold, malformed HTTP, methods and 405, no internal text in errors, the rate limit."""
import json
import re
import select
import socket
import time
import urllib.parse

import pytest

import harness
import replay
from harness import (MAX_BODY_BYTES, TOKEN_1, art, check, create, expect_problem, get_article, list_all, log, note, raw,
                     raw_parse, request, send)
from http_client import parse_response, problem_basics

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


# ---------------------------------------------------------------------------------------
# bodies refused before they are read, and the memory bodies in flight hold

def open_request(srv, method, path, length, token=None, extra=b""):
    """A connection that has sent the headers of a request announcing a body of length bytes."""
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    head = b"%s %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n" % (
        method.encode(), path.encode(), length)
    if token:
        head += b"Authorization: Bearer " + token.encode() + b"\r\n"
    s.sendall(head + extra + b"\r\n")
    return s


def early_answers(socks, wait):
    """What each connection received within wait seconds of its headers, body unsent: a complete
    answer (parsed) or None."""
    got = {s: b"" for s in socks}
    done = {}
    deadline = time.monotonic() + wait
    while len(done) < len(socks) and time.monotonic() < deadline:
        pending = [s for s in socks if s not in done]
        r, _, _ = select.select(pending, [], [], max(0.0, deadline - time.monotonic()))
        for s in r:
            try:
                chunk = s.recv(65536)
            except OSError:
                chunk = b""
            got[s] += chunk
            head_end = got[s].find(b"\r\n\r\n")
            m = re.search(rb"content-length: *(\d+)", got[s][:head_end], re.I) if head_end >= 0 else None
            if not chunk or (m and len(got[s]) >= head_end + 4 + int(m.group(1))):
                done[s] = got[s]
    out = []
    for s in socks:
        try:
            out.append(parse_response(done[s]) if done.get(s) else None)
        except (ConnectionError, ValueError):
            out.append(None)
    return out


def rss_kb(srv):
    """The server process's resident memory (VmRSS), in KiB."""
    with open("/proc/%d/status" % srv.proc.pid) as f:
        return int(re.search(r"^VmRSS:\s+(\d+) kB", f.read(), re.M).group(1))


def send_quietly(s, data):
    """Sends data, or what the server still reads of it; False when it stopped reading."""
    try:
        s.settimeout(5)
        s.sendall(data)
        return True
    except OSError:
        return False


def close_all(socks):
    for s in socks:
        s.close()


def test_unauthenticated_bodies_never_read(start_server):
    """60 connections announce a 1 MB write without a token: each is refused with 401 as soon as its
    headers are in, and their bodies never reach the server's memory."""
    srv = start_server("bodies-unauthenticated", MAX_BODY_BYTES=1048576, PER_CLIENT_CONNECTIONS=0)
    before = rss_kb(srv)
    socks = [open_request(srv, "POST", "/v1/articles", 1000000) for _ in range(60)]
    try:
        answers = early_answers(socks, 3.0)
        statuses = [r.status if r else None for r in answers]
        check(statuses == [401] * 60, "60 writes without a token: 401 each, before the body is sent",
              statuses)
        check(all(r and r.header("connection").lower() == "close" for r in answers),
              "the early 401 closes the connection (the unread body is never taken as a request)",
              [r.headers for r in answers[:1] if r])
        body = b"{" + b" " * 999998  # all but the last byte: a slow client still sending
        for s in socks:
            send_quietly(s, body)
        time.sleep(0.5)
        grown = rss_kb(srv) - before
        log("60 refused 1 MB bodies: the server's RSS grew by %d KiB" % grown)
        check(grown < 20 * 1024, "60 refused 1 MB bodies: the server grew by %d KiB, far below 60 MB" % grown, grown)
    finally:
        close_all(socks)
    check(send(srv, "GET", "/healthz").status == 200, "the server answers after the refused bodies", "")


def test_refused_before_the_body(start_server):
    """Whatever the headers decide is answered before the body: 429, 413, 405, 404, and what a body
    that holds a request of its own would smuggle is never answered."""
    srv = start_server("bodies-early", RATE_LIMIT=1, RATE_BURST=1, MAX_BODY_BYTES=65536)
    check(send(srv, "GET", "/v1/articles?limit=1").status == 200, "the client's one request of its burst", "")
    cases = [("POST", "/v1/articles", 50000, None, 429, "a rate-limited client's write"),
             ("POST", "/v1/articles", 10 ** 9, TOKEN_1, 413, "a declared length over MAX_BODY_BYTES"),
             ("PATCH", "/v1/articles", 50000, TOKEN_1, 405, "a method the path does not take"),
             ("PUT", "/nowhere", 50000, TOKEN_1, 404, "a path nothing is served at")]
    for method, path, length, token, status, what in cases:
        s = open_request(srv, method, path, length, token=token)
        try:
            r = early_answers([s], 3.0)[0]
            check(r is not None and r.status == status, "%s: %d before the body" % (what, status),
                  r.brief() if r else "no answer within 3 s of the headers")
            if r is not None:
                check(not problem_basics(r), "%s: problem+json" % what, r.brief())
                check(r.header("connection").lower() == "close", "%s: Connection: close" % what, r.headers)
            if status == 429:
                check(r is not None and r.header("retry-after").isdigit(), "429 before the body has Retry-After",
                      r.headers if r else "")
        finally:
            s.close()
    # a body that is a request of its own: one answer, never a second
    smuggled = b"GET /v1/tags HTTP/1.1\r\nHost: x\r\n\r\n"
    data = (b"PATCH /v1/articles HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN_1.encode() +
            b"\r\nContent-Length: %d\r\n\r\n" % len(smuggled) + smuggled)
    got = srv.raw_request(data, timeout=5)
    check(got.count(b"HTTP/1.1 ") == 1 and got.startswith(b"HTTP/1.1 405"),
          "the unread body of an early answer is never read as a request", got[:300])


def test_bodies_in_flight_bounded(start_server):
    """MAX_BODY_MEMORY bounds what the bodies being received hold in all: past it a write is refused
    with 503 and Retry-After (before its body when it declares a length), changes nothing, and the
    service answers normally once the bodies in flight are in."""
    srv = start_server("bodies-memory", MAX_BODY_BYTES=65536, MAX_BODY_MEMORY=150000)
    n0 = len(list_all(srv))
    bodies = [json.dumps(art("مقال في الطريق %d" % i, body="ن" * 29000), ensure_ascii=False).encode()
              for i in range(3)]
    check(all(50000 < len(b) < 65536 for b in bodies), "the bodies are 50-64 KB", [len(b) for b in bodies])
    held = [open_request(srv, "POST", "/v1/articles", len(b), token=TOKEN_1) for b in bodies[:2]]
    try:
        for s, b in zip(held, bodies):
            s.sendall(b[:1000])  # on their way
        check(early_answers(held, 0.5) == [None, None], "two bodies in flight are not answered before they are in", "")
        third = open_request(srv, "POST", "/v1/articles", len(bodies[2]), token=TOKEN_1)
        try:
            r = early_answers([third], 3.0)[0]
        finally:
            third.close()
        check(r is not None and r.status == 503, "a third body past MAX_BODY_MEMORY: 503 before it is sent",
              r.brief() if r else "no answer within 3 s of the headers")
        if r is not None:
            check(r.header("retry-after").isdigit(), "the 503 has Retry-After", r.headers)
            check(not problem_basics(r) and r.json.get("type", "").endswith("/problems/too-many-bodies"),
                  "the 503 is problem+json /problems/too-many-bodies", r.brief())
        # a chunked body reserves as it comes: past the bound it is dropped and answered 503 at its end
        chunked = json.dumps(art("مقال مقطع", body="م" * 20000), ensure_ascii=False).encode()
        r = srv.raw("POST", "/v1/articles", body=chunked, chunked=True, chunk_size=4096,
                    headers={"Authorization": "Bearer " + TOKEN_1, "Content-Type": "application/json"})
        check(r.status == 503 and r.header("retry-after").isdigit(),
              "a chunked body past MAX_BODY_MEMORY: 503 with Retry-After", r.brief())
        for s, b in zip(held, bodies):
            s.sendall(b[1000:])
        done = early_answers(held, 10.0)
        check([x.status if x else None for x in done] == [201, 201], "the two bodies in flight are created",
              [x.brief() if x else None for x in done])
    finally:
        close_all(held)
    r = send(srv, "POST", "/v1/articles", body=art("مقال بعد الزحام"), token=TOKEN_1)
    check(r.status == 201, "once the bodies are in, a write is served again", r.brief())
    titles = [a.get("title") for a in list_all(srv)]
    check(len(titles) == n0 + 3, "the refused writes changed nothing: 3 articles more", (n0, len(titles)))
    check("مقال في الطريق 2" not in titles and "مقال مقطع" not in titles, "the refused articles do not exist",
          titles[:5])


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
