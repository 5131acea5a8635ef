"""The source tree keeps its shape: layers point one way, files and functions stay small, every
file says what it is for, and every route's handler says which method and URL it serves."""
import glob
import os
import re

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MAX_FILE_LINES = 600
MAX_FUNCTION_LINES = 80

# What each layer may not include (by the folder of the included header). The handlers sit on
# top of the HTTP helpers, the model and the database; nothing below them knows HTTP; the
# database knows neither HTTP nor the input model; the text rules know nothing of either.
FORBIDDEN = {
    "model": {"http", "handlers", "cli"},
    "text": {"http", "handlers", "db", "model", "cli"},
    "db": {"http", "handlers", "model", "cli"},
    "infra": {"http", "handlers", "model", "cli"},
    "cli": {"http", "handlers"},
}


def sources(*patterns):
    out = []
    for p in patterns:
        out.extend(glob.glob(os.path.join(ROOT, p), recursive=True))
    return sorted(set(out))


def layer_of(path):
    rel = os.path.relpath(path, ROOT).split(os.sep)
    if rel[0] in ("server", "include") and len(rel) > 2:
        return rel[1]
    return None


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


C_FILES = sources("server/**/*.c", "server/**/*.h", "include/**/*.h")


def included_layers(text):
    """The layers (first folder) of the project headers a file includes."""
    layers = set()
    for name in re.findall(r'^\s*#\s*include\s+"([^"]+)"', text, re.M):
        if "/" in name:
            layers.add(name.split("/")[0])
        elif name == "app.h":
            layers.add("app")
    return layers


@pytest.mark.parametrize("path", C_FILES, ids=lambda p: os.path.relpath(p, ROOT))
def test_layers_point_one_way(path):
    layer = layer_of(path)
    forbidden = FORBIDDEN.get(layer, set())
    wrong = included_layers(read(path)) & forbidden
    assert not wrong, "%s (layer %s) includes %s" % (os.path.relpath(path, ROOT), layer, sorted(wrong))


def test_the_layer_rules_can_fail():
    """The include reader sees the includes the rules are about."""
    text = '#include "http/http.h"\n#include <stdio.h>\n# include "db/db.h"\n#include "app.h"\n'
    assert included_layers(text) == {"http", "db", "app"}


@pytest.mark.parametrize("path", C_FILES, ids=lambda p: os.path.relpath(p, ROOT))
def test_files_are_small(path):
    n = read(path).count("\n")
    assert n <= MAX_FILE_LINES, "%s has %d lines" % (os.path.relpath(path, ROOT), n)


def function_lengths(text):
    """(name, lines) of each function defined in a C file: a body opens with "{" alone at the
    start of a line (the project's clang-format style) and closes with "}" there."""
    lines = text.split("\n")
    out = []
    for i, line in enumerate(lines):
        if line != "{" or i == 0:
            continue
        head = " ".join(lines[max(0, i - 3):i])
        m = re.search(r"(\w+)\s*\([^;{}]*\)\s*$", head)
        if not m:
            continue
        start = i - 1
        while start > 0 and lines[start - 1].strip() and not lines[start - 1].rstrip().endswith((";", "}", "*/")):
            start -= 1
        for j in range(i + 1, len(lines)):
            if lines[j] == "}":
                out.append((m.group(1), j - start + 1))
                break
    return out


@pytest.mark.parametrize("path", sources("server/**/*.c"), ids=lambda p: os.path.relpath(p, ROOT))
def test_functions_are_small(path):
    long = [(n, k) for n, k in function_lengths(read(path)) if k > MAX_FUNCTION_LINES]
    assert not long, "%s: %s" % (os.path.relpath(path, ROOT), long)


def test_the_function_counter_counts():
    text = "static int f(int a,\n             int b)\n{\n" + "    a++;\n" * 90 + "    return a + b;\n}\n"
    assert function_lengths(text) == [("f", 95)]


@pytest.mark.parametrize("path", C_FILES + sources("tests/unit/**/*.c"),
                         ids=lambda p: os.path.relpath(p, ROOT))
def test_every_file_says_what_it_is_for(path):
    first = read(path).lstrip().split("\n")[0]
    name = os.path.basename(path)
    assert first.startswith("/* " + name + ":") or first.startswith("/*\n") or \
        first.startswith("/* " + name), "%s does not start with its purpose: %r" % (name, first)


def routes():
    """(method, path, handler) of every entry of the route table."""
    text = read(os.path.join(ROOT, "server", "http", "routes.c"))
    found = re.findall(r'\.method\s*=\s*"([A-Z]+)",\s*\.path\s*=\s*"([^"]+)".*?\.handler\s*=\s*(\w+)',
                       text, re.S)
    assert found, "no routes read from server/http/routes.c"
    return found


def handler_comments():
    """{function name: the comment right above its definition} over server/handlers/."""
    out = {}
    for path in sources("server/handlers/*.c"):
        text = read(path)
        for m in re.finditer(r"/\*((?:(?!\*/).)*)\*/\s*\n(?:static\s+)?int\s+(\w+)\s*\(", text, re.S):
            out[m.group(2)] = " ".join(m.group(1).split())
    return out


def same_url(a, b):
    pattern = lambda p: re.sub(r"\{[^}]*\}|:\w+", "{}", p)  # noqa: E731
    return pattern(a) == pattern(b)


@pytest.mark.parametrize("method,path,handler", routes())
def test_every_handler_names_its_method_and_url(method, path, handler):
    comment = handler_comments().get(handler)
    assert comment is not None, "no commented definition of %s in server/handlers/" % handler
    words = comment.split()
    assert len(words) >= 2 and words[0] == method and same_url(words[1].rstrip(":,"), path), \
        "%s's comment should start with '%s %s': %r" % (handler, method, path, comment[:80])
