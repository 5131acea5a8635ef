"""test_connections.py: connections: the per-client and total connection limits, and slow clients (HEADER_TIMEOUT, REQUEST_TIMEOUT) while others are served."""
import socket
import threading
import time

import pytest

import replay
from harness import TOKEN_1, art, check, create, log, send


def open_idle(srv, src=None):
    """A keep-alive connection that made one request (so it is surely accepted); the socket, or None."""
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=3, source_address=(src, 0) if src else None)
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        data = replay._read(s, time.monotonic() + 3, settle=0.02)[0]
    except OSError:
        s.close()
        return None
    if not data.startswith(b"HTTP/1.1 200"):
        s.close()
        return None
    return s


def try_request(srv, src=None, wait=2.0):
    """(answered 200?, what happened) for one GET /healthz on a new connection."""
    try:
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=wait,
                                     source_address=(src, 0) if src else None)
    except OSError as e:
        return False, "connect: %s" % e
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data, closed = replay._read(s, time.monotonic() + wait, settle=0.02)
    except OSError as e:
        return False, "error: %s" % e
    finally:
        s.close()
    if data.startswith(b"HTTP/1.1 200"):
        return True, "200"
    return False, "closed without an answer" if closed and not data else ("answer %r" % data[:40] if data else
                                                                           "no answer in %.0f s" % wait)


@pytest.fixture
def sockets():
    """A list for the test's sockets; every one still open is closed at the end."""
    socks = []
    yield socks
    for s in socks:
        if s:
            s.close()


def test_per_client_connections(start_server, sockets):
    srv = start_server("per-client", PER_CLIENT_CONNECTIONS=3, TRUSTED_PROXIES="127.0.0.3/32", HEADER_TIMEOUT=20)
    for _ in range(3):
        sockets.append(open_idle(srv))
    check(all(sockets), "PER_CLIENT_CONNECTIONS=3: three keep-alive connections accepted", sockets)
    ok, what = try_request(srv)
    check(not ok, "the 4th connection from the same address is refused or closed", what)
    ok, what = try_request(srv, src="127.0.0.2")
    check(ok, "another address still connects while the first is at its limit", what)
    extra = [open_idle(srv, src="127.0.0.3") for _ in range(5)]
    check(all(extra), "a trusted proxy address is exempt from the per-client limit (5 connections)", extra)
    for s in extra:
        if s:
            s.close()
    s = sockets.pop()
    if s:
        s.close()
    ok, what = False, ""
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and not ok:
        ok, what = try_request(srv)
        if not ok:
            time.sleep(0.1)
    check(ok, "after closing one, a new connection from the address works", what)


def test_per_client_limit_past_4096_clients(start_server, sockets):
    """The count table holds every client MAX_CONNECTIONS allows: the 4,097th client with an open
    connection is limited like the first."""
    srv = start_server("many-clients", PER_CLIENT_CONNECTIONS=1, MAX_CONNECTIONS=8192, THREADS=1, HEADER_TIMEOUT=120,
                       MAX_HEADER_BYTES=4096, RATE_LIMIT=0)
    clients = ["127.1.%d.%d" % (i // 250, i % 250 + 1) for i in range(4097)]
    for src in clients:
        try:
            sockets.append(socket.create_connection(("127.0.0.1", srv.port), timeout=5, source_address=(src, 0)))
        except OSError as e:
            sockets.append(None)
            log("connect from %s: %s" % (src, e))
    check(all(sockets), "4,097 clients each open one connection", sum(1 for s in sockets if s is None))
    # the connections are accepted in order by the one thread: once the last answers, all are counted
    last = sockets[-1]
    last.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    data = replay._read(last, time.monotonic() + 10, settle=0.02)[0]
    check(data.startswith(b"HTTP/1.1 200"), "the 4,097th client's connection is served", data[:40])
    for src in (clients[0], clients[-1]):
        ok, what = try_request(srv, src=src)
        check(not ok, "client %s, at PER_CLIENT_CONNECTIONS=1: a second connection is refused" % src, what)
    ok, what = try_request(srv, src="127.2.0.1")
    check(ok, "a client with no connection yet is still served", what)


def test_max_connections(start_server, sockets):
    srv = start_server("max-conn", MAX_CONNECTIONS=4, THREADS=1, PER_CLIENT_CONNECTIONS=0, HEADER_TIMEOUT=20)
    for i in range(4):
        sockets.append(open_idle(srv, src="127.0.0.%d" % (10 + i)))
    check(all(sockets), "MAX_CONNECTIONS=4: four connections accepted", sockets)
    s5 = socket.create_connection(("127.0.0.1", srv.port), timeout=3, source_address=("127.0.0.20", 0))
    sockets.append(s5)
    s5.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    data, closed = replay._read(s5, time.monotonic() + 1.0)
    check(not data.startswith(b"HTTP/1.1 200"), "a 5th connection is not served while 4 are open",
          (data[:40], closed))
    s = sockets.pop(0)
    if s:
        s.close()
    if not closed:
        data, closed = replay._read(s5, time.monotonic() + 3.0)
        check(data.startswith(b"HTTP/1.1 200"), "the waiting 5th connection is served once one closes",
              (data[:60], closed))
    s5.close()
    ok, what = try_request(srv, src="127.0.0.21")
    check(ok, "a new connection is served after the others close", what)


# ---------------------------------------------------------------------------------------
# slow clients

class Probe(threading.Thread):
    """GET path every interval from another address; counts answers."""

    def __init__(self, srv, path, src="127.0.0.2", interval=0.2):
        super().__init__(daemon=True)
        self.srv, self.path, self.src, self.interval = srv, path, src, interval
        self.ok = 0
        self.failed = []
        self.halt = threading.Event()

    def run(self):
        while not self.halt.is_set():
            t = time.monotonic()
            try:
                r = send(self.srv, "GET", self.path, src=self.src, timeout=3)
                if r.status == 200:
                    self.ok += 1
                else:
                    self.failed.append(r.status)
            except OSError as e:
                self.failed.append(repr(e))
            self.halt.wait(max(0.0, self.interval - (time.monotonic() - t)))

    def stop(self):
        self.halt.set()
        self.join(10)


def trickle(srv, first, drip, interval, limit_s, src=None):
    """Sends first, then one byte of drip every interval; returns (seconds until the server
    closed the connection or None if it never did within limit_s, answer bytes)."""
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=3, source_address=(src, 0) if src else None)
    t0 = time.monotonic()
    got = b""
    try:
        s.sendall(first)
        i = 0
        while time.monotonic() - t0 < limit_s:
            s.settimeout(interval)
            try:
                c = s.recv(4096)
                if not c:
                    return time.monotonic() - t0, got
                got += c
            except socket.timeout:
                pass
            except OSError:
                return time.monotonic() - t0, got
            try:
                s.send(drip[i % len(drip):i % len(drip) + 1])
            except OSError:
                return time.monotonic() - t0, got
            i += 1
        return None, got
    finally:
        s.close()


def silent_conn(srv, limit_s):
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=3, source_address=("127.0.0.5", 0))
    t0 = time.monotonic()
    try:
        data, closed = replay._read(s, t0 + limit_s)
        return (time.monotonic() - t0 if closed else None), data
    finally:
        s.close()


def idle_keepalive(srv, limit_s):
    s = open_idle(srv, src="127.0.0.4")
    t0 = time.monotonic()
    if s is None:
        return None, b"not accepted"
    try:
        data, closed = replay._read(s, time.monotonic() + limit_s)
        return (time.monotonic() - t0 if closed else None), data
    finally:
        s.close()


def slow_reader(srv, limit_s, n=120):
    """Asks for n copies of /openapi.yaml (more than the kernel buffers hold) and reads
    nothing; returns (seconds until the server gave up on the connection, or None; what happened)."""
    size = len(send(srv, "GET", "/openapi.yaml").body)
    total = n * size
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
    s.bind(("127.0.0.6", 0))
    s.settimeout(3)
    s.connect(("127.0.0.1", srv.port))
    t0 = time.monotonic()
    one = b"GET /openapi.yaml HTTP/1.1\r\nHost: x\r\n\r\n"
    try:
        try:
            s.sendall(one * n)
        except OSError:
            pass
        # read nothing for REQUEST_TIMEOUT + 2.5 s, then drain: a cut connection ends early
        time.sleep(5.5)
        got = 0
        s.settimeout(1.0)
        while time.monotonic() - t0 < limit_s:
            try:
                c = s.recv(1 << 20)
            except socket.timeout:
                return None, "still open after %d of %d bytes" % (got, total)
            except OSError as e:
                return time.monotonic() - t0, "reset after %d of %d bytes (%s)" % (got, total, e)
            if not c:
                t = time.monotonic() - t0
                if got >= total:  # the kernel took it all: nothing was slow for the server
                    return None, "all %d bytes were sent: the test did not hold the server" % total
                return t, "closed after %d of %d bytes" % (got, total)
            got += len(c)
        return None, "still sending after %.0f s: %d of %d bytes" % (limit_s, got, total)
    finally:
        s.close()


@pytest.fixture(scope="module")
def article(khabar):
    """One article on the default server, which the probe reads through the slow server."""
    return create(khabar.server, art("مقال العملاء البطيئين"))


@pytest.fixture(scope="module")
def slow_server(module_server):
    return module_server("slow", HEADER_TIMEOUT=2, REQUEST_TIMEOUT=3, MAX_HEADER_BYTES=8192)


def closed_after(t):
    return "closed after %s s" % (None if t is None else "%.2f" % t)


def test_slow_clients(khabar, article, slow_server):
    srv = slow_server
    a_id = article["id"]
    probe = Probe(srv, "/v1/articles/%d" % a_id)
    probe.start()
    head = (b"POST /v1/articles HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN_1.encode() +
            b"\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
    clients = {
        "headers": lambda: trickle(srv, b"GET /v1/articles/%d HTTP/1.1\r\nHost: x\r\nX-Slow: " % a_id, b"abcdefgh",
                                   0.5, 9),
        "body": lambda: trickle(srv, head, b"{\"title\": \"slow\"                  ", 0.5, 9),
        "silent": lambda: silent_conn(srv, 9),
        "idle": lambda: idle_keepalive(srv, 9),
        "read": lambda: slow_reader(srv, 9),
    }
    results = {}

    def run(k):
        results[k] = clients[k]()

    threads = [threading.Thread(target=run, args=(k,), daemon=True) for k in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    time.sleep(0.5)
    probe.stop()
    for k in ("headers", "silent", "idle", "body", "read"):
        t, info = results.get(k, (None, ""))
        log("slow %s: %s (%s)" % (k, "closed after %.2f s" % t if t is not None else "not closed",
                                  info if isinstance(info, str) else "%d bytes back" % len(info)))
    log("probe: %d ok, %d failed" % (probe.ok, len(probe.failed)))
    lo, hi = 1.5, 5.0 if khabar.sanitized else 4.0
    t, _ = results.get("headers", (None, b""))
    check(t is not None and lo <= t <= hi, "HEADER_TIMEOUT=2: a header trickled a byte every 0.5 s is cut off "
          "in %.1f-%.1f s" % (lo, hi), closed_after(t))
    t, _ = results.get("silent", (None, b""))
    check(t is not None and lo <= t <= hi, "HEADER_TIMEOUT=2: a connection that sends nothing is closed",
          closed_after(t))
    t, _ = results.get("idle", (None, b""))
    check(t is not None and lo <= t <= hi, "HEADER_TIMEOUT=2: an idle keep-alive connection is closed",
          closed_after(t))
    t, got = results.get("body", (None, b""))
    lo_b, hi_b = 2.5, 6.0 if khabar.sanitized else 5.0
    check(t is not None and lo_b <= t <= hi_b,
          "REQUEST_TIMEOUT=3: a body of 1000 bytes trickled a byte every 0.5 s is cut off in %.1f-%.1f s"
          % (lo_b, hi_b), "%s, got %r" % (closed_after(t), got[:80]))
    t, info = results.get("read", (None, ""))
    check(t is not None and t <= 9, "REQUEST_TIMEOUT=3: a client that does not read its answers is cut off",
          "%s; %s" % (None if t is None else "%.2f s" % t, info))
    check(probe.ok >= 10 and not probe.failed,
          "a probe on other connections kept getting 200s meanwhile (%d ok)" % probe.ok,
          "ok %d, failed %r" % (probe.ok, probe.failed[:5]))
