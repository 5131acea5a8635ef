#!/usr/bin/env python3
"""pgbench_of_log.py: the statements one request made, as a pgbench script (used by
scripts/bench.sh and scripts/bench_writes.sh, so that pgbench runs exactly what khabar ran).

Reads PostgreSQL log lines on stdin, written with log_min_duration_statement = 0 and
log_line_prefix = '%a|' while the request ran; keeps the statements executed by
connections named APPLICATION (khabar's pool: "khabar"), in order, each with its parameters
put in as literals (BEGIN and COMMIT too). A parameter holding a newline continues on the
log's next lines, which carry no prefix. Exits 1 when there is none.

A write made once cannot be made again as it was (a slug is unique), so for a write:
  --vary TEXT  TEXT inside any value becomes pgbench's :n (the script starts with
               \set n random(...)), so that each transaction writes a new title and slug;
  --id ID      the row the request created: the last statement ending in RETURNING id
               before ID is first used after one keeps it in :id (\gset), and ID in the
               values from there on becomes :id.
"""
import argparse
import re
import sys

# a statement of the extended protocol (prepared), or of the simple one (BEGIN, COMMIT)
EXECUTE = re.compile(r"^LOG:  duration: [0-9.]+ ms  (?:execute [^:]+|statement): (.*)$", re.S)
PARAMETERS = re.compile(r"^DETAIL:  parameters: (.*)$", re.S)
# one parameter: $n = NULL, or $n = '...' with '' for a quote inside
PARAMETER = re.compile(r"\$(\d+) = (NULL|'(?:[^']|'')*')(?:, |$)")
# the start of a record: the prefix (application name and '|'), then a severity
RECORD = re.compile(r"^[^|\n]*\|[A-Z]+:  ")


def records(lines):
    """The log's records, each with the lines that continue it joined by newlines."""
    record = None
    for line in lines:
        line = line.rstrip("\n")
        if RECORD.match(line) or record is None:
            if record is not None:
                yield record
            record = line
        else:
            # PostgreSQL starts each continuing line with a tab of its own
            record += "\n" + (line[1:] if line.startswith("\t") else line)
    if record is not None:
        yield record


def parameters(text):
    values = {}
    pos = 0
    while pos < len(text):
        m = PARAMETER.match(text, pos)
        if m is None:
            raise ValueError("cannot read the parameters: %r" % text[pos:pos + 80])
        values[int(m.group(1))] = m.group(2)
        pos = m.end()
    return values


def with_literals(sql, values):
    def put(m):
        n = int(m.group(1))
        if n not in values:
            raise ValueError("no value logged for $%d" % n)
        return values[n]
    return re.sub(r"\$(\d+)(?![0-9])", put, sql)


def varied(literal, variables):
    """A quoted literal with each text of variables ({text pattern: pgbench variable}) in it
    made its variable: the variable alone when it is the whole value (its type then comes from
    where it stands), else the literal's pieces joined around it."""
    if literal == "NULL" or not variables:
        return literal
    pattern = re.compile("|".join("(%s)" % p for p in variables))
    names = list(variables.values())
    inner = literal[1:-1]
    whole = pattern.fullmatch(inner)
    if whole:
        return names[whole.lastindex - 1]
    pieces = []
    pos = 0
    for m in pattern.finditer(inner):
        pieces.append("'%s'" % inner[pos:m.start()])
        pieces.append(names[m.lastindex - 1])
        pos = m.end()
    if not pieces:
        return literal
    pieces.append("'%s'" % inner[pos:])
    return "(" + " || ".join(pieces) + ")"


def read_statements(lines, application):
    """[sql, {n: literal}] of each statement APPLICATION's connections ran, in order."""
    prefix = application + "|"
    statements = []
    after_execute = False  # a DETAIL line belongs to the line before it (an execute, or a bind)
    for line in records(lines):
        if not line.startswith(prefix):
            continue
        line = line[len(prefix):]
        m = EXECUTE.match(line)
        if m:
            statements.append([m.group(1), {}])
            after_execute = True
            continue
        m = PARAMETERS.match(line)
        if m and after_execute:
            statements[-1][1] = parameters(m.group(1))
        after_execute = False
    return statements


def script(statements, vary=None, created=None):
    """The pgbench script of the statements, made repeatable by --vary and --id."""
    out = []
    variables = [{} for _ in statements]  # each statement's {pattern: variable}
    if vary:
        out.append("\\set n random(1, 1000000000000)")
        for v in variables:
            v[re.escape(vary)] = ":n"
    keeps_id = -1
    if created:
        pattern = r"(?<![0-9])%s(?![0-9])" % re.escape(created)
        returning = [i for i, (sql, _) in enumerate(statements) if re.search(r"RETURNING id\s*$", sql)]
        if not returning:
            raise ValueError("no statement returns the id %s" % created)
        first_use = next((i for i, (_, values) in enumerate(statements)
                          if i > returning[0] and any(re.search(pattern, v) for v in values.values())), None)
        if first_use is None:
            raise ValueError("the id %s is not in the values of any statement after one that returns it" % created)
        keeps_id = max(i for i in returning if i < first_use)
        for v in variables[first_use:]:
            v[pattern] = ":id"
    for (_, values), v in zip(statements, variables):
        for n in values:
            values[n] = varied(values[n], v)
    for i, (sql, values) in enumerate(statements):
        out.append(with_literals(sql, values) + (" \\gset" if i == keeps_id else ";"))
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("application", nargs="?", default="khabar")
    parser.add_argument("--vary", help="text in the values that each transaction makes new")
    parser.add_argument("--id", help="the id of the row the request created")
    args = parser.parse_args()
    statements = read_statements(sys.stdin, args.application)
    if not statements:
        print("no statement of %s in the log" % args.application, file=sys.stderr)
        return 1
    try:
        sys.stdout.write(script(statements, args.vary, args.id))
    except ValueError as e:
        print(e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
