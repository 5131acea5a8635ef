"""test_query_plans.py: every list and search statement khabar runs keeps a plan that does not grow with the archive."""
# A synthetic archive (scripts/synth.py: 20,000 articles with short bodies, one tag on a third of
# them, one on 10%, thousands of rare tags, 20 skewed sources) is loaded with `khabar import` and
# VACUUM ANALYZEd; each list statement is run exactly as the server prepares it -- the SQL text is
# taken from server/db/statements.c at test time by compiling a tiny C program against it --
# through `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE`, with generic plans (the server runs
# each prepared statement's generic plan: test_plan_cache.py) and with custom plans (those it
# plans for each run, and any a later change may plan so). A plan fails on:
#   - a Seq Scan of articles, article_tags, article_sources, article_related or tags;
#   - a Sort (or Incremental Sort) fed more rows than the statement's row limit (limit + 1 as
#     the server passes it), except in search, where ranking the matches is a sort by nature
#     (search must use its RUM indexes, articles_search and the window's, instead of reading every article, unless
#     the word is in more than a tenth of them: then the matches are on most pages of the table,
#     reading it whole is the cheaper way to them, and its cost is the matches' cost anyway);
#   - any other scan that reads more than a quarter of a table (an index walked from end to end
#     to find a page: as linear in the archive as a Seq Scan), except, in search, the GIN index
#     and the articles its matches point at;
#   - an index scan whose condition is not on the index's first column (the whole index is
#     walked, which EXPLAIN's row counts do not show), or that reads many more index pages than
#     its rows need (EXPLAIN BUFFERS): a bound it checks entry by entry instead of starting from it.
# That the detector can fail is checked too: in a rolled-back transaction the index a query
# relies on is dropped and the same query must be flagged. The synthetic articles get a few
# "read also" links (inserted directly) so the per-article lookups run against a realistic table.
# The first page of each list is also fetched over HTTP and must hold the same articles as the
# statement run here with the same parameters (so the parameters mean what the server means).
# KHABAR_PLANS_ARTICLES (default 20000) sets the archive size.
import json
import os
import re
import shutil
import subprocess
import sys
import time

import pytest

import harness
from harness import REPO_ROOT, HarnessError, check, log
from server_sources import server_statements, tsquery_tool

sys.path.insert(0, os.path.join(REPO_ROOT, "scripts"))
import synth  # noqa: E402

ARTICLES = int(os.environ.get("KHABAR_PLANS_ARTICLES", "20000"))
BODY_WORDS = 30
SEED = 1
PAGE = 20          # the API's default page size
TAGS_PAGE = 50     # the default page size of /v1/tags and /v1/sources
DEEP = 50          # "a deep page": the cursor of page DEEP

# Tables no list may read in full (sources has 20 rows: reading it whole is fine).
NO_SEQ_SCAN = ("articles", "article_tags", "article_sources", "article_related", "tags", "article_authors",
               "authors", "article_revisions", "title_prefixes")
# The article with a long history of revisions (REVISION_HEAVY of them; every other has a few).
REVISION_HEAVY = 2000
# A scan that reads more than this share of a table (of 1,000 rows or more) for one page is
# a full scan by another name.
FULL_SCAN_SHARE = 0.25
# A search whose word is in more than this share of the articles may read the whole table.
WIDE_SEARCH_SHARE = 0.10
# The window of the newest articles searched from their own index (migrations/0020_search_window.sql),
# opened after the import as a server would open it: a tenth of the archive, so that searches
# read both indexes.
WINDOW_ARTICLES = ARTICLES // 10
# Index pages a scan may read per loop beyond what the rows it returns need (its descent from
# the root, a leaf page or two, a visibility map page).
WALK_SLACK_PAGES = 8
# Authors and sections (the synthetic archive has none): 3,000 authors, one on 10% of the
# articles (BIG_AUTHOR), one on 40 (RARE_AUTHOR), a second author on a fifth of them; 13
# sections, one holding a third of the articles (BIG_SECTION), one 100 (RARE_SECTION); five
# pinned articles on the big section's front. Added with SQL after the import, before the
# editors' statuses change what is visible (the triggers carry that to the bylines).
BIG_AUTHOR, RARE_AUTHOR, BIG_SECTION, RARE_SECTION = 1, 3000, 1, 13
PEOPLE_SQL = (
    "INSERT INTO authors (name, slug, slug_key) SELECT 'كاتب ' || i, 'author-' || i, 'author-' || i"
    " FROM generate_series(1, 3000) i;\n"
    "INSERT INTO article_authors (article_id, author_id, position, published_at, visible)"
    " SELECT id, CASE WHEN id % 10 = 0 THEN 1 WHEN id % 500 = 1 THEN 3000 ELSE 2 + id % 2997 END, 1,"
    " published_at, visible FROM articles;\n"
    "INSERT INTO article_authors (article_id, author_id, position, published_at, visible)"
    " SELECT id, 2 + (id * 13 + 5) % 2997, 2, published_at, visible FROM articles"
    " WHERE id % 5 = 2 AND 2 + (id * 13 + 5) % 2997 <> 2 + id % 2997;\n"
    "INSERT INTO sections (name, slug, slug_key, position) SELECT 'قسم ' || i, 'section-' || i,"
    " 'section-' || i, i FROM generate_series(1, 13) i;\n"
    "UPDATE articles SET section_id = CASE WHEN id % 3 = 0 THEN 1 WHEN id % 200 = 1 THEN 13"
    " ELSE 2 + id % 11 END;\n"
    "INSERT INTO section_front (section_id, article_id, position) SELECT 1, id, row_number() OVER ()"
    " FROM (SELECT id FROM articles WHERE section_id = 1 ORDER BY published_at DESC, id DESC"
    " OFFSET 3 LIMIT 5) p;\n")
# The search indexes: every article's, and the window's (migrations/0020_search_window.sql).
SEARCH_INDEXES = ("articles_search", "articles_search_recent")
# Statements taken from server/db/statements.c, by their enum names.
STATEMENTS = ("STMT_LIST_NEWEST", "STMT_LIST_BY_TAG", "STMT_LIST_BY_SOURCE", "STMT_LIST_SEARCH",
              "STMT_LIST_SEARCH_NEWEST",
              "STMT_LIST_BY_STATUS", "STMT_TAG_LIST", "STMT_SOURCE_LIST", "STMT_LIST_BY_AUTHOR",
              "STMT_LIST_BY_SECTION", "STMT_AUTHOR_LIST", "STMT_SECTION_LIST", "STMT_FRONT_NEWEST",
              "STMT_FRONT_PINNED", "STMT_REVISION_LIST", "STMT_SIMILAR", "STMT_SUGGEST_ARTICLES",
              "STMT_FEED_NEWEST", "STMT_FEED_BY_TAG", "STMT_FEED_BY_SOURCE", "STMT_FEED_BY_AUTHOR",
              "STMT_FEED_BY_SECTION", "STMT_SITEMAP_MONTH", "STMT_SITEMAP_NEWS", "STMT_SITEMAP_MONTHS")
# A feed's articles (server/handlers/feeds.c), read with one more to spare as lists are.
FEED_ROWS = 51
# The suggest box's answers (at most this many titles) and "more like this" (each of an
# article's tags and sources gives SIMILAR_PER_NAME candidates, each of 3 title words 32).
SUGGEST_ROWS = 10
SIMILAR_PER_NAME = 50


# ---------------------------------------------------------------------------------------
def lit(v):
    """A Python value as an SQL literal of unknown type (None as NULL)."""
    if v is None:
        return "NULL"
    return "'" + str(v).replace("'", "''") + "'"


def execute_sql(case):
    params = ", ".join(lit(p) for p in case["params"])
    return "EXECUTE %s%s" % (case["stmt"].lower(), "(%s)" % params if params else "")


class Archive(dict):
    """The loaded archive: the harness (h), and what the tests learnt of it by key: the import's
    result, the statements' SQL, table sizes, indexes, the tags and sources the cases use."""

    def __init__(self, h):
        super().__init__()
        self.h = h

    def psql(self, script, fields=False, timeout=120):
        """Runs script in one psql session (stops at the first error); returns stdout.
        fields=True: unaligned, fields split by U+001F and rows by NUL (for rows holding newlines)."""
        cmd = ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", self.h.pg.url, "-f", "-"]
        if fields:
            cmd[4:4] = ["-F", "\x1f", "-0"]
        r = subprocess.run(cmd, input=script.encode("utf-8"), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout)
        if r.returncode != 0:
            raise HarnessError("psql failed (exit %d): %s\nscript head:\n%s"
                               % (r.returncode, r.stderr.decode("utf-8", "replace")[-1500:], script[:1500]))
        return r.stdout.decode("utf-8")

    def one(self, sql):
        return self.psql(sql).strip()

    def records(self, sql):
        """The rows of sql as lists of fields."""
        return [rec.split("\x1f") for rec in self.psql(sql, fields=True).split("\0") if rec.strip()]

    def prepare_sql(self, stmt, alias=None):
        return "PREPARE %s AS %s;\n" % (alias or stmt.lower(), self["sql"][stmt][1])

# ---------------------------------------------------------------------------------------
# the detector

def walk(node, depth=0, sub=False):
    """Yields (node, depth, in_subplan) for the plan tree under node."""
    yield node, depth, sub
    for child in node.get("Plans", []):
        rel = child.get("Parent Relationship", "")
        # SubPlans run per row; InitPlans once, as do CTEs (which are InitPlans "CTE name")
        per_row = rel == "SubPlan" or (rel == "InitPlan" and not child.get("Subplan Name", "").startswith("CTE"))
        yield from walk(child, depth + 1, sub or per_row)


def index_pages_walked(node):
    """About how many index pages an index scan node read (its buffers less the heap pages it
    may have fetched), or None for other nodes."""
    kind = node["Node Type"]
    if kind not in ("Index Scan", "Index Only Scan", "Bitmap Index Scan"):
        return None
    def blocks_of(n):
        return n.get("Shared Hit Blocks", 0) + n.get("Shared Read Blocks", 0)
    # Buffers count inclusively: those of the SubPlans the scan's output runs are not its own.
    blocks = blocks_of(node) - sum(blocks_of(c) for c in node.get("Plans", []))
    loops = node.get("Actual Loops", 1)
    if kind == "Index Scan":
        blocks -= (node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)) * loops
    elif kind == "Index Only Scan":
        blocks -= node.get("Heap Fetches", 0)
    return max(0, blocks)


def judge(plan, case, arc):
    """The problems of one EXPLAIN (ANALYZE, FORMAT JSON) result and a one-line summary."""
    root = plan[0]["Plan"]
    limit = case["limit"]
    search = case.get("search", False)
    tables = arc.get("index_table", {})
    sizes = arc.get("reltuples", {})
    problems = []
    driving, driving_read = None, -1
    read_total = 0
    wide_search = False
    for node, _depth, sub in walk(root):
        kind = node["Node Type"]
        index = node.get("Index Name")
        rel = node.get("Relation Name") or tables.get(index)
        loops = node.get("Actual Loops", 1)
        if not kind.endswith("Scan") or kind in ("CTE Scan", "Function Scan", "Subquery Scan", "Values Scan"):
            read = 0
        else:
            read = (node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0) +
                    node.get("Rows Removed by Index Recheck", 0)) * loops
            if not sub:
                read_total += read
                if read > driving_read:
                    driving, driving_read = node, read
        lead = arc.get("index_lead", {}).get(index)
        cond = node.get("Index Cond")
        if lead and cond and not re.search(r"\b%s\b" % re.escape(lead), cond):
            # A condition on a later column only: the index is read from end to end.
            problems.append("%s using %s walks the whole index: its condition %s is not on its first"
                            " column %s" % (kind, index, cond, lead))
        if kind == "Seq Scan" and rel in NO_SEQ_SCAN:
            if search and rel == "articles" and node.get("Actual Rows", 0) * loops >= \
                    WIDE_SEARCH_SHARE * sizes.get(rel, 0) > 0:
                # A word in most articles: reading the table costs no more than reading
                # the matches through the index, and ranking them costs that anyway.
                wide_search = True
                continue
            problems.append("Seq Scan on %s (%s rows, %s removed by filter, %s loops)"
                            % (rel, node.get("Actual Rows"), node.get("Rows Removed by Filter", 0), loops))
        elif read and rel in sizes:
            # A scan through most of a table to return one page grows with the archive as
            # surely as a Seq Scan does (search reads its matches: the GIN index and the
            # heap rows it points at are what search costs).
            matches = search and (index in SEARCH_INDEXES or
                                  (kind == "Bitmap Heap Scan" and rel == "articles"))
            size = sizes[rel]
            if not matches and size >= 1000 and read > max(10 * limit, size * FULL_SCAN_SHARE):
                problems.append("%s%s reads %d of the %d rows of %s for a page of %d"
                                % (kind, " using " + index if index else "", read, size, rel, limit))
        walked = index_pages_walked(node)
        if walked is not None and not (search and index in SEARCH_INDEXES):
            rows = (node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)) * loops
            allowed = WALK_SLACK_PAGES * loops + rows / 100.0
            if walked > allowed:
                # A bound the scan cannot start from (only one lower and one upper key position
                # a btree scan) is checked on every entry it passes: pages, not rows, show it.
                problems.append("%s using %s walks %d index pages for %d rows (%d loops): a condition"
                                " it checks entry by entry instead of starting from it: %s"
                                % (kind, index, walked, node.get("Actual Rows", 0) * loops, loops, cond))
        if kind in ("Sort", "Incremental Sort") and not search:
            fed = sum(c.get("Actual Rows", 0) * c.get("Actual Loops", 1) for c in node.get("Plans", []))
            fed //= max(1, loops)
            if fed > limit:
                problems.append("%s of %d rows (limit %d) on %s" % (kind, fed, limit, node.get("Sort Key")))
    if search and not wide_search and not any(n.get("Index Name") in SEARCH_INDEXES for n, _, _ in walk(root)):
        problems.append("search does not use the RUM indexes %s" % " or ".join(SEARCH_INDEXES))
    if driving is not None:
        what = driving["Node Type"]
        if driving.get("Index Name"):
            what += " using " + driving["Index Name"]
        elif driving.get("Relation Name"):
            what += " on " + driving["Relation Name"]
    else:
        what = root["Node Type"]
    summary = "%s; %d rows read; %.2f ms" % (what, read_total, plan[0].get("Execution Time", 0.0))
    return problems, summary


def explain_cases(arc, cases, mode, setup=""):
    """EXPLAINs every case in one psql session with plan_cache_mode = mode; returns plans in order."""
    stmts = sorted(set(c["stmt"] for c in cases))
    script = setup + "".join(arc.prepare_sql(s) for s in stmts)
    script += "SET plan_cache_mode = %s;\n" % mode
    for i, c in enumerate(cases):
        script += "\\echo @@@plan %d\nEXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) %s;\n" % (i, execute_sql(c))
    if setup:
        script += "ROLLBACK;\n"
    out = arc.psql(script)
    parts = re.split(r"^@@@plan (\d+)$", out, flags=re.M)
    plans = {}
    for k in range(1, len(parts), 2):
        plans[int(parts[k])] = json.loads(parts[k + 1])
    return [plans.get(i) for i in range(len(cases))]



def cursor_of(arc, sql):
    """(published_at text as khabar_time gives it, id) of the row a deep page starts after."""
    v = arc.one(sql + " OFFSET %d LIMIT 1" % (DEEP * PAGE - 1))
    ts, ident = v.split("|")
    return ts, ident


def words_for_search():
    """A word in most articles, one in a few percent, one in a handful."""
    return synth.common_word(), synth.word_with_share(0.03, BODY_WORDS, SEED), synth.rare_word(SEED)


def name_list(arc, kind, after=(None, None), prefix=None):
    """The statement and parameters of a tags or sources list (kind TAG or SOURCE) as
    server/db/tags.c runs it: STMT_<kind>_LIST ($1 $2 after, $3 limit) or, with a prefix,
    STMT_<kind>_PREFIX ($4 the prefix); the older single statement had $3 prefix, $4 limit."""
    limit = TAGS_PAGE + 1
    stmt = "STMT_%s_LIST" % kind
    if prefix is not None and "STMT_%s_PREFIX" % kind in arc["sql"]:
        return dict(stmt="STMT_%s_PREFIX" % kind, params=list(after) + [limit, prefix], limit=limit)
    if arc["sql"][stmt][0] == 4:
        return dict(stmt=stmt, params=list(after) + [prefix, limit], limit=limit)
    if prefix is not None:
        raise HarnessError("%s takes no prefix and there is no STMT_%s_PREFIX" % (stmt, kind))
    return dict(stmt=stmt, params=list(after) + [limit], limit=limit)


def build_cases(arc):
    st = arc
    L = PAGE + 1   # the server fetches limit + 1 rows to know whether a next page exists
    newest_after = cursor_of(arc, "SELECT khabar_time(published_at) || '|' || id FROM articles"
                             " ORDER BY published_at DESC, id DESC")
    tag_after = cursor_of(arc, "SELECT khabar_time(published_at) || '|' || article_id FROM article_tags"
                          " WHERE tag_id = %d ORDER BY published_at DESC, article_id DESC" % st["pop_tag"])
    src_after = cursor_of(arc, "SELECT khabar_time(published_at) || '|' || article_id FROM article_sources"
                          " WHERE source_id = %d ORDER BY published_at DESC, article_id DESC" % st["big_source"])
    author_after = cursor_of(arc, "SELECT khabar_time(published_at) || '|' || article_id FROM article_authors"
                             " WHERE author_id = %d AND visible ORDER BY published_at DESC, article_id DESC"
                             % BIG_AUTHOR)
    section_after = cursor_of(arc, "SELECT khabar_time(published_at) || '|' || id FROM articles"
                              " WHERE section_id = %d AND visible ORDER BY published_at DESC, id DESC" % BIG_SECTION)
    front_after = cursor_of(arc, "SELECT khabar_time(published_at) || '|' || id FROM articles a"
                            " WHERE section_id = %d AND visible AND NOT EXISTS (SELECT 1 FROM section_front f"
                            " WHERE f.section_id = a.section_id AND f.article_id = a.id)"
                            " ORDER BY published_at DESC, id DESC" % BIG_SECTION)
    tags_after = arc.one("SELECT article_count || '|' || id FROM tags ORDER BY article_count DESC, id DESC"
                     " OFFSET %d LIMIT 1" % (DEEP * TAGS_PAGE - 1)).split("|")
    tags_prefix_after = arc.one("SELECT article_count || '|' || id FROM tags WHERE slug LIKE 'وسم%%'"
                            " ORDER BY article_count DESC, id DESC OFFSET %d LIMIT 1" % (TAGS_PAGE - 1)).split("|")
    # a month well inside the archive (2019 to 2024): most of the index is newer than it
    month = ("2020-03-01T00:00:00Z", "2020-03-31T23:59:59Z")
    common, tenth, rare = words_for_search()
    st["words"] = (common, tenth, rare)
    tsq = st["tsquery"]
    for w in (common, tenth, rare):
        log("search word %s: in %s articles" % (w, arc.one("SELECT count(*) FROM articles WHERE search @@ %s::tsquery"
                                                       % lit(tsq(w)))))
    N, T, S, Q = "STMT_LIST_NEWEST", "STMT_LIST_BY_TAG", "STMT_LIST_BY_SOURCE", "STMT_LIST_SEARCH"
    AU, SE = "STMT_LIST_BY_AUTHOR", "STMT_LIST_BY_SECTION"
    # params: $1 $2 after (time or rank, id), $3 $4 from/to, $5 lang, $6 limit, $7 driving id,
    # $8 the other filter (search: $7 tag, $8 source, $9 tsquery, $10 author, $11 section, $12 the
    # exact tsquery, which ranks)
    cases = [
        dict(name="newest, first page", stmt=N, params=[None, None, None, None, None, L],
             http="/v1/articles"),
        dict(name="newest, page %d" % DEEP, stmt=N, params=list(newest_after) + [None, None, None, L]),
        dict(name="newest, one month", stmt=N, params=[None, None, month[0], month[1], None, L],
             http="/v1/articles?from=%s&to=%s" % month),
        dict(name="newest, lang en (3%)", stmt=N, params=[None, None, None, None, "en", L],
             http="/v1/articles?lang=en"),
        dict(name="newest, lang ar (97%)", stmt=N, params=[None, None, None, None, "ar", L]),
        dict(name="by tag on a third", stmt=T, params=[None, None, None, None, None, L, st["pop_tag"], None],
             http="/v1/articles?tag=" + synth.POPULAR_TAG),
        dict(name="by tag on a third, page %d" % DEEP, stmt=T,
             params=list(tag_after) + [None, None, None, L, st["pop_tag"], None]),
        dict(name="by tag on a third, one month", stmt=T,
             params=[None, None, month[0], month[1], None, L, st["pop_tag"], None]),
        dict(name="by tag on 10%", stmt=T, params=[None, None, None, None, None, L, st["sec_tag"], None],
             http="/v1/articles?tag=" + synth.SECOND_TAG),
        dict(name="by rare tag", stmt=T, params=[None, None, None, None, None, L, st["rare_tag"], None],
             http="/v1/articles?tag=" + st["rare_tag_slug"]),
        dict(name="by tag on a third and the biggest source", stmt=T,
             params=[None, None, None, None, None, L, st["pop_tag"], st["big_source"]],
             http="/v1/articles?tag=%s&source=%s" % (synth.POPULAR_TAG, st["big_source_name"])),
        dict(name="by the biggest source", stmt=S,
             params=[None, None, None, None, None, L, st["big_source"], None],
             http="/v1/articles?source=" + st["big_source_name"]),
        dict(name="by the biggest source, page %d" % DEEP, stmt=S,
             params=list(src_after) + [None, None, None, L, st["big_source"], None]),
        dict(name="by the smallest source", stmt=S,
             params=[None, None, None, None, None, L, st["small_source"], None],
             http="/v1/articles?source=" + st["small_source_name"]),
        dict(name="by the smallest source and the tag on 10%", stmt=S,
             params=[None, None, None, None, None, L, st["small_source"], st["sec_tag"]],
             http="/v1/articles?source=%s&tag=%s" % (st["small_source_name"], synth.SECOND_TAG)),
        dict(name="search, word in most articles %s" % common, stmt=Q, search=True,
             params=[None, None, None, None, None, L, None, None, tsq(common), None, None, tsq(common, exact=True)],
             http="/v1/articles?q=" + common),
        dict(name="search, word in a few %% %s" % tenth, stmt=Q, search=True,
             params=[None, None, None, None, None, L, None, None, tsq(tenth), None, None, tsq(tenth, exact=True)],
             http="/v1/articles?q=" + tenth),
        dict(name="search, word in a few % and a month", stmt=Q, search=True,
             params=[None, None, month[0], month[1], None, L, None, None, tsq(tenth), None, None, tsq(tenth, exact=True)]),
        dict(name="search, rare word %s" % rare, stmt=Q, search=True,
             params=[None, None, None, None, None, L, None, None, tsq(rare), None, None, tsq(rare, exact=True)],
             http="/v1/articles?q=" + rare),
        dict(name="search, word in a few % and the tag on a third", stmt=Q, search=True,
             params=[None, None, None, None, None, L, st["pop_tag"], None, tsq(tenth), None, None, tsq(tenth, exact=True)]),
        dict(name="search newest first, word in most articles", stmt="STMT_LIST_SEARCH_NEWEST", search=True,
             params=[None, None, None, None, None, L, None, None, tsq(common), None, None],
             http="/v1/articles?sort=newest&q=" + common),
        dict(name="search newest first, rare word", stmt="STMT_LIST_SEARCH_NEWEST", search=True,
             params=[None, None, None, None, None, L, None, None, tsq(rare), None, None]),
        # editors' lists ($9 the status; $7 $8 tag and source filters)
        dict(name="editors: drafts", stmt="STMT_LIST_BY_STATUS",
             params=[None, None, None, None, None, L, None, None, "draft", None, None]),
        dict(name="editors: withdrawn", stmt="STMT_LIST_BY_STATUS",
             params=[None, None, None, None, None, L, None, None, "withdrawn", None, None]),
        dict(name="editors: scheduled", stmt="STMT_LIST_BY_STATUS",
             params=[None, None, None, None, None, L, None, None, "scheduled", None, None]),
        dict(name="editors: any", stmt="STMT_LIST_BY_STATUS",
             params=[None, None, None, None, None, L, None, None, "any", None, None]),
        dict(name="tags, first page", http="/v1/tags", **name_list(arc, "TAG")),
        dict(name="tags, page %d" % DEEP, **name_list(arc, "TAG", after=tags_after)),
        dict(name="tags, prefix matching a few (سي)", http="/v1/tags?q=سي", **name_list(arc, "TAG", prefix="سي")),
        dict(name="tags, prefix matching thousands (وسم)", http="/v1/tags?q=وسم",
             **name_list(arc, "TAG", prefix="وسم")),
        dict(name="tags, prefix matching thousands (وسم), page 2",
             **name_list(arc, "TAG", after=tags_prefix_after, prefix="وسم")),
        dict(name="sources", http="/v1/sources", **name_list(arc, "SOURCE")),
        # an article's revisions, newest first ($1 the article, $2 the last version seen, $3 rows)
        dict(name="revisions, first page", stmt="STMT_REVISION_LIST", params=[st["heavy"], None, L]),
        dict(name="revisions, page %d" % DEEP, stmt="STMT_REVISION_LIST",
             params=[st["heavy"], REVISION_HEAVY - DEEP * PAGE, L]),
        dict(name="revisions of an article with a few", stmt="STMT_REVISION_LIST", params=[st["heavy"] + 1, None, L]),
        # authors ($7 the author, $8 tag, $9 source, $10 section) and sections ($7 the section,
        # $8 tag, $9 source)
        dict(name="by the biggest author (10%)", stmt=AU, params=[None, None, None, None, None, L, BIG_AUTHOR,
                                                                   None, None, None],
             http="/v1/articles?author=author-%d" % BIG_AUTHOR),
        dict(name="by the biggest author, page %d" % DEEP, stmt=AU,
             params=list(author_after) + [None, None, None, L, BIG_AUTHOR, None, None, None]),
        dict(name="by a rare author", stmt=AU, params=[None, None, None, None, None, L, RARE_AUTHOR, None, None, None],
             http="/v1/articles?author=author-%d" % RARE_AUTHOR),
        dict(name="by the biggest author and the tag on a third", stmt=AU,
             params=[None, None, None, None, None, L, BIG_AUTHOR, st["pop_tag"], None, None],
             http="/v1/articles?author=author-%d&tag=%s" % (BIG_AUTHOR, synth.POPULAR_TAG)),
        dict(name="by the biggest author and the biggest section", stmt=AU,
             params=[None, None, None, None, None, L, BIG_AUTHOR, None, None, BIG_SECTION],
             http="/v1/articles?author=author-%d&section=section-%d" % (BIG_AUTHOR, BIG_SECTION)),
        dict(name="by the biggest section (a third)", stmt=SE,
             params=[None, None, None, None, None, L, BIG_SECTION, None, None],
             http="/v1/articles?section=section-%d" % BIG_SECTION),
        dict(name="by the biggest section, page %d" % DEEP, stmt=SE,
             params=list(section_after) + [None, None, None, L, BIG_SECTION, None, None]),
        dict(name="by a rare section", stmt=SE, params=[None, None, None, None, None, L, RARE_SECTION, None, None],
             http="/v1/articles?section=section-%d" % RARE_SECTION),
        dict(name="by the biggest section, one month", stmt=SE,
             params=[None, None, month[0], month[1], None, L, BIG_SECTION, None, None]),
        dict(name="search, word in a few % and the biggest author", stmt=Q, search=True,
             params=[None, None, None, None, None, L, None, None, tsq(tenth), BIG_AUTHOR, None, tsq(tenth, exact=True)]),
        dict(name="editors: drafts of the biggest section", stmt="STMT_LIST_BY_STATUS",
             params=[None, None, None, None, None, L, None, None, "draft", None, BIG_SECTION]),
        dict(name="authors, first page", http="/v1/authors", **name_list(arc, "AUTHOR")),
        dict(name="authors, prefix matching one (author-1234)", http="/v1/authors?q=author-1234",
             **name_list(arc, "AUTHOR", prefix="author-1234")),
        dict(name="authors, prefix matching a third (author-1)", http="/v1/authors?q=author-1",
             **name_list(arc, "AUTHOR", prefix="author-1")),
        dict(name="sections", stmt="STMT_SECTION_LIST", params=[None, None, 51], limit=51, http="/v1/sections"),
        dict(name="front, pinned", stmt="STMT_FRONT_PINNED", params=[BIG_SECTION]),
        dict(name="front, newest", stmt="STMT_FRONT_NEWEST", params=[BIG_SECTION, None, None, L]),
        dict(name="front, page %d" % DEEP, stmt="STMT_FRONT_NEWEST", params=[BIG_SECTION] + list(front_after) + [L]),
        dict(name="front of a rare section", stmt="STMT_FRONT_NEWEST", params=[RARE_SECTION, None, None, L]),
        # feeds: the lists' scans with the body, FEED_ROWS rows
        dict(name="feed of the site", stmt="STMT_FEED_NEWEST", params=[None, None, None, None, None, FEED_ROWS],
             limit=FEED_ROWS),
        dict(name="feed of the tag on a third", stmt="STMT_FEED_BY_TAG",
             params=[None, None, None, None, None, FEED_ROWS, st["pop_tag"], None], limit=FEED_ROWS),
        dict(name="feed of a rare tag", stmt="STMT_FEED_BY_TAG",
             params=[None, None, None, None, None, FEED_ROWS, st["rare_tag"], None], limit=FEED_ROWS),
        dict(name="feed of the biggest source", stmt="STMT_FEED_BY_SOURCE",
             params=[None, None, None, None, None, FEED_ROWS, st["big_source"], None], limit=FEED_ROWS),
        dict(name="feed of the biggest author", stmt="STMT_FEED_BY_AUTHOR",
             params=[None, None, None, None, None, FEED_ROWS, BIG_AUTHOR, None, None, None], limit=FEED_ROWS),
        dict(name="feed of a rare section", stmt="STMT_FEED_BY_SECTION",
             params=[None, None, None, None, None, FEED_ROWS, RARE_SECTION, None, None], limit=FEED_ROWS),
        # sitemaps: a month of the public index ($1 its start, $2 skipped, $3 rows), the news
        dict(name="sitemap of a month", stmt="STMT_SITEMAP_MONTH", params=["2020-03-01T00:00:00Z", 0, 50000],
             limit=50000),
        dict(name="sitemap of a month, second page", stmt="STMT_SITEMAP_MONTH",
             params=["2020-03-01T00:00:00Z", 100, 100], limit=200),
        dict(name="news sitemap", stmt="STMT_SITEMAP_NEWS", params=[1000], limit=1000),
    ]
    cases += suggestion_cases(arc)
    if "STMT_SOURCE_PREFIX" in arc["sql"] or arc["sql"]["STMT_SOURCE_LIST"][0] == 4:
        cases.append(dict(name="sources, prefix (ال)", http="/v1/sources?q=ال", **name_list(arc, "SOURCE", prefix="ال")))
    for c in cases:
        c.setdefault("limit", L)
    return cases


def suggestion_cases(arc):
    """The suggest box's titles for prefixes of one, two and five letters and of two words, and
    "more like this" of the newest article on the tag on a third: each a few bounded scans, so
    their sorts are of at most the candidates those scans give."""
    me, names = arc.one("SELECT a.id || '|' || ((SELECT count(*) FROM article_tags t WHERE t.article_id = a.id)"
                        " + (SELECT count(*) FROM article_sources s WHERE s.article_id = a.id))"
                        " FROM article_tags x JOIN articles a ON a.id = x.article_id"
                        " WHERE x.tag_id = %d AND x.visible ORDER BY x.published_at DESC LIMIT 1"
                        % arc["pop_tag"]).split("|")
    arc["similar_of"] = int(me)
    candidates = SIMILAR_PER_NAME * int(names) + 3 * 32
    G = "STMT_SUGGEST_ARTICLES"
    return [
        dict(name="suggest, one letter (ا)", stmt=G, params=["ا", None, SUGGEST_ROWS], limit=SUGGEST_ROWS),
        dict(name="suggest, two letters (ال)", stmt=G, params=["ال", None, SUGGEST_ROWS], limit=SUGGEST_ROWS),
        dict(name="suggest, five letters (الكوي)", stmt=G, params=["الكوي", None, SUGGEST_ROWS],
             limit=SUGGEST_ROWS),
        dict(name="suggest, two words (الكويت الم)", stmt=G, params=["الم", '["الكويت"]', SUGGEST_ROWS],
             limit=SUGGEST_ROWS),
        dict(name="suggest, a prefix no title has", stmt=G, params=["ظظظ", None, SUGGEST_ROWS], limit=SUGGEST_ROWS),
        dict(name="similar, an article on the tag on a third", stmt="STMT_SIMILAR", params=[int(me), 10],
             limit=candidates, http="/v1/articles/%d/similar" % int(me)),
    ]


# ---------------------------------------------------------------------------------------
# the archive

def load(h):
    """Writes and imports the synthetic archive, adds "read also" links, VACUUM ANALYZEs;
    returns the Archive with what the cases need to know."""
    arc = Archive(h)
    path = os.path.join(h.workdir, "archive.ndjson")
    t0 = time.monotonic()
    with open(path, "wb") as f:
        subprocess.run([sys.executable, os.path.join(REPO_ROOT, "scripts", "synth.py"), "--count", str(ARTICLES),
                        "--seed", str(SEED), "--body-words", str(BODY_WORDS)], stdout=f, check=True, timeout=120)
    t1 = time.monotonic()
    arc["import"] = h.run_cli(["import", path], timeout=600)
    t2 = time.monotonic()
    rate = ARTICLES / (t2 - t1) if t2 > t1 else 0
    log("synth.py wrote %d articles in %.1f s; khabar import took %.1f s (%.0f articles/s)"
        % (ARTICLES, t1 - t0, t2 - t1, rate))
    # "Read also" links (the synthetic articles have none): a few per article, so that the
    # lookups of article_related run against a table of realistic size.
    arc.psql("INSERT INTO article_related (article_id, related_id, position)"
             " SELECT a.id, a.id - 1 - k * (1 + a.id % 37), k + 1 FROM articles a, generate_series(0, 1) k"
             " WHERE a.id % 3 = 0 AND a.id > 80;\n"
             # what editors list: 2% drafts, 1% withdrawn, 1% scheduled a day or more ahead
             "UPDATE articles SET status = 'draft' WHERE id % 50 = 7;\n"
             "UPDATE articles SET status = 'withdrawn', withdrawn_reason = 'x' WHERE id % 97 = 5;\n"
             + PEOPLE_SQL +
             "UPDATE articles SET published_at = now() + interval '1 day' + id * interval '1 minute'"
             " WHERE id % 89 = 3 AND status = 'published';\n"
             # revisions: one to five per article, and one article with a long history
             + ("INSERT INTO article_revisions (article_id, version, actor, action, changed, representation)"
                " SELECT a.id, v, 'env-1', 'updated', '{title}', jsonb_build_object('id', a.id, 'version', v)"
                " FROM articles a, generate_series(1, CASE WHEN a.id = 100 THEN %d ELSE 1 + a.id %% 5 END) v;\n"
                % REVISION_HEAVY) +
             # the search window, as a server opens it on a large archive: its newest visible
             # articles marked, the edge at the last of them
             "UPDATE search_window SET since = (SELECT published_at FROM articles WHERE visible"
             " ORDER BY published_at DESC, id DESC OFFSET %d LIMIT 1);\n"
             "UPDATE search_window SET dropped_to = since;\n"
             "UPDATE articles SET search_recent = true WHERE visible"
             " AND published_at >= (SELECT since FROM search_window);\n" % (WINDOW_ARTICLES - 1) +
             "VACUUM ANALYZE;\n", timeout=300)
    arc["reltuples"] = {name: int(n) for name, n in arc.records(
        "SELECT relname, reltuples::bigint FROM pg_class WHERE relkind = 'r'"
        " AND relnamespace = 'public'::regnamespace")}
    arc["index_table"], arc["index_lead"] = {}, {}
    for index, table, lead in arc.records(
            "SELECT i.indexrelid::regclass::text, i.indrelid::regclass::text, coalesce(a.attname, '')"
            " FROM pg_index i LEFT JOIN pg_attribute a"
            " ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]"
            " WHERE i.indrelid::regclass::text IN (SELECT tablename FROM pg_tables"
            " WHERE schemaname = 'public')"):
        arc["index_table"][index] = table
        arc["index_lead"][index] = lead
    arc["sql"] = server_statements(h.workdir)
    try:
        arc["tsquery"] = tsquery_tool(h.workdir)
    except HarnessError as e:  # search.c or text.c mid-edit: quote the word as one lexeme
        log("could not build the tsquery helper, using plain lexemes: %s" % e)
        arc["tsquery"] = lambda q: "( ( '%s' ) )" % q.replace("'", "''")
    learn_shape(arc)
    return arc


def learn_shape(arc):
    """The tags and sources the cases filter on, and the counts test_archive_shape checks."""
    arc["total"] = int(arc.one("SELECT count(*) FROM articles"))
    arc["heavy"] = 100
    tags = {slug: (int(tid), int(count)) for slug, tid, count in arc.records(
        "SELECT slug, id, article_count FROM tags WHERE slug IN ('%s', '%s')"
        % (synth.POPULAR_TAG, synth.SECOND_TAG))}
    arc["pop"], arc["sec"] = tags.get(synth.POPULAR_TAG), tags.get(synth.SECOND_TAG)
    arc["rare"] = arc.one("SELECT id || ' ' || article_count FROM tags WHERE article_count BETWEEN 2 AND 6"
                          " ORDER BY id LIMIT 1").split()
    arc["n_tags"] = int(arc.one("SELECT count(*) FROM tags"))
    src = arc.one("SELECT string_agg(id || ' ' || article_count, ',' ORDER BY article_count DESC, id)"
                  " FROM sources").split(",")
    if arc["pop"] is None or arc["sec"] is None or not arc["rare"] or not src[0]:
        return  # test_archive_shape says what is missing; the cases cannot be built
    arc["pop_tag"], arc["sec_tag"] = arc["pop"][0], arc["sec"][0]
    arc["rare_tag"] = int(arc["rare"][0])
    arc["rare_tag_slug"] = arc.one("SELECT slug FROM tags WHERE id = %s" % arc["rare"][0])
    arc["big_source"] = int(src[0].split()[0])
    arc["small_source"] = int(src[-1].split()[0])
    arc["big_source_name"] = arc.one("SELECT name FROM sources WHERE id = %d" % arc["big_source"])
    arc["small_source_name"] = arc.one("SELECT name FROM sources WHERE id = %d" % arc["small_source"])
    log("archive: %d articles, %d tags (%s on %d, %s on %d), %s sources" % (
        arc["total"], arc["n_tags"], synth.POPULAR_TAG, arc["pop"][1], synth.SECOND_TAG, arc["sec"][1], len(src)))


@pytest.fixture(scope="module")
def archive(khabar):
    """The synthetic archive in the file's database (loaded once for the file)."""
    if khabar.sanitized:
        # the plans are PostgreSQL's, the same whatever build of khabar sent the statements;
        # the plain pass judges them, and loading the archive is minutes under the sanitizers
        pytest.skip("query plans are judged in the plain pass")
    if not shutil.which("psql"):
        pytest.fail("psql is not installed", pytrace=False)
    return load(khabar)


@pytest.fixture(scope="module")
def cases(archive):
    """The statements and parameters whose plans are judged (the first page, a deep page, filters)."""
    if "pop_tag" not in archive:
        pytest.fail("the archive lacks the tags or sources the cases filter on", pytrace=False)
    return build_cases(archive)


# ---------------------------------------------------------------------------------------
# tests

def test_archive_loads(archive):
    r = archive["import"]
    want = "loaded %d articles, refused 0 lines" % ARTICLES
    assert r.returncode == 0 and want in r.stdout, "khabar import loads the synthetic archive (%s): " \
        "exit %d\nstdout: %s\nstderr: %s" % (want, r.returncode, harness.tail(r.stdout, 5), harness.tail(r.stderr, 10))


def test_statements_found(archive):
    for name in STATEMENTS:
        check(name in archive["sql"], "statement %s found in server/db/statements.c" % name)


def test_archive_shape(archive):
    """The archive has the shape the plans depend on."""
    total, pop, sec = archive["total"], archive["pop"], archive["sec"]
    check(pop is not None and 0.28 < pop[1] / total < 0.38,
          "archive: tag %s (both spellings folded) is on about a third of %d articles" % (synth.POPULAR_TAG, total),
          "%r" % (pop,))
    check(sec is not None and 0.07 < sec[1] / total < 0.13,
          "archive: tag %s is on about 10%% of the articles" % synth.SECOND_TAG, "%r" % (sec,))
    check(archive["rare"] and archive["n_tags"] > 1000,
          "archive: thousands of tags (%d), rare ones on a handful of articles" % archive["n_tags"])


@pytest.mark.parametrize("mode,label", [("force_custom_plan", "custom"), ("force_generic_plan", "generic")])
def test_plans(archive, cases, mode, label):
    plans = explain_cases(archive, cases, mode)
    for c, plan in zip(cases, plans):
        if label == "generic" and archive["sql"][c["stmt"]][2]:
            continue  # the server sends it unprepared: PostgreSQL plans it for each run
        if plan is None:
            check(False, "plan (%s): %s" % (label, c["name"]), "no EXPLAIN output")
            continue
        problems, summary = judge(plan, c, archive)
        check(not problems, "plan (%s): %s (%s)" % (label, c["name"], summary), "; ".join(problems))


def test_window_serves_a_common_word(archive, cases):
    """The newest matches of a word in most articles all come from the window's index: the index of
    every article is not read at all (RUM sorts every match an index holds before the first)."""
    case = next(c for c in cases if c["name"].startswith("search, word in most articles"))
    plan = explain_cases(archive, [case], "force_generic_plan")[0]
    used = {}
    for node, _depth, _sub in walk(plan[0]["Plan"]):
        if node.get("Index Name") in SEARCH_INDEXES:
            used[node["Index Name"]] = used.get(node["Index Name"], 0) + node.get("Actual Rows", 0) * node.get("Actual Loops", 0)
    check(used.get("articles_search_recent", 0) >= 1000, "the window's index gives the 1,000 candidates", used)
    check(used.get("articles_search", 0) == 0, "the index of every article gives none", used)


def test_sitemap_months_read_from_their_index(archive):
    """The sitemap index's months (each month's public articles counted, their last update) come from an
    index-only scan of articles_public_months: no row of articles is read, however large the archive; without
    that index the rows are."""
    case = dict(name="sitemap months", stmt="STMT_SITEMAP_MONTHS", params=[])
    for mode, setup, want in (("force_generic_plan", "", [("Index Only Scan", "articles_public_months", 0)]),
                              ("force_custom_plan", "", [("Index Only Scan", "articles_public_months", 0)]),
                              ("force_generic_plan", "BEGIN;\nDROP INDEX articles_public_months;\n", None)):
        plan = explain_cases(archive, [case], mode, setup=setup)[0]
        scans = [(n["Node Type"], n.get("Index Name"), n.get("Heap Fetches", 0))
                 for n, _depth, _sub in walk(plan[0]["Plan"]) if n.get("Relation Name")] if plan else None
        if want is not None:
            check(scans == want, "sitemap months (%s): an index-only scan of their index, no heap fetch" % mode, scans)
        else:
            check(bool(scans) and scans != [("Index Only Scan", "articles_public_months", 0)],
                  "sitemap months without their index: the rows are read", scans)


def test_detector_fails_without_indexes(archive, cases):
    """The detector is not blind: without the index a query relies on, its plan is flagged."""
    by_name = {c["name"]: c for c in cases}
    controls = [
        # the full index would serve (filtering what is not public): both go
        ("articles_public_newest, articles_newest", "newest, first page"),
        ("article_tags_public_newest", "by tag on a third"),
        ("article_sources_public_newest", "by the biggest source"),
        ("articles_search", "search, rare word %s" % archive["words"][2]),
        # a rare tag's few rows need no sort: without its index they are found by walking
        # the primary key (article_id, tag_id) from end to end, which must be flagged too
        ("article_tags_public_newest", "by rare tag"),
        ("article_authors_public_newest", "by a rare author"),
        ("articles_section_public_newest", "by a rare section"),
    ]
    controls.append(("title_prefixes_newest", "suggest, one letter (ا)"))
    controls.append(("title_prefixes_newest", "similar, an article on the tag on a third"))
    # the revisions' only index is their primary key
    controls.append(("article_revisions_pkey", "revisions, first page"))
    for index, name in controls:
        case = by_name[name]
        drop = "DROP INDEX %s" % index
        if index.endswith("_pkey"):
            drop = "ALTER TABLE %s DROP CONSTRAINT %s" % (index[:-len("_pkey")], index)
        plan = explain_cases(archive, [case], "force_custom_plan", setup="BEGIN;\n%s;\n" % drop)[0]
        problems, summary = judge(plan, case, archive)
        check(bool(problems), "detector: without index %s, '%s' is flagged (%s)"
              % (index, name, problems[0] if problems else summary),
              "the plan passed although the index was gone: %s" % summary)


def test_server_agrees(khabar, archive, cases):
    """The first page over HTTP holds the articles the statement returns with these parameters."""
    for c in cases:
        if "http" not in c:
            continue
        r = khabar.server.request("GET", c["http"])
        if not check(r.status == 200 and r.json is not None, "GET %s answers 200" % c["http"], r.brief()):
            continue
        got = [item.get("id") if "id" in item else item.get("slug", item.get("name")) for item in r.json["data"]]
        out = archive.psql(archive.prepare_sql(c["stmt"]) + execute_sql(c) + ";\n", fields=True)
        rows = [rec.split("\x1f") for rec in out.split("\0") if rec.strip()]
        if c["stmt"].startswith(("STMT_AUTHOR_", "STMT_SECTION_")):
            want = [int(row[3]) for row in rows][:TAGS_PAGE]  # the id of an author or section
        elif c["stmt"].startswith(("STMT_TAG_", "STMT_SOURCE_")):
            want = [row[0] for row in rows][:TAGS_PAGE]  # slug of a tag, name of a source
        else:
            want = [int(row[0]) for row in rows][:PAGE]
        check(got == want and len(got) > 0, "GET %s gives the statement's rows (%d)" % (c["http"], len(got)),
              "http %r\nsql  %r" % (got[:8], want[:8]))
