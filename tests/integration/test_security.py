#!/usr/bin/env python3
"""test_security.py: black-box tests of khabar's HTTP hardening (issue 4), against a private PostgreSQL.

    python3 tests/integration/test_security.py --khabar build/khabar [--only SECTION,...]

Conditional requests (ETag, Last-Modified, If-None-Match, If-Modified-Since, If-Match), HEAD,
Cache-Control, CORS, X-Request-Id, the client address behind TRUSTED_PROXIES, the rate
limit, connection limits, slow clients (headers, body, reading), size limits (414, 431,
413, JSON depth), 405 with Allow, no internal text in errors, and the malformed-HTTP corpus
of tests/security/corpus/ (replayed by tests/security/replay.py).

Each section starts the khabar servers it needs, with the settings it tests. Clients other
than 127.0.0.1 are made by binding the client socket to another loopback address
(127.0.0.2, 127.0.0.3, ...), all on this machine.

Ends with "# N passed, M failed"; exit status 1 when anything failed. "# note" lines tell
things worth knowing that no check fails on. KHABAR_TEST_KEEP=1 keeps the server logs.
"""
import argparse
import datetime
import email.utils
import http.client
import json
import os
import re
import socket
import sys
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "security"))

import harness  # noqa: E402
from harness import (CORS_ORIGIN, MAX_BODY_BYTES, TOKEN_1, Harness, HarnessError, Response,  # noqa: E402
                     check, log, run_section)
import replay  # noqa: E402

H = None
STATE = {}

# khabar's settings this file sets per server: never inherited from the caller's shell
SEC_VARS = ("TRUSTED_PROXIES", "PER_CLIENT_CONNECTIONS", "HEADER_TIMEOUT", "REQUEST_TIMEOUT",
            "CONNECTION_TIMEOUT", "MAX_CONNECTIONS", "MAX_HEADER_BYTES", "RATE_LIMIT", "RATE_BURST",
            "RATE_LIMIT_TOKENS", "DB_TIMEOUT", "STATEMENT_TIMEOUT", "MIGRATE_ON_START")

IMF_FIXDATE = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                         r"\d{4} \d{2}:\d{2}:\d{2} GMT$")
# What must never reach a client in an error body
LEAK_MARKERS = ("SELECT ", "INSERT ", "UPDATE ", "DELETE FROM", "ERROR:", "syntax error", "PQ", "libpq",
                "postgres", "relation ", "/work/", "/usr/", "/tmp/", "/home/", "/root/", ".c:", ".h:", "jansson",
                "microhttpd", "Segmentation", "assert", "0x7f")
HOSTILE = ("' OR '1'='1", "1; DROP TABLE articles; --", "\" OR 1=1 --", "1' AND SLEEP(5)--",
           "1 UNION SELECT NULL,version()--", "%27%20OR%201=1--", "../../../../etc/passwd", "{{7*7}}",
           "<script>alert(1)</script>", "\\x00", "$(id)", "' || pg_sleep(5) || '")


def note(msg):
    print("# note: " + msg, flush=True)


# ---------------------------------------------------------------------------------------
# requests from any loopback address

def send(srv, method, path, body=None, headers=None, token=None, src=None, encoded=False, timeout=None):
    """One request on a new connection from source address src (default 127.0.0.1)."""
    return harness.http_request(srv.port, method, path, body=body, headers=headers, token=token,
                                encoded=encoded, timeout=timeout or H.http_timeout, src=src,
                                safe="/?&=%")


def raw_bytes(srv, data, timeout=None, head=False):
    return srv.raw_request(data, timeout=timeout, head=head)


def raw_parse(srv, data, head=False, timeout=None):
    return harness.parse_response(srv.raw_request(data, timeout=timeout, head=head), head=head)


def start(name, **settings):
    """A khabar server with the harness defaults changed by settings (values made str)."""
    extra = {k: str(v) for k, v in settings.items()}
    return H.start_server(extra=extra, name=name)


def stop(srv):
    status, secs = srv.stop(30.0 if H.sanitized else 10.0)
    check(status == 0, "server %s exits 0 after SIGTERM" % srv.name,
          "status %r after %.1f s; log tail:\n%s" % (status, secs, srv.log_tail(30)))


access_lines = harness.access_lines
log_entry = harness.log_entry


def problem_ok(r):
    """Problems with r as an application/problem+json answer (empty when fine)."""
    issues = []
    if not r.header("content-type").startswith("application/problem+json"):
        issues.append("Content-Type %r" % r.header("content-type"))
    if not isinstance(r.json, dict) or r.json.get("status") != r.status or not r.json.get("type"):
        issues.append("body %r" % r.body[:200])
    if "no-store" not in r.header("cache-control"):
        issues.append("Cache-Control %r" % r.header("cache-control"))
    if not r.header("x-request-id"):
        issues.append("no X-Request-Id")
    return issues


def leaks(text, sent=()):
    """Internal text in an answer; what the client sent itself (echoed in a field name) aside."""
    for v in sent:
        for form in (v, json.dumps(v, ensure_ascii=False)[1:-1], json.dumps(v)[1:-1]):
            text = text.replace(form, "")
    return [m for m in LEAK_MARKERS if m in text]


def http_date_ok(v):
    if not IMF_FIXDATE.match(v or ""):
        return False
    try:
        email.utils.parsedate_to_datetime(v)
        return True
    except (TypeError, ValueError):
        return False


def http_date(dt):
    return email.utils.format_datetime(dt.astimezone(datetime.timezone.utc), usegmt=True)


def parse_http_date(v):
    return email.utils.parsedate_to_datetime(v)


def art(title, **fields):
    d = {"title": title, "body": "نص المقال لاختبار الأمان."}
    d.update(fields)
    return d


def create(srv, obj):
    r = send(srv, "POST", "/v1/articles", body=obj, token=TOKEN_1)
    if r.status != 201 or not isinstance(r.json, dict):
        raise AssertionError("creating %r: %s" % (obj.get("title"), r.brief()))
    return r.json


def wait_next_second():
    """Sleeps past the next whole second: Last-Modified has one-second resolution."""
    now = time.time()
    time.sleep(1.0 - (now % 1.0) + 0.05)


# ---------------------------------------------------------------------------------------
# sections on the default server

def sec_setup_data():
    srv = H.server
    a = create(srv, art("مقال الأمان الأول", tags=["وسم الأمان"], sources=["مصدر الأمان"]))
    b = create(srv, art("مقال الأمان الثاني", tags=["وسم الأمان"], sources=["مصدر الأمان"], related=[a["id"]]))
    STATE.update(a=a, b=b)
    tag = send(srv, "GET", "/v1/tags/" + "وسم-الأمان")
    check(tag.status == 200, "set-up: the test tag exists", tag.brief())
    STATE["tag_slug"] = "وسم-الأمان"


def get_routes():
    """Every GET route with a real resource: (name, path)."""
    a, b = STATE["a"], STATE["b"]
    return [
        ("article by id", "/v1/articles/%d" % a["id"]),
        ("article by slug", "/v1/articles/" + a["slug"]),
        ("articles list", "/v1/articles?limit=5"),
        ("articles search", "/v1/articles?q=" + urllib.parse.quote("الأمان")),
        ("related list", "/v1/articles/%d/related" % b["id"]),
        ("tags list", "/v1/tags"),
        ("tag", "/v1/tags/" + STATE["tag_slug"]),
        ("sources list", "/v1/sources"),
    ]


def sec_conditional_get():
    srv = H.server
    for name, path in get_routes():
        r = send(srv, "GET", path)
        if not check(r.status == 200, "%s: GET 200" % name, r.brief()):
            continue
        etag, lm = r.header("etag"), r.header("last-modified")
        check(etag.startswith('"') and etag.endswith('"') and len(etag) > 2,
              "%s: strong ETag" % name, repr(etag))
        check(http_date_ok(lm), "%s: Last-Modified is an HTTP date (IMF-fixdate)" % name, repr(lm))
        if lm and http_date_ok(lm):
            check(parse_http_date(lm) <= datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=1),
                  "%s: Last-Modified is not in the future" % name, lm)
        r2 = send(srv, "GET", path)
        check(r2.header("etag") == etag, "%s: ETag stable across GETs" % name, (etag, r2.header("etag")))

        r = send(srv, "GET", path, headers={"If-None-Match": etag})
        check(r.status == 304, "%s: If-None-Match with its ETag -> 304" % name, r.brief())
        check(r.body == b"", "%s: 304 has no body" % name, r.body[:100])
        check(r.header("etag") == etag, "%s: 304 repeats the ETag" % name, r.headers)
        check(bool(r.header("cache-control")) and bool(r.header("x-request-id")),
              "%s: 304 has Cache-Control and X-Request-Id" % name, r.headers)
        if r.header("content-length") not in ("",) and r.header("content-length") != str(len(r2.body)):
            STATE.setdefault("notes_304_cl", set()).add(r.header("content-length"))
        r = send(srv, "GET", path, headers={"If-None-Match": '"nope", ' + etag})
        check(r.status == 304, "%s: If-None-Match list holding the ETag -> 304" % name, r.brief())
        r = send(srv, "GET", path, headers={"If-None-Match": "W/" + etag})
        check(r.status == 304, "%s: If-None-Match weak form of the ETag -> 304 (weak comparison)" % name, r.brief())
        r = send(srv, "GET", path, headers={"If-None-Match": "*"})
        check(r.status == 304, "%s: If-None-Match: * -> 304" % name, r.brief())
        r = send(srv, "GET", path, headers={"If-None-Match": '"0000000000000000"'})
        check(r.status == 200 and r.body, "%s: If-None-Match with another ETag -> 200 with body" % name, r.brief())
        if http_date_ok(lm):
            r = send(srv, "GET", path, headers={"If-Modified-Since": lm})
            check(r.status == 304 and r.body == b"", "%s: If-Modified-Since = Last-Modified -> 304, empty" % name,
                  r.brief())
            later = http_date(parse_http_date(lm) + datetime.timedelta(hours=1))
            r = send(srv, "GET", path, headers={"If-Modified-Since": later})
            check(r.status == 304, "%s: If-Modified-Since later than Last-Modified -> 304" % name, r.brief())
            earlier = http_date(parse_http_date(lm) - datetime.timedelta(seconds=1))
            r = send(srv, "GET", path, headers={"If-Modified-Since": earlier})
            check(r.status == 200 and r.body, "%s: If-Modified-Since a second earlier -> 200" % name, r.brief())
            r = send(srv, "GET", path, headers={"If-None-Match": '"0000000000000000"', "If-Modified-Since": lm})
            check(r.status == 200, "%s: If-None-Match (no match) overrides If-Modified-Since -> 200" % name,
                  r.brief())
        r = send(srv, "GET", path, headers={"If-Modified-Since": "yesterday, sometime"})
        check(r.status == 200, "%s: invalid If-Modified-Since is ignored -> 200" % name, r.brief())
        r = send(srv, "HEAD", path, headers={"If-None-Match": etag})
        check(r.status == 304, "%s: HEAD with If-None-Match -> 304" % name, r.brief())
    if STATE.get("notes_304_cl"):
        note("304 answers carry Content-Length %s, not the 200's length (RFC 9110 8.6 says a 304 MUST NOT "
             "send a Content-Length other than the 200's; libmicrohttpd adds it)" % sorted(STATE["notes_304_cl"]))
    # a 304 is only for GET and HEAD
    r = send(srv, "POST", "/v1/articles", body=art("مقال شرطي"), token=TOKEN_1, headers={"If-None-Match": "*"})
    check(r.status != 304, "POST with If-None-Match: * is never a 304", r.brief())
    if r.status == 201:
        send(srv, "DELETE", "/v1/articles/%d" % r.json["id"], token=TOKEN_1)
    r = send(srv, "GET", "/v1/articles/999999999", headers={"If-None-Match": "*"})
    check(r.status == 404, "If-None-Match: * on a missing article -> 404, not 304", r.brief())


def snapshot(srv, paths):
    out = {}
    for p in paths:
        r = send(srv, "GET", p)
        out[p] = (r.status, r.header("etag"), r.header("last-modified"), r.body)
    return out


def sec_validators_change():
    srv = H.server
    a, b = STATE["a"], STATE["b"]
    tag = STATE["tag_slug"]
    paths = ["/v1/articles?limit=5", "/v1/tags", "/v1/sources", "/v1/articles/%d/related" % b["id"],
             "/v1/tags/" + tag, "/v1/articles/%d" % a["id"]]
    wait_next_second()
    before = snapshot(srv, paths)
    wait_next_second()
    # one write that changes every one of them: a's title (articles, b's related, a), its tag
    # (the old tag's count, the tags list) and its sources (the sources list)
    r = send(srv, "PATCH", "/v1/articles/%d" % a["id"], token=TOKEN_1,
             headers={"Content-Type": "application/merge-patch+json"},
             body=json.dumps({"title": "مقال الأمان الأول بعد التعديل", "tags": ["وسم الأمان الجديد"],
                              "sources": ["مصدر الأمان", "مصدر ثان للأمان"]}, ensure_ascii=False))
    check(r.status == 200, "PATCH for the validator checks -> 200", r.brief())
    after = snapshot(srv, paths)
    for p in paths:
        st0, e0, lm0, _ = before[p]
        st1, e1, lm1, _ = after[p]
        if not check(st0 == 200 and st1 == 200, "%s: 200 before and after the write" % p, (st0, st1)):
            continue
        check(e0 != e1, "%s: ETag changes after a write" % p, (e0, e1))
        if http_date_ok(lm0) and http_date_ok(lm1):
            check(parse_http_date(lm1) > parse_http_date(lm0), "%s: Last-Modified moves forward after a write" % p,
                  (lm0, lm1))
        else:
            check(False, "%s: Last-Modified before and after the write" % p, (lm0, lm1))
        r = send(srv, "GET", p, headers={"If-None-Match": e0})
        check(r.status == 200 and r.body, "%s: the old ETag no longer gives 304" % p, r.brief())
        if http_date_ok(lm0):
            r = send(srv, "GET", p, headers={"If-Modified-Since": lm0})
            check(r.status == 200 and r.body, "%s: the old Last-Modified no longer gives 304" % p, r.brief())
    STATE["tag2_slug"] = "وسم-الأمان-الجديد"

    # a deletion: the newest article goes away; the lists' Last-Modified must not go back
    c = create(srv, art("مقال سيحذف", tags=["وسم سيحذف"], sources=["مصدر سيحذف"]))
    lists = ["/v1/articles?limit=5", "/v1/tags", "/v1/sources"]
    wait_next_second()
    pre = snapshot(srv, lists)
    wait_next_second()
    r = send(srv, "DELETE", "/v1/articles/%d" % c["id"], token=TOKEN_1)
    check(r.status == 204, "DELETE of the newest article -> 204", r.brief())
    post = snapshot(srv, lists)
    for p in lists:
        _, e0, lm0, _ = pre[p]
        _, e1, lm1, _ = post[p]
        if not check(http_date_ok(lm0) and http_date_ok(lm1), "%s: Last-Modified present around a DELETE" % p,
                     (lm0, lm1)):
            continue
        check(parse_http_date(lm1) >= parse_http_date(lm0), "%s: Last-Modified does not go back after a DELETE" % p,
              (lm0, lm1))
        check(e1 != e0, "%s: ETag changes after a DELETE" % p, (e0, e1))
        r = send(srv, "GET", p, headers={"If-None-Match": e0})
        check(r.status == 200, "%s: the ETag from before the DELETE no longer gives 304" % p, r.brief())
        r = send(srv, "GET", p, headers={"If-Modified-Since": lm0})
        check(r.status == 200, "%s: If-Modified-Since from before the DELETE -> 200" % p, r.brief())

    # the same second: If-Modified-Since can only tell whole seconds
    d = create(srv, art("مقال في الثانية نفسها"))
    g0 = send(srv, "GET", "/v1/articles/%d" % d["id"])
    r = send(srv, "PATCH", "/v1/articles/%d" % d["id"], token=TOKEN_1,
             headers={"Content-Type": "application/merge-patch+json"}, body='{"summary": "تغيير"}')
    g1 = send(srv, "GET", "/v1/articles/%d" % d["id"], headers={"If-Modified-Since": g0.header("last-modified")})
    if g1.status == 304:
        note("a change made within the same second as the Last-Modified a client holds is hidden from a client "
             "that only sends If-Modified-Since (304 for a changed article; Last-Modified has one-second "
             "resolution). ETag/If-None-Match is exact.")
    send(srv, "DELETE", "/v1/articles/%d" % d["id"], token=TOKEN_1)


def sec_if_match():
    srv = H.server
    merge = {"Content-Type": "application/merge-patch+json"}
    for method in ("PATCH", "PUT", "DELETE"):
        x = create(srv, art("مقال المحررين %s" % method))
        path = "/v1/articles/%d" % x["id"]
        e1 = send(srv, "GET", path).header("etag")
        # editor A writes with the ETag it read
        ra = send(srv, "PATCH", path, token=TOKEN_1, headers=dict(merge, **{"If-Match": e1}),
                  body=json.dumps({"summary": "تعديل المحرر الأول"}, ensure_ascii=False))
        check(ra.status == 200, "%s test: first editor's PATCH with If-Match -> 200" % method, ra.brief())
        e2 = ra.header("etag")
        check(e2 and e2 != e1, "%s test: the write answers a new ETag" % method, (e1, e2))
        check(send(srv, "GET", path).header("etag") == e2, "%s test: the written ETag is the one GET gives" % method,
              e2)
        state_a = send(srv, "GET", path).json
        # editor B still holds e1
        if method == "PATCH":
            rb = send(srv, "PATCH", path, token=TOKEN_1, headers=dict(merge, **{"If-Match": e1}),
                      body=json.dumps({"summary": "تعديل المحرر الثاني"}, ensure_ascii=False))
        elif method == "PUT":
            rb = send(srv, "PUT", path, token=TOKEN_1, headers={"If-Match": e1},
                      body=art("عنوان المحرر الثاني"))
        else:
            rb = send(srv, "DELETE", path, token=TOKEN_1, headers={"If-Match": e1})
        check(rb.status == 412, "second editor's %s with the stale ETag -> 412" % method, rb.brief())
        issues = problem_ok(rb)
        check(not issues and rb.json.get("type", "").endswith("/problems/precondition-failed"),
              "%s 412 is a precondition-failed problem+json" % method, "; ".join(issues) or rb.brief())
        now = send(srv, "GET", path)
        check(now.status == 200 and now.json == state_a and now.header("etag") == e2,
              "after the refused %s nothing changed" % method, now.brief(300))
        # weak tags never match If-Match (strong comparison)
        r = send(srv, "DELETE", path, token=TOKEN_1, headers={"If-Match": "W/" + e2})
        check(r.status == 412, "%s test: If-Match with the weak form of the current ETag -> 412" % method, r.brief())
        r = send(srv, "PATCH", path, token=TOKEN_1, headers=dict(merge, **{"If-Match": '"x", ' + e2}),
                 body='{"summary": "قائمة"}')
        check(r.status == 200, "%s test: If-Match list holding the current ETag -> 200" % method, r.brief())
        e3 = r.header("etag")
        r = send(srv, "DELETE", path, token=TOKEN_1, headers={"If-Match": e3})
        check(r.status == 204, "%s test: DELETE with the current ETag -> 204" % method, r.brief())
        check(send(srv, "GET", path).status == 404, "%s test: the article is gone" % method, "")
    x = create(srv, art("مقال النجمة"))
    r = send(srv, "PATCH", "/v1/articles/%d" % x["id"], token=TOKEN_1, headers=dict(merge, **{"If-Match": "*"}),
             body='{"summary": "نجمة"}')
    check(r.status == 200, "If-Match: * on an existing article -> 200", r.brief())
    r = send(srv, "PUT", "/v1/articles/999999999", token=TOKEN_1, headers={"If-Match": '"abc"'}, body=art("لا يوجد"))
    check(r.status in (404, 412), "If-Match on a missing article -> 404 or 412", r.brief())
    send(srv, "DELETE", "/v1/articles/%d" % x["id"], token=TOKEN_1)


def head_matches(name, g, h):
    check(h.status == g.status, "HEAD %s: same status as GET (%d)" % (name, g.status), (g.status, h.status))
    check(h.body == b"", "HEAD %s: no body bytes" % name, h.body[:100])
    for k in ("content-type", "etag", "last-modified", "cache-control", "vary", "allow", "link"):
        check(g.header(k) == h.header(k), "HEAD %s: %s as GET" % (name, k), (g.header(k), h.header(k)))
    if not name.startswith("/metrics"):
        check(h.header("content-length") == str(len(g.body)),
              "HEAD %s: Content-Length is the GET body's length" % name, (h.header("content-length"), len(g.body)))
    check(bool(h.header("x-request-id")), "HEAD %s: X-Request-Id" % name, h.headers)


def sec_head():
    srv = H.server
    paths = [p for _, p in get_routes()] + ["/v1/articles?limit=1", "/healthz", "/readyz", "/metrics",
                                            "/openapi.yaml", "/v1/articles/999999999", "/v1/tags/لا-يوجد"]
    for p in paths:
        g = send(srv, "GET", p)
        # raw socket: any byte after the header block shows up as a body
        target = urllib.parse.quote(p, safe="/?&=%").encode()
        h = raw_parse(srv, b"HEAD " + target + b" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
                      head=True)
        head_matches(p, g, h)
    r = send(srv, "OPTIONS", "/v1/tags")
    check("HEAD" in r.header("allow"), "Allow of a GET route lists HEAD", r.header("allow"))


def sec_cache_control():
    srv = H.server
    a = STATE["a"]
    cases = [
        ("article", "GET", "/v1/articles/%d" % a["id"], None, "public", True),
        ("articles list", "GET", "/v1/articles", None, "public", True),
        ("tags list", "GET", "/v1/tags", None, "public", True),
        ("tag", "GET", "/v1/tags/" + STATE.get("tag2_slug", STATE["tag_slug"]), None, "public", True),
        ("sources list", "GET", "/v1/sources", None, "public", True),
        ("related list", "GET", "/v1/articles/%d/related" % STATE["b"]["id"], None, "public", True),
        ("openapi", "GET", "/openapi.yaml", None, "public", True),
        ("healthz", "GET", "/healthz", None, "no-store", False),
        ("readyz", "GET", "/readyz", None, "no-store", False),
        ("metrics", "GET", "/metrics", None, "no-store", False),
        ("404", "GET", "/v1/articles/999999999", None, "no-store", False),
        ("400", "GET", "/v1/articles?limit=0", None, "no-store", False),
        ("405", "DELETE", "/v1/tags", TOKEN_1, "no-store", False),
        ("401", "POST", "/v1/articles", None, "no-store", False),
    ]
    ages = {}
    for name, method, path, token, want, cacheable in cases:
        body = art("مقال") if method == "POST" else None
        r = send(srv, method, path, token=token, body=body)
        cc = r.header("cache-control").lower()
        check(want in cc, "Cache-Control of %s (%d) has %s" % (name, r.status, want), repr(cc))
        if cacheable:
            m = re.search(r"max-age=(\d+)", cc)
            check(m is not None and int(m.group(1)) > 0, "Cache-Control of %s has a max-age" % name, repr(cc))
            ages[name] = int(m.group(1)) if m else None
            check("no-store" not in cc and "private" not in cc, "Cache-Control of %s is cacheable" % name, cc)
    if ages.get("article") and ages.get("articles list"):
        check(ages["articles list"] <= ages["article"], "lists get a shorter max-age than an article", ages)
        check(ages["articles list"] <= 60, "lists' max-age is short (<= 60 s)", ages)
    # writes
    r = send(srv, "POST", "/v1/articles", body=art("مقال ذاكرة"), token=TOKEN_1)
    check(r.status == 201 and "no-store" in r.header("cache-control"), "Cache-Control of a 201 is no-store",
          r.header("cache-control"))
    path = "/v1/articles/%d" % r.json["id"]
    r = send(srv, "PATCH", path, token=TOKEN_1, headers={"Content-Type": "application/merge-patch+json"},
             body='{"summary": "ملخص"}')
    check(r.status == 200 and "no-store" in r.header("cache-control"), "Cache-Control of a PATCH 200 is no-store",
          r.header("cache-control"))
    r = send(srv, "PUT", path, token=TOKEN_1, body=art("مقال ذاكرة"))
    check(r.status == 200 and "no-store" in r.header("cache-control"), "Cache-Control of a PUT 200 is no-store",
          r.header("cache-control"))
    r = send(srv, "DELETE", path, token=TOKEN_1)
    check(r.status == 204 and "no-store" in r.header("cache-control"), "Cache-Control of a 204 is no-store",
          r.header("cache-control"))
    et = send(srv, "GET", "/v1/articles/%d" % a["id"]).header("etag")
    r = send(srv, "GET", "/v1/articles/%d" % a["id"], headers={"If-None-Match": et})
    check(r.status == 304 and "public" in r.header("cache-control").lower(),
          "a 304 carries the 200's Cache-Control", r.header("cache-control"))


def sec_cors():
    srv = H.server
    a = STATE["a"]
    o = {"Origin": CORS_ORIGIN}
    evil = {"Origin": "https://evil.example"}
    for name, method, path, token in (("200 article", "GET", "/v1/articles/%d" % a["id"], None),
                                      ("200 list", "GET", "/v1/articles", None),
                                      ("404", "GET", "/v1/articles/999999999", None),
                                      ("401", "POST", "/v1/articles", None),
                                      ("405", "TRACE", "/v1/articles", None)):
        body = art("x") if method == "POST" else None
        r = send(srv, method, path, headers=o, token=token, body=body)
        check(r.header("access-control-allow-origin") == CORS_ORIGIN,
              "CORS %s: allowed origin echoed" % name, r.headers)
        exp = [x.strip().lower() for x in r.header("access-control-expose-headers").split(",")]
        for hname in ("etag", "link", "location", "x-request-id", "retry-after"):
            check(hname in exp, "CORS %s: %s exposed" % (name, hname), exp)
        check("origin" in r.header("vary").lower(), "CORS %s: Vary: Origin" % name, r.header("vary"))
        check(r.header("access-control-allow-credentials") in ("", "true"),
              "CORS %s: Allow-Credentials absent or true" % name, r.headers)
        r = send(srv, method, path, headers=evil, token=token, body=body)
        cors = [k for k in r.headers if k.startswith("access-control-")]
        check(not cors, "CORS %s: disallowed origin gets no Access-Control-* header" % name, cors)
        check("origin" in r.header("vary").lower(), "CORS %s: Vary: Origin for a disallowed origin too" % name,
              r.header("vary"))
        r = send(srv, method, path, token=token, body=body)
        check("origin" in r.header("vary").lower(), "CORS %s: Vary: Origin without an Origin too" % name,
              r.header("vary"))
    # a 304 varies the same way
    et = send(srv, "GET", "/v1/articles/%d" % a["id"], headers=o).header("etag")
    r = send(srv, "GET", "/v1/articles/%d" % a["id"], headers=dict(o, **{"If-None-Match": et}))
    check(r.status == 304 and r.header("access-control-allow-origin") == CORS_ORIGIN
          and "origin" in r.header("vary").lower(), "CORS 304: allowed origin and Vary: Origin", r.headers)
    # preflights
    routes = [("/v1/articles", {"GET", "POST"}, "POST"),
              ("/v1/articles/%d" % a["id"], {"GET", "PUT", "PATCH", "DELETE"}, "PATCH"),
              ("/v1/articles/1/related/2", {"PUT", "DELETE"}, "PUT"),
              ("/v1/tags", {"GET"}, "GET")]
    for path, methods, ask in routes:
        pre = {"Origin": CORS_ORIGIN, "Access-Control-Request-Method": ask,
               "Access-Control-Request-Headers": "authorization, content-type, if-match"}
        r = send(srv, "OPTIONS", path, headers=pre)
        check(r.status == 204 and r.body == b"", "preflight %s -> 204, no body" % path, r.brief())
        got = {m.strip() for m in r.header("access-control-allow-methods").split(",") if m.strip()}
        check(methods <= got, "preflight %s: Allow-Methods has %s" % (path, sorted(methods)), got)
        check(not ({"TRACE", "CONNECT"} & got), "preflight %s: Allow-Methods without TRACE/CONNECT" % path, got)
        allow_h = {x.strip().lower() for x in r.header("access-control-allow-headers").split(",")}
        for hname in ("authorization", "content-type", "if-match", "if-none-match"):
            check(hname in allow_h or "*" in allow_h, "preflight %s: Allow-Headers has %s" % (path, hname), allow_h)
        ma = r.header("access-control-max-age")
        check(ma.isdigit() and int(ma) > 0, "preflight %s: positive Access-Control-Max-Age" % path, repr(ma))
        check(r.header("access-control-allow-origin") == CORS_ORIGIN, "preflight %s: origin allowed" % path,
              r.headers)
        check("origin" in r.header("vary").lower(), "preflight %s: Vary: Origin" % path, r.header("vary"))
        check(bool(r.header("x-request-id")), "preflight %s: X-Request-Id" % path, r.headers)
        r = send(srv, "OPTIONS", path, headers=dict(pre, Origin="https://evil.example"))
        cors = [k for k in r.headers if k.startswith("access-control-")]
        check(not cors, "preflight %s from a disallowed origin: no Access-Control-* header" % path, cors)
    # an origin that only starts like the allowed one, or differs in case or scheme
    for bad in (CORS_ORIGIN + ".evil.example", CORS_ORIGIN.replace("https", "http"), CORS_ORIGIN + ":8443",
                "null", CORS_ORIGIN.upper()):
        r = send(srv, "GET", "/v1/articles?limit=1", headers={"Origin": bad})
        check("access-control-allow-origin" not in r.headers, "CORS: look-alike origin %r refused" % bad, r.headers)


def sec_cors_other_servers():
    two = start("cors-two", CORS_ORIGINS="https://a.example, https://b.example")
    star = start("cors-star", CORS_ORIGINS="*")
    none = start("cors-none", CORS_ORIGINS="")
    try:
        for o in ("https://a.example", "https://b.example"):
            r = send(two, "GET", "/v1/articles?limit=1", headers={"Origin": o})
            check(r.header("access-control-allow-origin") == o, "CORS_ORIGINS with two origins: %s echoed alone" % o,
                  r.headers)
        r = send(two, "GET", "/v1/articles?limit=1", headers={"Origin": "https://c.example"})
        check("access-control-allow-origin" not in r.headers, "CORS_ORIGINS with two origins: a third refused",
              r.headers)
        r = send(star, "GET", "/v1/articles?limit=1", headers={"Origin": "https://any.example"})
        check(r.header("access-control-allow-origin") == "*", "CORS_ORIGINS=*: Access-Control-Allow-Origin: *",
              r.headers)
        check(r.header("access-control-allow-credentials") != "true",
              "CORS_ORIGINS=*: never Allow-Credentials with *", r.headers)
        r = send(star, "OPTIONS", "/v1/articles", headers={"Origin": "https://any.example",
                                                           "Access-Control-Request-Method": "POST"})
        check(r.status == 204 and r.header("access-control-allow-origin") == "*", "CORS_ORIGINS=*: preflight 204",
              r.brief())
        r = send(none, "GET", "/v1/articles?limit=1", headers={"Origin": CORS_ORIGIN})
        cors = [k for k in r.headers if k.startswith("access-control-")]
        check(not cors, "no CORS_ORIGINS: no Access-Control-* header for any origin", cors)
        r = send(none, "OPTIONS", "/v1/articles", headers={"Origin": CORS_ORIGIN,
                                                           "Access-Control-Request-Method": "POST"})
        cors = [k for k in r.headers if k.startswith("access-control-")]
        check(not cors, "no CORS_ORIGINS: preflight allows nothing", (r.status, cors))
    finally:
        for s in (two, star, none):
            stop(s)


def sec_request_id():
    srv = H.server
    a = STATE["a"]
    cases = [("GET", "/v1/articles/%d" % a["id"], None, None), ("GET", "/v1/articles/999999999", None, None),
             ("GET", "/v1/articles?limit=abc", None, None), ("TRACE", "/v1/articles", None, None),
             ("POST", "/v1/articles", None, art("x")), ("POST", "/v1/articles", TOKEN_1, b"{bad json"),
             ("POST", "/v1/articles", TOKEN_1, {"title": ""}), ("OPTIONS", "/v1/articles", None, None),
             ("GET", "/healthz", None, None), ("GET", "/metrics", None, None), ("GET", "/nowhere", None, None),
             ("HEAD", "/v1/tags", None, None)]
    for method, path, token, body in cases:
        r = send(srv, method, path, token=token, body=body)
        check(re.match(r"^[A-Za-z0-9._:-]{8,64}$", r.header("x-request-id")) is not None,
              "X-Request-Id on %s %s (%d)" % (method, path, r.status), r.header("x-request-id"))
        r = send(srv, method, path, token=token, body=body, headers={"X-Request-Id": "sec-test.42:a_b"})
        check(r.header("x-request-id") == "sec-test.42:a_b", "a sane X-Request-Id is echoed on %s %s" % (method, path),
              r.header("x-request-id"))
    et = send(srv, "GET", "/v1/articles/%d" % a["id"]).header("etag")
    r = send(srv, "GET", "/v1/articles/%d" % a["id"], headers={"If-None-Match": et, "X-Request-Id": "cond-1"})
    check(r.status == 304 and r.header("x-request-id") == "cond-1", "X-Request-Id on a 304", r.headers)
    r = raw_parse(srv, b"POST /v1/articles HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n"
                       b"X-Request-Id: big-1\r\nConnection: close\r\n\r\n")
    check(r.status == 413 and r.header("x-request-id") == "big-1", "X-Request-Id on a 413", r.headers)
    # header injection through the id: refused, never reflected
    r = raw_parse(srv, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: a\x0bb\r\nConnection: close\r\n\r\n")
    check("\x0b" not in r.header("x-request-id"), "X-Request-Id with a control byte is replaced", r.headers)
    for rid in ("a" * 65, "abc<def>", "a b", "ä"):
        r = send(srv, "GET", "/healthz", headers={"X-Request-Id": rid.encode("utf-8").decode("latin-1")})
        check(r.header("x-request-id") not in ("", rid), "insane X-Request-Id %r replaced" % rid[:20],
              r.header("x-request-id"))


def sec_methods():
    srv = H.server
    a = STATE["a"]
    cases = [
        ("TRACE", "/v1/articles", "GET, HEAD, POST, OPTIONS"),
        ("TRACE", "/v1/articles/%d" % a["id"], None),
        ("TRACE", "/healthz", None),
        ("TRACK", "/v1/articles", None),
        ("CONNECT", "/v1/articles", None),
        ("PATCH", "/v1/tags", None),
        ("POST", "/v1/tags", None),
        ("DELETE", "/v1/tags", None),
        ("PUT", "/v1/tags/x", None),
        ("DELETE", "/v1/sources", None),
        ("PUT", "/v1/articles", None),
        ("DELETE", "/v1/articles", None),
        ("POST", "/v1/articles/%d" % a["id"], None),
        ("POST", "/v1/articles/%d/related" % a["id"], None),
        ("GET", "/v1/articles/1/related/2", None),
        ("POST", "/healthz", None),
        ("DELETE", "/readyz", None),
        ("PUT", "/metrics", None),
        ("POST", "/openapi.yaml", None),
        ("PROPFIND", "/v1/articles", None),
        ("FOO", "/v1/tags", None),
    ]
    for method, path, exact in cases:
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
        check(not problem_ok(r), "%s %s: 405 is problem+json" % (method, path), problem_ok(r))
        check(b"s3cr3t-value" not in r.body, "%s %s: request headers are not echoed" % (method, path), r.body[:200])
        # the Allow methods do answer (HEAD and OPTIONS at least)
        if "OPTIONS" in allow:
            r2 = send(srv, "OPTIONS", path)
            check(r2.status == 204 and set(a.strip() for a in r2.header("allow").split(",")) == set(allow),
                  "OPTIONS %s answers 204 with the same Allow" % path, (r2.status, r2.header("allow")))
    r = send(srv, "TRACE", "/nowhere")
    check(r.status == 404, "TRACE on an unknown path -> 404", r.brief())
    # TRACE through the raw socket with Max-Forwards: no reflection either
    r = raw_parse(srv, b"TRACE /v1/articles HTTP/1.1\r\nHost: x\r\nMax-Forwards: 0\r\nCookie: secret=1\r\n"
                       b"Connection: close\r\n\r\n")
    check(r.status == 405 and b"secret=1" not in r.raw, "TRACE with Max-Forwards: 0 -> 405, nothing reflected",
          r.brief())


def sec_no_leaks():
    srv = H.server
    a = STATE["a"]
    bad = []
    for v in HOSTILE:  # (method, path, token, body); the body's own strings may be echoed back
        q = urllib.parse.quote(v, safe="")
        for param in ("limit", "cursor", "tag", "source", "q", "from", "to", "lang"):
            bad.append(("GET", "/v1/articles?%s=%s" % (param, q), None, None))
        for param in ("q", "limit", "cursor"):
            bad.append(("GET", "/v1/tags?%s=%s" % (param, q), None, None))
            bad.append(("GET", "/v1/sources?%s=%s" % (param, q), None, None))
        bad.append(("GET", "/v1/articles/" + q, None, None))
        bad.append(("GET", "/v1/tags/" + q, None, None))
        bad.append(("GET", "/v1/articles/" + q + "/related", None, None))
        bad.append(("PUT", "/v1/articles/%d/related/%s" % (a["id"], q), TOKEN_1, None))
        bad.append(("POST", "/v1/articles", TOKEN_1, {"title": v, "body": v, "related": [v]}))
        bad.append(("POST", "/v1/articles", TOKEN_1, {"title": "t", "body": "b", "lang": v}))
        bad.append(("POST", "/v1/articles", TOKEN_1, {"title": "t", "body": "b", "published_at": v}))
        bad.append(("POST", "/v1/articles", TOKEN_1, {"title": "t", "body": "b", "slug": v, v: 1}))
        bad.append(("PATCH", "/v1/articles/%d" % a["id"], TOKEN_1, {"related": [v], "tags": 5}))
    bad += [
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
            if problem_ok(r):
                worst.append("%s %s -> %d not a problem+json: %s" % (method, path[:80], r.status, problem_ok(r)))
    check(not worst, "%d hostile requests: no 5xx, no internal text, every error problem+json" % len(bad),
          "\n".join(worst[:15]))
    for i in created:
        send(srv, "DELETE", "/v1/articles/%d" % i, token=TOKEN_1)
    r = send(srv, "GET", "/readyz")
    check(r.status == 200, "the database still answers after the hostile requests", r.brief())


def sec_body_limits():
    srv = H.server
    hdrs = {"Authorization": "Bearer " + TOKEN_1, "Content-Type": "application/json"}
    big = json.dumps(art("كبير", body="x" * (MAX_BODY_BYTES + 10))).encode()
    r = srv.raw("POST", "/v1/articles", headers=hdrs, body=big)
    check(r.status == 413 and not problem_ok(r), "body over MAX_BODY_BYTES -> 413 problem+json", r.brief())
    r = srv.raw("POST", "/v1/articles", headers=hdrs, body=big, chunked=True, chunk_size=4096)
    check(r.status == 413, "chunked body over MAX_BODY_BYTES -> 413", r.brief())
    # JSON nesting
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


def sec_malformed():
    srv = H.server
    t0 = time.monotonic()
    wait = 4.0 if H.sanitized else 2.0
    results = replay.replay_all("127.0.0.1", srv.port, workers=6, wait=wait, follow_wait=wait * 2)
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


def sec_proxies():
    srv = start("proxy", TRUSTED_PROXIES="127.0.0.1/32", RATE_LIMIT=1, RATE_BURST=5, LOG_FORMAT="json")
    try:
        # the address a trusted proxy forwards for is the client
        r = send(srv, "GET", "/healthz", headers={"X-Forwarded-For": "203.0.113.7", "X-Request-Id": "xff-1"})
        e = log_entry(srv, "xff-1")
        check(e is not None and e.get("client") == "203.0.113.7",
              "trusted proxy: X-Forwarded-For 203.0.113.7 is the client in the access log", e)
        for k in ("time", "request_id", "client", "method", "path", "status", "bytes", "duration_ms"):
            check(e is not None and k in e, "access log line has %s" % k, e)
        r = send(srv, "GET", "/healthz", headers={"X-Forwarded-For": "1.2.3.4, 203.0.113.7", "X-Request-Id": "xff-2"})
        e = log_entry(srv, "xff-2")
        check(e is not None and e.get("client") == "203.0.113.7",
              "trusted proxy: chain '1.2.3.4, 203.0.113.7' -> the right-most untrusted 203.0.113.7", e)
        r = send(srv, "GET", "/healthz", headers={"X-Forwarded-For": "198.51.100.9, 127.0.0.1", "X-Request-Id": "xff-3"})
        e = log_entry(srv, "xff-3")
        check(e is not None and e.get("client") == "198.51.100.9",
              "trusted proxy: trusted hops at the right are skipped", e)
        r = send(srv, "GET", "/healthz", headers={"Forwarded": 'for="[2001:db8::1]"', "X-Request-Id": "fwd-1"})
        e = log_entry(srv, "fwd-1")
        check(e is not None and e.get("client") == "2001:db8::1",
              'trusted proxy: Forwarded: for="[2001:db8::1]" -> 2001:db8::1', e)
        r = send(srv, "GET", "/healthz", headers={"Forwarded": 'for=192.0.2.60;proto=http;by=203.0.113.43',
                                                   "X-Request-Id": "fwd-2"})
        e = log_entry(srv, "fwd-2")
        check(e is not None and e.get("client") == "192.0.2.60", "trusted proxy: Forwarded: for=192.0.2.60;proto=...",
              e)
        r = send(srv, "GET", "/healthz", headers={"Forwarded": 'for="[2001:db8:cafe::17]:4711"', "X-Request-Id": "fwd-3"})
        e = log_entry(srv, "fwd-3")
        check(e is not None and e.get("client") == "2001:db8:cafe::17", "trusted proxy: Forwarded IPv6 with a port",
              e)
        r = send(srv, "GET", "/healthz", headers={"X-Forwarded-For": "not-an-address", "X-Request-Id": "xff-bad"})
        e = log_entry(srv, "xff-bad")
        check(r.status == 200 and e is not None and e.get("client") in ("127.0.0.1",),
              "trusted proxy: a malformed X-Forwarded-For is ignored (the peer is the client)", e)
        # what a client puts to the left of what the proxy appends must not choose its address
        fakes = ", ".join("192.0.2.%d" % i for i in range(1, 41))
        r = send(srv, "GET", "/healthz", headers={"X-Forwarded-For": fakes + ", 203.0.113.77",
                                                   "X-Request-Id": "xff-long"})
        e = log_entry(srv, "xff-long")
        check(e is not None and e.get("client") == "203.0.113.77",
              "trusted proxy: 40 spoofed entries before the proxy's own do not hide the client", e)
        r = send(srv, "GET", "/healthz", headers={"X-Forwarded-For": "garbage, 203.0.113.78",
                                                   "X-Request-Id": "xff-garbage-left"})
        e = log_entry(srv, "xff-garbage-left")
        check(e is not None and e.get("client") == "203.0.113.78",
              "trusted proxy: a malformed entry left of the client's does not hide the client", e)
        r = send(srv, "GET", "/healthz", headers={"Forwarded": "for=unknown, for=203.0.113.79",
                                                   "X-Request-Id": "fwd-unknown"})
        e = log_entry(srv, "fwd-unknown")
        check(e is not None and e.get("client") == "203.0.113.79",
              "trusted proxy: Forwarded 'for=unknown, for=203.0.113.79' (RFC 7239 'unknown') -> 203.0.113.79", e)
        # a proxy that adds its own X-Forwarded-For line (HAProxy's option forwardfor does)
        raw_bytes(srv, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 6.6.6.6\r\n"
                       b"X-Forwarded-For: 203.0.113.80\r\nX-Request-Id: xff-two-lines\r\nConnection: close\r\n\r\n")
        e = log_entry(srv, "xff-two-lines")
        check(e is not None and e.get("client") == "203.0.113.80",
              "trusted proxy: two X-Forwarded-For lines are one list: the last line's address is the client", e)
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
        # an untrusted peer (127.0.0.2) cannot choose its address
        r = send(srv, "GET", "/healthz", src="127.0.0.2", headers={"X-Forwarded-For": "203.0.113.99",
                                                                   "X-Request-Id": "untrusted-1"})
        e = log_entry(srv, "untrusted-1")
        check(e is not None and e.get("client") == "127.0.0.2",
              "untrusted peer: X-Forwarded-For ignored, the peer is the client", e)
        r = send(srv, "GET", "/healthz", src="127.0.0.2", headers={"Forwarded": "for=203.0.113.98",
                                                                   "X-Request-Id": "untrusted-2"})
        e = log_entry(srv, "untrusted-2")
        check(e is not None and e.get("client") == "127.0.0.2", "untrusted peer: Forwarded ignored", e)

        # each forwarded client has its own bucket
        ra = burst(srv, 7, headers={"X-Forwarded-For": "203.0.113.10"})
        sa = [r.status for r in ra]
        check(sa[:5] == [200] * 5 and 429 in sa[5:], "forwarded client A: 5 requests pass, then 429", sa)
        rb = burst(srv, 5, headers={"X-Forwarded-For": "203.0.113.11"})
        check([r.status for r in rb] == [200] * 5, "forwarded client B: its own 5, untouched by A",
              [r.status for r in rb])
        r = send(srv, "GET", "/v1/articles?limit=1", headers={"X-Forwarded-For": "1.2.3.4, 203.0.113.10"})
        check(r.status == 429, "a spoofed left part of the chain does not give A a new bucket", r.brief())
        r = send(srv, "GET", "/v1/articles?limit=1", headers={"X-Forwarded-For": "203.0.113.12"})
        check(r.status == 200, "forwarded client C still served", r.brief())
        # the untrusted peer is limited by its own address, whatever it forwards
        su = [send(srv, "GET", "/v1/articles?limit=1", src="127.0.0.2",
                   headers={"X-Forwarded-For": "203.0.113.%d" % (100 + i)}).status for i in range(7)]
        check(su[:5] == [200] * 5 and su[5:] == [429, 429],
              "untrusted peer: changing X-Forwarded-For does not escape the limit", su)
    finally:
        stop(srv)


def sec_no_proxies():
    srv = start("no-proxy", RATE_LIMIT=1, RATE_BURST=5, LOG_FORMAT="json")
    try:
        r = send(srv, "GET", "/healthz", headers={"X-Forwarded-For": "203.0.113.7", "X-Request-Id": "np-1"})
        e = log_entry(srv, "np-1")
        check(e is not None and e.get("client") == "127.0.0.1",
              "without TRUSTED_PROXIES: X-Forwarded-For ignored (client 127.0.0.1)", e)
        r = send(srv, "GET", "/healthz", headers={"Forwarded": 'for="[2001:db8::1]"', "X-Request-Id": "np-2"})
        e = log_entry(srv, "np-2")
        check(e is not None and e.get("client") == "127.0.0.1", "without TRUSTED_PROXIES: Forwarded ignored", e)
        st = [send(srv, "GET", "/v1/articles?limit=1",
                   headers={"X-Forwarded-For": "198.51.100.%d" % i, "Forwarded": "for=192.0.2.%d" % i}).status
              for i in range(7)]
        check(st[:5] == [200] * 5 and st[5:] == [429, 429],
              "without TRUSTED_PROXIES: spoofed forwarding headers do not escape the rate limit", st)
    finally:
        stop(srv)


def sec_rate_limit():
    srv = start("ratelimit", RATE_LIMIT=1, RATE_BURST=5, LOG_FORMAT="text")
    try:
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
        check(not problem_ok(r) and r.json.get("type", "").endswith("/problems/rate-limited"),
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
    finally:
        stop(srv)
    srv = start("ratelimit-tokens", RATE_LIMIT=1, RATE_BURST=5, RATE_LIMIT_TOKENS=1)
    try:
        st = [send(srv, "GET", "/v1/articles?limit=1", token=TOKEN_1).status for _ in range(7)]
        check(st[:5] == [200] * 5 and 429 in st[5:], "RATE_LIMIT_TOKENS=1: token holders are limited too", st)
        st = [send(srv, "GET", "/healthz", token=TOKEN_1).status for _ in range(3)]
        check(st == [200] * 3, "RATE_LIMIT_TOKENS=1: /healthz still never limited", st)
    finally:
        stop(srv)
    srv = start("ratelimit-default", RATE_LIMIT="", RATE_BURST="")
    try:
        r = send(srv, "GET", "/v1/articles?limit=1")
        lim = r.header("ratelimit-limit")
        check(r.status == 200 and lim.isdigit() and int(lim) >= 10,
              "the rate limit is on by default (RateLimit-Limit %s)" % lim, r.headers)
    finally:
        stop(srv)


# ---------------------------------------------------------------------------------------
# connections and slow clients

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


def sec_per_client_connections():
    srv = start("per-client", PER_CLIENT_CONNECTIONS=3, TRUSTED_PROXIES="127.0.0.3/32", HEADER_TIMEOUT=20)
    socks = []
    try:
        for _ in range(3):
            socks.append(open_idle(srv))
        check(all(socks), "PER_CLIENT_CONNECTIONS=3: three keep-alive connections accepted", socks)
        ok, what = try_request(srv)
        check(not ok, "the 4th connection from the same address is refused or closed", what)
        ok, what = try_request(srv, src="127.0.0.2")
        check(ok, "another address still connects while the first is at its limit", what)
        extra = [open_idle(srv, src="127.0.0.3") for _ in range(5)]
        check(all(extra), "a trusted proxy address is exempt from the per-client limit (5 connections)", extra)
        for s in extra:
            if s:
                s.close()
        socks.pop().close()
        ok, what = False, ""
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and not ok:
            ok, what = try_request(srv)
            if not ok:
                time.sleep(0.1)
        check(ok, "after closing one, a new connection from the address works", what)
    finally:
        for s in socks:
            if s:
                s.close()
        stop(srv)


def sec_max_connections():
    srv = start("max-conn", MAX_CONNECTIONS=4, THREADS=1, PER_CLIENT_CONNECTIONS=0, HEADER_TIMEOUT=20)
    socks = []
    try:
        for i in range(4):
            socks.append(open_idle(srv, src="127.0.0.%d" % (10 + i)))
        check(all(socks), "MAX_CONNECTIONS=4: four connections accepted", socks)
        s5 = socket.create_connection(("127.0.0.1", srv.port), timeout=3, source_address=("127.0.0.20", 0))
        s5.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data, closed = replay._read(s5, time.monotonic() + 1.0)
        check(not data.startswith(b"HTTP/1.1 200"), "a 5th connection is not served while 4 are open",
              (data[:40], closed))
        socks.pop(0).close()
        if not closed:
            data, closed = replay._read(s5, time.monotonic() + 3.0)
            check(data.startswith(b"HTTP/1.1 200"), "the waiting 5th connection is served once one closes",
                  (data[:60], closed))
        s5.close()
        ok, what = try_request(srv, src="127.0.0.21")
        check(ok, "a new connection is served after the others close", what)
    finally:
        for s in socks:
            if s:
                s.close()
        stop(srv)


class Probe(threading.Thread):
    """GET /v1/articles/ID every interval from another address; counts answers."""

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


def sec_slow_clients():
    srv = start("slow", HEADER_TIMEOUT=2, REQUEST_TIMEOUT=3, MAX_HEADER_BYTES=8192)
    a_id = STATE["a"]["id"]
    probe = Probe(srv, "/v1/articles/%d" % a_id)
    probe.start()
    results = {}

    def slow_headers():
        results["headers"] = trickle(srv, b"GET /v1/articles/%d HTTP/1.1\r\nHost: x\r\nX-Slow: " % a_id, b"abcdefgh",
                                     0.5, 9)

    def slow_body():
        head = (b"POST /v1/articles HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN_1.encode() +
                b"\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
        results["body"] = trickle(srv, head, b"{\"title\": \"slow\"                  ", 0.5, 9)

    def silent():
        results["silent"] = silent_conn(srv, 9)

    def idle_keepalive():
        s = open_idle(srv, src="127.0.0.4")
        t0 = time.monotonic()
        if s is None:
            results["idle"] = (None, b"not accepted")
            return
        try:
            data, closed = replay._read(s, time.monotonic() + 9)
            results["idle"] = (time.monotonic() - t0 if closed else None, data)
        finally:
            s.close()

    def slow_read():
        results["read"] = slow_reader(srv, 9)

    threads = [threading.Thread(target=f, daemon=True) for f in (slow_headers, slow_body, silent, idle_keepalive,
                                                                 slow_read)]
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
    try:
        lo, hi = 1.5, 5.0 if H.sanitized else 4.0
        t, _ = results.get("headers", (None, b""))
        check(t is not None and lo <= t <= hi, "HEADER_TIMEOUT=2: a header trickled a byte every 0.5 s is cut off "
              "in %.1f-%.1f s" % (lo, hi), "closed after %s s" % (None if t is None else "%.2f" % t))
        t, _ = results.get("silent", (None, b""))
        check(t is not None and lo <= t <= hi, "HEADER_TIMEOUT=2: a connection that sends nothing is closed",
              "closed after %s s" % (None if t is None else "%.2f" % t))
        t, _ = results.get("idle", (None, b""))
        check(t is not None and lo <= t <= hi, "HEADER_TIMEOUT=2: an idle keep-alive connection is closed",
              "closed after %s s" % (None if t is None else "%.2f" % t))
        t, got = results.get("body", (None, b""))
        lo_b, hi_b = 2.5, 6.0 if H.sanitized else 5.0
        check(t is not None and lo_b <= t <= hi_b,
              "REQUEST_TIMEOUT=3: a body of 1000 bytes trickled a byte every 0.5 s is cut off in %.1f-%.1f s"
              % (lo_b, hi_b), "closed after %s s, got %r" % (None if t is None else "%.2f" % t, got[:80]))
        t, info = results.get("read", (None, ""))
        check(t is not None and t <= 9, "REQUEST_TIMEOUT=3: a client that does not read its answers is cut off",
              "%s; %s" % (None if t is None else "%.2f s" % t, info))
        check(probe.ok >= 10 and not probe.failed,
              "a probe on other connections kept getting 200s meanwhile (%d ok)" % probe.ok,
              "ok %d, failed %r" % (probe.ok, probe.failed[:5]))
        # the sizes of this server: MAX_HEADER_BYTES=8192
        r = raw_parse(srv, b"GET /v1/articles/" + b"u" * 9000 + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        check(r.status == 414, "URL over MAX_HEADER_BYTES=8192 -> 414", r.brief(100))
        r = raw_parse(srv, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"h" * 9000 +
                      b"\r\nConnection: close\r\n\r\n")
        check(r.status == 431, "a 9,000-byte header with MAX_HEADER_BYTES=8192 -> 431", r.brief(100))
        r = raw_parse(srv, b"GET /healthz HTTP/1.1\r\nHost: x\r\n" +
                      b"".join(b"X-H%d: %s\r\n" % (i, b"v" * 50) for i in range(300)) + b"Connection: close\r\n\r\n")
        check(r.status == 431, "300 headers of 60 bytes with MAX_HEADER_BYTES=8192 -> 431", r.brief(100))
        r = raw_parse(srv, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Fine: " + b"f" * 3000 +
                      b"\r\nConnection: close\r\n\r\n")
        check(r.status == 200, "a 3,000-byte header under MAX_HEADER_BYTES=8192 -> 200", r.brief(100))
        r = send(srv, "GET", "/v1/articles?limit=1&x=" + "a" * 3000)
        check(r.status == 200, "a 3,000-byte URL under MAX_HEADER_BYTES=8192 -> 200", r.brief(100))
        check(send(srv, "GET", "/healthz").status == 200, "slow server still answers", "")
    finally:
        stop(srv)
    srv = start("default-sizes")
    try:
        r = raw_parse(srv, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"h" * 20000 +
                      b"\r\nConnection: close\r\n\r\n")
        check(r.status == 200, "default MAX_HEADER_BYTES: a 20,000-byte header is fine", r.brief(100))
        r = raw_parse(srv, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"h" * 40000 +
                      b"\r\nConnection: close\r\n\r\n")
        check(r.status == 431, "default MAX_HEADER_BYTES: a 40,000-byte header -> 431", r.brief(100))
        r = raw_parse(srv, b"GET /v1/articles/" + b"u" * 40000 + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        check(r.status == 414, "default MAX_HEADER_BYTES: a 40,000-byte URL -> 414", r.brief(100))
    finally:
        stop(srv)


def silent_conn(srv, limit_s):
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=3, source_address=("127.0.0.5", 0))
    t0 = time.monotonic()
    try:
        data, closed = replay._read(s, t0 + limit_s)
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


def sec_config_errors():
    bad = [("TRUSTED_PROXIES", "10.0.0.0/33"), ("TRUSTED_PROXIES", "not-a-network"), ("RATE_LIMIT", "-1"),
           ("RATE_LIMIT", "fast"), ("HEADER_TIMEOUT", "abc"), ("REQUEST_TIMEOUT", "1e3"),
           ("MAX_HEADER_BYTES", "100"), ("PER_CLIENT_CONNECTIONS", "-5"), ("MAX_CONNECTIONS", "0"),
           ("LOG_FORMAT", "xml")]
    for var, value in bad:
        env = {"PORT": str(harness.free_port()), "LISTEN_ADDR": "127.0.0.1", var: value}
        try:
            r = H.run_cli(["serve"], timeout=10, env_extra=env)
            out = r.stdout + r.stderr
            check(r.returncode != 0 and var in out, "%s=%r: serve refuses to start, naming %s" % (var, value, var),
                  "exit %d: %s" % (r.returncode, out[-300:]))
        except harness.subprocess.TimeoutExpired:
            check(False, "%s=%r: serve refuses to start, naming %s" % (var, value, var), "it started and served")


# ---------------------------------------------------------------------------------------

SECTIONS = [sec_setup_data, sec_conditional_get, sec_validators_change, sec_if_match, sec_head, sec_cache_control,
            sec_cors, sec_cors_other_servers, sec_request_id, sec_methods, sec_no_leaks, sec_body_limits,
            sec_proxies, sec_no_proxies, sec_rate_limit, sec_per_client_connections, sec_max_connections,
            sec_slow_clients, sec_malformed, sec_config_errors]


def bind(h):
    global H
    H = h

def main():
    return harness.run_suite(__doc__, SECTIONS, bind, keep=(sec_setup_data,), clear_env=SEC_VARS,
                             final=lambda: stop(H.server))


if __name__ == "__main__":
    sys.exit(main())
