#!/usr/bin/env python3
"""pgbench_of_log.py: the statements one request made, as a pgbench script (used by
scripts/bench.sh, so that pgbench runs exactly what khabar ran for a URL).

Reads PostgreSQL log lines on stdin, written with log_min_duration_statement = 0 and
log_line_prefix = '%a|' while the request ran; keeps the statements executed by
connections named APPLICATION (khabar's pool: "khabar"), each with its parameters put in as
literals, one command a line. A parameter holding a newline continues on the log's next lines, which
carry no prefix. Exits 1 when there is none.
"""
import re
import sys

EXECUTE = re.compile(r"^LOG:  duration: [0-9.]+ ms  execute [^:]+: (.*)$", re.S)
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


def main():
    application = sys.argv[1] if len(sys.argv) > 1 else "khabar"
    prefix = application + "|"
    statements = []  # [sql, values]
    after_execute = False  # a DETAIL line belongs to the line before it (an execute, or a bind)
    for line in records(sys.stdin):
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
    if not statements:
        print("no statement of %s in the log" % application, file=sys.stderr)
        return 1
    for sql, values in statements:
        print(with_literals(sql, values) + ";")
    return 0


if __name__ == "__main__":
    sys.exit(main())
