"""Tags and sources: one tag for every spelling of a name, lookups by slug or name, the tag and source lists."""
import os

import pytest

from harness import REPO_ROOT, art, check, raw, request
from articles_helpers import (KOREA_ARABIC, KOREA_KEHEH, KOREA_SLUG, create, expect_problem,
                              get_json, qs)

BOOK_SLUG = "كتاب-فارسي"
BOOK_TAG = {"slug": BOOK_SLUG, "name": "کتاب فارسی"}


@pytest.fixture(scope="module")
def seeded(khabar):
    """seed/sample.ndjson imported first: its Peskov article brings the tag کوریا الشمالیة (Keheh
    and Farsi Yeh), موسكو, and the sources تاس and RT Arabic."""
    r = khabar.run_cli(["import", os.path.join(REPO_ROOT, "seed", "sample.ndjson")])
    if r.returncode != 0:
        pytest.fail("khabar import seed/sample.ndjson: exit %d: %s" % (r.returncode, (r.stdout + r.stderr)[-800:]),
                    pytrace=False)


@pytest.fixture(scope="module")
def korea(seeded):
    """The POST answers of two articles tagged with the Arabic and the Persian spelling of كوريا الشمالية."""
    return (create(art("مقال عن كوريا بالكاف العربية", tags=[KOREA_ARABIC])).json,
            create(art("مقال عن كوريا بالكاف الفارسية", tags=[KOREA_KEHEH])).json)


@pytest.fixture(scope="module")
def book(seeded):
    """The POST answers of two articles: the first tags کتاب فارسی (new tag), the second كتاب فارسي."""
    return (create(art("كتاب أول", tags=["کتاب فارسی"])).json, create(art("كتاب ثان", tags=["كتاب فارسي"])).json)


def test_tag_spellings_share_one_tag(korea):
    first, second = korea
    t1, t2 = first.get("tags", []), second.get("tags", [])
    check(len(t1) == 1 and len(t2) == 1 and t1[0].get("slug") == KOREA_SLUG and t2[0].get("slug") == KOREA_SLUG,
          "both spellings of كوريا الشمالية give tag slug %s" % KOREA_SLUG, (t1, t2))
    check(t1 and t2 and t1[0].get("name") == t2[0].get("name") and t1[0].get("name") in (KOREA_KEHEH, KOREA_ARABIC),
          "both articles show one tag name", (t1, t2))
    check(t1 and t1[0].get("name") == KOREA_KEHEH, "the tag keeps the first spelling seen (the seed's)", t1)


def test_tag_keeps_its_first_spelling(book):
    c, d = book
    check(c.get("tags") == [BOOK_TAG] and d.get("tags") == [BOOK_TAG],
          "a new tag keeps its first spelling (Keheh) as name; the Arabic spelling joins it",
          (c.get("tags"), d.get("tags")))


def test_tag_by_slug_or_name(book):
    r = request("GET", "/v1/tags/" + BOOK_SLUG)
    check(r.status == 200 and isinstance(r.json, dict)
          and {k: r.json.get(k) for k in ("slug", "name", "article_count")} == dict(BOOK_TAG, article_count=2),
          "GET /v1/tags/{slug} -> {slug, name, article_count}", r.brief())
    check("public" in r.header("cache-control"), "GET tag has Cache-Control public", r.header("cache-control"))
    for what, path in (("Keheh/Farsi Yeh slug", "کتاب-فارسی"), ("name with a space", "كتاب فارسي"),
                       ("Persian name with a space", "کتاب فارسی")):
        r = request("GET", "/v1/tags/" + path)
        check(r.status == 200 and r.json.get("slug") == BOOK_SLUG and r.json.get("article_count") == 2,
              "GET tag by %s (percent-encoded)" % what, r.brief())
    for what, path in (("slug", BOOK_SLUG), ("Keheh/Farsi Yeh slug", "کتاب-فارسی")):
        r = raw("GET", "/v1/tags/" + path)
        check(r.status == 200 and isinstance(r.json, dict) and r.json.get("slug") == BOOK_SLUG,
              "GET tag by %s with raw UTF-8" % what, r.brief())
    r = request("GET", "/v1/tags/وسم-لا-وجود-له")
    expect_problem(r, 404, "GET unknown tag", "/problems/not-found")


def test_tag_list(korea):
    r = request("GET", "/v1/tags")
    check(r.status == 200 and isinstance(r.json, dict) and isinstance(r.json.get("data"), list),
          "GET /v1/tags -> 200 {data: [...]}", r.brief())
    check("next_cursor" in (r.json or {}), "tag list has next_cursor", list(r.json or {}))
    data = (r.json or {}).get("data", [])
    check(data and all(isinstance(t.get("slug"), str) and isinstance(t.get("name"), str)
                       and isinstance(t.get("article_count"), int) for t in data),
          "tag list items are {slug, name, article_count}", data[:2])
    counts = [t.get("article_count", 0) for t in data]
    check(counts == sorted(counts, reverse=True), "tag list is most used first", counts)
    korea_tag = get_json("/v1/tags/" + KOREA_SLUG)
    top = counts[0] if counts else 0
    check(top >= korea_tag.get("article_count", 0) >= 2, "tag counts make sense (Korea tag counted)",
          (top, korea_tag))
    check("public" in r.header("cache-control"), "tag list has Cache-Control public", r.header("cache-control"))


@pytest.mark.parametrize("what,q", [("Arabic prefix", "كتاب"), ("Keheh prefix", "کتا")])
def test_tag_list_prefix_match(book, what, q):
    r = request("GET", "/v1/tags?" + qs(q=q), encoded=True)
    slugs = [t.get("slug") for t in (r.json or {}).get("data", [])]
    check(r.status == 200 and BOOK_SLUG in slugs and "موسكو" not in slugs,
          "GET /v1/tags?q= prefix match (%s)" % what, r.brief())


def test_source_list(seeded):
    src = "وكالة اختبار المصادر"
    create(art("مقال مصدر أول", sources=[src, "مصدر ثان للاختبار"]))
    create(art("مقال مصدر ثان", sources=[src]))
    r = request("GET", "/v1/sources")
    check(r.status == 200 and isinstance(r.json, dict) and isinstance(r.json.get("data"), list),
          "GET /v1/sources -> 200 {data: [...]}", r.brief())
    check("public" in r.header("cache-control"), "source list has Cache-Control public", r.header("cache-control"))
    items = list((r.json or {}).get("data", []))
    cursor = (r.json or {}).get("next_cursor")
    for _ in range(50):
        if not cursor:
            break
        page = get_json("/v1/sources?" + qs(cursor=cursor), encoded=True)
        items += page.get("data", [])
        cursor = page.get("next_cursor")
    check(all(set(i) >= {"name", "article_count"} for i in items), "source items are {name, article_count}", items[:3])
    by = {i.get("name"): i.get("article_count") for i in items}
    check(by.get(src) == 2, "source counted in 2 articles", by.get(src))
    check(by.get("مصدر ثان للاختبار") == 1, "second source counted once", by.get("مصدر ثان للاختبار"))
    check((by.get("تاس") or 0) >= 1 and (by.get("RT Arabic") or 0) >= 1,
          "تاس and RT Arabic are listed", (by.get("تاس"), by.get("RT Arabic")))
