"""test_failover.py: khabar on a pg_auto_failover formation (a primary and its synchronous standby): the primary killed with SIGKILL under concurrent writes and reads, twice; no acknowledged write lost, refusals 503 with Retry-After and never late, reads go on, the answer cache follows the new primary."""
# Three servers, each with DATABASE_URL naming both nodes with target_session_attrs=read-write
# (libpq finds whichever is the primary) and DATABASE_READ_URL naming both with
# target_session_attrs=prefer-standby. A and B (answer cache on) take the writes and reads; C
# (no cache) only reads. A read needs a replica that has replayed every write its server knows
# of, at the primary's WAL position when it learnt of it, and that position can lie past what
# the standby ever received (WAL of transactions that died with the primary): A's and B's reads
# may then be refused until the standby is promoted, so theirs are counted, not required.
# C knows of no write, so its reads show that the standby serves throughout.
# The node killed first comes back as a standby, and then the other is killed.
import http.client
import json
import subprocess
import time

import pytest

import harness
from formation import Formation, available
from harness import TOKEN_1, HarnessError, art, check, log, metric_value, note, psql, wait_until

DB_TIMEOUT_MS = 3000
RECOVERY_BOUND_S = 15  # the aim is under 5 s
CALM_S = 2.0  # load before the kill
AFTER_S = 2.0  # load after writes succeed again

acknowledged = {}  # label of a failover: {id: title} of the writes acknowledged during it


@pytest.fixture(scope="module")
def formation():
    why = available()
    if why:
        pytest.fail(why, pytrace=False)
    f = Formation(dbname="khabar")
    try:
        f.start()
    except HarnessError as e:
        f.cleanup()
        pytest.fail("set-up of the pg_auto_failover formation: %s" % e, pytrace=False)
    yield f
    f.cleanup()


@pytest.fixture(scope="module")
def servers(khabar_bin, formation):
    """(A, B, C): khabar servers on the formation, migrated first, C without a cache; stopped at
    the file's end, which fails unless each exits 0 after SIGTERM (no leaks under ASan)."""
    h = harness.Harness(khabar_bin)
    h.pg.url = formation.url("read-write")  # the DATABASE_URL of h's commands and servers
    try:
        r = h.run_cli(["migrate"])
        if r.returncode != 0:
            raise HarnessError("khabar migrate exited %d: %s" % (r.returncode, harness.tail(r.stderr)))
        settings = {"DATABASE_READ_URL": formation.url("prefer-standby"), "DB_TIMEOUT": str(DB_TIMEOUT_MS)}
        trio = (h.start_server(extra=settings, name="A"), h.start_server(extra=settings, name="B"),
                h.start_server(extra=dict(settings, CACHE_BYTES="0"), name="C"))
    except HarnessError as e:
        h.cleanup()
        pytest.fail("set-up of the servers: %s" % e, pytrace=False)
    yield trio
    bad = []
    for srv in trio:
        status, secs = srv.stop(30.0 if h.sanitized else 10.0)
        if status != 0:
            bad.append("server %s exits 0 after SIGTERM: status %r after %.1f s; log tail:\n%s"
                       % (srv.name, status, secs, srv.log_tail(30)))
    h.cleanup()
    if bad:
        pytest.fail("\n".join(bad), pytrace=False)


class Load(harness.Threads):
    """Writers (POST /v1/articles, each title unique) through A and B in turn, and a reader (a
    list, an article) through each of A, B and C, until stopped; every request recorded with
    its start, end and answer."""

    def __init__(self, servers, label, read_paths, writers=4):
        self.writer_servers = servers[:2]
        self.reader_servers = servers
        self.label = label
        self.read_paths = read_paths
        self.writers = writers
        self.records = []  # dicts: write, server, t0, t1, status, retry_after, id, title, error
        super().__init__(writers + len(servers))

    def run(self, i):
        write = i < self.writers
        n = 0
        while not self.stop_flag.is_set():
            n += 1
            srv = self.writer_servers[(i + n) % 2] if write else self.reader_servers[i - self.writers]
            rec = {"write": write, "server": srv.name, "t0": time.monotonic()}
            try:
                if write:
                    rec["title"] = "%s w%d-%d" % (self.label, i, n)
                    r = srv.request("POST", "/v1/articles", body=art(rec["title"]), token=TOKEN_1, timeout=30)
                else:
                    r = srv.request("GET", self.read_paths[n % len(self.read_paths)], timeout=30)
                rec.update(status=r.status, retry_after=r.header("Retry-After"))
                if write and r.status == 201 and isinstance(r.json, dict):
                    rec["id"] = r.json.get("id")
            except (OSError, http.client.HTTPException) as e:
                rec["error"] = repr(e)
            rec["t1"] = time.monotonic()
            with self.lock:
                self.records.append(rec)
            time.sleep(0.02 if rec.get("status") in (200, 201) else 0.05)

    def recovered_at(self, t_kill):
        """When writes succeeded again after the kill: the end of the first 201 to a write begun
        after the first refusal ended (a write acknowledged by the old primary as it died does
        not count); None if not yet."""
        with self.lock:
            recs = list(self.records)
        refused = [r["t1"] for r in recs if r["write"] and r["t1"] >= t_kill and r.get("status") != 201]
        if not refused:
            return None
        first = min(refused)
        ok = [r["t1"] for r in recs if r["write"] and r["t0"] >= first and r.get("status") == 201]
        return min(ok) if ok else None


def stored_titles(node, label):
    """{id: title} of the articles node holds that the writers of Load(label) sent."""
    rows = psql(node.url("khabar"), "SELECT json_object_agg(id, title) FROM articles WHERE title LIKE '%s w%%'"
                % label)
    return {int(k): v for k, v in (json.loads(rows) if rows else {}).items()}


def takes_writes(node):
    """True when node is a primary that takes writes (pg_auto_failover keeps a standby being
    promoted read-only until the old primary is known to be down)."""
    try:
        return psql(node.url("khabar"), "SELECT pg_is_in_recovery() OR"
                    " current_setting('transaction_read_only')::bool", timeout=2) == "f"
    except (HarnessError, OSError, subprocess.TimeoutExpired):
        return False


def fail_over(formation, servers, label):
    """Kills the primary under load (Load); checks what this file's docstring says, notes the
    figures and returns the node that took over."""
    a = servers[0]
    check(formation.in_sync(), "%s: before the kill, a primary and a synchronous secondary" % label,
          formation.states())
    seed = harness.create(a, art("%s seed" % label))["id"]
    victim = formation.primary()
    survivor = next(n for n in formation.nodes if n is not victim)
    with Load(servers, label, ["/v1/articles?limit=5", "/v1/articles/%d" % seed]) as load:
        time.sleep(CALM_S)
        t_kill = formation.kill(victim)
        writable_at = None  # when psql finds the survivor promoted and taking writes
        deadline = t_kill + RECOVERY_BOUND_S + 5
        while time.monotonic() < deadline:
            if writable_at is None and takes_writes(survivor):
                writable_at = time.monotonic()
            done = load.recovered_at(t_kill)
            if done is not None and time.monotonic() > done + AFTER_S:
                break
            time.sleep(0.1)
    log("%s: killed %s (port %d); states now %s" % (label, victim.name, victim.port, formation.states()))
    recs = load.records
    writes = [r for r in recs if r["write"]]
    reads = [r for r in recs if not r["write"]]
    done = load.recovered_at(t_kill)
    secs = done - t_kill if done is not None else None

    calm = [r for r in writes if r["t1"] < t_kill]
    check(len(calm) > 10 and all(r.get("status") == 201 for r in calm),
          "%s: before the kill, %d concurrent writes all 201" % (label, len(calm)),
          [r for r in calm if r.get("status") != 201][:3])
    check(secs is not None and secs < RECOVERY_BOUND_S,
          "%s: writes through khabar succeed again within %d s of the kill" % (label, RECOVERY_BOUND_S),
          "%s s; states %s\n%s" % (secs, formation.states(), formation.log_tails()))
    if done is None:
        done = time.monotonic()

    refused = [r for r in writes if r["t1"] >= t_kill and r.get("status") != 201]
    bad = [r for r in refused if r.get("status") != 503 or not r.get("retry_after")]
    check(refused and not bad,
          "%s: the %d writes refused meanwhile are all 503 with Retry-After" % (label, len(refused)),
          bad[:5] or "no write was refused: the outage went unseen")

    since = [r for r in recs if r["t1"] >= t_kill]
    longest = max(since, key=lambda r: r["t1"] - r["t0"])
    limit = DB_TIMEOUT_MS / 1000.0 + 2.0
    slow = [r for r in since if r["t1"] - r["t0"] > limit]
    check(not slow, "%s: no request answered later than DB_TIMEOUT (%d ms) and 2 s" % (label, DB_TIMEOUT_MS),
          "%d slower; the slowest %.2f s: %s" % (len(slow), longest["t1"] - longest["t0"], longest))

    acked = {r["id"]: r["title"] for r in writes if r.get("status") == 201}
    acknowledged[label] = acked
    stored = stored_titles(survivor, label)
    lost = ["%s %r" % (i, t) for i, t in acked.items() if stored.get(i) != t]
    check(len(acked) > 20 and not lost,
          "%s: the new primary holds every one of the %d acknowledged writes" % (label, len(acked)), lost[:5])

    bad_reads = [r for r in reads if r["t1"] >= t_kill and r.get("status") != 200 and
                 (r.get("status") != 503 or not r.get("retry_after"))]
    check(not bad_reads, "%s: every read after the kill is 200, or 503 with Retry-After" % label, bad_reads[:5])
    outage = {s.name: [r for r in reads if r["server"] == s.name and r["t0"] >= t_kill and r["t1"] <= done]
              for s in servers}
    c_reads = outage["C"]
    check(len(c_reads) > 5 and all(r.get("status") == 200 for r in c_reads),
          "%s: while writes are refused, the standby serves every read of C (%d)" % (label, len(c_reads)),
          [r for r in c_reads if r.get("status") != 200][:5])
    back = [r for r in reads if r["t0"] >= done]
    check(back and all(r.get("status") == 200 for r in back),
          "%s: once writes succeed again every read is 200 (%d)" % (label, len(back)),
          [r for r in back if r.get("status") != 200][:5])
    figures = {
        "failover_s": round(secs, 2) if secs is not None else None,
        "database_writable_s": round(writable_at - t_kill, 2) if writable_at is not None else None,
        "writes_acknowledged": len(acked), "writes_lost": len(lost), "writes_refused_503": len(refused) - len(bad),
        "refused_but_stored": len(stored) - len(acked),
        "max_request_s": round(longest["t1"] - longest["t0"], 3),
        "reads_after_kill": len([r for r in reads if r["t1"] >= t_kill]),
        "reads_200_while_writes_refused": {k: "%d/%d" % (len([r for r in v if r.get("status") == 200]), len(v))
                                           for k, v in outage.items()},
    }
    note("%s: %s" % (label, json.dumps(figures)))
    return survivor


def check_cache_follows(servers, label):
    """B's change listener hears the new primary: B answers a GET from its cache, and after a
    PATCH through A its cached answer shows it."""
    a, b = servers[:2]
    check(wait_until(lambda: metric_value(b, "khabar_cache_enabled") == 1, 10),
          "%s: B's answer cache is on again (its listener is back)" % label,
          "khabar_changes_connects_total %d" % metric_value(b, "khabar_changes_connects_total"))
    aid = harness.create(a, art("%s cached" % label))["id"]
    path = "/v1/articles/%d" % aid
    b.request("GET", path)
    hits = metric_value(b, "khabar_cache_hits_total")
    g = b.request("GET", path)
    check(g.status == 200 and metric_value(b, "khabar_cache_hits_total") > hits,
          "%s: B answers the article's second GET from its cache" % label, g.brief())
    heard = metric_value(b, "khabar_changes_heard_total")
    title = "%s cached and changed" % label
    p = a.request("PATCH", path, body=json.dumps({"title": title}), token=TOKEN_1,
                  headers={"Content-Type": "application/merge-patch+json"})
    check(p.status == 200, "%s: PATCH through A -> 200" % label, p.brief())
    shown = wait_until(lambda: (b.request("GET", path).json or {}).get("title") == title, 5)
    check(shown and metric_value(b, "khabar_changes_heard_total") > heard,
          "%s: B, having heard the change from the new primary, shows the PATCH made through A" % label,
          b.request("GET", path).brief())
    hits = metric_value(b, "khabar_cache_hits_total")
    g = b.request("GET", path)
    check((g.json or {}).get("title") == title and metric_value(b, "khabar_cache_hits_total") > hits,
          "%s: and B's cached answer is the new one" % label, g.brief())


def test_primary_failover_loses_no_acknowledged_write(formation, servers):
    """The primary killed under load: writes are back within seconds, none acknowledged lost,
    refusals 503 with Retry-After, nothing late, reads served; the cache follows."""
    fail_over(formation, servers, "failover-1")
    check_cache_follows(servers, "failover-1")


def test_killed_primary_rejoins_as_synchronous_standby(formation):
    """`pg_autoctl run` on the killed node: it follows the new primary, whose commits wait for it."""
    dead = [n for n in formation.nodes if n.proc is None]
    check(len(dead) == 1, "one node is down after the failover", [n.name for n in dead])
    t0 = time.monotonic()
    for node in dead:
        formation.rejoin(node)
    try:
        formation.wait_in_sync(60)
    except HarnessError as e:
        check(False, "the killed node rejoins as the synchronous standby", e)
        return
    states = formation.states()
    check(all(states.get(n.name) == ("secondary", "secondary") for n in dead),
          "the killed node is the secondary now", states)
    note("rejoined as a standby in %.1f s" % (time.monotonic() - t0))


def test_second_failover_loses_no_acknowledged_write(formation, servers):
    """The same again with the roles swapped: the node that took over is killed, the one that
    rejoined takes over, and khabar follows it back."""
    if not formation.in_sync():
        pytest.fail("no primary and synchronous secondary to fail over: %s" % formation.states(), pytrace=False)
    primary = fail_over(formation, servers, "failover-2")
    check_cache_follows(servers, "failover-2")
    first = acknowledged.get("failover-1", {})
    stored = stored_titles(primary, "failover-1")
    lost = ["%s %r" % (i, t) for i, t in first.items() if stored.get(i) != t]
    check(first and not lost, "the %d writes acknowledged during the first failover are all still there, after the "
          "old primary's rewind and the second failover" % len(first), lost[:5])
