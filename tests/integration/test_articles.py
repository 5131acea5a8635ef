"""Articles: create, slugs, get by id or slug, put, patch, delete, validation, auth on writes, no-token servers."""
import datetime
import json
import time
import urllib.parse

import pytest

from harness import TOKEN_1, TOKEN_2, api_url, art, check, problem_issues, raw, request
from articles_helpers import (FULL_PAYLOAD, MERGE, PESKOV_SLUG, PESKOV_TITLE, RFC3339_Z, count_articles,
                              create, error_fields, expect_no_body, expect_problem, get_article, get_etag, get_json,
                              is_strong_etag, names_field, parse_ts, patch, persian)


@pytest.fixture(scope="module")
def full_post(khabar):
    """The answer to POSTing an article with every field a client may give."""
    return request("POST", "/v1/articles", body=FULL_PAYLOAD, token=TOKEN_1)


@pytest.fixture(scope="module")
def full(full_post):
    """The created article with every field (its JSON)."""
    if full_post.status != 201:
        pytest.fail("cannot go on without a created article: %s" % full_post.brief(), pytrace=False)
    return full_post.json


@pytest.fixture(scope="module")
def peskov(khabar):
    """An article titled PESKOV_TITLE (slug PESKOV_SLUG), made if there is none."""
    r = request("GET", "/v1/articles/" + PESKOV_SLUG)
    return r.json if r.status == 200 else create(art(PESKOV_TITLE)).json


# ---------------------------------------------------------------------------------------
# auth on writes

AUTH_BODY = art("اختبار الصلاحيات والرموز")


def test_auth_refuses_writes_without_a_good_token(khabar):
    n0 = count_articles()
    r = request("POST", "/v1/articles", body=AUTH_BODY)
    expect_problem(r, 401, "POST without Authorization", "/problems/unauthorized")
    check(r.header("www-authenticate").startswith("Bearer"), "401 has WWW-Authenticate: Bearer...",
          r.header("www-authenticate"))
    r = request("POST", "/v1/articles", body=AUTH_BODY, token="test-token-3")
    expect_problem(r, 401, "POST with a wrong token", "/problems/unauthorized")
    check(r.header("www-authenticate").startswith("Bearer"), "wrong token 401 has WWW-Authenticate: Bearer",
          r.header("www-authenticate"))
    r = request("POST", "/v1/articles", body=AUTH_BODY, token="test-token-1x")
    expect_problem(r, 401, "POST with a token that extends a good one")
    r = request("POST", "/v1/articles", body=AUTH_BODY, token="")
    expect_problem(r, 401, "POST with an empty bearer token")
    r = request("POST", "/v1/articles", body=AUTH_BODY, headers={"Authorization": "Basic dGVzdDp0ZXN0LXRva2VuLTE="})
    expect_problem(r, 401, "POST with Basic credentials")
    r = request("POST", "/v1/articles", body=AUTH_BODY, headers={"Authorization": TOKEN_1})
    expect_problem(r, 401, "POST with a token but no Bearer scheme")
    check(count_articles() == n0, "refused writes created nothing", "before %d" % n0)


def test_auth_accepts_both_tokens_and_any_case_scheme(khabar):
    r = request("POST", "/v1/articles", body=AUTH_BODY, token=TOKEN_2)
    check(r.status == 201, "POST with test-token-2 -> 201", r.brief())
    r = request("POST", "/v1/articles", body=art("اختبار مخطط المصادقة بحروف صغيرة"),
                headers={"Authorization": "bearer " + TOKEN_1})
    check(r.status == 201, "auth scheme is case-insensitive ('bearer ...') -> 201 (RFC 9110 11.1)", r.brief())


def test_auth_writes_on_an_article_need_a_token(khabar):
    a = create(art("اختبار الصلاحيات بديل"), token=TOKEN_2).json
    aid = a["id"]
    other = create(art("مقال آخر لاختبار الصلاحيات")).json["id"]
    writes = [
        ("PUT", "/v1/articles/%d" % aid, art("عنوان جديد")),
        ("PATCH", "/v1/articles/%d" % aid, {"title": "عنوان جديد"}),
        ("DELETE", "/v1/articles/%d" % aid, None),
        ("PUT", "/v1/articles/%d/related/%d" % (aid, other), None),
        ("DELETE", "/v1/articles/%d/related/%d" % (aid, other), None),
    ]
    for method, path, b in writes:
        hdrs = MERGE if method == "PATCH" else None
        r = request(method, path, body=b, headers=hdrs)
        expect_problem(r, 401, "%s %s without token" % (method, path.replace(str(aid), "{id}")),
                       "/problems/unauthorized")
        check(r.header("www-authenticate").startswith("Bearer"),
              "%s without token has WWW-Authenticate" % method, r.header("www-authenticate"))
    now = get_article(aid)
    check(now.get("version") == 1 and now.get("title") == a["title"] and now.get("related") == [],
          "refused writes left the article unchanged", now)


def test_auth_reads_need_no_token(khabar):
    aid = create(art("مقال يقرأ بلا رمز")).json["id"]
    for path in ("/v1/articles", "/v1/articles/%d" % aid, "/v1/tags", "/v1/sources",
                 "/v1/articles/%d/related" % aid):
        r = request("GET", path)
        check(r.status == 200, "GET %s needs no token" % path, r.brief())


# ---------------------------------------------------------------------------------------
# create

def test_create_full_article(full_post):
    r = full_post
    payload = FULL_PAYLOAD
    assert check(r.status == 201, "POST /v1/articles -> 201", r.brief())
    a = r.json
    aid = a.get("id")
    check(isinstance(aid, int) and aid > 0, "created article has a positive integer id", aid)
    check(r.header("location").endswith("/v1/articles/%s" % aid), "201 Location: /v1/articles/{id}",
          r.header("location"))
    etag = r.header("etag")
    check(is_strong_etag(etag), "201 has a strong quoted ETag", etag)
    check("no-store" in r.header("cache-control"), "201 has Cache-Control: no-store", r.header("cache-control"))
    check(r.header("content-type").startswith("application/json"), "201 is application/json",
          r.header("content-type"))
    check(bool(r.header("x-request-id")), "201 has X-Request-Id", r.headers)
    check(a.get("slug") == "روسيا-تعلن-عن-مناورات-جديدة-في-بحر-البلطيق", "slug made from the title", a.get("slug"))
    for k in ("title", "summary", "body", "lang", "sources"):
        check(a.get(k) == payload[k], "created article echoes %s" % k, "%r != %r" % (a.get(k), payload[k]))
    check(a.get("dir") == "rtl", "lang ar gives dir rtl", a.get("dir"))
    check(a.get("published_at") == "2024-05-19T00:00:00Z", "published_at +03:00 is given back in UTC with Z",
          a.get("published_at"))
    for k in ("created_at", "updated_at"):
        check(isinstance(a.get(k), str) and RFC3339_Z.match(a[k]) is not None, "%s is RFC 3339 UTC with Z" % k,
              a.get(k))
    check(a.get("version") == 1, "a new article has version 1", a.get("version"))
    check([t.get("name") for t in a.get("tags", [])] == payload["tags"], "tags names in the order given",
          a.get("tags"))
    check([t.get("slug") for t in a.get("tags", [])] == ["موسكو", "الكرملين", "بيونغ-يانغ"],
          "tag slugs made from names", a.get("tags"))
    check(a.get("related") == [], "no related given -> related []", a.get("related"))
    check(payload["title"].encode("utf-8") in r.body and b"\\u06" not in r.body,
          "Arabic in the answer is raw UTF-8, not \\u escapes", r.body[:200])

    loc = r.header("location")
    path = urllib.parse.urlsplit(loc).path if loc else "/v1/articles/%s" % aid
    g = request("GET", path, encoded=True)
    check(g.status == 200 and g.json == a, "GET Location gives the same article", g.brief())
    check(g.header("etag") == etag, "GET ETag equals the ETag of the 201", "%r vs %r" % (g.header("etag"), etag))


def test_create_minimal_article_gets_defaults(khabar):
    before = datetime.datetime.now(datetime.timezone.utc)
    m = create(art("مقال بالحد الأدنى من الحقول")).json
    check(m.get("summary", "missing") is None, "absent summary is null", m.get("summary", "missing"))
    check(m.get("lang") == "ar" and m.get("dir") == "rtl", "lang defaults to ar (dir rtl)",
          (m.get("lang"), m.get("dir")))
    check(m.get("tags") == [] and m.get("sources") == [] and m.get("related") == [],
          "absent tags/sources/related are []", m)
    try:
        pub, created = parse_ts(m["published_at"]), parse_ts(m["created_at"])
        ok = abs((pub - created).total_seconds()) <= 2 and abs((pub - before).total_seconds()) <= 300 \
            and m["published_at"].endswith("Z")
    except (KeyError, ValueError):
        ok = False
    check(ok, "published_at defaults to the creation time", (m.get("published_at"), m.get("created_at")))


@pytest.mark.parametrize("lang,d", [("en", "ltr"), ("fa", "rtl"), ("ur", "rtl"), ("he", "rtl"), ("ar-EG", "rtl"),
                                    ("en-US", "ltr")])
def test_create_lang_gives_dir(khabar, lang, d):
    title = "Article in %s" % lang if d == "ltr" else "مقال بلغة %s" % lang
    r = request("POST", "/v1/articles", body=art(title, lang=lang), token=TOKEN_1)
    check(r.status == 201 and r.json.get("lang") == lang and r.json.get("dir") == d,
          "lang %s -> dir %s" % (lang, d), r.brief(300))


def test_create_accepts_json_with_charset(khabar):
    r = request("POST", "/v1/articles", body=json.dumps(art("مقال مع ترميز صريح"), ensure_ascii=False),
                headers={"Content-Type": "application/json; charset=utf-8"}, token=TOKEN_1)
    check(r.status == 201, "Content-Type application/json; charset=utf-8 is accepted", r.brief())


# ---------------------------------------------------------------------------------------
# slugs

def test_slugs_same_title_numbered(khabar):
    exists = request("GET", "/v1/articles/" + PESKOV_SLUG).status == 200
    expected = [PESKOV_SLUG + "-2", PESKOV_SLUG + "-3", PESKOV_SLUG + "-4"] if exists else \
        [PESKOV_SLUG, PESKOV_SLUG + "-2", PESKOV_SLUG + "-3"]
    got = [create(art(PESKOV_TITLE)).json.get("slug") for _ in range(3)]
    check(got == expected, "same title gives slug, slug-2, slug-3", "got %r expected %r" % (got, expected))


@pytest.mark.parametrize("title,slug,what", [
    ("الـــسلامُ عليكمْ: يا «أصدقاء»، مرحباً!", "السلام-عليكم-يا-أصدقاء-مرحبا",
     "tashkeel, tatweel and punctuation dropped"),
    ("\u0627\u0653خر   أخبار   اليوم", "آخر-أخبار-اليوم", "NFC first (alef + madda -> آ), spaces folded"),
    ("Putin يزور Pyongyang اليوم", "putin-يزور-pyongyang-اليوم", "Latin words lower-cased"),
])
def test_slug_made_from_title(khabar, title, slug, what):
    r = create(art(title))
    check(r.json.get("slug") == slug, "slug: %s" % what, "%r -> %r, expected %r" % (title, r.json.get("slug"), slug))


def test_slug_of_a_long_title(khabar):
    words = ["كلمة%d" % i for i in range(60)]
    long_title = " ".join(words)
    full_slug = "-".join(words)
    s1 = create(art(long_title)).json.get("slug", "")
    check(0 < len(s1) <= 120 and full_slug.startswith(s1) and (len(s1) == len(full_slug) or full_slug[len(s1)] == "-"),
          "long title: slug at most 120 characters, cut at a word boundary", "%d chars: %r" % (len(s1), s1))
    s2 = create(art(long_title)).json.get("slug", "")
    check(len(s2) <= 120 and s2.endswith("-2") and s2 != s1, "long title again: -2 suffix within 120 characters",
          "%d chars: %r" % (len(s2), s2))


def test_slug_of_a_title_without_letters(khabar):
    r = create(art("!!! ؟؟؟ ...", body="عنوان بلا حروف"))
    check(isinstance(r.json.get("slug"), str) and r.json["slug"].strip("-") != "",
          "a title with no letters still gets a non-empty slug", r.json.get("slug"))


def test_slug_given_by_the_client(khabar):
    n0 = count_articles()
    own = "كتاب-يومي-مخصص-للاختبار"
    r = request("POST", "/v1/articles", body=art("عنوان مع رابط مخصص", slug=own), token=TOKEN_1)
    check(r.status == 201 and r.json.get("slug") == own, "client-given slug is kept", r.brief())
    r = request("POST", "/v1/articles", body=art("عنوان آخر بنفس الرابط", slug=own), token=TOKEN_1)
    expect_problem(r, 409, "client slug that clashes", "/problems/slug-conflict")
    r = request("POST", "/v1/articles", body=art("عنوان ثالث برابط مشابه", slug=persian(own)), token=TOKEN_1)
    expect_problem(r, 409, "client slug that clashes only by Keheh/Farsi Yeh variants", "/problems/slug-conflict")
    check(count_articles() == n0 + 1, "409s created nothing", "expected %d" % (n0 + 1))


# ---------------------------------------------------------------------------------------
# get by id or slug

def test_get_by_id(full):
    r = request("GET", "/v1/articles/%d" % full["id"])
    check(r.status == 200 and r.json == full, "GET /v1/articles/{id} -> 200, same as created", r.brief())


def test_get_unknown_article(khabar):
    r = request("GET", "/v1/articles/999999999")
    expect_problem(r, 404, "GET unknown id", "/problems/not-found")
    r = request("GET", "/v1/articles/99999999999999999999999999")
    check(r.status in (400, 404), "GET an id that overflows 64 bits -> 400 or 404, not 500", r.brief())
    check(not problem_issues(r), "overflowing id answer is a problem", "; ".join(problem_issues(r)))
    r = request("GET", "/v1/articles/لا-يوجد-مقال-بهذا-الرابط")
    expect_problem(r, 404, "GET unknown slug", "/problems/not-found")


def test_get_by_slug(full):
    aid = full["id"]
    r = request("GET", "/v1/articles/" + full["slug"])
    check(r.status == 200 and r.json.get("id") == aid, "GET by percent-encoded slug", r.brief(200))
    r = raw("GET", "/v1/articles/" + full["slug"])
    check(r.status == 200 and isinstance(r.json, dict) and r.json.get("id") == aid,
          "GET by slug with raw UTF-8 bytes in the request line", r.brief(200))


@pytest.mark.parametrize("what,slug", [
    ("Keheh/Farsi Yeh", persian(PESKOV_SLUG)),
    ("alef without hamza", PESKOV_SLUG.replace("إلى", "الى")),
    ("tashkeel added", PESKOV_SLUG.replace("بيسكوف", "بِيسْكُوف").replace("الشمالية", "الشَّمالِيّة")),
    ("alef maksura as Farsi Yeh", PESKOV_SLUG.replace("إلى", "إلی")),
])
def test_get_by_slug_variant(peskov, what, slug):
    r = request("GET", "/v1/articles/" + slug)
    check(r.status == 200 and r.json.get("id") == peskov["id"], "GET slug variant (%s), percent-encoded" % what,
          r.brief(200))
    check(r.header("Link") == canonical_link(api_url() + "/v1/articles/", peskov["slug"]),
          "the answer names the canonical address (%s)" % what, r.header("Link"))


def canonical_link(prefix, slug, tail=""):
    """The Link header naming the canonical URL of the article whose slug is slug."""
    return '<%s%s%s>; rel="canonical"' % (prefix, urllib.parse.quote(slug, safe=""), tail)


def test_canonical_address(khabar):
    """However an article is asked for (by id, by its slug with the Latin part in another case or
    percent-encoded in either case), it answers with Link rel="canonical" naming its one address:
    PUBLIC_ARTICLE_URL with the slug and id put in, or the API's own PUBLIC_API_URL/v1/articles/{slug}."""
    a = create(art("زيارة Putin إلى Pyongyang اليوم")).json
    slug = a["slug"]
    asked = {"by id": "/v1/articles/%d" % a["id"], "by its slug": "/v1/articles/" + urllib.parse.quote(slug),
             "with the Latin part in capitals": "/v1/articles/" + urllib.parse.quote(slug.upper()),
             "percent-encoded in lower case": "/v1/articles/" + urllib.parse.quote(slug).lower()}
    for what, path in asked.items():
        r = request("GET", path, encoded=True)
        check(r.status == 200 and r.json.get("id") == a["id"] and
              r.header("Link") == canonical_link(api_url() + "/v1/articles/", slug),
              "GET %s answers with the canonical address" % what, "%s %s" % (r.brief(80), r.header("Link")))
    srv = khabar.start_server({"PUBLIC_ARTICLE_URL": "https://news.example/a/{slug}?n={id}"}, name="canonical")
    try:
        r = srv.request("GET", asked["with the Latin part in capitals"], encoded=True)
        check(r.status == 200 and r.header("Link") == canonical_link("https://news.example/a/", slug, "?n=%d" % a["id"]),
              "with PUBLIC_ARTICLE_URL the canonical address is the site's", r.header("Link"))
    finally:
        srv.stop()
    for bad in ("news.example/a/{slug}", "https://news.example/a/", "https://news.example/{name}/{slug}",
                "https://news example/{slug}"):
        r = khabar.run_cli(["serve"], env_extra={"PUBLIC_ARTICLE_URL": bad}, timeout=10)
        check(r.returncode != 0 and "PUBLIC_ARTICLE_URL" in r.stderr,
              "PUBLIC_ARTICLE_URL=%s is refused at start" % bad, "exit %d: %s" % (r.returncode, r.stderr[-200:]))


def test_get_by_slug_variant_raw_utf8(peskov):
    r = raw("GET", "/v1/articles/" + persian(PESKOV_SLUG))
    check(r.status == 200 and isinstance(r.json, dict) and r.json.get("id") == peskov["id"],
          "GET slug variant (Keheh/Farsi Yeh) with raw UTF-8", r.brief(200))


# ---------------------------------------------------------------------------------------
# put

def test_put_replaces_the_whole_article(khabar):
    a = create(art("مقال للاستبدال الكامل", summary="ملخص قديم", tags=["وسم الاستبدال"],
                   sources=["مصدر الاستبدال"])).json
    aid = a["id"]
    etag0 = get_etag(aid)
    time.sleep(1.1)  # so that a second-precision updated_at must change
    r = request("PUT", "/v1/articles/%d" % aid, body=art("عنوان مستبدل تماما", body="نص جديد"), token=TOKEN_1)
    check(r.status == 200, "PUT /v1/articles/{id} -> 200", r.brief())
    b = r.json or {}
    check(b.get("version") == 2, "PUT makes version 2", b.get("version"))
    check(b.get("title") == "عنوان مستبدل تماما" and b.get("body") == "نص جديد", "PUT replaces title and body", b)
    check(b.get("slug") == a["slug"], "PUT with a new title keeps the slug", (b.get("slug"), a["slug"]))
    check(b.get("summary", "missing") is None and b.get("tags") == [] and b.get("sources") == [],
          "PUT is a full replace: absent summary/tags/sources are cleared", b)
    check(b.get("id") == aid and b.get("created_at") == a["created_at"], "PUT keeps id and created_at", b)
    try:
        ok = parse_ts(b["updated_at"]) > parse_ts(a["updated_at"])
    except (KeyError, ValueError):
        ok = False
    check(ok, "PUT moves updated_at forward", (a.get("updated_at"), b.get("updated_at")))
    etag1 = r.header("etag")
    check(is_strong_etag(etag1) and etag1 != etag0, "PUT answers a new strong ETag", (etag0, etag1))
    check("no-store" in r.header("cache-control"), "PUT answer has Cache-Control: no-store", r.header("cache-control"))
    check(get_article(aid) == b, "GET after PUT equals the PUT answer", "")


def test_put_with_a_new_slug(khabar):
    aid = create(art("مقال سيغير رابطه بالاستبدال")).json["id"]
    r = request("PUT", "/v1/articles/%d" % aid, body=art("عنوان برابط جديد", slug="رابط-جديد-بعد-الاستبدال"),
                token=TOKEN_1)
    check(r.status == 200 and r.json.get("slug") == "رابط-جديد-بعد-الاستبدال", "PUT with a new slug changes it",
          r.brief())
    r = request("GET", "/v1/articles/رابط-جديد-بعد-الاستبدال")
    check(r.status == 200 and r.json.get("id") == aid, "the new slug finds the article", r.brief(200))


def test_put_keeps_published_at_and_slug(khabar):
    """What PUT does with fields the body leaves out, as openapi.yaml says: published_at and the
    slug are kept, lang takes its default, the optional lists and summary become empty."""
    a = create({"title": "خبر قديم", "body": "نص", "lang": "en", "summary": "ملخص",
                "published_at": "2020-01-02T03:04:05Z", "tags": ["سياسة"], "sources": ["وكالة"]}).json
    r = request("PUT", "/v1/articles/%d" % a["id"], body={"title": "خبر قديم مصحح", "body": "نص مصحح"},
                token=TOKEN_1)
    check(r.status == 200, "PUT without published_at answers 200", r.brief())
    got = r.json or {}
    check(got.get("published_at") == "2020-01-02T03:04:05Z", "published_at is kept", r.brief())
    check(got.get("slug") == a["slug"], "the slug is kept", r.brief())
    check(got.get("lang") == "ar" and got.get("dir") == "rtl", "lang takes its default, ar", r.brief())
    check(got.get("summary") is None and got.get("tags") == [] and got.get("sources") == [],
          "summary, tags and sources left out become empty", r.brief())
    check(got.get("version") == a["version"] + 1, "version grows by one", r.brief())
    r = request("PUT", "/v1/articles/%d" % a["id"], token=TOKEN_1,
                body={"title": "خبر", "body": "نص", "published_at": "2021-06-07T08:09:10+03:00"})
    check(r.status == 200 and (r.json or {}).get("published_at") == "2021-06-07T05:09:10Z",
          "a published_at sent replaces it (shown in UTC)", r.brief())


def test_put_rejected(khabar):
    aid = create(art("مقال ترفض استبدالاته")).json["id"]
    own = create(art("مقال يملك رابطه", slug="رابط-يملكه-مقال-آخر")).json["slug"]
    version = get_article(aid).get("version")
    r = request("PUT", "/v1/articles/%d" % aid, body=art("عنوان", slug=own), token=TOKEN_1)
    expect_problem(r, 409, "PUT with another article's slug", "/problems/slug-conflict")
    r = request("PUT", "/v1/articles/%d" % aid, body={"title": "بلا نص"}, token=TOKEN_1)
    expect_problem(r, 422, "PUT without body", field="body")
    r = request("PUT", "/v1/articles/%d" % aid, body=json.dumps(art("نص")).encode(), token=TOKEN_1)
    expect_problem(r, 415, "PUT without Content-Type", "/problems/unsupported-media-type")
    check(get_article(aid).get("version") == version, "rejected PUTs changed nothing", version)
    r = request("PUT", "/v1/articles/999999999", body=art("لا يوجد"), token=TOKEN_1)
    expect_problem(r, 404, "PUT unknown id", "/problems/not-found")


# ---------------------------------------------------------------------------------------
# patch

@pytest.fixture
def to_patch(khabar):
    """A new article with every field set, to be patched."""
    return create(art("مقال للتعديل الجزئي", body="النص الأصلي", summary="ملخص أصلي", tags=["وسم أول", "وسم ثان"],
                      sources=["مصدر التعديل"], published_at="2023-01-01T00:00:00Z")).json


def test_patch_changes_only_what_it_names(to_patch):
    a = to_patch
    aid = a["id"]
    etag0 = get_etag(aid)
    r = patch(aid, {"title": "عنوان معدل جزئيا"})
    check(r.status == 200, "PATCH merge-patch -> 200", r.brief())
    b = r.json or {}
    check(b.get("title") == "عنوان معدل جزئيا" and b.get("version") == 2, "PATCH changes title, version 2", b)
    check(b.get("slug") == a["slug"], "PATCH of the title keeps the slug", (b.get("slug"), a["slug"]))
    same = [k for k in ("body", "summary", "tags", "sources", "lang", "dir", "published_at", "related", "created_at")
            if b.get(k) != a.get(k)]
    check(not same, "PATCH leaves the other fields alone", "changed: %r" % same)
    etag1 = r.header("etag")
    check(is_strong_etag(etag1) and etag1 != etag0, "PATCH answers a new strong ETag", (etag0, etag1))
    check("no-store" in r.header("cache-control"), "PATCH answer has Cache-Control: no-store",
          r.header("cache-control"))

    r = patch(aid, {"summary": None})
    check(r.status == 200 and r.json.get("summary", "missing") is None and r.json.get("body") == "النص الأصلي",
          "PATCH summary: null removes the summary", r.brief())
    r = patch(aid, {"tags": None})
    check(r.status == 200 and r.json.get("tags") == [], "PATCH tags: null empties tags", r.brief())
    r = patch(aid, {"tags": ["وسم جديد"]})
    check(r.status == 200 and [t.get("name") for t in r.json.get("tags", [])] == ["وسم جديد"], "PATCH sets tags",
          r.brief())
    r = patch(aid, {"tags": []})
    check(r.status == 200 and r.json.get("tags") == [], "PATCH tags: [] empties tags", r.brief())
    version = get_article(aid).get("version")
    check(version == 6, "every PATCH added one to version", version)


def test_patch_rejected(to_patch):
    aid = to_patch["id"]
    before = get_article(aid)
    r = patch(aid, {"title": None})
    expect_problem(r, 422, "PATCH title: null", field="title")
    r = patch(aid, {"foo": 1})
    expect_problem(r, 422, "PATCH unknown field", field="foo")
    r = request("PATCH", "/v1/articles/%d" % aid, body=b'{"title": ', headers=MERGE, token=TOKEN_1)
    expect_problem(r, 400, "PATCH malformed JSON", "/problems/malformed-json")
    r = request("PATCH", "/v1/articles/%d" % aid, body=b'{"title": "x"}', headers={"Content-Type": "text/plain"},
                token=TOKEN_1)
    expect_problem(r, 415, "PATCH with text/plain", "/problems/unsupported-media-type")
    now = get_article(aid)
    check(now.get("version") == before.get("version") and now.get("title") == before.get("title"),
          "rejected PATCHes changed nothing", now)
    r = patch(999999999, {"title": "لا يوجد"})
    expect_problem(r, 404, "PATCH unknown id", "/problems/not-found")


def test_patch_with_a_new_slug(to_patch):
    aid = to_patch["id"]
    r = patch(aid, {"slug": "رابط-معدل-بالترقيع"})
    check(r.status == 200 and r.json.get("slug") == "رابط-معدل-بالترقيع", "PATCH with a new slug changes it",
          r.brief())
    r = request("GET", "/v1/articles/رابط-معدل-بالترقيع")
    check(r.status == 200 and r.json.get("id") == aid, "the patched slug finds the article", r.brief(200))


# ---------------------------------------------------------------------------------------
# delete

def test_delete(khabar):
    tag = "وسم الحذف التجريبي"
    tag_slug = "وسم-الحذف-التجريبي"
    x = create(art("مقال سيحذف", tags=[tag])).json
    y = create(art("مقال يشير إلى المحذوف", related=[x["id"]])).json
    check([i.get("id") for i in y.get("related", [])] == [x["id"]], "article created with related [x]", y)
    t = get_json("/v1/tags/" + tag_slug)
    check(t.get("article_count") == 1, "tag count 1 before delete", t)
    y_etag = get_etag(y["id"])

    r = raw("DELETE", "/v1/articles/%d" % x["id"], headers={"Authorization": "Bearer " + TOKEN_1})
    check(r.status == 204, "DELETE /v1/articles/{id} -> 204", r.brief())
    expect_no_body(r, "DELETE 204")
    check(bool(r.header("x-request-id")), "204 has X-Request-Id", r.headers)
    check("no-store" in r.header("cache-control"), "204 has Cache-Control: no-store", r.header("cache-control"))
    r = request("GET", "/v1/articles/%d" % x["id"])
    expect_problem(r, 404, "GET deleted article", "/problems/not-found")
    r = request("GET", "/v1/articles/" + x["slug"])
    check(r.status == 404, "deleted article is not found by slug either", r.brief())
    yy = get_article(y["id"])
    check(yy.get("related") == [], "links to the deleted article are gone from related", yy.get("related"))
    rel = get_json("/v1/articles/%d/related" % y["id"])
    check(rel.get("data") == [], "GET related no longer lists the deleted article", rel)
    check(get_etag(y["id"]) != y_etag, "an article whose related list lost an item has a new ETag",
          "ETag still %r (a cache would keep the stale related list)" % y_etag)
    r = request("DELETE", "/v1/articles/%d" % x["id"], token=TOKEN_1)
    expect_problem(r, 404, "DELETE again", "/problems/not-found")
    r = request("GET", "/v1/tags/" + tag_slug)
    expect_problem(r, 404, "a tag without public articles is not shown", "/problems/not-found")
    create(art("مقال يعيد الوسم", tags=["وسم الحذف التجريبى"]))
    r = request("GET", "/v1/tags/" + tag_slug)
    check(r.status == 200 and r.json.get("article_count") == 1 and r.json.get("name") == tag,
          "the tag stayed: used again (in another spelling) it is back with its first name", r.brief())


# ---------------------------------------------------------------------------------------
# validation

def send_post(body, headers=None):
    """POSTs body (bytes as they are, anything else as JSON) as application/json with a good token."""
    h = {"Content-Type": "application/json"}
    h.update(headers or {})
    if not isinstance(body, bytes):
        body = json.dumps(body, ensure_ascii=False).encode("utf-8")
    return request("POST", "/v1/articles", body=body, headers=h, token=TOKEN_1)


VALID = {"title": "عنوان صالح", "body": "نص صالح"}


def test_validation_malformed_json(khabar):
    n0 = count_articles()
    expect_problem(send_post(b'{"title": "x", "body": '), 400, "malformed JSON", "/problems/malformed-json")
    expect_problem(send_post(b'{"title": "x", "body": "y"} trailing'), 400, "JSON with trailing garbage",
                   "/problems/malformed-json")
    expect_problem(send_post(b''), 400, "empty body", "/problems/malformed-json")
    expect_problem(send_post('{"title":"a","title":"b","body":"c"}'.encode()), 400, "duplicate keys",
                   "/problems/malformed-json")
    expect_problem(send_post(b'{"title":"\xd8\xa8\xff\xfe","body":"x"}'), 400, "invalid UTF-8 inside a JSON string",
                   ("/problems/invalid-utf8", "/problems/malformed-json"))
    r = send_post(b'{"title":"a\\u0000b","body":"x"}')
    check(r.status in (400, 422), "\\u0000 in a string -> 400 or 422", r.brief())
    deep = '{"title":"x","body":"y","tags":' + "[" * 40 + "]" * 40 + "}"
    expect_problem(send_post(deep.encode()), 400, "JSON nested 41 levels deep")
    expect_problem(send_post([]), 422, "body is an array, not an object")
    expect_problem(send_post("نص"), 422, "body is a string, not an object")
    check(count_articles() == n0, "rejected writes created nothing", "before %d" % n0)


BAD_FIELDS = [
    ("unknown field foo", dict(VALID, foo=1), "foo"),
    ("read-only id", dict(VALID, id=5), "id"),
    ("read-only version", dict(VALID, version=1), "version"),
    ("title: 5", dict(VALID, title=5), "title"),
    ("tags: \"x\"", dict(VALID, tags="x"), "tags"),
    ("tags: [1]", dict(VALID, tags=[1]), "tags"),
    ("related: [\"\", 1.5]", dict(VALID, related=["", 1.5]), "related"),
    ("published_at: \"yesterday\"", dict(VALID, published_at="yesterday"), "published_at"),
    ("published_at without offset", dict(VALID, published_at="2024-05-19T03:00:00"), "published_at"),
    # PostgreSQL refuses offsets past ±15:59; the answer must be a 422, not a 500
    ("published_at with offset +16:00", dict(VALID, published_at="2024-05-19T00:00:00+16:00"), "published_at"),
    ("published_at in year 0001", dict(VALID, published_at="0001-01-01T00:00:00+01:00"), "published_at"),
    ("lang: 5", dict(VALID, lang=5), "lang"),
    ("lang: \"not a tag!\"", dict(VALID, lang="not a tag!"), "lang"),
    ("summary: 5", dict(VALID, summary=5), "summary"),
    ("sources: \"x\"", dict(VALID, sources="x"), "sources"),
    ("slug: 5", dict(VALID, slug=5), "slug"),
    ("missing title", {"body": "نص"}, "title"),
    ("missing body", {"title": "عنوان"}, "body"),
    ("blank title", dict(VALID, title="   "), "title"),
    ("blank body", dict(VALID, body=" \n\t "), "body"),
    ("title null", dict(VALID, title=None), "title"),
    ("title of 501 characters", dict(VALID, title="خبر " * 124 + "خبراا"), "title"),
    ("summary of 2001 characters", dict(VALID, summary="م" * 2001), "summary"),
]


def test_validation_bad_fields(khabar):
    n0 = count_articles()
    for what, body, field in BAD_FIELDS:
        expect_problem(send_post(body), 422, "POST with " + what, field=field)
    r = send_post(dict(VALID, title=5, lang=5, tags="x"))
    check(r.status == 422 and all(names_field(r.json, f) for f in ("title", "lang", "tags")),
          "one 422 names every bad field at once", "fields %r; %s" % (error_fields(r.json), r.brief(200)))
    check(count_articles() == n0, "rejected writes created nothing", "before %d" % n0)


def test_validation_content_type(khabar):
    n0 = count_articles()
    expect_problem(request("POST", "/v1/articles", body=json.dumps(VALID).encode(),
                           headers={"Content-Type": "text/plain"}, token=TOKEN_1),
                   415, "Content-Type text/plain", "/problems/unsupported-media-type")
    expect_problem(request("POST", "/v1/articles", body=json.dumps(VALID).encode(), token=TOKEN_1), 415,
                   "no Content-Type", "/problems/unsupported-media-type")
    check(count_articles() == n0, "rejected writes created nothing", "before %d" % n0)


def test_validation_longest_values_accepted(khabar):
    n0 = count_articles()
    t500 = "خبر " * 124 + "خبرا"
    r = send_post(dict(VALID, title=t500))
    check(r.status == 201 and r.json.get("title") == t500, "title of 500 Arabic characters -> 201", r.brief(200))
    if r.status == 201:
        check(len(r.json.get("slug", "")) <= 120, "slug of a 500-character title is at most 120 characters",
              len(r.json.get("slug", "")))
    r = send_post(dict(VALID, title="ملخص بطول الحد", summary="م" * 2000))
    check(r.status == 201, "summary of 2000 characters -> 201", r.brief(200))
    check(count_articles() == n0 + 2, "the two valid posts were created", n0 + 2)


# ---------------------------------------------------------------------------------------
# a server without API_TOKENS

@pytest.fixture
def no_token_server(khabar):
    """A server started without API_TOKENS; stopped at the end, and it must exit 0."""
    srv = khabar.start_server(unset=("API_TOKENS",), name="no-tokens")
    yield srv
    status, secs = srv.stop(30.0 if khabar.sanitized else 10.0)
    check(status == 0, "no-token server exits 0 after SIGTERM",
          "status %r after %.1f s; log tail:\n%s" % (status, secs, srv.log_tail(30)))


def test_server_without_tokens(no_token_server):
    srv = no_token_server
    r = srv.request("POST", "/v1/articles", body=art("مقال بلا رموز"), token=TOKEN_1)
    expect_problem(r, 401, "server without API_TOKENS refuses a write", "/problems/unauthorized")
    r = srv.request("GET", "/v1/articles?limit=1")
    check(r.status == 200, "server without API_TOKENS still serves reads", r.brief())
    check("API_TOKENS" in srv.log_text(), "server without API_TOKENS logs a warning naming API_TOKENS",
          srv.log_tail(10))
