"""Helpers of the article tests: making articles, reading them back, paging lists, checking problem answers."""
import datetime
import json
import re
import urllib.parse

from harness import TOKEN_1, check, request

PESKOV_TITLE = "بيسكوف: الاستعدادات جارية لزيارة بوتين إلى كوريا الشمالية"
PESKOV_SLUG = "بيسكوف-الاستعدادات-جارية-لزيارة-بوتين-إلى-كوريا-الشمالية"
KOREA_KEHEH = "کوریا الشمالیة"  # Persian Keheh U+06A9 and Farsi Yeh U+06CC
KOREA_ARABIC = "كوريا الشمالية"
KOREA_SLUG = "كوريا-الشمالية"

RFC3339_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$")
SQL_MARKERS = ("SELECT", "INSERT", "ERROR:", "pq")
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
        if "type" in js and (not isinstance(js["type"], str) or not js["type"]):
            issues.append("type not a non-empty string")
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
