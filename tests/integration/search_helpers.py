"""search_helpers.py: what the search tests share: articles with unique marker words, searches and their items, the 400 problems, snippets, ranked paging."""
import re
import urllib.parse

import harness
from harness import TOKEN_1, check, qs, request


SQL_MARKERS = ("SELECT", "INSERT", "ERROR:", "tsquery", "tsvector", "syntax error")
INVALID_PARAMETER = "/problems/invalid-parameter"

_marker_seq = [0]


def marker():
    """A word no other article has (Latin letters and digits: one search word, no proclitics)."""
    _marker_seq[0] += 1
    return "zqm%03dk" % _marker_seq[0]


_title_seq = [0]


def title_no(text="مقال تجريبي"):
    """A title with a running number, so that slugs do not clash."""
    _title_seq[0] += 1
    return "%s رقم %d" % (text, _title_seq[0])


def create(title, body, **fields):
    """POSTs an article to the default server that must be created; returns its JSON."""
    return harness.create(None, harness.art(title, body, **fields))


def search(q, **params):
    """GET /v1/articles?q=...&params (limit 100 unless given); returns the Response."""
    params.setdefault("limit", 100)
    return request("GET", "/v1/articles?" + qs(q=q, **params), encoded=True)


def items_of(r, what):
    """The data items of a 200 search answer; raises AssertionError (a FAIL of the section) otherwise."""
    if r.status != 200 or not isinstance(r.json, dict) or not isinstance(r.json.get("data"), list):
        raise AssertionError("%s: %s" % (what, r.brief()))
    return r.json["data"]


def ids_of(r, what="search"):
    return [i.get("id") for i in items_of(r, what)]


def search_ids(q, **params):
    return ids_of(search(q, **params), "q=%r %r" % (q, params))


def names_of(ids, names):
    """Readable failure detail: ids replaced by the names given to them."""
    return [names.get(i, i) for i in ids]


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
        for k in ("type", "title", "status"):
            if k not in js:
                issues.append("no %r" % k)
        if js.get("status") != r.status:
            issues.append("status member %r != HTTP %d" % (js.get("status"), r.status))
    for m in SQL_MARKERS:
        if m in r.text:
            issues.append("internal text %r in body" % m)
    return issues


def expect_400(r, name, ptype=INVALID_PARAMETER):
    """r must be a 400 problem+json (of type ptype, a string or a tuple of accepted types)."""
    types = ptype if isinstance(ptype, tuple) else (ptype,)
    t = r.json.get("type") if isinstance(r.json, dict) else None
    issues = problem_issues(r)
    ok = r.status == 400 and not issues and isinstance(t, str) and any(t == p or t.endswith(p) for p in types)
    return check(ok, "%s -> 400 %s" % (name, " or ".join(types)),
                 "%s%s" % (r.brief(300), ("; " + "; ".join(issues)) if issues else ""))


def unmark(snippet):
    """The text of a snippet without its <mark> tags, HTML entities decoded."""
    s = snippet.replace("<mark>", "").replace("</mark>", "")
    for ent, ch in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&#39;", "'"), ("&amp;", "&")):
        s = s.replace(ent, ch)
    return s


def marked_words(snippet):
    return re.findall(r"<mark>(.*?)</mark>", snippet or "")


def merge_patch(aid, obj):
    return request("PATCH", "/v1/articles/%d" % aid, body=obj, token=TOKEN_1,
                   headers={"Content-Type": "application/merge-patch+json"})


def walk_pages(q, limit, via_link=False, between=None, **params):
    """Follows a ranked search page by page (next_cursor, or the Link header when via_link);
    returns (ids in order, list of problems). between(page_no) runs after each page."""
    ids, problems = [], []
    r = search(q, limit=limit, **params)
    for page in range(1, 50):
        if r.status != 200 or not isinstance(r.json, dict):
            problems.append("page %d: %s" % (page, r.brief(300)))
            return ids, problems
        data = r.json.get("data", [])
        if len(data) > limit:
            problems.append("page %d has %d items for limit=%d" % (page, len(data), limit))
        ids += [i.get("id") for i in data]
        cursor = r.json.get("next_cursor")
        link = r.header("link")
        m = re.search(r"<([^>]*)>\s*;\s*rel=\"?next\"?", link)
        if not cursor:
            if m:
                problems.append("last page (next_cursor null) still has Link rel=next: %r" % link)
            return ids, problems
        if not m:
            problems.append("page %d has next_cursor but no Link rel=next (%r)" % (page, link))
            return ids, problems
        if between:
            between(page)
        if via_link:
            target = m.group(1)
            if not target.isascii():
                problems.append("Link URL is not ASCII: %r" % target)
                return ids, problems
            parts = urllib.parse.urlsplit(target)
            got_q = urllib.parse.parse_qs(parts.query).get("q", [None])[0]
            if got_q != q:
                problems.append("Link URL lost or changed q: %r" % target)
            r = request("GET", parts.path + "?" + parts.query, encoded=True)
        else:
            r = search(q, limit=limit, cursor=cursor, **params)
    problems.append("more than 50 pages")
    return ids, problems


BODY_FILLER = ("قال المتحدث في مؤتمر صحفي عقده اليوم إن الحكومة تعمل على تحسين الخدمات العامة وتطوير البنية "
               "التحتية في المدن والقرى وإن الخطة تشمل بناء مدارس جديدة ومستشفيات وطرق تربط المناطق النائية").split()


def sanitizer_clean(h):
    """The servers' logs hold no sanitizer report (ASan, UBSan, LeakSanitizer)."""
    bad = []
    for srv in h.servers:
        text = srv.log_text()
        for m in ("AddressSanitizer", "LeakSanitizer", "runtime error:", "UndefinedBehaviorSanitizer"):
            if m in text:
                i = text.index(m)
                bad.append("%s: %s" % (srv.name, text[max(0, i - 200):i + 800]))
                break
    check(not bad, "no sanitizer report in any server log", "\n".join(bad))
