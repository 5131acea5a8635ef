"""server_sources.py: small C programs compiled against the server's own sources, for the tests that must see what the server runs: its statements as server/db/statements.c declares them, the tsquery server/text/search.c makes of a search box."""
import glob
import os
import re
import subprocess

import harness
from harness import REPO_ROOT, HarnessError


def cflags(pkgs):
    r = subprocess.run(["pkg-config", "--cflags"] + pkgs, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                       text=True)
    return r.stdout.split() if r.returncode == 0 else ["-I/usr/include/postgresql"]


def compile_c(d, name, source, files, pkgs, libs=()):
    """Compiles source (C text) with the server files into the directory d; returns the binary path."""
    src = os.path.join(d, name + ".c")
    exe = os.path.join(d, name)
    with open(src, "w") as f:
        f.write(source)
    cc = os.environ.get("CC", "cc")
    cmd = [cc, "-std=c11", "-D_GNU_SOURCE", "-I" + os.path.join(REPO_ROOT, "include"),
                                "-I" + os.path.join(REPO_ROOT, "server", "db")] + cflags(pkgs) + \
        ["-o", exe, src] + [os.path.join(REPO_ROOT, p) for p in files] + list(libs)
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    if r.returncode != 0:
        raise HarnessError("compiling %s failed:\n%s\n%s" % (name, " ".join(cmd), harness.tail(r.stdout)))
    return exe


def statement_names():
    """The names of enum db_stmt in server/db/internal.h, in order (STMT_COUNT left out)."""
    with open(os.path.join(REPO_ROOT, "server", "db", "internal.h"), encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"enum\s+db_stmt\s*\{(.*?)\}", text, re.S)
    if not m:
        raise HarnessError("no enum db_stmt in server/db/internal.h")
    body = re.sub(r"/\*.*?\*/|//[^\n]*", "", m.group(1), flags=re.S)
    return [n for n in re.findall(r"\b(STMT_\w+)\b", body) if n != "STMT_COUNT"]


def server_statements(workdir):
    """{enum name: (nparams, sql, plan_each_time, read_only)} of every statement, exactly as
    server/db/statements.c builds them; plan_each_time 1 means the server never prepares it,
    read_only 1 that it only reads (and may be run again on a new connection)."""
    prints = "".join('    P(%s);\n' % n for n in statement_names())
    source = ('#include <stdio.h>\n#include "internal.h"\n'
              '#define P(x) printf("%s\\x1f%d\\x1f%s\\x1f%d\\x1f%d\\x1e", #x, db_statements[x].nparams,'
              ' db_statements[x].sql ? db_statements[x].sql : "", db_statements[x].plan_each_time,'
              ' db_statements[x].read_only)\n'
              'int main(void)\n{\n' + prints + '    return 0;\n}\n')
    exe = compile_c(workdir, "print_sql", source, ["server/db/statements.c"], ["libpq", "jansson"])
    out = subprocess.run([exe], stdout=subprocess.PIPE, check=True, timeout=30).stdout.decode("utf-8")
    stmts = {}
    for rec in out.split("\x1e"):
        if rec:
            name, n, sql, each, read_only = rec.split("\x1f")
            stmts[name] = (int(n), sql, int(each), int(read_only))
    return stmts


def tsquery_tool(workdir):
    """A function word -> the tsquery text khabar's search.c makes of a search box (exact=True:
    its twin with the words as written, which ranks)."""
    source = ('#include <stdio.h>\n#include "text/search.h"\n'
              'int main(int argc, char **argv)\n{\n'
              '    char err[256];\n'
              '    for (int i = 1; i < argc; i++) {\n'
              '        struct search_query *q = search_query_new(argv[i], err, sizeof err);\n'
              '        if (q == NULL) { fprintf(stderr, "%s\\n", err); return 1; }\n'
              '        printf("%s\\n%s\\n", search_query_tsquery(q), search_query_exact_tsquery(q));\n'
              '        search_query_free(q);\n'
              '    }\n    return 0;\n}\n')
    files = sorted(os.path.relpath(f, REPO_ROOT)
                   for f in glob.glob(os.path.join(REPO_ROOT, "server", "text", "*.c")))
    exe = compile_c(workdir, "print_tsquery", source, files, ["libutf8proc", "libcmark"], ["-lutf8proc", "-lcmark"])

    def tsquery(q, exact=False):
        r = subprocess.run([exe, q], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
        if r.returncode != 0:
            raise HarnessError("search_query_new(%r): %s" % (q, r.stderr.decode("utf-8", "replace")))
        return r.stdout.decode("utf-8").strip().split("\n")[1 if exact else 0]
    return tsquery
