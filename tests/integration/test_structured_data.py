"""Structured data: GET /v1/articles/{article} with Accept: application/ld+json answers schema.org
NewsArticle with the properties Google documents for articles (author as Person with name and
url, dateModified, datePublished, headline, image) and the rest a news search reads (publisher
from configuration, articleSection, keywords, inLanguage); content negotiation by RFC 9110
(weights, Vary: Accept, 406 for what khabar cannot produce), each type cached and validated
apart."""
import json

import harness
from harness import TOKEN_1, api_url, check, request
from articles_helpers import create, expect_problem

LD = "application/ld+json"
# What Google's "Article structured data" documentation lists: it requires no property and
# recommends these (developers.google.com/search/docs/appearance/structured-data/article).
GOOGLE_RECOMMENDED = ("author", "dateModified", "datePublished", "headline", "image")
GOOGLE_AUTHOR = ("@type", "name", "url")
IMAGE = {"url": "https://cdn.example/2024/05/kremlin.jpg", "alt": "الكرملين", "caption": "مبنى الكرملين",
         "width": 1600, "height": 900,
         "renditions": [{"url": "https://cdn.example/2024/05/kremlin-1x1.jpg", "width": 900, "height": 900}]}


def varies_by_accept(r):
    return "accept" in [v.strip().lower() for v in (r.header("Vary") or "").split(",")]


def ld(path, headers=None):
    r = request("GET", path, headers=dict({"Accept": LD}, **(headers or {})), encoded=True)
    return r, (json.loads(r.body) if r.status == 200 else None)


def full_article():
    for obj in ({"name": "سارة الكاتب", "slug": "sara"}, {"name": "Omar Haddad", "slug": "omar"}):
        r = request("POST", "/v1/authors", body=obj, token=TOKEN_1)
        assert r.status == 201, r.brief()
    r = request("POST", "/v1/sections", body={"name": "سياسة", "slug": "politics"}, token=TOKEN_1)
    assert r.status == 201, r.brief()
    return create(harness.art("بوتين يزور كوريا الشمالية", summary="زيارة نادرة إلى بيونغ يانغ.",
                              tags=["روسيا", "كوريا الشمالية"], sources=["وكالة تاس"], authors=["sara", "omar"],
                              section="politics", image=IMAGE, published_at="2024-06-18T21:00:00Z")).json


def test_news_article_has_what_google_documents(khabar):
    a = full_article()
    r, doc = ld("/v1/articles/%d" % a["id"])
    check(r.status == 200 and r.header("Content-Type") == LD, "Accept: application/ld+json answers JSON-LD",
          "%s %s" % (r.brief(120), r.header("Content-Type")))
    doc = doc or {}
    check(doc.get("@context") == "https://schema.org" and doc.get("@type") == "NewsArticle",
          "a schema.org NewsArticle", doc)
    missing = [p for p in GOOGLE_RECOMMENDED if not doc.get(p)]
    check(not missing, "every property Google recommends is there", missing)
    check(doc.get("headline") == a["title"] and doc.get("description") == a["summary"],
          "headline and description are the title and summary", doc)
    check(doc.get("datePublished") == a["published_at"] and doc.get("dateModified") == a["updated_at"],
          "the dates are the article's, in ISO 8601", doc)
    authors = doc.get("author") or []
    check([p.get("name") for p in authors] == ["سارة الكاتب", "Omar Haddad"] and
          all(all(p.get(k) for k in GOOGLE_AUTHOR) and p["@type"] == "Person" for p in authors),
          "each author of the byline is a Person with a name and a url", authors)
    check([p.get("url") for p in authors] == [api_url() + "/v1/authors/sara", api_url() + "/v1/authors/omar"],
          "an author's url is its page", authors)
    urls = [i.get("url") for i in doc.get("image") or []]
    check(urls == [IMAGE["url"], IMAGE["renditions"][0]["url"]] and doc["image"][0].get("width") == 1600,
          "image: the lead image and its renditions as ImageObjects", doc.get("image"))
    pub = doc.get("publisher") or {}
    check(pub.get("@type") == "Organization" and pub.get("name") == "khabar" and "logo" not in pub,
          "the publisher is PUBLICATION_NAME's organisation (no logo unless configured)", pub)
    check(doc.get("articleSection") == "سياسة" and doc.get("keywords") == ["روسيا", "كوريا الشمالية"] and
          doc.get("inLanguage") == "ar", "section, tags as keywords, language", doc)
    canonical = r.header("Link")
    check(canonical == "<%s>; rel=\"canonical\"" % doc.get("url") and doc.get("mainEntityOfPage") == doc.get("url"),
          "url and mainEntityOfPage are the canonical address the Link header names", (canonical, doc.get("url")))


def test_publisher_from_configuration(khabar, module_server):
    a = create(harness.art("خبر عن الناشر", published_at="2024-06-18T22:00:00Z")).json
    srv = module_server("publisher", PUBLICATION_NAME="أخبار اليوم", PUBLISHER_LOGO_URL="https://news.example/logo.png",
                        PUBLIC_ARTICLE_URL="https://news.example/a/{slug}")
    r = srv.request("GET", "/v1/articles/%d" % a["id"], headers={"Accept": LD})
    doc = json.loads(r.body) if r.status == 200 else {}
    check(doc.get("publisher") == {"@type": "Organization", "name": "أخبار اليوم",
                                   "logo": {"@type": "ImageObject", "url": "https://news.example/logo.png"}},
          "publisher name and logo come from configuration", doc.get("publisher"))
    check(str(doc.get("url", "")).startswith("https://news.example/a/"), "url is the site's (PUBLIC_ARTICLE_URL)",
          doc.get("url"))
    check(doc.get("image") is None and doc.get("author") == [] and "articleSection" not in doc,
          "an article without image, byline or section claims none", doc)
    for bad in ("logo.png", "ftp://news.example/logo.png"):
        r = khabar.run_cli(["serve"], env_extra={"PUBLISHER_LOGO_URL": bad}, timeout=10)
        check(r.returncode != 0 and "PUBLISHER_LOGO_URL" in r.stderr, "PUBLISHER_LOGO_URL=%s is refused at start" % bad,
              r.stderr[-200:])


def test_negotiation(khabar):
    a = create(harness.art("خبر للتفاوض على النوع", published_at="2024-06-18T23:00:00Z")).json
    path = "/v1/articles/%d" % a["id"]
    cases = [(None, "application/json"), ("*/*", "application/json"), ("application/json", "application/json"),
             (LD, LD), ("application/json;q=0.5, application/ld+json", LD),
             ("text/html,application/xhtml+xml,*/*;q=0.8", "application/json"),
             ("application/json;q=0, */*;q=0.1", LD)]
    for accept, want in cases:
        r = request("GET", path, headers={"Accept": accept} if accept else None)
        check(r.status == 200 and r.header("Content-Type") == want and varies_by_accept(r),
              "Accept: %s answers %s, with Vary: Accept" % (accept, want),
              "%s %s vary=%s" % (r.brief(80), r.header("Content-Type"), r.header("Vary")))
    for accept in ("text/html", "application/xml", "application/ld+json;q=0, application/json;q=0"):
        r = request("GET", path, headers={"Accept": accept})
        expect_problem(r, 406, "Accept: %s is not acceptable" % accept, "/problems/not-acceptable")
        check(varies_by_accept(r) and (r.json or {}).get("available") == ["application/json", LD],
              "the 406 names the types there are", "%s %s" % (r.header("Vary"), r.json))
    r = request("GET", "/v1/articles?limit=1", headers={"Accept": "text/html"})
    check(r.status == 200 and not varies_by_accept(r), "a resource of one type ignores Accept", r.brief(80))


def test_each_type_cached_and_validated_apart(khabar):
    a = create(harness.art("خبر يخزن بنوعين", published_at="2024-06-19T00:00:00Z")).json
    path = "/v1/articles/%d" % a["id"]
    seen = {}
    for accept in ("application/json", LD, "application/json", LD):  # the second pair from the cache
        r = request("GET", path, headers={"Accept": accept})
        body = json.loads(r.body)
        check(r.status == 200 and r.header("Content-Type") == accept and
              (("@type" in body) == (accept == LD)), "%s answers its own type (cached or not)" % accept,
              "%s %s" % (r.header("Content-Type"), r.body[:60]))
        seen.setdefault(accept, set()).add(r.header("ETag"))
    check(all(len(v) == 1 for v in seen.values()) and seen["application/json"] != seen[LD],
          "each type has its own steady ETag", seen)
    etag = next(iter(seen[LD]))
    r = request("GET", path, headers={"Accept": LD, "If-None-Match": etag})
    check(r.status == 304, "the JSON-LD ETag revalidates it", r.brief(80))
    r = request("GET", path, headers={"Accept": "application/json", "If-None-Match": etag})
    check(r.status == 200 and r.header("Content-Type") == "application/json",
          "the JSON-LD ETag does not revalidate the JSON", r.brief(80))
    r = request("PATCH", path, body={"title": "خبر يخزن بنوعين بعد التعديل"}, token=TOKEN_1,
                headers={"Content-Type": "application/merge-patch+json"})
    check(r.status == 200, "the article is changed", r.brief())
    _, doc = ld(path)
    check((doc or {}).get("headline") == "خبر يخزن بنوعين بعد التعديل", "a change reaches the cached JSON-LD", doc)


def test_hidden_articles_stay_hidden(khabar):
    draft = create(harness.art("مسودة لا تظهر", status="draft")).json
    r, _ = ld("/v1/articles/%d" % draft["id"])
    expect_problem(r, 404, "a draft is not found as JSON-LD either")
    r = request("GET", "/v1/articles/%d" % draft["id"], headers={"Accept": LD}, token=TOKEN_1)
    check(r.status == 200 and r.header("Cache-Control") == "private, no-store" and
          r.header("Content-Type") == LD, "an editor sees the draft's JSON-LD, never cached", r.brief(80))
    gone = create(harness.art("خبر سيسحب")).json
    request("PATCH", "/v1/articles/%d" % gone["id"], body={"status": "withdrawn", "withdrawn_reason": "خطأ"},
            token=TOKEN_1, headers={"Content-Type": "application/merge-patch+json"})
    r, _ = ld("/v1/articles/%d" % gone["id"])
    expect_problem(r, 410, "a withdrawn article is 410 as JSON-LD too")
