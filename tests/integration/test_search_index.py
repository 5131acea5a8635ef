"""test_search_index.py: the search index: it follows PATCH, PUT and DELETE, holds long bodies, answers from the GIN index rather than a sequential scan, and SEARCH_JOBS bounds the searches at once."""
import datetime
import json
import os
import random
import re
import shutil
import subprocess
import time
import urllib.parse

import pytest

import harness
from harness import TOKEN_1, check, log, request
from search_helpers import (BODY_FILLER, create, items_of, marker, merge_patch, qs, sanitizer_clean, search,
                            search_ids, title_no)


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


def row_buffers(h, select, aid):
    """Shared buffers PostgreSQL touches to compute select over the article aid's row."""
    out = psql(h, "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) SELECT %s FROM articles WHERE id = %d" % (select, aid))
    plan = json.loads(out)[0]["Plan"]
    return plan.get("Shared Hit Blocks", 0) + plan.get("Shared Read Blocks", 0)


def test_candidate_tier_reads_only_the_row(khabar):
    """A search tells each candidate's field from the title's and summary's lexemes kept in its
    row (search_head): reading them touches no page beyond the row's own, even in a row whose
    body, summary and title make it long (PostgreSQL moves a long row's large values to its
    TOAST table, a B-tree probe and a page read each, for each of a search's 1,000 candidates)."""
    rnd = random.Random(5)
    letters = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
    word = lambda: "".join(rnd.choice(letters) for _ in range(7))
    title = title_no(" ".join(word() for _ in range(12)))
    summary = " ".join(word() for _ in range(45))
    body = " ".join(word() for _ in range(3000))
    aid = create(title, body, summary=summary)["id"]
    psql(khabar, "VACUUM articles")
    # a column of the row itself: its index probe and its heap page, as search_head's (the id
    # alone could be an index-only scan, one page fewer or, when the page is not all-visible
    # at that moment, one more)
    plain = row_buffers(khabar, "version", aid)
    tier = row_buffers(khabar, "ts_rank('{0, 0, 0, 1}', search_head, 'x'::tsquery)", aid)
    whole = row_buffers(khabar, "ts_rank('{0, 0, 0, 1}', search, 'x'::tsquery)", aid)
    check(whole > plain, "the long article's whole vector is stored out of its row (the check can tell)",
          "%d buffers for the row, %d with the whole vector" % (plain, whole))
    check(tier == plain, "its title's and summary's lexemes are read from the row itself",
          "%d buffers for the row, %d with search_head" % (plain, tier))


def waiting_searches(h, seconds):
    """The most statements of searches seen waiting on a lock at once, sampled for seconds: the
    statements that read a page of articles (the only requests sent meanwhile are searches).
    Every server's background work on the locked table waits too (its schedule, its search
    window) and is not counted."""
    most = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        n = int(psql(h, "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                     " AND backend_type = 'client backend' AND query LIKE 'SELECT a.id, a.slug, %'").strip() or 0)
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


# ---------------------------------------------------------------------------------------
# the window of the newest articles (migrations/0020_search_window.sql)

def set_window(h, since):
    """Puts the search window at since (an SQL timestamptz literal; NULL: no window), every visible
    article at or after it marked and no other, as the servers' upkeep and the writers' trigger keep it."""
    mark = "COALESCE(visible AND published_at >= %s, false)" % since
    psql(h, "UPDATE search_window SET since = %s, dropped_to = %s, pending = NULL, pending_at = NULL;"
            " UPDATE articles SET search_recent = %s WHERE search_recent <> %s" % (since, since, mark, mark))


def answers(srv, word):
    """What a client sees of a search for word: three pages by relevance and three newest first
    (following next_cursor), the facets of each sort, and a search bounded in time."""
    seen = []
    for sort in ("relevance", "newest"):
        path = "/v1/articles?" + qs(q=word, sort=sort, limit=40, facets="tag,source", facet_limit=5)
        for _ in range(3):
            r = srv.request("GET", path, encoded=True)
            if r.status != 200 or not isinstance(r.json, dict):
                return ["%s: %s" % (path, r.brief())]
            seen.append([i.get("id") for i in r.json.get("data", [])])
            seen.append(r.json.get("facets"))
            cursor = r.json.get("next_cursor")
            if not cursor:
                break
            path = "/v1/articles?" + qs(q=word, sort=sort, limit=40, cursor=cursor)
    r = srv.request("GET", "/v1/articles?" + qs(q=word, to="2001-02-01T00:00:00Z", limit=100), encoded=True)
    seen.append([i.get("id") for i in r.json.get("data", [])] if r.status == 200 else r.brief())
    return seen


def test_window_keeps_the_answers(khabar):
    """A search answers the same with no window of the newest articles as wherever the window
    starts: all of them in it, part (fewer than a search's 1,000 candidates, and more than a page),
    a few, or none. 1,300 articles hold one word, in titles, summaries or bodies, an hour apart."""
    word = marker()
    rnd = random.Random(21)
    path = os.path.join(khabar.workdir, "window.ndjson")
    start = datetime.datetime(2001, 1, 1, tzinfo=datetime.timezone.utc)
    dates = [(start + datetime.timedelta(hours=i)).strftime("%Y-%m-%dT%H:%M:%SZ") for i in range(1300)]
    with open(path, "w", encoding="utf-8") as f:
        for i in range(1300):
            field = ("title", "summary", "body")[rnd.randrange(3)]
            doc = {"title": "خبر النافذة %d" % i, "body": "نص عن الاقتصاد %d" % rnd.randrange(50),
                   "published_at": dates[i], "tags": ["وسم %d" % (i % 7)], "sources": ["مصدر %d" % (i % 3)]}
            doc[field] = doc.get(field, "") + " " + word + (" " + word if i % 5 == 0 else "")
            f.write(json.dumps(doc, ensure_ascii=False) + "\n")
    r = khabar.run_cli(["import", path], timeout=300)
    check(r.returncode == 0, "khabar import of 1,300 articles holding one word", (r.stdout + r.stderr)[-300:])
    srv = khabar.start_server({"CACHE_BYTES": "0"}, name="window")
    try:
        set_window(khabar, "NULL")
        whole = answers(srv, word)
        check(len(whole[0]) == 40 and len(whole[-1]) == 100, "the word's searches answer full pages",
              "%r" % [len(x) if isinstance(x, list) else x for x in whole][:4])
        edges = {"all of them": "'-infinity'", "700 of them": "'%s'" % dates[-700], "50 of them": "'%s'" % dates[-50],
                 "none of them": "'2100-01-01T00:00:00Z'"}
        for name, since in edges.items():
            set_window(khabar, since)
            got = answers(srv, word)
            check(got == whole, "with %s in the window a search answers as with no window" % name,
                  "first difference at %r" % next((i for i, (a, b) in enumerate(zip(got, whole)) if a != b), None))
    finally:
        set_window(khabar, "NULL")
        srv.stop()


def test_window_moves_on(khabar):
    """A server opens the window of its newest SEARCH_WINDOW_ARTICLES articles once the archive holds
    twice as many (marking the articles in it), then keeps it; a new article is marked as written,
    one dated before the window is not, and both are found."""
    set_window(khabar, "NULL")
    edge = psql(khabar, "SELECT published_at FROM articles WHERE visible ORDER BY published_at DESC, id DESC"
                        " OFFSET 4 LIMIT 1")
    srv = khabar.start_server({"SEARCH_WINDOW_ARTICLES": "5"}, name="window5")
    try:
        state = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            state = psql(khabar, "SELECT COALESCE(since::text, '-') || '|' || (SELECT count(*) FROM articles"
                                 " WHERE visible AND NOT search_recent AND published_at >= since) || '|' ||"
                                 " (SELECT count(*) FROM articles WHERE search_recent) FROM search_window")
            if not state.startswith("-|"):
                break
            time.sleep(0.2)
        since, unmarked, marked = state.split("|")
        check(since == edge, "the window opens at the 5th newest article", "since %s, 5th newest %s" % (since, edge))
        check(unmarked == "0" and 5 <= int(marked) <= 6, "the articles in it, and only they, are marked",
              "%s in it unmarked, %s marked" % (unmarked, marked))
        word = marker()
        new = create("خبر جديد %s" % word, "نص")["id"]
        old = create("خبر قديم %s" % word, "نص", published_at="1999-01-01T00:00:00Z")["id"]
        marks = psql(khabar, "SELECT string_agg(search_recent::text, ',' ORDER BY id) FROM articles"
                             " WHERE id IN (%d, %d)" % (new, old))
        check(marks == "true,false", "a new article is in the window, one dated before it is not", marks)
        got = srv.request("GET", "/v1/articles?" + qs(q=word), encoded=True)
        check(got.status == 200 and sorted(i.get("id") for i in got.json.get("data", [])) == sorted([new, old]),
              "both are found", got.brief(200))
        for i in range(3):
            create("خبر أحدث %d %s" % (i, word), "نص")
        srv.stop()
        srv = khabar.start_server({"SEARCH_WINDOW_ARTICLES": "5"}, name="window5-again")
        edge = psql(khabar, "SELECT published_at FROM articles WHERE visible ORDER BY published_at DESC, id DESC"
                            " OFFSET 4 LIMIT 1")
        state = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            state = psql(khabar, "SELECT since || '|' || (SELECT count(*) FROM articles WHERE visible AND search_recent"
                                 " AND published_at < since) FROM search_window")
            if state == "%s|0" % edge:
                break
            time.sleep(0.2)
        check(state == "%s|0" % edge, "after four newer articles the window moves on to the 5th newest and the"
              " marks before it are dropped", "since|marked before it: %s; 5th newest %s" % (state, edge))
    finally:
        srv.stop()
        set_window(khabar, "NULL")


def test_shutdown(khabar):
    """The default server, stopped last, exits 0 (no leaks under ASan); no server logged a sanitizer report."""
    harness.check_shutdown(khabar)
    sanitizer_clean(khabar)
