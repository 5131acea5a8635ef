#!/usr/bin/env python3
"""check_openapi.py: openapi.yaml and the route table in server/http/routes.c name the same operations.

Every `{ .method = "X", .path = "Y"` entry of routes.c (":name" segments read as
"{name}") must be an operation of openapi.yaml, and every operation of openapi.yaml
must be in the route table. Prints one TAP-like line per check ("ok - ..." or
"FAIL - ...") and ends with "# N passed, M failed"; exits 1 when any check failed.
Python standard library only: openapi.yaml is read line by line, not parsed as YAML.

usage: check_openapi.py [--routes FILE] [--spec FILE]
"""
import argparse
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

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


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--routes", default=os.path.join(ROOT, "server", "http", "routes.c"))
    ap.add_argument("--spec", default=os.path.join(ROOT, "openapi.yaml"))
    args = ap.parse_args()

    passed = failed = 0

    def check(good, text):
        nonlocal passed, failed
        print(("ok - " if good else "FAIL - ") + text)
        if good:
            passed += 1
        else:
            failed += 1

    try:
        routes = read_routes(args.routes)
        ops, problems = read_spec(args.spec)
    except OSError as e:
        check(False, f"cannot read {e.filename}: {e.strerror}")
        print(f"# {passed} passed, {failed} failed")
        return 1

    check(len(routes) > 0, f"route table lists routes ({len(routes)} in {args.routes})")
    check(len(ops) > 0, f"openapi lists operations ({len(ops)} in {args.spec})")
    for p in problems:
        check(False, f"openapi is well formed: {p}")

    route_set, op_set = set(routes), set(ops)
    get_paths = {p for m, p in routes if m == "GET"}
    all_paths = {p for _, p in routes}

    for method, path in routes:
        check((method, path) in op_set, f"openapi has {method} {path}")
    for method, path in ops:
        if method == "HEAD":  # the router answers HEAD wherever GET is
            good = path in get_paths
        elif method == "OPTIONS":  # and OPTIONS (CORS preflight) on every known path
            good = path in all_paths
        else:
            good = (method, path) in route_set
        check(good, f"route table has {method} {path}")

    print(f"# {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
