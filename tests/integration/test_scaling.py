"""test_scaling.py: more than one server: reads from a streaming standby (DATABASE_READ_URL), the answer cache of two instances on one database, CACHE_BYTES."""
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.parse

import harness
from harness import TOKEN_1, HarnessError, art, check, create, free_port, metric_value, psql, wait_until


# ---------------------------------------------------------------------------------------
# reads from a streaming standby

def make_standby(h):
    """A streaming standby of h's PostgreSQL made by pg_basebackup, started; returns its Postgres."""
    d = tempfile.mkdtemp(prefix="khabar-standby-")
    os.chmod(d, 0o755)
    cmd = ["pg_basebackup", "-h", "127.0.0.1", "-p", str(h.pg.port), "-U", "postgres", "-D",
           os.path.join(d, "data"), "-R", "-X", "stream", "-c", "fast"]
    if os.geteuid() == 0:
        shutil.chown(d, "postgres", "postgres")
        bindir = subprocess.run(["bash", "-c", "ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1"],
                                stdout=subprocess.PIPE, text=True).stdout.strip()
        cmd = ["runuser", "-u", "postgres", "--", os.path.join(bindir, "pg_basebackup")] + cmd[1:]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120, cwd="/")
    if r.returncode != 0:
        raise HarnessError("pg_basebackup failed: %s" % r.stdout[-600:])
    pg = harness.Postgres()
    pg.dir = d
    pg.port = free_port()
    pg.start()
    return pg


def wait_replayed(primary_url, standby, seconds=10):
    """True once standby has replayed every WAL record the primary had flushed when called
    (every commit acknowledged by then)."""
    lsn = psql(primary_url, "SELECT pg_current_wal_flush_lsn()")
    return wait_until(lambda: psql(standby.url, "SELECT pg_last_wal_replay_lsn() >= '%s'" % lsn) == "t", seconds)


def unannounced_title(url, aid, title):
    """Changes an article's title on url without its change notice (triggers off for the
    session), so that only the database that has replayed it shows it."""
    psql(url, "SET session_replication_role = replica; UPDATE articles SET title = '%s', updated_at = now()"
         " WHERE id = %d" % (title, aid))


def test_read_replica(khabar):
    """DATABASE_READ_URL on a real standby: reads from it while it has replayed every change the
    instance knows of, from the primary while it has not; writes and their read-backs on the primary."""
    standby = make_standby(khabar)
    try:
        check(psql(standby.url, "SELECT pg_is_in_recovery()") == "t", "the standby is in recovery (streaming)", "")
        srv = khabar.start_server(extra={"DATABASE_READ_URL": standby.url}, name="reads-on-standby")
        heard = metric_value(srv, "khabar_changes_heard_total")
        r = srv.request("POST", "/v1/articles", body=art("على الأساسي"), token=TOKEN_1)
        check(r.status == 201 and r.json and r.json.get("title") == "على الأساسي",
              "POST with a read replica: 201 with the article read back from the primary", r.brief())
        first = r.json["id"] if r.status == 201 else 0
        g = srv.request("GET", "/v1/articles/%d" % first)
        check(g.status == 200, "a GET right after this instance's own write shows it", g.brief())
        check(wait_replayed(khabar.pg.url, standby), "the standby replays the write", first)
        # Its announcement heard first: one heard after the unannounced change below would
        # rightly send reads to the primary (the position it asks for would include that change).
        check(wait_until(lambda: metric_value(srv, "khabar_changes_heard_total") > heard, 5),
              "the instance hears its write's announcement", heard)
        psql(standby.url, "SELECT pg_wal_replay_pause()")
        try:
            # a change the instance is not told of: only the standby's answer can lack it
            unannounced_title(khabar.pg.url, first, "لم يعلن عنه")
            lst = srv.request("GET", "/v1/articles?limit=100")
            titles = {a["id"]: a["title"] for a in (lst.json or {}).get("data", [])}
            check(lst.status == 200 and titles.get(first) == "على الأساسي",
                  "reads go to the standby while it has replayed every change this instance heard of",
                  lst.brief(200))
            r = srv.request("POST", "/v1/articles", body=art("قبل الإعادة"), token=TOKEN_1)
            check(r.status == 201, "POST while the standby's replay is paused -> 201", r.brief())
            new = r.json["id"] if r.status == 201 else 0
            g = srv.request("GET", "/v1/articles/%d" % new)
            check(g.status == 200 and g.json.get("title") == "قبل الإعادة",
                  "GET of an article the paused standby has not replayed: read from the primary", g.brief())
            p = srv.request("PATCH", "/v1/articles/%d" % new, body=json.dumps({"title": "عدلت على الأساسي"}),
                            token=TOKEN_1, headers={"Content-Type": "application/merge-patch+json"})
            check(p.status == 200 and p.json and p.json.get("version") == 2,
                  "PATCH of it goes to the primary and reads its own write there (version 2)", p.brief())
            lst = srv.request("GET", "/v1/articles?limit=99")
            check(lst.status == 200 and new in [a["id"] for a in lst.json.get("data", [])],
                  "lists too are read from the primary while the standby is behind", lst.brief(200))
            behind = metric_value(srv, "khabar_db_replica_behind_total")
            check(behind >= 2, "/metrics counts the reads sent to the primary for it", behind)
        finally:
            psql(standby.url, "SELECT pg_wal_replay_resume()")
        ok = wait_until(lambda: srv.request("GET", "/v1/articles/%d" % new).status == 200, 5)
        check(ok, "replay resumed: the article is still read", new)
        # Past a WAL segment switch on an idle primary its insert position lies after the new
        # segment's header, where no standby's replay ends: the position reads need must be
        # the segment's start, or they would all go to the primary until something is written.
        psql(khabar.pg.url, "SELECT pg_switch_wal()")
        connects = metric_value(srv, "khabar_changes_connects_total")
        psql(khabar.pg.url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
             " WHERE application_name = 'khabar-changes'")  # heard again: the position now is needed
        check(wait_until(lambda: metric_value(srv, "khabar_changes_connects_total") > connects, 5),
              "the change channel is heard again", "")
        check(wait_replayed(khabar.pg.url, standby), "the standby replays the switch", "")
        psql(standby.url, "SELECT pg_wal_replay_pause()")
        try:
            unannounced_title(khabar.pg.url, first, "لم يعلن عنه بعد التبديل")
            lst = srv.request("GET", "/v1/articles?limit=98")
            titles = {a["id"]: a["title"] for a in (lst.json or {}).get("data", [])}
            check(lst.status == 200 and titles.get(first) == "لم يعلن عنه",
                  "after a WAL switch, reads still go to the standby that has replayed everything", lst.brief(200))
        finally:
            psql(standby.url, "SELECT pg_wal_replay_resume()")
        standby.stop()
        g = srv.request("GET", "/v1/articles/%d" % first)
        check(g.status == 200, "standby down: reads fall back to the primary", g.brief())
        check(srv.request("GET", "/readyz").status == 200, "standby down: /readyz still 200 (the primary answers)", "")
        m = srv.request("GET", "/metrics").text
        check('khabar_db_connections_in_use{pool="replica"}' in m and
              re.search(r'^khabar_db_connect_failures_total\{pool="replica"\} [1-9]', m, re.M) is not None,
              "/metrics shows the replica's pool and its failed connects", m[-600:])
        status, _ = srv.stop(15)
        check(status == 0, "read-replica server exits 0", srv.log_tail(10))
    finally:
        standby.cleanup()


APPLY_DELAY_S = 4


def set_apply_delay(standby, seconds):
    """The standby applies each commit seconds after the primary made it (recovery_min_apply_delay)."""
    psql(standby.url, "ALTER SYSTEM SET recovery_min_apply_delay = '%ds'" % seconds)
    psql(standby.url, "SELECT pg_reload_conf()")
    want = "%ds" % seconds if seconds else "0"
    check(wait_until(lambda: psql(standby.url, "SHOW recovery_min_apply_delay") == want, 5),
          "the standby's recovery_min_apply_delay is %s" % want, psql(standby.url, "SHOW recovery_min_apply_delay"))


def test_delayed_standby_never_stale(khabar):
    """A standby that applies each commit APPLY_DELAY_S late: through an instance reading from it, with
    its cache on, every GET after a write shows it (another instance's once its notice is heard, its
    own at once), read or cached, during the delay and after; then reads go to the standby again."""
    standby = make_standby(khabar)
    try:
        writer = khabar.start_server(name="writes-elsewhere")
        reader = khabar.start_server(extra={"DATABASE_READ_URL": standby.url}, name="reads-on-delayed-standby")
        check(wait_until(lambda: metric_value(reader, "khabar_cache_enabled") == 1, 5), "the reader's cache is on", "")
        aid = create(writer, art("قبل التأخير", tags=["وسم التأخير"]))["id"]
        path = "/v1/articles/%d" % aid
        check(wait_replayed(khabar.pg.url, standby), "the standby has the article", aid)
        for p in (path, "/v1/articles?limit=5"):
            reader.request("GET", p)  # cached before the write
        set_apply_delay(standby, APPLY_DELAY_S)
        try:
            for round_, (through, whose) in enumerate(((writer, "another instance's"), (reader, "its own"))):
                title = "بعد التأخير %d" % round_
                heard = metric_value(reader, "khabar_changes_heard_total")
                p = patch_title(through, aid, title)
                check(p.status == 200, "PATCH through %s -> 200" % through.name, p.brief())
                # the promise starts once the reader has heard the change (its own write: at once)
                wait_until(lambda: metric_value(reader, "khabar_changes_heard_total") > heard, 1)
                stale, n = [], 0
                end = time.monotonic() + APPLY_DELAY_S + 1
                while time.monotonic() < end:
                    g = reader.request("GET", path)
                    lst = reader.request("GET", "/v1/articles?limit=5")
                    n += 1
                    shown = (g.json or {}).get("title"), [a["title"] for a in (lst.json or {}).get("data", [])
                                                          if a["id"] == aid]
                    if shown != (title, [title]):
                        stale.append((round(end - time.monotonic(), 1), shown))
                    time.sleep(0.1)
                check(n > 10 and not stale,
                      "after %s write, %d GETs of the article and a list during the standby's delay and after:"
                      " never the old title" % (whose, n),
                      "%d stale (seconds left, shown): first %s, last %s" % (len(stale), stale[:2], stale[-1:]))
            check(metric_value(reader, "khabar_db_replica_behind_total") > 0,
                  "the reads of the delay went to the primary", metric_value(reader, "khabar_db_replica_behind_total"))
            check(wait_replayed(khabar.pg.url, standby, APPLY_DELAY_S + 10), "the standby catches up", "")
            unannounced_title(khabar.pg.url, aid, "لم يعلن عنه")
            g = reader.request("GET", "/v1/articles?limit=4")
            check(g.status == 200 and [a["title"] for a in g.json["data"] if a["id"] == aid] == [title],
                  "once the standby has caught up, reads go to it again (it lacks an unannounced change)",
                  g.brief(200))
        finally:
            set_apply_delay(standby, 0)
        for srv in (writer, reader):
            status, _ = srv.stop(15)
            check(status == 0, "%s exits 0" % srv.name, srv.log_tail(10))
    finally:
        standby.cleanup()


# ---------------------------------------------------------------------------------------
# the answer cache across instances

def patch_title(srv, aid, title):
    return srv.request("PATCH", "/v1/articles/%d" % aid, body=json.dumps({"title": title}, ensure_ascii=False),
                       token=TOKEN_1, headers={"Content-Type": "application/merge-patch+json"})


def test_cache_across_instances(khabar):
    """Two servers on one database: a write through either is read at once through the other."""
    a = khabar.start_server(name="cache-a")
    b = khabar.start_server(name="cache-b")
    check(wait_until(lambda: metric_value(b, "khabar_cache_enabled") == 1, 5),
          "the cache turns on once the change channel is heard", metric_value(b, "khabar_cache_enabled"))
    aid = a.request("POST", "/v1/articles", body=art("مخزن أول"), token=TOKEN_1).json["id"]
    path = "/v1/articles/%d" % aid
    first = b.request("GET", path)
    hits = metric_value(b, "khabar_cache_hits_total")
    second = b.request("GET", path)
    check(second.status == 200 and second.body == first.body and second.header("etag") == first.header("etag"),
          "a repeated GET gives the same answer", second.brief())
    check(metric_value(b, "khabar_cache_hits_total") == hits + 1, "and it came from the cache",
          (hits, metric_value(b, "khabar_cache_hits_total")))
    # 304 from the cache: no statement reaches the database
    queries = metric_value(b, "khabar_db_queries_total")
    codes = {b.request("GET", path, headers={"If-None-Match": first.header("etag")}).status for _ in range(30)}
    check(codes == {304}, "30 conditional GETs of a cached article -> 304", codes)
    check(metric_value(b, "khabar_db_queries_total") == queries,
          "and none of them sent a statement to the database",
          (queries, metric_value(b, "khabar_db_queries_total")))
    # writes through one instance are read through the other as soon as the notice arrives
    # (the README's window: PostgreSQL's delivery to B's LISTEN, milliseconds; bounded here
    # at 1 s for a loaded machine), and almost always at once
    stale, late = [], 0
    for i in range(20):
        b.request("GET", path)  # cached on b
        title = "مخزن معدل %d" % i
        p = patch_title(a, aid, title)
        at_once = b.request("GET", path).json.get("title") == title
        late += not at_once
        if p.status != 200 or not (at_once or wait_until(lambda: b.request("GET", path).json.get("title") == title, 1.0)):
            stale.append((i, p.status, b.request("GET", path).json.get("title")))
    check(not stale, "20 PATCHes through A, each read through B once its notice arrived (within 1 s)", stale[:3])
    check(late <= 5, "and at once for most (%d of 20 were not)" % late, late)
    lst = b.request("GET", "/v1/articles?limit=5")
    made = a.request("POST", "/v1/articles", body=art("مخزن جديد", tags=["وسم المخزن"]), token=TOKEN_1)
    lst2 = b.request("GET", "/v1/articles?limit=5")
    check(made.status == 201 and lst2.json["data"][0]["id"] == made.json["id"],
          "a list cached on B shows the article created through A at once", lst2.brief(200))
    check(lst.header("etag") != lst2.header("etag"), "and its ETag changed", "")
    t = b.request("GET", "/v1/tags?q=" + urllib.parse.quote("وسم المخزن"), encoded=True)
    check(t.status == 200 and [x["article_count"] for x in t.json["data"]] == [1],
          "B's tag list counts the new article", t.brief(200))
    a.request("DELETE", "/v1/articles/%d" % made.json["id"], token=TOKEN_1)
    t = b.request("GET", "/v1/tags?q=" + urllib.parse.quote("وسم المخزن"), encoded=True)
    check(t.status == 200 and t.json["data"] == [],
          "after a delete through A, B's cached tag list no longer shows the tag (no public article)",
          t.brief(200))
    g = b.request("GET", "/v1/articles/%d" % made.json["id"])
    check(g.status == 404, "and the deleted article is gone through B", g.brief())
    # a "read also" title changes with the article it names
    other = a.request("POST", "/v1/articles", body=art("مقال مرتبط", related=[aid]), token=TOKEN_1).json["id"]
    b.request("GET", "/v1/articles/%d" % other)
    patch_title(a, aid, "عنوان جديد للمرتبط")
    g = b.request("GET", "/v1/articles/%d" % other)
    check(g.json and g.json["related"] and g.json["related"][0]["title"] == "عنوان جديد للمرتبط",
          "an article cached on B shows the new title of its read-also article", g.brief(300))
    # a write not made through khabar is announced too (the trigger is in the database)
    b.request("GET", path)
    psql(khabar.pg.url, "UPDATE articles SET title = 'عدل في قاعدة البيانات', updated_at = now() WHERE id = %d" % aid)
    ok = wait_until(lambda: b.request("GET", path).json.get("title") == "عدل في قاعدة البيانات", 1.0)
    check(ok, "an UPDATE made with psql reaches B's cache as well", "")
    # the channel lost: the cache stops, and starts empty when it is back
    b.request("GET", path)
    connects = metric_value(b, "khabar_changes_connects_total")
    psql(khabar.pg.url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'khabar-changes'")
    psql(khabar.pg.url, "UPDATE articles SET title = 'أثناء الانقطاع', updated_at = now() WHERE id = %d" % aid)
    back = wait_until(lambda: metric_value(b, "khabar_changes_connects_total") > connects, 5)
    check(back, "the change channel reconnects by itself", metric_value(b, "khabar_changes_connects_total"))
    g = b.request("GET", path)
    check(g.json and g.json.get("title") == "أثناء الانقطاع",
          "a change made while the channel was down is not hidden by the cache", g.brief())
    for srv in (a, b):
        status, _ = srv.stop(15)
        check(status == 0, "%s exits 0" % srv.name, srv.log_tail(10))


def test_cache_across_instances_concurrent(khabar):
    """Two servers with the cache on, a writer through A and readers through B at once: every
    read B begins after it has heard the change announced shows that write or a later one."""
    a = khabar.start_server(name="concurrent-writer")
    b = khabar.start_server(name="concurrent-reader")
    check(wait_until(lambda: metric_value(b, "khabar_cache_enabled") == 1, 5), "B's cache is on", "")
    body = "نص يقرأ أثناء الكتابة المتزامنة."
    aid = create(a, art("عداد 0", body=body))["id"]
    # Many keys, so that most reads miss the cache and read the database, some of them while
    # an announcement lands (a search reads for longest), and each key is asked again soon:
    # an answer kept although it is older than an announcement heard would be seen.
    search = "/v1/articles?q=" + urllib.parse.quote("المتزامنة")
    paths = ["/v1/articles/%d" % aid] + ["/v1/articles?limit=%d" % n for n in range(1, 7)] + \
        ["%s&limit=%d" % (search, n) for n in range(1, 7)]

    def counter_of(r, path):
        """The counter the answer shows, or None when it does not show the article."""
        doc = r.json if r.status == 200 and r.json else {}
        titles = [doc.get("title")] if path == paths[0] else \
            [x["title"] for x in doc.get("data", []) if x["id"] == aid]
        return int(titles[0].split()[-1]) if titles and titles[0] else None

    class Readers(harness.Threads):
        reads = []  # (monotonic time the request began, path, counter shown)

        def run(self, i):
            j = i * 3
            while not self.stop_flag.is_set():
                path = paths[j % len(paths)]
                j += 1
                began = time.monotonic()
                shown = counter_of(b.request("GET", path, encoded=True), path)
                with self.lock:
                    self.reads.append((began, path, shown))

    writes = []  # (counter, acknowledged at, heard by B at)
    with Readers(4) as readers:
        for k in range(1, 46):
            heard = metric_value(b, "khabar_changes_heard_total")
            r = a.request("PUT", "/v1/articles/%d" % aid, body=art("عداد %d" % k, body=body), token=TOKEN_1)
            acked = time.monotonic()
            if not check(r.status == 200, "PUT %d through A -> 200" % k, r.brief()):
                break
            # the bound the README states: until B has heard the announcement
            deadline = acked + 2.0
            while metric_value(b, "khabar_changes_heard_total") <= heard and time.monotonic() < deadline:
                time.sleep(0.002)
            writes.append((k, acked, time.monotonic()))
            # Writes in threes: the second and third commit while B reads again after the one
            # before; then a pause, in which B's answers of the third are read from its cache.
            time.sleep(0.1 if k % 3 == 0 else 0)
    slow = [(k, round(h - t, 3)) for k, t, h in writes if h - t >= 2.0]
    check(not slow, "B heard each of %d writes within 2 s of its acknowledgement" % len(writes), slow)
    stale, early = [], 0
    for began, path, shown in readers.reads:
        done = [k for k, t, h in writes if h <= began]
        acked = [k for k, t, h in writes if t <= began]
        if shown is None or (done and shown < done[-1]):
            stale.append((path, shown, done[-1] if done else 0))
        elif acked and shown < acked[-1]:
            early += 1  # begun after A's answer, before B had heard: the window the README states
    harness.note("%d reads through B during %d writes through A; %d began between a write's "
                 "acknowledgement and B hearing of it and showed the state before; longest wait "
                 "for the announcement %.1f ms" % (len(readers.reads), len(writes), early,
                                                   max([(h - t) * 1000 for k, t, h in writes] or [0])))
    check(len(readers.reads) > 100 and not stale,
          "%d reads through B: each shows every write B had heard of when it began" % len(readers.reads),
          stale[:5])
    for srv in (a, b):
        status, _ = srv.stop(15)
        check(status == 0, "%s exits 0" % srv.name, srv.log_tail(10))


def test_cache_bounded(khabar):
    """CACHE_BYTES bounds the cache; CACHE_BYTES=0 turns it off."""
    articles = [create(khabar.server, art("مقال المخزن المحدود %d" % i))["id"] for i in range(25)]
    path = "/v1/articles/%d" % articles[0]
    c = khabar.start_server(extra={"CACHE_BYTES": "8000"}, name="cache-small")
    wait_until(lambda: metric_value(c, "khabar_cache_enabled") == 1, 5)
    for i in articles[:25]:
        c.request("GET", "/v1/articles/%d" % i)
    used, bound = metric_value(c, "khabar_cache_bytes"), metric_value(c, "khabar_cache_max_bytes")
    check(0 < used <= 8000 and bound == 8000, "CACHE_BYTES=8000: the cache holds %d bytes" % used, used)
    check(metric_value(c, "khabar_cache_evictions_total") > 0, "and evicts to stay under it",
          metric_value(c, "khabar_cache_evictions_total"))
    off = khabar.start_server(extra={"CACHE_BYTES": "0"}, name="cache-off")
    q0 = metric_value(off, "khabar_db_queries_total")
    off.request("GET", path)
    off.request("GET", path)
    check(metric_value(off, "khabar_db_queries_total") - q0 >= 2 and metric_value(off, "khabar_cache_hits_total") == -1,
          "CACHE_BYTES=0: no cache, every GET reads the database", "")
    for srv in (c, off):
        srv.stop(15)
