"""Feeds: the newest 50 public articles of the site and of each tag, source, author and section as
RSS 2.0, Atom 1.0 and JSON Feed 1.1, read by real parsers (feedparser, feed-extractor,
fast-xml-parser): every item's title, link, summary, safe HTML body, authors, categories, lead
image, language and stable id; every character escaped; scheduled articles appearing when they go
live; ETag, Last-Modified and 304; Cache-Control bounded by the next go-live; each list naming its
feeds in Link rel="alternate"; bad requests answered with problem+json."""
import datetime
import json
import re
import time
import urllib.parse

import harness
from harness import TOKEN_1, api_url, check, request
from articles_helpers import create, expect_problem
from feed_readers import read

FORMATS = {"rss": "application/rss+xml; charset=utf-8", "atom": "application/atom+xml; charset=utf-8",
           "json": "application/feed+json"}
q = urllib.parse.quote
TAG, SOURCE, AUTHOR, SECTION = "الطاقة", "وكالة الأنباء", "layla", "economy"


def utc_in(seconds):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds)
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def feed(fmt, query="", headers=None):
    return request("GET", "/v1/feeds/%s%s" % (fmt, query), headers=headers, encoded=True)


def entries(fmt, body):
    """(title, link, id) of each item as the parsers read them, in order; feedparser for XML,
    feed-extractor for JSON Feed."""
    seen = read(fmt, body)
    if fmt == "json":
        return [(e.get("title"), e.get("link"), e.get("id")) for e in seen["extractor"]["entries"]]
    return [(i["title"], i["link"], i["guid"]) for i in seen["feedparser"]["items"]]


def article_url(a):
    return api_url() + "/v1/articles/" + q(a["slug"], safe="")


def stable_id(a):
    return api_url() + "/v1/articles/%d" % a["id"]


def test_site_feed_holds_the_newest_fifty_public_articles(khabar):
    made = [create(harness.art("خبر الموقع رقم %d" % i, published_at="2024-03-01T%02d:%02d:00Z" % (i // 60, i % 60))).json
            for i in range(53)]
    create(harness.art("مسودة لا تنشر", status="draft"))
    create(harness.art("مقال مجدول بعيد", published_at="2099-01-01T00:00:00Z"))
    want = [(a["title"], article_url(a), stable_id(a)) for a in reversed(made)][:50]
    for fmt, ctype in FORMATS.items():
        r = feed(fmt)
        check(r.status == 200 and r.header("Content-Type") == ctype, "the %s feed is served as %s" % (fmt, ctype),
              "%s %s" % (r.brief(80), r.header("Content-Type")))
        check(entries(fmt, r.body) == want, "%s: the newest 50 public articles, newest first, no draft or "
              "scheduled one" % fmt, entries(fmt, r.body)[:2])


def full_article():
    request("POST", "/v1/authors", body={"name": "ليلى حسن", "slug": AUTHOR}, token=TOKEN_1)
    request("POST", "/v1/sections", body={"name": "اقتصاد", "slug": SECTION}, token=TOKEN_1)
    return create(harness.art("أسعار النفط <ترتفع> & \"الغاز\" ينخفض", body="نص **مهم** عن ]]> الأسواق & <script>alert(1)</script>",
                              summary="ملخص: <b>النفط</b> & الغاز", tags=[TAG, "النفط"], sources=[SOURCE],
                              authors=[AUTHOR], section=SECTION, published_at="2024-04-01T08:00:00Z",
                              image={"url": "https://cdn.example/oil.png", "alt": "برميل نفط"}))


def test_items_carry_everything_escaped(khabar):
    a = full_article().json
    english = create(harness.art("Oil prices rise", lang="en", tags=[TAG], published_at="2024-04-01T09:00:00Z")).json
    for fmt in ("rss", "atom"):
        r = feed(fmt, "?tag=" + q(TAG))
        seen = read(fmt, r.body)
        check(seen["well_formed"] and not seen["feedparser"]["errors"], "%s: well-formed, read without error" % fmt,
              (seen["xml_error"], seen["feedparser"]["errors"]))
        items = {i["guid"]: i for i in seen["feedparser"]["items"]}
        i = items.get(stable_id(a), {})
        check(i.get("title") == a["title"] and i.get("link") == article_url(a), "%s: title and canonical link" % fmt, i)
        check(i.get("summary") == a["summary"] and i.get("description") == a["body_html"].strip(),
              "%s: the summary as text and the safe HTML body, read back exactly" % fmt,
              (i.get("summary"), i.get("description")))
        check("<script>" not in (i.get("description") or ""), "%s: the body is the safe HTML" % fmt, i.get("description"))
        names = i.get("creators") if fmt == "rss" else i.get("authors")
        check(names == ["ليلى حسن"], "%s: the byline" % fmt, names)
        check(set(i.get("categories") or []) >= {TAG, "النفط", "اقتصاد"}, "%s: tags and section as categories" % fmt,
              i.get("categories"))
        check([e.get("url") for e in i.get("enclosures") or []] == ["https://cdn.example/oil.png"] and
              i["enclosures"][0].get("type") == "image/png", "%s: the lead image as an enclosure" % fmt,
              i.get("enclosures"))
        check(i.get("pubdate", "").startswith("2024-04-01T08:00:00"), "%s: the publication date" % fmt, i.get("pubdate"))
        check(i.get("lang") == "ar" and items.get(stable_id(english), {}).get("lang") == "en",
              "%s: each item's xml:lang is its article's" % fmt, (i.get("lang"), items.get(stable_id(english), {}).get("lang")))
    seen = read("json", feed("json", "?tag=" + q(TAG)).body)
    doc = json.loads(feed("json", "?tag=" + q(TAG)).body)
    item = next((x for x in doc["items"] if x["id"] == stable_id(a)), {})
    check(doc.get("version") == "https://jsonfeed.org/version/1.1" and doc.get("language") == "ar",
          "JSON Feed 1.1 with its language", doc.get("version"))
    check(item.get("content_html") == a["body_html"] and item.get("summary") == a["summary"] and
          item.get("image") == "https://cdn.example/oil.png" and item.get("tags") == [TAG, "النفط"] and
          item.get("authors") == [{"name": "ليلى حسن", "url": api_url() + "/v1/authors/" + AUTHOR}] and
          item.get("date_published") == a["published_at"] and item.get("language") == "ar",
          "json: every member of the item", item)
    check(any(e.get("id") == stable_id(a) and e.get("title") == a["title"] for e in seen["extractor"]["entries"]),
          "json: feed-extractor reads the item", seen["extractor"]["entries"][:1])


def test_characters_xml_cannot_carry_are_replaced(khabar):
    a = create(harness.art("عنوان \u0001 فيه \ufffe محارف", body="نص \u0002 و \u000b و \uffff", tags=["محارف"])).json
    for fmt in ("rss", "atom"):
        r = feed(fmt, "?tag=" + q("محارف"))
        seen = read(fmt, r.body)
        titles = [i["title"] for i in seen["feedparser"]["items"]]
        check(seen["well_formed"] and titles == ["عنوان \ufffd فيه \ufffd محارف"],
              "%s: control characters and U+FFFE become U+FFFD; the XML stays well formed" % fmt,
              (seen["xml_error"], titles))
    check(a["title"] == "عنوان \u0001 فيه \ufffe محارف", "the article itself keeps its title", a["title"])


def test_each_subject_has_its_feed(khabar):
    a = full_article().json
    other = create(harness.art("خبر بلا موضوع", tags=["رياضة"], published_at="2024-04-02T08:00:00Z")).json
    subjects = {"tag": TAG, "source": SOURCE, "author": AUTHOR, "section": SECTION}
    for kind, value in subjects.items():
        for fmt in FORMATS:
            r = feed(fmt, "?%s=%s" % (kind, q(value)))
            got = entries(fmt, r.body) if r.status == 200 else None
            check(r.status == 200 and got and stable_id(a) in [e[2] for e in got] and
                  stable_id(other) not in [e[2] for e in got],
                  "%s feed of the %s: only its articles" % (fmt, kind), (r.brief(80), got))
        rss = read("rss", feed("rss", "?%s=%s" % (kind, q(value))).body)["feedparser"]["meta"]
        check(rss["title"].startswith("khabar: ") and rss["xmlurl"] == api_url() + "/v1/feeds/rss?%s=%s" % (kind, q(value, safe="")),
              "the %s feed is titled by its name and names its own address" % kind, rss)
    variant = feed("atom", "?tag=" + q("الطـاقة"))
    meta = read("atom", variant.body)["feedparser"]["meta"]
    check(variant.status == 200 and meta["xmlurl"] == api_url() + "/v1/feeds/atom?tag=" + q(TAG, safe=""),
          "a tag in another letter variant has the same feed, which names its canonical address", meta)


def test_bad_requests(khabar):
    for path, status, what in (("/v1/feeds/rss?tag=" + q("لا يوجد"), 404, "an unknown tag"),
                               ("/v1/feeds/atom?author=nobody", 404, "an unknown author"),
                               ("/v1/feeds/json?section=nowhere", 404, "an unknown section"),
                               ("/v1/feeds/rss?source=" + q("مصدر مجهول"), 404, "an unknown source"),
                               ("/v1/feeds/rss?tag=", 404, "an empty tag"),
                               ("/v1/feeds/xml", 404, "a format khabar does not make"),
                               ("/v1/feeds/rss?tag=a&author=b", 400, "two subjects at once"),
                               ("/v1/feeds/rss?q=x", 400, "a parameter feeds do not take"),
                               ("/v1/feeds/rss?tag=%FF", 400, "a value that is not UTF-8")):
        r = request("GET", path, encoded=True)
        expect_problem(r, status, "%s is answered %d" % (what, status))
    r = request("POST", "/v1/feeds/rss", body={}, token=TOKEN_1)
    check(r.status == 405 and "GET" in (r.header("Allow") or ""), "a feed is only read", r.brief(80))


def test_conditional_and_cached(khabar):
    create(harness.art("خبر لاختبار التخزين", tags=["تخزين"]))
    for fmt in FORMATS:
        path = "?tag=" + q("تخزين")
        r = feed(fmt, path)
        etag, modified = r.header("ETag"), r.header("Last-Modified")
        check(r.status == 200 and re.fullmatch(r'"[0-9a-f]{16}"', etag or "") and modified and
              r.header("Cache-Control") == "public, max-age=5", "%s: a strong ETag, Last-Modified, a list's max-age"
              % fmt, (etag, modified, r.header("Cache-Control")))
        again = feed(fmt, path)
        check(again.body == r.body and again.header("ETag") == etag, "%s: the same bytes again (from the cache)" % fmt)
        check(feed(fmt, path, {"If-None-Match": etag}).status == 304, "%s: If-None-Match answers 304" % fmt)
        check(feed(fmt, path, {"If-Modified-Since": modified}).status == 304, "%s: If-Modified-Since answers 304" % fmt)
    before = feed("rss", "?tag=" + q("تخزين"))
    create(harness.art("خبر ثان لاختبار التخزين", tags=["تخزين"]))
    after = feed("rss", "?tag=" + q("تخزين"), {"If-None-Match": before.header("ETag")})
    check(after.status == 200 and "خبر ثان لاختبار التخزين" in after.body.decode(),
          "a new article reaches the cached feed at once", after.brief(80))


def test_scheduled_article_appears_when_it_goes_live(khabar):
    a = create(harness.art("خبر مجدول للخلاصة", tags=["مجدول"], published_at=utc_in(3))).json
    create(harness.art("خبر منشور للخلاصة", tags=["مجدول"], published_at="2024-01-01T00:00:00Z"))
    time.sleep(0.6)  # the schedule thread learns of it
    r = feed("atom", "?tag=" + q("مجدول"))
    age = re.search(r"max-age=(\d+)", r.header("Cache-Control") or "")
    check(stable_id(a) not in [e[2] for e in entries("atom", r.body)], "not in the feed before its time", "")
    check(age is not None and int(age.group(1)) <= 3, "the feed's max-age ends by the go-live", r.header("Cache-Control"))
    live = harness.wait_until(lambda: stable_id(a) in [e[2] for e in entries("atom", feed("atom", "?tag=" + q("مجدول")).body)], 8)
    check(live, "in the feed once its time has come, with no write", "")


def test_lists_name_their_feeds(khabar):
    create(harness.art("خبر للروابط", tags=["روابط"], published_at="2024-05-01T00:00:00Z"))

    def alternates(path):
        r = request("GET", path, encoded=True)
        return re.findall(r'<([^>]+)>; rel="alternate"; type="([^"]+)"', r.header("Link") or "")

    site = alternates("/v1/articles")
    check(site == [(api_url() + "/v1/feeds/" + f, t.split(";")[0]) for f, t in FORMATS.items()],
          "the whole list names the site's feeds in each format with its media type", site)
    tag = alternates("/v1/articles?tag=" + q("روابط"))
    check([u for u, _ in tag] == [api_url() + "/v1/feeds/%s?tag=%s" % (f, q("روابط", safe="")) for f in FORMATS],
          "a tag's list names the tag's feeds", tag)
    for url, ctype in site + tag:
        r = request("GET", url[len(api_url()):], encoded=True)
        check(r.status == 200 and r.header("Content-Type").startswith(ctype), "%s answers %s" % (url, ctype), r.brief(80))
    for path in ("/v1/articles?q=" + q("خبر"), "/v1/articles?tag=a&source=b", "/v1/articles?status=draft",
                 "/v1/articles?tag=" + q("وسم لا وجود له")):
        headers = None
        r = request("GET", path, encoded=True, token=TOKEN_1 if "status" in path else None, headers=headers)
        check('rel="alternate"' not in (r.header("Link") or ""), "%s names no feed" % path, r.header("Link"))
    request("POST", "/v1/sections", body={"name": "روابط", "slug": "links-desk"}, token=TOKEN_1)
    create(harness.art("خبر في قسم الروابط", section="links-desk"))
    front = alternates("/v1/sections/links-desk/front")
    check([u for u, _ in front] == [api_url() + "/v1/feeds/%s?section=links-desk" % f for f in FORMATS],
          "a section's front names the section's feeds", front)
    paged = request("GET", "/v1/articles?limit=1")
    links = paged.header("Link") or ""
    check('rel="next"' in links and links.count('rel="alternate"') == 3, "a page with more keeps rel=next beside them",
          links)
