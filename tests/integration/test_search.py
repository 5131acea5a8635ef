"""test_search.py: full-text search, GET /v1/articles?q=: Arabic-aware matching, precision, web search syntax, ranking, snippets, q with the other filters."""
# Arabic-aware matching over title, summary and body (letter variants, teh marbuta, hamza alefs,
# tashkeel, tatweel, digits, proclitics و ف ب ك ل ال) in both directions and in each field;
# precision (no substring or look-alike matches); web search syntax ("phrases", -exclusion, or);
# ranking (title above summary above body); snippets (original spelling marked, everything else
# HTML-escaped, no body in the items); q with the other filters. Every article is POSTed here
# into the file's own database, with a unique marker word that the queries include, so the tests
# do not see each other's articles.
import re

import harness
from harness import check
from search_helpers import (BODY_FILLER, create, expect_400, items_of, marked_words, marker, names_of, sanitizer_clean,
                            search, search_ids, title_no, unmark)


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


def test_snippets(khabar):
    before = " ".join(BODY_FILLER * 2)
    after = " ".join(reversed(BODY_FILLER * 2))
    body = (before + " <script>alert(1)</script> وقال السمرقندي إن \"الاتفاق\" تم & انتهى 'اليوم' <b>نعم</b> "
            + after)
    # the body is CommonMark: its "<" escaped, the tags are text a reader sees (the snippet's text)
    a = create(title_no("تقرير مطول"), body.replace("<", "\\<"))
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


def test_shutdown(khabar):
    """The default server, stopped last, exits 0 (no leaks under ASan); no server logged a sanitizer report."""
    harness.check_shutdown(khabar)
    sanitizer_clean(khabar)
