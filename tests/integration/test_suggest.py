"""The suggest box (GET /v1/suggest?q=): titles, tags, authors and sections that begin like what is typed, in any letter variant; public articles only, a scheduled one from its go-live; cache headers; bad input."""
import concurrent.futures
import datetime
import json
import time
import urllib.parse

from harness import TOKEN_1, art, check, psql, request, wait_until
from articles_helpers import create, expect_problem, get_json, patch


def suggest(q):
    return get_json(path(q), encoded=True)


def path(q):
    return "/v1/suggest?q=" + urllib.parse.quote(q)


def titles(q):
    return [a["title"] for a in suggest(q)["articles"]]


def ids(q):
    return [a["id"] for a in suggest(q)["articles"]]


def utc_in(seconds):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds)
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def test_prefix_of_any_title_word(khabar):
    a = create(art("زيارة مرتقبة إلى الكرملين", tags=["الكرملين"])).json
    b = create(art("بيان جديد من الكرملين")).json
    create(art("عنوان لا علاقة له"))
    r = request("GET", path("الكرم"), encoded=True)
    check(r.status == 200 and set(r.json) == {"articles", "tags", "authors", "sections"},
          "the answer holds articles, tags, authors and sections", r.brief(300))
    got = [x["id"] for x in r.json["articles"]]
    check(got == [b["id"], a["id"]], "a prefix of a later word finds both titles, newest first", got)
    check(set(r.json["articles"][0]) == {"id", "slug", "title", "published_at"},
          "an article suggestion is {id, slug, title, published_at}", r.json["articles"][0])
    check([t["slug"] for t in r.json["tags"]] == ["الكرملين"], "the tag that begins so is suggested", r.json["tags"])
    check(ids("كرم") == [b["id"], a["id"]], "without the article ال too (the search forms' proclitics)", "")
    check(ids("الكرملين") == [b["id"], a["id"]], "the whole word is its own prefix", "")
    check(ids("الكرملينات") == [], "a prefix longer than the word finds nothing", "")
    check(ids("مرتق") == [a["id"]], "the start of any word, not only the first", "")
    check(ids("رتقب") == [], "the middle of a word is not a prefix", "")


def test_letter_variants_in_the_prefix(khabar):
    a = create(art("أمطار غزيرة في المدينة المنورة")).json
    for q in ("امطار", "إمطار", "آمط", "أَمْطار", "أمـــطار", "المدينه", "المدينة", "المنوره"):
        check(a["id"] in ids(q), "prefix %r finds the title (alef forms, tashkeel, tatweel, ta marbuta)" % q, titles(q))
    r = create(art("تحقيق في مدينة کرمان", tags=["یزد"])).json
    check(r["id"] in ids("كرما"), "Keheh in the title, Kaf in the prefix", "")
    check(r["id"] in ids("کرما"), "Keheh in the prefix too", "")
    check([t["slug"] for t in suggest("يز")["tags"]] == ["يزد"], "Farsi Yeh in a tag, Yeh in the prefix", "")


def test_several_words_all_in_the_title(khabar):
    a = create(art("قمة سداسية في جنيف")).json
    b = create(art("قمة ثنائية في جنيف")).json
    check(ids("قمة سدا") == [a["id"]], "earlier words must be title words, the last a prefix", ids("قمة سدا"))
    check(ids("قمه جن") == [b["id"], a["id"]], "each word in any variant", ids("قمه جن"))
    check(ids("قم سدا") == [], "an earlier word is whole, not a prefix", "")


def test_drafts_scheduled_and_withdrawn_never_suggested(khabar):
    d = create(art("مسودة عن البنفسج", status="draft")).json
    s = create(art("مقال مجدول عن البنفسج", published_at=utc_in(3600))).json
    w = create(art("مقال مسحوب عن البنفسج")).json
    p = create(art("مقال منشور عن البنفسج")).json
    r = patch(w["id"], {"status": "withdrawn", "withdrawn_reason": "خطأ"})
    check(r.status == 200, "withdrawing an article", r.brief())
    got = ids("البنف")
    check(got == [p["id"]], "only the public one is suggested (not a draft, scheduled or withdrawn one)", got)
    r = request("DELETE", "/v1/articles/%d" % p["id"], token=TOKEN_1)
    check(r.status == 204 and ids("البنف") == [], "a deleted one goes", r.brief())
    r = patch(d["id"], {"status": "published"})
    check(r.status == 200 and ids("البنف") == [d["id"]], "a draft published is suggested", ids("البنف"))
    r = patch(d["id"], {"title": "مسودة عن الياسمين"})
    check(r.status == 200 and ids("البنف") == [] and ids("الياسم") == [d["id"]],
          "a new title replaces the old one's words", (ids("البنف"), ids("الياسم")))
    check(s["id"] not in ids("مجدو"), "the scheduled one is still not suggested", "")


def test_scheduled_article_suggested_at_its_go_live(khabar):
    s = create(art("خبر الزعفران المجدول", published_at=utc_in(3))).json
    check(ids("الزعفر") == [], "not suggested before its time", "")
    deadline = time.time() + 10
    while time.time() < deadline and ids("الزعفر") != [s["id"]]:
        time.sleep(0.2)
    check(ids("الزعفر") == [s["id"]], "suggested once its time has come", ids("الزعفر"))


def test_authors_and_sections_by_prefix(khabar):
    r = request("POST", "/v1/authors", body={"name": "سارة القرنفلي"}, token=TOKEN_1)
    check(r.status == 201, "an author", r.brief())
    r = request("POST", "/v1/sections", body={"name": "قرنفل وزهور"}, token=TOKEN_1)
    check(r.status == 201, "a section", r.brief())
    got = suggest("سارة")
    check([a["name"] for a in got["authors"]] == ["سارة القرنفلي"], "an author by the start of the name", got["authors"])
    got = suggest("قرنف")
    check([s["name"] for s in got["sections"]] == ["قرنفل وزهور"], "a section by the start of the name", got["sections"])


def test_cache_headers_like_other_lists(khabar):
    create(art("مقال عن التوليب"))
    r = request("GET", path("التول"), encoded=True)
    check(r.status == 200 and r.header("cache-control") == "public, max-age=5", "Cache-Control as lists",
          r.header("cache-control"))
    check(r.header("etag") and r.header("last-modified"), "ETag and Last-Modified", r.brief())
    again = request("GET", path("التول"), encoded=True,
                    headers={"If-None-Match": r.header("etag")})
    check(again.status == 304, "If-None-Match: 304", again.brief())
    create(art("مقال ثان عن التوليب"))
    after = request("GET", path("التول"), encoded=True,
                    headers={"If-None-Match": r.header("etag")})
    check(after.status == 200 and len(after.json["articles"]) == 2, "a new article changes the answer", after.brief())
    create(art("مقال مجدول عن التوليب", published_at=utc_in(3)))
    time.sleep(0.6)  # the schedule thread learns of it
    m = request("GET", path("التول"), encoded=True).header("cache-control")
    check(m in ("public, max-age=%d" % n for n in range(0, 4)), "max-age cut to the next go-live", m)


def test_at_most_ten(khabar):
    for i in range(12):
        create(art("الخزامى رقم %d" % i))
    got = suggest("الخزا")
    check(len(got["articles"]) == 10, "at most 10 titles", len(got["articles"]))
    check(titles("الخزا")[0] == "الخزامى رقم 11", "the newest first", titles("الخزا")[:1])


def test_bad_input(khabar):
    for q, name in (("", "missing q"), ("q=", "empty q"), ("q=%20%20", "blank q"),
                    ("q=%FF%FE", "invalid UTF-8"), ("q=" + "%D9%83" * 101, "101 characters"),
                    ("q=!!!", "no letter"), ("q=%D9%83&limit=5", "an unknown parameter"),
                    ("qq=%D9%83", "a misspelt parameter")):
        r = request("GET", "/v1/suggest" + ("?" + q if q else ""), encoded=True)
        expect_problem(r, 400, "suggest with %s" % name,
                       "/problems/invalid-utf8" if name == "invalid UTF-8" else "/problems/invalid-parameter")
        check(r.header("cache-control") == "no-store", "%s: not cached" % name, r.header("cache-control"))
    r = request("GET", "/v1/suggest?q=" + "%D9%83" * 100, encoded=True)
    check(r.status == 200, "100 characters are fine", r.brief())
    r = request("POST", "/v1/suggest?q=x", token=TOKEN_1)
    expect_problem(r, 405, "POST to suggest")


def test_writers_sharing_title_words_keep_each_key_bounded(khabar):
    """Concurrent creates and retitles sharing every key: all answered, each key still holds its newest 32."""
    def writer(n):
        statuses = []
        for i in range(8):
            r = request("POST", "/v1/articles", body=json.dumps(art("السوسن كاتب %d مقال %d" % (n, i)),
                                                                 ensure_ascii=False), token=TOKEN_1,
                        headers={"Content-Type": "application/json"})
            statuses.append(r.status)
            if r.status == 201 and i % 2:
                statuses.append(patch(r.json["id"], {"title": "السوسن كاتب %d معدل %d" % (n, i)}).status)
        return statuses
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        statuses = [s for got in pool.map(writer, range(6)) for s in got]
    check(statuses and all(s in (200, 201) for s in statuses),
          "%d concurrent writes sharing their titles' first letters all answered" % len(statuses),
          sorted(set(statuses)))
    last = create(art("السوسن أخيرا")).json
    counts = psql(khabar.pg.url, "SELECT max(n) FROM (SELECT count(*) AS n FROM title_prefixes"
                                 " WHERE prefix IN ('ا', 'ال', 'الس', 'السوسن') GROUP BY prefix) k")
    check(counts == "32", "the shared keys hold their newest 32 once a write has trimmed them", counts)
    check(ids("السوس")[0] == last["id"] and len(ids("السوس")) == 10, "the newest first, ten of them", ids("السوس"))
