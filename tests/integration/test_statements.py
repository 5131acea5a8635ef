"""test_statements.py: each statement's declaration in server/db/statements.c agrees with its text:
one declared read_only (run again on a new connection after a lost one) neither changes data nor
takes row locks, and one not so declared does one or the other."""
import re

import harness
from server_sources import server_statements, statement_names

WRITES = re.compile(r"\b(INSERT|UPDATE|DELETE)\b|\bFOR\s+(UPDATE|SHARE|NO KEY UPDATE|KEY SHARE)\b")


def test_read_only_declarations_match_the_sql(tmp_path):
    stmts = server_statements(str(tmp_path))
    harness.check(len(stmts) == len(statement_names()), "every statement printed", str(len(stmts)))
    for name, (_, sql, _, read_only) in stmts.items():
        writes = WRITES.search(sql) is not None
        if read_only:
            harness.check(not writes and re.match(r"\s*(SELECT|WITH)\b", sql) is not None,
                          "%s is declared read-only and only reads" % name, sql[:200])
        else:
            harness.check(writes, "%s is not declared read-only and writes or locks rows" % name,
                          sql[:200])
