"""test_web_client.py: the reference frontend as a client of the API, in a real Chromium: its types checked against openapi.yaml, cursor walks both ways, scheduled articles, search with suggestions and facets, outages and slowness, another origin (CORS) and revalidation by ETag."""
import datetime
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse

import harness
from harness import check
import web_browser

enc = urllib.parse.quote
WEB = os.path.join(harness.REPO_ROOT, "web")


def card_ids(b):
    return [int(i) for i in b.attrs(selector="main li.card", name="data-id")]


def click_and_wait(b, selector, text=None):
    """Clicks selector (the one whose text is text, when given) and waits for the page shown."""
    shows = b.shows()
    if text is None:
        b.click(selector=selector)
    else:
        b.wait_for(expression="[...document.querySelectorAll(%r)].some(e => e.textContent.trim() === %r)" % (selector, text))
        b.eval(expression="[...document.querySelectorAll(%r)].find(e => e.textContent.trim() === %r).click()"
               % (selector, text))
    b.wait_shown(after=shows)


# ---- the contract -------------------------------------------------------------------------

def type_check(web_dir, spec):
    """The frontend's type check (web/package.json's "check") of web_dir against spec."""
    return subprocess.run(["npm", "run", "-s", "check"], cwd=web_dir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=180, env=dict(os.environ, KHABAR_OPENAPI=spec))


def test_the_frontend_type_checks_against_the_types_of_openapi_yaml():
    assert os.path.isdir(os.path.join(WEB, "node_modules")), "web/node_modules is missing: run scripts/install-deps.sh"
    r = type_check(WEB, os.path.join(harness.REPO_ROOT, "openapi.yaml"))
    check(r.returncode == 0, "web/ type-checks against openapi.yaml", r.stdout[-3000:])


def test_a_contract_the_frontend_does_not_follow_fails_its_type_check():
    """The same check against a contract whose list pages name their cursor otherwise: the
    frontend reads next_cursor, so the check must fail, naming it."""
    tmp = tempfile.mkdtemp(prefix="khabar-contract-")
    try:
        spec = open(os.path.join(harness.REPO_ROOT, "openapi.yaml"), encoding="utf-8").read()
        assert spec.count("required: [data, next_cursor]") >= 2
        drifted = os.path.join(tmp, "openapi.yaml")
        with open(drifted, "w", encoding="utf-8") as f:
            f.write(spec.replace("next_cursor:", "next_page:").replace("[data, next_cursor]", "[data, next_page]"))
        web = os.path.join(tmp, "web")
        shutil.copytree(WEB, web, ignore=shutil.ignore_patterns("node_modules"))
        os.symlink(os.path.join(WEB, "node_modules"), os.path.join(web, "node_modules"))
        r = type_check(web, drifted)
        check(r.returncode != 0 and "next_cursor" in r.stdout, "a frontend reading a field the contract lacks fails",
              r.stdout[-2000:])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ---- lists and their cursors --------------------------------------------------------------

def test_a_list_walks_forward_by_its_cursor_and_back_through_history(site):
    b = site.browser
    path = "/tags/" + enc(web_browser.TAG)
    b.shown(site.url(path))
    everything = [a["id"] for a in harness.list_all(site.api, limit=20, tag=web_browser.TAG)]
    pages = [card_ids(b)]
    while b.count(selector="button.more:visible") == 1:
        b.click(selector="button.more")
        b.wait_for(expression="document.querySelectorAll('main li.card').length > %d" % len(pages[-1]))
        pages.append(card_ids(b))
    check(len(pages) == 3 and pages[-1] == everything, "more walks the whole tag, newest first, none twice or missed",
          "%d pages: %s against %s" % (len(pages), pages[-1], everything))
    check("cursor=" in b.url(), "the address holds the cursor of the last page read", b.url())
    b.back()
    b.wait_for(expression="document.querySelectorAll('main li.card').length === %d" % len(pages[1]))
    check(card_ids(b) == pages[1], "back shows one page less", card_ids(b))
    b.back()
    b.wait_for(expression="document.querySelectorAll('main li.card').length === %d" % len(pages[0]))
    check(card_ids(b) == pages[0] and "cursor=" not in b.url(), "back again, the first page", b.url())
    b.forward()
    b.wait_for(expression="document.querySelectorAll('main li.card').length === %d" % len(pages[1]))
    check(card_ids(b) == pages[1], "forward, two pages again", card_ids(b))
    b.reload()
    b.wait_for(expression="document.querySelectorAll('main li.card').length === %d" % len(pages[1]))
    check(card_ids(b) == pages[1], "a reload keeps what was read", card_ids(b))


def test_a_scheduled_article_appears_when_its_time_comes(site):
    b = site.browser
    at = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) + datetime.timedelta(seconds=8)
    scheduled = harness.create(site.api, harness.art("خبر مجدول يظهر في موعده", "نص الخبر المجدول.",
                                                     published_at=at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                                     section=web_browser.SECTION["slug"]))
    early = lambda: datetime.datetime.now(datetime.timezone.utc) < at  # noqa: E731
    b.shown(site.url("/"))
    home = card_ids(b)
    assert early(), "the home page took the article's whole wait to show"
    check(scheduled["id"] not in home, "before its time the home page does not show it")
    b.shown(site.url("/sections/" + enc(web_browser.SECTION["slug"])))
    front = card_ids(b)
    assert early(), "the section took the article's whole wait to show"
    check(scheduled["id"] not in front, "nor its section")
    time.sleep(max(0.0, (at - datetime.datetime.now(datetime.timezone.utc)).total_seconds()) + 1.0)
    b.reload()
    b.wait_shown()
    check(card_ids(b)[:1] == [scheduled["id"]], "once its time came, the section's front shows it first", card_ids(b)[:3])
    click_and_wait(b, "header.site a.brand")
    check(card_ids(b)[:1] == [scheduled["id"]], "and so does the home page, the server not restarted", card_ids(b)[:3])


# ---- search -------------------------------------------------------------------------------

def test_the_search_box_suggests_as_the_reader_types(site):
    b = site.browser
    b.shown(site.url("/"))
    b.type(selector="#q", text="محط")
    b.wait(selector="#suggestions li")
    options = b.texts(selector="#suggestions li")
    check(any("محطة جديدة" in o for o in options), "titles with a word beginning so are suggested", options)
    check(b.eval(expression="document.querySelector('#q').getAttribute('aria-expanded')") == "true",
          "the combobox says it is open")
    b.fill(selector="#q", text="")
    b.type(selector="#q", text="الطاق")
    b.wait_for(expression="[...document.querySelectorAll('#suggestions li')].some(li => li.textContent.includes('وسم'))")
    tag_option = [o for o in b.texts(selector="#suggestions li") if "وسم" in o]
    check(any(web_browser.TAG in o for o in tag_option), "tags are suggested too", tag_option)
    b.screenshot_page("suggestions", full_page=False)
    b.press(key="Escape")
    check(b.count(selector="#suggestions li") == 0, "Escape closes the suggestions")


def test_search_shows_snippets_facets_both_orders_and_did_you_mean(site):
    b = site.browser
    b.shown(site.url("/"))
    b.fill(selector="#q", text="الطاقة")
    shows = b.shows()
    b.press(key="Enter")
    b.wait_shown(after=shows)
    api = harness.send(site.api, "GET", "/v1/articles?" + harness.qs(q="الطاقة", limit=20), encoded=True).json
    check(card_ids(b) == [a["id"] for a in api["data"]], "the results are the API's, by relevance", card_ids(b)[:5])
    marks = b.texts(selector="main li.card .snippet mark")
    check(len(marks) >= 1 and all("الطاقة" in m or "طاقة" in m for m in marks), "snippets highlight the words found", marks[:5])
    facet_tags = b.texts(selector="#facet-tag + ul a")
    check("أسواق" in facet_tags, "the tag facet lists the results' tags", facet_tags)
    b.screenshot_page("search", full_page=False)

    click_and_wait(b, "#facet-tag + ul a", "أسواق")
    faceted = harness.send(site.api, "GET", "/v1/articles?" + harness.qs(q="الطاقة", facets="tag"), encoded=True).json
    slug = [v["slug"] for v in faceted["facets"]["tag"] if v["name"] == "أسواق"]
    query = urllib.parse.parse_qs(urllib.parse.urlparse(b.url()).query)
    check(query.get("tag") == slug and query.get("q") == ["الطاقة"], "a facet narrows the search", b.url())
    narrowed = harness.send(site.api, "GET", "/v1/articles?" + harness.qs(q="الطاقة", tag="أسواق", limit=20), encoded=True).json
    check(card_ids(b) == [a["id"] for a in narrowed["data"]], "to the articles with that tag", card_ids(b)[:5])
    check(b.count(selector="ul.filters li") == 1, "the filter in force is shown, with a way to remove it")

    click_and_wait(b, "nav.sort a", "الأحدث")
    newest = harness.send(site.api, "GET", "/v1/articles?" + harness.qs(q="الطاقة", tag="أسواق", sort="newest", limit=20),
                          encoded=True).json
    check(card_ids(b) == [a["id"] for a in newest["data"]], "newest first on request", card_ids(b)[:5])
    marked = b.attrs(selector="nav.sort a[aria-current]", name="href")
    here = urllib.parse.urlparse(b.url())
    check(len(marked) == 1 and urllib.parse.parse_qs(urllib.parse.urlparse(marked[0]).query) == urllib.parse.parse_qs(here.query),
          "the order in force is marked", marked)

    b.shown(site.url("/search?q=" + enc("؟؟")))
    check(b.text("main h1") == "تعذّر البحث عن هذه العبارة" and b.count(selector="main button.retry") == 0,
          "a query with nothing to look for is told so, with no retry", b.text("main"))

    b.shown(site.url("/search?q=" + enc("مخطة")))
    suggestion = b.text(".did-you-mean a")
    # (in its search form: ة as ه)
    check(suggestion in ("محطة", "محطه"), "a misspelt word gets did you mean", suggestion)
    click_and_wait(b, ".did-you-mean a")
    check(len(card_ids(b)) > 0, "which finds the articles")


# ---- when the API fails -------------------------------------------------------------------

def test_an_outage_shows_a_clear_message_and_retry_brings_the_page_back(site):
    b = site.browser
    b.shown(site.static.origin + "/")
    check(len(card_ids(b)) == 20, "the page from the static host shows the articles")
    assert site.stop_api() == 0
    try:
        click_and_wait(b, "#sections a", web_browser.SECTION["name"])
        check(b.text("main [role=alert] h1") == "تعذّر الوصول إلى خدمة الأخبار", "the API down: a clear Arabic message",
              b.text("main"))
        check(b.count(selector="main button.retry") == 1, "with a retry button")
        b.screenshot_page("outage", full_page=False)
        click_and_wait(b, "main button.retry")
        check(b.count(selector="main button.retry") == 1, "retrying while it is down says so again")
    finally:
        site.start_api()
    click_and_wait(b, "main button.retry")
    check(web_browser.SECTION["name"] in (b.text("main h1") or "") and len(card_ids(b)) > 0,
          "once the API is back, retry shows the page", b.text("main"))


def test_a_slow_api_gets_a_message_instead_of_a_blank_page(site):
    """An API that takes connections and never answers: the page says so after its timeout."""
    stall = socket.socket()
    stall.bind(("127.0.0.1", 0))
    stall.listen(64)
    held = []
    stop = threading.Event()

    def hold():
        stall.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(stall.accept()[0])
            except OSError:
                pass

    threading.Thread(target=hold, daemon=True).start()
    slow = web_browser.StaticSite("http://127.0.0.1:%d" % stall.getsockname()[1])
    try:
        b = site.browser
        b.open()
        b.goto(url=slow.origin + "/")
        check(b.text("main") in ("جارٍ التحميل…",), "while waiting the page says it is loading", b.text("main"))
        b.wait(selector="main [role=alert]", timeout=15000)
        check(b.text("main [role=alert] h1") == "الخدمة بطيئة الآن", "a slow API: the page says so", b.text("main"))
    finally:
        stop.set()
        slow.close()
        for c in held:
            c.close()
        stall.close()


# ---- another origin, and revalidation -----------------------------------------------------

def test_pages_from_another_origin_call_the_api_through_cors_and_revalidate_by_etag(site):
    b = site.browser
    b.shown(site.static.origin + "/")
    api_calls = [n for n in b.network() if n["url"].startswith(site.origin + "/v1/")]
    check(api_calls and all(n["status"] == 200 for n in api_calls), "the page on another origin reads the API",
          api_calls[:5])
    check(len(card_ids(b)) == 20, "and shows its answers")
    b.network(clear=True)
    click_and_wait(b, "main li.card h2 a")
    b.back()
    b.wait_shown(after=1)
    b.wait_for(expression="document.querySelectorAll('main li.card').length === 20")
    again = [n for n in b.network() if n["url"].startswith(site.origin + "/v1/articles?")]
    check(again and all(n["if_none_match"] for n in again), "seen again, the list is asked for with its ETag", again)
    # (the browser shows the page the cached answer; the server's log tells it answered 304)
    answered = [(line.get("path"), line.get("status")) for line in harness.access_lines(site.api)[-20:]]
    check(("/v1/articles", 304) in answered, "and khabar answers 304 Not Modified", answered)

    other = web_browser.StaticSite(site.origin)  # an origin CORS_ORIGINS does not name
    try:
        b.shown(other.origin + "/")
        check(b.count(selector="main [role=alert]") == 1, "an origin the API does not allow gets no answers",
              b.text("main"))
    finally:
        other.close()
