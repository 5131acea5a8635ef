"""test_import.py: `khabar import`: lines loaded and refused, one transaction into an empty archive, the same result as batch by batch, a cut connection."""
# Most tests make their own databases beside the file's (same PostgreSQL), migrated by
# `khabar migrate`:
# - an empty archive: a file of 2,600 lines (three batches and more) with refused lines, titles
#   repeated within a batch and across batches, letter variants of one tag, and "read also"
#   links to earlier lines. Checked in the database: counts of every tag and source against
#   their links, the links stored on each article row against the link tables, the search index
#   present, valid and defined as the migration defines it; and through a server: search finds
#   the articles of a rare word.
# - batch by batch: the same file into an archive that already holds an article (so each batch
#   commits on its own, with the search index kept up entry by entry) stores the same articles
#   with the same slugs, links and counts.
# - outage: the import's connection is cut a few batches in: nothing of it is kept, the search
#   index is still there, the exit status is 2, and the next import into the archive loads.
# - the served archive: an import into the default server's database names its refused lines
#   and the server serves what it loaded.
import json
import os
import random
import re
import signal
import subprocess
import tempfile
import time

import pytest

import harness
from harness import check, log, request

psql = harness.psql

BATCH = 1000  # khabar import's batch (server/cli/import.c IMPORT_BATCH)
FILLER = 2600
RARE_WORD = "زنجبيلي"
RARE_COUNT = 7
KOREA = ["كوريا الشمالية", "کوریا الشمالیة"]  # Arabic Kaf/Yeh, then Persian Keheh/Farsi Yeh


def url_of(h, name):
    """The URL of database name beside the harness's."""
    return h.pg.url.rsplit("/", 1)[0] + "/" + name


def database(h, name):
    """A new migrated database beside the harness's; returns its URL."""
    psql(h.pg.url, "DROP DATABASE IF EXISTS %s" % name)
    psql(h.pg.url, "CREATE DATABASE %s" % name)
    url = url_of(h, name)
    r = h.run_cli(["migrate"], env_extra={"DATABASE_URL": url})
    if r.returncode != 0:
        raise harness.HarnessError("khabar migrate of %s: %s" % (name, r.stderr[-500:]))
    return url


def drop(h, name):
    psql(h.pg.url, "DROP DATABASE IF EXISTS %s WITH (FORCE)" % name)


def import_into(h, url, path, timeout=600, window=None):
    env = {"DATABASE_URL": url}
    if window is not None:
        env["SEARCH_WINDOW_ARTICLES"] = str(window)
    return h.run_cli(["import", path], timeout=timeout, env_extra=env)


def window_state(url, size):
    """The search window of an archive (migrations/0020_search_window.sql) beside what it should be
    for size articles: (since, the size-th newest visible article's time, visible articles at or
    after since left unmarked, marked articles before since)."""
    return tuple(psql(url, "SELECT (SELECT since FROM search_window) || '|' ||"
                           " COALESCE((SELECT published_at FROM articles WHERE visible"
                           "  ORDER BY published_at DESC, id DESC OFFSET %d LIMIT 1)::text, '-') || '|' ||"
                           " (SELECT count(*) FROM articles WHERE visible AND NOT search_recent"
                           "  AND published_at >= (SELECT since FROM search_window)) || '|' ||"
                           " (SELECT count(*) FROM articles WHERE search_recent"
                           "  AND published_at < (SELECT since FROM search_window))" % (size - 1)).split("|"))


def write_lines(h, name, lines):
    path = os.path.join(h.workdir, name)
    with open(path, "w", encoding="utf-8") as f:
        for line in lines:
            f.write((line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)) + "\n")
    return path


def first_slug(lines):
    """The slug the first line's title makes: its words joined by hyphens."""
    return "-".join(lines[0]["title"].split())


def archive_lines():
    """The test file: its lines, and what the checks need to know about them."""
    rnd = random.Random(5)
    words = ["خبر", "سياسة", "اقتصاد", "رياضة", "ثقافة", "الحكومة", "الوزير", "المدينة", "الأسواق", "القمة"]
    tag_pool = ["وسم %d" % i for i in range(40)]
    sources = ["وكالة %d" % i for i in range(6)]
    lines = []
    rare = set(rnd.sample(range(FILLER), RARE_COUNT))
    for i in range(FILLER):
        body = " ".join(rnd.choice(words) for _ in range(25))
        if i in rare:
            body += " " + RARE_WORD
        tags = rnd.sample(tag_pool, rnd.randint(0, 3))
        if i % 5 == 0:
            tags.append("وسم شائع")  # on a fifth of the articles: counted across every batch
        if i in (3, 1700):
            tags.append(KOREA[0] if i == 3 else KOREA[1])
        a = {"title": "مقال رقم %d %s" % (i, rnd.choice(words)), "body": body, "tags": tags,
             "sources": rnd.sample(sources, rnd.randint(0, 2)),
             "published_at": "2024-%02d-%02dT%02d:00:00Z" % (1 + i % 12, 1 + i % 28, i % 24)}
        lines.append(a)
    # the same title twice in one batch, and once more in a later batch: slugs with suffixes
    for at in (10, 11, 2200):
        lines[at]["title"] = "عنوان مكرر في الملف"
    # "read also" by slug: to the first article and to the first of the repeated titles
    lines.insert(1500, {"title": "مقال بروابط", "body": "نص المقال ذي الروابط", "published_at": "2024-06-01T00:00:00Z",
                        "related": [first_slug(lines), "عنوان-مكرر-في-الملف"], "tags": ["وسم شائع"]})
    # refused: not JSON, and an article without a body
    lines.insert(900, '{"title": "نص غير مكتمل", ')
    lines.insert(2100, {"title": "مقال بلا نص"})
    # a body long enough that PostgreSQL compresses it and its formatted forms
    lines.append({"title": "مقال طويل", "published_at": "2024-06-02T00:00:00Z", "body": "\n\n".join(
        " ".join(rnd.choice(words) for _ in range(60)) for _ in range(20))})
    return lines


def loaded_count(out):
    m = re.search(r"loaded (\d+) articles, refused (\d+) lines", out)
    return (int(m.group(1)), int(m.group(2))) if m else (None, None)


def consistency(url):
    """Counts of what disagrees in the database: tag and source counts against their links,
    and the links kept on each article row against the link tables."""
    return {
        "tag counts": int(psql(url, "SELECT count(*) FROM tags t WHERE article_count <>"
                                    " (SELECT count(*) FROM article_tags x WHERE x.tag_id = t.id)")),
        "source counts": int(psql(url, "SELECT count(*) FROM sources s WHERE article_count <>"
                                       " (SELECT count(*) FROM article_sources x WHERE x.source_id = s.id)")),
        "tags_json": int(psql(url, "SELECT count(*) FROM articles a WHERE tags_json::text <> khabar_tags_json(ARRAY("
                                   "SELECT t.slug FROM article_tags x JOIN tags t ON t.id = x.tag_id"
                                   " WHERE x.article_id = a.id ORDER BY x.position))::text")),
        "sources_json": int(psql(url, "SELECT count(*) FROM articles a WHERE sources_json::text <>"
                                      " khabar_sources_json(ARRAY(SELECT s.key FROM article_sources x"
                                      " JOIN sources s ON s.id = x.source_id WHERE x.article_id = a.id"
                                      " ORDER BY x.position))::text")),
    }


def compressions(url):
    """The compression methods the articles' long texts are stored with, e.g. "lz4"."""
    return psql(url, "SELECT string_agg(DISTINCT m, ',') FROM articles,"
                     " unnest(ARRAY[pg_column_compression(body), pg_column_compression(body_html),"
                     " pg_column_compression(body_text)]) m")


# The rows of the tables an import into an empty archive fills once at its end, as one
# digest each.
TITLE_KEYS = ("SELECT md5(string_agg(prefix || '|' || published_at || '|' || article_id, ','"
              " ORDER BY prefix COLLATE \"C\", published_at, article_id)) FROM title_prefixes")
SEARCH_WORDS = "SELECT md5(string_agg(word, ',' ORDER BY word COLLATE \"C\")) FROM search_words"


def refilled(url, fill, digest):
    """digest of a table after fill has made it again from the articles, in a transaction
    rolled back."""
    return psql(url, "BEGIN; %s; %s; ROLLBACK" % (fill, digest)).splitlines()[-1]


def search_index(url):
    """(definition, valid) of the search index, or (None, None) when it is missing."""
    row = psql(url, "SELECT pg_get_indexdef(i.indexrelid) || '|' || i.indisvalid FROM pg_index i"
                    " WHERE i.indexrelid = to_regclass('articles_search')")
    if not row:
        return None, None
    definition, valid = row.rsplit("|", 1)
    return definition, valid in ("t", "true")


def articles_by_slug(url):
    """slug -> (title, tags, sources, related slugs, published_at) of every article."""
    rows = psql(url, "SELECT json_agg(json_build_array(slug, title, tags_json, sources_json,"
                     " (SELECT json_agg(r->>'slug') FROM json_array_elements(related_json) r),"
                     " khabar_time(published_at))) FROM articles")
    return {r[0]: tuple(json.dumps(x, ensure_ascii=False) for x in r[1:]) for r in json.loads(rows or "[]")}


def counts_by_name(url):
    """"slug=count,..." of the tags, and "key=count,..." of the sources, but the tag earlier."""
    return psql(url, "SELECT string_agg(slug || '=' || article_count, ',' ORDER BY slug) FROM tags"
                     " WHERE slug <> 'وسم-سابق'"), \
        psql(url, "SELECT string_agg(key || '=' || article_count, ',' ORDER BY key) FROM sources")


# ---------------------------------------------------------------------------------------
# an empty archive, then the same file batch by batch

@pytest.fixture(scope="module")
def bulk(khabar):
    """The test file imported into a new, empty archive (khabar_bulk): its URL, the file's path
    and lines, the number of articles it holds and the import's result."""
    url = database(khabar, "khabar_bulk")
    lines = archive_lines()
    expect = sum(1 for x in lines if isinstance(x, dict) and "body" in x)
    path = write_lines(khabar, "archive.ndjson", lines)
    r = import_into(khabar, url, path)
    log("import into an empty archive, exit %d:\n%s" % (r.returncode, harness.tail(r.stdout + r.stderr, 8)))
    yield dict(url=url, lines=lines, expect=expect, path=path, result=r)
    drop(khabar, "khabar_bulk")


def test_empty_archive_output(bulk):
    """The import's exit status and what it says: loaded and refused lines, one transaction."""
    r, expect = bulk["result"], bulk["expect"]
    check(r.returncode == 1, "two refused lines: exit status 1", "exit %d" % r.returncode)
    check(loaded_count(r.stdout) == (expect, 2), "loaded %d articles, refused 2 lines" % expect, r.stdout)
    check("archive is empty" in r.stdout, "the import says it loads an empty archive in one transaction",
          r.stdout)
    for n in (901, 2101):  # the refused lines, counted from 1 in the file
        check(("line %d:" % n) in r.stderr, "refused line %d is named" % n, r.stderr[-600:])


def test_empty_archive_contents(khabar, bulk):
    """What the one-transaction import stored: articles, the search index, counts and links."""
    url, lines, expect = bulk["url"], bulk["lines"], bulk["expect"]
    check(int(psql(url, "SELECT count(*) FROM articles")) == expect, "every accepted line is an article", "")
    definition, valid = search_index(url)
    fresh, _ = search_index(khabar.pg.url)
    check(definition is not None and valid, "the search index exists and is valid after the import",
          "%r %r" % (definition, valid))
    check(definition == fresh, "the search index is defined as the migration defines it",
          "%r\n%r" % (definition, fresh))
    bad = consistency(url)
    check(all(v == 0 for v in bad.values()), "tag and source counts and the links on each row agree with"
          " the link tables", bad)
    common = int(psql(url, "SELECT article_count FROM tags WHERE slug = 'وسم-شائع'"))
    check(common > 2 * BATCH // 5, "a tag on articles of every batch is counted across batches",
          "article_count %d" % common)
    korea = psql(url, "SELECT name || '|' || article_count FROM tags WHERE slug = 'كوريا-الشمالية'")
    check(korea == KOREA[0] + "|2", "two spellings of a tag are one tag that keeps the first spelling",
          korea)
    slugs = psql(url, "SELECT string_agg(slug, ' ' ORDER BY id) FROM articles"
                      " WHERE title = 'عنوان مكرر في الملف'").split()
    check(len(slugs) == 3 and len(set(slugs)) == 3 and slugs[0] == "عنوان-مكرر-في-الملف",
          "a title repeated within a batch and across batches gives three slugs, the first plain", slugs)
    related = psql(url, "SELECT related_json FROM articles WHERE title = 'مقال بروابط'")
    named = [x.get("slug") for x in json.loads(related or "[]")]
    check(named == [first_slug(lines), "عنوان-مكرر-في-الملف"],
          "\"read also\" links to earlier lines are stored in order", named)
    check(compressions(url) == "lz4", "a long body and its formatted forms are stored with lz4, as"
          " the articles' columns ask", compressions(url))


def test_empty_archive_search(bulk, start_server):
    """A server on the imported archive finds a rare word's articles through the rebuilt index."""
    srv = start_server(name="bulk", DATABASE_URL=bulk["url"])
    res = srv.request("GET", "/v1/articles?q=%s&limit=50" % RARE_WORD)
    items = res.json.get("data", []) if res.status == 200 and isinstance(res.json, dict) else []
    check(res.status == 200 and len(items) == RARE_COUNT,
          "search finds the %d articles of a rare word through the rebuilt index" % RARE_COUNT,
          res.brief(300))


def test_same_as_batches(khabar, bulk):
    """The same file into a non-empty archive, batch by batch, stores what the one transaction stored."""
    url = database(khabar, "khabar_batches")
    try:
        first = write_lines(khabar, "first.ndjson", [{"title": "مقال سابق", "body": "نص سابق", "tags": ["وسم سابق"]}])
        r = import_into(khabar, url, first)
        check(r.returncode == 0 and "archive is empty" in r.stdout, "a first import into the empty archive",
              r.stdout)
        r = import_into(khabar, url, bulk["path"])
        check("archive is empty" not in r.stdout, "into a non-empty archive the import loads batch by batch",
              r.stdout)
        check(loaded_count(r.stdout) == (bulk["expect"], 2),
              "the same file: the same counts loaded and refused", r.stdout)
        bad = consistency(url)
        check(all(v == 0 for v in bad.values()), "batch by batch: counts and links agree", bad)
        one_tx = articles_by_slug(bulk["url"])
        batches = articles_by_slug(url)
        batches.pop("مقال-سابق", None)
        differ = sorted(s for s in set(one_tx) | set(batches) if one_tx.get(s) != batches.get(s))
        check(len(one_tx) == bulk["expect"] and not differ,
              "both ways store the same articles: slugs, titles, tags, sources, links and dates",
              "%d articles one way, %d the other; differ: %r" % (len(one_tx), len(batches), differ[:5]))
        tags_bulk, sources_bulk = counts_by_name(bulk["url"])
        tags_batches, sources_batches = counts_by_name(url)
        check(tags_bulk == tags_batches and sources_bulk == sources_batches,
              "both ways count the same tags and sources", "%s\n%s" % (tags_bulk[:300], tags_batches[:300]))
        definition, valid = search_index(url)
        check(definition is not None and valid, "batch by batch keeps the search index", definition)
        # batch by batch, triggers keep the title keys and search words article by article;
        # the one transaction fills them at its end: both ways must give the same rows
        kept = psql(url, TITLE_KEYS)
        check(kept and refilled(url, "SELECT khabar_title_prefixes_fill()", TITLE_KEYS) == kept,
              "the title keys filled at once are the ones kept article by article", kept)
        kept = psql(url, SEARCH_WORDS)
        check(kept and refilled(url, "DELETE FROM search_words; SELECT khabar_refresh_search_words()",
                                SEARCH_WORDS) == kept,
              "the search words filled at once are the ones kept article by article", kept)
    finally:
        drop(khabar, "khabar_batches")


def test_search_window(khabar):
    """An import into an empty archive leaves it without a search window (nothing marked: a server
    opens one once the archive is large); batch by batch into an archive with a window, the window
    moves on after each batch to the newest SEARCH_WINDOW_ARTICLES, every article in it marked."""
    lines = [x for x in archive_lines() if isinstance(x, dict) and "body" in x]
    path = write_lines(khabar, "window.ndjson", lines)
    url = database(khabar, "window_empty")
    try:
        r = import_into(khabar, url, path, window=100)
        check(r.returncode == 0 and "archive is empty" in r.stdout, "into an empty archive: one transaction",
              harness.tail(r.stdout + r.stderr, 5))
        state = psql(url, "SELECT (SELECT count(*) FILTER (WHERE since IS NULL AND pending IS NULL) FROM search_window)"
                          " || '|' || (SELECT count(*) FROM articles WHERE search_recent)")
        check(state == "1|0", "it leaves no window and no article marked", state)
    finally:
        drop(khabar, "window_empty")
    url = database(khabar, "window_batches")
    try:
        first = write_lines(khabar, "window-first.ndjson", [{"title": "مقال أول", "body": "نص",
                                                             "published_at": "1990-01-01T00:00:00Z"}])
        import_into(khabar, url, first, window=100)
        psql(url, "UPDATE search_window SET since = '2000-01-01T00:00:00Z'")  # open, nothing after it yet
        r = import_into(khabar, url, path, window=100)
        check(r.returncode == 0 and "archive is empty" not in r.stdout, "into a non-empty archive: batch by batch",
              harness.tail(r.stdout + r.stderr, 5))
        since, edge, unmarked, _stale = window_state(url, 100)
        check(since == edge, "the window moved on to the 100th newest article",
              "since %s, the 100th newest at %s" % (since, edge))
        check(unmarked == "0", "every article in the window is marked", "%s unmarked" % unmarked)
    finally:
        drop(khabar, "window_batches")


# ---------------------------------------------------------------------------------------
# a cut connection

def import_backend(url, db, ids):
    """The pid of the import's connection once it is in its transaction and has taken ids
    article ids (the identity sequence is not transactional: other sessions see it move), else None."""
    row = psql(url, "SELECT a.pid FROM pg_stat_activity a, pg_sequences s"
                    " WHERE a.datname = '%s' AND a.pid <> pg_backend_pid() AND a.xact_start IS NOT NULL"
                    " AND s.schemaname = 'public' AND s.sequencename = 'articles_id_seq'"
                    " AND coalesce(s.last_value, 0) >= %d" % (db, ids))
    return int(row) if row else None


def cut_import(url, db, proc, ids, wait):
    """Cuts the import's connection a few batches in, before it can commit whatever the machine's
    load: once it has taken ids article ids, the import is stopped (SIGSTOP), its backend must
    still be in the transaction (not committing), is terminated, and the import goes on (SIGCONT).
    Returns what was seen: 'cut', or why not."""
    deadline = time.monotonic() + wait
    pid = None
    while pid is None and proc.poll() is None and time.monotonic() < deadline:
        pid = import_backend(url, db, ids)
        if pid is None:
            time.sleep(0.05)
    if pid is None:
        return "not seen %d ids in: exit %r after %.0f s" % (ids, proc.poll(), wait - (deadline - time.monotonic()))
    proc.send_signal(signal.SIGSTOP)
    try:
        in_tx = psql(url, "SELECT count(*) FROM pg_stat_activity WHERE pid = %d AND xact_start IS NOT NULL"
                          " AND NOT (state = 'active' AND query ILIKE 'COMMIT%%')" % pid) == "1"
        if not in_tx:
            return "backend %d was no longer in its transaction when the import was stopped" % pid
        if psql(url, "SELECT pg_terminate_backend(%d)" % pid) != "t":
            return "pg_terminate_backend(%d) failed" % pid
        return "cut"
    finally:
        proc.send_signal(signal.SIGCONT)


def test_outage(khabar):
    """The import's connection cut a few batches in: exit 2, nothing kept, the index still there."""
    url = database(khabar, "khabar_cut")
    try:
        n = 20000 if not khabar.sanitized else 12000
        body = " ".join(["نص"] * 40)
        path = write_lines(khabar, "cut.ndjson", ({"title": "مقال %d" % i, "body": body, "tags": ["وسم %d" % (i % 50)]}
                                                  for i in range(n)))
        t0 = time.monotonic()
        proc = subprocess.Popen([khabar.khabar, "import", path], env=khabar.env({"DATABASE_URL": url}),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            cut = cut_import(url, "khabar_cut", proc, 3 * BATCH, 120)
            out, err = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        log("import cut %s, exit %s after %.1f s:\n%s"
            % (cut, proc.returncode, time.monotonic() - t0, harness.tail(out + err, 6)))
        check(cut == "cut", "the import's connection was cut while it ran", cut)
        check(proc.returncode == 2, "exit status 2 when the database goes away", "exit %r" % proc.returncode)
        check(loaded_count(out)[0] == 0 and "none of it was kept" in err,
              "the import says nothing of it was kept", out + err[-400:])
        check(int(psql(url, "SELECT count(*) FROM articles")) == 0 and int(psql(url, "SELECT count(*) FROM tags")) == 0,
              "nothing of the cut import is in the database", "")
        definition, valid = search_index(url)
        check(definition is not None and valid, "the search index is still there after the cut", definition)
        small = write_lines(khabar, "after-cut.ndjson", [{"title": "بعد الانقطاع", "body": "نص", "tags": ["وسم 1"]}])
        r = import_into(khabar, url, small)
        check(r.returncode == 0 and loaded_count(r.stdout) == (1, 0), "the next import into the archive loads",
              r.stdout + r.stderr)
        check(consistency(url)["tag counts"] == 0 and search_index(url)[1], "and leaves counts and index right", "")
    finally:
        drop(khabar, "khabar_cut")


# ---------------------------------------------------------------------------------------
# into the served archive

def test_import_into_the_served_archive(khabar):
    """An import beside the running server names its refused lines; the server serves what it loaded."""
    lines = [
        json.dumps(harness.art("مقال الاستيراد الأول", tags=["وسم الاستيراد"]), ensure_ascii=False),
        json.dumps({"title": 5}),
        '{"title": "نص غير مكتمل", ',
        json.dumps(harness.art("مقال الاستيراد الثاني"), ensure_ascii=False),
    ]
    fd, path = tempfile.mkstemp(suffix=".ndjson", dir=khabar.workdir)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    n0 = len(harness.list_all(khabar.server))
    r = khabar.run_cli(["import", path])
    out = r.stdout + "\n" + r.stderr
    log("import exit %d, output:\n%s" % (r.returncode, out.strip()[-1500:]))
    check(re.search(r"(?i)(loaded|imported|inserted|created|added)\D{0,30}\b2\b|\b2\b\D{0,30}"
                    r"(loaded|imported|inserted|created|added)", out) is not None,
          "import says 2 articles were loaded", out[-800:])
    for n in (2, 3):
        pat = re.compile(r"(?i)(line\s*#?\s*%d\b|:%d:|^\s*%d\s*:)" % (n, n, n))
        hits = [ln for ln in out.splitlines() if pat.search(ln)]
        check(any(len(pat.sub("", ln).strip(" :-")) >= 8 for ln in hits),
              "import names line %d with a reason" % n, out[-800:])
    check(len(harness.list_all(khabar.server)) == n0 + 2, "import created 2 articles", n0)
    for slug in ("مقال-الاستيراد-الأول", "مقال-الاستيراد-الثاني"):
        r = request("GET", "/v1/articles/" + slug)
        check(r.status == 200 and r.json.get("slug") == slug, "imported article found by slug %s" % slug, r.brief(200))
    r = request("GET", "/v1/tags/وسم-الاستيراد")
    check(r.status == 200 and r.json.get("article_count") == 1, "imported tags are counted", r.brief())


def test_authors_and_sections(khabar):
    """Bylines and sections named by slug are created when new (one author whatever the letter
    variant, the first spelling its name), named by id they must exist; the same into an empty
    archive (one transaction, counts at the end) and into one that holds articles."""
    lines = [
        {"title": "مقال مستورد أول", "body": "نص.", "authors": ["سارة علي", "Omar Khaled"], "section": "سياسة"},
        {"title": "مقال مستورد ثان", "body": "نص.", "authors": ["سارة علی"], "section": "اقتصاد"},
        {"title": "مقال مستورد ثالث", "body": "نص.", "authors": [1], "section": "سياسة"},
        {"title": "مقال مستورد رابع", "body": "نص.", "section": 999},
        {"title": "مسودة مستوردة", "body": "نص.", "authors": ["Omar Khaled"], "status": "draft"},
    ]
    path = write_lines(khabar, "people.ndjson", lines)
    for name, prefill in (("people_empty", False), ("people_batches", True)):
        url = database(khabar, name)
        try:
            if prefill:
                r0 = import_into(khabar, url, write_lines(khabar, "one.ndjson", [{"title": "مقال سابق", "body": "نص."}]))
                check(r0.returncode == 0, "%s: an article first" % name, r0.stderr)
            r = import_into(khabar, url, path)
            check(r.returncode == 1 and "loaded 4 articles, refused 1 lines" in r.stdout
                  and "line 4: section: no section has this id or slug" in r.stderr,
                  "%s: an unknown section id refuses its line, by name" % name, (r.stdout, r.stderr))
            authors = psql(url, "SELECT string_agg(name || ':' || article_count, ',' ORDER BY id) FROM authors")
            # the batch creates new authors in slug key order: Omar Khaled is author 1
            check(authors == "Omar Khaled:2,سارة علي:2",
                  "%s: two authors (one for both spellings), counts of public articles only" % name, authors)
            sections = psql(url, "SELECT string_agg(name || ':' || position, ',' ORDER BY position) FROM sections")
            check(sections == "سياسة:1,اقتصاد:2", "%s: sections in order of first appearance" % name, sections)
            shown = psql(url, "SELECT authors_json::text || ' ' || section_json::text FROM articles"
                              " WHERE title = 'مقال مستورد أول'")
            check('"name" : "Omar Khaled"' in shown.replace('":"', '" : "') and "سياسة" in shown,
                  "%s: the article row shows its byline and section" % name, shown)
        finally:
            drop(khabar, name)
