#!/usr/bin/env python3
"""replay.py: sends the malformed-HTTP corpus to a running khabar and judges what came back.

    python3 tests/security/replay.py --port 8080 [--host 127.0.0.1] [--only NAME,...]

Python 3 standard library only; also imported by tests/integration/test_limits.py.

For each file of tests/security/corpus/ (one raw request, bytes exact):
 1. a new connection; the file is sent as is;
 2. what the server sends back is read until it closes the connection, or shortly after a
    complete answer, or after a wait when it says nothing (it may be waiting for more);
 3. when the connection is still open, a normal "GET /healthz" (X-Request-Id: FOLLOWUP-...)
    follows on it;
 4. a fresh connection checks that the server still answers GET /healthz.

Verdict (a FAIL names which rule broke):
 - at most one answer to the malformed bytes, and none that carries X-Request-Id SMUGGLED-...
   (a request hidden inside another one was parsed: request smuggling);
 - after the follow-up, either the connection was closed, or exactly one answer came: a 200
   to the follow-up itself (its own X-Request-Id, body {"status":"ok"}); no answer at all on
   an open connection means the follow-up was swallowed as part of the previous request;
 - khabar's own answers (they carry X-Request-Id) are never 5xx;
 - the server still answers on a fresh connection.
Things worth knowing that break none of these are printed as "# note" lines: answers made by
libmicrohttpd itself (no X-Request-Id, HTML), bytes that do not parse as an answer, 2xx
answers to requests RFC 9112 says to reject.
"""
import argparse
import concurrent.futures
import os
import re
import socket
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")


def corpus_files(only=None):
    """[(name, bytes)] in file order; name is the file name without .http."""
    out = []
    for fname in sorted(os.listdir(CORPUS)):
        if not fname.endswith(".http"):
            continue
        name = fname[:-5]
        if only and not any(o in name for o in only):
            continue
        with open(os.path.join(CORPUS, fname), "rb") as f:
            out.append((name, f.read()))
    return out


# ---------------------------------------------------------------------------------------
# response parsing, tolerant: a list of answers plus whatever bytes did not parse

class Answer:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # lower-case name -> value (repeated ones joined by ", ")
        self.body = body

    def header(self, name):
        return self.headers.get(name.lower(), "")

    def __repr__(self):
        return "<%s rid=%s %r>" % (self.status, self.header("x-request-id") or "-", self.body[:60])


STATUS_LINE = re.compile(rb"^HTTP/\d\.\d (\d{3})(?: [^\r\n]*)?$")


def parse_answers(data, head=False):
    """(answers, leftover bytes, complete) from raw bytes holding zero or more answers.

    complete is False when the last answer is cut short (more bytes may come)."""
    answers = []
    rest = data
    while rest:
        end = rest.find(b"\r\n\r\n")
        if end < 0:
            return answers, rest, False
        lines = rest[:end].split(b"\r\n")
        m = STATUS_LINE.match(lines[0])
        if not m:
            return answers, rest, True
        status = int(m.group(1))
        headers = {}
        for line in lines[1:]:
            if b":" in line:
                k, v = line.split(b":", 1)
                k = k.decode("latin-1").strip().lower()
                v = v.decode("latin-1").strip()
                headers[k] = headers[k] + ", " + v if k in headers else v
        body_start = rest[end + 4:]
        if 100 <= status < 200 or status in (204, 304) or head:
            answers.append(Answer(status, headers, b""))
            rest = body_start
            continue
        if "chunked" in headers.get("transfer-encoding", "").lower():
            body, pos = bytearray(), 0
            while True:
                eol = body_start.find(b"\r\n", pos)
                if eol < 0:
                    return answers, rest, False
                try:
                    size = int(body_start[pos:eol].split(b";")[0].strip(), 16)
                except ValueError:
                    return answers, rest, True
                if size == 0:
                    tend = body_start.find(b"\r\n\r\n", eol - 2 if eol >= 2 else 0)
                    if tend < 0:
                        return answers, rest, False
                    pos = tend + 4
                    break
                if len(body_start) < eol + 2 + size + 2:
                    return answers, rest, False
                body += body_start[eol + 2:eol + 2 + size]
                pos = eol + 2 + size + 2
            answers.append(Answer(status, headers, bytes(body)))
            rest = body_start[pos:]
            continue
        if "content-length" in headers:
            try:
                n = int(headers["content-length"].split(",")[0])
            except ValueError:
                return answers, rest, True
            if len(body_start) < n:
                return answers, rest, False
            answers.append(Answer(status, headers, body_start[:n]))
            rest = body_start[n:]
            continue
        # no length: the body runs to the end of the connection
        answers.append(Answer(status, headers, body_start))
        rest = b""
    return answers, b"", True


# ---------------------------------------------------------------------------------------
# one connection

def _read(sock, deadline, settle=0.25):
    """Reads until EOF, or settle seconds after the bytes so far parse as complete answers,
    or deadline. Returns (bytes, closed)."""
    got = bytearray()
    quiet_until = None
    while True:
        now = time.monotonic()
        limit = deadline if quiet_until is None else min(deadline, quiet_until)
        if now >= limit:
            return bytes(got), False
        sock.settimeout(max(0.01, limit - now))
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            continue
        except OSError:  # reset: what came before still counts
            return bytes(got), True
        if not chunk:
            return bytes(got), True
        got += chunk
        answers, leftover, complete = parse_answers(bytes(got))
        if answers and complete and not leftover:
            quiet_until = time.monotonic() + settle
        else:
            quiet_until = None


def _send_all(sock, data, deadline):
    """Sends as much of data as the server takes; stops quietly when it closes or stops reading."""
    view = memoryview(data)
    while view:
        if time.monotonic() >= deadline:
            return False
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            n = sock.send(view[:65536])
        except (socket.timeout, OSError):
            return False
        view = view[n:]
    return True


def health(host, port, timeout=5.0):
    """Status of GET /healthz on a fresh connection, or a string saying why there was none."""
    try:
        s = socket.create_connection((host, port), timeout=timeout)
    except OSError as e:
        return "connect failed: %s" % e
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        data, _ = _read(s, time.monotonic() + timeout)
    except OSError as e:
        return "error: %s" % e
    finally:
        s.close()
    answers, _, _ = parse_answers(data)
    return answers[0].status if answers else "no answer"


class Result:
    def __init__(self, name):
        self.name = name
        self.problems = []   # rule violations: FAIL
        self.notes = []      # worth knowing, not a failure
        self.summary = ""

    @property
    def ok(self):
        return not self.problems


def replay_one(host, port, name, data, wait=2.0, follow_wait=4.0):
    """Sends one corpus item and judges the outcome; returns a Result."""
    res = Result(name)
    followup_id = "FOLLOWUP-" + re.sub(r"[^A-Za-z0-9.-]", "", name)[:50]
    try:
        sock = socket.create_connection((host, port), timeout=wait)
    except OSError as e:
        res.problems.append("cannot connect: %s" % e)
        return res
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        _send_all(sock, data, time.monotonic() + wait)
        first, closed = _read(sock, time.monotonic() + wait)
        second, closed2, sent_followup = b"", closed, False
        if not closed:
            followup = ("GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Request-Id: %s\r\n"
                        "Connection: close\r\n\r\n" % followup_id).encode()
            sent_followup = _send_all(sock, followup, time.monotonic() + wait)
            if sent_followup:
                second, closed2 = _read(sock, time.monotonic() + follow_wait)
            else:
                closed2 = True
    finally:
        sock.close()

    a1, left1, _ = parse_answers(first)
    a2, left2, _ = parse_answers(second)
    # interim answers (100 Continue) are not answers of their own
    a1 = [a for a in a1 if not 100 <= a.status < 200]
    a2 = [a for a in a2 if not 100 <= a.status < 200]
    statuses = [a.status for a in a1]
    res.summary = "answer %s%s" % (statuses or "none", ", closed" if closed else "")

    # rule 1: at most one answer to the malformed bytes, none to a hidden request
    if len(a1) > 1:
        res.problems.append("%d answers to one request: %r" % (len(a1), a1))
    for a in a1 + a2:
        if a.header("x-request-id").startswith("SMUGGLED"):
            res.problems.append("a smuggled request was answered: %r" % a)
    # rule 2: the follow-up gets exactly its own 200, or the connection is closed
    if sent_followup:
        if not a2 and not left2:
            if closed2:
                res.summary += "; follow-up: connection closed"
            else:
                res.problems.append("follow-up GET /healthz got no answer on an open connection "
                                    "(swallowed as part of the previous request)")
        else:
            ok2 = (len(a2) == 1 and a2[0].status == 200 and a2[0].header("x-request-id") == followup_id
                   and a2[0].body.strip() == b'{"status":"ok"}' and not left2)
            # a request line without proper line ends swallows the follow-up: refusing the
            # whole with 400 and closing the connection leaves nothing to desynchronize
            refused = (len(a2) == 1 and a2[0].status == 400 and closed2 and not left2
                       and a2[0].header("connection").lower() == "close")
            if ok2:
                res.summary += "; follow-up: 200"
            elif refused:
                res.summary += "; follow-up swallowed and refused (400), connection closed"
            else:
                res.problems.append("follow-up answered wrongly: %r, unparsed %r" % (a2, left2[:120]))
    # rule 3: khabar's own answers are never 5xx
    for a in a1:
        if a.header("x-request-id") and a.status >= 500:
            res.problems.append("khabar answered %d: %r" % (a.status, a.body[:200]))
    # rule 4: still alive
    h = health(host, port)
    if h != 200:
        # one more try: a sanitizer build may be slow after a big request
        time.sleep(0.5)
        h = health(host, port)
    if h != 200:
        res.problems.append("GET /healthz on a fresh connection afterwards: %s" % h)

    # notes
    for a in a1:
        if not a.header("x-request-id"):
            res.notes.append("answer %d made by libmicrohttpd (no X-Request-Id, %s)"
                             % (a.status, a.header("content-type") or "no Content-Type"))
        if 500 <= a.status and not a.header("x-request-id"):
            res.notes.append("libmicrohttpd answered %d to a client error: %r" % (a.status, a.body[:100]))
    if left1:
        res.notes.append("bytes after the answer that are not an answer: %r" % left1[:80])
    if not a1 and closed:
        res.notes.append("closed without an answer")
    return res


def replay_all(host, port, only=None, workers=6, wait=2.0, follow_wait=4.0):
    """Replays every corpus file (a few at a time); returns [Result] in file order."""
    items = corpus_files(only)
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        futs = [pool.submit(replay_one, host, port, name, data, wait, follow_wait) for name, data in items]
        return [f.result() for f in futs]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--only", help="comma-separated parts of corpus names")
    ap.add_argument("--workers", type=int, default=6)
    args = ap.parse_args()
    only = args.only.split(",") if args.only else None
    t0 = time.monotonic()
    results = replay_all(args.host, args.port, only, args.workers)
    passed = failed = 0
    for r in results:
        if r.ok:
            passed += 1
            print("ok - malformed %s (%s)" % (r.name, r.summary))
        else:
            failed += 1
            print("FAIL - malformed %s: %s (%s)" % (r.name, "; ".join(r.problems), r.summary))
        for n in r.notes:
            print("# note: %s: %s" % (r.name, n))
    print("# replayed %d files in %.1f s" % (len(results), time.monotonic() - t0))
    print("# %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
