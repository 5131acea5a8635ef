"""test_contract.py: openapi.yaml and the route table in server/http/routes.c name the same operations."""
# Every `{ .method = "X", .path = "Y"` entry of routes.c (":name" segments read as "{name}")
# must be an operation of openapi.yaml, and every operation of openapi.yaml must be in the
# route table. openapi.yaml is read line by line, not parsed as YAML (standard library only).
# Reading the sources needs no server: these tests use no fixture.
import os
import re

import pytest

import harness

ROUTES_C = os.path.join(harness.REPO_ROOT, "server", "http", "routes.c")
OPENAPI_YAML = os.path.join(harness.REPO_ROOT, "openapi.yaml")

# Operation keys of an OpenAPI path item.
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

ROUTE_RE = re.compile(r'\{\s*\.method\s*=\s*"([^"]*)"\s*,\s*\.path\s*=\s*"([^"]*)"')
PATH_LINE_RE = re.compile(r"""^  (["']?)(/[^"']*)\1\s*:\s*(#.*)?$""")
OP_LINE_RE = re.compile(r"""^    (["']?)([A-Za-z]+)\1\s*:(\s.*)?$""")


def strip_c_comments(src):
    """src without /* */ and // comments, string and character literals kept."""
    out = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c in "\"'":
            j = i + 1
            while j < n and src[j] != c:
                j += 2 if src[j] == "\\" else 1
            out.append(src[i:j + 1])
            i = j + 1
        elif src.startswith("/*", i):
            end = src.find("*/", i + 2)
            i = n if end < 0 else end + 2
            out.append(" ")
        elif src.startswith("//", i):
            end = src.find("\n", i)
            i = n if end < 0 else end
        else:
            out.append(c)
            i += 1
    return "".join(out)


def read_routes(path):
    """List of (METHOD, /path/{param}) from the route table, in table order."""
    with open(path, encoding="utf-8") as f:
        src = strip_c_comments(f.read())
    routes = []
    for method, route in ROUTE_RE.findall(src):
        route = "/".join("{" + s[1:] + "}" if s.startswith(":") else s
                         for s in route.split("/"))
        routes.append((method.upper(), route))
    return routes


def read_spec(path):
    """(operations, problems): operations as (METHOD, path) in file order; problems are
    structural faults (no paths: section, a duplicate path or operation)."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    ops, problems = [], []
    seen_paths = set()
    in_paths = found_paths = False
    current = None
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line.startswith(" "):  # a top-level key opens or closes paths:
            in_paths = re.match(r"^paths\s*:\s*(#.*)?$", line) is not None
            found_paths = found_paths or in_paths
            current = None
            continue
        if not in_paths:
            continue
        m = PATH_LINE_RE.match(line)
        if m:
            current = m.group(2)
            if current in seen_paths:
                problems.append(f"line {number}: path {current} appears twice")
            seen_paths.add(current)
            continue
        if re.match(r"^  \S", line):  # another key at path level, e.g. a $ref or x-
            current = None
            continue
        m = OP_LINE_RE.match(line)
        if m and current is not None and m.group(2).lower() in HTTP_METHODS:
            op = (m.group(2).upper(), current)
            if op in ops:
                problems.append(f"line {number}: {op[0]} {op[1]} appears twice")
            else:
                ops.append(op)
    if not found_paths:
        problems.append("no top-level paths: section")
    return ops, problems


def spec_has(ops, route):
    """True when the route (METHOD, path) is an operation of openapi.yaml."""
    return route in set(ops)


def table_has(routes, op):
    """True when the route table serves the operation (METHOD, path): the router answers HEAD
    wherever GET is, and OPTIONS (CORS preflight) on every known path."""
    method, path = op
    if method == "HEAD":
        return (("GET", path) in set(routes))
    if method == "OPTIONS":
        return path in {p for _, p in routes}
    return op in set(routes)


@pytest.fixture(scope="module")
def routes():
    """The route table of server/http/routes.c as (METHOD, /path/{param}) pairs."""
    return read_routes(ROUTES_C)


@pytest.fixture(scope="module")
def spec():
    """(operations, problems) of openapi.yaml."""
    return read_spec(OPENAPI_YAML)


def test_route_table_lists_routes(routes):
    assert len(routes) > 0, "route table lists routes (0 in %s)" % ROUTES_C


def test_openapi_lists_operations(spec):
    ops, _ = spec
    assert len(ops) > 0, "openapi lists operations (0 in %s)" % OPENAPI_YAML


def test_openapi_is_well_formed(spec):
    _, problems = spec
    assert not problems, "openapi is well formed: " + "; ".join(problems)


def test_openapi_has_every_route(routes, spec):
    ops, _ = spec
    for method, path in routes:
        harness.check(spec_has(ops, (method, path)), f"openapi has {method} {path}")


def test_route_table_has_every_operation(routes, spec):
    ops, _ = spec
    for method, path in ops:
        harness.check(table_has(routes, (method, path)), f"route table has {method} {path}")


def test_the_comparison_can_fail(tmp_path):
    """The readers see a route missing from openapi.yaml, an operation missing from the table
    and a duplicate operation (so the tests above are not blind)."""
    routes_c = tmp_path / "routes.c"
    routes_c.write_text('static const struct route r[] = {\n'
                        '    { .method = "GET", .path = "/v1/things/:id" },\n'
                        '    /* { .method = "DELETE", .path = "/v1/gone" }, */\n'
                        '    { .method = "POST", .path = "/v1/things" },\n};\n', encoding="utf-8")
    spec_yaml = tmp_path / "openapi.yaml"
    spec_yaml.write_text("openapi: 3.0.3\npaths:\n  /v1/things/{id}:\n    get:\n      summary: x\n"
                         "    head:\n      summary: x\n    get:\n      summary: again\n"
                         "  /v1/other:\n    put:\n      summary: x\ncomponents: {}\n", encoding="utf-8")
    table = read_routes(str(routes_c))
    ops, problems = read_spec(str(spec_yaml))
    assert table == [("GET", "/v1/things/{id}"), ("POST", "/v1/things")]
    assert ops == [("GET", "/v1/things/{id}"), ("HEAD", "/v1/things/{id}"), ("PUT", "/v1/other")]
    assert len(problems) == 1 and "appears twice" in problems[0]
    assert not spec_has(ops, ("POST", "/v1/things"))
    assert not table_has(table, ("PUT", "/v1/other"))
    assert table_has(table, ("HEAD", "/v1/things/{id}"))
    assert read_spec(str(routes_c))[1] == ["no top-level paths: section"]
