"""test_statements.py: each statement's declaration in server/db/statements.c agrees with its text:
one declared read_only (run again on a new connection after a lost one) neither changes data nor
takes row locks, and one not so declared does one or the other."""
import os
import re
import subprocess

import harness

WRITES = re.compile(r"\b(INSERT|UPDATE|DELETE)\b|\bFOR\s+(UPDATE|SHARE|NO KEY UPDATE|KEY SHARE)\b")


def statement_names():
    with open(os.path.join(harness.REPO_ROOT, "server", "db", "internal.h"), encoding="utf-8") as f:
        body = re.search(r"enum\s+db_stmt\s*\{(.*?)\}", f.read(), re.S).group(1)
    body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
    return [n for n in re.findall(r"\b(STMT_\w+)\b", body) if n != "STMT_COUNT"]


def declared_statements(tmp_path):
    """{name: (read_only, sql)} as server/db/statements.c declares them."""
    prints = "".join("    P(%s);\n" % n for n in statement_names())
    src = tmp_path / "print_statements.c"
    src.write_text('#include <stdio.h>\n#include "internal.h"\n'
                   '#define P(x) printf("%s\\x1f%d\\x1f%s\\x1e", #x, db_statements[x].read_only,'
                   ' db_statements[x].sql)\nint main(void)\n{\n' + prints + "    return 0;\n}\n")
    exe = tmp_path / "print_statements"
    flags = subprocess.run(["pkg-config", "--cflags", "libpq", "jansson"], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, text=True).stdout.split() or ["-I/usr/include/postgresql"]
    root = harness.REPO_ROOT
    subprocess.run([os.environ.get("CC", "cc"), "-std=c11", "-D_GNU_SOURCE", "-I" + os.path.join(root, "include"),
                    "-I" + os.path.join(root, "server", "db")] + flags +
                   ["-o", str(exe), str(src), os.path.join(root, "server", "db", "statements.c")],
                   check=True, timeout=120)
    out = subprocess.run([str(exe)], stdout=subprocess.PIPE, check=True, timeout=30).stdout.decode("utf-8")
    stmts = {}
    for rec in out.split("\x1e"):
        if rec:
            name, read_only, sql = rec.split("\x1f")
            stmts[name] = (read_only == "1", sql)
    return stmts


def test_read_only_declarations_match_the_sql(tmp_path):
    stmts = declared_statements(tmp_path)
    harness.check(len(stmts) == len(statement_names()), "every statement printed", str(len(stmts)))
    for name, (read_only, sql) in stmts.items():
        writes = WRITES.search(sql) is not None
        if read_only:
            harness.check(not writes and re.match(r"\s*(SELECT|WITH)\b", sql) is not None,
                          "%s is declared read-only and only reads" % name, sql[:200])
        else:
            harness.check(writes, "%s is not declared read-only and writes or locks rows" % name,
                          sql[:200])
