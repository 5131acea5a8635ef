"""conftest.py: pytest fixtures for the black-box tests: the khabar binary, a private PostgreSQL with the default server (one for each file), more servers with other settings, and soft checks."""
import os
import signal
import sys

import pytest

import harness
import web_browser

# tests/security holds the malformed-HTTP corpus player (replay.py) some tests use.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "security"))


_interrupted = []


def _interrupt(signum, frame):
    _interrupted.append(signum)
    raise KeyboardInterrupt("signal %d" % signum)


def pytest_configure(config):
    """SIGTERM/SIGHUP (a time limit, a closed terminal) stop the run like Ctrl-C: the fixtures'
    teardowns stop every server and PostgreSQL."""
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _interrupt)


def pytest_addoption(parser):
    parser.addoption("--khabar", default=os.path.join(harness.REPO_ROOT, "build", "khabar"),
                     help="the khabar binary to test (build/san/khabar for the sanitizer pass)")


@pytest.fixture(scope="session")
def khabar_bin(request):
    """The absolute path of the khabar binary under test."""
    return os.path.abspath(request.config.getoption("--khabar"))


@pytest.fixture(scope="module")
def khabar(khabar_bin):
    """The Harness: a private PostgreSQL, migrated, and the default `khabar serve` on a free
    port (harness.request() talks to it), one for each test file, so that no file sees another's
    data; everything stopped at the end of the file."""
    h = harness.Harness(khabar_bin)
    try:
        h.setup()
    except harness.HarnessError as e:
        h.cleanup()
        pytest.fail("set-up (PostgreSQL, migrate, server): %s" % e, pytrace=False)
    yield h
    h.cleanup()


class ServerFactory:
    """Starts servers on the harness's database with the default settings changed; stop_all()
    stops those still running and names the ones that did not exit 0 after SIGTERM."""

    def __init__(self, h):
        self.h = h
        self.started = []

    def __call__(self, name=None, unset=(), **settings):
        """A started khabar server: settings are environment variables (values made str)."""
        srv = self.h.start_server(extra={k: str(v) for k, v in settings.items()}, unset=unset, name=name)
        self.started.append(srv)
        return srv

    def stop_all(self):
        bad = []
        for srv in self.started:
            if not srv.alive():
                continue
            status, secs = srv.stop(30.0 if self.h.sanitized else 10.0)
            if status != 0:
                bad.append("server %s exits 0 after SIGTERM: status %r after %.1f s; log tail:\n%s"
                           % (srv.name, status, secs, srv.log_tail(30)))
        self.started = []
        return bad


@pytest.fixture
def start_server(khabar):
    """start_server(name, unset=(), **settings): a server with other settings (e.g.
    CORS_ORIGINS="*"), stopped at the end of the test, which fails if it does not exit 0."""
    f = ServerFactory(khabar)
    yield f
    bad = f.stop_all()
    if bad:
        pytest.fail("\n".join(bad), pytrace=False)


@pytest.fixture(scope="module")
def site(khabar, module_server):
    """The frontend's tests' web_browser.Site: khabar serving the frontend and its API over a
    small newsroom's data, the same frontend on another origin, and a Chromium."""
    try:
        s = web_browser.Site(khabar, module_server)
    except harness.HarnessError as e:
        pytest.fail("set-up of the site: %s" % e, pytrace=False)
    yield s
    s.close()


@pytest.fixture(scope="module")
def module_server(khabar):
    """Like start_server, for a server that several tests of a file share (stopped at the file's end)."""
    f = ServerFactory(khabar)
    yield f
    bad = f.stop_all()
    if bad:
        pytest.fail("\n".join(bad), pytrace=False)


def soft_failures(since):
    failed = harness.failures()[since:]
    return "%d check(s) failed:\n  %s" % (len(failed), "\n  ".join(failed)) if failed else ""


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    """The checks that failed while the test ran fail the test itself (not its teardown)."""
    before = len(harness.failures())
    outcome = yield
    item.soft_checks_seen = len(harness.failures())
    msg = soft_failures(before)
    if msg and outcome.excinfo is None:  # an exception already fails the test; its FAIL lines are in its output
        pytest.fail(msg, pytrace=False)


@pytest.fixture(autouse=True)
def soft_checks(request):
    """harness.check() records a failed check and lets the test go on; the test fails at its end,
    naming every check that failed (checks failed in set-up or teardown fail the teardown)."""
    before = len(harness.failures())
    yield
    msg = soft_failures(max(before, getattr(request.node, "soft_checks_seen", 0)))
    if msg and not _interrupted:
        pytest.fail(msg, pytrace=False)


@pytest.fixture(autouse=True)
def default_server_alive(request, soft_checks):
    """After a test that used the default server: it must still answer /healthz; a crashed
    server fails the test and is restarted, so that the file's other tests still tell something."""
    yield
    if "khabar" not in request.fixturenames or _interrupted:
        return
    h = request.getfixturevalue("khabar")
    if h.server is None or harness.server_answers(h.server):
        return
    harness.check(False, "server still running after %s" % request.node.name,
                  "exit status %r; log tail:\n%s" % (h.server.proc.poll(), h.server.log_tail(20)))
    try:
        h.restart_main()
    except harness.HarnessError as e:
        harness.check(False, "server restarts after a crash", str(e))
