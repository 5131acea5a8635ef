"""The contract passes third-party tooling: openapi.yaml linted by Redocly's CLI with its
recommended rules, no error and no warning (a warning is how a rule there begins)."""
import json
import os
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REDOCLY = os.path.join(ROOT, "tests", "structure", "redocly", "node_modules", ".bin", "redocly")


def lint(path):
    """Redocly's report on the document at path: its totals and problems."""
    # the CLI asks the network only for telemetry, which is switched off
    env = dict(os.environ, REDOCLY_TELEMETRY="off", REDOCLY_SUPPRESS_UPDATE_NOTICE="true")
    done = subprocess.run([REDOCLY, "lint", path, "--extends", "recommended", "--format", "json"],
                          capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)
    assert done.stdout.strip(), "redocly printed no report (status %d): %s" % (done.returncode, done.stderr[-2000:])
    return json.loads(done.stdout), done.returncode


def brief(problems):
    return "\n".join("%s %s: %s" % (p.get("severity"), p.get("ruleId"), p.get("message")) for p in problems[:20])


def test_the_contract_passes_redocly_recommended_rules():
    report, status = lint("openapi.yaml")
    assert report["totals"]["errors"] == 0 and status == 0, brief(report["problems"])
    assert report["totals"]["warnings"] == 0, brief(report["problems"])


def test_the_lint_catches_what_the_rules_forbid():
    """The same run on a copy that breaks two recommended rules reports both: the check above
    passes because the contract is clean, not because the linter saw nothing."""
    with open(os.path.join(ROOT, "openapi.yaml"), encoding="utf-8") as f:
        text = f.read()
    broken = text.replace("  license:\n    name: MIT\n    identifier: MIT\n", "", 1)
    broken = broken.replace("\n  /v1/articles:\n", "\n  /v1/articles/:\n", 1)
    assert broken != text
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", dir=ROOT, delete=False, encoding="utf-8") as f:
        f.write(broken)
    try:
        report, status = lint(f.name)
    finally:
        os.unlink(f.name)
    rules = {p["ruleId"] for p in report["problems"]}
    assert status != 0 and "no-path-trailing-slash" in rules, brief(report["problems"])
    assert "info-license" in rules, brief(report["problems"])
