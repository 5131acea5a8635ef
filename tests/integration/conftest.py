"""conftest.py: pytest fixtures for the black-box tests: the khabar binary, a private PostgreSQL
with the default khabar server in front of it (one for each file), and soft checks that fail the test at its end."""
import os

import pytest

import harness


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


@pytest.fixture(autouse=True)
def soft_checks():
    """harness.check() records a failed check and lets the test go on; the test fails at its end,
    naming every check that failed."""
    before = len(harness.failures())
    yield
    failed = harness.failures()[before:]
    if failed:
        pytest.fail("%d check(s) failed:\n  %s" % (len(failed), "\n  ".join(failed)), pytrace=False)
