"""test_put_defaults.py: what PUT /v1/articles/{article} does with fields the body leaves out, as
openapi.yaml describes it: published_at and the slug are kept, lang takes its default, the
optional lists and summary become empty."""
import json

import harness
from harness import check


def send(srv, method, path, doc=None):
    body = json.dumps(doc).encode() if doc is not None else None
    headers = {"Content-Type": "application/json"} if doc is not None else None
    return srv.request(method, path, body=body, headers=headers, token=harness.TOKEN_1)


def test_put_keeps_published_at_and_slug(khabar):
    srv = khabar.server
    created = send(srv, "POST", "/v1/articles", {
        "title": "خبر قديم", "body": "نص", "lang": "en", "summary": "ملخص",
        "published_at": "2020-01-02T03:04:05Z", "tags": ["سياسة"], "sources": ["وكالة"]})
    assert created.status == 201, created.brief()
    a = created.json
    r = send(srv, "PUT", "/v1/articles/%d" % a["id"], {"title": "خبر قديم مصحح", "body": "نص مصحح"})
    check(r.status == 200, "PUT without published_at answers 200", r.brief())
    got = r.json or {}
    check(got.get("published_at") == "2020-01-02T03:04:05Z", "published_at is kept", r.brief())
    check(got.get("slug") == a["slug"], "the slug is kept", r.brief())
    check(got.get("lang") == "ar" and got.get("dir") == "rtl", "lang takes its default, ar", r.brief())
    check(got.get("summary") is None and got.get("tags") == [] and got.get("sources") == [],
          "summary, tags and sources left out become empty", r.brief())
    check(got.get("version") == a["version"] + 1, "version grows by one", r.brief())
    r = send(srv, "PUT", "/v1/articles/%d" % a["id"], {"title": "خبر", "body": "نص",
                                                       "published_at": "2021-06-07T08:09:10+03:00"})
    check(r.status == 200 and r.json.get("published_at") == "2021-06-07T05:09:10Z",
          "a published_at sent replaces it (shown in UTC)", r.brief())
