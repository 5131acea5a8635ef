"""test_web_pages.py: the reference frontend's pages in a real Chromium: what each page type shows, Arabic first (direction, isolation, typeface), accessibility, keyboard, weight and speed."""
# The frontend is served by khabar itself (GET /, /articles/..., /web/...) over the data of a
# small newsroom (web_browser.publish_newsroom); each page type is opened in a fresh browser
# context, compared with what the API answers, checked by axe-core and photographed to
# build/screenshots/.
import gzip
import urllib.parse
import urllib.request

import pytest

import harness
from harness import check
import web_browser

enc = urllib.parse.quote


def api_ids(site, path):
    r = harness.send(site.api, "GET", path, encoded=True)
    assert r.status == 200, r.brief()
    return [str(a["id"]) for a in r.json["data"]]


def card_ids(b):
    return b.attrs(selector="main li.card", name="data-id")


def feed_links(b):
    return b.eval(expression="[...document.querySelectorAll('link[rel=alternate]')].map(l => [l.type, l.href])")


# ---- each page type -------------------------------------------------------------------------

def test_the_home_page_lists_the_newest_articles_with_the_sections_as_navigation(site):
    b = site.browser
    b.shown(site.url("/"))
    check(card_ids(b) == api_ids(site, "/v1/articles?limit=20"), "the home page lists the API's newest 20, in order",
          card_ids(b))
    # the navigation comes with a request of its own, which may end after the articles are shown
    b.wait(selector="#sections a")
    nav = b.texts(selector="#sections a")
    check({"دوليات", "اقتصاد", "سياسة"} <= set(nav), "the sections are the navigation", nav)
    feeds = feed_links(b)
    check(sorted(t for t, _ in feeds) == ["application/atom+xml", "application/feed+json", "application/rss+xml"]
          and all(h.startswith(site.origin + "/v1/feeds/") and "?" not in h for _, h in feeds),
          "the site's feeds are advertised with <link rel=alternate>", feeds)
    check(b.eval(expression="document.title") == "خبر", "the home page is titled with the site's name")
    check(b.problems() == [], "the home page loads without an error in the console (a favicon's 404 counts)",
          b.problems())
    b.screenshot_page("home", full_page=False)


def test_an_article_page_shows_the_whole_article(site):
    b = site.browser
    lead = site.data["lead"]
    b.shown(site.url("/articles/" + enc(lead["slug"])))
    b.wait(selector="text=مقالات مشابهة")
    check(b.text("article h1") == lead["title"], "the headline", b.text("article h1"))
    check(b.attrs(selector="article h1, article .body", name="lang") == ["ar", "ar"] and
          b.attrs(selector="article h1, article .body", name="dir") == ["rtl", "rtl"],
          "lang and dir come from the article, on its own words")
    check(b.attrs(selector=".byline a", name="href") == ["/authors/" + enc(web_browser.AUTHOR["slug"])],
          "the byline links to the author's page", b.attrs(selector=".byline a", name="href"))
    dates = b.text("article header .date")
    check("2026" in dates or "٢٠٢٦" in dates, "the date in the Gregorian calendar", dates)
    check("هـ" in dates and ("1447" in dates or "١٤٤٧" in dates), "the Hijri date beside it", dates)
    check(b.attrs(selector="figure.lead img", name="alt") == [web_browser.IMAGE["alt"]], "the lead image with its alt")
    caption = b.text("figure.lead figcaption")
    check("محطة الطاقة الجديدة" in caption and "رويترز" in caption, "its caption and credit", caption)
    check(b.count(selector="article .body strong") == 1 and b.count(selector="article .body blockquote") == 1,
          "the body's safe HTML", b.texts(selector="article .body"))
    check(set(b.texts(selector="ul.tags a")) == {t["name"] for t in lead["tags"]}, "the tags", b.texts(selector="ul.tags a"))
    check(b.texts(selector=".sources a") == lead["sources"], "the sources", b.texts(selector=".sources a"))
    check("صُحح اسم الوزير" in (b.text(".corrections") or ""), "the corrections", b.text(".corrections"))
    related = b.texts(selector="section.more-articles:has(#related-title) li a")
    check(related == [r["title"] for r in lead["related"]], "read also", related)
    similar = b.count(selector="section.more-articles:has(#similar-title) li")
    check(similar >= 1, "similar articles", similar)
    feeds = feed_links(b)
    check(all("section=" + enc(web_browser.SECTION["slug"]) in h for _, h in feeds) and len(feeds) == 3,
          "the article's section feeds are advertised", feeds)
    canonical = b.eval(expression="document.querySelector('link[rel=canonical]')?.href")
    check(canonical == site.url("/articles/" + enc(lead["slug"])), "the canonical address", canonical)
    check(b.eval(expression="document.title").startswith(lead["title"]), "the page is titled with the headline")
    b.screenshot_page("article")


def test_a_slug_in_another_spelling_shows_the_article_at_its_canonical_address(site):
    b = site.browser
    lead = site.data["lead"]
    # Farsi Yeh for Yeh, and a fatha on the first letter: one slug to the API
    variant = lead["slug"].replace("ي", "\u06cc").replace("خ", "خ\u064e", 1)
    assert variant != lead["slug"]
    b.shown(site.url("/articles/" + enc(variant)))
    check(b.text("article h1") == lead["title"], "the article answers in a letter-variant spelling")
    url = urllib.parse.unquote(b.url())
    check(url == site.url("/articles/" + lead["slug"]), "the address becomes the canonical one", url)


@pytest.mark.parametrize("kind, path, api", [
    ("tag", "/tags/" + enc(web_browser.TAG), "/v1/articles?limit=20&tag=" + enc(web_browser.TAG)),
    ("source", "/sources/" + enc(web_browser.SOURCE), "/v1/articles?limit=20&source=" + enc(web_browser.SOURCE)),
    ("author", "/authors/" + enc(web_browser.AUTHOR["slug"]), "/v1/articles?limit=20&author=" + enc(web_browser.AUTHOR["slug"])),
    ("section", "/sections/" + enc(web_browser.SECTION["slug"]), "/v1/sections/%s/front?limit=20" % enc(web_browser.SECTION["slug"])),
])
def test_a_list_page_shows_its_articles_and_feeds(site, kind, path, api):
    b = site.browser
    b.shown(site.url(path))
    check(card_ids(b) == api_ids(site, api), "the %s page lists what the API lists, in order" % kind, card_ids(b))
    check(b.count(selector="button.more:visible") == 1, "a %s page of 45 articles has a more button" % kind)
    heading = b.text("main h1")
    expected = {"tag": web_browser.TAG, "source": web_browser.SOURCE, "author": web_browser.AUTHOR["name"],
                "section": web_browser.SECTION["name"]}[kind]
    check(expected in heading, "the %s page is headed by its name" % kind, heading)
    feeds = feed_links(b)
    check(len(feeds) == 3 and all(("%s=" % kind) in h for _, h in feeds), "the %s's feeds are advertised" % kind, feeds)
    if kind == "author":
        check(web_browser.AUTHOR["bio"] in (b.text("main header") or ""), "the author's bio")
    if kind == "section":
        check(web_browser.SECTION["description"] in (b.text("main header") or ""), "the section's description")
        check(b.attrs(selector="#sections a[aria-current]", name="href") == [path],
              "the navigation marks the section shown")
    b.screenshot_page(kind, full_page=False)


@pytest.mark.parametrize("path", ["/articles/no-such-article", "/tags/no-such-tag", "/authors/nobody", "/tags/%E0",
                                  "/sections/nowhere", "/sources/" + enc("مصدر لا وجود له")])
def test_what_does_not_exist_gets_the_not_found_page(site, path):
    b = site.browser
    b.shown(site.url(path))
    check(b.text("main h1") == "الصفحة غير موجودة", "%s shows the not-found page" % path, b.text("main h1"))
    check(b.count(selector="main a[href='/']") == 1, "with a way back home")
    if path.startswith("/articles/"):
        b.screenshot_page("not-found", full_page=False)


def test_an_address_that_is_no_page_gets_the_not_found_page_where_the_files_are_hosted(site):
    b = site.browser
    b.shown(site.static.origin + "/no/such/page")
    check(b.text("main h1") == "الصفحة غير موجودة", "an unknown address shows the not-found page", b.text("main h1"))


def test_khabar_serves_the_page_its_files_and_no_other(site):
    r = harness.send(site.api, "GET", "/")
    check(r.status == 200 and r.headers.get("content-type", "").startswith("text/html"), "GET / is the page", r.brief())
    policy = r.headers.get("content-security-policy", "")
    check("default-src 'self'" in policy and "frame-ancestors 'none'" in policy, "with a content security policy", policy)
    etag = r.headers.get("etag")
    again = harness.send(site.api, "GET", "/", headers={"If-None-Match": etag})
    check(again.status == 304, "the page revalidates with its ETag", again.brief())
    r = harness.send(site.api, "GET", "/search?q=x&utm_source=newsletter")
    check(r.status == 200, "a page takes any query (a campaign's utm_ parameters)", r.brief())
    for path, ctype in (("/web/style.css", "text/css"), ("/web/src/app.js", "text/javascript"),
                        ("/web/fonts/NotoNaskhArabic-Regular.woff2", "font/woff2")):
        r = harness.send(site.api, "GET", path)
        check(r.status == 200 and r.headers.get("content-type", "").startswith(ctype), "%s is %s" % (path, ctype), r.brief())
    for path in ("/web/index.html", "/web/package.json", "/web/src/nothing.js", "/web/../openapi.yaml", "/web/src/../../x"):
        r = harness.send(site.api, "GET", path)
        check(r.status == 404, "%s is not served" % path, r.brief())
    r = harness.send(site.api, "POST", "/articles/x", body={})
    check(r.status == 405, "a page is only read", r.brief())


# ---- Arabic first ---------------------------------------------------------------------------

def test_pages_are_right_to_left_with_mixed_direction_text_isolated(site):
    b = site.browser
    lead = site.data["lead"]
    b.shown(site.url("/articles/" + enc(lead["slug"])))
    check(b.eval(expression="[document.documentElement.lang, document.documentElement.dir]") == ["ar", "rtl"],
          "the page is Arabic, right to left")
    check(b.eval(expression="getComputedStyle(document.querySelector('main')).direction") == "rtl", "laid out right to left")
    latin = b.eval(expression="[...document.querySelectorAll('bdi')].map(e => e.textContent).filter(t => /[A-Za-z]/.test(t))")
    check("Reuters" in latin, "a Latin source is isolated in <bdi>", latin)
    check(b.eval(expression="[...document.querySelectorAll('.byline bdi, ul.tags bdi')].length") >= 2,
          "names (authors, tags) are isolated")


def test_pages_render_with_the_frontends_own_arabic_typeface(site):
    b = site.browser
    b.shown(site.url("/"))
    b.wait_for(expression="document.fonts.status === 'loaded'")
    check(b.eval(expression="document.fonts.check('16px \"Khabar Naskh\"', 'خبر')"), "Noto Naskh Arabic is loaded")
    loaded = [n["url"] for n in b.network() if n["type"] == "font" and n["status"] == 200]
    check(any(u.endswith("/web/fonts/NotoNaskhArabic-Regular.woff2") for u in loaded), "from the frontend's own files", loaded)
    family = b.eval(expression="getComputedStyle(document.querySelector('main h2')).fontFamily")
    check(family.startswith('"Khabar Naskh"'), "the headlines use it", family)


# ---- accessibility, keyboard, weight and speed ----------------------------------------------

def page_paths(site):
    lead = site.data["lead"]
    return {"home": "/", "article": "/articles/" + enc(lead["slug"]), "tag": "/tags/" + enc(web_browser.TAG),
            "source": "/sources/" + enc(web_browser.SOURCE), "author": "/authors/" + enc(web_browser.AUTHOR["slug"]),
            "section": "/sections/" + enc(web_browser.SECTION["slug"]), "search": "/search?q=" + enc("الطاقة"),
            "not found": "/articles/none"}


def test_axe_finds_no_serious_or_critical_violation_on_any_page_type(site):
    b = site.browser
    for name, path in page_paths(site).items():
        b.shown(site.url(path), bypass_csp=True)  # (axe-core is injected into the page)
        violations = [v for v in b.axe() if v["impact"] in ("serious", "critical")]
        check(violations == [], "axe: no serious or critical violation on the %s page" % name, violations)


def test_every_action_works_from_the_keyboard(site):
    b = site.browser
    b.shown(site.url("/"))
    b.press(key="Tab")
    check(b.focused()["text"] == "انتقل إلى المحتوى", "the first Tab reaches the skip link", b.focused())
    b.press(key="Enter")
    check(b.focused()["id"] == "main", "the skip link moves to the content", b.focused())
    for _ in range(80):
        b.press(key="Tab")
        if b.focused()["tag"] == "button" and b.focused()["text"] == "المزيد":
            break
    check(b.focused()["text"] == "المزيد", "Tab reaches the more button", b.focused())
    before = len(card_ids(b))
    b.press(key="Enter")
    b.wait_for(expression="document.querySelectorAll('main li.card').length > %d" % before)
    check(b.focused()["tag"] == "a", "after more, the focus is on the first new article", b.focused())
    b.press(key="Enter")
    b.wait_for(expression="location.pathname.startsWith('/articles/')")
    b.wait(selector="article h1")
    check(b.focused()["tag"] == "h1", "Enter on a link opens the article, its headline focused", b.focused())
    b.eval(expression="document.querySelector('#q').focus()")
    b.type(selector="#q", text="خبر الطا")
    b.wait(selector="#suggestions li")
    b.press(key="ArrowDown")
    chosen = b.eval(expression="document.querySelector('#q').getAttribute('aria-activedescendant')")
    check(chosen == "suggestion-0", "ArrowDown moves into the suggestions", chosen)
    shows = b.shows()
    b.press(key="Enter")
    b.wait_shown(after=shows)
    check(b.url().startswith(site.url("/articles/")), "Enter opens the suggestion", b.url())
    b.eval(expression="document.querySelector('#q').focus()")
    b.fill(selector="#q", text="الطاقة")
    shows = b.shows()
    b.press(key="Enter")
    b.wait_shown(after=shows)
    check(urllib.parse.unquote(b.url()) == site.url("/search?q=الطاقة"), "Enter without a suggestion searches", b.url())


def compressed_bytes(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return len(gzip.compress(r.read(), 9))


@pytest.mark.parametrize("name", ["home", "article"])
def test_a_page_is_light_and_shows_its_content_within_a_second(site, name):
    b = site.browser
    path = page_paths(site)[name]
    b.shown(site.url(path))
    b.wait_for(expression="document.fonts.status === 'loaded'")
    code = [n["url"] for n in b.network() if n["type"] in ("script", "stylesheet") and n["status"] == 200]
    weight = sum(compressed_bytes(u) for u in code)
    check(len(code) >= 2 and weight <= 100 * 1024, "the %s page loads at most 100 KB of JavaScript and CSS, compressed"
          % name, "%d bytes in %d files" % (weight, len(code)))
    harness.note("%s page: %d bytes of JavaScript and CSS compressed, in %d files" % (name, weight, len(code)))
    content = b.eval(expression="performance.getEntriesByName('khabar:content')[0]?.startTime ?? -1")
    lcp = b.eval(expression="""new Promise(resolve => {
        new PerformanceObserver(l => { const e = l.getEntries(); resolve(e[e.length - 1].startTime); })
            .observe({type: 'largest-contentful-paint', buffered: true});
        setTimeout(() => resolve(-1), 3000); })""")
    check(0 < content <= 1000 and 0 < lcp <= 1000, "the %s page shows its main content within 1 s" % name,
          "content shown at %.0f ms, largest contentful paint at %.0f ms" % (content, lcp))
    harness.note("%s page: content shown at %.0f ms, largest contentful paint at %.0f ms" % (name, content, lcp))
