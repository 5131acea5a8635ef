"""test_tour.py: a newcomer's first minutes: what `make run` starts (scripts/run.sh) serves the README's
curl tour (scripts/tour.sh) twice, keeps its development token across starts, refuses a taken port
before doing anything else, and `make help` lists the targets."""
import os
import re
import signal
import subprocess
import tempfile
import time

import pytest

import harness

RUN_SH = os.path.join(harness.REPO_ROOT, "scripts", "run.sh")
TOUR_SH = os.path.join(harness.REPO_ROOT, "scripts", "tour.sh")
README = os.path.join(harness.REPO_ROOT, "README.md")
TOKEN_LINE = re.compile(r"^\s*export TOKEN=(\S+)$", re.M)
BASE_LINE = re.compile(r"^\s*export B=(\S+)$", re.M)


def setting_names(khabar_bin):
    out = subprocess.run([khabar_bin, "--help"], stdout=subprocess.PIPE, text=True, timeout=30).stdout
    return set(re.findall(r"^  ([A-Z][A-Z0-9_]*) +default: ", out, re.M)) | set(harness.CONFIG_VARS)


class RunSh:
    """scripts/run.sh, as `make run` runs it after the build, on its own database, port and state folder."""

    def __init__(self, khabar, khabar_bin, url, state, port):
        env = {k: v for k, v in os.environ.items() if k not in setting_names(khabar_bin)}
        env.update(DATABASE_URL=url, PORT=str(port), LISTEN_ADDR="127.0.0.1", KHABAR_STATE=state,
                   KHABAR_BIN=khabar_bin)
        self.env = env
        self.port = port
        self.workdir = khabar.workdir
        self.proc = None
        self.log_path = None

    def run_once(self, timeout=60):
        """run.sh when it is expected to stop by itself: (exit status, output)."""
        r = subprocess.run(["bash", RUN_SH], env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=timeout, cwd=harness.REPO_ROOT)
        return r.returncode, r.stdout

    def start(self, name, wait=60.0):
        """Starts run.sh and waits for its server's /healthz; returns the output so far."""
        self.log_path = os.path.join(self.workdir, name + ".log")
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(["bash", RUN_SH], env=self.env, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, cwd=harness.REPO_ROOT)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail("scripts/run.sh exited %d:\n%s" % (self.proc.returncode, self.output()), pytrace=False)
            try:
                if harness.http_request(self.port, "GET", "/healthz", timeout=2).status == 200:
                    return self.output()
            except OSError:
                pass
            time.sleep(0.2)
        pytest.fail("scripts/run.sh: no answer on port %d within %.0f s:\n%s" % (self.port, wait, self.output()),
                    pytrace=False)

    def output(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # run.sh exec'd khabar serve
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


@pytest.fixture(scope="module")
def run_sh(khabar, khabar_bin):
    url = khabar.pg.url.rsplit("/", 1)[0] + "/khabar_tour"
    harness.psql(khabar.pg.url, "DROP DATABASE IF EXISTS khabar_tour")
    harness.psql(khabar.pg.url, "CREATE DATABASE khabar_tour")
    state = tempfile.mkdtemp(prefix="state-", dir=khabar.workdir)
    r = RunSh(khabar, khabar_bin, url, state, harness.free_port())
    yield r
    r.stop()


def run_tour(base, token, run_sh):
    env = dict(os.environ, B=base, TOKEN=token, DATABASE_URL=run_sh.env["DATABASE_URL"],
               KHABAR=run_sh.env["KHABAR_BIN"])
    r = subprocess.run(["bash", TOUR_SH], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=120, cwd=harness.REPO_ROOT)
    return r.returncode, r.stdout


def printed(pattern, out, what):
    found = pattern.findall(out)
    assert len(found) == 1, "run.sh printed %d %s lines:\n%s" % (len(found), what, out[-2000:])
    return found[0]


def test_tour_twice_and_the_token_stays(run_sh):
    tokens = []
    for start in (1, 2):
        out = run_sh.start("run%d" % start)
        token = printed(TOKEN_LINE, out, "export TOKEN=")
        base = printed(BASE_LINE, out, "export B=")
        harness.check(base == "http://localhost:%d" % run_sh.port, "run.sh prints the address to export as B", base)
        tokens.append(token)
        rc, tour = run_tour(base, token, run_sh)
        harness.check(rc == 0 and "every step answered as the README says" in tour,
                      "start %d: scripts/tour.sh passes" % start, "exit %d:\n%s" % (rc, tour[-3000:]))
        if start == 1:
            # a second `make run` while this one serves: refused at once, naming the port
            rc, again = run_sh.run_once()
            harness.check(rc != 0 and "port %d is already taken" % run_sh.port in again,
                          "a second run.sh on a taken port exits non-zero and says so", "exit %d: %s" % (rc, again))
            harness.check("TOKEN" not in again and "migrations" not in again and "khabar on" not in again,
                          "a taken port is found before migrating, printing a banner or a token", again)
        run_sh.stop()
    harness.check(tokens[0] == tokens[1] and tokens[0].startswith("dev-"),
                  "the development token is the same at the second start", tokens)


def test_readme_shows_the_tour_commands():
    """The README's tour is scripts/tour.sh's tour without its expect lines."""
    with open(TOUR_SH, encoding="utf-8") as f:
        script = f.read()
    body = script.split("# ---- the tour\n", 1)[1].split("# ---- end of the tour\n", 1)[0]
    commands = [line for line in body.splitlines() if not re.match(r"\s*expect(_value)? ", line)]
    with open(README, encoding="utf-8") as f:
        readme = f.read()
    section = readme.split("\n## A tour with curl\n", 1)[1].split("\n## ", 1)[0]
    shown = section.split("```sh\n", 1)[1].split("```", 1)[0]
    assert shown.strip("\n").splitlines() == "\n".join(commands).strip("\n").splitlines()
    for line in commands:
        assert not re.search(r"/v1/articles/\d", line), "the tour names an article by a fixed id: " + line


def test_make_help_lists_the_targets():
    r = subprocess.run(["make", "-s", "--no-print-directory", "help"], cwd=harness.REPO_ROOT, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    targets = re.findall(r"^make(?: (\S+))? +\S", r.stdout, re.M)
    for target in ("", "run", "stop-db", "test"):
        harness.check(target in targets, "make help lists make %s" % target, r.stdout)
    harness.check(all(line.startswith("make") for line in r.stdout.splitlines()),
                  "make help: one line a target", r.stdout)
