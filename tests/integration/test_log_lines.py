"""test_log_lines.py: every log line stays one line whatever a client sends (methods, paths, request ids, headers with control characters or bytes that are not UTF-8), in both LOG_FORMATs; every such request is answered and logged."""
import json

import pytest

from harness import check, raw_parse, wait_until
from http_client import problem_issues

# Request lines a client may send; each is answered (by khabar, or by libmicrohttpd for the
# request line it cannot hold) and none may forge or break a log line.
HOSTILE_LINES = [
    b"G\x1bET /v1/tags HTTP/1.1",
    b"GET\x1b[2J\x1b[H /v1/tags HTTP/1.1",
    b"GE\rT /v1/tags HTTP/1.1",
    b"G\x7fT /v1/tags HTTP/1.1",
    b"\x80\xff\xfe /v1/tags HTTP/1.1",
    b"G\xc3\xa9T /v1/tags HTTP/1.1",
    b"\xe2\x80\xa8 /v1/tags HTTP/1.1",
    b"A" * 5000 + b" /v1/tags HTTP/1.1",
    b"A" * 40000 + b" /v1/tags HTTP/1.1",
    b"FOO /v1/tags HTTP/1.1",
    b"GET /v1/tags/%1b[31mred%0d%0aforged HTTP/1.1",
    b"GET /v1/tags/%ff%fe%c0%af HTTP/1.1",
    b"GET /v1/tags/\xff\xfe HTTP/1.1",
    b"GET /v1/tags/a%20b%5cx1b HTTP/1.1",
    b"GET /v1/articles?q=%1b%ff HTTP/1.1",
]
HOSTILE_HEADERS = (b"Host: x\r\nX-Request-Id: id\x1b[31m\xff\r\nUser-Agent: agent\x1b]0;title\x07\xff\r\n"
                   b"Referer: \x1b[2J\r\nConnection: close\r\n\r\n")


@pytest.fixture(scope="module", params=["json", "text"])
def log_server(request, module_server):
    return module_server("log-" + request.param, LOG_FORMAT=request.param), request.param


def log_lines(srv):
    """The server's log as raw lines (bytes), the last one complete."""
    with open(srv.log_path, "rb") as f:
        return f.read().split(b"\n")[:-1]


def logged(srv, fmt, request_id):
    """The access-log line (bytes) of request_id, or None."""
    for ln in log_lines(srv):
        if fmt == "json":
            try:
                if json.loads(ln.decode("utf-8")).get("request_id") == request_id:
                    return ln
            except ValueError:
                continue
        elif ln.endswith(b" " + request_id.encode()):
            return ln
    return None


def test_hostile_requests_answered_and_logged(log_server):
    srv, fmt = log_server
    for line in HOSTILE_LINES:
        what = repr(line[:40])
        try:
            r = raw_parse(srv, line + b"\r\n" + HOSTILE_HEADERS, timeout=5)
        except ConnectionError as e:
            check(False, "%s: answered" % what, str(e))
            continue
        check(400 <= r.status < 500, "%s: answered with a 4xx" % what, r.brief(200))
        rid = r.header("x-request-id")
        if not rid:  # libmicrohttpd's own answer to a request line it cannot hold
            check(r.status in (400, 414, 431), "%s: only libmicrohttpd's 400/414/431 come without an id" % what,
                  r.brief(200))
            continue
        check(not problem_issues(r), "%s: khabar's answer is problem+json" % what, "; ".join(problem_issues(r)))
        check("\x1b" not in rid and "\xff" not in rid, "%s: a hostile X-Request-Id is not taken" % what, rid)
        check(wait_until(lambda: logged(srv, fmt, rid) is not None, 3.0), "%s: logged (LOG_FORMAT=%s)" % (what, fmt),
              srv.log_tail(3))
        ln = logged(srv, fmt, rid)
        if fmt == "text" and ln is not None:
            check(len(ln.split(b" ")) == 8, "%s: the text line has its 8 fields" % what, ln[:300])


def test_every_log_line_clean(log_server):
    """After the hostile requests (this test runs after them): each line is one line of UTF-8 with no raw
    control byte, and in LOG_FORMAT=json each parses as a JSON object."""
    srv, fmt = log_server
    lines = log_lines(srv)
    check(len(lines) >= 10, "the log has lines", len(lines))
    bad_bytes, bad_utf8, bad_json = [], [], []
    for ln in lines:
        if any(b < 0x20 or b == 0x7f for b in ln):
            bad_bytes.append(ln[:200])
        try:
            text = ln.decode("utf-8")
        except UnicodeDecodeError:
            bad_utf8.append(ln[:200])
            continue
        if "\u2028" in text or "\u2029" in text or any(0x80 <= ord(c) <= 0x9f for c in text):
            bad_bytes.append(ln[:200])
        if fmt == "json":
            try:
                if not isinstance(json.loads(text), dict):
                    bad_json.append(ln[:200])
            except ValueError:
                bad_json.append(ln[:200])
    check(not bad_bytes, "LOG_FORMAT=%s: no raw control character in any line" % fmt, bad_bytes[:3])
    check(not bad_utf8, "LOG_FORMAT=%s: every line is UTF-8" % fmt, bad_utf8[:3])
    if fmt == "json":
        check(not bad_json, "LOG_FORMAT=json: every line is a JSON object", bad_json[:3])
    check(srv.alive(), "the server is still running", srv.log_tail(5))
