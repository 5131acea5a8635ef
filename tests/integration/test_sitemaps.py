"""Sitemaps and robots.txt: robots.txt names the sitemap index; the index names the Google News
sitemap and every month's sitemap (SITEMAP_URLS articles a page, at most 50,000); together they
list every public article once at its canonical address with its last change, and nothing that is
not public; the news sitemap holds the last 48 hours (at most 1,000) with the publication's name,
each article's language, date and title; every document well formed (fast-xml-parser), cached and
validated; bad names answered 404."""
import datetime
import urllib.parse

import harness
from harness import TOKEN_1, api_url, check, request
from articles_helpers import create, expect_problem
from feed_readers import read

q = urllib.parse.quote


def utc_ago(hours):
    t = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=hours)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def xml(srv, url):
    """The parsed tree of an absolute URL of srv (one of its own), checked well formed."""
    path = url[len(api_url()):] if srv is None else url[len("http://localhost:%d" % srv.port):]
    r = (srv.request if srv else request)("GET", path, encoded=True)
    seen = read("xml", r.body) if r.status == 200 else {"well_formed": False, "tree": {}}
    check(r.status == 200 and r.header("Content-Type") == "application/xml; charset=utf-8" and seen["well_formed"],
          "%s is well-formed XML" % path, (r.brief(80), seen.get("xml_error")))
    return seen["tree"]


def listed(value):
    return value if isinstance(value, list) else [value] if value else []


def every_url(srv, index_url):
    """loc -> lastmod of every url of the monthly sitemaps the index names, and how many times
    each loc was listed; and the index's own entries."""
    index = listed(xml(srv, index_url).get("sitemapindex", {}).get("sitemap"))
    urls, times = {}, {}
    for entry in index:
        if entry["loc"].endswith("/news.xml"):
            continue
        for u in listed(xml(srv, entry["loc"]).get("urlset", {}).get("url")):
            urls[u["loc"]] = u.get("lastmod")
            times[u["loc"]] = times.get(u["loc"], 0) + 1
    return urls, times, index


def canonical(a):
    return api_url() + "/v1/articles/" + q(a["slug"], safe="")


def test_robots_names_the_index(khabar):
    r = request("GET", "/robots.txt")
    lines = (r.body or b"").decode().splitlines()
    check(r.status == 200 and r.header("Content-Type") == "text/plain; charset=utf-8",
          "robots.txt is plain text", r.brief(80))
    check("Sitemap: %s/v1/sitemaps/index.xml" % api_url() in lines, "its Sitemap line names the index", lines)
    check("Allow: /v1/sitemaps/" in lines and "Allow: /v1/feeds/" in lines and "Disallow: /v1/" in lines,
          "crawlers may read sitemaps and feeds, not the API's answers", lines)
    check("Disallow: /" not in lines, "and the frontend's pages", lines)


def test_every_public_article_once(khabar):
    public = [create(harness.art("خبر خريطة %d" % i, published_at="2024-%02d-1%dT10:00:00Z" % (3 + i % 3, i)))
              .json for i in range(7)]
    draft = create(harness.art("مسودة الخريطة", status="draft")).json
    later = create(harness.art("مجدول الخريطة", published_at="2099-02-01T00:00:00Z")).json
    gone = create(harness.art("مسحوب الخريطة", published_at="2024-03-02T00:00:00Z")).json
    request("PATCH", "/v1/articles/%d" % gone["id"], body={"status": "withdrawn", "withdrawn_reason": "خطأ"},
            token=TOKEN_1, headers={"Content-Type": "application/merge-patch+json"})
    urls, times, index = every_url(None, api_url() + "/v1/sitemaps/index.xml")
    locs = [e["loc"] for e in index]
    check(locs[0] == api_url() + "/v1/sitemaps/news.xml" and
          locs[1:] == [api_url() + "/v1/sitemaps/2024-0%d.xml" % m for m in (3, 4, 5)],
          "the index names the news sitemap and each month with public articles, oldest first", locs)
    check(all(e.get("lastmod") for e in index[1:]), "each month has its lastmod", index)
    check(all(urls.get(canonical(a)) == a["updated_at"] for a in public),
          "every public article is listed at its canonical address with its last change", urls)
    check(set(times.values()) == {1} and len(urls) == len(public), "each once, and nothing else", times)
    for hidden, what in ((draft, "a draft"), (later, "a scheduled article"), (gone, "a withdrawn article")):
        check(canonical(hidden) not in urls, "%s is not listed" % what, "")


def test_a_full_month_takes_more_pages(khabar, module_server):
    made = [create(harness.art("خبر شهر مزدحم %d" % i, published_at="2023-0%d-0%dT10:00:00Z" % (7 + i // 5, 1 + i % 5)))
            .json for i in range(6)]
    srv = module_server("small-sitemaps", SITEMAP_URLS="2", PUBLIC_API_URL=api_url())
    index = listed(xml(srv, api_url() + "/v1/sitemaps/index.xml")["sitemapindex"]["sitemap"])
    july = [e["loc"] for e in index if "/2023-07" in e["loc"]]
    check(july == [api_url() + "/v1/sitemaps/2023-07%s.xml" % s for s in ("", "-2", "-3")],
          "five articles of a month at two a page are three pages", july)
    urls = [u["loc"] for loc in july for u in listed(xml(srv, loc)["urlset"]["url"])]
    want = [canonical(a) for a in made[:5]]
    check(sorted(urls) == sorted(want) and len(urls) == 5, "the pages hold the month's articles once each", urls)
    for name in ("2023-07-4.xml", "2023-07-1.xml", "2023-07-02.xml"):
        expect_problem(srv.request("GET", "/v1/sitemaps/" + name), 404, "%s is not a page" % name)


def test_news_sitemap_holds_the_last_48_hours(khabar):
    fresh = create(harness.art("خبر عاجل <حديث> & جديد", published_at=utc_ago(1))).json
    english = create(harness.art("Breaking news", lang="en-GB", published_at=utc_ago(47))).json
    old = create(harness.art("خبر قديم نسبيا", published_at=utc_ago(49))).json
    tree = xml(None, api_url() + "/v1/sitemaps/news.xml")["urlset"]
    check(tree.get("@xmlns:news") == "http://www.google.com/schemas/sitemap-news/0.9",
          "the Google News namespace", tree.keys())
    by_loc = {u["loc"]: u["news:news"] for u in listed(tree.get("url"))}
    news = by_loc.get(canonical(fresh), {})
    check(news.get("news:publication") == {"news:name": "khabar", "news:language": "ar"} and
          news.get("news:title") == fresh["title"] and news.get("news:publication_date") == fresh["published_at"],
          "an article has the publication's name, its language, date and title", news)
    check(by_loc.get(canonical(english), {}).get("news:publication", {}).get("news:language") == "en",
          "a language tag is given as its ISO 639 code", by_loc.get(canonical(english)))
    check(canonical(old) not in by_loc, "an article of 49 hours ago is not in it", "")
    check(len(by_loc) <= 1000, "at most 1,000 entries", len(by_loc))


def test_cached_validated_and_bad_names(khabar):
    create(harness.art("خبر للتحقق من الخريطة", published_at="2022-02-02T00:00:00Z"))
    for path in ("/v1/sitemaps/index.xml", "/v1/sitemaps/2022-02.xml"):
        r = request("GET", path)
        etag = r.header("ETag")
        check(r.status == 200 and etag and r.header("Last-Modified") and r.header("Cache-Control") == "public, max-age=5",
              "%s has an ETag, Last-Modified and a list's max-age" % path, r.brief(80))
        check(request("GET", path, headers={"If-None-Match": etag}).status == 304, "%s answers 304" % path)
    for name in ("2022-13.xml", "2022-2.xml", "22-02.xml", "2022-02", "2022-02.xml.gz", "index", "2022-02-0.xml",
                 "2021-01.xml", "x" * 300):
        expect_problem(request("GET", "/v1/sitemaps/" + name), 404, "/v1/sitemaps/%s is not found" % name[:20])
    r = request("GET", "/v1/sitemaps/index.xml?page=2")
    expect_problem(r, 400, "a sitemap takes no query parameter")
