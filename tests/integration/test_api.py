#!/usr/bin/env python3
"""test_api.py: black-box integration tests of khabar over HTTP, against a private PostgreSQL.

    python3 tests/integration/test_api.py --khabar build/khabar
    python3 tests/integration/test_api.py --khabar build/san/khabar   (ASan build)

Each section is a function; an exception in one is a FAIL and the next section runs.
Ends with "# N passed, M failed"; exit status 1 when anything failed.
Set KHABAR_TEST_KEEP=1 to keep the server logs (the temp dir is printed).
"""
import argparse
import datetime
import email.utils
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
from harness import (CORS_ORIGIN, MAX_BODY_BYTES, REPO_ROOT, TOKEN_1, TOKEN_2,  # noqa: E402
                     Harness, HarnessError, check, log, raw, request, run_section)

H = None  # the Harness

PESKOV_TITLE = "بيسكوف: الاستعدادات جارية لزيارة بوتين إلى كوريا الشمالية"
PESKOV_SLUG = "بيسكوف-الاستعدادات-جارية-لزيارة-بوتين-إلى-كوريا-الشمالية"
KOREA_KEHEH = "کوریا الشمالیة"  # Persian Keheh U+06A9 and Farsi Yeh U+06CC
KOREA_ARABIC = "كوريا الشمالية"
KOREA_SLUG = "كوريا-الشمالية"

RFC3339_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$")
SQL_MARKERS = ("SELECT", "INSERT", "ERROR:", "pq")

# Things the sections share (filled as they run).
STATE = {}


# ---------------------------------------------------------------------------------------
# helpers

def persian(s):
    """The same text with Persian Keheh and Farsi Yeh instead of Arabic Kaf and Yeh."""
    return s.replace("\u0643", "\u06a9").replace("\u064a", "\u06cc")


def parse_ts(s):
    """An RFC 3339 timestamp (any offset) as an aware datetime."""
    m = re.match(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$", s)
    if not m:
        raise ValueError("not RFC 3339: %r" % s)
    frac = (m.group(2) or ".0")[1:7].ljust(6, "0")
    off = "+00:00" if m.group(3) == "Z" else m.group(3)
    return datetime.datetime.fromisoformat(m.group(1) + "." + frac + off)


def is_strong_etag(v):
    return bool(v) and not v.startswith("W/") and len(v) >= 3 and v[0] == '"' and v[-1] == '"'


def qs(**params):
    """A query string with UTF-8 percent-encoding (spaces as %20, never '+')."""
    return urllib.parse.urlencode(params, quote_via=urllib.parse.quote)


def get_json(path, **kw):
    r = request("GET", path, **kw)
    if r.status != 200 or not isinstance(r.json, (dict, list)):
        raise AssertionError("GET %s: %s" % (path, r.brief()))
    return r.json


def create(obj, token=TOKEN_1, name=None):
    """POSTs an article that must be created; returns the Response (raises if not 201)."""
    r = request("POST", "/v1/articles", body=obj, token=token)
    if r.status != 201 or not isinstance(r.json, dict) or "id" not in r.json:
        raise AssertionError("creating %s: %s" % (name or repr(obj)[:80], r.brief()))
    return r


def art(title, body="نص المقال للاختبار.", **fields):
    d = {"title": title, "body": body}
    d.update(fields)
    return d


def get_article(ident):
    return get_json("/v1/articles/%s" % ident)


def list_all(path="/v1/articles", limit=100, **params):
    """Every item of a paged collection, following next_cursor."""
    items = []
    cursor = None
    for _ in range(1000):
        p = dict(params)
        if limit:
            p["limit"] = limit
        if cursor:
            p["cursor"] = cursor
        sep = "&" if "?" in path else "?"
        r = request("GET", path + (sep + qs(**p) if p else ""), encoded=True)
        if r.status != 200 or not isinstance(r.json, dict) or not isinstance(r.json.get("data"), list):
            raise AssertionError("listing %s: %s" % (path, r.brief()))
        items.extend(r.json["data"])
        cursor = r.json.get("next_cursor")
        if not cursor:
            return items
    raise AssertionError("listing %s: more than 1000 pages" % path)


def count_articles():
    return len(list_all())


def error_fields(js):
    if not isinstance(js, dict) or not isinstance(js.get("errors"), list):
        return []
    return [e.get("field") for e in js["errors"] if isinstance(e, dict)]


def names_field(js, field):
    """True when the problem's errors[] name field (exactly, or field[i] / field.x)."""
    for f in error_fields(js):
        if isinstance(f, str) and (f == field or f.startswith(field + "[") or f.startswith(field + ".")):
            return True
    return False


def problem_issues(r):
    """What is wrong with r as an RFC 9457 problem answer (empty list when fine)."""
    issues = []
    ct = r.header("content-type")
    if not ct.startswith("application/problem+json"):
        issues.append("Content-Type %r" % ct)
    js = r.json
    if not isinstance(js, dict):
        issues.append("body is not a JSON object: %r" % r.body[:200])
    else:
        for k in ("type", "title", "status", "detail"):
            if k not in js:
                issues.append("no %r" % k)
        if js.get("status") != r.status:
            issues.append("status member %r != HTTP %d" % (js.get("status"), r.status))
        if "type" in js and not isinstance(js["type"], str):
            issues.append("type not a string")
        if "errors" in js:
            errs = js["errors"]
            if not isinstance(errs, list) or not all(
                    isinstance(e, dict) and isinstance(e.get("field"), str) and isinstance(e.get("message"), str)
                    and e.get("message") for e in errs):
                issues.append("errors[] items must be {field, message}: %r" % (errs,))
    text = r.text
    for marker in SQL_MARKERS:
        if marker in text:
            issues.append("internal text %r in body" % marker)
    if "\\u06" in text:
        issues.append("Arabic escaped as \\u06..")
    if not r.header("x-request-id"):
        issues.append("no X-Request-Id")
    if "no-store" not in r.header("cache-control"):
        issues.append("Cache-Control %r lacks no-store" % r.header("cache-control"))
    return issues


def expect_problem(r, status, name, ptype=None, field=None):
    """Checks r is a problem answer with this status (and type suffix, and errors[] naming field)."""
    ok = check(r.status == status, "%s -> %d" % (name, status), r.brief())
    if ptype is not None:
        types = ptype if isinstance(ptype, tuple) else (ptype,)
        t = r.json.get("type") if isinstance(r.json, dict) else None
        check(isinstance(t, str) and any(t == p or t.endswith(p) for p in types),
              "%s: problem type %s" % (name, " or ".join(types)), "type %r; %s" % (t, r.brief(200)))
    issues = problem_issues(r)
    check(not issues, "%s: well-formed problem+json" % name, "; ".join(issues))
    if field is not None:
        check(names_field(r.json, field), "%s: errors[] names field %r" % (name, field),
              "fields %r; %s" % (error_fields(r.json), r.brief(300)))
    return ok


def expect_no_body(r, name):
    check(r.body == b"", "%s: no body bytes" % name, "got %r" % r.body[:200])


# ---------------------------------------------------------------------------------------
# sections

def sec_cli():
    r = H.run_cli(["--help"])
    out = r.stdout + r.stderr
    check(r.returncode == 0, "khabar --help exits 0", "exit %d: %s" % (r.returncode, out[-500:]))
    for word in ("serve", "migrate", "import"):
        check(word in out, "khabar --help mentions %s" % word, out[-800:])
    r = H.run_cli(["--version"])
    out = r.stdout + r.stderr
    check(r.returncode == 0 and out.strip() != "", "khabar --version exits 0 and prints a version",
          "exit %d: %r" % (r.returncode, out[-300:]))
    r = H.run_cli(["frobnicate"])
    out = r.stdout + r.stderr
    check(r.returncode != 0, "unknown subcommand exits non-zero", "exit %d: %r" % (r.returncode, out[-300:]))
    check(out.strip() != "", "unknown subcommand says something", "no output")
    r = H.run_cli(["migrate"])
    check(r.returncode == 0, "khabar migrate a second time exits 0 (idempotent)",
          "exit %d: %s" % (r.returncode, (r.stdout + r.stderr)[-800:]))
    r = H.run_cli(["import", os.path.join(H.workdir, "does-not-exist.ndjson")])
    check(r.returncode != 0, "khabar import of a missing file exits non-zero",
          "exit %d: %s" % (r.returncode, (r.stdout + r.stderr)[-300:]))


psql = harness.psql


def sec_migrations():
    url = H.pg.url
    # two instances migrating one new database at once: the advisory lock serializes them
    other = url.rsplit("/", 1)[0] + "/khabar_race"
    psql(url, "DROP DATABASE IF EXISTS khabar_race")
    psql(url, "CREATE DATABASE khabar_race")
    env = dict(H.env(), DATABASE_URL=other)
    procs = [subprocess.Popen([H.khabar, "migrate"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True) for _ in range(3)]
    outs = [p.communicate(timeout=120)[0] for p in procs]
    check(all(p.returncode == 0 for p in procs), "three `khabar migrate` at once on a new database all exit 0",
          " | ".join(outs))
    applied = sum(o.count("applied ") for o in outs)
    check(applied == int(psql(other, "SELECT count(*) FROM schema_migrations")),
          "each migration was applied by exactly one of them", " | ".join(outs))
    # a migration changed after it was applied is refused, with a message that says so
    psql(other, "UPDATE schema_migrations SET checksum = 'x' || checksum WHERE version = '0001_articles.sql'")
    r = subprocess.run([H.khabar, "migrate"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=60)
    check(r.returncode != 0, "a changed applied migration makes `khabar migrate` fail", r.stdout + r.stderr)
    check("0001_articles.sql" in r.stderr and "changed" in r.stderr,
          "the refusal names the migration and says it was changed", r.stderr)
    srv_env = {"DATABASE_URL": other, "MIGRATE_ON_START": "1"}
    r = subprocess.run([H.khabar, "serve"], env=dict(env, **srv_env, PORT="0"), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=60)
    check(r.returncode != 0, "MIGRATE_ON_START=1 with a changed migration: serve refuses to start",
          "exit %d" % r.returncode)
    psql(url, "DROP DATABASE khabar_race")


def sec_seed():
    path = os.path.join(REPO_ROOT, "seed", "sample.ndjson")
    if not check(os.path.exists(path), "seed/sample.ndjson exists", path):
        return
    n0 = count_articles()
    r = H.run_cli(["import", path])
    out = r.stdout + r.stderr
    check(r.returncode == 0, "khabar import seed/sample.ndjson exits 0", "exit %d: %s" % (r.returncode, out[-800:]))
    items = list_all()
    check(len(items) == n0 + 2, "seed import adds 2 articles", "before %d, after %d" % (n0, len(items)))
    peskov = [a for a in items if a.get("title") == PESKOV_TITLE] or \
        [a for a in items if str(a.get("title", "")).startswith("بيسكوف")]
    if not check(len(peskov) == 1, "seed holds one Peskov article", [a.get("title") for a in items]):
        return
    a = get_article(peskov[0]["id"])
    STATE["peskov"] = a
    tags = a.get("tags") or []
    check(len(tags) == 7, "seed Peskov article has 7 tags", tags)
    korea = [t for t in tags if t.get("slug") == KOREA_SLUG]
    check(len(korea) == 1 and korea[0].get("name") == KOREA_KEHEH,
          "seed tag %s has slug %s and keeps its first spelling" % (KOREA_KEHEH, KOREA_SLUG), tags)
    check(a.get("sources") == ["تاس", "RT Arabic"], "seed Peskov sources are [تاس, RT Arabic] in order",
          a.get("sources"))
    check(a.get("published_at") == "2024-05-19T00:00:00Z", "seed Peskov published_at 2024-05-19T00:00:00Z",
          a.get("published_at"))
    rel = a.get("related") or []
    check(len(rel) == 1, "seed Peskov has one related article", rel)
    if rel:
        other = rel[0]
        check(set(other) >= {"id", "slug", "title", "published_at"} and other.get("id") != a.get("id")
              and any(x.get("id") == other.get("id") for x in items),
              "seed related item is the other seed article with id, slug, title, published_at", other)
        check("ترامب" in str(other.get("title")), "seed related article is the Trump article", other)
    r = request("GET", "/v1/articles/" + PESKOV_SLUG)
    check(r.status == 200 and r.json.get("id") == a.get("id"),
          "seed Peskov article is found by the slug made from its title", r.brief(200))


def sec_ops():
    r = request("GET", "/healthz")
    check(r.status == 200 and isinstance(r.json, dict) and r.json.get("status") == "ok",
          "GET /healthz -> 200 {\"status\":\"ok\"}", r.brief())
    check(bool(r.header("x-request-id")), "/healthz has X-Request-Id", r.headers)
    r = request("GET", "/readyz")
    check(r.status == 200, "GET /readyz -> 200", r.brief())
    r = request("GET", "/metrics")
    check(r.status == 200, "GET /metrics -> 200", r.brief())
    check(r.header("content-type").startswith("text/plain"), "/metrics is text/plain", r.header("content-type"))
    check(b"khabar_http_requests_total" in r.body, "/metrics has khabar_http_requests_total", r.brief(600))
    r = request("GET", "/openapi.yaml")
    check(r.status == 200 and r.body.startswith(b"openapi: 3.1"), "GET /openapi.yaml -> 200 starting 'openapi: 3.1'",
          r.brief(100))
    r = request("HEAD", "/healthz")
    check(r.status == 200, "HEAD /healthz -> 200", r.brief())


def sec_auth():
    n0 = count_articles()
    body = art("اختبار الصلاحيات والرموز")
    r = request("POST", "/v1/articles", body=body)
    expect_problem(r, 401, "POST without Authorization", "/problems/unauthorized")
    check(r.header("www-authenticate").startswith("Bearer"), "401 has WWW-Authenticate: Bearer...",
          r.header("www-authenticate"))
    r = request("POST", "/v1/articles", body=body, token="test-token-3")
    expect_problem(r, 401, "POST with a wrong token", "/problems/unauthorized")
    check(r.header("www-authenticate").startswith("Bearer"), "wrong token 401 has WWW-Authenticate: Bearer",
          r.header("www-authenticate"))
    r = request("POST", "/v1/articles", body=body, token="test-token-1x")
    expect_problem(r, 401, "POST with a token that extends a good one")
    r = request("POST", "/v1/articles", body=body, token="")
    expect_problem(r, 401, "POST with an empty bearer token")
    r = request("POST", "/v1/articles", body=body, headers={"Authorization": "Basic dGVzdDp0ZXN0LXRva2VuLTE="})
    expect_problem(r, 401, "POST with Basic credentials")
    r = request("POST", "/v1/articles", body=body, headers={"Authorization": TOKEN_1})
    expect_problem(r, 401, "POST with a token but no Bearer scheme")
    check(count_articles() == n0, "refused writes created nothing", "before %d" % n0)

    r = request("POST", "/v1/articles", body=body, token=TOKEN_2)
    check(r.status == 201, "POST with test-token-2 -> 201", r.brief())
    a = r.json if r.status == 201 else create(art("اختبار الصلاحيات بديل"))
    r = request("POST", "/v1/articles", body=art("اختبار مخطط المصادقة بحروف صغيرة"),
                headers={"Authorization": "bearer " + TOKEN_1})
    check(r.status == 201, "auth scheme is case-insensitive ('bearer ...') -> 201 (RFC 9110 11.1)", r.brief())

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
        hdrs = {"Content-Type": "application/merge-patch+json"} if method == "PATCH" else None
        r = request(method, path, body=b, headers=hdrs)
        expect_problem(r, 401, "%s %s without token" % (method, path.replace(str(aid), "{id}")),
                       "/problems/unauthorized")
        check(r.header("www-authenticate").startswith("Bearer"),
              "%s without token has WWW-Authenticate" % method, r.header("www-authenticate"))
    now = get_article(aid)
    check(now.get("version") == 1 and now.get("title") == a["title"] and now.get("related") == [],
          "refused writes left the article unchanged", now)
    for path in ("/v1/articles", "/v1/articles/%d" % aid, "/v1/tags", "/v1/sources",
                 "/v1/articles/%d/related" % aid):
        r = request("GET", path)
        check(r.status == 200, "GET %s needs no token" % path, r.brief())


def sec_create():
    payload = {
        "title": "روسيا تعلن عن مناورات جديدة في بحر البلطيق",
        "summary": "أعلنت وزارة الدفاع الروسية عن مناورات بحرية.",
        "body": "الفقرة الأولى.\nالفقرة الثانية.",
        "lang": "ar",
        "published_at": "2024-05-19T03:00:00+03:00",
        "sources": ["تاس", "RT Arabic"],
        "tags": ["موسكو", "الكرملين", "بيونغ يانغ"],
    }
    r = request("POST", "/v1/articles", body=payload, token=TOKEN_1)
    if not check(r.status == 201, "POST /v1/articles -> 201", r.brief()):
        raise AssertionError("cannot go on without a created article")
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
    STATE["full"] = a
    STATE["full_etag"] = etag

    loc = r.header("location")
    path = urllib.parse.urlsplit(loc).path if loc else "/v1/articles/%s" % aid
    g = request("GET", path, encoded=True)
    check(g.status == 200 and g.json == a, "GET Location gives the same article", g.brief())
    check(g.header("etag") == etag, "GET ETag equals the ETag of the 201", "%r vs %r" % (g.header("etag"), etag))

    before = datetime.datetime.now(datetime.timezone.utc)
    r = create(art("مقال بالحد الأدنى من الحقول"))
    m = r.json
    check(m.get("summary", "missing") is None, "absent summary is null", m.get("summary", "missing"))
    check(m.get("lang") == "ar" and m.get("dir") == "rtl", "lang defaults to ar (dir rtl)",
          (m.get("lang"), m.get("dir")))
    check(m.get("tags") == [] and m.get("sources") == [] and m.get("related") == [],
          "absent tags/sources/related are []", m)
    try:
        pub, created = parse_ts(m["published_at"]), parse_ts(m["created_at"])
        ok = abs((pub - created).total_seconds()) <= 2 and abs((pub - before).total_seconds()) <= 300 \
            and m["published_at"].endswith("Z")
    except (KeyError, ValueError) as e:
        ok, pub = False, e
    check(ok, "published_at defaults to the creation time", (m.get("published_at"), m.get("created_at")))

    for lang, d in (("en", "ltr"), ("fa", "rtl"), ("ur", "rtl"), ("he", "rtl"), ("ar-EG", "rtl"), ("en-US", "ltr")):
        title = "Article in %s" % lang if d == "ltr" else "مقال بلغة %s" % lang
        r = request("POST", "/v1/articles", body=art(title, lang=lang), token=TOKEN_1)
        check(r.status == 201 and r.json.get("lang") == lang and r.json.get("dir") == d,
              "lang %s -> dir %s" % (lang, d), r.brief(300))
        if lang == "en":
            STATE["english"] = r.json

    r = request("POST", "/v1/articles", body=json.dumps(art("مقال مع ترميز صريح"), ensure_ascii=False),
                headers={"Content-Type": "application/json; charset=utf-8"}, token=TOKEN_1)
    check(r.status == 201, "Content-Type application/json; charset=utf-8 is accepted", r.brief())


def sec_slugs():
    pre = request("GET", "/v1/articles/" + PESKOV_SLUG)
    exists = pre.status == 200
    expected = [PESKOV_SLUG + "-2", PESKOV_SLUG + "-3", PESKOV_SLUG + "-4"] if exists else \
        [PESKOV_SLUG, PESKOV_SLUG + "-2", PESKOV_SLUG + "-3"]
    got = [create(art(PESKOV_TITLE)).json.get("slug") for _ in range(3)]
    check(got == expected, "same title gives slug, slug-2, slug-3", "got %r expected %r" % (got, expected))
    if not exists:
        STATE.setdefault("peskov", get_article(PESKOV_SLUG))

    cases = [
        ("الـــسلامُ عليكمْ: يا «أصدقاء»، مرحباً!", "السلام-عليكم-يا-أصدقاء-مرحبا",
         "tashkeel, tatweel and punctuation dropped"),
        ("\u0627\u0653خر   أخبار   اليوم", "آخر-أخبار-اليوم", "NFC first (alef + madda -> آ), spaces folded"),
        ("Putin يزور Pyongyang اليوم", "putin-يزور-pyongyang-اليوم", "Latin words lower-cased"),
    ]
    for title, slug, what in cases:
        r = create(art(title))
        check(r.json.get("slug") == slug, "slug: %s" % what, "%r -> %r, expected %r" % (title, r.json.get("slug"), slug))

    words = ["كلمة%d" % i for i in range(60)]
    long_title = " ".join(words)
    full = "-".join(words)
    s1 = create(art(long_title)).json.get("slug", "")
    check(0 < len(s1) <= 120 and full.startswith(s1) and (len(s1) == len(full) or full[len(s1)] == "-"),
          "long title: slug at most 120 characters, cut at a word boundary", "%d chars: %r" % (len(s1), s1))
    s2 = create(art(long_title)).json.get("slug", "")
    check(len(s2) <= 120 and s2.endswith("-2") and s2 != s1, "long title again: -2 suffix within 120 characters",
          "%d chars: %r" % (len(s2), s2))

    r = create(art("!!! ؟؟؟ ...", body="عنوان بلا حروف"))
    check(isinstance(r.json.get("slug"), str) and r.json["slug"].strip("-") != "",
          "a title with no letters still gets a non-empty slug", r.json.get("slug"))

    n0 = count_articles()
    own = "كتاب-يومي-مخصص-للاختبار"
    r = request("POST", "/v1/articles", body=art("عنوان مع رابط مخصص", slug=own), token=TOKEN_1)
    check(r.status == 201 and r.json.get("slug") == own, "client-given slug is kept", r.brief())
    STATE["own_slug_article"] = r.json
    r = request("POST", "/v1/articles", body=art("عنوان آخر بنفس الرابط", slug=own), token=TOKEN_1)
    expect_problem(r, 409, "client slug that clashes", "/problems/slug-conflict")
    r = request("POST", "/v1/articles", body=art("عنوان ثالث برابط مشابه", slug=persian(own)), token=TOKEN_1)
    expect_problem(r, 409, "client slug that clashes only by Keheh/Farsi Yeh variants", "/problems/slug-conflict")
    check(count_articles() == n0 + 1, "409s created nothing", "expected %d" % (n0 + 1))


def sec_get():
    a = STATE["full"]
    aid = a["id"]
    r = request("GET", "/v1/articles/%d" % aid)
    check(r.status == 200 and r.json == a, "GET /v1/articles/{id} -> 200, same as created", r.brief())
    etag = r.header("etag")
    check(is_strong_etag(etag) and etag == STATE["full_etag"], "GET has the strong ETag of the 201", etag)
    check("public" in r.header("cache-control"), "GET article has Cache-Control public", r.header("cache-control"))
    lm = r.header("last-modified")
    try:
        lmd = email.utils.parsedate_to_datetime(lm)
        upd = parse_ts(a["updated_at"]).replace(microsecond=0)
        ok = lm.endswith("GMT") and abs((lmd - upd).total_seconds()) <= 1
    except (TypeError, ValueError, KeyError):
        ok = False
    check(ok, "Last-Modified is an HTTP date equal to updated_at", "%r vs %r" % (lm, a.get("updated_at")))
    get_len = len(r.body)

    r = raw("GET", "/v1/articles/%d" % aid, headers={"If-None-Match": etag})
    check(r.status == 304, "If-None-Match with the ETag -> 304", r.brief())
    expect_no_body(r, "304")
    check(bool(r.header("x-request-id")), "304 has X-Request-Id", r.headers)
    check(r.header("etag") == etag, "304 repeats the ETag", r.header("etag"))
    r = raw("GET", "/v1/articles/%d" % aid, headers={"If-None-Match": '"nope-1", %s' % etag})
    check(r.status == 304, "If-None-Match with a list holding the ETag -> 304", r.brief())
    r = request("GET", "/v1/articles/%d" % aid, headers={"If-None-Match": '"nope-1"'})
    check(r.status == 200 and r.json == a, "If-None-Match with another ETag -> 200", r.brief())

    r = raw("HEAD", "/v1/articles/%d" % aid)
    check(r.status == 200, "HEAD /v1/articles/{id} -> 200", r.brief())
    expect_no_body(r, "HEAD")
    check(r.header("etag") == etag, "HEAD has the same ETag", r.header("etag"))
    cl = r.header("content-length")
    check(cl == "" or cl == str(get_len), "HEAD Content-Length equals the GET body length", "%r vs %d" % (cl, get_len))
    check(bool(r.header("x-request-id")), "HEAD has X-Request-Id", r.headers)

    r = request("GET", "/v1/articles/999999999")
    expect_problem(r, 404, "GET unknown id", "/problems/not-found")
    r = request("GET", "/v1/articles/99999999999999999999999999")
    check(r.status in (400, 404), "GET an id that overflows 64 bits -> 400 or 404, not 500", r.brief())
    check(not problem_issues(r), "overflowing id answer is a problem", "; ".join(problem_issues(r)))
    r = request("GET", "/v1/articles/لا-يوجد-مقال-بهذا-الرابط")
    expect_problem(r, 404, "GET unknown slug", "/problems/not-found")

    r = request("GET", "/v1/articles/" + a["slug"])
    check(r.status == 200 and r.json.get("id") == aid, "GET by percent-encoded slug", r.brief(200))
    r = raw("GET", "/v1/articles/" + a["slug"])
    check(r.status == 200 and isinstance(r.json, dict) and r.json.get("id") == aid,
          "GET by slug with raw UTF-8 bytes in the request line", r.brief(200))

    p = STATE.get("peskov") or get_article(PESKOV_SLUG)
    pid = p["id"]
    variants = [
        ("Keheh/Farsi Yeh", persian(PESKOV_SLUG)),
        ("alef without hamza", PESKOV_SLUG.replace("إلى", "الى")),
        ("tashkeel added", PESKOV_SLUG.replace("بيسكوف", "بِيسْكُوف").replace("الشمالية", "الشَّمالِيّة")),
        ("alef maksura as Farsi Yeh", PESKOV_SLUG.replace("إلى", "إلی")),
    ]
    for what, slug in variants:
        r = request("GET", "/v1/articles/" + slug)
        check(r.status == 200 and r.json.get("id") == pid, "GET slug variant (%s), percent-encoded" % what,
              r.brief(200))
    r = raw("GET", "/v1/articles/" + persian(PESKOV_SLUG))
    check(r.status == 200 and isinstance(r.json, dict) and r.json.get("id") == pid,
          "GET slug variant (Keheh/Farsi Yeh) with raw UTF-8", r.brief(200))


def sec_list():
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

    # Paging over a tag: no skip, no repeat, while new articles are published in between.
    tag = "صفحات كتيب"
    tag_slug = "صفحات-كتيب"
    times = ["2010-01-05T12:00:00Z", "2010-01-04T12:00:00Z", "2010-01-03T12:00:00Z", "2010-01-03T12:00:00Z",
             "2010-01-01T12:00:00Z"]
    ids = []
    for i, t in enumerate(times):
        srcs = ["وكالة الترقيم"] if i < 2 else []
        ids.append(create(art("مقال الترقيم رقم %d" % (i + 1), tags=[tag], sources=srcs, published_at=t)).json["id"])
    seen = []
    r = request("GET", "/v1/articles?" + qs(tag=tag_slug, limit=2), encoded=True)
    check(r.status == 200 and len(r.json.get("data", [])) == 2, "tag page 1 has 2 items", r.brief())
    seen += [i["id"] for i in r.json.get("data", [])]
    cursor = r.json.get("next_cursor")
    link = r.header("link")
    check(bool(cursor) and 'rel="next"' in link, "tag page 1 has next_cursor and Link rel=next", (cursor, link))
    create(art("مقال ترقيم جديد في الأعلى", tags=[tag]))
    create(art("مقال ترقيم جديد في الوسط", tags=[tag], published_at="2010-01-02T12:00:00Z"))
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

    got = [i["id"] for i in list_all(tag=tag_slug)]
    check(set(ids) <= set(got) and len(got) == 7, "tag filter by slug gives the tag's 7 articles", got)
    got2 = [i["id"] for i in list_all(tag=persian(tag))]
    check(sorted(got2) == sorted(got), "tag filter by name with Keheh/Farsi Yeh variants gives the same", got2)
    got = [i["id"] for i in list_all(source="وكالة الترقيم")]
    check(sorted(got) == sorted(ids[:2]), "source filter", "%r vs %r" % (got, ids[:2]))
    got = [i["id"] for i in list_all(tag=tag_slug, **{"from": "2010-01-03T00:00:00Z", "to": "2010-01-04T00:00:00Z"})]
    check(sorted(got) == sorted(ids[2:4]), "from/to bounds on published_at", "%r vs %r" % (got, ids[2:4]))
    got = [i["id"] for i in list_all(tag=tag_slug, **{"from": "2010-01-03T03:00:00+03:00",
                                                       "to": "2010-01-04T03:00:00+03:00"})]
    check(sorted(got) == sorted(ids[2:4]), "from/to accept an RFC 3339 offset", "%r vs %r" % (got, ids[2:4]))
    r = request("GET", "/v1/articles?from=yesterday")
    expect_problem(r, 400, "from=yesterday", "/problems/invalid-parameter")
    en = STATE.get("english")
    if en:
        got = list_all(lang="en")
        gids = [i["id"] for i in got]
        check(en["id"] in gids and not set(ids) & set(gids) and all(i.get("lang", "en") == "en" for i in got),
              "lang=en filter", gids)

    # Search (Arabic-aware).
    q1 = create(art("مهرجان الزيتون السنوي في جنين",
                    body="احتفل المزارعون بموسم قطف الزيتون وأعدوا كعكة كبيرة للزوار.")).json
    for what, q in (("same word", "الزيتون"), ("without ال", "زيتون"), ("with و+ال", "والزيتون"),
                    ("with tashkeel", "الزَّيْتُون"), ("Keheh/Farsi Yeh variant", "کعکة")):
        r = request("GET", "/v1/articles?" + qs(q=q), encoded=True)
        data = r.json.get("data", []) if isinstance(r.json, dict) else []
        hit = [i for i in data if i.get("id") == q1["id"]]
        check(r.status == 200 and len(hit) == 1, "q search finds the article (%s)" % what, r.brief(300))
        if what == "same word" and hit:
            check(isinstance(hit[0].get("snippet"), str) and hit[0]["snippet"] != "", "q results carry a snippet",
                  hit[0])
    r = request("GET", "/v1/articles?" + qs(q="ذظغضثقصف"), encoded=True)
    check(r.status == 200 and r.json.get("data") == [], "q with no match gives data []", r.brief(200))


def sec_put():
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

    r = request("PUT", "/v1/articles/%d" % aid, body=art("تعديل متأخر"), token=TOKEN_1, headers={"If-Match": etag0})
    expect_problem(r, 412, "PUT with a stale If-Match", "/problems/precondition-failed")
    now = get_article(aid)
    check(now.get("version") == 2 and now.get("title") == "عنوان مستبدل تماما", "412 changed nothing", now)
    r = request("PUT", "/v1/articles/%d" % aid, body=art("تعديل بالشرط الصحيح"), token=TOKEN_1,
                headers={"If-Match": etag1})
    check(r.status == 200 and r.json.get("version") == 3, "PUT with the current If-Match -> 200, version 3",
          r.brief())

    r = request("PUT", "/v1/articles/%d" % aid, body=art("عنوان برابط جديد", slug="رابط-جديد-بعد-الاستبدال"),
                token=TOKEN_1)
    check(r.status == 200 and r.json.get("slug") == "رابط-جديد-بعد-الاستبدال", "PUT with a new slug changes it",
          r.brief())
    r = request("GET", "/v1/articles/رابط-جديد-بعد-الاستبدال")
    check(r.status == 200 and r.json.get("id") == aid, "the new slug finds the article", r.brief(200))

    version = get_article(aid).get("version")
    own = STATE.get("own_slug_article", {}).get("slug") or PESKOV_SLUG
    r = request("PUT", "/v1/articles/%d" % aid, body=art("عنوان", slug=own), token=TOKEN_1)
    expect_problem(r, 409, "PUT with another article's slug", "/problems/slug-conflict")
    r = request("PUT", "/v1/articles/%d" % aid, body={"title": "بلا نص"}, token=TOKEN_1)
    expect_problem(r, 422, "PUT without body", field="body")
    r = request("PUT", "/v1/articles/%d" % aid, body=json.dumps(art("نص")).encode(), token=TOKEN_1)
    expect_problem(r, 415, "PUT without Content-Type", "/problems/unsupported-media-type")
    check(get_article(aid).get("version") == version, "rejected PUTs changed nothing", version)
    r = request("PUT", "/v1/articles/999999999", body=art("لا يوجد"), token=TOKEN_1)
    expect_problem(r, 404, "PUT unknown id", "/problems/not-found")


def get_etag(aid):
    r = request("GET", "/v1/articles/%d" % aid)
    if r.status != 200:
        raise AssertionError("GET %d: %s" % (aid, r.brief()))
    return r.header("etag")


MERGE = {"Content-Type": "application/merge-patch+json"}


def patch(aid, obj, headers=None, token=TOKEN_1):
    h = dict(MERGE)
    h.update(headers or {})
    return request("PATCH", "/v1/articles/%d" % aid, body=json.dumps(obj, ensure_ascii=False), headers=h, token=token)


def sec_patch():
    a = create(art("مقال للتعديل الجزئي", body="النص الأصلي", summary="ملخص أصلي", tags=["وسم أول", "وسم ثان"],
                   sources=["مصدر التعديل"], published_at="2023-01-01T00:00:00Z")).json
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

    r = patch(aid, {"title": None})
    expect_problem(r, 422, "PATCH title: null", field="title")
    r = patch(aid, {"foo": 1})
    expect_problem(r, 422, "PATCH unknown field", field="foo")
    r = request("PATCH", "/v1/articles/%d" % aid, body=b'{"title": ', headers=MERGE, token=TOKEN_1)
    expect_problem(r, 400, "PATCH malformed JSON", "/problems/malformed-json")
    r = request("PATCH", "/v1/articles/%d" % aid, body=b'{"title": "x"}', headers={"Content-Type": "text/plain"},
                token=TOKEN_1)
    expect_problem(r, 415, "PATCH with text/plain", "/problems/unsupported-media-type")
    r = patch(aid, {"title": "تعديل متأخر"}, headers={"If-Match": etag0})
    expect_problem(r, 412, "PATCH with a stale If-Match", "/problems/precondition-failed")
    now = get_article(aid)
    check(now.get("version") == version and now.get("title") == "عنوان معدل جزئيا", "rejected PATCHes changed nothing",
          now)
    r = patch(aid, {"summary": "ملخص جديد"}, headers={"If-Match": get_etag(aid)})
    check(r.status == 200 and r.json.get("version") == version + 1 and r.json.get("summary") == "ملخص جديد",
          "PATCH with the current If-Match -> 200", r.brief())
    r = patch(aid, {"slug": "رابط-معدل-بالترقيع"})
    check(r.status == 200 and r.json.get("slug") == "رابط-معدل-بالترقيع", "PATCH with a new slug changes it",
          r.brief())
    r = request("GET", "/v1/articles/رابط-معدل-بالترقيع")
    check(r.status == 200 and r.json.get("id") == aid, "the patched slug finds the article", r.brief(200))
    r = patch(999999999, {"title": "لا يوجد"})
    expect_problem(r, 404, "PATCH unknown id", "/problems/not-found")


def sec_delete():
    tag = "وسم الحذف التجريبي"
    tag_slug = "وسم-الحذف-التجريبي"
    x = create(art("مقال سيحذف", tags=[tag])).json
    y = create(art("مقال يشير إلى المحذوف", related=[x["id"]])).json
    check([i.get("id") for i in y.get("related", [])] == [x["id"]], "article created with related [x]", y)
    t = get_json("/v1/tags/" + tag_slug)
    check(t.get("article_count") == 1, "tag count 1 before delete", t)
    y_etag = get_etag(y["id"])

    r = request("DELETE", "/v1/articles/%d" % x["id"], token=TOKEN_1, headers={"If-Match": '"stale-0"'})
    expect_problem(r, 412, "DELETE with a non-matching If-Match", "/problems/precondition-failed")
    check(request("GET", "/v1/articles/%d" % x["id"]).status == 200, "412 DELETE deleted nothing", "")

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
    check(r.status == 200 and r.json.get("article_count") == 0, "the tag stays after delete, count 0", r.brief())


def sec_related():
    A = create(art("مقال المصدر للروابط")).json
    B = create(art("مقال الهدف الأول")).json
    C = create(art("مقال الهدف الثاني")).json
    a, b, c = A["id"], B["id"], C["id"]
    base = "/v1/articles/%d/related" % a
    r = request("GET", base)
    check(r.status == 200 and r.json == {"data": []}, "GET related of an unlinked article -> {data: []}", r.brief())
    check("public" in r.header("cache-control"), "GET related has Cache-Control public", r.header("cache-control"))
    etag0 = get_etag(a)
    r = raw("PUT", "%s/%d" % (base, b), headers={"Authorization": "Bearer " + TOKEN_1})
    check(r.status == 204, "PUT related link -> 204", r.brief())
    expect_no_body(r, "PUT related 204")
    r = request("PUT", "%s/%d" % (base, b), token=TOKEN_1)
    check(r.status == 204, "PUT the same link again -> 204 (idempotent)", r.brief())
    rel = get_json(base).get("data", [])
    check([i.get("id") for i in rel] == [b], "the link is there once", rel)
    check(rel and set(rel[0]) == {"id", "slug", "title", "published_at"} and rel[0].get("title") == B["title"]
          and rel[0].get("slug") == B["slug"], "related items are {id, slug, title, published_at}", rel)
    check([i.get("id") for i in get_article(a).get("related", [])] == [b], "GET article shows the link", "")
    check(get_etag(a) != etag0, "adding a link changes the article's ETag", etag0)
    r = request("PUT", "%s/%d" % (base, c), token=TOKEN_1)
    check(r.status == 204, "PUT a second link -> 204", r.brief())
    check(sorted(i.get("id") for i in get_json(base).get("data", [])) == sorted([b, c]), "two links listed", "")
    r = request("DELETE", "%s/%d" % (base, c), token=TOKEN_1)
    check(r.status == 204, "DELETE related link -> 204", r.brief())
    check([i.get("id") for i in get_json(base).get("data", [])] == [b], "link removed", "")
    r = request("DELETE", "%s/%d" % (base, c), token=TOKEN_1)
    expect_problem(r, 404, "DELETE a link that is gone", "/problems/not-found")
    r = request("DELETE", "/v1/articles/%d/related/%d" % (b, a), token=TOKEN_1)
    expect_problem(r, 404, "DELETE the reverse of a link (links are directional)", "/problems/not-found")
    r = request("PUT", "%s/%d" % (base, a), token=TOKEN_1)
    expect_problem(r, 422, "PUT a link from an article to itself")
    r = request("GET", "/v1/articles/999999999/related")
    expect_problem(r, 404, "GET related of a missing article", "/problems/not-found")
    r = request("PUT", "/v1/articles/999999999/related/%d" % a, token=TOKEN_1)
    expect_problem(r, 404, "PUT a link from a missing article", "/problems/not-found")
    r = request("PUT", "%s/999999999" % base, token=TOKEN_1)
    expect_problem(r, 404, "PUT a link to a missing article", "/problems/not-found")
    check([i.get("id") for i in get_json(base).get("data", [])] == [b], "refused link writes changed nothing", "")


def sec_related_input():
    B = create(art("مقال هدف لروابط الإدخال")).json
    C = create(art("مقال هدف ثان لروابط الإدخال")).json
    b, c = B["id"], C["id"]
    r = request("POST", "/v1/articles", body=art("مقال بروابط مرتبة", related=[c, B["slug"]]), token=TOKEN_1)
    check(r.status == 201 and [i.get("id") for i in r.json.get("related", [])] == [c, b],
          "POST related [id, slug] -> related in the order given", r.brief())
    r = request("POST", "/v1/articles", body=art("مقال بروابط معكوسة", related=[b, c]), token=TOKEN_1)
    check(r.status == 201 and [i.get("id") for i in r.json.get("related", [])] == [b, c],
          "POST related in another order keeps that order", r.brief())
    check(r.status == 201 and all(set(i) == {"id", "slug", "title", "published_at"} for i in r.json["related"]),
          "article related items are {id, slug, title, published_at}", r.brief())
    n0 = count_articles()
    r = request("POST", "/v1/articles", body=art("مقال برابط مفقود", related=[999999999]), token=TOKEN_1)
    expect_problem(r, 422, "POST related [unknown id]", field="related")
    r = request("POST", "/v1/articles", body=art("مقال برابط مفقود", related=["لا-يوجد-رابط-كهذا"]), token=TOKEN_1)
    expect_problem(r, 422, "POST related [unknown slug]", field="related")
    check(count_articles() == n0, "POST with unknown related created nothing", n0)


def sec_tags():
    first = create(art("مقال عن كوريا بالكاف العربية", tags=[KOREA_ARABIC])).json
    second = create(art("مقال عن كوريا بالكاف الفارسية", tags=[KOREA_KEHEH])).json
    t1, t2 = first.get("tags", []), second.get("tags", [])
    check(len(t1) == 1 and len(t2) == 1 and t1[0].get("slug") == KOREA_SLUG and t2[0].get("slug") == KOREA_SLUG,
          "both spellings of كوريا الشمالية give tag slug %s" % KOREA_SLUG, (t1, t2))
    check(t1 and t2 and t1[0].get("name") == t2[0].get("name") and t1[0].get("name") in (KOREA_KEHEH, KOREA_ARABIC),
          "both articles show one tag name", (t1, t2))
    if "peskov" in STATE:
        check(t1 and t1[0].get("name") == KOREA_KEHEH, "the tag keeps the first spelling seen (the seed's)", t1)

    c = create(art("كتاب أول", tags=["کتاب فارسی"])).json
    d = create(art("كتاب ثان", tags=["كتاب فارسي"])).json
    want = {"slug": "كتاب-فارسي", "name": "کتاب فارسی"}
    check(c.get("tags") == [want] and d.get("tags") == [want],
          "a new tag keeps its first spelling (Keheh) as name; the Arabic spelling joins it",
          (c.get("tags"), d.get("tags")))
    r = request("GET", "/v1/tags/كتاب-فارسي")
    check(r.status == 200 and isinstance(r.json, dict)
          and {k: r.json.get(k) for k in ("slug", "name", "article_count")} == dict(want, article_count=2),
          "GET /v1/tags/{slug} -> {slug, name, article_count}", r.brief())
    check("public" in r.header("cache-control"), "GET tag has Cache-Control public", r.header("cache-control"))
    for what, path in (("Keheh/Farsi Yeh slug", "کتاب-فارسی"), ("name with a space", "كتاب فارسي"),
                       ("Persian name with a space", "کتاب فارسی")):
        r = request("GET", "/v1/tags/" + path)
        check(r.status == 200 and r.json.get("slug") == "كتاب-فارسي" and r.json.get("article_count") == 2,
              "GET tag by %s (percent-encoded)" % what, r.brief())
    for what, path in (("slug", "كتاب-فارسي"), ("Keheh/Farsi Yeh slug", "کتاب-فارسی")):
        r = raw("GET", "/v1/tags/" + path)
        check(r.status == 200 and isinstance(r.json, dict) and r.json.get("slug") == "كتاب-فارسي",
              "GET tag by %s with raw UTF-8" % what, r.brief())
    r = request("GET", "/v1/tags/وسم-لا-وجود-له")
    expect_problem(r, 404, "GET unknown tag", "/problems/not-found")

    r = request("GET", "/v1/tags")
    check(r.status == 200 and isinstance(r.json, dict) and isinstance(r.json.get("data"), list),
          "GET /v1/tags -> 200 {data: [...]}", r.brief())
    check("next_cursor" in (r.json or {}), "tag list has next_cursor", list(r.json or {}))
    data = r.json.get("data", [])
    check(data and all(isinstance(t.get("slug"), str) and isinstance(t.get("name"), str)
                       and isinstance(t.get("article_count"), int) for t in data),
          "tag list items are {slug, name, article_count}", data[:2])
    counts = [t.get("article_count", 0) for t in data]
    check(counts == sorted(counts, reverse=True), "tag list is most used first", counts)
    korea = get_json("/v1/tags/" + KOREA_SLUG)
    top = counts[0] if counts else 0
    check(top >= korea.get("article_count", 0) >= 2, "tag counts make sense (Korea tag counted)", (top, korea))
    check("public" in r.header("cache-control"), "tag list has Cache-Control public", r.header("cache-control"))
    for what, q in (("Arabic prefix", "كتاب"), ("Keheh prefix", "کتا")):
        r = request("GET", "/v1/tags?" + qs(q=q), encoded=True)
        slugs = [t.get("slug") for t in (r.json or {}).get("data", [])]
        check(r.status == 200 and "كتاب-فارسي" in slugs and "موسكو" not in slugs,
              "GET /v1/tags?q= prefix match (%s)" % what, r.brief())


def sec_sources():
    src = "وكالة اختبار المصادر"
    create(art("مقال مصدر أول", sources=[src, "مصدر ثان للاختبار"]))
    create(art("مقال مصدر ثان", sources=[src]))
    r = request("GET", "/v1/sources")
    check(r.status == 200 and isinstance(r.json, dict) and isinstance(r.json.get("data"), list),
          "GET /v1/sources -> 200 {data: [...]}", r.brief())
    check("public" in r.header("cache-control"), "source list has Cache-Control public", r.header("cache-control"))
    items = list(r.json.get("data", []))
    cursor = r.json.get("next_cursor")
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
    check((by.get("تاس") or 0) >= 1 and (by.get("RT Arabic") or 0) >= 1, "تاس and RT Arabic are listed",
          (by.get("تاس"), by.get("RT Arabic")))


def sec_validation():
    n0 = count_articles()
    post = "/v1/articles"

    def send(body, headers=None):
        h = {"Content-Type": "application/json"}
        h.update(headers or {})
        if not isinstance(body, bytes):
            body = json.dumps(body, ensure_ascii=False).encode("utf-8")
        return request("POST", post, body=body, headers=h, token=TOKEN_1)

    expect_problem(send(b'{"title": "x", "body": '), 400, "malformed JSON", "/problems/malformed-json")
    expect_problem(send(b'{"title": "x", "body": "y"} trailing'), 400, "JSON with trailing garbage",
                   "/problems/malformed-json")
    expect_problem(send(b''), 400, "empty body", "/problems/malformed-json")
    expect_problem(send('{"title":"a","title":"b","body":"c"}'.encode()), 400, "duplicate keys",
                   "/problems/malformed-json")
    expect_problem(send(b'{"title":"\xd8\xa8\xff\xfe","body":"x"}'), 400, "invalid UTF-8 inside a JSON string",
                   ("/problems/invalid-utf8", "/problems/malformed-json"))
    r = send(b'{"title":"a\\u0000b","body":"x"}')
    check(r.status in (400, 422), "\\u0000 in a string -> 400 or 422", r.brief())
    deep = '{"title":"x","body":"y","tags":' + "[" * 40 + "]" * 40 + "}"
    expect_problem(send(deep.encode()), 400, "JSON nested 41 levels deep")
    expect_problem(send([]), 422, "body is an array, not an object")
    expect_problem(send("نص"), 422, "body is a string, not an object")

    ok = {"title": "عنوان صالح", "body": "نص صالح"}
    cases = [
        ("unknown field foo", dict(ok, foo=1), "foo"),
        ("read-only id", dict(ok, id=5), "id"),
        ("read-only version", dict(ok, version=1), "version"),
        ("title: 5", dict(ok, title=5), "title"),
        ("tags: \"x\"", dict(ok, tags="x"), "tags"),
        ("tags: [1]", dict(ok, tags=[1]), "tags"),
        ("related: [\"\", 1.5]", dict(ok, related=["", 1.5]), "related"),
        ("published_at: \"yesterday\"", dict(ok, published_at="yesterday"), "published_at"),
        ("published_at without offset", dict(ok, published_at="2024-05-19T03:00:00"), "published_at"),
        # regression: PostgreSQL refuses offsets past ±15:59 and answered a 500
        ("published_at with offset +16:00", dict(ok, published_at="2024-05-19T00:00:00+16:00"), "published_at"),
        ("published_at in year 0001", dict(ok, published_at="0001-01-01T00:00:00+01:00"), "published_at"),
        ("lang: 5", dict(ok, lang=5), "lang"),
        ("lang: \"not a tag!\"", dict(ok, lang="not a tag!"), "lang"),
        ("summary: 5", dict(ok, summary=5), "summary"),
        ("sources: \"x\"", dict(ok, sources="x"), "sources"),
        ("slug: 5", dict(ok, slug=5), "slug"),
        ("missing title", {"body": "نص"}, "title"),
        ("missing body", {"title": "عنوان"}, "body"),
        ("blank title", dict(ok, title="   "), "title"),
        ("blank body", dict(ok, body=" \n\t "), "body"),
        ("title null", dict(ok, title=None), "title"),
        ("title of 501 characters", dict(ok, title="خبر " * 124 + "خبراا"), "title"),
        ("summary of 2001 characters", dict(ok, summary="م" * 2001), "summary"),
    ]
    for what, body, field in cases:
        expect_problem(send(body), 422, "POST with " + what, field=field)
    r = send(dict(ok, title=5, lang=5, tags="x"))
    check(r.status == 422 and all(names_field(r.json, f) for f in ("title", "lang", "tags")),
          "one 422 names every bad field at once", "fields %r; %s" % (error_fields(r.json), r.brief(200)))
    expect_problem(request("POST", post, body=json.dumps(ok).encode(), headers={"Content-Type": "text/plain"},
                           token=TOKEN_1), 415, "Content-Type text/plain", "/problems/unsupported-media-type")
    expect_problem(request("POST", post, body=json.dumps(ok).encode(), token=TOKEN_1), 415, "no Content-Type",
                   "/problems/unsupported-media-type")
    check(count_articles() == n0, "rejected writes created nothing", "before %d" % n0)

    t500 = "خبر " * 124 + "خبرا"
    r = send(dict(ok, title=t500))
    check(r.status == 201 and r.json.get("title") == t500, "title of 500 Arabic characters -> 201", r.brief(200))
    if r.status == 201:
        check(len(r.json.get("slug", "")) <= 120, "slug of a 500-character title is at most 120 characters",
              len(r.json.get("slug", "")))
    r = send(dict(ok, title="ملخص بطول الحد", summary="م" * 2000))
    check(r.status == 201, "summary of 2000 characters -> 201", r.brief(200))
    check(count_articles() == n0 + 2, "the two valid posts were created", n0 + 2)


def sec_limits():
    n0 = count_articles()
    big = json.dumps(art("مقال كبير جدا", body="ب" * 40000), ensure_ascii=False).encode()
    check(len(big) > MAX_BODY_BYTES, "test body is over MAX_BODY_BYTES", len(big))
    hdrs = {"Authorization": "Bearer " + TOKEN_1, "Content-Type": "application/json"}
    r = raw("POST", "/v1/articles", headers=hdrs, body=big)
    expect_problem(r, 413, "body over MAX_BODY_BYTES with Content-Length", "/problems/body-too-large")
    r = raw("POST", "/v1/articles", headers=hdrs, body=big, chunked=True, chunk_size=8192)
    expect_problem(r, 413, "chunked body over MAX_BODY_BYTES", "/problems/body-too-large")
    small = json.dumps(art("مقال أرسل على دفعات", body="نص قصير أرسل مقطعا"), ensure_ascii=False).encode()
    r = raw("POST", "/v1/articles", headers=hdrs, body=small, chunked=True, chunk_size=10)
    check(r.status == 201 and isinstance(r.json, dict) and r.json.get("title") == "مقال أرسل على دفعات",
          "small chunked body -> 201", r.brief())
    if r.status == 201:
        check(get_article(r.json["id"]).get("body") == "نص قصير أرسل مقطعا", "chunked article stored whole", "")
    check(count_articles() == n0 + 1, "only the small chunked post was created", n0 + 1)
    r = request("GET", "/healthz")
    check(r.status == 200, "server still healthy after oversized bodies", r.brief())


def sec_errors():
    r = request("GET", "/nope")
    expect_problem(r, 404, "GET /nope")
    r = request("DELETE", "/v1/tags", token=TOKEN_1)
    expect_problem(r, 405, "DELETE /v1/tags")
    check("GET" in r.header("allow"), "405 Allow lists GET", r.header("allow"))
    r = request("POST", "/v1/articles/1/related", body=b"{}", headers={"Content-Type": "application/json"},
                token=TOKEN_1)
    expect_problem(r, 405, "POST /v1/articles/1/related")
    check("GET" in r.header("allow") and "POST" not in r.header("allow"), "405 Allow lists GET, not POST",
          r.header("allow"))
    r = request("PATCH", "/v1/tags/x", body=b"{}", headers=MERGE, token=TOKEN_1)
    expect_problem(r, 405, "PATCH /v1/tags/x")

    for what, method, path in (("200", "GET", "/v1/articles?limit=1"), ("404", "GET", "/v1/articles/999999999"),
                               ("405", "DELETE", "/v1/tags"), ("400", "GET", "/v1/articles?limit=0")):
        r = request(method, path, headers={"X-Request-Id": "abc-123"})
        check(r.header("x-request-id") == "abc-123", "sane X-Request-Id echoed on a %s" % what,
              r.header("x-request-id"))
    r = request("POST", "/v1/articles", body=art("مقال بمعرف طلب"), token=TOKEN_1, headers={"X-Request-Id": "abc-123"})
    check(r.status == 201 and r.header("x-request-id") == "abc-123", "sane X-Request-Id echoed on a 201",
          r.header("x-request-id"))
    a = request("GET", "/healthz").header("x-request-id")
    b = request("GET", "/healthz").header("x-request-id")
    check(a and b and a != b, "generated request ids differ", (a, b))
    for what, rid in (("300 characters", "a" * 300), ("spaces", "abc def ghi"), ("quotes and angle brackets",
                                                                                   '"><script>')):
        r = request("GET", "/healthz", headers={"X-Request-Id": rid})
        got = r.header("x-request-id")
        check(got and got != rid and len(got) <= 200 and not re.search(r"\s", got),
              "insane X-Request-Id (%s) replaced by a generated one" % what, repr(got))
    r = raw("GET", "/healthz", headers={"X-Request-Id": "abc\tdef"})
    got = r.header("x-request-id")
    check(r.status == 200 and got and got != "abc\tdef" and "\t" not in got and " " not in got,
          "X-Request-Id with a control character (tab) replaced", repr(got))


def sec_cors():
    o = {"Origin": CORS_ORIGIN}
    r = request("GET", "/v1/articles?limit=1", headers=o)
    check(r.header("access-control-allow-origin") == CORS_ORIGIN, "allowed Origin gets Access-Control-Allow-Origin",
          r.headers)
    expose = r.header("access-control-expose-headers").lower()
    for h in ("etag", "link", "location", "x-request-id"):
        check(h in expose, "Access-Control-Expose-Headers has %s" % h, expose)
    check("origin" in r.header("vary").lower(), "Vary has Origin", r.header("vary"))
    r = request("GET", "/v1/articles/999999999", headers=o)
    check(r.status == 404 and r.header("access-control-allow-origin") == CORS_ORIGIN,
          "errors carry CORS headers too (so the page can read the problem)", r.headers)

    pre = {"Origin": CORS_ORIGIN, "Access-Control-Request-Method": "POST",
           "Access-Control-Request-Headers": "authorization, content-type"}
    r = raw("OPTIONS", "/v1/articles", headers=pre)
    check(r.status == 204, "preflight OPTIONS /v1/articles -> 204", r.brief())
    check(r.header("access-control-allow-origin") == CORS_ORIGIN, "preflight allows the origin", r.headers)
    check("POST" in r.header("access-control-allow-methods"), "preflight Allow-Methods has POST", r.headers)
    allow_h = r.header("access-control-allow-headers").lower()
    check("authorization" in allow_h and ("content-type" in allow_h or allow_h.strip() == "*"),
          "preflight Allow-Headers allows Authorization and Content-Type", allow_h)
    check(bool(r.header("x-request-id")), "preflight has X-Request-Id", r.headers)
    pre2 = dict(pre, **{"Access-Control-Request-Method": "PATCH"})
    r = raw("OPTIONS", "/v1/articles/1", headers=pre2)
    check(r.status == 204 and "PATCH" in r.header("access-control-allow-methods"),
          "preflight OPTIONS /v1/articles/{id} for PATCH -> 204", r.brief())

    evil = {"Origin": "https://evil.example"}
    r = request("GET", "/v1/articles?limit=1", headers=evil)
    check(r.status == 200 and "access-control-allow-origin" not in r.headers,
          "unknown Origin gets no Access-Control-Allow-Origin", r.headers)
    check("origin" in r.header("vary").lower(), "Vary: Origin also when the origin is refused (shared caches)",
          r.header("vary"))
    r = raw("OPTIONS", "/v1/articles", headers=dict(pre, Origin="https://evil.example"))
    check("access-control-allow-origin" not in r.headers, "preflight from an unknown Origin is not allowed",
          r.headers)
    r = request("GET", "/v1/articles?limit=1")
    check("access-control-allow-origin" not in r.headers, "no Origin, no Access-Control-Allow-Origin", r.headers)


def sec_import():
    lines = [
        json.dumps(art("مقال الاستيراد الأول", tags=["وسم الاستيراد"]), ensure_ascii=False),
        json.dumps({"title": 5}),
        '{"title": "نص غير مكتمل", ',
        json.dumps(art("مقال الاستيراد الثاني"), ensure_ascii=False),
    ]
    fd, path = tempfile.mkstemp(suffix=".ndjson", dir=H.workdir)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    n0 = count_articles()
    r = H.run_cli(["import", path])
    out = r.stdout + "\n" + r.stderr
    log("import exit %d, output:\n%s" % (r.returncode, out.strip()[-1500:]))
    check(re.search(r"(?i)(loaded|imported|inserted|created|added)\D{0,30}\b2\b|\b2\b\D{0,30}"
                    r"(loaded|imported|inserted|created|added)", out) is not None,
          "import says 2 articles were loaded", out[-800:])
    for n in (2, 3):
        pat = re.compile(r"(?i)(line\s*#?\s*%d\b|:%d:|^\s*%d\s*:)" % (n, n, n))
        hits = [ln for ln in out.splitlines() if pat.search(ln)]
        check(any(len(pat.sub("", ln).strip(" :-")) >= 8 for ln in hits),
              "import names line %d with a reason" % n, out[-800:])
    check(count_articles() == n0 + 2, "import created 2 articles", n0)
    for slug in ("مقال-الاستيراد-الأول", "مقال-الاستيراد-الثاني"):
        r = request("GET", "/v1/articles/" + slug)
        check(r.status == 200 and r.json.get("slug") == slug, "imported article found by slug %s" % slug, r.brief(200))
    r = request("GET", "/v1/tags/وسم-الاستيراد")
    check(r.status == 200 and r.json.get("article_count") == 1, "imported tags are counted", r.brief())


def sec_log():
    text = H.server.log_text()
    lines = [ln for ln in text.splitlines() if ln.strip()]
    bad = []
    for ln in lines:
        try:
            if not isinstance(json.loads(ln), dict):
                bad.append(ln)
        except ValueError:
            bad.append(ln)
    check(lines and not bad, "LOG_FORMAT=json: every log line is a JSON object",
          "%d lines, not JSON: %r" % (len(lines), bad[:3]))
    check(TOKEN_1 not in text and TOKEN_2 not in text, "the log never shows the API tokens", "")


def sec_no_token_server():
    srv = H.start_server(unset=("API_TOKENS",), name="no-tokens")
    try:
        r = srv.request("POST", "/v1/articles", body=art("مقال بلا رموز"), token=TOKEN_1)
        expect_problem(r, 401, "server without API_TOKENS refuses a write", "/problems/unauthorized")
        r = srv.request("GET", "/v1/articles?limit=1")
        check(r.status == 200, "server without API_TOKENS still serves reads", r.brief())
        log_text = srv.log_text()
        check("API_TOKENS" in log_text, "server without API_TOKENS logs a warning naming API_TOKENS",
              srv.log_tail(10))
    finally:
        status, secs = srv.stop(30.0 if H.sanitized else 10.0)
        check(status == 0, "no-token server exits 0 after SIGTERM",
              "status %r after %.1f s; log tail:\n%s" % (status, secs, srv.log_tail(30)))


def sec_db_outage():
    some = STATE.get("full", {}).get("id", 1)
    rc, out = H.pg.stop()
    check(rc == 0, "pg.sh stop exits 0", out[-300:])
    try:
        r = request("GET", "/readyz")
        check(r.status == 503, "/readyz -> 503 while PostgreSQL is down", r.brief())
        r = request("GET", "/v1/articles/%d" % some)
        expect_problem(r, 503, "GET article while PostgreSQL is down", "/problems/database-unavailable")
        check(r.header("retry-after") != "", "503 has Retry-After", r.headers)
        r = request("GET", "/v1/articles")
        check(r.status == 503, "GET /v1/articles while PostgreSQL is down -> 503", r.brief())
        r = request("POST", "/v1/articles", body=art("مقال أثناء الانقطاع"), token=TOKEN_1)
        check(r.status == 503, "POST while PostgreSQL is down -> 503", r.brief())
        r = request("GET", "/healthz")
        check(r.status == 200, "/healthz still 200 while PostgreSQL is down", r.brief())
    finally:
        H.pg.start()
    deadline = time.monotonic() + 10
    status = None
    while time.monotonic() < deadline:
        try:
            status = request("GET", "/readyz", timeout=3).status
        except OSError as e:
            status = repr(e)
        if status == 200:
            break
        time.sleep(0.2)
    check(status == 200, "/readyz back to 200 within 10 s of PostgreSQL restarting", status)
    r = request("GET", "/v1/articles/%d" % some)
    check(r.status == 200, "articles served again after the database came back", r.brief())


def sec_shutdown():
    srv = H.server
    check(srv.alive(), "server still running before shutdown", "exit status %r" % (srv.proc.poll(),))
    limit = 30.0 if H.sanitized else 10.0
    status, secs = srv.stop(limit)
    check(status is not None, "SIGTERM stops the server within %.0f s" % limit,
          "killed after %.1f s; log tail:\n%s" % (secs, srv.log_tail(30)))
    check(status == 0, "server exits 0 after SIGTERM (no leaks under ASan)",
          "status %r after %.1f s; log tail:\n%s" % (status, secs, srv.log_tail(40)))


SECTIONS = [sec_cli, sec_seed, sec_migrations, sec_ops, sec_auth, sec_create, sec_slugs, sec_get, sec_list, sec_put, sec_patch,
            sec_delete, sec_related, sec_related_input, sec_tags, sec_sources, sec_validation, sec_limits, sec_errors, sec_cors,
            sec_import, sec_log, sec_no_token_server, sec_db_outage, sec_shutdown]


def bind(h):
    global H
    H = h

def main():
    return harness.run_suite(__doc__, SECTIONS, bind, final=sec_shutdown)


if __name__ == "__main__":
    sys.exit(main())
