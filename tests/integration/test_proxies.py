"""test_proxies.py: who the client is: TRUSTED_PROXIES and the one header TRUSTED_PROXY_HEADER names
(X-Forwarded-For or Forwarded, never both) in the access log, forwarded addresses against the
per-client rate limit, and IPv6 clients counted per IPV6_CLIENT_PREFIX network."""
import pytest

from harness import check, log_entry, send


def client_of(srv, request_id, headers, src=None):
    """The client address srv's access log gives to one GET /healthz sent with headers, its log
    line, and the answer."""
    r = send(srv, "GET", "/healthz", headers=dict(headers, **{"X-Request-Id": request_id}), src=src)
    e = log_entry(srv, request_id)
    return (e.get("client") if e is not None else None), e, r


@pytest.fixture(scope="module")
def proxy_server(module_server):
    """Behind a proxy that writes X-Forwarded-For (TRUSTED_PROXY_HEADER's default)."""
    return module_server("proxy", TRUSTED_PROXIES="127.0.0.1/32", RATE_LIMIT=1, RATE_BURST=5, LOG_FORMAT="json")


@pytest.fixture(scope="module")
def forwarded_server(module_server):
    """Behind a proxy that writes Forwarded (RFC 7239)."""
    return module_server("proxy-forwarded", TRUSTED_PROXIES="127.0.0.1/32", TRUSTED_PROXY_HEADER="Forwarded",
                         RATE_LIMIT=1, RATE_BURST=5, LOG_FORMAT="json")


def raw_client_of(srv, request_id, header_lines):
    """The client srv's access log gives to a GET /healthz sent over a plain socket with exactly
    header_lines (bytes, each ending in CRLF), and its log line."""
    srv.raw_request(b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + header_lines +
                    b"X-Request-Id: " + request_id.encode() + b"\r\nConnection: close\r\n\r\n")
    e = log_entry(srv, request_id)
    return (e.get("client") if e is not None else None), e


def statuses(srv, n, headers_of):
    """The statuses of n GETs to srv, request i sent with headers_of(i)."""
    return [send(srv, "GET", "/v1/articles?limit=1", headers=headers_of(i)).status for i in range(n)]


def test_trusted_proxy_access_log_fields(proxy_server):
    """The address a trusted proxy forwards for is the client."""
    got, e, _ = client_of(proxy_server, "xff-1", {"X-Forwarded-For": "203.0.113.7"})
    check(got == "203.0.113.7", "trusted proxy: X-Forwarded-For 203.0.113.7 is the client in the access log", e)
    for k in ("time", "request_id", "client", "method", "path", "status", "bytes", "duration_ms"):
        check(e is not None and k in e, "access log line has %s" % k, e)


@pytest.mark.parametrize("rid,headers,client,name", [
    ("xff-2", {"X-Forwarded-For": "1.2.3.4, 203.0.113.7"}, "203.0.113.7",
     "trusted proxy: chain '1.2.3.4, 203.0.113.7' -> the right-most untrusted 203.0.113.7"),
    ("xff-3", {"X-Forwarded-For": "198.51.100.9, 127.0.0.1"}, "198.51.100.9",
     "trusted proxy: trusted hops at the right are skipped"),
    ("xff-v6", {"X-Forwarded-For": "2001:db8::1"}, "2001:db8::1",
     "trusted proxy: an IPv6 client, logged as its whole address"),
    ("xff-bad", {"X-Forwarded-For": "not-an-address"}, "127.0.0.1",
     "trusted proxy: a malformed X-Forwarded-For is ignored (the peer is the client)"),
    # what a client puts to the left of what the proxy appends must not choose its address
    ("xff-long", {"X-Forwarded-For": ", ".join("192.0.2.%d" % i for i in range(1, 41)) + ", 203.0.113.77"},
     "203.0.113.77", "trusted proxy: 40 spoofed entries before the proxy's own do not hide the client"),
    ("xff-garbage-left", {"X-Forwarded-For": "garbage, 203.0.113.78"}, "203.0.113.78",
     "trusted proxy: a malformed entry left of the client's does not hide the client")])
def test_trusted_proxy_client_address(proxy_server, rid, headers, client, name):
    got, e, r = client_of(proxy_server, rid, headers)
    check(r.status == 200 and got == client, name, (r.status, e))


@pytest.mark.parametrize("rid,headers,client,name", [
    ("fwd-1", {"Forwarded": 'for="[2001:db8::1]"'}, "2001:db8::1",
     'TRUSTED_PROXY_HEADER=Forwarded: for="[2001:db8::1]" -> 2001:db8::1'),
    ("fwd-2", {"Forwarded": "for=192.0.2.60;proto=http;by=203.0.113.43"}, "192.0.2.60",
     "TRUSTED_PROXY_HEADER=Forwarded: for=192.0.2.60;proto=..."),
    ("fwd-3", {"Forwarded": 'for="[2001:db8:cafe::17]:4711"'}, "2001:db8:cafe::17",
     "TRUSTED_PROXY_HEADER=Forwarded: IPv6 with a port"),
    ("fwd-chain", {"Forwarded": "for=6.6.6.6, for=203.0.113.70, for=127.0.0.1"}, "203.0.113.70",
     "TRUSTED_PROXY_HEADER=Forwarded: right to left, trusted hops skipped, the client's own left part unread"),
    ("fwd-unknown", {"Forwarded": "for=unknown, for=203.0.113.79"}, "203.0.113.79",
     "TRUSTED_PROXY_HEADER=Forwarded: 'for=unknown, for=203.0.113.79' (RFC 7239 'unknown') -> 203.0.113.79")])
def test_trusted_proxy_forwarded_client_address(forwarded_server, rid, headers, client, name):
    got, e, r = client_of(forwarded_server, rid, headers)
    check(r.status == 200 and got == client, name, (r.status, e))


def test_only_the_configured_header_is_read(proxy_server, forwarded_server):
    """A client sends the header the proxy does not write; the proxy passes it on untouched."""
    got, e = raw_client_of(proxy_server, "other-1", b"Forwarded: for=6.6.6.6\r\nX-Forwarded-For: 203.0.113.60\r\n")
    check(got == "203.0.113.60", "default (X-Forwarded-For): a forged Forwarded beside it is not read", e)
    got, e = raw_client_of(proxy_server, "other-2", b"Forwarded: for=6.6.6.6\r\n")
    check(got == "127.0.0.1", "default (X-Forwarded-For): a forged Forwarded alone is not read: the peer", e)
    got, e = raw_client_of(forwarded_server, "other-3",
                           b"X-Forwarded-For: 6.6.6.6\r\nForwarded: for=203.0.113.61\r\n")
    check(got == "203.0.113.61", "TRUSTED_PROXY_HEADER=Forwarded: a forged X-Forwarded-For beside it is not read", e)
    got, e = raw_client_of(forwarded_server, "other-4", b"X-Forwarded-For: 6.6.6.6\r\n")
    check(got == "127.0.0.1", "TRUSTED_PROXY_HEADER=Forwarded: a forged X-Forwarded-For alone is not read: the peer", e)


@pytest.mark.parametrize("kind", ["X-Forwarded-For", "Forwarded"])
def test_other_header_neither_escapes_nor_drains_a_bucket(proxy_server, forwarded_server, kind):
    """The real client's address is in the configured header; the forged one rotates or names a victim."""
    srv, other = (proxy_server, "Forwarded") if kind == "X-Forwarded-For" else (forwarded_server, "X-Forwarded-For")

    def real(addr):
        return addr if kind == "X-Forwarded-For" else "for=" + addr

    def forged(addr):
        return addr if other == "X-Forwarded-For" else "for=" + addr
    st = statuses(srv, 7, lambda i: {kind: real("203.0.113.91"), other: forged("192.0.2.%d" % (i + 1))})
    check(st[:5] == [200] * 5 and 429 in st[5:],
          "%s trusted: a rotating forged %s does not escape the client's bucket" % (kind, other), st)
    st = statuses(srv, 7, lambda i: {kind: real("203.0.113.93"), other: forged("203.0.113.92")})
    check(st[:5] == [200] * 5 and 429 in st[5:],
          "%s trusted: a client naming a victim in %s spends its own bucket" % (kind, other), st)
    st = statuses(srv, 5, lambda i: {kind: real("203.0.113.92")})
    check(st == [200] * 5, "%s trusted: the victim's bucket is untouched: its 5 requests pass" % kind, st)


def test_trusted_proxy_two_forwarded_lines(proxy_server):
    """A proxy that adds its own X-Forwarded-For line (HAProxy's option forwardfor does)."""
    proxy_server.raw_request(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 6.6.6.6\r\n"
                             b"X-Forwarded-For: 203.0.113.80\r\nX-Request-Id: xff-two-lines\r\nConnection: close\r\n\r\n")
    e = log_entry(proxy_server, "xff-two-lines")
    check(e is not None and e.get("client") == "203.0.113.80",
          "trusted proxy: two X-Forwarded-For lines are one list: the last line's address is the client", e)


def test_untrusted_peer_cannot_choose_its_address(proxy_server):
    got, e, _ = client_of(proxy_server, "untrusted-1", {"X-Forwarded-For": "203.0.113.99"}, src="127.0.0.2")
    check(got == "127.0.0.2", "untrusted peer: X-Forwarded-For ignored, the peer is the client", e)
    got, e, _ = client_of(proxy_server, "untrusted-2", {"Forwarded": "for=203.0.113.98"}, src="127.0.0.2")
    check(got == "127.0.0.2", "untrusted peer: Forwarded ignored", e)


def test_trusted_proxy_rate_limit(proxy_server):
    srv = proxy_server
    # rotating the spoofed part must not escape the client's limit
    st = [send(srv, "GET", "/v1/articles?limit=1",
               headers={"X-Forwarded-For": ", ".join("192.0.2.%d" % (i * 40 + j) for j in range(1, 40)) +
                        ", 203.0.113.90"}).status for i in range(7)]
    check(st[:5] == [200] * 5 and 429 in st[5:],
          "trusted proxy: rotating 39 spoofed entries does not escape the real client's limit", st)
    # each forwarded client has its own bucket
    sa = [send(srv, "GET", "/v1/articles?limit=1", headers={"X-Forwarded-For": "203.0.113.10"}).status
          for _ in range(7)]
    check(sa[:5] == [200] * 5 and 429 in sa[5:], "forwarded client A: 5 requests pass, then 429", sa)
    sb = [send(srv, "GET", "/v1/articles?limit=1", headers={"X-Forwarded-For": "203.0.113.11"}).status
          for _ in range(5)]
    check(sb == [200] * 5, "forwarded client B: its own 5, untouched by A", sb)
    r = send(srv, "GET", "/v1/articles?limit=1", headers={"X-Forwarded-For": "1.2.3.4, 203.0.113.10"})
    check(r.status == 429, "a spoofed left part of the chain does not give A a new bucket", r.brief())
    r = send(srv, "GET", "/v1/articles?limit=1", headers={"X-Forwarded-For": "203.0.113.12"})
    check(r.status == 200, "forwarded client C still served", r.brief())
    # the untrusted peer is limited by its own address, whatever it forwards
    su = [send(srv, "GET", "/v1/articles?limit=1", src="127.0.0.2",
               headers={"X-Forwarded-For": "203.0.113.%d" % (100 + i)}).status for i in range(7)]
    check(su[:5] == [200] * 5 and su[5:] == [429, 429],
          "untrusted peer: changing X-Forwarded-For does not escape the limit", su)


def test_no_trusted_proxies(start_server):
    srv = start_server("no-proxy", RATE_LIMIT=1, RATE_BURST=5, LOG_FORMAT="json")
    got, e, _ = client_of(srv, "np-1", {"X-Forwarded-For": "203.0.113.7"})
    check(got == "127.0.0.1", "without TRUSTED_PROXIES: X-Forwarded-For ignored (client 127.0.0.1)", e)
    got, e, _ = client_of(srv, "np-2", {"Forwarded": 'for="[2001:db8::1]"'})
    check(got == "127.0.0.1", "without TRUSTED_PROXIES: Forwarded ignored", e)
    st = [send(srv, "GET", "/v1/articles?limit=1",
               headers={"X-Forwarded-For": "198.51.100.%d" % i, "Forwarded": "for=192.0.2.%d" % i}).status
          for i in range(7)]
    check(st[:5] == [200] * 5 and st[5:] == [429, 429],
          "without TRUSTED_PROXIES: spoofed forwarding headers do not escape the rate limit", st)


def test_ipv6_clients_per_network(proxy_server, start_server):
    """One holder of a /64 has 2^64 addresses: by default they are one client."""
    st = statuses(proxy_server, 7, lambda i: {"X-Forwarded-For": "2001:db8:1:2::%x" % (i + 1)})
    check(st[:5] == [200] * 5 and 429 in st[5:],
          "IPV6_CLIENT_PREFIX=64: seven addresses of one /64 share one bucket: 5 pass, then 429", st)
    st = statuses(proxy_server, 5, lambda i: {"X-Forwarded-For": "2001:db8:1:3::%x" % (i + 1)})
    check(st == [200] * 5, "IPV6_CLIENT_PREFIX=64: the next /64 has its own bucket", st)
    got, e, _ = client_of(proxy_server, "v6-log", {"X-Forwarded-For": "2001:db8:1:4::abcd"})
    check(got == "2001:db8:1:4::abcd", "the access log keeps the whole address", e)
    srv = start_server("prefix-48", TRUSTED_PROXIES="127.0.0.1/32", IPV6_CLIENT_PREFIX=48, RATE_LIMIT=1, RATE_BURST=5)
    st = statuses(srv, 7, lambda i: {"X-Forwarded-For": "2001:db8:1:%x::1" % (i + 1)})
    check(st[:5] == [200] * 5 and 429 in st[5:], "IPV6_CLIENT_PREFIX=48: seven /64s of one /48 share one bucket", st)
    srv = start_server("prefix-128", TRUSTED_PROXIES="127.0.0.1/32", IPV6_CLIENT_PREFIX=128, RATE_LIMIT=1,
                       RATE_BURST=5)
    st = statuses(srv, 7, lambda i: {"X-Forwarded-For": "2001:db8:1:2::%x" % (i + 1)})
    check(st == [200] * 7, "IPV6_CLIENT_PREFIX=128: each address its own bucket", st)
