"""Authors: bylines on articles (ids or slugs in, {id, slug, name} out, in order), the author list (most public articles first, prefix search in any letter variant, cursors), one author by slug, editors' writes (create, replace, merge patch, delete refused while in a byline), author= lists of public articles only, counts of public articles, and bad input answered with problem+json changing nothing."""
import json
import urllib.parse

import harness
from harness import check, request, TOKEN_1
from articles_helpers import create, expect_problem, patch, persian, MERGE

q = urllib.parse.quote


def new_author(obj):
    r = request("POST", "/v1/authors", body=obj, token=TOKEN_1)
    if r.status != 201:
        raise AssertionError("creating author %r: %s" % (obj, r.brief()))
    return r


def ids(path, token=None):
    r = request("GET", path, encoded=True, token=token)
    return [i["id"] for i in r.json["data"]] if r.status == 200 else r.brief()


def author(slug):
    r = request("GET", "/v1/authors/" + q(slug), encoded=True)
    return r.json if r.status == 200 else None


def test_author_resource(khabar):
    r = new_author({"name": "  سارة الكاتب  ", "bio": "مراسلة الشؤون السياسية في القاهرة.",
                    "avatar": {"url": "https://img.example/sara.jpg", "alt": "صورة سارة"}})
    a = r.json
    check(a["name"] == "سارة الكاتب" and a["slug"] == "سارة-الكاتب" and a["article_count"] == 0
          and a["bio"].startswith("مراسلة") and a["avatar"]["alt"] == "صورة سارة" and a["id"] >= 1,
          "POST creates the author: name trimmed, slug made from it, bio, avatar, count 0", a)
    check(r.header("location") == "/v1/authors/" + q(a["slug"]), "201 has the author's Location",
          r.header("location"))
    got = request("GET", "/v1/authors/" + q(persian("سارة-الكاتب")), encoded=True)
    check(got.status == 200 and got.json == a, "GET by slug in another letter variant (Keheh)",
          got.brief())
    listed = request("GET", "/v1/authors").json["data"]
    check(a in listed, "an author with no article yet is listed (profiles exist before bylines)", listed)
    expect_problem(request("GET", "/v1/authors/" + q("لا-أحد"), encoded=True), 404, "an unknown author",
                   "not-found")

    p = request("PATCH", "/v1/authors/" + q(a["slug"]), body=json.dumps({"bio": None}), headers=MERGE,
                token=TOKEN_1, encoded=True)
    check(p.status == 200 and p.json["bio"] is None and p.json["name"] == a["name"]
          and p.json["avatar"] == a["avatar"], "PATCH null removes the bio and keeps the rest", p.brief())
    put = request("PUT", "/v1/authors/" + q(a["slug"]), body={"name": "سارة الكاتب", "slug": "sara"},
                  token=TOKEN_1, encoded=True)
    check(put.status == 200 and put.json["slug"] == "sara" and put.json["avatar"] is None
          and put.json["id"] == a["id"], "PUT replaces the whole author (new slug, no avatar)", put.brief())
    check(author(a["slug"]) is None and author("sara")["id"] == a["id"], "the old slug is gone, the new one answers")
    d = request("DELETE", "/v1/authors/sara", token=TOKEN_1)
    check(d.status == 204 and author("sara") is None, "DELETE of an author in no byline: 204, gone", d.brief())


def test_bylines(khabar):
    one = new_author({"name": "أحمد يوسف"}).json
    two = new_author({"name": "ليلى حسن", "slug": "layla"}).json
    art = create(harness.art("مقال بتوقيع كاتبين", authors=["layla", one["id"]])).json
    check(art["authors"] == [{"id": two["id"], "slug": "layla", "name": "ليلى حسن"},
                             {"id": one["id"], "slug": one["slug"], "name": "أحمد يوسف"}],
          "the byline in the order given, slugs and ids, as {id, slug, name}", art["authors"])
    listed = request("GET", "/v1/articles?limit=5").json["data"]
    check(any(i["id"] == art["id"] and i["authors"] == art["authors"] for i in listed),
          "list items carry the byline too", listed)
    check(ids("/v1/articles?author=layla") == [art["id"]] and
          ids("/v1/articles?author=" + q(persian("أحمد-يوسف"))) == [art["id"]],
          "author= lists an author's articles (slug in any letter variant)")
    check(ids("/v1/articles?author=nobody") == [], "an unknown author= is an empty page")
    check(author("layla")["article_count"] == 1, "the author counts its public article")

    p = patch(art["id"], {"authors": [one["id"]]})
    check(p.status == 200 and [x["id"] for x in p.json["authors"]] == [one["id"]],
          "PATCH replaces the byline", p.brief())
    check(author("layla")["article_count"] == 0 and ids("/v1/articles?author=layla") == [],
          "taken out of the byline: count and list follow")
    keep = patch(art["id"], {"title": "عنوان جديد للمقال"})
    check(keep.json["authors"] == p.json["authors"], "a PATCH of another field keeps the byline", keep.json)

    r = request("PATCH", "/v1/authors/" + q(one["slug"]), body=json.dumps({"name": "أحمد يوسف علي"}),
                headers=MERGE, token=TOKEN_1, encoded=True)
    check(r.status == 200, "renaming an author", r.brief())
    shown = request("GET", "/v1/articles/%d" % art["id"]).json
    check(shown["authors"][0]["name"] == "أحمد يوسف علي", "its articles show the new name", shown["authors"])

    d = request("DELETE", "/v1/authors/" + q(one["slug"]), token=TOKEN_1, encoded=True)
    expect_problem(d, 409, "deleting an author still in a byline", "in-use")
    check(author(one["slug"]) is not None, "the refused delete changed nothing")

    draft = create(harness.art("مسودة بتوقيع", authors=["layla"], status="draft")).json
    check(ids("/v1/articles?author=layla") == [] and author("layla")["article_count"] == 0,
          "a draft is neither listed under its author nor counted")
    check(ids("/v1/articles?status=draft&author=layla", token=TOKEN_1) == [draft["id"]],
          "editors list an author's drafts")
    pub = patch(draft["id"], {"status": "published"})
    check(pub.status == 200 and ids("/v1/articles?author=layla") == [draft["id"]]
          and author("layla")["article_count"] == 1, "published, it is listed and counted")
    request("DELETE", "/v1/articles/%d" % draft["id"], token=TOKEN_1)
    check(author("layla")["article_count"] == 0, "deleting the article uncounts it")


def test_author_list_order_prefix_paging(khabar):
    names = ["محمود الشريف", "محمد الشريف", "مها الشريف"]
    made = [new_author({"name": n}).json for n in names]
    for i, a in enumerate(made):
        for k in range(i + 1):
            create(harness.art("مقال %d للكاتب %d" % (k, i), authors=[a["id"]]))
    found = request("GET", "/v1/authors?q=" + q("م"), encoded=True).json["data"]
    counts = [x["article_count"] for x in found]
    check(counts == sorted(counts, reverse=True), "most public articles first", counts)
    pre = request("GET", "/v1/authors?q=" + q("محم"), encoded=True).json["data"]
    check(sorted(x["slug"] for x in pre) == sorted(made[i]["slug"] for i in (0, 1)),
          "q matches the start of the slug", [x["slug"] for x in pre])
    seen, cursor = [], None
    for _ in range(20):
        r = request("GET", "/v1/authors?limit=1" + ("&cursor=" + cursor if cursor else ""), encoded=True)
        seen += [x["id"] for x in r.json["data"]]
        cursor = r.json.get("next_cursor")
        if not cursor:
            break
    everyone = [x["id"] for x in request("GET", "/v1/authors?limit=100").json["data"]]
    check(seen == everyone, "paging by one with cursors gives the whole list once", (seen, everyone))
    expect_problem(request("GET", "/v1/authors?cursor=bad"), 400, "a bad cursor", "invalid-parameter")
    tag_cursor = request("GET", "/v1/tags?limit=1").json.get("next_cursor")
    if tag_cursor:
        expect_problem(request("GET", "/v1/authors?cursor=" + tag_cursor, encoded=True), 400,
                       "a tag list's cursor")


def test_bad_input(khabar):
    a = new_author({"name": "كاتب ثابت", "slug": "fixed"}).json
    before = request("GET", "/v1/authors?limit=100").json
    cases = [
        ({"bio": "بلا اسم"}, "name", "an author without a name"),
        ({"name": "   "}, "name", "a blank name"),
        ({"name": "!!!"}, "slug", "a name with no letter makes no slug"),
        ({"name": "كاتب", "slug": "--"}, "slug", "a slug with no letter"),
        ({"name": "كاتب", "avatar": {"url": "https://img.example/a.jpg"}}, "avatar.alt", "an avatar without alt"),
        ({"name": "كاتب", "avatar": {"url": "javascript:alert(1)", "alt": "x"}}, "avatar.url", "a javascript: avatar"),
        ({"name": "كاتب", "article_count": 3}, "article_count", "a read-only field"),
        ({"name": "كاتب", "colour": "red"}, "colour", "an unknown field"),
    ]
    for body, field, name in cases:
        r = request("POST", "/v1/authors", body=body, token=TOKEN_1)
        expect_problem(r, 422, name, "validation-failed")
        fields = [e.get("field") for e in (r.json or {}).get("errors", [])]
        check(field in fields, "%s: names %s" % (name, field), fields)
    expect_problem(request("POST", "/v1/authors", body={"name": "كاتب آخر", "slug": "FIXED"}, token=TOKEN_1),
                   409, "a taken slug", "slug-conflict")
    expect_problem(request("POST", "/v1/authors", body={"name": "بلا رمز"}), 401, "a write without a token")
    expect_problem(request("PUT", "/v1/authors/nobody", body={"name": "أحد"}, token=TOKEN_1), 404,
                   "PUT of an unknown author")
    expect_problem(request("DELETE", "/v1/authors/nobody", token=TOKEN_1), 404, "DELETE of an unknown author")
    after = request("GET", "/v1/authors?limit=100").json
    check(after == before, "refused writes changed no author", (before, after))

    other = new_author({"name": "كاتب ثان", "slug": "second"}).json
    n = len(request("GET", "/v1/articles?limit=100").json["data"])
    bad = [
        ({"authors": ["nobody"]}, "authors[0]", "an unknown author slug"),
        ({"authors": [999999]}, "authors[0]", "an unknown author id"),
        ({"authors": ["fixed", "FIXED"]}, "authors[1]", "the same author twice by slug"),
        ({"authors": [a["id"], "fixed"]}, "authors[1]", "the same author by id and by slug"),
        ({"authors": [0]}, "authors[0]", "an id below 1"),
        ({"authors": "fixed"}, "authors", "authors not a list"),
    ]
    for extra, field, name in bad:
        r = request("POST", "/v1/articles", body=harness.art("مقال مرفوض", **extra), token=TOKEN_1)
        expect_problem(r, 422, name, "validation-failed")
        fields = [e.get("field") for e in (r.json or {}).get("errors", [])]
        check(field in fields, "%s: names %s" % (name, field), r.brief())
    check(len(request("GET", "/v1/articles?limit=100").json["data"]) == n, "no refused article was created")
    art = create(harness.art("مقال سليم", authors=[other["id"]])).json
    r = patch(art["id"], {"authors": ["second", "nobody"]})
    expect_problem(r, 422, "PATCH naming an unknown author", "validation-failed")
    check(request("GET", "/v1/articles/%d" % art["id"]).json["authors"] == art["authors"],
          "the refused PATCH kept the byline")


def test_byline_writes_keep_other_answers_cached(khabar):
    """A write of an article with a byline (which moves its author's count) announces that
    article only: another instance keeps its cached answers of other articles (a count
    update announced as a change of every answer emptied every cache on each such write)."""
    b = khabar.start_server(name="cache-instance")
    try:
        new_author({"name": "كاتب الذاكرة", "slug": "cache-writer"})
        other = create(harness.art("مقال في الذاكرة")).json
        for _ in range(2):
            b.request("GET", "/v1/articles/%d" % other["id"])
        hits = harness.metric_value(b, "khabar_cache_hits_total")
        heard = harness.metric_value(b, "khabar_changes_heard_total")
        create(harness.art("مقال بتوقيع جديد", authors=["cache-writer"]))
        check(harness.wait_until(lambda: harness.metric_value(b, "khabar_changes_heard_total") > heard, 3),
              "the other instance heard of the write")
        b.request("GET", "/v1/articles/%d" % other["id"])
        check(harness.metric_value(b, "khabar_cache_hits_total") == hits + 1,
              "and still answers the untouched article from its cache")
    finally:
        b.stop()
