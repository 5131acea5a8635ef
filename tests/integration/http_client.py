"""http_client.py: HTTP for the black-box tests: requests over http.client and raw sockets, response parsing, problem+json answers.

Python 3 standard library only; harness.py binds these to its servers (Server.request, raw, ...).
"""
import http.client
import json
import select
import socket
import time
import urllib.parse


class Response:
    """status, headers (lower-case names; repeated headers joined by ", "), body bytes, json (or None).

    Unpacks as the 4-tuple (status, headers, body, json). raw is the whole response as received
    (raw socket requests only).
    """

    def __init__(self, status, headers, body, raw=None):
        self.status = status
        self.headers = headers
        self.body = body
        self.raw = raw
        self.json = None
        if body:
            try:
                self.json = json.loads(body.decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                self.json = None

    def __iter__(self):
        return iter((self.status, self.headers, self.body, self.json))

    def header(self, name, default=""):
        return self.headers.get(name.lower(), default)

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def brief(self, n=400):
        """A short description for failure messages."""
        body = self.text
        if len(body) > n:
            body = body[:n] + "..."
        return "status %s, body %r" % (self.status, body)


def _join_headers(pairs):
    out = {}
    for k, v in pairs:
        k = k.lower()
        out[k] = out[k] + ", " + v if k in out else v
    return out


def parse_response(data, head=False):
    """Parses raw HTTP/1.1 response bytes (skipping 1xx answers) into a Response.

    For chunked answers the body is de-chunked; otherwise it is every byte after the header
    block (so extra bytes after a 204/304/HEAD answer show up as a non-empty body).
    """
    if not data:
        raise ConnectionError("no response bytes (the server closed the connection without answering)")
    rest = data
    while True:
        end = rest.find(b"\r\n\r\n")
        if end < 0:
            raise ConnectionError("incomplete response header: %r" % rest[:300])
        head_block, rest_body = rest[:end], rest[end + 4:]
        lines = head_block.split(b"\r\n")
        parts = lines[0].split(b" ", 2)
        status = int(parts[1])
        pairs = []
        for line in lines[1:]:
            if b":" in line:
                k, v = line.split(b":", 1)
                pairs.append((k.decode("latin-1").strip(), v.decode("latin-1").strip()))
        if 100 <= status < 200 and status != 101:
            rest = rest_body
            continue
        break
    headers = _join_headers(pairs)
    body = rest_body
    if "chunked" in headers.get("transfer-encoding", "").lower() and not head and status not in (204, 304):
        body = _dechunk(rest_body)
    return Response(status, headers, body, raw=data)


def _dechunk(data):
    out = bytearray()
    pos = 0
    while True:
        eol = data.find(b"\r\n", pos)
        if eol < 0:
            break
        size = int(data[pos:eol].split(b";")[0].strip() or b"0", 16)
        if size == 0:
            break
        out += data[eol + 2:eol + 2 + size]
        pos = eol + 2 + size + 2
    return bytes(out)


def response_complete(data, head):
    """True when data holds a whole response (used to stop waiting when a server keeps the connection)."""
    end = data.find(b"\r\n\r\n")
    while end >= 0:
        try:
            status = int(data[:end].split(b"\r\n")[0].split(b" ")[1])
        except (IndexError, ValueError):
            return False
        if 100 <= status < 200 and status != 101:
            data = data[end + 4:]
            end = data.find(b"\r\n\r\n")
            continue
        headers = _join_headers(
            (k.decode("latin-1").strip(), v.decode("latin-1").strip())
            for k, v in (line.split(b":", 1) for line in data[:end].split(b"\r\n")[1:] if b":" in line))
        body = data[end + 4:]
        if head or status in (204, 304):
            return True
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return body.startswith(b"0\r\n") or b"\r\n0\r\n" in body
        if "content-length" in headers:
            try:
                return len(body) >= int(headers["content-length"].split(",")[0])
            except ValueError:
                return False
        return False
    return False


def http_request(port, method, path, body=None, headers=None, token=None, encoded=False, timeout=15.0,
                 src=None, safe="/?&="):
    """One request over http.client to 127.0.0.1:port on a new connection; returns a Response.

    body: bytes or str (sent as is) or any JSON-able object (serialized as UTF-8 JSON and,
    unless headers name a Content-Type, sent with Content-Type: application/json).
    path: raw Arabic allowed; it is percent-encoded with quote(path, safe) unless encoded=True
    (then sent as given). token: adds Authorization: Bearer token. src: the client's own
    address (another loopback address such as 127.0.0.2 makes another client).
    """
    hdrs = dict(headers or {})
    has_ct = any(k.lower() == "content-type" for k in hdrs)
    if body is None:
        data = None
    elif isinstance(body, bytes):
        data = body
    elif isinstance(body, str):
        data = body.encode("utf-8")
    else:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        if not has_ct:
            hdrs["Content-Type"] = "application/json"
    if token is not None:
        hdrs["Authorization"] = "Bearer " + token
    target = path if encoded else urllib.parse.quote(path, safe=safe)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout,
                                      source_address=(src, 0) if src else None)
    try:
        conn.request(method, target, body=data, headers=hdrs)
        resp = conn.getresponse()
        rbody = resp.read()
        return Response(resp.status, _join_headers(resp.getheaders()), rbody)
    finally:
        conn.close()


def exchange(port, data, timeout=15.0, head=False):
    """Sends data over a plain socket to 127.0.0.1:port and returns every response byte received.

    Sending and receiving are interleaved, so an early answer (413 before the body is read)
    is received even if the server then stops reading or resets the connection. Reading
    ends at EOF, or shortly after a complete response if the server keeps the connection.
    """
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.setblocking(False)
    out = memoryview(data)
    got = bytearray()
    deadline = time.monotonic() + timeout
    sending = len(out) > 0
    try:
        while True:
            now = time.monotonic()
            if now >= deadline:
                break
            wlist = [s] if sending else []
            r, w, _ = select.select([s], wlist, [], deadline - now)
            if r:
                try:
                    chunk = s.recv(65536)
                except BlockingIOError:
                    chunk = None
                except OSError:  # reset after the answer: keep what arrived
                    break
                if chunk is not None:
                    if not chunk:
                        break
                    got += chunk
                    sending = False  # the server answered: a client stops sending
                    if response_complete(bytes(got), head):
                        deadline = min(deadline, time.monotonic() + 0.5)
            if w and sending:
                try:
                    n = s.send(out[:65536])
                    out = out[n:]
                    if len(out) == 0:
                        sending = False
                except BlockingIOError:
                    pass
                except OSError:
                    sending = False
    finally:
        s.close()
    return bytes(got)


def build_request(port, method, target, headers=None, body=None, chunked=False, chunk_size=4096):
    """The bytes of an HTTP/1.1 request built by hand (target sent byte for byte: str targets as
    raw UTF-8), with Host and Connection: close; the body framed by Content-Length or chunked."""
    if isinstance(target, str):
        target = target.encode("utf-8")
    lines = [method.encode("ascii") + b" " + target + b" HTTP/1.1",
             b"Host: 127.0.0.1:%d" % port]
    items = headers.items() if isinstance(headers, dict) else (headers or [])
    for k, v in items:
        if isinstance(v, str):
            v = v.encode("utf-8")
        lines.append(k.encode("ascii") + b": " + v)
    payload = b""
    if body is not None:
        if isinstance(body, str):
            body = body.encode("utf-8")
        if chunked:
            lines.append(b"Transfer-Encoding: chunked")
            parts = []
            for i in range(0, len(body), chunk_size):
                piece = body[i:i + chunk_size]
                parts.append(b"%x\r\n" % len(piece) + piece + b"\r\n")
            parts.append(b"0\r\n\r\n")
            payload = b"".join(parts)
        else:
            lines.append(b"Content-Length: %d" % len(body))
            payload = body
    lines.append(b"Connection: close")
    return b"\r\n".join(lines) + b"\r\n\r\n" + payload


# Internal text that must never be in an error answer.
SQL_MARKERS = ("SELECT", "INSERT", "ERROR:", "pq")


def problem_basics(r):
    """What is wrong with r as an application/problem+json answer: the media type, a type and a
    status equal to the HTTP one, Cache-Control: no-store, an X-Request-Id (empty list when fine)."""
    issues = []
    if not r.header("content-type").startswith("application/problem+json"):
        issues.append("Content-Type %r" % r.header("content-type"))
    if not isinstance(r.json, dict) or r.json.get("status") != r.status or not r.json.get("type"):
        issues.append("body %r" % r.body[:200])
    if "no-store" not in r.header("cache-control"):
        issues.append("Cache-Control %r" % r.header("cache-control"))
    if not r.header("x-request-id"):
        issues.append("no X-Request-Id")
    return issues


def problem_issues(r):
    """problem_basics, and every RFC 9457 member, errors[] as {field, message}, no internal text,
    Arabic not escaped (empty list when fine)."""
    issues = problem_basics(r)
    js = r.json
    if isinstance(js, dict):
        for k in ("type", "title", "status", "detail"):
            if k not in js:
                issues.append("no %r" % k)
        if "type" in js and not isinstance(js["type"], str):
            issues.append("type not a string")
        if "errors" in js:
            errs = js["errors"]
            if not isinstance(errs, list) or not all(
                    isinstance(e, dict) and isinstance(e.get("field"), str) and isinstance(e.get("message"), str)
                    and e.get("message") for e in errs):
                issues.append("errors[] items must be {field, message}: %r" % (errs,))
    text = r.text
    for marker in SQL_MARKERS:
        if marker in text:
            issues.append("internal text %r in body" % marker)
    if "\\u06" in text:
        issues.append("Arabic escaped as \\u06..")
    return issues


def problem_type(r):
    """The type of r when it is an application/problem+json answer, else None."""
    if not r.header("content-type").startswith("application/problem+json") or not isinstance(r.json, dict):
        return None
    return r.json.get("type")


def half_request(port, body, token):
    """A socket that has sent a POST of an article's headers and half its body: a request in flight."""
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    head = ("POST /v1/articles HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            "Authorization: Bearer %s\r\nContent-Length: %d\r\n\r\n" % (token, len(body))).encode()
    half = len(body) // 2
    s.sendall(head + body[:half])
    return s, body[half:]


def read_response(s, timeout=20):
    """The response read from socket s: (Response, None), or (None, what went wrong)."""
    s.settimeout(timeout)
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
            if response_complete(data, False):
                break
    except OSError as e:
        return None, repr(e)
    try:
        return parse_response(data), None
    except Exception as e:  # noqa: BLE001 - reported as the outcome
        return None, "unparsable %r: %r" % (data[:120], e)
