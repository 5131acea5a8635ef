"""What the article tests share: making articles, reading them back, paging lists, checking problem answers."""
import datetime
import json
import re

import harness
from harness import TOKEN_1, check, qs, request  # noqa: F401 - qs is the article files' too

PESKOV_TITLE = "بيسكوف: الاستعدادات جارية لزيارة بوتين إلى كوريا الشمالية"
PESKOV_SLUG = "بيسكوف-الاستعدادات-جارية-لزيارة-بوتين-إلى-كوريا-الشمالية"
KOREA_KEHEH = "کوریا الشمالیة"  # Persian Keheh U+06A9 and Farsi Yeh U+06CC
KOREA_ARABIC = "كوريا الشمالية"
KOREA_SLUG = "كوريا-الشمالية"

RFC3339_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$")
MERGE = {"Content-Type": "application/merge-patch+json"}

# An article with every field a client may give.
FULL_PAYLOAD = {
    "title": "روسيا تعلن عن مناورات جديدة في بحر البلطيق",
    "summary": "أعلنت وزارة الدفاع الروسية عن مناورات بحرية.",
    "body": "الفقرة الأولى.\nالفقرة الثانية.",
    "lang": "ar",
    "published_at": "2024-05-19T03:00:00+03:00",
    "sources": ["تاس", "RT Arabic"],
    "tags": ["موسكو", "الكرملين", "بيونغ يانغ"],
}


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


def get_json(path, **kw):
    r = request("GET", path, **kw)
    if r.status != 200 or not isinstance(r.json, (dict, list)):
        raise AssertionError("GET %s: %s" % (path, r.brief()))
    return r.json


def create(obj, token=TOKEN_1, name=None):
    """POSTs an article to the default server that must be created; returns the Response."""
    return harness.post_article(None, obj, token, name)


def get_article(ident):
    return harness.get_article(None, ident)


def get_etag(aid):
    r = request("GET", "/v1/articles/%d" % aid)
    if r.status != 200:
        raise AssertionError("GET %d: %s" % (aid, r.brief()))
    return r.header("etag")


def patch(aid, obj, headers=None, token=TOKEN_1):
    """A merge-patch of article aid; returns the Response."""
    h = dict(MERGE)
    h.update(headers or {})
    return request("PATCH", "/v1/articles/%d" % aid, body=json.dumps(obj, ensure_ascii=False), headers=h, token=token)


def list_all(path="/v1/articles", limit=100, **params):
    """Every item of a paged collection of the default server, following next_cursor."""
    return harness.list_all(None, limit, path, **params)


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



def expect_problem(r, status, name, ptype=None, field=None):
    """harness.expect_problem, where ptype may also be a tuple of accepted types, and errors[]
    must name field when one is given."""
    ok = harness.expect_problem(r, status, name, None if isinstance(ptype, tuple) else ptype)
    if isinstance(ptype, tuple):
        t = r.json.get("type") if isinstance(r.json, dict) else None
        check(isinstance(t, str) and any(t == p or t.endswith(p) for p in ptype),
              "%s: problem type %s" % (name, " or ".join(ptype)), "type %r; %s" % (t, r.brief(200)))
    if field is not None:
        check(names_field(r.json, field), "%s: errors[] names field %r" % (name, field),
              "fields %r; %s" % (error_fields(r.json), r.brief(300)))
    return ok


def expect_no_body(r, name):
    check(r.body == b"", "%s: no body bytes" % name, "got %r" % r.body[:200])
