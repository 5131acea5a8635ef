"""The benchmark's helpers read what PostgreSQL writes: scripts/pgbench_of_log.py turns the log
of one request into the pgbench script that runs the same statements with the same values."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "scripts", "pgbench_of_log.py")


def pgbench_of(log):
    return subprocess.run([sys.executable, SCRIPT], input=log, capture_output=True, text=True,
                          check=False)


def test_parameters_become_literals_and_other_clients_are_left_out():
    log = ("khabar|LOG:  duration: 0.05 ms  execute s4: SELECT a.id FROM articles a WHERE a.id = $1 AND a.slug = $2\n"
           "khabar|DETAIL:  parameters: $1 = '7', $2 = 'it''s'\n"
           "psql|LOG:  duration: 0.01 ms  statement: SELECT 1\n")
    result = pgbench_of(log)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "SELECT a.id FROM articles a WHERE a.id = '7' AND a.slug = 'it''s';\n"


def test_a_parameter_holding_a_newline_continues_on_the_next_lines():
    # PostgreSQL's stderr log writes the rest of a multi-line record on lines of their own,
    # each after a tab and without the prefix
    log = ("khabar|LOG:  duration: 1.4 ms  execute s52: INSERT INTO articles (title, body_html) VALUES ($1, $2) RETURNING id\n"
           "khabar|DETAIL:  parameters: $1 = 'خبر', $2 = '<p>أول</p>\n"
           "\t<p>ثان</p>\n"
           "\t'\n"
           "khabar|LOG:  duration: 0.01 ms  execute s1: SELECT pg_notify('khabar_marks', $1)\n"
           "khabar|DETAIL:  parameters: $1 = 'x:4'\n")
    result = pgbench_of(log)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ("INSERT INTO articles (title, body_html) VALUES ('خبر', '<p>أول</p>\n<p>ثان</p>\n') RETURNING id;\n"
                             "SELECT pg_notify('khabar_marks', 'x:4');\n")


def test_a_log_without_the_clients_statements_is_an_error():
    result = pgbench_of("psql|LOG:  duration: 0.01 ms  statement: SELECT 1\n")
    assert result.returncode == 1
    assert "no statement of khabar" in result.stderr
