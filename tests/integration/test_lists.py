"""Article lists and paging: shape and order, limit, cursors, Link rel=next, paging stable under new writes, filters."""
import base64
import re
import urllib.parse

import pytest

from harness import art, check, request
from articles_helpers import count_articles, create, expect_problem, list_all, parse_ts, persian, qs

# published_at of the five articles of a paged tag (two share one time: ties must page too)
TIMES = ["2010-01-05T12:00:00Z", "2010-01-04T12:00:00Z", "2010-01-03T12:00:00Z", "2010-01-03T12:00:00Z",
         "2010-01-01T12:00:00Z"]


@pytest.fixture(scope="module")
def listed(khabar):
    """More articles than one default page (20), one of them in English; returns the English one."""
    for i in range(24):
        create(art("مقال قائمة رقم %d" % (i + 1)))
    return create(art("Article in en", lang="en")).json


def tagged(tag, source):
    """Five articles with tag at TIMES, the first two also with source; returns their ids."""
    ids = []
    for i, t in enumerate(TIMES):
        srcs = [source] if i < 2 else []
        ids.append(create(art("مقال الترقيم رقم %d" % (i + 1), tags=[tag], sources=srcs, published_at=t)).json["id"])
    return ids


def more_tagged(tag):
    """Two more articles with tag: one newest of all, one between the five's times."""
    create(art("مقال ترقيم جديد في الأعلى", tags=[tag]))
    create(art("مقال ترقيم جديد في الوسط", tags=[tag], published_at="2010-01-02T12:00:00Z"))


def test_list_shape_and_order(listed):
    r = request("GET", "/v1/articles")
    check(r.status == 200 and isinstance(r.json, dict) and isinstance(r.json.get("data"), list),
          "GET /v1/articles -> 200 {data: [...]}", r.brief())
    js = r.json
    check("next_cursor" in js, "list has next_cursor", list(js))
    items = js["data"]
    check(items and all("body" not in i for i in items), "list items have no body", items[:1])
    check(all({"id", "slug", "title", "published_at"} <= set(i) for i in items),
          "list items have id, slug, title, published_at", items[:1])
    pubs = [parse_ts(i["published_at"]) for i in items]
    check(pubs == sorted(pubs, reverse=True), "list is newest first by published_at",
          [i["published_at"] for i in items])
    check("public" in r.header("cache-control") and "no-store" not in r.header("cache-control"),
          "list has Cache-Control public", r.header("cache-control"))
    total = count_articles()
    check(len(items) == min(20, total), "limit defaults to 20", "%d items, %d articles" % (len(items), total))


def test_list_limit_and_cursor(listed):
    total = count_articles()
    for bad in ("0", "101", "abc", "-1", "1.5"):
        r = request("GET", "/v1/articles?limit=" + bad)
        expect_problem(r, 400, "limit=%s" % bad, "/problems/invalid-parameter")
    r = request("GET", "/v1/articles?limit=100")
    check(r.status == 200 and len(r.json.get("data", [])) == min(100, total), "limit=100 -> 200", r.brief(200))
    r = request("GET", "/v1/articles?limit=1")
    check(r.status == 200 and len(r.json.get("data", [])) == 1, "limit=1 gives one item", r.brief(200))
    check(isinstance(r.json.get("next_cursor"), str) and r.json["next_cursor"] != "",
          "limit=1 with more articles gives a next_cursor string", r.json.get("next_cursor"))
    check('rel="next"' in r.header("link"), "Link: <...>; rel=\"next\" when there is a next page", r.header("link"))
    r = request("GET", "/v1/articles?cursor=" + urllib.parse.quote("!!not-a-cursor!!", safe=""), encoded=True)
    expect_problem(r, 400, "a cursor the server never made", "/problems/invalid-parameter")


def test_list_paging_skips_and_repeats_nothing(khabar):
    """Paging over a tag: no skip, no repeat, while new articles are published in between."""
    tag = "صفحات كتيب"
    tag_slug = "صفحات-كتيب"
    ids = tagged(tag, "وكالة الترقيم")
    seen = []
    r = request("GET", "/v1/articles?" + qs(tag=tag_slug, limit=2), encoded=True)
    check(r.status == 200 and len(r.json.get("data", [])) == 2, "tag page 1 has 2 items", r.brief())
    seen += [i["id"] for i in r.json.get("data", [])]
    cursor = r.json.get("next_cursor")
    link = r.header("link")
    check(bool(cursor) and 'rel="next"' in link, "tag page 1 has next_cursor and Link rel=next", (cursor, link))
    more_tagged(tag)
    pages = 1
    while cursor and pages < 20:
        m = re.search(r"<([^>]*)>\s*;\s*rel=\"?next\"?", link or "")
        if pages == 1 and m:
            nxt = urllib.parse.urlsplit(m.group(1))
            target = nxt.path + "?" + nxt.query
            if not check(target.isascii(), "Link rel=next URL is ASCII (percent-encoded)", repr(target)):
                target = urllib.parse.quote(target.encode("latin-1").decode("utf-8", "replace"), safe="/?&=%")
            r = request("GET", target, encoded=True)
            check(r.status == 200, "following the Link rel=next URL works", r.brief())
        else:
            r = request("GET", "/v1/articles?" + qs(tag=tag_slug, limit=2, cursor=cursor), encoded=True)
        if r.status != 200:
            check(False, "tag page %d -> 200" % (pages + 1), r.brief())
            break
        seen += [i["id"] for i in r.json.get("data", [])]
        cursor = r.json.get("next_cursor")
        link = r.header("link")
        pages += 1
    check(cursor is None and 'rel="next"' not in (link or ""), "last page: next_cursor null and no Link rel=next",
          (cursor, link))
    check(len(seen) == len(set(seen)), "paging repeats no article", seen)
    check(all(i in seen for i in ids), "paging skips none of the articles that were there (ties included)",
          "seen %r, wanted %r" % (seen, ids))


def fnv1a64(data, h=0xcbf29ce484222325):
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def cursor_for(kind, key, article_id):
    """A cursor built outside khabar, in the documented form: base64url("kind:key:id:checksum")."""
    payload = ("%s:%s:%d" % (kind, key, article_id)).encode()
    text = payload + b":%016x" % fnv1a64(payload, fnv1a64(b"khabar cursor v1"))
    return base64.urlsafe_b64encode(text).decode().rstrip("=")


def test_cursor_is_only_a_position(khabar):
    """A cursor grants nothing: one a client builds for any position pages exactly as khabar's own."""
    tag_slug = "موضع-المؤشر"
    ids = tagged("موضع المؤشر", "وكالة المؤشر")
    r = request("GET", "/v1/articles?" + qs(tag=tag_slug, limit=2), encoded=True)
    own = r.json.get("next_cursor") or ""
    last = r.json["data"][-1]
    decoded = base64.urlsafe_b64decode(own + "=" * (-len(own) % 4)).decode()
    check(decoded.startswith("n:") and decoded.rsplit(":", 2)[1] == str(last["id"]),
          "khabar's cursor holds the list kind, the last item's time and id, and a checksum", decoded)
    key = decoded[2:].rsplit(":", 2)[0]
    check(own == cursor_for("n", key, last["id"]), "a client rebuilds khabar's own cursor byte for byte",
          (own, cursor_for("n", key, last["id"])))
    # a position khabar never handed out: just after the fourth article (a tie with the third)
    fourth = request("GET", "/v1/articles/%d" % ids[3]).json
    crafted = cursor_for("n", fourth["published_at"], ids[3])
    got = request("GET", "/v1/articles?" + qs(tag=tag_slug, cursor=crafted), encoded=True)
    after = [i["id"] for i in list_all(tag=tag_slug)]
    after = after[after.index(ids[3]) + 1:]
    check(got.status == 200 and [i["id"] for i in got.json.get("data", [])] == after,
          "a crafted cursor answers the articles after its position, and nothing else", (got.brief(300), after))
    forged = crafted[:-2] + ("AA" if not crafted.endswith("AA") else "BB")
    expect_problem(request("GET", "/v1/articles?" + qs(tag=tag_slug, cursor=forged), encoded=True), 400,
                   "a cursor whose checksum does not match", "/problems/invalid-parameter")


def test_list_filters(listed):
    tag = "فلاتر كتيب"
    tag_slug = "فلاتر-كتيب"
    source = "وكالة الفلترة"
    ids = tagged(tag, source)
    more_tagged(tag)
    got = [i["id"] for i in list_all(tag=tag_slug)]
    check(set(ids) <= set(got) and len(got) == 7, "tag filter by slug gives the tag's 7 articles", got)
    got2 = [i["id"] for i in list_all(tag=persian(tag))]
    check(sorted(got2) == sorted(got), "tag filter by name with Keheh/Farsi Yeh variants gives the same", got2)
    got = [i["id"] for i in list_all(source=source)]
    check(sorted(got) == sorted(ids[:2]), "source filter", "%r vs %r" % (got, ids[:2]))
    got = [i["id"] for i in list_all(tag=tag_slug, **{"from": "2010-01-03T00:00:00Z", "to": "2010-01-04T00:00:00Z"})]
    check(sorted(got) == sorted(ids[2:4]), "from/to bounds on published_at", "%r vs %r" % (got, ids[2:4]))
    got = [i["id"] for i in list_all(tag=tag_slug, **{"from": "2010-01-03T03:00:00+03:00",
                                                       "to": "2010-01-04T03:00:00+03:00"})]
    check(sorted(got) == sorted(ids[2:4]), "from/to accept an RFC 3339 offset", "%r vs %r" % (got, ids[2:4]))
    r = request("GET", "/v1/articles?from=yesterday")
    expect_problem(r, 400, "from=yesterday", "/problems/invalid-parameter")
    en = listed
    got = list_all(lang="en")
    gids = [i["id"] for i in got]
    check(en["id"] in gids and not set(ids) & set(gids) and all(i.get("lang", "en") == "en" for i in got),
          "lang=en filter", gids)


def test_list_q_search(khabar):
    """The list's q parameter: Arabic-aware matching, a snippet, nothing for no match."""
    q1 = create(art("مهرجان الزيتون السنوي في جنين",
                    body="احتفل المزارعون بموسم قطف الزيتون وأعدوا كعكة كبيرة للزوار.")).json
    for what, q in (("same word", "الزيتون"), ("without ال", "زيتون"), ("with و+ال", "والزيتون"),
                    ("with tashkeel", "الزَّيْتُون"), ("Keheh/Farsi Yeh variant", "کعکة")):
        r = request("GET", "/v1/articles?" + qs(q=q), encoded=True)
        data = r.json.get("data", []) if isinstance(r.json, dict) else []
        hit = [i for i in data if i.get("id") == q1["id"]]
        check(r.status == 200 and len(hit) == 1, "q search finds the article (%s)" % what, r.brief(300))
        if what == "same word":
            check(bool(hit) and isinstance(hit[0].get("snippet"), str) and hit[0]["snippet"] != "",
                  "q results carry a snippet", hit[:1])
    r = request("GET", "/v1/articles?" + qs(q="ذظغضثقصف"), encoded=True)
    check(r.status == 200 and r.json.get("data") == [], "q with no match gives data []", r.brief(200))
