"""test_search.py: full-text search, GET /v1/articles?q=: Arabic-aware matching, web search syntax, ranking, snippets, paging, bad q values, the index."""
# What is tested: Arabic-aware matching over title, summary and body (letter variants, teh
# marbuta, hamza alefs, tashkeel, tatweel, digits, proclitics و ف ب ك ل ال) in both directions
# and in each field; precision (no substring or look-alike matches); web search syntax
# ("phrases", -exclusion, or); ranking (title above summary above body); snippets (original
# spelling marked, everything else HTML-escaped, no body in the items); q with the other filters;
# paging of ranked results and bad cursors; bad q values (400, never 500); raw UTF-8 in the
# request line; the index following PATCH, PUT and DELETE; long bodies; that PostgreSQL answers
# a search from the GIN index, not by a sequential scan of the articles; SEARCH_JOBS.
# Every article is POSTed here into the file's own database, with a unique marker word that the
# queries include, so the tests do not see each other's articles.
import base64
import os
import random
import re
import shutil
import subprocess
import time
import urllib.parse

import pytest

import harness
from harness import TOKEN_1, check, log, raw, request

SQL_MARKERS = ("SELECT", "INSERT", "ERROR:", "tsquery", "tsvector", "syntax error")
INVALID_PARAMETER = "/problems/invalid-parameter"

# ---------------------------------------------------------------------------------------
# helpers

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


def qs(**params):
    """A query string with UTF-8 percent-encoding (spaces as %20, never '+')."""
    return urllib.parse.urlencode(params, quote_via=urllib.parse.quote)


def create(title, body, **fields):
    """POSTs an article that must be created; returns its JSON (raises if not 201)."""
    d = {"title": title, "body": body}
    d.update(fields)
    r = request("POST", "/v1/articles", body=d, token=TOKEN_1)
    if r.status != 201 or not isinstance(r.json, dict) or "id" not in r.json:
        raise AssertionError("creating %r: %s" % (title[:60], r.brief()))
    return r.json


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


# ---------------------------------------------------------------------------------------
# sections

# Spellings of one word: an article written with any of them is found by any of them.
VARIANT_GROUPS = [
    ("Keheh/Farsi Yeh", ["کوریا", "كوريا"]),
    ("teh marbuta, heh, Farsi Yeh", ["الشمالیة", "الشمالية", "الشماليه"]),
    ("hamza alef forms", ["أحمد", "احمد", "إحمد"]),
    ("tashkeel", ["بُوتِين", "بوتين"]),
    ("tatweel", ["نــفــط", "نفط"]),
    ("Arabic-Indic and Persian digits", ["٢٠٢٤", "2024", "۲۰۲۴"]),
]
PROCLITIC_GROUPS = [
    ("و and ل on a name", ["وبوتين", "لبوتين", "بوتين"]),
    ("بال and ال", ["بالكرملين", "الكرملين", "كرملين"]),
    ("ف, ك and لل", ["فالمدينة", "كالمدينة", "للمدينة", "المدينة"]),
]
FIELDS = ("title", "summary", "body")


def article_with(field, word, mark):
    """An article with word only in field, and mark only in the body."""
    title = title_no("خبر عن %s اليوم" % word) if field == "title" else title_no()
    summary = "ملخص يذكر %s باختصار" % word if field == "summary" else None
    body = ("فقرة أولى عن الموضوع %s.\nفقرة ثانية تذكر %s في سياقها." % (mark, word) if field == "body"
            else "فقرة عن الموضوع %s." % mark)
    fields = {"summary": summary} if summary else {}
    return create(title, body, **fields)


def check_groups(groups, kind):
    for field in FIELDS:
        for what, spellings in groups:
            mark = marker()
            made = {}
            for sp in spellings:
                made[article_with(field, sp, mark)["id"]] = sp
            snippet_problems = []
            for qsp in spellings:
                r = search(mark + " " + qsp)
                items = items_of(r, "search %s %s" % (mark, qsp))
                got = {i.get("id"): i for i in items}
                missing = [made[a] for a in made if a not in got]
                extra = [i for i in got if i not in made]
                check(not missing and not extra, "%s in %s (%s): q=%s finds the articles written %s"
                      % (kind, field, what, qsp, " / ".join(spellings)),
                      "missing %r, unexpected ids %r" % (missing, extra))
                for aid, item in got.items():
                    sp = made.get(aid)
                    if sp is None:
                        continue
                    snip = item.get("snippet")
                    if "<mark>%s</mark>" % sp not in (snip or ""):
                        snippet_problems.append("q=%s, article %s: snippet %r" % (qsp, sp, snip))
                    if "body" in item:
                        snippet_problems.append("q=%s, article %s: item has a body" % (qsp, sp))
            check(not snippet_problems,
                  "%s in %s (%s): each snippet marks the word in the article's own spelling" % (kind, field, what),
                  "; ".join(snippet_problems[:4]))


def test_letter_variants(khabar):
    check_groups(VARIANT_GROUPS, "variants")


def test_proclitics(khabar):
    check_groups(PROCLITIC_GROUPS, "proclitics")
    # The proclitic is only stripped from the start: a word ending like one is not cut.
    mark = marker()
    a = create(title_no(), "زار الوفد مدينة %s وبوتين حاضر." % mark)["id"]
    check(a in search_ids(mark + " بوتين"), "q=بوتين finds وبوتين inside a sentence", a)
    check(a in search_ids(mark + " مدينه"), "q=مدينه (heh) finds مدينة", a)


def test_precision(khabar):
    mark = marker()
    names = {}

    def mk(name, body):
        aid = create(title_no(), "%s %s" % (body, mark))["id"]
        names[aid] = name
        return aid

    katib = mk("كاتب", "التقى كاتب مشهور بالقراء")
    kitab = mk("كتاب", "صدر كتاب جديد عن التاريخ")
    mk("بوتين", "صرح بوتين للصحفيين")
    mk("الشمالية", "في المنطقة الشمالية أمطار")
    korea = mk("كوريا", "زار الوفد كوريا أمس")
    korean = mk("كورية", "فرقة كورية تغني")
    cases = [
        ("كتاب", {kitab}, "كتاب finds كتاب but not كاتب"),
        ("كاتب", {katib}, "كاتب finds كاتب but not كتاب"),
        ("بوت", set(), "a word's beginning (بوت) does not find بوتين"),
        ("الشمال", set(), "الشمال does not find الشمالية"),
        ("كوري", set(), "كوري does not find كوريا or كورية"),
        ("كوريا", {korea}, "كوريا does not find كورية (alef is not teh marbuta)"),
        ("كوريه", {korean}, "كوريه finds كورية and not كوريا"),
        ("تين", set(), "تين (a word inside بوتين) finds nothing"),
        ("ملة", set(), "ملة finds nothing (no substring match)"),
    ]
    for q, want, name in cases:
        got = set(search_ids(mark + " " + q))
        check(got == want, "precision: " + name, "got %r, want %r" % (names_of(got, names), names_of(want, names)))


def test_phrases(khabar):
    mark = marker()
    names = {}

    def mk(name, title, body, summary=None):
        f = {"summary": summary} if summary else {}
        aid = create(title, body + " " + mark, **f)["id"]
        names[aid] = name
        return aid

    adjacent = mk("adjacent", title_no(), "أجرت كوريا الشمالية تجربة صاروخية جديدة.")
    persian = mk("persian", title_no(), "أجرت کوریا الشمالیة تجربة أخرى.")
    prefixed = mk("prefixed", title_no(), "وقعت روسيا وكوريا الشمالية اتفاقا.")
    apart = mk("apart", title_no(),
               "قالت كوريا إن الطقس معتدل في الأسبوع المقبل وإن الرياح ستهب على المناطق الشمالية من البلاد. "
               "وفي سياق آخر تحدث الوزير عن الحدود الشمالية")
    reversed_ = mk("reversed", title_no(), "في المنطقة الشمالية كوريا لا تذكر هنا.")
    across = mk("across fields", "قمة في كوريا", "نص لا يذكر شيئا.", summary="الشمالية ترد على البيان")
    phrase_hits = {adjacent, persian, prefixed}

    for q, name in (('"كوريا الشمالية"', "quoted phrase"), ('"کوریا الشمالیة"', "quoted phrase in Keheh/Farsi Yeh"),
                    ('"كوريا الشماليه"', "quoted phrase with heh for teh marbuta"),
                    ('"كُورِيَا الشَّمَالِيَّة"', "quoted phrase with tashkeel")):
        got = set(search_ids(mark + " " + q))
        check(got == phrase_hits, "phrase: %s finds adjacent words only (in any spelling, with و)" % name,
              "got %r, want %r" % (names_of(got, names), names_of(phrase_hits, names)))
    got = set(search_ids(mark + " كوريا الشمالية"))
    want = phrase_hits | {apart, reversed_, across}
    check(got == want, "without quotes the two words may be anywhere (AND)",
          "got %r, want %r" % (names_of(got, names), names_of(want, names)))
    got = set(search_ids(mark + ' "الشمالية كوريا"'))
    check(got == {reversed_}, "phrase order matters: \"الشمالية كوريا\" finds only that order",
          names_of(got, names))
    got = set(search_ids(mark + ' كوريا -"كوريا الشمالية"'))
    want = {apart, reversed_, across}
    check(got == want, "-\"phrase\" excludes the articles with the phrase",
          "got %r, want %r" % (names_of(got, names), names_of(want, names)))
    got = set(search_ids(mark + ' "كوريا الشمالية'))
    check(got == phrase_hits, "an unclosed quote is a phrase to the end of q",
          "got %r, want %r" % (names_of(got, names), names_of(phrase_hits, names)))
    r = search(mark + ' "كوريا الشمالية"')
    for item in items_of(r, "phrase search"):
        if item.get("id") == adjacent:
            check({"كوريا", "الشمالية"} <= set(marked_words(item.get("snippet"))),
                  "phrase: the snippet marks both words of the phrase", item.get("snippet"))


def test_phrase_across_a_word_too_long_to_index(khabar):
    """A word past the longest indexed one keeps its place: a phrase across it matches the
    words on either side at their real distance, not as neighbours."""
    mark = marker()
    long_word = "ك" * 101  # 202 bytes, over the longest word indexed
    across = create(title_no(), "قال %s الوزير %s" % (long_word, mark))["id"]
    adjacent = create(title_no(), "قال الوزير إن %s" % mark)["id"]
    got = set(search_ids('%s "قال %s الوزير"' % (mark, long_word)))
    check(got == {across}, "a phrase across a long word finds the article that has it, only",
          "got %r, want %r" % (got, {across}))
    got = set(search_ids('%s "قال الوزير"' % mark))
    check(got == {adjacent}, "the words around a long word are not neighbours",
          "got %r, want %r" % (got, {adjacent}))


def test_exclusion_or(khabar):
    mark = marker()
    names = {}

    def mk(name, body):
        aid = create(title_no(), body + " " + mark)["id"]
        names[aid] = name
        return aid

    both = mk("بوتين+ترامب", "التقى بوتين ترامب في هلسنكي")
    both_prefixed = mk("بوتين+وترامب", "اجتمع بوتين وترامب مرة أخرى")
    putin_moscow = mk("بوتين+موسكو", "عاد بوتين إلى موسكو")
    trump = mk("ترامب", "ترامب في واشنطن")
    moscow = mk("موسكو", "موسكو تستضيف معرضا للكتاب")
    neither = mk("neither", "واشنطن تستضيف قمة")

    got = set(search_ids(mark + " بوتين -ترامب"))
    check(got == {putin_moscow}, "بوتين -ترامب finds Putin without Trump (also not with وترامب)",
          names_of(got, names))
    got = set(search_ids(mark + " بوتين"))
    check(got == {both, both_prefixed, putin_moscow}, "بوتين alone finds all three Putin articles",
          names_of(got, names))
    got = set(search_ids(mark + " -ترامب بوتين"))
    check(got == {putin_moscow}, "the exclusion may come first", names_of(got, names))
    got = set(search_ids(mark + " بوتين -ترامب -موسكو"))
    check(got == set(), "two exclusions leave nothing here", names_of(got, names))
    want = {both, both_prefixed, putin_moscow, trump, moscow}
    for op in ("or", "OR"):
        got = set(search_ids(mark + " ترامب %s موسكو" % op))
        check(got == want, "ترامب %s موسكو finds the articles with either word" % op,
              "got %r, want %r" % (names_of(got, names), names_of(want, names)))
    got = set(search_ids(mark + " ترامب موسكو"))
    check(got == set(), "without or, ترامب موسكو needs both words", names_of(got, names))
    got = set(search_ids(mark + " ترامب or موسكو -بوتين"))
    check(got == {trump, moscow}, "ترامب or موسكو -بوتين", names_of(got, names))
    check(neither not in got, "or does not find an article with neither word")


def test_ranking(khabar):
    # One word: title (oldest) above summary above body (newest, the word six times).
    t = create("ارتفاع أسعار الزعفران هذا الموسم", "تقرير عن الأسواق المحلية وأحوالها.",
               published_at="2020-01-01T00:00:00Z")["id"]
    s = create(title_no("تقرير الأسواق الأسبوعي"), "نص عن الأسواق وأحوالها.",
               summary="يتناول التقرير الزعفران وأسعاره", published_at="2022-01-01T00:00:00Z")["id"]
    b = create(title_no("جولة في السوق القديم"), " ".join(["يباع الزعفران في السوق القديم بأسعار مختلفة."] * 6),
               published_at="2024-01-01T00:00:00Z")["id"]
    names = {t: "title", s: "summary", b: "body x6"}
    for q in ("الزعفران", "زعفران", "بالزعفران"):
        got = search_ids(q)
        order = [i for i in got if i in names]
        check(order == [t, s, b], "ranking, one word (q=%s): title match, then summary, then body-only" % q,
              names_of(order, names))

    # Two words: the same, with the words adjacent in each field.
    t2 = create("تراجع محصول اللوز هذا العام", "تقرير زراعي عن المواسم.",
                published_at="2020-01-01T00:00:00Z")["id"]
    s2 = create(title_no("تقرير زراعي"), "نص عن المواسم الزراعية.",
                summary="يتناول التقرير محصول اللوز في الجنوب", published_at="2022-01-01T00:00:00Z")["id"]
    b2 = create(title_no("جولة في الحقول"),
                " ".join(["قال المزارعون إن محصول اللوز تأثر بالجفاف وإن محصول اللوز سيقل."] * 5),
                published_at="2024-01-01T00:00:00Z")["id"]
    names2 = {t2: "title", s2: "summary", b2: "body x10"}
    wrong = []
    for q in ("محصول اللوز", '"محصول اللوز"'):
        order = [i for i in search_ids(q) if i in names2]
        if order != [t2, s2, b2]:
            wrong.append("q=%s: %r" % (q, names_of(order, names2)))
    check(not wrong, "ranking, two words (as words and as a phrase): title match, then summary, then body-only",
          "; ".join(wrong))


BODY_FILLER = ("قال المتحدث في مؤتمر صحفي عقده اليوم إن الحكومة تعمل على تحسين الخدمات العامة وتطوير البنية "
               "التحتية في المدن والقرى وإن الخطة تشمل بناء مدارس جديدة ومستشفيات وطرق تربط المناطق النائية").split()


def test_snippets(khabar):
    before = " ".join(BODY_FILLER * 2)
    after = " ".join(reversed(BODY_FILLER * 2))
    body = (before + " <script>alert(1)</script> وقال السمرقندي إن \"الاتفاق\" تم & انتهى 'اليوم' <b>نعم</b> "
            + after)
    a = create(title_no("تقرير مطول"), body)
    r = search("السمرقندي")
    items = items_of(r, "q=السمرقندي")
    item = next((i for i in items if i.get("id") == a["id"]), None)
    if not check(item is not None, "snippet article found", r.brief()):
        return
    snip = item.get("snippet")
    check(isinstance(snip, str) and snip, "search items carry a snippet string", item)
    check("body" not in item, "search items have no body field", sorted(item))
    for k in ("id", "slug", "title", "published_at"):
        check(k in item, "search items have %s" % k, sorted(item))
    snip = snip or ""
    check("<mark>السمرقندي</mark>" in snip, "the snippet marks the hit", snip)
    check("&lt;script&gt;" in snip, "<script> near the hit is escaped as &lt;script&gt;", snip)
    check("<script" not in snip.lower() and "<b>" not in snip, "no raw tag from the text in the snippet", snip)
    bare = snip.replace("<mark>", "").replace("</mark>", "")
    check("<" not in bare and ">" not in bare, "the only tags in a snippet are <mark> and </mark>", snip)
    check("&amp;" in snip and "&quot;" in snip and '"' not in bare and "'" not in bare,
          "& and quotes are escaped (&amp; &quot; &#39;)", snip)
    check(re.search(r"&(?!(amp|lt|gt|quot|#39);)", snip) is None, "no unescaped & in the snippet", snip)
    check(len(snip) < len(body) // 2 and len(unmark(snip).split()) <= 45,
          "the snippet is an excerpt, not the whole body", "%d chars, %d words" % (len(snip), len(snip.split())))
    check(snip.startswith("…") and snip.endswith("…"), "a snippet cut on both sides shows …", snip)
    check(unmark(snip).strip("…").strip() in " ".join(body.split()),
          "the snippet is the original text (unescaped and without marks)", snip)

    # Two hits in the window: both marked, in their own spellings.
    c = create(title_no(), "يضاف الكمّون إلى الطعام ويقال إن كمون الصعيد أجود وإن بالكمون فوائد.")
    got = next((i for i in items_of(search("الكمون"), "q=الكمون") if i.get("id") == c["id"]), {})
    check(marked_words(got.get("snippet")) == ["الكمّون", "كمون", "بالكمون"],
          "every hit in the snippet is marked, in its original spelling", got.get("snippet"))

    # Match only in the title: the snippet is null or comes from the title.
    title = "مهرجان الفستق & الحلوى <في> حلب"
    d = create(title, "نص لا يذكر الكلمة المطلوبة أبدا.")
    got = next((i for i in items_of(search("الفستق"), "q=الفستق") if i.get("id") == d["id"]), None)
    if check(got is not None, "title-only match found", d["id"]):
        snip = got.get("snippet")
        check(snip is None or (isinstance(snip, str) and unmark(snip).strip("…").strip() in title
                               and "<mark>الفستق</mark>" in snip and "&amp;" in snip and "&lt;في&gt;" in snip),
              "title-only match: snippet null or the escaped title with the hit marked", snip)
        check(got.get("title") == title, "search items keep the title as it is (JSON, not HTML)", got.get("title"))

    # Match only in the summary: the snippet comes from the summary.
    e = create(title_no("تقرير"), "نص لا يذكر الكلمة.", summary="ارتفع سعر القرنفل في الأسواق")
    got = next((i for i in items_of(search("القرنفل"), "q=القرنفل") if i.get("id") == e["id"]), {})
    check(got.get("snippet") == "ارتفع سعر <mark>القرنفل</mark> في الأسواق",
          "summary-only match: the snippet is the summary with the hit marked", got.get("snippet"))

    # Excluded words are not marked.
    f = create(title_no(), "التقى الهيلاني مع السمرقندي في المؤتمر")
    got = next((i for i in items_of(search("الهيلاني -ترامب"), "q=الهيلاني -ترامب") if i.get("id") == f["id"]), {})
    check(marked_words(got.get("snippet")) == ["الهيلاني"], "only searched words are marked", got.get("snippet"))


def test_filters(khabar):
    mark = marker()
    f1 = create(title_no(), "خبر عن بوتين %s" % mark, tags=["کتب نادرة"], sources=["وكالة الفلاتر"],
                published_at="2023-01-10T10:00:00Z")["id"]
    f2 = create(title_no(), "خبر آخر عن بوتين %s" % mark, tags=["وسم آخر للفلاتر"], sources=["مصدر آخر للفلاتر"],
                published_at="2023-06-10T10:00:00Z")["id"]
    f3 = create("Putin news " + mark, "خبر عن بوتين بالإنجليزية %s" % mark, lang="en",
                published_at="2023-12-10T10:00:00Z")["id"]
    f4 = create(title_no(), "خبر بلا الكلمة %s" % mark, tags=["کتب نادرة"], sources=["وكالة الفلاتر"],
                published_at="2023-01-11T10:00:00Z")["id"]
    names = {f1: "f1", f2: "f2", f3: "f3(en)", f4: "f4(no بوتين)"}
    q = mark + " بوتين"
    cases = [
        ({}, {f1, f2, f3}, "q alone"),
        ({"tag": "كتب-نادرة"}, {f1}, "q + tag (slug, Arabic Kaf/Yeh)"),
        ({"tag": "کتب نادرة"}, {f1}, "q + tag (name, Keheh/Farsi Yeh)"),
        ({"source": "وكالة الفلاتر"}, {f1}, "q + source"),
        ({"tag": "كتب-نادرة", "source": "وكالة الفلاتر"}, {f1}, "q + tag + source"),
        ({"tag": "كتب-نادرة", "source": "مصدر آخر للفلاتر"}, set(), "q + tag + another tag's source"),
        ({"tag": "وسم-لا-وجود-له-أبدا"}, set(), "q + unknown tag"),
        ({"from": "2023-03-01T00:00:00Z"}, {f2, f3}, "q + from"),
        ({"to": "2023-03-01T00:00:00Z"}, {f1}, "q + to"),
        ({"from": "2023-06-10T12:00:00+03:00", "to": "2023-06-10T13:00:00+03:00"}, {f2}, "q + from/to with offsets"),
        ({"lang": "en"}, {f3}, "q + lang=en"),
        ({"lang": "ar"}, {f1, f2}, "q + lang=ar"),
        ({"lang": "ar", "from": "2023-03-01T00:00:00Z"}, {f2}, "q + lang + from"),
    ]
    for params, want, name in cases:
        got = set(search_ids(q, **params))
        check(got == want, "filters: %s" % name, "got %r, want %r" % (names_of(got, names), names_of(want, names)))
    r = search(q, **{"from": "yesterday"})
    expect_400(r, "q with from=yesterday")
    r = search(q, limit=0)
    expect_400(r, "q with limit=0")


def test_paging(khabar):
    mark = marker()
    names = {}

    def mk(name, title, body, summary=None):
        f = {"summary": summary} if summary else {}
        aid = create(title, body, **f)["id"]
        names[aid] = name
        return aid

    mk("title", "عنوان فيه %s" % mark, "نص قصير.")
    mk("summary", title_no(), "نص قصير.", summary="ملخص فيه %s" % mark)
    mk("body x3", title_no(), "نص فيه %s ثم %s ثم %s." % (mark, mark, mark))
    mk("body x1 (a)", title_no(), "نص فيه %s مرة." % mark)
    mk("body x1 (b)", title_no(), "نص فيه %s مرة." % mark)  # the same rank as (a): the id breaks the tie
    full = search_ids(mark)
    check(sorted(full) == sorted(names), "the five articles match", names_of(full, names))

    got, problems = walk_pages(mark, 2)
    check(not problems, "paging with limit=2: pages, next_cursor and Link are consistent", problems)
    check(got == full, "limit=2 via next_cursor walks all 5 once, in the order of one big page",
          "%r vs %r" % (names_of(got, names), names_of(full, names)))
    got, problems = walk_pages(mark, 2, via_link=True)
    check(not problems, "paging via Link: ASCII URLs that keep q", problems)
    check(got == full, "limit=2 via the Link header walks all 5 once, in order",
          "%r vs %r" % (names_of(got, names), names_of(full, names)))
    got, problems = walk_pages(mark, 1)
    check(not problems and got == full, "limit=1 walks all 5 once, in order", (names_of(got, names), problems))

    # Arabic q: the Link must carry it percent-encoded.
    mark2 = marker()
    for i in range(3):
        create(title_no(), "الفيضانات في %s المدينة %s" % (mark2, "الفيضانات " * i))
    q = mark2 + " الفيضانات"
    full2 = search_ids(q)
    got, problems = walk_pages(q, 1, via_link=True)
    check(not problems and got == full2 and len(got) == 3, "paging an Arabic q via the Link header",
          (got, full2, problems))

    # New matching articles published between pages: none of the first five skipped or repeated.
    def publish(page):
        mk("new %d" % page, "جديد %s" % mark, "نص جديد %s." % mark)
        mk("new body %d" % page, title_no(), "نص جديد %s." % mark)

    got, problems = walk_pages(mark, 2, between=publish)
    check(not problems, "paging while publishing: pages are consistent", problems)
    check(len(got) == len(set(got)), "paging while publishing repeats no article", names_of(got, names))
    check(all(i in got for i in full), "paging while publishing skips none of the articles that were there",
          "%r vs %r" % (names_of(got, names), names_of(full, names)))

    # The filters stay with the cursor.
    mark3 = marker()
    for i in range(3):
        create(title_no(), "نص %s" % mark3, tags=["وسم الصفحات"])
        create(title_no(), "نص %s" % mark3)
    got, problems = walk_pages(mark3, 1, via_link=True, tag="وسم الصفحات")
    check(not problems and len(got) == 3 and len(set(got)) == 3, "paging q + tag via Link keeps the tag",
          (got, problems))


def forge_cursor(kind, key, id_):
    """A cursor in khabar's format with a valid checksum (cursor.c; FNV-1a is no secret)."""
    payload = ("%s:%s:%d" % (kind, key, id_)).encode()
    h = 0xcbf29ce484222325
    for b in b"khabar cursor v1" + payload:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return base64.urlsafe_b64encode(payload + (":%016x" % h).encode()).decode().rstrip("=")


def test_cursors(khabar):
    mark = marker()
    for i in range(3):
        create(title_no(), ("نص %s " % mark) * (i + 1))
    r = search(mark, limit=1)
    items_of(r, "first search page")
    cursor = r.json.get("next_cursor")
    if not check(isinstance(cursor, str) and cursor, "a search page with more gives a next_cursor", r.brief()):
        return
    r = search(mark, limit=1, cursor=cursor)
    check(r.status == 200 and len(r.json.get("data", [])) == 1, "the cursor works", r.brief(200))

    r = request("GET", "/v1/articles?limit=1")
    plain = r.json.get("next_cursor") if isinstance(r.json, dict) else None
    if check(isinstance(plain, str) and plain, "the plain list gives a next_cursor", r.brief(200)):
        expect_400(search(mark, limit=1, cursor=plain), "a cursor of the plain list used with q")
    expect_400(request("GET", "/v1/articles?" + qs(limit=1, cursor=cursor), encoded=True),
               "a search cursor used without q")
    r = request("GET", "/v1/tags?limit=1")
    tagc = r.json.get("next_cursor") if isinstance(r.json, dict) else None
    if tagc:
        expect_400(search(mark, limit=1, cursor=tagc), "a cursor of the tag list used with q")

    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    bad = []
    for i, ch in enumerate(cursor):
        other = alphabet[(alphabet.index(ch) + 1) % 64] if ch in alphabet else "A"
        r = search(mark, limit=1, cursor=cursor[:i] + other + cursor[i + 1:])
        if r.status != 400 or problem_issues(r):
            bad.append("char %d: %s" % (i, r.brief(120)))
    check(not bad, "every one-character change of the cursor -> 400 problem+json (%d tried)" % len(cursor),
          "; ".join(bad[:5]))
    bad = []
    for n in sorted({len(cursor) - 1, len(cursor) - 2, len(cursor) - 3, len(cursor) // 2, 1}):
        r = search(mark, limit=1, cursor=cursor[:n])
        if r.status != 400 or problem_issues(r):
            bad.append("cut to %d: %s" % (n, r.brief(120)))
    check(not bad, "truncated cursors -> 400 problem+json", "; ".join(bad))
    bad = []
    for extra in ("A", "AA", "AAA"):
        r = search(mark, limit=1, cursor=cursor + extra)
        if r.status != 400 or problem_issues(r):
            bad.append("+%s: %s" % (extra, r.brief(100)))
    check(not bad, "cursors with A, AA or AAA appended (zero bits: NUL bytes once decoded) -> 400",
          "; ".join(bad))
    for what, c in (("padded with =", cursor + "=="),
                    ("standard base64 (+/)", cursor.replace("-", "+").replace("_", "/") + "+/"),
                    ("empty", ""), ("4000 chars", "A" * 4000), ("Arabic", "مؤشر"),
                    ("percent-encoded NUL", None)):
        if c is None:
            r = request("GET", "/v1/articles?q=%s&limit=1&cursor=%s%%00" % (mark, cursor[:8]), encoded=True)
        else:
            r = search(mark, limit=1, cursor=c)
        expect_400(r, "cursor %s" % what)

    # Well-formed cursors (valid checksum) whose rank PostgreSQL cannot hold: 400, not 500.
    if forge_cursor("r", r_key(cursor) or "", r_id(cursor)) != cursor:
        log("the cursor format changed: the forged cursors below are only tampered ones")
    bad = []
    for key in ("1e999", "-1e999", "1e-50", "3.5e38", "0.5e-400"):
        r = search(mark, limit=1, cursor=forge_cursor("r", key, 1))
        if r.status not in (200, 400) or (r.status == 400 and problem_issues(r)):
            bad.append("rank %s: %s" % (key, r.brief(120)))
    check(not bad, "well-formed cursors (valid checksum) with ranks a real cannot hold -> 400, never 500",
          "; ".join(bad))


def _decoded(cursor):
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return ""


def r_key(cursor):
    parts = _decoded(cursor).split(":")
    return parts[1] if len(parts) == 4 and parts[0] == "r" else None


def r_id(cursor):
    parts = _decoded(cursor).split(":")
    return int(parts[2]) if len(parts) == 4 and parts[2].isdigit() else 0


def test_bad_q(khabar):
    mark = marker()
    aid = create(title_no(), "نص فيه كلمة %s وبوتين" % mark)["id"]
    for name, enc in (("q= (empty)", ""), ("q of spaces", "%20%20%20"), ("q of + (spaces)", "+++"),
                      ("q of tabs and newlines", "%09%0A%0D"), ("q of an ideographic space", "%E3%80%80"),
                      ("q=!!!", "!!!"), ("q of punctuation only", "%22%27%3A%2A%28%29%7C%26%21%5C-"),
                      ("q=-ترامب (only an exclusion)", "-" + urllib.parse.quote("ترامب")),
                      ("q with two exclusions only", urllib.parse.quote("-ترامب -\"كوريا الشمالية\"")),
                      ("q='\"\"' (an empty phrase)", "%22%22"), ("q=- alone", "-"),
                      ("q=%FF (invalid UTF-8)", "%FF"), ("q=%D8 (cut UTF-8)", "%D8"),
                      ("q with an overlong encoding", "%C0%AF"), ("q with a surrogate", "%ED%A0%80"),
                      ("q with invalid UTF-8 after a word", mark + "%FF")):
        r = request("GET", "/v1/articles?q=" + enc, encoded=True)
        expect_400(r, name, (INVALID_PARAMETER, "/problems/invalid-utf8"))
    r = request("GET", "/v1/articles?q=%00", encoded=True)
    check(r.status == 400 and not problem_issues(r), "q=%00 -> 400 problem+json", r.brief(200))

    pad = lambda s, n: s + " " * (n - len(s))  # noqa: E731
    q256 = pad(mark, 256)
    ids = search_ids(q256)
    check(aid in ids, "q of exactly 256 characters (a word and spaces) -> 200 and finds", ids)
    expect_400(search(pad(mark, 257)), "q of 257 characters")
    words = mark
    while len(words) + len(" بوتين") <= 256:
        words += " بوتين"
    ar256 = pad(words, 256)
    check(len(ar256) == 256 and len(ar256.encode()) > 400, "(test) 256 Arabic-heavy characters", len(ar256))
    ids = search_ids(ar256)
    check(aid in ids, "q of 256 characters, mostly Arabic (over 400 bytes) -> 200 and finds", ids)
    expect_400(search(ar256 + "ب"), "q of 257 characters, mostly Arabic")
    expect_400(search("ب" * 257), "q of 257 Arabic letters")
    r = search("a" * 256)
    check(r.status == 200 and isinstance(r.json, dict) and r.json.get("data") == [],
          "q of one 256-letter word -> 200 with no results (not 400)", r.brief(200))


def test_syntax_chars(khabar):
    mark = marker()
    # marker and بوتين adjacent: a term with punctuation inside (M|بوتين) is a phrase in web search syntax
    aid = create(title_no(), "صرح %s بوتين أمس بأن الاتفاق قريب" % mark)["id"]
    want = search_ids(mark + " بوتين")
    check(want == [aid], "(baseline) q=marker بوتين finds the article", want)
    queries = [
        "%s' & | ! : * ( ) \\ <-> بوتين" % mark,
        "%s:* بوتين:*" % mark,
        "'%s' 'بوتين'" % mark,
        "%s''بوتين" % mark,
        "(%s & بوتين)" % mark,
        "%s|بوتين" % mark,
        "!%s !بوتين" % mark,
        "%s <-> بوتين" % mark,
        "%s\\ بوتين\\'" % mark,
        "%s & !!بوتين" % mark,
        "%s; -- بوتين;" % mark,
        "%s بوتين *" % mark,
        "%s \"بوتين" % mark,
        "%s بوتين or" % mark,
    ]
    for q in queries:
        r = search(q)
        ok = r.status == 200 and isinstance(r.json, dict) and [i.get("id") for i in r.json.get("data", [])] == want
        check(ok, "q=%r -> 200 and finds what its words find" % q, r.brief(200))
    for q in ("%s ترامب:*" % mark, "%s 'ترامب'" % mark, "%s بوتين & ترامب" % mark, "%s <2> بوتين" % mark,
              "%s بوتين:A" % mark, "%s بوتين::tsquery" % mark, "%s %%s %%d %%n %%x بوتين" % mark,
              "%s'; DROP TABLE articles; -- بوتين" % mark):
        r = search(q)
        check(r.status == 200 and isinstance(r.json, dict) and r.json.get("data") == [],
              "q=%r -> 200 and finds nothing (not all its words are there)" % q, r.brief(200))
    r = search("%s -'بوتين'" % mark)
    check(r.status == 200 and r.json.get("data") == [], "-'بوتين' excludes (the quote is punctuation)",
          r.brief(200))
    for q in ("&", "|", "!", "<->", "()", ":*", "\\", "'", "''", "*"):
        r = search(q)
        check(r.status == 400 and not problem_issues(r), "q=%r (no word) -> 400 problem+json" % q, r.brief(200))


def test_raw_utf8(khabar):
    mark = marker()
    aid = create(title_no(), "التقى بوتين الرئيس في کوریا الشمالیة %s" % mark)["id"]
    for what, q in (("one word", mark), ("Arabic word", "بوتين"), ("Keheh spelling", "كوريا"),
                    ("word with tashkeel", "بُوتِين")):
        pct = search(q, limit=100)
        rq = raw("GET", "/v1/articles?q=" + q + "&limit=100")
        a = [i.get("id") for i in pct.json.get("data", [])] if pct.status == 200 else None
        b = [i.get("id") for i in rq.json.get("data", [])] if rq.status == 200 and isinstance(rq.json, dict) else None
        check(a is not None and a == b and aid in a, "raw UTF-8 q (%s) in the request line = percent-encoded" % what,
              "percent-encoded %r; raw %s" % (a, rq.brief(200)))
    rq = raw("GET", "/v1/articles?q=" + mark + "+بوتين+کوریا&limit=100")
    ok = rq.status == 200 and isinstance(rq.json, dict) and [i.get("id") for i in rq.json.get("data", [])] == [aid]
    check(ok, "raw UTF-8 q with + for spaces", rq.brief(200))
    rq = raw("GET", "/v1/articles?q=%s+%%22كوريا+الشمالية%%22" % mark)
    ok = rq.status == 200 and isinstance(rq.json, dict) and [i.get("id") for i in rq.json.get("data", [])] == [aid]
    check(ok, "raw UTF-8 phrase q", rq.brief(200))
    rq = raw("GET", b"/v1/articles?q=" + mark.encode() + b"+\xd8\xa8\xff")
    check(rq.status == 400 and not problem_issues(rq), "raw invalid UTF-8 bytes in q -> 400", rq.brief(200))


def test_updates(khabar):
    mark = marker()
    a = create("قمة الدوحة الاقتصادية", "نص الخبر %s" % mark, summary="ملخص أول")
    aid = a["id"]
    check(search_ids(mark + " الدوحة") == [aid], "(before) found by its title word", aid)
    r = merge_patch(aid, {"title": "قمة الرياض الاقتصادية"})
    check(r.status == 200, "PATCH title -> 200", r.brief())
    check(search_ids(mark + " الدوحة") == [], "after PATCH of the title the old word no longer finds it")
    check(search_ids("الدوحة") == [], "the old title word alone no longer finds it either")
    got = search(mark + " الرياض")
    items = items_of(got, "search new title word")
    check([i.get("id") for i in items] == [aid], "after PATCH of the title the new word finds it", got.brief(200))
    if items:
        check(items[0].get("title") == "قمة الرياض الاقتصادية" and "<mark>الرياض</mark>" in (items[0].get("snippet")
                                                                                          or "<mark>الرياض</mark>"),
              "the result shows the new title", items[0])
    r = merge_patch(aid, {"summary": "اجتماع في بيروت"})
    check(r.status == 200 and search_ids(mark + " بيروت") == [aid], "PATCH summary: its new word finds it",
          r.brief(200))
    check(search_ids(mark + " أول") == [], "PATCH summary: the old summary word no longer finds it")
    r = merge_patch(aid, {"summary": None})
    check(r.status == 200 and search_ids(mark + " بيروت") == [], "PATCH summary: null: its word no longer finds it",
          r.brief(200))
    r = merge_patch(aid, {"tags": ["وسم التحديث"]})
    check(r.status == 200 and search_ids(mark + " الرياض") == [aid], "PATCH of tags only keeps the search index",
          r.brief(200))
    r = request("PUT", "/v1/articles/%d" % aid, token=TOKEN_1,
                body={"title": "قمة الرياض الاقتصادية", "body": "نص جديد عن الزراعة %s" % mark})
    check(r.status == 200, "PUT -> 200", r.brief())
    check(search_ids(mark + " الخبر") == [], "after PUT the old body word no longer finds it")
    check(search_ids(mark + " الزراعة") == [aid], "after PUT the new body word finds it")
    r = request("DELETE", "/v1/articles/%d" % aid, token=TOKEN_1)
    check(r.status == 204, "DELETE -> 204", r.brief())
    check(search_ids(mark) == [] and search_ids(mark + " الرياض") == [], "after DELETE the article is gone from search")


def test_long_body(khabar):
    """A word after the 16,383rd word of a body (PostgreSQL's last tsvector position) is still found."""
    mark = marker()
    body = "بداية %s %s %send" % (mark, "1 " * 16500, mark)
    aid = create(title_no("نص طويل"), body)["id"]
    check(aid in search_ids(mark + " بداية"), "long body: a word at its start is found", aid)
    got = search_ids("%send" % mark)
    check(aid in got, "long body: a word after the 16,383rd word is found too", got)
    got = search_ids(mark + " 1")
    check(aid in got, "long body: a word repeated 16,500 times is found", got)


def test_big_bodies(khabar):
    """A body of many distinct words, under the default 1 MiB limit, must not make the write fail."""
    srv = khabar.start_server(unset=("MAX_BODY_BYTES",), name="bigbody")
    try:
        rnd = random.Random(3)
        letters = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
        words, size = [], 0
        while size < 700 * 1024:
            w = "وبال" + "".join(rnd.choice(letters) for _ in range(12))
            words.append(w)
            size += len(w.encode()) + 1
        mark2 = marker()
        big = {"title": title_no("أرشيف كلمات"), "body": mark2 + " " + " ".join(words)}
        r = srv.request("POST", "/v1/articles", body=big, token=TOKEN_1, timeout=120)
        check(r.status == 201, "a 700 KB body of distinct words (under 1 MiB) -> 201, not 500", r.brief(200))
        if r.status == 201:
            rs = srv.request("GET", "/v1/articles?" + qs(q=mark2 + " " + words[10]), encoded=True)
            check(rs.status == 200 and [i.get("id") for i in rs.json.get("data", [])] == [r.json["id"]],
                  "that article is found by its words", rs.brief(200))

        # An ordinary long article: common words over and over, about 1,000,000 bytes.
        mark3 = marker()
        parts, size, i = [], 0, 0
        while size < 1000000:
            w = BODY_FILLER[i % len(BODY_FILLER)]
            i += 1
            parts.append(w)
            size += len(w.encode()) + 1
        body = mark3 + " " + " ".join(parts) + " " + mark3 + "end"
        r = srv.request("POST", "/v1/articles", body={"title": title_no("تقرير طويل جدا"), "body": body},
                        token=TOKEN_1, timeout=120)
        check(r.status == 201, "a 1,000,000-byte body of ordinary repeated words -> 201, not 500", r.brief(200))
        if r.status == 201:
            rs = srv.request("GET", "/v1/articles?" + qs(q=mark3 + "end"), encoded=True)
            check(rs.status == 200 and [i.get("id") for i in rs.json.get("data", [])] == [r.json["id"]],
                  "that article is found by its last word", rs.brief(200))
        r = srv.request("GET", "/healthz")
        check(r.status == 200, "the server still answers after the big bodies", r.brief())
    finally:
        status, secs = srv.stop(30.0 if khabar.sanitized else 10.0)
        check(status == 0, "the big-body server exits 0 after SIGTERM",
              "status %r after %.1f s; log tail:\n%s" % (status, secs, srv.log_tail(20)))


def psql(h, sql, timeout=120):
    """psql on the file's database; a failure is an AssertionError (a failed test)."""
    try:
        return harness.psql(h.pg.url, sql, timeout=timeout)
    except harness.HarnessError as e:
        raise AssertionError("psql %r: %s" % (sql[:80], str(e)[-500:]))


def test_index_used(khabar):
    """PostgreSQL must answer a search from the GIN index, not by reading every article.

    Loads 4,000 filler articles (khabar import), VACUUM ANALYZE (as autovacuum would), turns on
    auto_explain for new sessions of the database, starts a second server (new connections) and
    reads the plans of its searches from the PostgreSQL log.
    """
    log_path = os.path.join(khabar.pg.dir or "", "postgresql.log")
    if not shutil.which("psql") or not os.path.exists(log_path):
        pytest.skip("no psql or no PostgreSQL log at %s" % log_path)
    rnd = random.Random(11)
    path = os.path.join(khabar.workdir, "filler.ndjson")
    with open(path, "w", encoding="utf-8") as f:
        for i in range(4000):
            words = " ".join("lorem%d" % rnd.randrange(20000) for _ in range(60))
            f.write('{"title": "filler ipsum %d", "body": "%s", "published_at": "2001-01-01T00:00:00Z"}\n'
                    % (i, words))
    r = khabar.run_cli(["import", path], timeout=300)
    check(r.returncode == 0, "khabar import of 4,000 filler articles", (r.stdout + r.stderr)[-300:])
    mark = marker()
    aid = create("زيارة بوتين إلى كوريا الشمالية %s" % mark, "نص عن الزيارة والكرملين %s" % mark,
                 tags=["وسم الفهرس"])["id"]
    try:
        psql(khabar, "LOAD 'auto_explain'")
    except AssertionError as e:
        pytest.skip("auto_explain not available: %s" % e)
    psql(khabar, "VACUUM ANALYZE articles")
    db = urllib.parse.urlsplit(khabar.pg.url).path.lstrip("/") or "khabar"
    psql(khabar, 'ALTER DATABASE "%s" SET session_preload_libraries = \'auto_explain\'' % db)
    psql(khabar, 'ALTER DATABASE "%s" SET auto_explain.log_min_duration = 0' % db)
    start = os.path.getsize(log_path)
    srv = khabar.start_server(name="explain")
    try:
        queries = [qs(q="بوتين"), qs(q="%s بالكرملين" % mark), qs(q='"كوريا الشمالية"'),
                   qs(q="بوتين -ترامب"), qs(q="ترامب or بوتين"), qs(q="بوتين", tag="وسم الفهرس"),
                   qs(q="بوتين", lang="ar", **{"from": "2000-01-01T00:00:00Z"})]
        for qstr in queries:
            rr = srv.request("GET", "/v1/articles?limit=100&" + qstr, encoded=True)
            check(rr.status == 200 and aid in [i.get("id") for i in rr.json.get("data", [])],
                  "(index) search %s finds the article among 4,000 others" % urllib.parse.unquote(qstr),
                  rr.brief(200))
        time.sleep(0.3)
        with open(log_path, "rb") as f:
            f.seek(start)
            text = f.read().decode("utf-8", "replace")
    finally:
        srv.stop(30.0 if khabar.sanitized else 10.0)
        try:
            psql(khabar, 'ALTER DATABASE "%s" RESET ALL' % db)
        except AssertionError as e:
            log("reset of auto_explain settings failed: %s" % e)
    entries = re.split(r"\n(?=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)", text)
    plans = ["\n".join(ln for ln in e.splitlines() if "Query Text:" not in ln)
             for e in entries if "plan:" in e and "search @@" in e]
    check(len(plans) >= len(queries), "(index) the plans of the searches are in the PostgreSQL log",
          "%d plans found" % len(plans))
    seq = [p for p in plans if re.search(r"Seq Scan on articles(\s|$)", p)]
    check(not seq, "no search plan reads the articles table sequentially",
          "\n".join(p[-1500:] for p in seq[:1]))
    indexed = [p for p in plans if "articles_search" in p]
    check(len(indexed) >= len(queries) - 1, "search plans use the GIN index articles_search",
          "%d of %d plans use it; one that does not:\n%s"
          % (len(indexed), len(plans), next((p[-1500:] for p in plans if p not in indexed), "")))


def waiting_searches(h, seconds):
    """The most statements seen waiting on a lock at once (the searches: nothing else is
    sent meanwhile), sampled for seconds."""
    most = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        n = int(psql(h, "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                     " AND backend_type = 'client backend' AND query NOT LIKE '%LOCK TABLE%'").strip() or 0)
        most = max(most, n)
        time.sleep(0.05)
    return most


@pytest.mark.parametrize("jobs", [1, 3])
def test_search_jobs(khabar, jobs):
    """At most SEARCH_JOBS searches run at once: with the articles table locked, six searches
    sent together put only that many statements in PostgreSQL; all answer once it is free."""
    srv = khabar.start_server({"SEARCH_JOBS": str(jobs), "DB_JOBS": "4", "DB_POOL_SIZE": "8",
                              "CACHE_BYTES": "0"}, name="search-jobs-%d" % jobs)
    locker = subprocess.Popen([shutil.which("psql"), "-X", "-q", "-d", khabar.pg.url, "-c",
                               "BEGIN; LOCK TABLE articles IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(3); COMMIT;"],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(0.5)  # the lock is taken
    results = {}

    class Searches(harness.Threads):
        def run(self, i):
            r = srv.request("GET", "/v1/articles?q=بوتين%%20OR%%20zz%d" % i, timeout=30)
            with self.lock:
                results[i] = r.status

    with Searches(6):
        most = waiting_searches(khabar, 1.5)
    locker.wait(timeout=30)
    check(most == jobs, "SEARCH_JOBS=%d: %d searches run at once, the others wait their turn" % (jobs, jobs),
          "at most %d search statements at once" % most)
    check(sorted(results.values()) == [200] * 6, "SEARCH_JOBS=%d: all six searches answer 200" % jobs,
          results)
    srv.stop()


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


def test_shutdown(khabar):
    """The default server, stopped last, exits 0 (no leaks under ASan); no server logged a sanitizer report."""
    harness.check_shutdown(khabar)
    sanitizer_clean(khabar)
