"""test_deployment.py: khabar as operators run it: docker/nginx.conf before two replicas, failover, nothing lost, the docker files."""
# - docker/nginx.conf, run by Debian's nginx in front of two `khabar serve` replicas: requests,
#   gzip, X-Request-Id, client addresses, nginx's own refusals as problem+json, the per-client
#   limit, and failover when a replica is killed or stopped.
# - Nothing lost: concurrent writers through nginx while PostgreSQL restarts twice and a replica
#   is killed with SIGKILL; every acknowledged write is stored as acknowledged.
# - docker/ files (and `docker compose config` where the docker client has compose).
# The nginx configuration is docker/nginx.conf itself with only what differs on one machine
# replaced: replica and listen addresses, log and temp paths, and one test load balancer address
# (127.0.0.3) added to the trusted ones. Clients other than 127.0.0.1 bind their socket to
# another loopback address.
import gzip
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import threading
import time

import pytest

import harness
from harness import REPO_ROOT, TOKEN_1, HarnessError, check, free_port, log, wait_until
from http_client import problem_type

NGINX_CONF = os.path.join(REPO_ROOT, "docker", "nginx.conf")
LB_ADDR = "127.0.0.3"  # a load balancer in front of nginx, trusted by the rendered config


def art(title, **fields):
    obj = {"title": title, "body": "نص " + title, "tags": ["نشر"], "sources": ["وكالة"]}
    obj.update(fields)
    return obj


psql = harness.psql
access_lines = harness.access_lines
log_entry = harness.log_entry


# ---------------------------------------------------------------------------------------
# nginx with docker/nginx.conf

class Nginx:
    """Debian's nginx running docker/nginx.conf with this machine's addresses and paths."""

    def __init__(self, workdir, upstream_ports):
        self.dir = os.path.join(workdir, "nginx")
        os.makedirs(os.path.join(self.dir, "temp"), exist_ok=True)
        os.chmod(self.dir, 0o755)
        os.chmod(os.path.join(self.dir, "temp"), 0o777)  # nginx's workers run as nobody
        self.port = free_port()
        self.upstream_ports = upstream_ports
        self.conf = os.path.join(self.dir, "nginx.conf")
        self.access_log = os.path.join(self.dir, "access.log")
        self.error_log = os.path.join(self.dir, "error.log")
        self.proc = None
        self.binary = shutil.which("nginx") or "/usr/sbin/nginx"

    def site(self):
        """A copy of the frontend's files where nginx's workers (nobody) can read them, as the
        image has them in /usr/share/khabar: a clone in a private home is out of their reach."""
        site = os.path.join(self.dir, "site")
        web = os.path.join(REPO_ROOT, "web")
        shutil.rmtree(site, ignore_errors=True)
        for part in ("index.html", "style.css", "src", "fonts"):
            src, dst = os.path.join(web, part), os.path.join(site, "web", part)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            (shutil.copytree if os.path.isdir(src) else shutil.copyfile)(src, dst)
        for top, dirs, files in os.walk(site):
            os.chmod(top, 0o755)
            for name in files:
                os.chmod(os.path.join(top, name), 0o644)
        return site

    def render(self):
        with open(NGINX_CONF, encoding="utf-8") as f:
            text = f.read()
        temp = os.path.join(self.dir, "temp")
        changes = [
            ("server khabar-1:8080", "server 127.0.0.1:%d" % self.upstream_ports[0]),
            ("server khabar-2:8080", "server 127.0.0.1:%d" % self.upstream_ports[1]),
            ("listen 80;", "listen 127.0.0.1:%d;" % self.port),
            ("root /usr/share/khabar;", "root %s;" % self.site()),
            ("access_log /var/log/nginx/access.log khabar;", "access_log %s khabar;" % self.access_log),
            ("real_ip_recursive on;", "real_ip_recursive on;\n    set_real_ip_from %s;" % LB_ADDR),
            ("http {", "http {\n" + "".join("    %s_temp_path %s/%s;\n" % (k, temp, k) for k in
                                             ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))),
        ]
        for old, new in changes:
            if text.count(old) != 1:
                raise HarnessError("docker/nginx.conf should have %r once (the test replaces it)" % old)
            text = text.replace(old, new)
        with open(self.conf, "w", encoding="utf-8") as f:
            f.write(text)

    def _cmd(self, *extra):
        return [self.binary, "-c", self.conf, "-p", self.dir + "/", "-e", self.error_log,
                "-g", "daemon off; pid %s/nginx.pid; error_log %s info;" % (self.dir, self.error_log)] + list(extra)

    def test_config(self):
        return subprocess.run(self._cmd("-t"), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=30)

    def start(self):
        if not os.path.exists(self.binary):
            raise HarnessError("nginx is missing (scripts/install-deps.sh installs it)")
        self.proc = subprocess.Popen(self._cmd(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise HarnessError("nginx exited %s; error log:\n%s" % (self.proc.returncode, self.errors()))
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise HarnessError("nginx did not listen on %d; error log:\n%s" % (self.port, self.errors()))

    def errors(self):
        try:
            with open(self.error_log, encoding="utf-8", errors="replace") as f:
                return harness.tail(f.read(), 20)
        except OSError:
            return ""

    def log_lines(self):
        try:
            with open(self.access_log, encoding="utf-8", errors="replace") as f:
                return f.read().splitlines()
        except OSError:
            return []

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)  # graceful
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def replica_env(port, **more):
    env = {"PORT": str(port), "TRUSTED_PROXIES": "127.0.0.1/32"}
    env.update({k: str(v) for k, v in more.items()})
    return env


class Proxy:
    """nginx running docker/nginx.conf in front of two replicas on fixed ports (a replica
    restarted comes back on its port), and the articles the proxy tests read."""

    def __init__(self, h, made, **replica_settings):
        self.h = h
        self.made = made
        self.replica_settings = replica_settings
        self.replica_ports = [free_port(), free_port()]
        self.replicas = [None, None]
        self.nginx = Nginx(h.workdir, self.replica_ports)

    def start_replica(self, i):
        srv = self.h.start_server(extra=replica_env(self.replica_ports[i], **self.replica_settings),
                                  name="replica%d-%d" % (i + 1, len(self.h.servers)))
        self.replicas[i] = srv
        return srv

    def through(self, method, path, src=None, timeout=None, **kw):
        return harness.http_request(self.nginx.port, method, path, src=src,
                                    timeout=timeout or self.h.http_timeout, **kw)

    def through_many(self, method, path, **kw):
        """A request from one of many clients behind the trusted load balancer: load from
        one address would meet nginx's per-client limit, which is not what it tests."""
        headers = dict(kw.pop("headers", None) or {})
        headers["X-Forwarded-For"] = "198.18.%d.%d" % (random.randrange(256), random.randrange(1, 255))
        return self.through(method, path, src=LB_ADDR, headers=headers, **kw)

    def nginx_uses(self, i, seconds=6.0):
        """True once nginx sends requests to replica i again (it rests a failed replica for
        fail_timeout): what a rolling restart waits for before stopping the next replica."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            rid = "back-%d" % random.randrange(1 << 40)
            self.through_many("GET", "/healthz", headers={"X-Request-Id": rid})
            if log_entry([self.replicas[i]], rid, wait=0.1) is not None:
                return True
            time.sleep(0.1)
        return False


@pytest.fixture(scope="module")
def articles(khabar):
    """The ids of 25 articles created through the default server for the tests that read."""
    made = []
    for i in range(25):
        r = khabar.server.request("POST", "/v1/articles", body=art("مقال الوكيل %d" % i), token=TOKEN_1)
        if r.status == 201:
            made.append(r.json["id"])
    return made


def running_proxy(khabar, articles, **replica_settings):
    """nginx with docker/nginx.conf before two replicas started with replica_settings, stopped
    when the generator is closed."""
    p = Proxy(khabar, articles, **replica_settings)
    p.start_replica(0)
    p.start_replica(1)
    p.nginx.render()
    r = p.nginx.test_config()
    if r.returncode != 0:
        pytest.fail("nginx -t accepts docker/nginx.conf: %s" % r.stdout[-800:], pytrace=False)
    try:
        p.nginx.start()
        log("nginx on 127.0.0.1:%d in front of replicas on %s" % (p.nginx.port, p.replica_ports))
        yield p
    finally:
        p.nginx.stop()


@pytest.fixture(scope="module")
def proxy(khabar, articles):
    """nginx with docker/nginx.conf before two replicas, for the file's through-nginx tests."""
    yield from running_proxy(khabar, articles)


@pytest.fixture(scope="module")
def limited_proxy(khabar, articles):
    """The same with a small per-client rate limit in the replicas (5 at once, 1 a second), so
    that khabar's own limit answers before nginx's."""
    yield from running_proxy(khabar, articles, RATE_LIMIT=1, RATE_BURST=5)


def test_articles_for_the_proxy_tests(articles):
    assert len(articles) == 25, "25 articles created for the proxy tests: %d" % len(articles)


def test_proxy_requests(khabar, proxy):
    direct = khabar.server.request("GET", "/v1/articles?limit=5")
    r = proxy.through("GET", "/v1/articles?limit=5")
    check(r.status == 200, "GET /v1/articles through nginx -> 200", r.brief())
    check(r.json is not None and direct.json is not None and
          [a["id"] for a in r.json.get("data", [])] == [a["id"] for a in direct.json.get("data", [])],
          "through nginx: the same page as from khabar directly", r.brief(300))
    check(r.header("etag") == direct.header("etag"), "through nginx: the same ETag (no gzip asked)",
          (r.header("etag"), direct.header("etag")))
    r = proxy.through("POST", "/v1/articles", body=art("نشر عبر الوكيل"), token=TOKEN_1)
    check(r.status == 201, "POST through nginx -> 201", r.brief())
    loc = r.header("location")
    check(loc.startswith("/v1/articles/"), "POST through nginx: Location %s" % loc, r.headers)
    g = proxy.through("GET", loc, encoded=True)
    check(g.status == 200 and g.json and g.json.get("title") == "نشر عبر الوكيل",
          "GET of the new article through nginx -> 200 with its title", g.brief())
    r = proxy.through("POST", "/v1/articles", body=art("بلا رمز"))
    check(r.status == 401 and problem_type(r) == "/problems/unauthorized",
          "khabar's own 401 problem passes through nginx unchanged", r.brief())
    h = proxy.through("HEAD", "/v1/articles?limit=5")
    check(h.status == 200 and h.body == b"", "HEAD through nginx -> 200 without a body", h.brief())
    # both replicas answer: ids sent and found in each replica's log
    ids = []
    for i in range(20):
        rid = "spread-%d-%d" % (i, random.randrange(1 << 30))
        proxy.through("GET", "/v1/articles/%d" % proxy.made[i % len(proxy.made)], headers={"X-Request-Id": rid})
        ids.append(rid)
    time.sleep(0.3)
    seen = [sum(1 for e in access_lines(s) if e.get("request_id") in ids) for s in proxy.replicas]
    check(seen[0] > 0 and seen[1] > 0 and sum(seen) == 20,
          "nginx spreads 20 GETs over both replicas", seen)


def test_nginx_serves_the_frontend_and_proxies_the_rest(proxy):
    """docker/nginx.conf serves web/ itself: the page at each page's address, its files (the
    same bytes khabar serves), nothing else of the folder; the API still goes to khabar."""
    direct = proxy.replicas[0]
    page = open(os.path.join(REPO_ROOT, "web", "index.html"), "rb").read()
    for path in ("/", "/articles/%D9%85%D9%82%D8%A7%D9%84", "/tags/x", "/sources/x", "/authors/x", "/sections/x",
                 "/search?q=x"):
        r = proxy.through("GET", path, encoded=True)
        check(r.status == 200 and r.body == page and r.header("content-type").startswith("text/html"),
              "nginx answers %s with the frontend's page" % path, r.brief(200))
        check("default-src 'self'" in r.header("content-security-policy"), "%s: with its security policy" % path,
              r.header("content-security-policy"))
    for path, ctype in (("/web/style.css", "text/css"), ("/web/src/app.js", "javascript"),
                        ("/web/fonts/NotoNaskhArabic-Regular.woff2", "font/woff2")):
        r = proxy.through("GET", path)
        own = direct.request("GET", path)
        check(r.status == 200 and ctype in r.header("content-type") and r.body == own.body,
              "nginx serves %s as khabar does (%s)" % (path, ctype), r.brief(200))
    z = proxy.through("GET", "/web/src/app.js", headers={"Accept-Encoding": "gzip"})
    check(z.header("content-encoding") == "gzip", "the modules are sent compressed", z.headers)
    for path in ("/web/package.json", "/web/tsconfig.json", "/web/index.html", "/web/node_modules/x.js",
                 "/web/src/../package.json"):
        r = proxy.through("GET", path)
        check(r.status != 200, "nginx does not serve %s" % path, r.brief(200))
    r = proxy.through("GET", "/v1/articles?limit=1")
    check(r.status == 200 and r.json is not None, "the API is still khabar's", r.brief())
    r = proxy.through("GET", "/robots.txt")
    check(r.status == 200 and "Sitemap:" in r.body.decode(), "and so is robots.txt", r.brief())


def test_gzip(proxy):
    path = "/v1/articles?limit=20"
    plain = proxy.through("GET", path)
    z = proxy.through("GET", path, headers={"Accept-Encoding": "gzip"})
    check(z.status == 200 and z.header("content-encoding") == "gzip",
          "a list with Accept-Encoding: gzip comes gzipped through nginx", z.headers)
    check("accept-encoding" in z.header("vary").lower(), "gzipped answer has Vary: Accept-Encoding",
          z.header("vary"))
    try:
        unzipped = gzip.decompress(z.body)
    except OSError as e:
        unzipped = repr(e).encode()
    check(unzipped == plain.body, "gunzipped body == the body without gzip (%d -> %d bytes)"
          % (len(plain.body), len(z.body)), unzipped[:200])
    check(len(z.body) < len(plain.body), "gzip makes the list smaller", (len(z.body), len(plain.body)))
    check(plain.header("content-encoding") == "", "no gzip when the client does not ask", plain.headers)
    small = proxy.through("GET", "/healthz", headers={"Accept-Encoding": "gzip"})
    check(small.status == 200 and small.header("content-encoding") == "",
          "a body under 512 bytes is not gzipped", small.headers)
    p = proxy.through("GET", "/v1/nowhere/" + "x" * 600, headers={"Accept-Encoding": "gzip"})
    check(p.status == 404, "unknown path through nginx -> 404", p.brief())
    # nginx weakens the ETag of what it compresses; khabar compares If-None-Match weakly
    etag = z.header("etag")
    check(etag.startswith('W/"'), "gzipped answer's ETag is weak (%s)" % etag, z.headers)
    r = proxy.through("GET", path, headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    check(r.status == 304, "If-None-Match with the weak ETag through nginx -> 304", r.brief())
    r = proxy.through("GET", path, headers={"If-None-Match": plain.header("etag")})
    check(r.status == 304, "If-None-Match with the strong ETag through nginx -> 304", r.brief())


def test_request_id(proxy):
    r = proxy.through("GET", "/v1/articles?limit=1")
    rid = r.header("x-request-id")
    check(re.fullmatch(r"[0-9a-f]{32}", rid) is not None, "nginx gives a request without an id one (%s)" % rid,
          r.headers)
    e = log_entry(proxy.replicas, rid)
    check(e is not None, "khabar logs nginx's request id", rid)
    time.sleep(0.2)
    check(any(line.endswith("id=" + rid) for line in proxy.nginx.log_lines()),
          "nginx's access log has the same id", proxy.nginx.log_lines()[-3:])
    r = proxy.through("GET", "/v1/articles?limit=1", headers={"X-Request-Id": "deploy-id-42"})
    check(r.header("x-request-id") == "deploy-id-42", "a client's X-Request-Id passes through nginx", r.headers)
    check(log_entry(proxy.replicas, "deploy-id-42") is not None, "khabar logs the client's request id",
          "deploy-id-42")
    big = proxy.through("POST", "/v1/articles", body=b"x" * (2 * 1024 * 1024), token=TOKEN_1,
                  headers={"Content-Type": "application/json", "X-Request-Id": "deploy-too-big"})
    check(big.header("x-request-id") == "deploy-too-big", "nginx's own 413 carries the request id", big.headers)


def test_client_address(proxy):
    rid = "addr-spoof-%d" % random.randrange(1 << 30)
    proxy.through("GET", "/healthz", src="127.0.0.2", headers={"X-Forwarded-For": "203.0.113.50", "X-Request-Id": rid})
    e = log_entry(proxy.replicas, rid)
    check(e is not None and e.get("client") == "127.0.0.2",
          "a client's own X-Forwarded-For is not believed: khabar logs 127.0.0.2", e)
    rid = "addr-fwd-%d" % random.randrange(1 << 30)
    proxy.through("GET", "/healthz", src="127.0.0.2",
                  headers={"Forwarded": "for=203.0.113.77", "X-Request-Id": rid})
    e = log_entry(proxy.replicas, rid)
    check(e is not None and e.get("client") == "127.0.0.2",
          "a client's own Forwarded is not believed either: nginx drops it, khabar logs 127.0.0.2", e)
    rid = "addr-both-%d" % random.randrange(1 << 30)
    proxy.through("GET", "/healthz", src="127.0.0.2",
                  headers={"Forwarded": "for=6.6.6.6", "X-Forwarded-For": "6.6.6.6", "X-Request-Id": rid})
    e = log_entry(proxy.replicas, rid)
    check(e is not None and e.get("client") == "127.0.0.2",
          "a client sending both Forwarded and X-Forwarded-For for 6.6.6.6 cannot choose its address: "
          "khabar logs 127.0.0.2", e)
    rid = "addr-lb-%d" % random.randrange(1 << 30)
    proxy.through("GET", "/healthz", src=LB_ADDR, headers={"X-Forwarded-For": "198.51.100.23", "X-Request-Id": rid})
    e = log_entry(proxy.replicas, rid)
    check(e is not None and e.get("client") == "198.51.100.23",
          "behind a trusted load balancer: khabar logs the client 198.51.100.23 (realip)", e)
    time.sleep(0.2)
    check(any(line.startswith("198.51.100.23 ") and line.endswith("id=" + rid) for line in proxy.nginx.log_lines()),
          "nginx's access log has the client 198.51.100.23 too", proxy.nginx.log_lines()[-2:])


def test_proxy_refusals(khabar, proxy):
    before = psql(khabar.pg.url, "SELECT count(*) FROM articles")
    body = json.dumps(art("كبير", body="ن" * (700 * 1024))).encode()
    r = proxy.through("POST", "/v1/articles", body=body, token=TOKEN_1, headers={"Content-Type": "application/json"})
    check(r.status == 413 and problem_type(r) == "/problems/body-too-large",
          "a 1.4 MB body: nginx answers 413 as problem+json", r.brief())
    check(psql(khabar.pg.url, "SELECT count(*) FROM articles") == before, "the refused body created nothing", before)
    statuses = []
    lock = threading.Lock()

    def hammer():
        for _ in range(60):
            try:
                s = proxy.through("GET", "/healthz", src="127.0.0.4", timeout=5)
            except OSError:
                continue
            with lock:
                statuses.append(s)
    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    limited = [s for s in statuses if s.status == 429]
    ok = [s for s in statuses if s.status == 200]
    check(len(limited) > 0 and len(ok) >= 100,
          "240 quick requests from one client: nginx lets the burst through and limits the rest",
          "%d x 200, %d x 429" % (len(ok), len(limited)))
    if limited:
        s = limited[0]
        check(problem_type(s) == "/problems/rate-limited" and s.header("retry-after") == "1",
              "nginx's 429 is problem+json with Retry-After", s.brief())
    other = proxy.through("GET", "/healthz", src="127.0.0.5")
    check(other.status == 200, "another client is not limited meanwhile", other.brief())


def test_forged_addresses_and_the_rate_limit(limited_proxy):
    """Through nginx, a client forging its address in both forwarding headers neither drains
    another client's bucket nor escapes its own (khabar's 429s, not nginx's)."""
    victim, forger = "127.0.0.6", "127.0.0.7"

    def burst(src, n, headers_of):
        return [limited_proxy.through("GET", "/v1/articles?limit=1", src=src, headers=headers_of(i))
                for i in range(n)]
    got = burst(forger, 16, lambda i: {"Forwarded": "for=" + victim, "X-Forwarded-For": victim})
    st = [r.status for r in got]
    check(st.count(429) >= 3 and st[:5] == [200] * 5,
          "a client naming another in Forwarded and X-Forwarded-For spends its own bucket: 429 after the burst", st)
    check(all(r.header("ratelimit-limit") == "5" for r in got if r.status == 429),
          "those 429s are khabar's (RateLimit-Limit: 5), not nginx's", [r.brief() for r in got if r.status == 429][:1])
    st = [r.status for r in burst(victim, 5, lambda i: {})]
    check(st == [200] * 5, "the client it named still has its whole bucket: 5 requests pass", st)
    st = [r.status for r in burst(victim, 16, lambda i: {"Forwarded": "for=198.51.100.%d" % (i + 1),
                                                         "X-Forwarded-For": "198.51.100.%d" % (i + 1)})]
    check(st.count(429) >= 3, "a client rotating forged addresses in both headers does not escape its bucket", st)


class Load(harness.Threads):
    """GETs through nginx from threads until stopped; counts every outcome."""

    def __init__(self, proxy, paths, threads=4):
        self.proxy = proxy
        self.paths = paths
        self.statuses = {}
        self.errors = []
        super().__init__(threads)

    def run(self, i):
        n = 0
        while not self.stop_flag.is_set():
            path = self.paths[(i + n) % len(self.paths)]
            n += 1
            try:
                r = self.proxy.through_many("GET", path, timeout=10)
                with self.lock:
                    self.statuses[r.status] = self.statuses.get(r.status, 0) + 1
            except OSError as e:
                with self.lock:
                    self.errors.append(repr(e))

    def total(self):
        return sum(self.statuses.values()) + len(self.errors)


def test_failover(proxy):
    paths = ["/v1/articles/%d" % i for i in proxy.made] + ["/v1/articles?limit=5"]
    with Load(proxy, paths) as load:
        time.sleep(0.5)
        proxy.replicas[0].proc.kill()  # SIGKILL: no goodbye
        proxy.replicas[0].proc.wait()
        time.sleep(1.5)
    check(load.errors == [] and set(load.statuses) == {200},
          "replica 1 killed with SIGKILL under load: every GET through nginx still 200 (%d requests)"
          % load.total(), (load.statuses, load.errors[:3]))
    proxy.start_replica(0)
    check(proxy.nginx_uses(0), "the restarted replica 1 takes requests from nginx again", "")
    with Load(proxy, paths) as load:
        time.sleep(0.5)
        status, secs = proxy.replicas[1].stop(15)
        time.sleep(0.5)
    check(status == 0, "replica 2 exits 0 after SIGTERM under load (%.1f s)" % secs, status)
    check(load.errors == [] and set(load.statuses) == {200},
          "replica 2 stopped with SIGTERM under load: every GET through nginx still 200 (%d requests)"
          % load.total(), (load.statuses, load.errors[:3]))
    proxy.replicas[0].stop(15)
    r = proxy.through("GET", "/v1/articles?limit=1")
    check(r.status == 503 and problem_type(r) == "/problems/service-unavailable" and r.header("retry-after"),
          "both replicas down: nginx answers 503 problem+json with Retry-After", r.brief())
    proxy.start_replica(0)
    proxy.start_replica(1)
    ok = wait_until(lambda: proxy.through("GET", "/v1/articles?limit=1").status == 200, 10)
    check(ok and proxy.nginx_uses(0) and proxy.nginx_uses(1), "replicas back: nginx serves from both again", "")


class Writers(harness.Threads):
    """Writer threads through nginx: create articles and update their own, each write
    with a unique marker; every attempt is recorded with its outcome."""

    def __init__(self, proxy, n):
        self.proxy = proxy
        self.attempts = []  # dicts: writer, seq, kind, id, marker, outcome, article
        super().__init__(n)

    def record(self, a):
        with self.lock:
            self.attempts.append(a)

    def run(self, w):
        mine = []
        seq = 0
        rng = random.Random(w)
        while not self.stop_flag.is_set():
            seq += 1
            marker = "lost-check w%d-%d" % (w, seq)
            if mine and rng.random() < 0.5:
                target = rng.choice(mine)
                a = {"writer": w, "seq": seq, "kind": "update", "id": target, "marker": marker}
                body = json.dumps({"title": marker, "body": "نص " + marker}, ensure_ascii=False)
                method, path = "PATCH", "/v1/articles/%d" % target
                headers = {"Content-Type": "application/merge-patch+json"}
            else:
                a = {"writer": w, "seq": seq, "kind": "create", "id": None, "marker": marker}
                body = json.dumps(art(marker, body="نص " + marker), ensure_ascii=False)
                method, path, headers = "POST", "/v1/articles", {"Content-Type": "application/json"}
            a["t"] = time.monotonic()
            try:
                r = self.proxy.through_many(method, path, body=body, token=TOKEN_1, headers=headers, timeout=15)
                if 200 <= r.status < 300 and isinstance(r.json, dict):
                    a["outcome"] = "acknowledged"
                    a["article"] = r.json
                    if a["kind"] == "create":
                        a["id"] = r.json.get("id")
                        mine.append(a["id"])
                elif problem_type(r) == "/problems/service-unavailable":
                    a["outcome"] = "unknown"  # nginx: the replica went away; the write may have landed
                    a["status"] = r.status
                else:
                    a["outcome"] = "failed"
                    a["status"] = r.status
            except OSError as e:
                a["outcome"] = "unknown"
                a["error"] = repr(e)
            self.record(a)
            if a["outcome"] != "acknowledged":
                time.sleep(0.1)  # as a client told Retry-After would, if not as long


def test_nothing_lost(khabar, proxy):
    """Writers through nginx while PostgreSQL restarts twice and a replica is killed: no acknowledged write lost."""
    events = []
    with Writers(proxy, 6) as writers:
        time.sleep(2.0)
        calm_until = time.monotonic()
        for step in ("pg", "kill", "pg"):
            if step == "pg":
                rc, _ = khabar.pg.stop()
                events.append("PostgreSQL stopped (%d)" % rc)
                time.sleep(1.0)
                khabar.pg.start()
                events.append("PostgreSQL started")
            else:
                proxy.replicas[0].proc.kill()
                proxy.replicas[0].proc.wait()
                events.append("replica 1 killed")
                time.sleep(1.0)
                proxy.start_replica(0)
                events.append("replica 1 restarted")
            time.sleep(2.0)
    log("nothing-lost run: " + "; ".join(events))
    attempts = sorted(writers.attempts, key=lambda a: (a["writer"], a["seq"]))
    rows = psql(khabar.pg.url, "SELECT json_agg(json_build_object('id', id, 'title', title, 'body', body,"
                          " 'version', version)) FROM articles WHERE title LIKE 'lost-check %'")
    stored = {a["id"]: a for a in (json.loads(rows) if rows else [])}
    counts = {"acknowledged": 0, "failed": 0, "unknown": 0}
    for a in attempts:
        counts[a["outcome"]] += 1
    sent = {a["marker"] for a in attempts}
    lost = []
    # every acknowledged create exists; every article shows its last acknowledged write or a later attempt
    by_article = {}
    for a in attempts:
        if a["kind"] == "create" and a["outcome"] == "acknowledged":
            by_article.setdefault(a["id"], []).append(a)
        elif a["kind"] == "update":
            by_article.setdefault(a["id"], []).append(a)
    for aid, writes in by_article.items():
        row = stored.get(aid)
        if row is None:
            lost.append("article %s acknowledged but missing" % aid)
            continue
        acked = [w for w in writes if w["outcome"] == "acknowledged"]
        last_ack = acked[-1]
        allowed = {last_ack["marker"]} | {w["marker"] for w in writes if w["seq"] > last_ack["seq"]}
        if row["title"] not in allowed:
            lost.append("article %s is %r; last acknowledged %r" % (aid, row["title"], last_ack["marker"]))
        elif row["title"] == last_ack["marker"]:
            want = last_ack["article"]
            if row["body"] != want.get("body") or row["version"] != want.get("version"):
                lost.append("article %s differs from its acknowledged state" % aid)
        if row["version"] < len(acked):
            lost.append("article %s has version %s after %d acknowledged writes" % (aid, row["version"], len(acked)))
    strangers = [r for r in stored.values() if r["title"] not in sent]
    create_markers = {}
    for r in stored.values():
        create_markers.setdefault(r["title"], []).append(r["id"])
    landed = sum(1 for a in attempts if a["outcome"] != "acknowledged" and a["kind"] == "create"
                 and a["marker"] in create_markers)
    refusals = {}
    for a in attempts:
        if a["outcome"] != "acknowledged":
            key = a.get("status", "no answer")
            refusals[key] = refusals.get(key, 0) + 1
    log("writes: %d acknowledged, %d failed, %d unknown, %d lost; %d refused or unanswered creates were stored anyway"
        " (refusals by status: %s)" % (counts["acknowledged"], counts["failed"], counts["unknown"], len(lost), landed,
                                       refusals))
    calm = [a for a in attempts if a["t"] < calm_until - 0.5]
    refused_calm = [a for a in calm if a["outcome"] != "acknowledged"]
    check(len(calm) > 20 and not refused_calm,
          "before the outages, %d concurrent writes (shared tags and sources) all acknowledged" % len(calm),
          refused_calm[:3])
    check(counts["acknowledged"] > 100, "writers got many writes acknowledged across the outages (%d)"
          % counts["acknowledged"], counts)
    check(counts["failed"] + counts["unknown"] > 0, "the outages did refuse some writes (the test saw them)", counts)
    check(not lost, "lost = 0: every acknowledged write is stored exactly as acknowledged", lost[:5])
    check(not strangers, "nothing stored that no writer sent", strangers[:3])
    dup = [m for m, ids in create_markers.items() if len(ids) > 1]
    check(not dup, "no write stored twice", dup[:3])


# ---------------------------------------------------------------------------------------
# the docker files

def test_docker_files():
    """docker/Dockerfile and docker/compose.yaml hold what production needs."""
    with open(os.path.join(REPO_ROOT, "docker", "Dockerfile"), encoding="utf-8") as f:
        df = f.read()
    froms = re.findall(r"^FROM (\S+)", df, re.M)
    check(len(froms) >= 2 and all(x.startswith("debian:12-slim") for x in froms),
          "Dockerfile: multi-stage on debian:12-slim", froms)
    runtime = df[df.rfind("\nFROM "):]
    check("-dev" not in runtime and "build-essential" not in runtime,
          "Dockerfile: the runtime stage installs no -dev packages", runtime[:300])
    user = re.findall(r"^USER (\S+)", runtime, re.M)
    check(user and user[-1] not in ("root", "0"), "Dockerfile: runs as a non-root user", user)
    check(re.search(r"^HEALTHCHECK .*\n?.*/healthz", runtime, re.M) is not None, "Dockerfile: HEALTHCHECK on /healthz",
          "")
    check(re.search(r'^ENTRYPOINT \["', runtime, re.M) is not None, "Dockerfile: exec-form ENTRYPOINT", "")
    with open(os.path.join(REPO_ROOT, "docker", "compose.yaml"), encoding="utf-8") as f:
        compose = f.read()
    for svc in ("postgres", "migrate", "khabar-1", "khabar-2", "nginx"):
        check(re.search(r"^  %s:$" % re.escape(svc), compose, re.M) is not None, "compose.yaml has service %s" % svc,
              "")
    check("pg_isready" in compose and "pgdata:" in compose, "compose.yaml: PostgreSQL with a health check and a volume",
          "")
    with open(NGINX_CONF, encoding="utf-8") as f:
        nginx = f.read()
    header = re.search(r"^    TRUSTED_PROXY_HEADER: (\S+)$", compose, re.M)
    check(header is not None and re.search(r"proxy_set_header %s \$proxy_add_x_forwarded_for;" % header.group(1),
                                           nginx) is not None,
          "compose.yaml: the replicas read the one header nginx.conf writes", header and header.group(0))
    check('proxy_set_header Forwarded "";' in nginx, "nginx.conf clears the header the replicas do not read", "")
    # Debian's docker-compose 1.29 and Compose v2 read the file each with its own loader: each
    # that is installed must accept it
    compose_file = os.path.join(REPO_ROOT, "docker", "compose.yaml")
    docker = shutil.which("docker")
    loaders = []
    if shutil.which("docker-compose"):
        loaders.append(["docker-compose"])
    if docker and subprocess.run([docker, "compose", "version"], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL).returncode == 0:
        loaders.append([docker, "compose"])
    for loader in loaders:
        r = subprocess.run(loader + ["-f", compose_file, "config", "-q"], env=dict(os.environ, API_TOKENS="t"),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
        check(r.returncode == 0, "%s config accepts docker/compose.yaml" % " ".join(loader), r.stdout[-500:])
    if len(loaders) < 2:
        harness.note("compose loaders run on docker/compose.yaml: %s" % ([" ".join(x) for x in loaders] or "none"))
