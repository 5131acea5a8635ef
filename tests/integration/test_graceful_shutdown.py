"""test_graceful_shutdown.py: SIGTERM with requests in flight: the listener stops, /readyz says 503, every request completes; SHUTDOWN_TIMEOUT bounds the wait."""
import json
import os
import signal
import socket
import subprocess
import threading
import time

from harness import TOKEN_1, art, check, psql
from http_client import half_request, read_response


def test_graceful_shutdown(khabar):
    """SIGTERM during slow requests: the listener stops, /readyz says 503, every request in flight completes."""
    srv = khabar.start_server(extra={"SHUTDOWN_TIMEOUT": "10"}, name="graceful")
    n = 16
    bodies = [json.dumps(art("إيقاف هادئ %d" % i), ensure_ascii=False).encode() for i in range(n)]
    slow = [half_request(srv.port, b, TOKEN_1) for b in bodies]
    keep = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    keep.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    first, err = read_response(keep)
    check(first is not None and first.status == 200, "a kept-alive connection answered before SIGTERM", err)
    time.sleep(0.3)
    t0 = time.monotonic()
    srv.proc.send_signal(signal.SIGTERM)
    time.sleep(0.4)
    refused = False
    try:
        socket.create_connection(("127.0.0.1", srv.port), timeout=2).close()
    except ConnectionRefusedError:
        refused = True
    except OSError:
        refused = False
    check(refused, "after SIGTERM a new connection is refused (the listener has stopped)", "")
    keep.sendall(b"GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n")
    r, err = read_response(keep)
    check(r is not None and r.status == 503, "after SIGTERM /readyz answers 503", err or r.brief())
    check(r is not None and r.header("connection").lower() == "close",
          "the kept-alive connection's answer carries Connection: close", r.headers if r else err)
    keep.close()
    completed, reset, closes = 0, [], 0
    for s, rest in slow:
        try:
            s.sendall(rest)
        except OSError as e:
            reset.append(repr(e))
            continue
        resp, err = read_response(s)
        s.close()
        if resp is not None and resp.status == 201:
            completed += 1
            closes += resp.header("connection").lower() == "close"
        else:
            reset.append(err or resp.brief())
    check(completed == n and not reset,
          "SIGTERM during %d slow requests: all completed, none reset (%d completed)" % (n, completed), reset[:3])
    check(closes == n, "answers given while stopping carry Connection: close", closes)
    try:
        srv.proc.wait(15)
    except subprocess.TimeoutExpired:
        pass
    status = srv.proc.poll()
    check(status == 0, "the server exits 0 after finishing them (%.1f s after SIGTERM)" % (time.monotonic() - t0),
          status)
    stored = psql(khabar.pg.url, "SELECT count(*) FROM articles WHERE title LIKE 'إيقاف هادئ %'")
    check(stored == str(n), "all %d articles written during shutdown are stored" % n, stored)



def test_shutdown_timeout(khabar):
    """A request that never completes is waited for only SHUTDOWN_TIMEOUT."""
    srv = khabar.start_server(extra={"SHUTDOWN_TIMEOUT": "2"}, name="graceful-bounded")
    s, _ = half_request(srv.port, json.dumps(art("عالق")).encode(), TOKEN_1)
    time.sleep(0.3)
    t0 = time.monotonic()
    srv.proc.send_signal(signal.SIGTERM)
    try:
        srv.proc.wait(10)
    except subprocess.TimeoutExpired:
        pass
    took = time.monotonic() - t0
    s.close()
    check(srv.proc.poll() == 0 and 1.5 <= took <= 5.0,
          "a request stuck in flight delays the exit by SHUTDOWN_TIMEOUT=2 only (%.1f s, exit 0)" % took,
          srv.proc.poll())


FAULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "faults")


def churn(port, stop):
    """New connections, one request each, until stop is set: the worker threads stay busy."""
    while not stop.is_set():
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=2)
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            s.recv(4096)
            s.close()
        except OSError:
            time.sleep(0.005)


def test_stop_while_workers_are_busy(khabar):
    """SIGTERM while new connections keep arriving, with the main thread's epoll removals slowed
    down (a preloaded fault) so that a worker thread runs while stopping begins: the server still
    stops accepting, finishes and exits 0, never aborting inside the HTTP library."""
    shim = os.path.join(khabar.workdir, "slow_epoll_del.so")
    r = subprocess.run(["cc", "-shared", "-fPIC", "-O1", "-o", shim, os.path.join(FAULTS, "slow_epoll_del.c"), "-ldl"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    check(r.returncode == 0, "the fault library builds", r.stdout)
    asan = os.environ.get("ASAN_OPTIONS", "")
    srv = khabar.start_server(extra={"LD_PRELOAD": shim, "THREADS": "2",
                                     "ASAN_OPTIONS": (asan + ":" if asan else "") + "verify_asan_link_order=0"},
                              name="stop-while-busy")
    stop = threading.Event()
    clients = [threading.Thread(target=churn, args=(srv.port, stop), daemon=True) for _ in range(4)]
    for t in clients:
        t.start()
    time.sleep(0.5)
    status, _ = srv.stop(15)
    stop.set()
    for t in clients:
        t.join(5)
    check(status == 0 and "Fatal error" not in srv.log_text(),
          "stopping while the worker threads are busy exits 0", "status %s; %s" % (status, srv.log_tail(5)))
