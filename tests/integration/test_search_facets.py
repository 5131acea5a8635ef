"""Facets of GET /v1/articles (facets=tag,source,author,section): counts among all the public matches of the query and filters, checked against counts taken in PostgreSQL; facet_limit; bad input; caching."""
# A few hundred articles with random tags, sources, authors and sections, some of them
# drafts and scheduled ones (never counted), some with the word FACET_WORD in their body
# (the q of these tests). Every expected count is a SQL query over khabar's own tables.
import json
import os
import random
import tempfile

import pytest

import harness
from harness import TOKEN_1, art, check, qs, request
from articles_helpers import create, expect_problem

FACET_WORD = "zirconfacet"
TAGS = ["اقتصاد", "نفط", "سياسة", "رياضة", "ثقافة", "طقس", "صحة", "تقنية"]
SOURCES = ["رويترز", "وكالة الأنباء", "الجزيرة", "بي بي سي", "فرانس برس"]
AUTHORS = ["ليلى حسن", "أحمد علي", "سارة محمود", "يوسف خالد", "مريم سعيد"]
SECTIONS = ["محليات", "دوليات", "منوعات", "مال وأعمال"]
ALL = "tag,source,author,section"


def post(path, obj):
    r = request("POST", path, body=obj, token=TOKEN_1)
    if r.status != 201:
        raise AssertionError("POST %s %r: %s" % (path, obj, r.brief()))
    return r.json


@pytest.fixture(scope="module")
def archive(khabar):
    """300 public articles, 20 drafts and 20 scheduled ones, attributes drawn at random."""
    rnd = random.Random(20261202)
    authors = [post("/v1/authors", {"name": n})["slug"] for n in AUTHORS]
    sections = [post("/v1/sections", {"name": n})["slug"] for n in SECTIONS]
    for i in range(340):
        fields = {"tags": rnd.sample(TAGS, rnd.randint(0, 3)),
                  "sources": rnd.sample(SOURCES, rnd.randint(0, 2)),
                  "authors": rnd.sample(authors, rnd.randint(0, 2)),
                  "published_at": "2020-%02d-%02dT10:00:00Z" % (rnd.randint(1, 12), rnd.randint(1, 28))}
        if rnd.random() < 0.8:
            fields["section"] = rnd.choice(sections)
        if i >= 300:
            fields.update({"status": "draft"} if i < 320 else {"published_at": "2099-01-01T00:00:00Z"})
        body = "نص المقال رقم %d%s." % (i, " عن " + FACET_WORD if rnd.random() < 0.4 else "")
        create(art("مقال الوجوه رقم %d" % i, body, **fields))
    return khabar


def sql_literal(s):
    return "'" + s.replace("'", "''") + "'"


def expected(h, where, limit=10):
    """The facets by SQL over the public articles that pass where (SQL on articles a)."""
    def base(join):
        return "FROM articles a " + join + " WHERE a.visible AND " + where
    facet_sql = {
        "tag": ("t.slug, t.name", "JOIN article_tags x ON x.article_id = a.id JOIN tags t ON t.id = x.tag_id"),
        "source": ("s.key, s.name", "JOIN article_sources x ON x.article_id = a.id JOIN sources s ON s.id = x.source_id"),
        "author": ("au.slug, au.name", "JOIN article_authors x ON x.article_id = a.id JOIN authors au ON au.id = x.author_id"),
        "section": ("s.slug, s.name", "JOIN sections s ON s.id = a.section_id"),
    }
    out = {}
    for facet, (cols, join) in facet_sql.items():
        rows = harness.psql(h.pg.url, "SELECT %s, count(*) %s GROUP BY 1, 2 ORDER BY 3 DESC, %s LIMIT %d"
                            % (cols, base(join), "2" if facet == "source" else "1", limit))
        values = []
        for line in rows.splitlines():
            key, name, n = line.split("|")
            values.append({"name": name, "count": int(n)} if facet == "source"
                          else {"slug": key, "name": name, "count": int(n)})
        out[facet] = values
    total = int(harness.psql(h.pg.url, "SELECT count(*) " + base("")))
    return out, total


def facets_of(**params):
    r = request("GET", "/v1/articles?" + qs(**params), encoded=True)
    if r.status != 200 or "facets" not in (r.json or {}):
        raise AssertionError("GET %r: %s" % (params, r.brief()))
    return r


CASES = [
    ("no q, no filter", {}, "true"),
    ("q", {"q": FACET_WORD}, "a.body LIKE '%%%%%s%%%%'" % FACET_WORD),
    ("tag", {"tag": "نفط"}, "EXISTS (SELECT 1 FROM article_tags x JOIN tags t ON t.id = x.tag_id"
                            " WHERE x.article_id = a.id AND t.slug = 'نفط')"),
    ("q and source", {"q": FACET_WORD, "source": "رويترز"},
     "a.body LIKE '%%%%%s%%%%' AND EXISTS (SELECT 1 FROM article_sources x JOIN sources s ON s.id = x.source_id"
     " WHERE x.article_id = a.id AND s.name = 'رويترز')" % FACET_WORD),
    ("section and to", {"section": "محليات", "to": "2020-06-30T23:59:59Z"},
     "a.section_id = (SELECT id FROM sections WHERE name = 'محليات') AND a.published_at <= '2020-06-30T23:59:59Z'"),
    ("q, author and from", {"q": FACET_WORD, "author": None, "from": "2020-03-01T00:00:00Z"},
     "a.body LIKE '%%%%%s%%%%' AND a.published_at >= '2020-03-01T00:00:00Z' AND EXISTS (SELECT 1 FROM article_authors x"
     " JOIN authors au ON au.id = x.author_id WHERE x.article_id = a.id AND au.name = 'ليلى حسن')" % FACET_WORD),
]


@pytest.mark.parametrize("name,params,where", CASES, ids=[c[0] for c in CASES])
def test_facet_counts_match_postgresql(archive, name, params, where):
    params = dict(params)
    if "author" in params:
        params["author"] = request("GET", "/v1/authors?limit=100").json["data"][0]["slug"]
        where = where.replace("'ليلى حسن'", sql_literal(next(
            a["name"] for a in request("GET", "/v1/authors?limit=100").json["data"] if a["slug"] == params["author"])))
    want, total = expected(archive, where)
    r = facets_of(facets=ALL, limit=5, **params)
    check(total > 0, "%s: the case has matches" % name, total)
    check(r.json["facets"] == want, "%s: facets equal the counts PostgreSQL takes" % name,
          "got %r\nwant %r" % (r.json["facets"], want))
    check(r.json.get("facets_counted") == total and r.json.get("facets_exact") is True,
          "%s: facets_counted is every public match (%d), facets_exact true" % (name, total),
          {k: r.json.get(k) for k in ("facets_counted", "facets_exact")})
    check(len(r.json["data"]) == min(5, total), "%s: the page is still limit items" % name, len(r.json["data"]))


def test_facet_subset_and_limit(archive):
    want, _ = expected(archive, "true", limit=2)
    r = facets_of(facets="section,tag", facet_limit=2)
    check(set(r.json["facets"]) == {"section", "tag"}, "only the facets asked for", list(r.json["facets"]))
    check(r.json["facets"] == {"section": want["section"], "tag": want["tag"]},
          "facet_limit=2: the two most used of each", r.json["facets"])
    plain = request("GET", "/v1/articles")
    check("facets" not in plain.json and "facets_counted" not in plain.json, "no facets unless asked for", list(plain.json))
    none = facets_of(facets="tag", tag="وسم لا يوجد")
    check(none.json["facets"] == {"tag": []} and none.json["facets_counted"] == 0,
          "an unknown tag: empty facets, none counted", none.json)


def test_facets_exclude_drafts_and_scheduled(archive):
    r = facets_of(facets="tag", facet_limit=50)
    counted = sum(v["count"] for v in r.json["facets"]["tag"])
    public = int(harness.psql(archive.pg.url, "SELECT count(*) FROM article_tags x JOIN articles a ON a.id = x.article_id"
                              " WHERE a.visible"))
    every = int(harness.psql(archive.pg.url, "SELECT count(*) FROM article_tags"))
    check(counted == public and every > public, "tag counts are of public articles only (%d of %d links)"
          % (public, every), counted)


@pytest.mark.parametrize("params", [
    {"facets": "colour"}, {"facets": "tag,tag"}, {"facets": "tag,source,author,section,tag"},
    {"facets": ""}, {"facets": "tag,"}, {"facets": "Tag"}, {"facets": "tag", "facet_limit": "0"},
    {"facets": "tag", "facet_limit": "51"}, {"facets": "tag", "facet_limit": "ten"},
    {"facets": "tag", "facet_limit": "-1"}, {"facet_limit": "5"}, {"facets": "tag", "status": "draft"},
], ids=lambda p: qs(**p))
def test_bad_facets(archive, params):
    r = request("GET", "/v1/articles?" + qs(**params), encoded=True, token=TOKEN_1)
    expect_problem(r, 400, "GET /v1/articles?%s" % qs(**params))


def test_facets_are_part_of_the_cached_answer(archive):
    tag = facets_of(facets="tag")
    source = facets_of(facets="source")
    check(tag.header("etag") and tag.header("etag") != source.header("etag"),
          "facets=tag and facets=source have different ETags", (tag.header("etag"), source.header("etag")))
    check("public" in tag.header("cache-control"), "a list with facets is public", tag.header("cache-control"))
    again = request("GET", "/v1/articles?" + qs(facets="tag"), encoded=True, headers={"If-None-Match": tag.header("etag")})
    check(again.status == 304, "If-None-Match with its ETag -> 304", again.brief())
    before = {v["slug"]: v["count"] for v in tag.json["facets"]["tag"]}
    create(art("مقال جديد للوجوه", tags=["طقس"]))
    after = facets_of(facets="tag")
    now = {v["slug"]: v["count"] for v in after.json["facets"]["tag"]}
    check(now.get("طقس") == before.get("طقس", 0) + 1 and after.header("etag") != tag.header("etag"),
          "a new article changes the cached facets and their ETag", (before, now))


def test_facets_count_the_newest_thousand_matches(archive):
    """Past the bound the counts are over the newest 1,000 matches, and the answer says so."""
    word, tag = "boundfacetword", "وسم الحد"
    lines = [json.dumps(art("مقال الحد رقم %d" % i, "نص %s رقم %d." % (word, i), tags=[tag],
                            published_at="2021-01-01T%02d:%02d:00Z" % (i // 60 % 24, i % 60)), ensure_ascii=False)
             for i in range(1001)]
    fd, path = tempfile.mkstemp(suffix=".ndjson", dir=archive.workdir)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    r = archive.run_cli(["import", path], timeout=300)
    check(r.returncode == 0, "khabar import of 1,001 articles", (r.stdout + r.stderr)[-500:])
    for params in ({"q": word}, {"tag": tag}):
        got = facets_of(facets="tag", **params).json
        check(got["facets_counted"] == 1000 and got["facets_exact"] is False,
              "%r: 1,001 matches: facets_counted 1000, facets_exact false" % params,
              {k: got.get(k) for k in ("facets_counted", "facets_exact")})
        check(got["facets"]["tag"][:1] == [{"slug": "وسم-الحد", "name": tag, "count": 1000}],
              "%r: the tag of every match counted 1,000 times" % params, got["facets"]["tag"][:2])
    exact = facets_of(facets="tag", tag=tag, **{"from": "2021-01-01T00:01:00Z"}).json
    check(exact["facets_counted"] == 1000 and exact["facets_exact"] is True,
          "exactly 1,000 matches: all counted, facets_exact true", exact)
