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


def test_a_write_becomes_repeatable_with_a_new_title_and_the_id_it_creates():
    # the transaction's own BEGIN and COMMIT (simple protocol) stay where they ran; the marker
    # in any value becomes :n, the id becomes :id once the row that returns it is inserted
    log = ("khabar|LOG:  duration: 0.03 ms  statement: BEGIN\n"
           "khabar|LOG:  duration: 0.02 ms  execute s9: SELECT id FROM sections WHERE slug_key = $1\n"
           "khabar|DETAIL:  parameters: $1 = 'desk-42'\n"
           "khabar|LOG:  duration: 1.5 ms  execute s52: INSERT INTO articles (slug, title) VALUES ($1, $2) RETURNING id\n"
           "khabar|DETAIL:  parameters: $1 = 'news-977', $2 = 'News 977 it''s'\n"
           "khabar|LOG:  duration: 0.2 ms  execute s69: INSERT INTO article_revisions (article_id, representation) VALUES ($1, $2::jsonb)\n"
           "khabar|DETAIL:  parameters: $1 = '42', $2 = '{\"id\": 42, \"slug\": \"news-977\", \"tag\": \"x420\"}'\n"
           "khabar|LOG:  duration: 0.9 ms  statement: COMMIT\n")
    result = subprocess.run([sys.executable, SCRIPT, "--vary", "977", "--id", "42"], input=log,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "\\set n random(1, 1000000000000)\n"
        "BEGIN;\n"
        "SELECT id FROM sections WHERE slug_key = 'desk-42';\n"  # before the insert: a literal
        "INSERT INTO articles (slug, title) VALUES (('news-' || :n || ''), ('News ' || :n || ' it''s')) RETURNING id \\gset\n"
        "INSERT INTO article_revisions (article_id, representation) VALUES "
        "(:id, ('{\"id\": ' || :id || ', \"slug\": \"news-' || :n || '\", \"tag\": \"x420\"}')::jsonb);\n"
        "COMMIT;\n")


def test_an_id_no_statement_returns_is_an_error():
    log = ("khabar|LOG:  duration: 0.02 ms  execute s9: SELECT 1 WHERE $1 > 0\n"
           "khabar|DETAIL:  parameters: $1 = '42'\n")
    result = subprocess.run([sys.executable, SCRIPT, "--id", "42"], input=log,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert "no statement returns the id 42" in result.stderr
