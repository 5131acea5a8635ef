"""Publication: drafts and withdrawn articles hidden from the public (404, 410) and shown to editors privately, scheduled articles going live everywhere at their time on two instances, counts and caches at that moment, corrections, bad input."""
import datetime
import re
import time
import urllib.parse

import harness
from harness import check, request, wait_until, TOKEN_1
from articles_helpers import create, expect_problem, list_all, patch

q = urllib.parse.quote


def utc_in(seconds):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds)
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def ids(path, srv=None, token=None):
    r = (srv.request if srv else request)("GET", path, encoded=True, token=token)
    return [i["id"] for i in (r.json or {}).get("data", [])] if r.status == 200 else None


def tag_count(slug, srv=None):
    r = (srv.request if srv else request)("GET", "/v1/tags/" + q(slug), encoded=True)
    return r.json.get("article_count") if r.status == 200 else None


def max_age(r):
    m = re.search(r"max-age=(\d+)", r.header("cache-control") or "")
    return int(m.group(1)) if m else None


def public_view(srv, art_id, slug, tag_slug, source, word):
    """What the public sees of an article: is it in each place it would be listed?"""
    s = srv.request
    return {
        "by id": s("GET", "/v1/articles/%d" % art_id).status == 200,
        "by slug": s("GET", "/v1/articles/" + q(slug), encoded=True).status == 200,
        "newest": art_id in (ids("/v1/articles?limit=100", srv) or []),
        "tag": art_id in (ids("/v1/articles?tag=" + q(tag_slug), srv) or []),
        "source": art_id in (ids("/v1/articles?source=" + q(source), srv) or []),
        "search": art_id in (ids("/v1/articles?q=" + q(word), srv) or []),
        "tag count": tag_count(tag_slug, srv) == 1,
    }


def test_draft_hidden_and_shown_to_editors(khabar):
    public = create(harness.art("مقال منشور يشير إلى مسودة")).json
    d = create(harness.art("مسودة عن الزلزال القادم", "نص المسودة عن الزنبرك", status="draft",
                           tags=["وسم المسودة"], sources=["وكالة المسودة"])).json
    check(d["status"] == "draft", "201 answers the draft with status draft", d)
    patch(public["id"], {"related": [d["id"]]})
    seen = public_view(khabar.server, d["id"], d["slug"], "وسم-المسودة", "وكالة المسودة", "الزنبرك")
    check(not any(seen.values()), "the public sees the draft nowhere", seen)
    r = request("GET", "/v1/articles/%d" % d["id"])
    gone = request("GET", "/v1/articles/999999999")
    check(r.status == 404 and r.json == dict(gone.json, detail=r.json.get("detail")),
          "a draft is a 404 like an article that does not exist (its existence is not revealed)", r.brief())
    rel = request("GET", "/v1/articles/%d" % public["id"]).json
    check(rel["related"] == [], "an article's read-also list leaves the draft out", rel["related"])
    expect_problem(request("GET", "/v1/articles/%d/related" % d["id"]), 404, "the draft's own related list")
    r = request("GET", "/v1/articles/%d" % d["id"], token=TOKEN_1)
    check(r.status == 200 and r.json["status"] == "draft" and r.header("cache-control") == "private, no-store",
          "an editor reads the draft, answered private, no-store", r.brief(200))
    again = request("GET", "/v1/articles/%d" % d["id"])
    check(again.status == 404, "the editor's answer was not kept for the public", again.brief())
    expect_problem(request("GET", "/v1/articles?status=draft"), 401, "a status list without a token")
    r = request("GET", "/v1/articles?status=draft", token=TOKEN_1)
    check(r.status == 200 and d["id"] in [i["id"] for i in r.json["data"]]
          and all(i["status"] == "draft" for i in r.json["data"])
          and r.header("cache-control") == "private, no-store",
          "editors list drafts (?status=draft), privately", r.brief(300))
    r = request("GET", "/v1/articles?status=any&tag=" + q("وسم-المسودة"), encoded=True, token=TOKEN_1)
    check(r.status == 200 and [i["id"] for i in r.json["data"]] == [d["id"]],
          "?status=any with a tag finds the draft by its tag", r.brief(300))
    p = patch(d["id"], {"status": "published"})
    check(p.status == 200 and p.json["status"] == "published", "PATCH status published publishes it", p.brief())
    seen = public_view(khabar.server, d["id"], d["slug"], "وسم-المسودة", "وكالة المسودة", "الزنبرك")
    check(all(seen.values()), "published, it is everywhere at once", seen)
    rel = request("GET", "/v1/articles/%d" % public["id"]).json
    check([x["id"] for x in rel["related"]] == [d["id"]], "and in read-also lists", rel["related"])


def test_draft_published_now(khabar):
    """A draft published without a time of its own takes the moment it is published; one given a
    time ahead while drafted keeps it (an embargo)."""
    d = create(harness.art("مسودة تنشر لاحقا", status="draft")).json
    time.sleep(1.2)
    p = patch(d["id"], {"status": "published", "title": "مسودة نشرت الآن"})
    check(p.status == 200 and p.json["published_at"] > d["published_at"],
          "published_at moved to the moment of publishing", (d["published_at"], p.json.get("published_at")))
    ahead = utc_in(3600)
    e = create(harness.art("مسودة بموعد", status="draft", published_at=ahead)).json
    p = patch(e["id"], {"status": "published"})
    check(p.status == 200 and p.json["published_at"][:19] == ahead[:19],
          "a draft with a time ahead keeps it when published: it is scheduled", p.brief(300))
    check(request("GET", "/v1/articles/%d" % e["id"]).status == 404, "and hidden until then", "")
    r = request("GET", "/v1/articles?status=scheduled", token=TOKEN_1)
    check(r.status == 200 and e["id"] in [i["id"] for i in r.json["data"]], "editors list it as scheduled",
          r.brief(300))


def test_withdrawn_answers_410(khabar):
    a = create(harness.art("مقال سيسحب", tags=["وسم السحب"])).json
    expect_problem(patch(a["id"], {"status": "withdrawn"}), 422, "withdrawn without a reason",
                   field="withdrawn_reason")
    reason = "سحب المقال لخطأ في المصدر"
    p = patch(a["id"], {"status": "withdrawn", "withdrawn_reason": reason})
    check(p.status == 200 and p.json["withdrawn_reason"] == reason, "withdrawn with its reason", p.brief())
    r = request("GET", "/v1/articles/%d" % a["id"])
    check(r.status == 410 and r.json.get("type") == "/problems/withdrawn" and r.json.get("withdrawn_reason") == reason
          and (r.header("content-type") or "").startswith("application/problem+json"),
          "the public gets 410 problem+json with the reason", r.brief())
    check(a["id"] not in (ids("/v1/articles?limit=100") or []) and tag_count("وسم-السحب") is None,
          "lists and counts leave it out", "")
    r = request("GET", "/v1/articles/%d" % a["id"], token=TOKEN_1)
    check(r.status == 200 and r.header("cache-control") == "private, no-store", "editors still read it", r.brief())
    r = request("GET", "/v1/articles?status=withdrawn", token=TOKEN_1)
    check(a["id"] in [i["id"] for i in r.json["data"]], "editors list withdrawn articles", r.brief(300))
    p = patch(a["id"], {"status": "published"})
    check(p.status == 200 and p.json["withdrawn_reason"] is None and tag_count("وسم-السحب") == 1,
          "published again: its reason goes, it counts again", p.brief())


def test_corrections(khabar):
    a = create(harness.art("مقال بتصحيح", corrections=[
        {"text": "  صُحح اسم الوزير  "}, {"at": "2024-05-20T08:00:00Z", "text": "أضيف المصدر"}])).json
    c = a["corrections"]
    check(len(c) == 2 and c[0]["text"] == "صُحح اسم الوزير" and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", c[0]["at"])
          and c[1] == {"at": "2024-05-20T08:00:00Z", "text": "أضيف المصدر"},
          "corrections are dated (now when no date is sent) and trimmed", c)
    r = request("GET", "/v1/articles/%d" % a["id"])
    check(r.json["corrections"] == c, "readers see the corrections", r.json.get("corrections"))
    lst = request("GET", "/v1/articles?limit=5").json["data"]
    check(all("corrections" not in i for i in lst), "list items leave corrections out", "")
    bad = [("not a list", "corrections"), ([{"text": ""}], "corrections[0].text"),
           ([{"at": "yesterday", "text": "x"}], "corrections[0].at"),
           ([{"text": "x", "by": "me"}], "corrections[0]"), (["x"], "corrections[0]"),
           ([{"text": "x"}] * 51, "corrections")]
    for value, field in bad:
        expect_problem(patch(a["id"], {"corrections": value}), 422, "corrections %r" % (value,)[:60], field=field)
    check(request("GET", "/v1/articles/%d" % a["id"]).json["corrections"] == c, "refused corrections changed nothing", "")


def test_bad_publication_input(khabar):
    expect_problem(request("POST", "/v1/articles", body=harness.art("حالة غريبة", status="live"), token=TOKEN_1),
                   422, "status live", field="status")
    expect_problem(request("POST", "/v1/articles", body=harness.art("حالة رقمية", status=1), token=TOKEN_1),
                   422, "status 1", field="status")
    for qs in ("status=bogus", "status=draft&q=" + q("زلزال"), "status="):
        expect_problem(request("GET", "/v1/articles?" + qs, encoded=True, token=TOKEN_1), 400, "?" + qs)


def test_cache_control_bounded_by_next_go_live(khabar):
    a = create(harness.art("مقال عادي قبل موعد")).json
    create(harness.art("مقال بعد ثوان", published_at=utc_in(8)))
    time.sleep(0.6)  # the schedule thread learns of it within SCHEDULE_POLL_MS
    art = request("GET", "/v1/articles/%d" % a["id"])
    lst = request("GET", "/v1/articles")
    check(art.status == 200 and max_age(art) is not None and max_age(art) <= 8,
          "an article's max-age (60) is cut to the seconds left before the next go-live",
          art.header("cache-control"))
    check(max_age(lst) is not None and max_age(lst) <= 5, "a list's never exceeds its own (5)", lst.header("cache-control"))
    again = request("GET", "/v1/articles/%d" % a["id"])
    check(max_age(again) is not None and max_age(again) <= max_age(art),
          "a cached answer's max-age shrinks as the moment nears", (art.header("cache-control"),
                                                                    again.header("cache-control")))


def test_scheduled_goes_live_everywhere(khabar):
    """An article scheduled a few seconds ahead appears on both instances, in every list, count,
    search and read-also list, within one second of its time, with no write."""
    a, b = khabar.server, khabar.start_server(name="second-instance")
    try:
        p = create(harness.art("مقال ينتظر الموعد")).json
        lead = 4.0
        when = utc_in(lead)
        s = create(harness.art("مقال مجدول للنشر", "نص عن الكهرمانيات", published_at=when,
                               tags=["وسم الموعد"], sources=["وكالة الموعد"])).json
        go_live = time.time() + lead
        patch(p["id"], {"related": [s["id"]]})
        for srv in (a, b):  # fill the answer caches with what is shown before
            public_view(srv, s["id"], s["slug"], "وسم-الموعد", "وكالة الموعد", "الكهرمانيات")
        before = {srv.name: public_view(srv, s["id"], s["slug"], "وسم-الموعد", "وكالة الموعد", "الكهرمانيات")
                  for srv in (a, b)}
        check(not any(v for view in before.values() for v in view.values()), "before its time it is nowhere", before)
        seen_at = {}
        while time.time() < go_live + 3 and len(seen_at) < 2:
            for srv in (a, b):
                if srv.name not in seen_at:
                    view = public_view(srv, s["id"], s["slug"], "وسم-الموعد", "وكالة الموعد", "الكهرمانيات")
                    related = [x["id"] for x in srv.request("GET", "/v1/articles/%d" % p["id"]).json["related"]]
                    if all(view.values()) and related == [s["id"]]:
                        seen_at[srv.name] = time.time() - go_live
            time.sleep(0.05)
        check(len(seen_at) == 2 and max(seen_at.values()) <= 1.0,
              "both instances show it everywhere (lists, tag and source pages, search, count, read-also) "
              "within 1 s of its time", seen_at)
        check(min(seen_at.values(), default=0) > -0.2, "and not before it", seen_at)
    finally:
        b.stop()


def test_articles_dated_ahead_become_scheduled_when_migrated(khabar):
    """An archive from before publication states: its articles dated ahead (public at once then)
    are scheduled once migrated, and go live at their time; the others stay public, and counted."""
    url = harness.database_before_migration(khabar, "khabar_before_status", "0010")
    for slug, when in (("past", "now() - interval '1 hour'"), ("ahead", "now() + interval '3 seconds'")):
        harness.psql(url, "INSERT INTO articles (slug, slug_key, title, body, body_html, body_text, published_at)"
                          " VALUES ('%s', '%s', 'قديم %s', 'نص', '<p>نص</p>\n', 'نص', %s)" % (slug, slug, slug, when))
    harness.psql(url, "INSERT INTO tags (name, slug) VALUES ('قديم', 'قديم');"
                      "INSERT INTO article_tags (article_id, tag_id, position, published_at)"
                      " SELECT a.id, t.id, 1, a.published_at FROM articles a, tags t")
    r = khabar.run_cli(["migrate"], env_extra={"DATABASE_URL": url})
    check(r.returncode == 0, "khabar migrate applies the publication migration", r.stderr[-600:])
    srv = khabar.start_server(extra={"DATABASE_URL": url}, name="before-status")
    try:
        check(srv.request("GET", "/v1/articles/past").status == 200 and tag_count("قديم", srv) == 1,
              "an article of the past stays public, and counted", "")
        check(srv.request("GET", "/v1/articles/ahead").status == 404, "one dated ahead is scheduled now", "")
        check(wait_until(lambda: srv.request("GET", "/v1/articles/ahead").status == 200 and tag_count("قديم", srv) == 2,
                         6), "and goes live at its time, counted then", "")
    finally:
        srv.stop()
        harness.psql(khabar.pg.url, "DROP DATABASE IF EXISTS khabar_before_status WITH (FORCE)")
