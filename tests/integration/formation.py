"""formation.py: a pg_auto_failover formation for black-box tests: a monitor and two PostgreSQL nodes, a primary and its synchronous standby.

Python 3 standard library and Debian's pg_auto_failover (pg_autoctl, the pgautofailover extension):

    f = Formation(dbname="khabar")
    f.start()                  # monitor, node1 (the primary), node2 (its standby); waits until they are in sync
    url = f.url("read-write")  # postgresql://postgres@127.0.0.1:P1,127.0.0.1:P2/khabar?target_session_attrs=read-write
    node = f.primary()
    f.kill(node)               # SIGKILL to its keeper (with the keeper's own processes) and its postmaster;
                               # the monitor promotes the other node
    f.rejoin(node)             # `pg_autoctl run` again: it comes back as a standby
    f.wait_in_sync(60)         # a primary and a synchronous secondary again
    f.cleanup()                # everything stopped, the temp dir removed

Each node's keeper (`pg_autoctl create postgres ... --run`, later `pg_autoctl run`; the monitor's
too) is one process started here in a session of its own, so that its group (the keeper and the
services it forks, PostgreSQL among them) can be killed at once. As root, everything runs as the postgres user, as scripts/pg.sh does. The monitor
declares a node failed within about 2 s and promotes the standby at once (MONITOR_SETTINGS).
"""
import atexit
import glob
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

from harness import HarnessError, free_port, log, psql, tail, wait_until

# The monitor's defaults take about 50 s to fail over: 20 s before a silent node is called
# unhealthy, then 30 s for the old primary to demote itself. Here both are short, since the
# tests kill the old primary outright. In production primary_demote_timeout must stay above
# the keepers' network_partition_timeout (20 s), the time a primary cut off from the monitor
# and its standby takes to stop taking writes.
MONITOR_SETTINGS = {
    "pgautofailover.health_check_period": "1000",
    "pgautofailover.health_check_timeout": "2000",
    "pgautofailover.health_check_max_retries": "1",
    "pgautofailover.health_check_retry_delay": "500",
    "pgautofailover.node_considered_unhealthy_timeout": "2000",
    "pgautofailover.primary_demote_timeout": "1000",
    "pgautofailover.startup_grace_period": "2000",
}


def available():
    """Why no formation can be made here (pg_autoctl or the extension missing), or None."""
    if shutil.which("pg_autoctl") is None:
        return "pg_autoctl is not installed (Debian: postgresql-15-auto-failover)"
    if not glob.glob("/usr/lib/postgresql/*/lib/pgautofailover.so"):
        return "the pgautofailover extension is not installed (Debian: postgresql-15-auto-failover)"
    return None


def _bindir():
    """The bin folder of the newest PostgreSQL that has the pgautofailover extension."""
    versions = sorted((p.split("/")[4] for p in glob.glob("/usr/lib/postgresql/*/lib/pgautofailover.so")),
                      key=lambda v: [int(x) for x in v.split(".") if x.isdigit()])
    if not versions:
        raise HarnessError(available() or "no PostgreSQL with pgautofailover")
    return "/usr/lib/postgresql/%s/bin" % versions[-1]


class Node:
    """One PostgreSQL instance of the formation and the keeper process that runs it."""

    def __init__(self, name, pgdata, port, log_path):
        self.name = name
        self.pgdata = pgdata
        self.port = port
        self.log_path = log_path
        self.proc = None  # the running `pg_autoctl` keeper, or None
        self.killed = False  # its postmaster was killed and has not run since

    def url(self, dbname):
        return "postgresql://postgres@127.0.0.1:%d/%s" % (self.port, dbname)

    def postmaster_pid(self):
        """The pid in PGDATA/postmaster.pid, or None."""
        try:
            with open(os.path.join(self.pgdata, "postmaster.pid")) as f:
                return int(f.readline().strip())
        except (OSError, ValueError):
            return None


class Formation:
    """The monitor, node1 and node2 in a temp dir, on free ports of 127.0.0.1, trust authentication."""

    def __init__(self, dbname="khabar"):
        self.dbname = dbname
        self.bindir = _bindir()
        self.dir = tempfile.mkdtemp(prefix="khabar-failover-")
        os.chmod(self.dir, 0o755)
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self.monitor = Node("monitor", os.path.join(self.dir, "monitor"), free_port(),
                            os.path.join(self.dir, "monitor.log"))
        self.nodes = [Node("node%d" % i, os.path.join(self.dir, "node%d" % i), free_port(),
                           os.path.join(self.dir, "node%d.log" % i)) for i in (1, 2)]
        self.monitor_url = "postgres://autoctl_node@127.0.0.1:%d/pg_auto_failover?sslmode=disable" % self.monitor.port
        self._cleaned = False
        atexit.register(self.cleanup)

    # --- processes ------------------------------------------------------------------

    def _env(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        # pg_autoctl keeps its configuration and state under XDG folders: the temp dir's
        for var, sub in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "share"), ("XDG_RUNTIME_DIR", "run")):
            env[var] = os.path.join(self.dir, sub)
        env["HOME"] = self.dir
        env["PATH"] = self.bindir + os.pathsep + env.get("PATH", "/usr/bin:/bin")
        return env

    def _cmd(self, args):
        if os.geteuid() != 0:
            return list(args)
        return ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"] + list(args)

    def autoctl(self, *args, timeout=60):
        """Runs `pg_autoctl ARGS` to its end; returns its stdout (raises HarnessError if it fails)."""
        r = subprocess.run(self._cmd(["pg_autoctl"] + list(args)), env=self._env(), cwd=self.dir,
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=timeout)
        if r.returncode != 0:
            raise HarnessError("pg_autoctl %s exited %d:\n%s" % (" ".join(args), r.returncode, tail(r.stderr, 20)))
        return r.stdout

    def _keeper(self, node, args):
        """Starts the long-running `pg_autoctl ARGS` for node in a session of its own."""
        out = open(node.log_path, "ab")
        try:
            node.proc = subprocess.Popen(self._cmd(["pg_autoctl"] + list(args)), env=self._env(), cwd=self.dir,
                                         stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        finally:
            out.close()
        node.killed = False

    def log_tails(self, lines=15):
        """The end of every keeper's log, for a failure's report."""
        parts = []
        for node in [self.monitor] + self.nodes:
            try:
                with open(node.log_path, "rb") as f:
                    parts.append("--- %s:\n%s" % (node.name, tail(f.read().decode("utf-8", "replace"), lines)))
            except OSError:
                pass
        return "\n".join(parts)

    # --- set-up ---------------------------------------------------------------------

    def start(self, seconds=90):
        """The monitor, then node1 (it becomes the primary), then node2 (its synchronous standby);
        waits until both are in sync. Raises HarnessError."""
        t0 = time.monotonic()
        m = self.monitor
        self.autoctl("create", "monitor", "--pgdata", m.pgdata, "--pgport", str(m.port), "--hostname", "127.0.0.1",
                     "--auth", "trust", "--no-ssl")
        self.autoctl("config", "set", "--pgdata", m.pgdata, "postgresql.listen_addresses", "127.0.0.1")
        with open(os.path.join(m.pgdata, "postgresql.conf"), "a") as f:
            f.write("".join("%s = %s\n" % kv for kv in MONITOR_SETTINGS.items()))
        self._keeper(m, ["run", "--pgdata", m.pgdata])
        if not wait_until(lambda: self._answers(m.url("pg_auto_failover")), 30):
            raise HarnessError("the monitor does not answer\n" + self.log_tails())
        for i, node in enumerate(self.nodes):
            self._keeper(node, ["create", "postgres", "--pgdata", node.pgdata, "--pgport", str(node.port),
                                "--hostname", "127.0.0.1", "--listen", "127.0.0.1", "--name", node.name,
                                "--dbname", self.dbname, "--auth", "trust", "--no-ssl",
                                "--monitor", self.monitor_url, "--run"])
            if i == 0 and not wait_until(lambda: self.states().get(node.name) == ("single", "single"), 30):
                raise HarnessError("%s does not become the single node: %s\n%s"
                                   % (node.name, self.states(), self.log_tails()))
        self.wait_in_sync(seconds - (time.monotonic() - t0))
        log("pg_auto_failover formation in %s: monitor :%d, %s (%.1f s)"
            % (self.dir, m.port, ", ".join("%s :%d" % (n.name, n.port) for n in self.nodes), time.monotonic() - t0))

    @staticmethod
    def _answers(url):
        try:
            return psql(url, "SELECT 1", timeout=5) == "1"
        except (HarnessError, subprocess.TimeoutExpired):
            return False

    # --- state ----------------------------------------------------------------------

    def url(self, session_attrs):
        """Both nodes in one libpq URL, with target_session_attrs=session_attrs."""
        return "postgresql://postgres@%s/%s?target_session_attrs=%s" % (
            ",".join("127.0.0.1:%d" % n.port for n in self.nodes), self.dbname, session_attrs)

    def states(self):
        """{node name: (reported state, assigned state)} as `pg_autoctl show state` gives them; {} when
        the monitor cannot tell."""
        try:
            rows = json.loads(self.autoctl("show", "state", "--json", "--monitor", self.monitor_url, timeout=10))
        except (HarnessError, subprocess.TimeoutExpired, ValueError):
            return {}
        return {r["nodename"]: (r["current_group_state"], r["assigned_group_state"]) for r in rows}

    def node(self, name):
        return next(n for n in self.nodes if n.name == name)

    def primary(self):
        """The node the monitor has as primary, or None."""
        for name, (reported, assigned) in self.states().items():
            if reported == assigned and reported in ("primary", "wait_primary", "single"):
                return self.node(name)
        return None

    def in_sync(self):
        """True when one node is primary, the other secondary, and the primary's commits wait for
        the standby (synchronous_standby_names set)."""
        states = self.states()
        if sorted(states.values()) != [("primary", "primary"), ("secondary", "secondary")]:
            return False
        primary = self.primary()
        try:
            return psql(primary.url(self.dbname), "SHOW synchronous_standby_names", timeout=5) != ""
        except (HarnessError, subprocess.TimeoutExpired):
            return False

    def wait_in_sync(self, seconds):
        """Waits until in_sync(); raises HarnessError after seconds. A standby being made waits
        for a checkpoint on the primary (pg_basebackup's), which PostgreSQL spreads over minutes:
        one is asked for at once each round."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.in_sync():
                return
            primary = self.primary()
            if primary is not None:
                try:
                    psql(primary.url(self.dbname), "CHECKPOINT", timeout=10)
                except (HarnessError, subprocess.TimeoutExpired):
                    pass
            time.sleep(0.3)
        raise HarnessError("no primary and synchronous secondary within %.0f s: %s\n%s"
                           % (seconds, self.states(), self.log_tails()))

    # --- failures -------------------------------------------------------------------

    def kill(self, node):
        """SIGKILL to node's keeper with every process of its group, and to its postmaster (whose
        own children exit when it is gone). Returns the monotonic time of the kill."""
        pid = node.postmaster_pid()
        if node.proc is not None:
            try:
                os.killpg(node.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if pid is not None:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        t = time.monotonic()
        if node.proc is not None:
            node.proc.wait()
            node.proc = None
        node.killed = True
        return t

    def rejoin(self, node):
        """Runs node's keeper again (`pg_autoctl run`): the monitor makes it a standby of the
        current primary (pg_rewind, or a new base backup)."""
        self._keeper(node, ["run", "--pgdata", node.pgdata])

    # --- clean-up -------------------------------------------------------------------

    def _stop(self, node, seconds=20):
        """SIGINT (a fast shutdown) to the keeper, SIGKILL to its group if it is not done in time."""
        if node.proc is None:
            return
        try:
            node.proc.send_signal(signal.SIGINT)
            node.proc.wait(seconds)
        except subprocess.TimeoutExpired:
            log("%s's keeper did not stop within %d s: killed" % (node.name, seconds))
            self.kill(node)
        except ProcessLookupError:
            pass
        node.proc = None

    def _tidy_killed(self, node):
        """A postmaster killed outright leaves shared memory behind that only the next start in
        its PGDATA removes: start it alone and stop it again."""
        if not node.killed or node.postmaster_pid() is None:
            return
        pg_ctl = os.path.join(self.bindir, "pg_ctl")
        for args in (["start", "-w", "-t", "30", "-o", "-c port=%d -c listen_addresses=''" % node.port],
                     ["stop", "-w", "-m", "fast"]):
            cmd = [pg_ctl, "-D", node.pgdata, "-s", "-l", os.path.join(self.dir, "tidy.log")] + args
            subprocess.run(self._cmd(cmd), env=self._env(), cwd=self.dir, stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
        node.killed = False

    def cleanup(self):
        """Stops every keeper (the data nodes first, then the monitor) and removes the temp dir.
        Idempotent."""
        if self._cleaned:
            return
        self._cleaned = True
        for node in self.nodes + [self.monitor]:
            try:
                self._stop(node)
                self._tidy_killed(node)
            except Exception as e:  # noqa: BLE001 - cleanup goes on
                log("stopping %s: %s" % (node.name, e))
        if os.environ.get("KHABAR_TEST_KEEP"):
            log("kept %s" % self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
