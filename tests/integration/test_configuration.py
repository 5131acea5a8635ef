"""test_configuration.py: the settings: `khabar --help` and the README's table agree, one boolean
syntax for every flag, numbers within their bounds, and a bad value refused at start-up naming it."""
import os
import re
import subprocess

import pytest

import harness

README = os.path.join(harness.REPO_ROOT, "README.md")
# `khabar --help`: "  NAME   default: WORDS" then the meaning, indented further.
HELP_LINE = re.compile(r"^  ([A-Z][A-Z0-9_]*) +default: (.*)$")
BOUNDS = re.compile(r"a whole number from (\d+) to (\d+)")
README_ROW = re.compile(r"^\| `([A-Z][A-Z0-9_]*)` \| ([^|]*) \| ([^|]*) \|$")

FLAG_ON = ("1", "true", "yes", "on", "TRUE", "Yes", "ON")
FLAG_OFF = ("0", "false", "no", "off", "False", "NO", "Off")
FLAG_BAD = ("2", "y", "enable", "truee", "on ", "-1")


def help_settings(khabar_bin):
    """{name: (default as shown, meaning)} from `khabar --help`, in its order."""
    r = subprocess.run([khabar_bin, "--help"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=30)
    assert r.returncode == 0, "khabar --help exits %d: %s" % (r.returncode, r.stderr)
    settings, name = {}, None
    for line in r.stdout.splitlines():
        m = HELP_LINE.match(line)
        if m:
            name = m.group(1)
            settings[name] = [m.group(2).strip(), ""]
        elif name and line.startswith("      "):
            settings[name][1] += " " + line.strip()
    return {k: (d, meaning.strip()) for k, (d, meaning) in settings.items()}


def readme_settings():
    """{name: default} from the table in the README's "## Configuration" section."""
    with open(README, encoding="utf-8") as f:
        text = f.read()
    section = text.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        m = README_ROW.match(line.strip())
        if m:
            rows[m.group(1)] = m.group(2).replace("`", "").strip()
    return rows


@pytest.fixture(scope="module")
def settings(khabar_bin):
    found = help_settings(khabar_bin)
    assert len(found) >= 20, "khabar --help lists only %d settings" % len(found)
    return found


def env_for(h, settings, extra):
    """The harness's environment without any khabar setting, then DATABASE_URL and extra."""
    env = {k: v for k, v in h.env().items() if k not in settings}
    env["DATABASE_URL"] = h.pg.url
    env.update(extra)
    return env


def run(h, settings, cmd, extra, timeout=20):
    return subprocess.run([h.khabar, cmd], env=env_for(h, settings, extra), stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout,
                          cwd=harness.REPO_ROOT)


def expect_refused(h, settings, var, value):
    """`khabar serve` with var=value exits non-zero at once, with a message naming var."""
    extra = {"PORT": str(harness.free_port()), "LISTEN_ADDR": "127.0.0.1", var: value}
    name = "%s=%r: serve refuses to start, naming %s" % (var, value, var)
    try:
        r = run(h, settings, "serve", extra, timeout=10)
    except subprocess.TimeoutExpired:
        harness.check(False, name, "it started and served")
        return
    harness.check(r.returncode != 0 and var in r.stdout, name, "exit %d: %s" % (r.returncode, r.stdout[-300:]))


def expect_accepted(h, settings, var, value):
    """var=value passes the start-up checks: `khabar migrate` (which reads every setting) exits 0."""
    r = run(h, settings, "migrate", {var: value})
    harness.check(r.returncode == 0, "%s=%r is accepted" % (var, value),
                  "exit %d: %s" % (r.returncode, r.stdout[-300:]))


def test_help_and_readme_list_the_same_settings_with_the_same_defaults(settings):
    readme = readme_settings()
    only_help = sorted(set(settings) - set(readme))
    only_readme = sorted(set(readme) - set(settings))
    harness.check(not only_help, "every setting of khabar --help is in the README's table", only_help)
    harness.check(not only_readme, "every setting of the README's table is in khabar --help", only_readme)
    for name in sorted(set(settings) & set(readme)):
        harness.check(settings[name][0] == readme[name], "%s: the same default in --help and the README" % name,
                      "--help %r, README %r" % (settings[name][0], readme[name]))
        harness.check(settings[name][1] != "", "%s: --help says what it means" % name, settings[name])


def test_help_shows_machine_dependent_defaults_in_words(settings):
    for name in ("THREADS", "DB_POOL_SIZE", "DB_JOBS", "SEARCH_JOBS", "RATE_BURST"):
        shown = settings.get(name, ("",))[0]
        harness.check(shown != "" and not shown.isdigit(), "%s: the default is said in words" % name, shown)


def flags(settings):
    return [name for name, (default, _) in settings.items() if default in ("off", "on")]


def test_every_flag_takes_one_syntax(khabar, settings):
    names = flags(settings)
    assert {"RATE_LIMIT_TOKENS", "MIGRATE_ON_START"} <= set(names), names
    for name in names:
        for value in FLAG_ON + FLAG_OFF + ("",):
            expect_accepted(khabar, settings, name, value)
        for value in FLAG_BAD:
            expect_refused(khabar, settings, name, value)


def test_numbers_within_their_bounds(khabar, settings):
    numbers = {}
    for name, (_, meaning) in settings.items():
        m = BOUNDS.search(meaning)
        if m:
            numbers[name] = (int(m.group(1)), int(m.group(2)))
    assert {"PORT", "RATE_LIMIT", "MAX_HEADER_BYTES", "CACHE_BYTES"} <= set(numbers), numbers
    for name, (low, high) in sorted(numbers.items()):
        expect_accepted(khabar, settings, name, str(low))
        expect_accepted(khabar, settings, name, str(high))
        expect_refused(khabar, settings, name, str(high + 1))
        if low > 0:
            expect_refused(khabar, settings, name, str(low - 1))
        for bad in ("abc", "-1", "1e3", "0x10", "+5", " 5", "5 ", "5s", "18446744073709551616"):
            expect_refused(khabar, settings, name, bad)


def test_other_values_refused(khabar, settings):
    for var, value in (("LOG_FORMAT", "xml"), ("LOG_FORMAT", "JSON"), ("TRUSTED_PROXIES", "10.0.0.0/33"),
                       ("TRUSTED_PROXIES", "not-a-network"), ("API_TOKENS", ",".join("t%d" % i for i in range(40))),
                       ("TRUSTED_PROXY_HEADER", "X-Real-IP"), ("TRUSTED_PROXY_HEADER", "Forwarded,X-Forwarded-For"),
                       ("TRUSTED_PROXY_HEADER", "both")):
        expect_refused(khabar, settings, var, value)


def test_flags_take_effect(khabar, settings):
    """MIGRATE_ON_START=yes migrates a new database at start; =off leaves it alone; RATE_LIMIT_TOKENS=on
    limits token holders too."""
    url = khabar.pg.url
    base = url.rsplit("/", 1)[0]
    for value, migrated in (("yes", True), ("OFF", False)):
        db = "khabar_flag_%s" % value.lower()
        harness.psql(url, "DROP DATABASE IF EXISTS %s" % db)
        harness.psql(url, "CREATE DATABASE %s" % db)
        extra = {"DATABASE_URL": base + "/" + db, "MIGRATE_ON_START": value}
        srv = khabar.start_server(extra, unset=[n for n in settings if n not in harness.CONFIG_VARS + tuple(extra)],
                                  name="migrate-" + value)
        found = harness.psql(base + "/" + db, "SELECT to_regclass('schema_migrations') IS NOT NULL")
        harness.check(found == ("t" if migrated else "f"),
                      "MIGRATE_ON_START=%s: migrations %s at start" % (value, "applied" if migrated else "not applied"),
                      found)
        srv.stop()
        harness.psql(url, "DROP DATABASE %s" % db)
    srv = khabar.start_server({"RATE_LIMIT": "1", "RATE_BURST": "3", "RATE_LIMIT_TOKENS": "On"},
                              name="ratelimit-tokens")
    statuses = [srv.request("GET", "/v1/tags", token=harness.TOKEN_1).status for _ in range(8)]
    harness.check(429 in statuses, "RATE_LIMIT_TOKENS=On: token holders are limited too", statuses)
    srv.stop()
