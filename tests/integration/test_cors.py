"""test_cors.py: CORS: allowed, refused and look-alike origins, exposed headers, Vary, preflights, and servers with other CORS_ORIGINS."""
import pytest

from harness import CORS_ORIGIN, art, check, create, raw, request, send

EVIL = "https://evil.example"


@pytest.fixture(scope="module")
def article(khabar):
    """One article on the default server."""
    return create(khabar.server, art("مقال اختبار المصادر المشتركة"))


def cors_headers(r):
    return [k for k in r.headers if k.startswith("access-control-")]


def test_cors_allowed_origin(khabar):
    o = {"Origin": CORS_ORIGIN}
    r = request("GET", "/v1/articles?limit=1", headers=o)
    check(r.header("access-control-allow-origin") == CORS_ORIGIN, "allowed Origin gets Access-Control-Allow-Origin",
          r.headers)
    expose = r.header("access-control-expose-headers").lower()
    for h in ("etag", "link", "location", "x-request-id"):
        check(h in expose, "Access-Control-Expose-Headers has %s" % h, expose)
    check("origin" in r.header("vary").lower(), "Vary has Origin", r.header("vary"))
    r = request("GET", "/v1/articles/999999999", headers=o)
    check(r.status == 404 and r.header("access-control-allow-origin") == CORS_ORIGIN,
          "errors carry CORS headers too (so the page can read the problem)", r.headers)


def test_cors_refused_origin(khabar):
    r = request("GET", "/v1/articles?limit=1", headers={"Origin": EVIL})
    check(r.status == 200 and "access-control-allow-origin" not in r.headers,
          "unknown Origin gets no Access-Control-Allow-Origin", r.headers)
    check("origin" in r.header("vary").lower(), "Vary: Origin also when the origin is refused (shared caches)",
          r.header("vary"))
    r = request("GET", "/v1/articles?limit=1")
    check("access-control-allow-origin" not in r.headers, "no Origin, no Access-Control-Allow-Origin", r.headers)


@pytest.mark.parametrize("name,method,path", [
    ("200 article", "GET", None), ("200 list", "GET", "/v1/articles"), ("404", "GET", "/v1/articles/999999999"),
    ("401", "POST", "/v1/articles"), ("405", "TRACE", "/v1/articles")])
def test_cors_on_every_kind_of_answer(khabar, article, name, method, path):
    srv = khabar.server
    path = path or "/v1/articles/%d" % article["id"]
    body = art("x") if method == "POST" else None
    r = send(srv, method, path, headers={"Origin": CORS_ORIGIN}, body=body)
    check(r.header("access-control-allow-origin") == CORS_ORIGIN, "CORS %s: allowed origin echoed" % name, r.headers)
    exp = [x.strip().lower() for x in r.header("access-control-expose-headers").split(",")]
    for hname in ("etag", "link", "location", "x-request-id", "retry-after"):
        check(hname in exp, "CORS %s: %s exposed" % (name, hname), exp)
    check("origin" in r.header("vary").lower(), "CORS %s: Vary: Origin" % name, r.header("vary"))
    check(r.header("access-control-allow-credentials") in ("", "true"),
          "CORS %s: Allow-Credentials absent or true" % name, r.headers)
    r = send(srv, method, path, headers={"Origin": EVIL}, body=body)
    check(not cors_headers(r), "CORS %s: disallowed origin gets no Access-Control-* header" % name, cors_headers(r))
    check("origin" in r.header("vary").lower(), "CORS %s: Vary: Origin for a disallowed origin too" % name,
          r.header("vary"))
    r = send(srv, method, path, body=body)
    check("origin" in r.header("vary").lower(), "CORS %s: Vary: Origin without an Origin too" % name,
          r.header("vary"))


def test_cors_not_modified(khabar, article):
    """A 304 varies the same way."""
    srv = khabar.server
    o = {"Origin": CORS_ORIGIN}
    et = send(srv, "GET", "/v1/articles/%d" % article["id"], headers=o).header("etag")
    r = send(srv, "GET", "/v1/articles/%d" % article["id"], headers=dict(o, **{"If-None-Match": et}))
    check(r.status == 304 and r.header("access-control-allow-origin") == CORS_ORIGIN
          and "origin" in r.header("vary").lower(), "CORS 304: allowed origin and Vary: Origin", r.headers)


def test_cors_preflight(khabar):
    pre = {"Origin": CORS_ORIGIN, "Access-Control-Request-Method": "POST",
           "Access-Control-Request-Headers": "authorization, content-type"}
    r = raw("OPTIONS", "/v1/articles", headers=pre)
    check(r.status == 204, "preflight OPTIONS /v1/articles -> 204", r.brief())
    check(r.header("access-control-allow-origin") == CORS_ORIGIN, "preflight allows the origin", r.headers)
    check("POST" in r.header("access-control-allow-methods"), "preflight Allow-Methods has POST", r.headers)
    allow_h = r.header("access-control-allow-headers").lower()
    check("authorization" in allow_h and ("content-type" in allow_h or allow_h.strip() == "*"),
          "preflight Allow-Headers allows Authorization and Content-Type", allow_h)
    check(bool(r.header("x-request-id")), "preflight has X-Request-Id", r.headers)
    pre2 = dict(pre, **{"Access-Control-Request-Method": "PATCH"})
    r = raw("OPTIONS", "/v1/articles/1", headers=pre2)
    check(r.status == 204 and "PATCH" in r.header("access-control-allow-methods"),
          "preflight OPTIONS /v1/articles/{id} for PATCH -> 204", r.brief())
    r = raw("OPTIONS", "/v1/articles", headers=dict(pre, Origin=EVIL))
    check("access-control-allow-origin" not in r.headers, "preflight from an unknown Origin is not allowed",
          r.headers)


@pytest.mark.parametrize("path,methods,ask", [
    ("/v1/articles", {"GET", "POST"}, "POST"), (None, {"GET", "PUT", "PATCH", "DELETE"}, "PATCH"),
    ("/v1/articles/1/related/2", {"PUT", "DELETE"}, "PUT"), ("/v1/tags", {"GET"}, "GET")])
def test_cors_preflight_routes(khabar, article, path, methods, ask):
    srv = khabar.server
    path = path or "/v1/articles/%d" % article["id"]
    pre = {"Origin": CORS_ORIGIN, "Access-Control-Request-Method": ask,
           "Access-Control-Request-Headers": "authorization, content-type, if-match"}
    r = send(srv, "OPTIONS", path, headers=pre)
    check(r.status == 204 and r.body == b"", "preflight %s -> 204, no body" % path, r.brief())
    got = {m.strip() for m in r.header("access-control-allow-methods").split(",") if m.strip()}
    check(methods <= got, "preflight %s: Allow-Methods has %s" % (path, sorted(methods)), got)
    check(not ({"TRACE", "CONNECT"} & got), "preflight %s: Allow-Methods without TRACE/CONNECT" % path, got)
    allow_h = {x.strip().lower() for x in r.header("access-control-allow-headers").split(",")}
    for hname in ("authorization", "content-type", "if-match", "if-none-match"):
        check(hname in allow_h or "*" in allow_h, "preflight %s: Allow-Headers has %s" % (path, hname), allow_h)
    ma = r.header("access-control-max-age")
    check(ma.isdigit() and int(ma) > 0, "preflight %s: positive Access-Control-Max-Age" % path, repr(ma))
    check(r.header("access-control-allow-origin") == CORS_ORIGIN, "preflight %s: origin allowed" % path, r.headers)
    check("origin" in r.header("vary").lower(), "preflight %s: Vary: Origin" % path, r.header("vary"))
    check(bool(r.header("x-request-id")), "preflight %s: X-Request-Id" % path, r.headers)
    r = send(srv, "OPTIONS", path, headers=dict(pre, Origin=EVIL))
    check(not cors_headers(r), "preflight %s from a disallowed origin: no Access-Control-* header" % path,
          cors_headers(r))


@pytest.mark.parametrize("bad", [CORS_ORIGIN + ".evil.example", CORS_ORIGIN.replace("https", "http"),
                                 CORS_ORIGIN + ":8443", "null", CORS_ORIGIN.upper()])
def test_cors_look_alike_origin(khabar, bad):
    """An origin that only starts like the allowed one, or differs in case, scheme or port."""
    r = send(khabar.server, "GET", "/v1/articles?limit=1", headers={"Origin": bad})
    check("access-control-allow-origin" not in r.headers, "CORS: look-alike origin %r refused" % bad, r.headers)


def test_cors_two_origins(start_server):
    two = start_server("cors-two", CORS_ORIGINS="https://a.example, https://b.example")
    for o in ("https://a.example", "https://b.example"):
        r = send(two, "GET", "/v1/articles?limit=1", headers={"Origin": o})
        check(r.header("access-control-allow-origin") == o, "CORS_ORIGINS with two origins: %s echoed alone" % o,
              r.headers)
    r = send(two, "GET", "/v1/articles?limit=1", headers={"Origin": "https://c.example"})
    check("access-control-allow-origin" not in r.headers, "CORS_ORIGINS with two origins: a third refused", r.headers)


def test_cors_any_origin(start_server):
    star = start_server("cors-star", CORS_ORIGINS="*")
    r = send(star, "GET", "/v1/articles?limit=1", headers={"Origin": "https://any.example"})
    check(r.header("access-control-allow-origin") == "*", "CORS_ORIGINS=*: Access-Control-Allow-Origin: *",
          r.headers)
    check(r.header("access-control-allow-credentials") != "true", "CORS_ORIGINS=*: never Allow-Credentials with *",
          r.headers)
    r = send(star, "OPTIONS", "/v1/articles", headers={"Origin": "https://any.example",
                                                       "Access-Control-Request-Method": "POST"})
    check(r.status == 204 and r.header("access-control-allow-origin") == "*", "CORS_ORIGINS=*: preflight 204",
          r.brief())


def test_cors_no_origins(start_server):
    none = start_server("cors-none", CORS_ORIGINS="")
    r = send(none, "GET", "/v1/articles?limit=1", headers={"Origin": CORS_ORIGIN})
    check(not cors_headers(r), "no CORS_ORIGINS: no Access-Control-* header for any origin", cors_headers(r))
    r = send(none, "OPTIONS", "/v1/articles", headers={"Origin": CORS_ORIGIN, "Access-Control-Request-Method": "POST"})
    check(not cors_headers(r), "no CORS_ORIGINS: preflight allows nothing", (r.status, cors_headers(r)))
