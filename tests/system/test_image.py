"""The khabar image as operators run it: built from docker/Dockerfile on the local Debian 12 base,
it migrates, serves, reports healthy, runs as a non-root user on a read-only root filesystem,
drains the requests in flight on `docker stop` and exits 0, and holds only what khabar needs
at run time."""
import json
import subprocess
import threading
import time
import uuid

import pytest

from harness import TOKEN_1, Postgres, art, free_port, note, wait_until
from http_client import half_request, http_request, read_response

IMAGE = "khabar:latest"
BASE = "debian:12-slim"


def docker(*args, timeout=120, check=True):
    done = subprocess.run(["docker"] + list(args), capture_output=True, text=True, timeout=timeout)
    if check and done.returncode != 0:
        pytest.fail("docker %s exited %d: %s" % (" ".join(args), done.returncode, done.stderr[-2000:]),
                    pytrace=False)
    return done


def in_image(image, script):
    """What sh -c script prints in a throw-away container of image."""
    return docker("run", "--rm", "--entrypoint", "sh", image, "-c", script).stdout


def packages(image):
    return set(in_image(image, "dpkg-query -W -f='${Package}\\n'").split())


@pytest.fixture(scope="module")
def database(images):
    """A PostgreSQL on this machine's loopback, which containers on the host's network reach."""
    pg = Postgres()
    try:
        yield pg.start()
    finally:
        pg.cleanup()


class Container:
    """A detached `khabar serve` container on the host's network, removed at the end."""

    def __init__(self, database_url, *options):
        self.name = "khabar-test-" + uuid.uuid4().hex[:8]
        self.port = free_port()
        self.started = time.monotonic()
        docker("run", "-d", "--name", self.name, "--network", "host", *options,
               "-e", "DATABASE_URL=" + database_url, "-e", "PORT=%d" % self.port,
               "-e", "LISTEN_ADDR=127.0.0.1", "-e", "API_TOKENS=" + TOKEN_1, "-e", "LOG_FORMAT=json",
               "-e", "SHUTDOWN_TIMEOUT=10", IMAGE)

    def state(self, field):
        return docker("inspect", "-f", "{{json .State.%s}}" % field, self.name).stdout.strip()

    def request(self, method, path, body=None, token=None):
        try:
            return http_request(self.port, method, path, body=body, token=token, timeout=10)
        except OSError:
            return None

    def remove(self):
        docker("rm", "-f", self.name, check=False)


@pytest.fixture
def container(database):
    """khabar serving from its image with a read-only root filesystem, on a migrated database."""
    migrated = docker("run", "--rm", "--network", "host", "--read-only", "-e", "DATABASE_URL=" + database,
                      IMAGE, "migrate", timeout=180)
    assert migrated.returncode == 0, migrated.stderr
    c = Container(database, "--read-only")
    try:
        yield c
    finally:
        c.remove()


def test_the_image_runs_as_a_non_root_user(images):
    assert docker("image", "inspect", "-f", "{{.Config.User}}", IMAGE).stdout.strip() == "khabar"
    uid = in_image(IMAGE, "id -u").strip()
    assert uid.isdigit() and int(uid) != 0, uid


def test_the_runtime_stage_holds_only_what_khabar_needs(images):
    libraries = in_image(IMAGE, "ldd /usr/local/bin/khabar")
    assert "=>" in libraries and "not found" not in libraries, libraries
    added = packages(IMAGE) - packages(BASE)
    # shared libraries, and curl for the health check: no compiler, no headers, no build tools
    extra = sorted(p for p in added if not p.startswith("lib") and p != "curl")
    assert not extra, "packages a running khabar does not need: %s" % extra
    headers = sorted(p for p in added if p.endswith("-dev"))
    assert not headers, headers
    assert in_image(IMAGE, "command -v cc gcc make || true").strip() == ""
    size_mb = int(docker("image", "inspect", "-f", "{{.Size}}", IMAGE).stdout) / 1e6
    base_mb = int(docker("image", "inspect", "-f", "{{.Size}}", BASE).stdout) / 1e6
    note("image %s: %.1f MB, of which %.1f MB the Debian 12 base; %d packages added"
         % (IMAGE, size_mb, base_mb, len(added)))


def test_the_container_migrates_serves_and_reports_healthy(container):
    ready = wait_until(lambda: (r := container.request("GET", "/readyz")) is not None and r.status == 200, 30)
    started_s = time.monotonic() - container.started
    assert ready, docker("logs", container.name, check=False).stderr[-2000:]
    healthy = wait_until(lambda: json.loads(container.state("Health"))["Status"] == "healthy", 40)
    assert healthy, container.state("Health")
    # a read-only root: khabar writes nothing but to its database and its log (stdout)
    created = container.request("POST", "/v1/articles", body=art("مقال من الحاوية"), token=TOKEN_1)
    assert created is not None and created.status == 201, created and created.brief()
    got = container.request("GET", "/v1/articles/%d" % created.json["id"])
    assert got is not None and got.status == 200, got and got.brief()
    note("container start-up until /readyz answers 200: %.2f s" % started_s)


def test_docker_stop_drains_requests_in_flight_and_exits_0(container):
    assert wait_until(lambda: (r := container.request("GET", "/readyz")) is not None and r.status == 200, 30)
    bodies = [json.dumps(art("مقال أثناء الإيقاف %d" % i), ensure_ascii=False).encode() for i in range(8)]
    in_flight = [half_request(container.port, b, TOKEN_1) for b in bodies]
    time.sleep(0.3)
    stopping = threading.Thread(target=docker, args=("stop", "-t", "20", container.name), kwargs={"timeout": 60})
    t0 = time.monotonic()
    stopping.start()
    time.sleep(1.0)  # SIGTERM has arrived: the listener is closed, the requests still open
    answers = []
    for s, rest in in_flight:
        s.sendall(rest)
        answers.append(read_response(s))
        s.close()
    stopping.join()
    stopped_s = time.monotonic() - t0
    statuses = [r.status if r else err for r, err in answers]
    assert statuses == [201] * len(bodies), statuses
    assert container.state("ExitCode") == "0", docker("logs", container.name, check=False).stderr[-2000:]
    assert container.state("OOMKilled") == "false"
    assert stopped_s < 15, "docker stop took %.1f s: the grace period ran out" % stopped_s
    logs = docker("logs", container.name).stderr + docker("logs", container.name).stdout
    assert "SIGKILL" not in logs
    note("docker stop with %d requests in flight: %.2f s, exit status 0" % (len(bodies), stopped_s))
