"""test_search_pairs.py: the labelled precision set tests/data/search_pairs.tsv through the real
search (POST each stored text, GET /v1/articles?q=...): recall on the rows that must match, false
matches on the rows that must not, printed on one line; fails below 95% recall or on any false
match. Exact matches rank above folded and cut ones, in each field."""
import os

from harness import check, log
from search_helpers import create, marker, search_ids, title_no

PAIRS = os.path.join(os.path.dirname(__file__), "..", "data", "search_pairs.tsv")


def read_pairs():
    rows = []
    with open(PAIRS, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            stored, query, expected, what = line.rstrip("\n").split("\t")
            rows.append((stored, query, expected == "match", what))
    return rows


def test_pairs_through_search(khabar):
    rows = read_pairs()
    found = missed = false_matches = must_not = 0
    wrong = []
    for stored, query, want, what in rows:
        # each row its own article, found by a marker word of its own and the query's words
        mark = marker()
        aid = create(title_no(), "%s %s" % (stored, mark))["id"]
        got = aid in search_ids("%s %s" % (mark, query))
        if want:
            found += got
            missed += not got
        else:
            must_not += 1
            false_matches += got
        if got != want:
            wrong.append("%s: %s / %s" % (what, stored, query))
    must = found + missed
    line = "search pairs (real search): recall %d/%d (%.1f%%), false matches %d/%d" % (
        found, must, 100.0 * found / must, false_matches, must_not)
    print(line)
    log(line)
    check(must >= 100 and must_not >= 50, "the set holds enough rows of each kind", (must, must_not))
    check(found * 100 >= must * 95, "recall at least 95%", "; ".join(wrong))
    check(false_matches == 0, "no false match", "; ".join(wrong))


def test_exact_above_folded_and_cut(khabar):
    mark = marker()
    # in one field (the body), oldest exact, then a folded spelling, then a suffix cut (newest)
    exact = create(title_no(), "قال مسؤول %s في الوزارة" % mark, published_at="2020-01-01T00:00:00Z")["id"]
    folded = create(title_no(), "قال مسئول %s في الوزارة" % mark, published_at="2022-01-01T00:00:00Z")["id"]
    cut = create(title_no(), "قال مسؤولون %s في الوزارة" % mark, published_at="2024-01-01T00:00:00Z")["id"]
    names = {exact: "exact", folded: "folded", cut: "cut"}
    order = [i for i in search_ids("%s مسؤول" % mark) if i in names]
    check(order[:1] == [exact] and sorted(order) == sorted(names),
          "an exact match ranks above a folded spelling and a suffix cut", [names[i] for i in order])
    # a cut in the title still ranks above an exact match in the body: fields come first
    title_cut = create("مسؤولون %s يجتمعون" % mark, "نص قصير", published_at="2019-01-01T00:00:00Z")["id"]
    order = [i for i in search_ids("%s مسؤول" % mark) if i in names or i == title_cut]
    check(order[:1] == [title_cut], "a title match (cut) ranks above a body match (exact)", order)
