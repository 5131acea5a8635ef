#!/usr/bin/env bash
# test.sh: what "make test" does: builds, runs every test plainly and under ASan+UBSan, ends with "N passed, M failed".
#
# Runners: each unit-test binary (build/tests/**/test_*), one pytest run over tests/integration
# per pass, one over tests/structure, one over tests/system (the images), and scripts/fuzz.sh. Their results are added up: unit tests print "ok - name" /
# "FAIL - name" (home-made macros) or TAP "ok N - name" / "not ok N - name" (cmocka), pytest
# ends with "N passed, M failed, K errors in S", the fuzz script with "# N passed, M failed".
# A runner that crashes, times out, ends without its summary (or its TAP plan) or exits
# non-zero with no failure counted is one more failure, named in a FAIL line.
#   TEST_SANITIZE=0      skip the sanitizer pass (quick local runs)
#   TEST_FUZZ_SECONDS=N  seconds each libFuzzer target runs (default 30; 0 skips fuzzing)
#   TEST_TIMEOUT=N       seconds one runner may take (default 1800)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

timeout_s=${TEST_TIMEOUT:-1800}
passed=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
export CMOCKA_MESSAGE_OUTPUT=TAP

# Records a failure that no runner reported itself.
fail() {
    echo "FAIL - $1"
    failed=$((failed + 1))
}

# Runs one runner (NAME COMMAND...) with the time limit, its output passed through and kept
# in $tmp/out; sets rc to its exit status.
run_limited() {
    local name=$1
    shift
    echo "# $name"
    set +e
    # --foreground: Ctrl-C reaches the runner itself (it can clean up its servers)
    timeout --foreground -k 10 "$timeout_s" "$@" </dev/null | tee "$tmp/out"
    rc=${PIPESTATUS[0]}
    set -e
}

# Adds up one runner's results (NAME PASSED FAILED COMPLETE): COMPLETE=0 when it ended
# without its summary; a crash, a time-out or a bare non-zero exit is one more failure.
count() {
    local name=$1 p=$2 f=$3 complete=$4
    passed=$((passed + p))
    failed=$((failed + f))
    if [ "$rc" -eq 124 ]; then
        fail "$name (timed out after ${timeout_s}s)"
    elif [ "$rc" -gt 128 ]; then
        fail "$name (crashed: signal $((rc - 128)) SIG$(kill -l $((rc - 128)) 2>/dev/null || echo '?'))"
    elif [ "$complete" -eq 0 ]; then
        fail "$name (exited with status $rc before its summary)"
    elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        fail "$name (exited with status $rc without a failure; see its error output)"
    fi
}

# A runner printing test lines: "# N passed, M failed" when it printed it, else its ok/FAIL
# and TAP lines counted (complete when the TAP plan "1..N" is covered).
run_counted() {
    local name=$1 p f plan summary complete=0
    run_limited "$@"
    summary=$(grep -E '^# [0-9]+ passed, [0-9]+ failed' "$tmp/out" | tail -n 1 || true)
    p=$(grep -c -E '^ok( [0-9]+)? - ' "$tmp/out" || true)
    f=$(grep -c -E '^(FAIL|not ok( [0-9]+)?) - ' "$tmp/out" || true)
    plan=$(grep -E '^1\.\.[0-9]+' "$tmp/out" | head -n 1 | cut -c4- || true)
    if [ -n "$summary" ]; then
        p=$(echo "$summary" | awk '{print $2}')
        f=$(echo "$summary" | awk '{print $4}')
        complete=1
    elif [ -n "$plan" ] && [ $((p + f)) -ge "$plan" ]; then
        complete=1
    fi
    count "$name" "$p" "$f" "$complete"
}

# The value before WORD in pytest's summary line (0 when absent).
pytest_field() {
    { echo "$1" | grep -oE "[0-9]+ $2" || true; } | awk '{s += $1} END {print s + 0}'
}

# pytest with the given arguments (tests/integration --khabar BIN, or tests/structure).
run_pytest() {
    local name summary p f
    name="pytest $*"
    run_limited "$name" pytest-3 -q -rfE -p no:cacheprovider "$@"
    summary=$(grep -E '[0-9]+ (passed|failed|errors?|skipped|deselected|xfailed|xpassed|warnings?)\b.* in [0-9.]+s' "$tmp/out" |
        tail -n 1 || true)
    if [ -z "$summary" ]; then
        count "$name" 0 0 0
        return
    fi
    p=$(pytest_field "$summary" passed)
    f=$(($(pytest_field "$summary" failed) + $(pytest_field "$summary" 'errors?')))
    if [ "$(pytest_field "$summary" skipped)" -gt 0 ]; then
        echo "# $name: $(pytest_field "$summary" skipped) skipped"
    fi
    # exit 1: tests failed; anything else but 0 (interrupted, usage, nothing collected) is a failure
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ] && [ "$rc" -ne 124 ] && [ "$rc" -le 128 ]; then
        fail "$name (pytest exited with status $rc)"
    fi
    count "$name" "$p" "$f" 1
}

# One pass: build with the given make arguments, then run the tests found in build dir $1.
run_pass() {
    local build=$1 t
    shift
    echo "# make -s${*:+ $*}"
    if ! make -s "$@"; then
        fail "build (make -s${*:+ $*})"
        return
    fi
    if make -s "$@" unit; then
        while IFS= read -r t; do
            # stdbuf: line-buffered stdout, so the lines printed before a crash are not lost in
            # the pipe (libstdbuf is preloaded; ASan must not insist on coming first)
            ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 run_counted "$t" stdbuf -oL "$t"
        done < <(find "$build/tests" -type f -name 'test_*' ! -name '*.*' -perm -u+x 2>/dev/null | sort)
    else
        fail "build of the unit tests (make -s${*:+ $*} unit)"
    fi
    run_pytest tests/integration --khabar "$root/$build/khabar"
}

run_pass build
# Checks of the sources themselves (the tree's shape), not of a binary: once.
run_pytest tests/structure
# The images and the compose stack, built from the sources (not from a binary): once.
run_pytest tests/system

if [ "${TEST_SANITIZE:-1}" != 0 ]; then
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    echo "# sanitizer pass (AddressSanitizer + UndefinedBehaviorSanitizer)"
    run_pass build/san SANITIZE=address,undefined
else
    echo "# sanitizer pass skipped (TEST_SANITIZE=0)"
fi

# The libFuzzer targets for a bounded time (coverage levels off within ~30 s).
if [ "${TEST_FUZZ_SECONDS:-30}" != 0 ]; then
    run_counted "scripts/fuzz.sh" env FUZZ_SECONDS="${TEST_FUZZ_SECONDS:-30}" FUZZ_JOBS=2 scripts/fuzz.sh
else
    echo "# fuzzing skipped (TEST_FUZZ_SECONDS=0)"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
