"""Sections: one per article (id or slug in, {id, slug, name} out), the list in the editors' order, one section by slug, editors' writes (create, replace, merge patch, delete refused while articles are in it), section= lists, the front (pinned public articles in order, then the newest, no repeats, paged, cached and dropped on change, on two instances), a scheduled article with an author and a section going live everywhere, and bad input answered with problem+json changing nothing."""
import datetime
import json
import time
import urllib.parse

import harness
from harness import check, request, TOKEN_1
from articles_helpers import create, expect_problem, patch, persian, MERGE

q = urllib.parse.quote


def utc_in(seconds):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds)
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_section(obj):
    r = request("POST", "/v1/sections", body=obj, token=TOKEN_1)
    if r.status != 201:
        raise AssertionError("creating section %r: %s" % (obj, r.brief()))
    return r


def ids(path, srv=None, token=None):
    r = (srv.request if srv else request)("GET", path, encoded=True, token=token)
    return [i["id"] for i in r.json["data"]] if r.status == 200 else r.brief()


def front(slug, srv=None, **params):
    r = (srv.request if srv else request)("GET", "/v1/sections/%s/front%s" % (
        q(slug), "?" + harness.qs(**params) if params else ""), encoded=True)
    return r


def pin(slug, article_ids):
    return request("PUT", "/v1/sections/%s/front" % q(slug), body=article_ids, token=TOKEN_1, encoded=True)


def test_section_resource(khabar):
    r = new_section({"name": "سياسة", "description": "أخبار السياسة المحلية والدولية."})
    s = r.json
    check(s["name"] == "سياسة" and s["slug"] == "سياسة" and s["position"] == 1 and s["id"] >= 1,
          "POST creates the section, first at position 1", s)
    check(r.header("location") == "/v1/sections/" + q("سياسة"), "201 has its Location", r.header("location"))
    eco = new_section({"name": "اقتصاد"}).json
    sport = new_section({"name": "رياضة", "slug": "sport", "position": 0}).json
    check(eco["position"] == 2, "without a position a new section comes last", eco)
    order = [x["slug"] for x in request("GET", "/v1/sections").json["data"]]
    check(order == ["sport", "سياسة", "اقتصاد"], "the list in position order", order)
    paged, cursor = [], None
    for _ in range(10):
        r = request("GET", "/v1/sections?limit=1" + ("&cursor=" + cursor if cursor else ""), encoded=True)
        paged += [x["slug"] for x in r.json["data"]]
        cursor = r.json.get("next_cursor")
        if not cursor:
            break
    check(paged == order, "paged by one with cursors, the same order", paged)
    got = request("GET", "/v1/sections/" + q(persian("اقتصاد")), encoded=True)
    check(got.status == 200 and got.json == eco, "GET by slug", got.brief())
    p = request("PATCH", "/v1/sections/sport", body=json.dumps({"position": 5, "description": "كرة القدم"}),
                headers=MERGE, token=TOKEN_1)
    check(p.status == 200 and p.json["position"] == 5 and p.json["name"] == "رياضة", "PATCH moves it", p.brief())
    order = [x["slug"] for x in request("GET", "/v1/sections").json["data"]]
    check(order == ["سياسة", "اقتصاد", "sport"], "and the list follows at once", order)
    put = request("PUT", "/v1/sections/sport", body={"name": "الرياضة"}, token=TOKEN_1)
    check(put.status == 200 and put.json["slug"] == "الرياضة" and put.json["position"] == 5
          and put.json["description"] is None, "PUT replaces it (slug from the name), keeping its position",
          put.brief())
    check(request("DELETE", "/v1/sections/" + q("الرياضة"), token=TOKEN_1, encoded=True).status == 204,
          "DELETE of a section with no article: 204")
    expect_problem(request("GET", "/v1/sections/sport"), 404, "a deleted section", "not-found")


def test_articles_in_sections(khabar):
    s = new_section({"name": "ثقافة"}).json
    a = create(harness.art("مقال في الثقافة", section="ثقافة")).json
    check(a["section"] == {"id": s["id"], "slug": "ثقافة", "name": "ثقافة"}, "section by slug, shown as {id, slug, name}",
          a["section"])
    b = create(harness.art("مقال آخر في الثقافة", section=s["id"])).json
    none = create(harness.art("مقال بلا قسم")).json
    check(none["section"] is None and b["section"]["id"] == s["id"], "by id; without one, null", (none, b))
    check(ids("/v1/articles?section=" + q("ثقافة")) == [b["id"], a["id"]], "section= lists newest first")
    check(ids("/v1/articles?section=nowhere") == [], "an unknown section= is an empty page")
    moved = patch(b["id"], {"section": None})
    check(moved.status == 200 and moved.json["section"] is None and
          ids("/v1/articles?section=" + q("ثقافة")) == [a["id"]], "PATCH section null takes it out")
    r = request("PATCH", "/v1/sections/" + q("ثقافة"), body=json.dumps({"name": "الثقافة والفنون"}),
                headers=MERGE, token=TOKEN_1, encoded=True)
    check(r.status == 200, "renaming the section", r.brief())
    shown = request("GET", "/v1/articles/%d" % a["id"]).json["section"]
    check(shown["name"] == "الثقافة والفنون", "its articles show the new name", shown)
    expect_problem(request("DELETE", "/v1/sections/" + q("ثقافة"), token=TOKEN_1, encoded=True), 409,
                   "deleting a section with articles", "in-use")
    check(request("GET", "/v1/sections/" + q("ثقافة"), encoded=True).status == 200, "the refused delete changed nothing")
    n = len(ids("/v1/articles?limit=100"))
    for extra, name in [({"section": "nowhere"}, "an unknown section slug"), ({"section": 999999}, "an unknown section id"),
                        ({"section": [1]}, "a section that is a list"), ({"section": 0}, "a section id below 1")]:
        r = request("POST", "/v1/articles", body=harness.art("مقال مرفوض", **extra), token=TOKEN_1)
        expect_problem(r, 422, name, "validation-failed")
        check("section" in [e.get("field") for e in (r.json or {}).get("errors", [])], "%s: names section" % name,
              r.brief())
    check(len(ids("/v1/articles?limit=100")) == n, "no refused article was created")


def test_front(khabar):
    new_section({"name": "محليات", "slug": "local"})
    arts = [create(harness.art("خبر محلي %d" % i, section="local",
                               published_at="2024-05-%02dT10:00:00Z" % (i + 1))).json for i in range(6)]
    other = create(harness.art("خبر من قسم آخر")).json
    draft = create(harness.art("مسودة مثبتة", section="local", status="draft")).json
    r = front("local")
    check(r.status == 200 and [i["id"] for i in r.json["data"]] == [a["id"] for a in reversed(arts)]
          and not any(i["pinned"] for i in r.json["data"]), "without pins the front is the newest", r.brief(300))
    p = pin("local", [arts[1]["id"], other["id"], draft["id"]])
    check(p.status == 204, "PUT front pins articles (another section's too)", p.brief())
    r = front("local", limit=2)
    data = r.json["data"]
    check([i["id"] for i in data] == [arts[1]["id"], other["id"], arts[5]["id"], arts[4]["id"]]
          and [i["pinned"] for i in data] == [True, True, False, False],
          "the pinned public articles in order (the draft left out), then the newest", [i["id"] for i in data])
    seen = [i["id"] for i in data]
    cursor = r.json.get("next_cursor")
    while cursor:
        r = front("local", limit=2, cursor=cursor)
        seen += [i["id"] for i in r.json["data"]]
        cursor = r.json.get("next_cursor")
    check(seen == [arts[1]["id"], other["id"]] + [a["id"] for a in reversed(arts) if a["id"] != arts[1]["id"]],
          "the pages after the first continue the newest, the pinned one not repeated", seen)
    pub = patch(draft["id"], {"status": "published"})
    check(pub.status == 200 and [i["id"] for i in front("local").json["data"]][:3] == [arts[1]["id"], other["id"], draft["id"]],
          "the pinned draft shows in its place once published (the cached front dropped)")
    check(pin("local", []).status == 204 and not any(i["pinned"] for i in front("local").json["data"]),
          "an empty list unpins everything")
    pin("local", [arts[0]["id"]])
    request("DELETE", "/v1/articles/%d" % arts[0]["id"], token=TOKEN_1)
    check(arts[0]["id"] not in [i["id"] for i in front("local").json["data"]], "a deleted article leaves the front")

    before = front("local").json
    for body, name in [([999999], "pinning an unknown article"), ([arts[2]["id"], arts[2]["id"]], "pinning twice"),
                       ({"ids": [1]}, "a body that is not a list"), (["x"], "an id that is not a number"),
                       (list(range(1, 30)), "more than 20 pins")]:
        expect_problem(pin("local", body), 422, name, "validation-failed")
    expect_problem(request("PUT", "/v1/sections/local/front", body=[arts[2]["id"]]), 401, "pinning without a token")
    expect_problem(pin("nowhere", [arts[2]["id"]]), 404, "pinning on an unknown section", "not-found")
    expect_problem(front("nowhere"), 404, "the front of an unknown section", "not-found")
    expect_problem(front("local", cursor="bad"), 400, "a bad cursor", "invalid-parameter")
    check(front("local").json == before, "refused pins changed nothing")


def test_front_cache_across_instances(khabar):
    """The front is kept in the answer cache; a pin made on one instance reaches the other's."""
    a, b = khabar.server, khabar.start_server(name="second-instance")
    try:
        new_section({"name": "دوليات", "slug": "world"})
        x = create(harness.art("خبر دولي أول", section="world")).json
        y = create(harness.art("خبر دولي ثان", section="world")).json
        for _ in range(2):
            front("world", srv=b)
        check([i["id"] for i in front("world", srv=b).json["data"]] == [y["id"], x["id"]], "the newest first")
        pin("world", [x["id"]])
        check(harness.wait_until(lambda: [i["id"] for i in front("world", srv=b).json["data"]] == [x["id"], y["id"]], 2),
              "the other instance shows the new pin within the notice's window")
    finally:
        b.stop()


def test_scheduled_goes_live_with_author_and_section(khabar):
    """A scheduled article with an author and a section appears in the author's list and count,
    the section's list and its front when its time comes, with no write."""
    request("POST", "/v1/authors", body={"name": "مراسل الموعد", "slug": "reporter"}, token=TOKEN_1)
    new_section({"name": "عاجل", "slug": "urgent"})
    lead = 4.0
    s = create(harness.art("مقال مجدول بتوقيع", published_at=utc_in(lead), authors=["reporter"],
                           section="urgent")).json
    go_live = time.time() + lead

    def view():
        author = request("GET", "/v1/authors/reporter").json
        return {"author list": s["id"] in ids("/v1/articles?author=reporter"),
                "author count": author["article_count"] == 1,
                "section list": s["id"] in ids("/v1/articles?section=urgent"),
                "front": s["id"] in [i["id"] for i in front("urgent").json["data"]]}

    before = view()
    check(not any(before.values()), "before its time it is in none of them", before)
    seen = harness.wait_until(lambda: all(view().values()), lead + 3)
    check(seen and time.time() - go_live <= 1.5, "at its time it is in all of them", view())
    check(time.time() >= go_live - 0.2, "and not before it")
