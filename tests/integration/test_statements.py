"""test_statements.py: each statement's declaration in server/db/statements.c agrees with its text:
one declared read_only (run again on a new connection after a lost one) neither changes data nor
takes row or advisory locks, and one not so declared does one or the other (itself, or through a function of
the migrations that does)."""
import os
import re

import harness
from server_sources import server_statements, statement_names

WRITES = re.compile(r"\b(INSERT|UPDATE|DELETE)\b|\bFOR\s+(UPDATE|SHARE|NO KEY UPDATE|KEY SHARE)\b"
                    r"|\bpg_(try_)?advisory_(xact_)?lock\b")
FUNCTION = re.compile(r"CREATE (?:OR REPLACE )?FUNCTION (\w+)\(.*?\$\$(.*?)\$\$", re.S)


def writing_functions():
    """The functions the migrations define whose bodies write or lock rows, or call one that does."""
    bodies = {}
    for name in sorted(os.listdir(os.path.join(harness.REPO_ROOT, "migrations"))):
        if name.endswith(".sql"):
            with open(os.path.join(harness.REPO_ROOT, "migrations", name), encoding="utf-8") as f:
                bodies.update(FUNCTION.findall(f.read()))
    writing = {n for n, body in bodies.items() if WRITES.search(body)}
    grown = True
    while grown:
        more = {n for n, body in bodies.items() if any(re.search(r"\b%s\(" % w, body) for w in writing)}
        grown = not more <= writing
        writing |= more
    return writing


def writes_rows(sql, functions):
    return WRITES.search(sql) is not None or any(re.search(r"\b%s\(" % f, sql) for f in functions)


def test_read_only_declarations_match_the_sql(tmp_path):
    stmts = server_statements(str(tmp_path))
    functions = writing_functions()
    harness.check(len(stmts) == len(statement_names()), "every statement printed", str(len(stmts)))
    for name, (_, sql, _, read_only) in stmts.items():
        writes = writes_rows(sql, functions)
        if read_only:
            harness.check(not writes and re.match(r"\s*(SELECT|WITH)\b", sql) is not None,
                          "%s is declared read-only and only reads" % name, sql[:200])
        else:
            harness.check(writes, "%s is not declared read-only and writes or locks rows" % name,
                          sql[:200])
