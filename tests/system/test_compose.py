"""The whole stack of docker/compose.yaml with Debian's docker-compose: PostgreSQL healthy, the
migration done, both khabar replicas healthy, nginx answering the API and the frontend on one
port; a replica killed under writes loses no acknowledged write; a PostgreSQL restart is ridden
through (503 with Retry-After meanwhile, writes again soon after it answers); the data outlives
`down` and `up` (the volume)."""
import json
import os
import subprocess
import threading
import time
import uuid

import pytest

from harness import TOKEN_1, Threads, art, free_port, note, wait_until
from http_client import http_request

from conftest import REPO_ROOT

COMPOSE_FILE = os.path.join(REPO_ROOT, "docker", "compose.yaml")


class Stack:
    """One compose project of docker/compose.yaml, on its own port and volume."""

    def __init__(self):
        self.project = "khabartest" + uuid.uuid4().hex[:8]
        self.port = free_port()
        self.env = dict(os.environ, API_TOKENS=TOKEN_1, KHABAR_PORT=str(self.port))

    def compose(self, *args, timeout=300, check=True):
        done = subprocess.run(["docker-compose", "-f", COMPOSE_FILE, "-p", self.project] + list(args),
                              capture_output=True, text=True, timeout=timeout, env=self.env, cwd=REPO_ROOT)
        if check and done.returncode != 0:
            pytest.fail("docker-compose %s exited %d: %s" % (" ".join(args), done.returncode, done.stderr[-3000:]),
                        pytrace=False)
        return done

    def container(self, service):
        return self.compose("ps", "-q", service).stdout.strip()

    def state(self, service):
        """The container's state and health ("exited 0", "running healthy", ...)."""
        out = subprocess.run(["docker", "inspect", "-f",
                              "{{.State.Status}} {{if eq .State.Status \"exited\"}}{{.State.ExitCode}}"
                              "{{else if .State.Health}}{{.State.Health.Status}}{{end}}",
                              self.container(service)], capture_output=True, text=True, timeout=30)
        return out.stdout.strip()

    def psql(self, sql):
        return self.compose("exec", "-T", "postgres", "psql", "-X", "-A", "-t", "-U", "khabar", "-d", "khabar",
                            "-c", sql).stdout.strip()

    def request(self, method, path, body=None, token=None, timeout=10):
        try:
            return http_request(self.port, method, path, body=body, token=token, timeout=timeout)
        except OSError:
            return None

    def up(self):
        self.compose("up", "-d", "--no-build", timeout=300)

    def logs(self):
        return self.compose("logs", "--no-color", "--tail", "40", check=False).stdout[-4000:]


@pytest.fixture(scope="module")
def stack(images):
    s = Stack()
    try:
        s.up()
        yield s
    finally:
        s.compose("down", "-v", "--remove-orphans", timeout=180, check=False)


class Writers(Threads):
    """Writers posting articles through nginx, a few a second each (under nginx's per-client
    limit): every answer kept with the moment it came."""

    def __init__(self, stack, label, n=2, pause=0.05):
        self.stack, self.label, self.pause = stack, label, pause
        self.answers = []  # (monotonic time, status, retry-after, id or None)
        super().__init__(n)

    def run(self, i):
        k = 0
        while not self.stop_flag.is_set():
            k += 1
            r = self.stack.request("POST", "/v1/articles", body=art("%s %d-%d" % (self.label, i, k)),
                                   token=TOKEN_1, timeout=20)
            row = (time.monotonic(), r.status if r else None, r.header("retry-after") if r else None,
                   r.json.get("id") if r is not None and r.status == 201 and isinstance(r.json, dict) else None)
            with self.lock:
                self.answers.append(row)
            time.sleep(self.pause)

    def acknowledged(self):
        return [a[3] for a in self.answers if a[1] == 201]

    def statuses(self):
        counts = {}
        for a in self.answers:
            counts[a[1]] = counts.get(a[1], 0) + 1
        return counts


def missing_from_database(stack, ids):
    """The acknowledged ids the database does not hold."""
    if not ids:
        return []
    held = stack.psql("SELECT id FROM articles WHERE id IN (%s)" % ",".join(str(int(i)) for i in ids))
    return sorted(set(ids) - {int(x) for x in held.split()})


def upstreams_answering(stack, limit):
    """The replicas nginx sends requests to: a few GETs of /v1/articles?limit=LIMIT, then the
    upstream addresses its log names for them."""
    path = "/v1/articles?limit=%d" % limit
    for _ in range(6):
        stack.request("GET", path)
    return {line.split()[-2] for line in stack.compose("logs", "--no-color", "nginx").stdout.splitlines()
            if path + " " in line}


def test_the_stack_comes_up_healthy_behind_one_port(stack):
    assert wait_until(lambda: stack.state("postgres") == "running healthy", 60), stack.logs()
    assert stack.state("migrate") == "exited 0", stack.logs()
    for replica in ("khabar-1", "khabar-2"):
        assert wait_until(lambda: stack.state(replica) == "running healthy", 60), stack.logs()
    index = stack.request("GET", "/v1")
    assert index is not None and index.status == 200 and index.json["contract"] == "/openapi.yaml", stack.logs()
    page = stack.request("GET", "/")
    assert page is not None and page.status == 200 and b'name="khabar-api"' in page.body, page and page.brief()
    script = stack.request("GET", "/web/src/app.js")
    assert script is not None and script.status == 200, script and script.brief()
    assert len(upstreams_answering(stack, 1)) == 2


def test_a_replica_killed_under_writes_loses_no_acknowledged_write(stack):
    assert wait_until(lambda: stack.state("khabar-2") == "running healthy", 60), stack.logs()
    with Writers(stack, "مقال قبل قتل نسخة") as writers:
        time.sleep(1.5)
        subprocess.run(["docker", "kill", stack.container("khabar-1")], check=True, capture_output=True, timeout=30)
        killed_at = time.monotonic()
        time.sleep(3)
    after = [a for a in writers.answers if a[0] > killed_at + 1]
    assert after and all(a[1] == 201 for a in after), \
        "after the kill the other replica takes every write: %s" % writers.statuses()
    acknowledged = writers.acknowledged()
    assert len(acknowledged) > 20, writers.statuses()
    assert missing_from_database(stack, acknowledged) == []
    note("replica killed under writes: %s answers, %d acknowledged, 0 lost" % (writers.statuses(), len(acknowledged)))
    subprocess.run(["docker", "start", stack.container("khabar-1")], check=True, capture_output=True, timeout=30)
    assert wait_until(lambda: stack.state("khabar-1") == "running healthy", 60), stack.logs()
    # nginx (which resolved the replicas' names when it started) reaches the restarted one:
    # after its rest of fail_timeout, requests go to both again
    time.sleep(2.5)
    assert len(upstreams_answering(stack, 3)) == 2


def pg_answers(stack):
    done = subprocess.run(["docker", "exec", stack.container("postgres"), "pg_isready", "-q", "-h", "127.0.0.1"],
                          capture_output=True, timeout=10)
    return done.returncode == 0


def test_a_postgres_restart_is_ridden_through(stack):
    assert wait_until(lambda: stack.state("postgres") == "running healthy", 60), stack.logs()
    answered_at = []
    with Writers(stack, "مقال أثناء إعادة تشغيل القاعدة") as writers:
        time.sleep(1)
        restarting = threading.Thread(target=stack.compose, args=("restart", "postgres"))
        restarted_from = time.monotonic()
        restarting.start()
        # the moment PostgreSQL answers again, watched from inside its container
        time.sleep(0.3)
        while not answered_at and time.monotonic() < restarted_from + 60:
            if pg_answers(stack):
                answered_at.append(time.monotonic())
            time.sleep(0.05)
        restarting.join(120)
        time.sleep(3)
    assert answered_at, "PostgreSQL answers again after its restart"
    refused = [a for a in writers.answers if a[0] > restarted_from and a[1] != 201]
    assert refused, "writes during the restart were refused: %s" % writers.statuses()
    other = [a for a in refused if a[1] != 503 or not a[2]]
    assert not other, "each refusal is a 503 with Retry-After: %s of %s" % (other[:5], writers.statuses())
    recovered = [a[0] for a in writers.answers if a[0] > answered_at[0] and a[1] == 201]
    assert recovered, writers.statuses()
    recovery_s = recovered[0] - answered_at[0]
    assert recovery_s < 2.0, "writes succeed %.2f s after PostgreSQL answers" % recovery_s
    assert missing_from_database(stack, writers.acknowledged()) == []
    note("PostgreSQL restart under writes: %s answers; writes again %.2f s after it answered"
         % (writers.statuses(), recovery_s))


def test_down_and_up_again_keep_the_data(stack):
    created = stack.request("POST", "/v1/articles", body=art("مقال يبقى بعد الإيقاف"), token=TOKEN_1)
    assert created is not None and created.status == 201, created and created.brief()
    stack.compose("down", timeout=180)
    stack.up()
    assert wait_until(lambda: (r := stack.request("GET", "/readyz")) is not None and r.status == 200, 90), stack.logs()
    got = stack.request("GET", "/v1/articles/%d" % created.json["id"])
    assert got is not None and got.status == 200 and got.json["title"] == "مقال يبقى بعد الإيقاف", got and got.brief()
    assert json.loads(stack.psql("SELECT count(*) FROM articles")) > 20
