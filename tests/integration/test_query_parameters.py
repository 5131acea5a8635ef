"""Query parameters are strict, like body fields: a parameter a path does not take (a typo such
as ?tags=x) is refused with 400 invalid-parameter naming the unknown ones and the ones allowed,
before the handler runs; the ones allowed still work."""
import urllib.parse

import pytest

import harness

ARTICLE_LIST = ["tag", "source", "author", "section", "q", "from", "to", "lang", "status", "sort", "limit",
                "cursor", "facets", "facet_limit"]
NAME_LIST = ["q", "limit", "cursor"]


@pytest.fixture(scope="module")
def article(khabar):
    r = harness.request("POST", "/v1/articles", token=harness.TOKEN_1,
                        body={"title": "مقال المعاملات", "body": "نص عن المعاملات", "lang": "ar",
                              "published_at": "2024-05-19T00:00:00Z", "tags": ["معاملات"],
                              "sources": ["وكالة"]})
    assert r.status == 201, r.brief()
    for path, body in (("/v1/authors", {"name": "كاتب المعاملات", "slug": "params-writer"}),
                       ("/v1/sections", {"name": "قسم المعاملات", "slug": "params"})):
        w = harness.request("POST", path, token=harness.TOKEN_1, body=body)
        assert w.status == 201, w.brief()
    return r.json


def get_routes(article):
    """(path, the query parameters it takes) of every GET route."""
    return [
        ("/v1", []),
        ("/v1/articles", ARTICLE_LIST),
        ("/v1/articles/%d" % article["id"], []),
        ("/v1/articles/" + urllib.parse.quote(article["slug"]), []),
        ("/v1/articles/%d/related" % article["id"], []),
        ("/v1/tags", NAME_LIST),
        ("/v1/tags/" + urllib.parse.quote(article["tags"][0]["slug"]), []),
        ("/v1/sources", NAME_LIST),
        ("/v1/authors", NAME_LIST),
        ("/v1/authors/params-writer", []),
        ("/v1/sections", ["limit", "cursor"]),
        ("/v1/sections/params", []),
        ("/v1/sections/params/front", ["limit", "cursor"]),
        ("/healthz", []),
        ("/readyz", []),
        ("/metrics", []),
        ("/openapi.yaml", []),
    ]


def expect_refused(r, name, unknown, allowed):
    harness.check(r.status == 400, "%s -> 400" % name, r.brief())
    js = r.json if isinstance(r.json, dict) else {}
    harness.check(r.header("content-type").startswith("application/problem+json"),
                  "%s: problem+json" % name, r.header("content-type"))
    harness.check(js.get("type") == "/problems/invalid-parameter", "%s: type invalid-parameter" % name,
                  r.brief())
    harness.check(js.get("unknown") == unknown, "%s: names the unknown %r" % (name, unknown), r.brief())
    harness.check(js.get("allowed") == allowed, "%s: names the allowed %r" % (name, allowed), r.brief())
    fields = [e.get("field") for e in js.get("errors", []) if isinstance(e, dict)]
    harness.check(fields == unknown, "%s: errors[] name the unknown ones" % name, r.brief())
    detail = str(js.get("detail"))
    harness.check(all(u in detail for u in unknown) and all(a in detail for a in allowed),
                  "%s: the detail names the unknown and the allowed ones" % name, detail)
    harness.check("no-store" in r.header("cache-control"), "%s: no-store" % name, r.header("cache-control"))


def test_unknown_parameters_are_refused_on_every_get_route(khabar, article):
    for path, allowed in get_routes(article):
        expect_refused(harness.request("GET", path + "?bogus=1", encoded=True), "GET %s?bogus=1" % path,
                       ["bogus"], allowed)
        head = harness.request("HEAD", path + "?bogus=1", encoded=True)
        harness.check(head.status == 400, "HEAD %s?bogus=1 -> 400" % path, head.brief())


def test_a_typo_is_refused_not_ignored(khabar, article):
    expect_refused(harness.request("GET", "/v1/articles?tags=x"), "GET /v1/articles?tags=x", ["tags"],
                   ARTICLE_LIST)
    expect_refused(harness.request("GET", "/v1/tags?limt=5"), "GET /v1/tags?limt=5", ["limt"], NAME_LIST)
    expect_refused(harness.request("GET", "/v1/articles?limit=2&x=1&y=2&x=3"), "two unknown, one twice",
                   ["x", "y"], ARTICLE_LIST)
    expect_refused(harness.request("GET", "/v1/articles?Tag=x"), "names are case-sensitive", ["Tag"],
                   ARTICLE_LIST)
    expect_refused(harness.request("GET", "/v1/sources?flag"), "an unknown name without a value", ["flag"],
                   NAME_LIST)


def test_a_stray_ampersand_is_no_parameter(khabar, article):
    for path in ("/v1/articles?&limit=1", "/v1/articles?limit=1&&tag=" + urllib.parse.quote(article["tags"][0]["slug"]),
                 "/v1/tags?&", "/healthz?"):
        r = harness.request("GET", path, encoded=True)
        harness.check(r.status == 200, "GET %s -> 200 (an empty name is not a parameter)" % path, r.brief())


def test_writes_refuse_unknown_parameters_after_the_token(khabar, article):
    r = harness.request("POST", "/v1/articles?dry_run=1", body={"title": "t", "body": "b"})
    harness.check(r.status == 401, "POST with an unknown parameter and no token -> 401 first", r.brief())
    r = harness.request("POST", "/v1/articles?dry_run=1", body={"title": "t", "body": "b"},
                        token=harness.TOKEN_1)
    expect_refused(r, "POST /v1/articles?dry_run=1", ["dry_run"], [])
    r = harness.request("DELETE", "/v1/articles/%d?force=1" % article["id"], token=harness.TOKEN_1)
    expect_refused(r, "DELETE with ?force=1", ["force"], [])
    still = harness.request("GET", "/v1/articles/%d" % article["id"])
    harness.check(still.status == 200, "the refused DELETE deleted nothing", still.brief())


def test_allowed_parameters_still_work(khabar, article):
    tag = article["tags"][0]["slug"]
    for query in ({"tag": tag}, {"source": "وكالة"}, {"q": "المعاملات"}, {"lang": "ar"},
                  {"from": "2024-01-01T00:00:00Z", "to": "2025-01-01T00:00:00Z"}, {"limit": "1"},
                  {"tag": tag, "source": "وكالة", "lang": "ar", "limit": "5"}):
        path = "/v1/articles?" + urllib.parse.urlencode(query, quote_via=urllib.parse.quote)
        r = harness.request("GET", path, encoded=True)
        harness.check(r.status == 200 and isinstance(r.json, dict) and r.json.get("data"),
                      "GET %s -> 200 with the article" % path, r.brief())
    for path in ("/v1/tags", "/v1/sources"):
        first = harness.request("GET", path + "?limit=1&q=")
        harness.check(first.status == 200, "GET %s?limit=1&q= -> 200" % path, first.brief())
        cursor = first.json.get("next_cursor") if isinstance(first.json, dict) else None
        if cursor:
            r = harness.request("GET", path + "?limit=1&cursor=" + urllib.parse.quote(cursor), encoded=True)
            harness.check(r.status == 200, "GET %s with its cursor -> 200" % path, r.brief())
    bad = harness.request("GET", "/v1/articles?limit=0")
    js = bad.json if isinstance(bad.json, dict) else {}
    harness.check(bad.status == 400 and "unknown" not in js,
                  "a known parameter with a bad value is the handler's 400, not an unknown one", bad.brief())


def test_a_refused_request_leaves_the_cache_alone(khabar, article):
    path = "/v1/articles/%d" % article["id"]
    harness.request("GET", path + "?nocache=1")
    r = harness.request("GET", path)
    harness.check(r.status == 200 and isinstance(r.json, dict) and r.json.get("id") == article["id"],
                  "after a refused ?nocache=1 the article still answers 200", r.brief())
    again = harness.request("GET", path + "?nocache=2")
    harness.check(again.status == 400, "a cached answer is not served for an unknown parameter", again.brief())
