"""test_search_paging.py: ranked search results page by page: cursors and Link rel=next, forged and bad cursors, bad q values (400, never 500), syntax characters, raw UTF-8 in the request line."""
import base64
import urllib.parse

import harness
from harness import check, log, raw, request
from search_helpers import (INVALID_PARAMETER, create, expect_400, items_of, marker, names_of, problem_issues, qs,
                            sanitizer_clean, search, search_ids, title_no, walk_pages)


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



def test_pages_of_many_tiers(khabar):
    """A page ranks fully only the candidates that can reach it: walking small pages over many
    title, summary, body and two-word matches gives the order of one big page."""
    mark, other = marker(), marker()
    for i in range(12):
        create("عنوان %s رقم %d" % (mark, i), "نص %s" % ("كلمة " * i))
        create(title_no(), "نص قصير.", summary="ملخص فيه %s %s" % (mark, "و" * (i % 3)))
        create(title_no(), "نص فيه %s %s" % ((mark + " ") * (1 + i % 4), other if i % 2 else ""))
        create(title_no("%s وحده" % other), "نص فيه %s" % mark)
    for q in (mark, mark + " " + other):
        full = search_ids(q, limit=100)
        check(len(full) == (48 if q == mark else 18), "q=%s: every match on one page" % q, len(full))
        for limit in (1, 5, 7):
            got, problems = walk_pages(q, limit)
            check(not problems and got == full, "q=%s, limit=%d: the pages walk the big page's order" % (q, limit),
                  problems[:3])


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


def test_shutdown(khabar):
    """The default server, stopped last, exits 0 (no leaks under ASan); no server logged a sanitizer report."""
    harness.check_shutdown(khabar)
    sanitizer_clean(khabar)


def test_sort(khabar):
    mark = marker()
    old_title = create("%s في العنوان" % mark, "نص قصير.", published_at="2020-01-01T00:00:00Z")["id"]
    mid_body = create(title_no(), "نص فيه %s مرة." % mark, published_at="2022-01-01T00:00:00Z")["id"]
    new_body = create(title_no(), "نص فيه %s مرة." % mark, published_at="2024-01-01T00:00:00Z")["id"]
    names = {old_title: "title 2020", mid_body: "body 2022", new_body: "body 2024"}
    relevance = search_ids(mark)
    check(relevance[0] == old_title, "default sort with q is relevance: the title match first",
          names_of(relevance, names))
    check(search_ids(mark, sort="relevance") == relevance, "sort=relevance is the default")
    newest = search_ids(mark, sort="newest")
    check(newest == [new_body, mid_body, old_title], "sort=newest: newest first", names_of(newest, names))
    got, problems = walk_pages(mark, 1, sort="newest")
    check(not problems and got == newest, "sort=newest pages one by one in the same order",
          (names_of(got, names), problems))
    got, problems = walk_pages(mark, 1, sort="relevance")
    check(not problems and got == relevance, "sort=relevance pages in rank order", (names_of(got, names), problems))
    expect_400(search(mark, sort="oldest"), "an unknown sort")
    expect_400(search(mark, sort=""), "an empty sort")
    # cursors belong to their sort
    ranked_cursor = search(mark, limit=1).json["next_cursor"]
    newest_cursor = search(mark, limit=1, sort="newest").json["next_cursor"]
    expect_400(search(mark, limit=1, sort="newest", cursor=ranked_cursor), "a relevance cursor with sort=newest")
    expect_400(search(mark, limit=1, cursor=newest_cursor), "a newest cursor with sort=relevance")
    # without q a list is newest first: sort=newest is accepted, relevance has nothing to rank
    r = request("GET", "/v1/articles?sort=newest&limit=2")
    check(r.status == 200 and len(r.json["data"]) == 2, "sort=newest without q lists newest first", r.brief())
    expect_400(request("GET", "/v1/articles?sort=relevance"), "sort=relevance without q")
