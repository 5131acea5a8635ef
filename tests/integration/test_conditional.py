"""Conditional requests and caching: ETag, Last-Modified, If-None-Match/304, If-Match/412, HEAD, Cache-Control."""
import datetime
import email.utils
import json
import re
import time
import urllib.parse

import pytest

from harness import TOKEN_1, art, check, note, problem_issues, raw, raw_parse, request, send
from articles_helpers import (FULL_PAYLOAD, MERGE, create, expect_no_body, expect_problem, get_article,
                              get_etag, is_strong_etag, parse_ts, patch)

IMF_FIXDATE = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                         r"\d{4} \d{2}:\d{2}:\d{2} GMT$")
ROUTE_NAMES = ["article by id", "article by slug", "articles list", "articles search", "related list", "tags list",
               "tag", "sources list"]
OTHER_PATHS = ["/v1/articles?limit=1", "/healthz", "/readyz", "/metrics", "/openapi.yaml", "/v1/articles/999999999",
               "/v1/tags/لا-يوجد"]


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


def wait_next_second():
    """Sleeps past the next whole second: Last-Modified has one-second resolution."""
    now = time.time()
    time.sleep(1.0 - (now % 1.0) + 0.05)


def snapshot(srv, paths):
    out = {}
    for p in paths:
        r = send(srv, "GET", p)
        out[p] = (r.status, r.header("etag"), r.header("last-modified"), r.body)
    return out


@pytest.fixture
def srv(khabar):
    """The default server (looked up for each test: a crashed one is replaced between tests)."""
    return khabar.server


@pytest.fixture(scope="module")
def sec(khabar):
    """Two articles with one tag and one source, the second linking to the first: {a, b, tag_slug}."""
    a = create(art("مقال الأمان الأول", tags=["وسم الأمان"], sources=["مصدر الأمان"])).json
    b = create(art("مقال الأمان الثاني", tags=["وسم الأمان"], sources=["مصدر الأمان"], related=[a["id"]])).json
    tag = request("GET", "/v1/tags/" + "وسم-الأمان")
    check(tag.status == 200, "set-up: the test tag exists", tag.brief())
    return {"a": a, "b": b, "tag_slug": "وسم-الأمان"}


@pytest.fixture(scope="module")
def routes(sec):
    """Every GET route with a real resource: name -> path."""
    a, b = sec["a"], sec["b"]
    return {
        "article by id": "/v1/articles/%d" % a["id"],
        "article by slug": "/v1/articles/" + a["slug"],
        "articles list": "/v1/articles?limit=5",
        "articles search": "/v1/articles?q=" + urllib.parse.quote("الأمان"),
        "related list": "/v1/articles/%d/related" % b["id"],
        "tags list": "/v1/tags",
        "tag": "/v1/tags/" + sec["tag_slug"],
        "sources list": "/v1/sources",
    }


# ---------------------------------------------------------------------------------------
# GET and HEAD with If-None-Match and If-Modified-Since, on every route

def check_if_modified_since(srv, name, path, lm):
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


@pytest.mark.parametrize("name", ROUTE_NAMES)
def test_conditional_get(srv, routes, name):
    path = routes[name]
    r = send(srv, "GET", path)
    assert check(r.status == 200, "%s: GET 200" % name, r.brief())
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
    if r.header("content-length") not in ("", str(len(r2.body))):
        note("%s: a 304 carries Content-Length %s, not the 200's length %d (RFC 9110 8.6 says a 304 MUST NOT "
             "send a Content-Length other than the 200's; libmicrohttpd adds it)"
             % (name, r.header("content-length"), len(r2.body)))
    r = send(srv, "GET", path, headers={"If-None-Match": '"nope", ' + etag})
    check(r.status == 304, "%s: If-None-Match list holding the ETag -> 304" % name, r.brief())
    r = send(srv, "GET", path, headers={"If-None-Match": "W/" + etag})
    check(r.status == 304, "%s: If-None-Match weak form of the ETag -> 304 (weak comparison)" % name, r.brief())
    r = send(srv, "GET", path, headers={"If-None-Match": "*"})
    check(r.status == 304, "%s: If-None-Match: * -> 304" % name, r.brief())
    r = send(srv, "GET", path, headers={"If-None-Match": '"0000000000000000"'})
    check(r.status == 200 and r.body, "%s: If-None-Match with another ETag -> 200 with body" % name, r.brief())
    if http_date_ok(lm):
        check_if_modified_since(srv, name, path, lm)
    r = send(srv, "GET", path, headers={"If-Modified-Since": "yesterday, sometime"})
    check(r.status == 200, "%s: invalid If-Modified-Since is ignored -> 200" % name, r.brief())
    r = send(srv, "HEAD", path, headers={"If-None-Match": etag})
    check(r.status == 304, "%s: HEAD with If-None-Match -> 304" % name, r.brief())


def test_no_304_but_for_an_existing_resource_on_get(srv):
    """A 304 is only for GET and HEAD, and only for what exists."""
    r = send(srv, "POST", "/v1/articles", body=art("مقال شرطي"), token=TOKEN_1, headers={"If-None-Match": "*"})
    check(r.status != 304, "POST with If-None-Match: * is never a 304", r.brief())
    if r.status == 201:
        send(srv, "DELETE", "/v1/articles/%d" % r.json["id"], token=TOKEN_1)
    r = send(srv, "GET", "/v1/articles/999999999", headers={"If-None-Match": "*"})
    check(r.status == 404, "If-None-Match: * on a missing article -> 404, not 304", r.brief())


@pytest.fixture(scope="module")
def created(khabar):
    """An article with every field: (its JSON, the ETag of the 201)."""
    r = create(FULL_PAYLOAD)
    return r.json, r.header("etag")


def test_article_get_validators(created):
    a, etag201 = created
    r = request("GET", "/v1/articles/%d" % a["id"])
    etag = r.header("etag")
    check(is_strong_etag(etag) and etag == etag201, "GET has the strong ETag of the 201", etag)
    check("public" in r.header("cache-control"), "GET article has Cache-Control public", r.header("cache-control"))
    lm = r.header("last-modified")
    try:
        lmd = email.utils.parsedate_to_datetime(lm)
        upd = parse_ts(a["updated_at"]).replace(microsecond=0)
        ok = lm.endswith("GMT") and abs((lmd - upd).total_seconds()) <= 1
    except (TypeError, ValueError, KeyError):
        ok = False
    check(ok, "Last-Modified is an HTTP date equal to updated_at", "%r vs %r" % (lm, a.get("updated_at")))


def test_article_if_none_match_raw(created):
    """If-None-Match on an article, the 304 read byte for byte from the socket."""
    a, etag = created
    aid = a["id"]
    r = raw("GET", "/v1/articles/%d" % aid, headers={"If-None-Match": etag})
    check(r.status == 304, "If-None-Match with the ETag -> 304", r.brief())
    expect_no_body(r, "304")
    check(bool(r.header("x-request-id")), "304 has X-Request-Id", r.headers)
    check(r.header("etag") == etag, "304 repeats the ETag", r.header("etag"))
    r = raw("GET", "/v1/articles/%d" % aid, headers={"If-None-Match": '"nope-1", %s' % etag})
    check(r.status == 304, "If-None-Match with a list holding the ETag -> 304", r.brief())
    r = request("GET", "/v1/articles/%d" % aid, headers={"If-None-Match": '"nope-1"'})
    check(r.status == 200 and r.json == a, "If-None-Match with another ETag -> 200", r.brief())


def test_article_head_raw(created):
    a, etag = created
    get_len = len(request("GET", "/v1/articles/%d" % a["id"]).body)
    r = raw("HEAD", "/v1/articles/%d" % a["id"])
    check(r.status == 200, "HEAD /v1/articles/{id} -> 200", r.brief())
    expect_no_body(r, "HEAD")
    check(r.header("etag") == etag, "HEAD has the same ETag", r.header("etag"))
    cl = r.header("content-length")
    check(cl == "" or cl == str(get_len), "HEAD Content-Length equals the GET body length", "%r vs %d" % (cl, get_len))
    check(bool(r.header("x-request-id")), "HEAD has X-Request-Id", r.headers)


def head_matches(name, g, h):
    check(h.status == g.status, "HEAD %s: same status as GET (%d)" % (name, g.status), (g.status, h.status))
    check(h.body == b"", "HEAD %s: no body bytes" % name, h.body[:100])
    for k in ("content-type", "etag", "last-modified", "cache-control", "vary", "allow", "link"):
        check(g.header(k) == h.header(k), "HEAD %s: %s as GET" % (name, k), (g.header(k), h.header(k)))
    if not name.startswith("/metrics"):
        check(h.header("content-length") == str(len(g.body)),
              "HEAD %s: Content-Length is the GET body's length" % name, (h.header("content-length"), len(g.body)))
    check(bool(h.header("x-request-id")), "HEAD %s: X-Request-Id" % name, h.headers)


@pytest.mark.parametrize("name", ROUTE_NAMES + OTHER_PATHS)
def test_head(srv, routes, name):
    p = routes.get(name, name)
    g = send(srv, "GET", p)
    # raw socket: any byte after the header block shows up as a body
    target = urllib.parse.quote(p, safe="/?&=%").encode()
    h = raw_parse(srv, b"HEAD " + target + b" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", head=True)
    head_matches(p, g, h)


def test_allow_lists_head(srv):
    r = send(srv, "OPTIONS", "/v1/tags")
    check("HEAD" in r.header("allow"), "Allow of a GET route lists HEAD", r.header("allow"))


# ---------------------------------------------------------------------------------------
# validators change with every write

def test_validators_change_after_a_write(srv, sec):
    a, b = sec["a"], sec["b"]
    paths = ["/v1/articles?limit=5", "/v1/tags", "/v1/sources", "/v1/articles/%d/related" % b["id"],
             "/v1/tags/" + sec["tag_slug"], "/v1/articles/%d" % a["id"]]
    wait_next_second()
    before = snapshot(srv, paths)
    wait_next_second()
    # one write that changes every one of them: a's title (articles, b's related, a), its tag
    # (the old tag's count, the tags list) and its sources (the sources list)
    r = send(srv, "PATCH", "/v1/articles/%d" % a["id"], token=TOKEN_1, headers=MERGE,
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


def test_validators_change_after_a_delete(srv):
    """The newest article goes away; the lists' Last-Modified must not go back."""
    c = create(art("مقال سيحذف", tags=["وسم سيحذف"], sources=["مصدر سيحذف"])).json
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


def test_if_modified_since_within_the_same_second(srv):
    """If-Modified-Since can only tell whole seconds; ETag/If-None-Match is exact."""
    d = create(art("مقال في الثانية نفسها")).json
    g0 = send(srv, "GET", "/v1/articles/%d" % d["id"])
    r = send(srv, "PATCH", "/v1/articles/%d" % d["id"], token=TOKEN_1, headers=MERGE, body='{"summary": "تغيير"}')
    check(r.status == 200, "PATCH within the same second -> 200", r.brief())
    g1 = send(srv, "GET", "/v1/articles/%d" % d["id"], headers={"If-Modified-Since": g0.header("last-modified")})
    check(g1.status in (200, 304), "If-Modified-Since after a change within the same second -> 200 or 304",
          g1.brief())
    if g1.status == 304:
        note("a change made within the same second as the Last-Modified a client holds is hidden from a client "
             "that only sends If-Modified-Since (304 for a changed article; Last-Modified has one-second "
             "resolution). ETag/If-None-Match is exact.")
    g2 = send(srv, "GET", "/v1/articles/%d" % d["id"], headers={"If-None-Match": g0.header("etag")})
    check(g2.status == 200, "If-None-Match with the ETag from before a change within the same second -> 200",
          g2.brief())
    send(srv, "DELETE", "/v1/articles/%d" % d["id"], token=TOKEN_1)


# ---------------------------------------------------------------------------------------
# If-Match on writes

@pytest.mark.parametrize("method", ["PATCH", "PUT", "DELETE"])
def test_if_match_two_editors(srv, method):
    """Two editors read the same ETag; the second one's write, with the stale ETag, is refused."""
    x = create(art("مقال المحررين %s" % method)).json
    path = "/v1/articles/%d" % x["id"]
    e1 = send(srv, "GET", path).header("etag")
    # editor A writes with the ETag it read
    ra = send(srv, "PATCH", path, token=TOKEN_1, headers=dict(MERGE, **{"If-Match": e1}),
              body=json.dumps({"summary": "تعديل المحرر الأول"}, ensure_ascii=False))
    check(ra.status == 200, "%s test: first editor's PATCH with If-Match -> 200" % method, ra.brief())
    e2 = ra.header("etag")
    check(e2 and e2 != e1, "%s test: the write answers a new ETag" % method, (e1, e2))
    check(send(srv, "GET", path).header("etag") == e2, "%s test: the written ETag is the one GET gives" % method, e2)
    state_a = send(srv, "GET", path).json
    # editor B still holds e1
    if method == "PATCH":
        rb = send(srv, "PATCH", path, token=TOKEN_1, headers=dict(MERGE, **{"If-Match": e1}),
                  body=json.dumps({"summary": "تعديل المحرر الثاني"}, ensure_ascii=False))
    elif method == "PUT":
        rb = send(srv, "PUT", path, token=TOKEN_1, headers={"If-Match": e1}, body=art("عنوان المحرر الثاني"))
    else:
        rb = send(srv, "DELETE", path, token=TOKEN_1, headers={"If-Match": e1})
    check(rb.status == 412, "second editor's %s with the stale ETag -> 412" % method, rb.brief())
    issues = problem_issues(rb)
    check(not issues and rb.json.get("type", "").endswith("/problems/precondition-failed"),
          "%s 412 is a precondition-failed problem+json" % method, "; ".join(issues) or rb.brief())
    now = send(srv, "GET", path)
    check(now.status == 200 and now.json == state_a and now.header("etag") == e2,
          "after the refused %s nothing changed" % method, now.brief(300))
    # weak tags never match If-Match (strong comparison)
    r = send(srv, "DELETE", path, token=TOKEN_1, headers={"If-Match": "W/" + e2})
    check(r.status == 412, "%s test: If-Match with the weak form of the current ETag -> 412" % method, r.brief())
    r = send(srv, "PATCH", path, token=TOKEN_1, headers=dict(MERGE, **{"If-Match": '"x", ' + e2}),
             body='{"summary": "قائمة"}')
    check(r.status == 200, "%s test: If-Match list holding the current ETag -> 200" % method, r.brief())
    e3 = r.header("etag")
    r = send(srv, "DELETE", path, token=TOKEN_1, headers={"If-Match": e3})
    check(r.status == 204, "%s test: DELETE with the current ETag -> 204" % method, r.brief())
    check(send(srv, "GET", path).status == 404, "%s test: the article is gone" % method, "")


def test_if_match_star_and_missing_article(srv):
    x = create(art("مقال النجمة")).json
    r = send(srv, "PATCH", "/v1/articles/%d" % x["id"], token=TOKEN_1, headers=dict(MERGE, **{"If-Match": "*"}),
             body='{"summary": "نجمة"}')
    check(r.status == 200, "If-Match: * on an existing article -> 200", r.brief())
    r = send(srv, "PUT", "/v1/articles/999999999", token=TOKEN_1, headers={"If-Match": '"abc"'}, body=art("لا يوجد"))
    check(r.status in (404, 412), "If-Match on a missing article -> 404 or 412", r.brief())
    send(srv, "DELETE", "/v1/articles/%d" % x["id"], token=TOKEN_1)


def test_put_if_match(khabar):
    aid = create(art("مقال للاستبدال المشروط")).json["id"]
    etag0 = get_etag(aid)
    r = request("PUT", "/v1/articles/%d" % aid, body=art("عنوان مستبدل تماما", body="نص جديد"), token=TOKEN_1)
    check(r.status == 200 and r.json.get("version") == 2, "PUT without If-Match -> 200, version 2", r.brief())
    etag1 = r.header("etag")
    r = request("PUT", "/v1/articles/%d" % aid, body=art("تعديل متأخر"), token=TOKEN_1, headers={"If-Match": etag0})
    expect_problem(r, 412, "PUT with a stale If-Match", "/problems/precondition-failed")
    now = get_article(aid)
    check(now.get("version") == 2 and now.get("title") == "عنوان مستبدل تماما", "412 changed nothing", now)
    r = request("PUT", "/v1/articles/%d" % aid, body=art("تعديل بالشرط الصحيح"), token=TOKEN_1,
                headers={"If-Match": etag1})
    check(r.status == 200 and r.json.get("version") == 3, "PUT with the current If-Match -> 200, version 3",
          r.brief())


def test_patch_if_match(khabar):
    aid = create(art("مقال للتعديل المشروط", summary="ملخص أصلي")).json["id"]
    etag0 = get_etag(aid)
    r = patch(aid, {"title": "عنوان معدل جزئيا"})
    check(r.status == 200 and r.json.get("version") == 2, "PATCH without If-Match -> 200, version 2", r.brief())
    version = get_article(aid).get("version")
    r = patch(aid, {"title": "تعديل متأخر"}, headers={"If-Match": etag0})
    expect_problem(r, 412, "PATCH with a stale If-Match", "/problems/precondition-failed")
    now = get_article(aid)
    check(now.get("version") == version and now.get("title") == "عنوان معدل جزئيا",
          "PATCH with a stale If-Match changed nothing", now)
    r = patch(aid, {"summary": "ملخص جديد"}, headers={"If-Match": get_etag(aid)})
    check(r.status == 200 and r.json.get("version") == version + 1 and r.json.get("summary") == "ملخص جديد",
          "PATCH with the current If-Match -> 200", r.brief())


def test_delete_if_match(khabar):
    x = create(art("مقال حذف مشروط")).json
    r = request("DELETE", "/v1/articles/%d" % x["id"], token=TOKEN_1, headers={"If-Match": '"stale-0"'})
    expect_problem(r, 412, "DELETE with a non-matching If-Match", "/problems/precondition-failed")
    check(request("GET", "/v1/articles/%d" % x["id"]).status == 200, "412 DELETE deleted nothing", "")


# ---------------------------------------------------------------------------------------
# Cache-Control

def test_cache_control_of_reads(srv, sec):
    a = sec["a"]
    cases = [
        ("article", "GET", "/v1/articles/%d" % a["id"], None, "public", True),
        ("articles list", "GET", "/v1/articles", None, "public", True),
        ("tags list", "GET", "/v1/tags", None, "public", True),
        ("tag", "GET", "/v1/tags/" + sec["tag_slug"], None, "public", True),
        ("sources list", "GET", "/v1/sources", None, "public", True),
        ("related list", "GET", "/v1/articles/%d/related" % sec["b"]["id"], None, "public", True),
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
    check(ages.get("article") and ages.get("articles list"), "the article and the list both have a max-age", ages)
    if ages.get("article") and ages.get("articles list"):
        check(ages["articles list"] <= ages["article"], "lists get a shorter max-age than an article", ages)
        check(ages["articles list"] <= 60, "lists' max-age is short (<= 60 s)", ages)


def test_cache_control_of_writes(srv):
    r = send(srv, "POST", "/v1/articles", body=art("مقال ذاكرة"), token=TOKEN_1)
    check(r.status == 201 and "no-store" in r.header("cache-control"), "Cache-Control of a 201 is no-store",
          r.header("cache-control"))
    assert r.status == 201, r.brief()
    path = "/v1/articles/%d" % r.json["id"]
    r = send(srv, "PATCH", path, token=TOKEN_1, headers=MERGE, body='{"summary": "ملخص"}')
    check(r.status == 200 and "no-store" in r.header("cache-control"), "Cache-Control of a PATCH 200 is no-store",
          r.header("cache-control"))
    r = send(srv, "PUT", path, token=TOKEN_1, body=art("مقال ذاكرة"))
    check(r.status == 200 and "no-store" in r.header("cache-control"), "Cache-Control of a PUT 200 is no-store",
          r.header("cache-control"))
    r = send(srv, "DELETE", path, token=TOKEN_1)
    check(r.status == 204 and "no-store" in r.header("cache-control"), "Cache-Control of a 204 is no-store",
          r.header("cache-control"))


def test_cache_control_of_a_304(srv, sec):
    path = "/v1/articles/%d" % sec["a"]["id"]
    et = send(srv, "GET", path).header("etag")
    r = send(srv, "GET", path, headers={"If-None-Match": et})
    check(r.status == 304 and "public" in r.header("cache-control").lower(),
          "a 304 carries the 200's Cache-Control", r.header("cache-control"))
