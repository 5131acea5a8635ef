""""More like this" (GET /v1/articles/{id}/similar): public articles sharing tags, distinctive title words and sources, best first, never the article itself nor its "read also" list; 404/410 as GET by id; cache headers; bad input."""
import datetime
import time

from harness import TOKEN_1, art, check, request
from articles_helpers import create, expect_problem, get_json, patch


def similar(aid, **kw):
    return [a["id"] for a in get_json("/v1/articles/%d/similar" % aid, **kw)["data"]]


def utc_in(seconds):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds)
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def test_scored_by_tags_words_and_source(khabar):
    me = create(art("مفاوضات الأرخبيل البعيد", tags=["جزر", "بحار"], sources=["وكالة الموج"])).json
    two_tags = create(art("عنوان أول", tags=["جزر", "بحار"])).json
    word = create(art("سكان الأرخبيل يحتفلون")).json
    one_tag = create(art("عنوان ثان", tags=["بحار"])).json
    source = create(art("عنوان ثالث", sources=["وكالة الموج"])).json
    create(art("عنوان لا يشبهه في شيء", tags=["صحراء"], sources=["وكالة أخرى"]))
    got = similar(me["id"])
    # two tags (6) > one tag (3) > a distinctive word (2) > the source alone (1)
    check(got == [two_tags["id"], one_tag["id"], word["id"], source["id"]],
          "ordered by what they share: tags, then a distinctive title word, then the source", got)
    check(me["id"] not in got, "never the article itself", got)
    item = get_json("/v1/articles/%d/similar" % me["id"])["data"][0]
    check("body" not in item and {"id", "slug", "title", "tags", "published_at"} <= set(item),
          "items are list items (no body)", sorted(item))
    check(similar(me["id"], ) and len(get_json("/v1/articles/%d/similar?limit=2" % me["id"])["data"]) == 2,
          "limit cuts the list", "")


def test_newest_among_equals_and_at_most_ten(khabar):
    me = create(art("مقال عن الفيروز", tags=["فيروز"])).json
    others = [create(art("خبر رقم %d" % i, tags=["فيروز"])).json["id"] for i in range(12)]
    got = similar(me["id"])
    check(got == list(reversed(others))[:10], "ten at most, newest first among equal scores", got)
    r = request("GET", "/v1/articles/%d/similar" % me["id"])
    check(set(r.json) == {"data"} and r.headers.get("Link") is None,
          "the whole list in one answer: no next_cursor, no next link", (sorted(r.json), r.headers.get("Link")))


def test_never_its_related_list_nor_hidden_articles(khabar):
    me = create(art("المرجان", tags=["مرجان"])).json
    rel = create(art("المرجان المرتبط", tags=["مرجان"])).json
    draft = create(art("المرجان المسود", tags=["مرجان"], status="draft")).json
    sched = create(art("المرجان المجدول", tags=["مرجان"], published_at=utc_in(3))).json
    gone = create(art("المرجان المسحوب", tags=["مرجان"])).json
    shown = create(art("المرجان المنشور", tags=["مرجان"])).json
    check(patch(gone["id"], {"status": "withdrawn", "withdrawn_reason": "خطأ"}).status == 200, "withdrawn", "")
    r = request("PUT", "/v1/articles/%d/related/%d" % (me["id"], rel["id"]), token=TOKEN_1)
    check(r.status == 204, "a read-also link", r.brief())
    got = similar(me["id"])
    check(got == [shown["id"]], "not its read-also article, a draft, a scheduled or a withdrawn one", got)
    deadline = time.time() + 10
    while time.time() < deadline and sched["id"] not in similar(me["id"]):
        time.sleep(0.2)
    check(similar(me["id"]) == [sched["id"], shown["id"]], "the scheduled one once its time has come",
          similar(me["id"]))
    check(draft["id"] not in similar(me["id"]), "the draft still not", "")


def test_articles_that_are_not_public(khabar):
    d = create(art("مسودة لا تُعرض", status="draft")).json
    w = create(art("مقال سيسحب")).json
    check(patch(w["id"], {"status": "withdrawn", "withdrawn_reason": "معلومات خاطئة"}).status == 200, "withdrawn", "")
    expect_problem(request("GET", "/v1/articles/%d/similar" % d["id"]), 404, "a draft's list", "/problems/not-found")
    r = request("GET", "/v1/articles/%d/similar" % w["id"])
    expect_problem(r, 410, "a withdrawn article's list, as GET by id", "/problems/withdrawn")
    check(r.json.get("withdrawn_reason") == "معلومات خاطئة", "with its reason", r.brief())
    expect_problem(request("GET", "/v1/articles/999999999/similar"), 404, "an unknown article", "/problems/not-found")
    r = request("GET", "/v1/articles/%d/similar" % d["id"], token=TOKEN_1)
    check(r.status == 200 and "private" in r.header("cache-control"), "an editor sees a draft's list, private",
          r.brief())


def test_cache_headers_and_bad_input(khabar):
    me = create(art("مقال عن الزمرد", tags=["زمرد"])).json
    r = request("GET", "/v1/articles/%d/similar" % me["id"])
    check(r.status == 200 and r.header("cache-control") == "public, max-age=5" and r.header("etag")
          and r.header("last-modified"), "cache headers as lists", r.brief())
    check(request("GET", "/v1/articles/%d/similar" % me["id"], headers={"If-None-Match": r.header("etag")}).status
          == 304, "revalidation: 304", "")
    other = create(art("الزمرد مرة ثانية", tags=["زمرد"])).json
    check(similar(me["id"])[:1] == [other["id"]], "a new similar article is there at once", similar(me["id"]))
    for qs, name in (("limit=0", "limit 0"), ("limit=11", "limit 11"), ("limit=x", "limit x"),
                     ("cursor=abc", "a cursor (the list is not paged)"), ("q=x", "an unknown parameter")):
        expect_problem(request("GET", "/v1/articles/%d/similar?%s" % (me["id"], qs)), 400, name,
                       "/problems/invalid-parameter")
    expect_problem(request("GET", "/v1/articles/abc/similar"), 400, "a slug instead of an id",
                   "/problems/invalid-parameter")
