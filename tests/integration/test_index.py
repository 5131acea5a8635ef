"""A newcomer's way in: GET /v1 is the index of the API, every 404 says where that index is,
and every body ends with a newline (the contract, /openapi.yaml, is served as it is)."""
import os

import xxhash

import harness

ARTICLE = {"title": "عنوان للفهرس", "body": "نص المقال", "lang": "ar",
           "published_at": "2024-05-19T00:00:00Z", "tags": ["فهرس"], "sources": ["مصدر"]}


def representation_etag(data):
    """The ETag of a body as include/infra/hash.h makes it: its XXH3 (64 bits) in hex, quoted."""
    return '"%016x"' % xxhash.xxh3_64_intdigest(data)


def check_index(r, name):
    harness.check(r.status == 200, "%s -> 200" % name, r.brief())
    harness.check(r.header("content-type").startswith("application/json"),
                  "%s: application/json" % name, r.header("content-type"))
    js = r.json if isinstance(r.json, dict) else {}
    harness.check(js.get("contract") == "/openapi.yaml", "%s names the contract /openapi.yaml" % name,
                  r.brief())
    resources = js.get("resources") if isinstance(js.get("resources"), list) else []
    urls = [x.get("url") for x in resources if isinstance(x, dict)]
    for url in ("/v1/articles", "/v1/tags", "/v1/sources"):
        harness.check(url in urls, "%s lists %s" % (name, url), repr(urls))
    harness.check(all(isinstance(x, dict) and x.get("description") for x in resources),
                  "%s says what each resource is" % name, repr(resources))
    return urls


def test_get_v1_is_the_index(khabar):
    r = harness.request("GET", "/v1")
    urls = check_index(r, "GET /v1")
    harness.check(r.body.endswith(b"\n"), "GET /v1: the body ends with a newline", r.brief())
    harness.check(r.header("etag") == representation_etag(r.body), "GET /v1: ETag made from the bytes sent",
                  "%s vs %s" % (r.header("etag"), representation_etag(r.body)))
    for url in urls:
        got = harness.request("GET", url)
        harness.check(got.status == 200, "the index's %s answers 200" % url, got.brief())
    head = harness.request("HEAD", "/v1")
    harness.check(head.status == 200 and head.body == b"", "HEAD /v1 -> 200 without a body", head.brief())
    again = harness.request("GET", "/v1", headers={"If-None-Match": r.header("etag")})
    harness.check(again.status == 304, "GET /v1 with its ETag -> 304", again.brief())
    contract = harness.request("GET", "/openapi.yaml")
    harness.check(contract.status == 200, "the contract the index names answers 200", contract.brief())


def check_points_to_index(r, name):
    harness.check(r.status == 404, "%s -> 404" % name, r.brief())
    harness.check(r.header("content-type").startswith("application/problem+json"),
                  "%s: problem+json" % name, r.header("content-type"))
    js = r.json if isinstance(r.json, dict) else {}
    harness.check(js.get("index") == "/v1", "%s: the problem names the index /v1" % name, r.brief())
    harness.check(r.body.endswith(b"\n"), "%s: the body ends with a newline" % name, r.brief())


def test_unknown_paths_point_to_the_index(khabar):
    unknown = harness.request("GET", "/v2")
    js = unknown.json if isinstance(unknown.json, dict) else {}
    harness.check("/v1" in str(js.get("detail")), "GET /v2: the detail says where the index is", unknown.brief())
    for path in ("/v2", "/v1/", "/v1/nothing", "/v1/articles/1/nothing", "/favicon.ico", "/articles", "/web"):
        check_points_to_index(harness.request("GET", path), "GET " + path)


def test_resources_not_found_point_to_the_index(khabar):
    check_points_to_index(harness.request("GET", "/v1/articles/999999999"), "an article that does not exist")
    check_points_to_index(harness.request("GET", "/v1/tags/لا-يوجد-وسم"), "a tag that does not exist")
    check_points_to_index(harness.request("DELETE", "/v1/articles/999999999", token=harness.TOKEN_1),
                          "DELETE of an article that does not exist")


def test_every_body_ends_with_a_newline(khabar):
    created = harness.request("POST", "/v1/articles", body=ARTICLE, token=harness.TOKEN_1)
    harness.check(created.status == 201, "POST /v1/articles -> 201", created.brief())
    harness.check(created.body.endswith(b"\n"), "POST /v1/articles: the body ends with a newline",
                  created.brief())
    aid = created.json.get("id") if isinstance(created.json, dict) else None
    paths = ["/healthz", "/readyz", "/metrics", "/v1/articles", "/v1/tags", "/v1/sources",
             "/v1/articles?limit=1", "/v1/articles?limit=0", "/v1/articles/abc/related", "/v1/nothing"]
    if aid is not None:
        paths += ["/v1/articles/%d" % aid, "/v1/articles/%d/related" % aid]
    for path in paths:
        r = harness.request("GET", path)
        harness.check(r.body.endswith(b"\n"), "GET %s (%d): the body ends with a newline" % (path, r.status),
                      r.brief())
    for method, path, body, token in (("POST", "/v1/tags", None, None),
                                      ("POST", "/v1/articles", None, None),
                                      ("POST", "/v1/articles", b"{", harness.TOKEN_1)):
        r = harness.request(method, path, body=body, token=token)
        harness.check(r.status >= 400 and r.body.endswith(b"\n"),
                      "%s %s (%d): the problem ends with a newline" % (method, path, r.status), r.brief())
    with open(os.path.join(harness.REPO_ROOT, "openapi.yaml"), "rb") as f:
        spec = f.read()
    r = harness.request("GET", "/openapi.yaml")
    harness.check(r.body == spec, "GET /openapi.yaml serves openapi.yaml as it is", "%d bytes vs %d" %
                  (len(r.body), len(spec)))


def test_etags_come_from_the_bytes_sent(khabar):
    created = harness.request("POST", "/v1/articles", body=dict(ARTICLE, title="عنوان آخر"),
                              token=harness.TOKEN_1)
    aid = created.json.get("id") if isinstance(created.json, dict) else None
    assert aid is not None, created.brief()
    r = harness.request("GET", "/v1/articles/%d" % aid)
    harness.check(r.header("etag") == representation_etag(r.body), "an article's ETag is made from the bytes sent",
                  "%s vs %s" % (r.header("etag"), representation_etag(r.body)))
    cached = harness.request("GET", "/v1/articles/%d" % aid)
    harness.check(cached.body == r.body and cached.header("etag") == r.header("etag"),
                  "the answer from the cache is the same bytes and ETag", cached.brief())
    patched = harness.request("PATCH", "/v1/articles/%d" % aid, body={"summary": "ملخص"},
                              token=harness.TOKEN_1,
                              headers={"If-Match": r.header("etag"),
                                       "Content-Type": "application/merge-patch+json"})
    harness.check(patched.status == 200, "PATCH with If-Match of the ETag a GET sent -> 200", patched.brief())
    harness.check(patched.header("etag") == representation_etag(patched.body), "PATCH's ETag is made from its bytes",
                  patched.brief())
