"""Did you mean: a search with no result answers did_you_mean, the nearest query that has results (a letter changed, dropped or swapped, Arabic and Latin, word by word), and nothing when unsure: nonsense, short words, a query with results, a correction found only in drafts."""
import pytest

from harness import check
from search_helpers import create, search

LATIN = "inflation"
ARABIC = "الانتخابات"
SECOND = "المفاوضات"
DRAFT_ONLY = "البرتقالية"


@pytest.fixture(scope="module")
def archive(khabar):
    create("تقرير عن %s" % LATIN, "ارتفع معدل %s هذا العام." % LATIN)
    create("نتائج %s" % ARABIC, "أعلنت اللجنة نتائج %s و%s اليوم." % (ARABIC, SECOND))
    create("مقال مسودة", "نص عن الثورة %s في المسودة." % DRAFT_ONLY, status="draft")
    return khabar


def swapped(word, i):
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


def suggestion(q, **params):
    r = search(q, **params)
    if r.status != 200:
        raise AssertionError("q=%s: %s" % (q, r.brief()))
    return r.json


TYPOS = [
    ("Latin, a letter changed", "inflasion", LATIN),
    ("Latin, a letter dropped", "inflaton", LATIN),
    ("Latin, two letters swapped", swapped(LATIN, 2), LATIN),
    ("Arabic, a letter changed", ARABIC.replace("خ", "ح"), ARABIC),
    ("Arabic, a letter dropped", ARABIC.replace("خا", "خ"), ARABIC),
    ("Arabic, two letters swapped", swapped(ARABIC, 6), ARABIC),
    ("two words, each corrected", "inflasion " + SECOND.replace("و", "ز"), None),
    ("two words, one right", ARABIC.replace("خ", "ح") + " " + SECOND, ARABIC + " " + SECOND),
]


@pytest.mark.parametrize("what,q,want", TYPOS, ids=[t[0] for t in TYPOS])
def test_typo_gets_the_right_suggestion(archive, what, q, want):
    js = suggestion(q)
    check(js["data"] == [], "%s: q=%s finds nothing" % (what, q), len(js["data"]))
    if want is None:  # the two words are in different articles: no query of both has results
        check("did_you_mean" not in js, "%s: q=%s: no suggestion whose query finds nothing" % (what, q), js)
        return
    check(js.get("did_you_mean") == want, "%s: q=%s -> did_you_mean %s" % (what, q, want), js.get("did_you_mean"))
    again = suggestion(js.get("did_you_mean") or want)
    check(len(again["data"]) >= 1 and "did_you_mean" not in again,
          "%s: the suggested query finds articles and suggests nothing" % what, again)


@pytest.mark.parametrize("what,q", [
    ("nonsense", "qxzvwkjpl"),
    ("Arabic nonsense", "ظضغثقفص"),
    ("a short word", "inf"),
    ("a word found only in a draft", DRAFT_ONLY.replace("ق", "ف")),
    ("a phrase and an exclusion", '"inflasion" -tax'),
])
def test_no_suggestion_when_unsure(archive, what, q):
    js = suggestion(q)
    check(js["data"] == [] and "did_you_mean" not in js, "%s: q=%s -> no did_you_mean" % (what, q), js)


def test_no_suggestion_when_there_are_results(archive):
    js = suggestion(LATIN)
    check(len(js["data"]) == 1 and "did_you_mean" not in js, "q=%s has results: no did_you_mean" % LATIN, js)
    js = suggestion("inflasion", tag="وسم لا يوجد")
    check("did_you_mean" not in js, "the suggestion is checked with the filters: none under an unknown tag", js)
