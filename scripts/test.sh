#!/usr/bin/env bash
# test.sh: what "make test" does: builds, runs every test plainly and under ASan+UBSan, ends with "N passed, M failed".
#
# Each test program prints "ok - name" / "FAIL - name ..." lines and ends with "# N passed, M failed".
# The totals count those lines; a program that crashes, times out, stops before its summary
# line or exits non-zero without a FAIL line counts as one more failure, named in a FAIL line.
#   TEST_SANITIZE=0   skip the sanitizer pass (quick local runs)
#   TEST_FUZZ_SECONDS=N  seconds each libFuzzer target runs (default 30; 0 skips fuzzing)
#   TEST_TIMEOUT=N    seconds one test program may take (default 900)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

timeout_s=${TEST_TIMEOUT:-900}
passed=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1

# Records a failure that no test program reported itself.
fail() {
    echo "FAIL - $1"
    failed=$((failed + 1))
}

# Runs one test program (NAME COMMAND...), passing its output through, and adds up its results.
run_test() {
    local name=$1 rc oks fails summary
    shift
    echo "# $name"
    set +e
    # --foreground: Ctrl-C reaches the test itself (it can clean up its servers)
    timeout --foreground -k 10 "$timeout_s" "$@" </dev/null | tee "$tmp/out"
    rc=${PIPESTATUS[0]}
    set -e
    oks=$(grep -c '^ok - ' "$tmp/out" || true)
    fails=$(grep -c '^FAIL - ' "$tmp/out" || true)
    summary=$(grep -c -E '^# [0-9]+ passed, [0-9]+ failed' "$tmp/out" || true)
    passed=$((passed + oks))
    failed=$((failed + fails))
    if [ "$rc" -eq 124 ]; then
        fail "$name (timed out after ${timeout_s}s)"
    elif [ "$rc" -gt 128 ]; then
        fail "$name (crashed: signal $((rc - 128)) SIG$(kill -l $((rc - 128)) 2>/dev/null || echo '?'))"
    elif [ "$rc" -ne 0 ] && [ "$fails" -eq 0 ]; then
        fail "$name (exited with status $rc without a FAIL line; see its error output)"
    elif [ "$summary" -eq 0 ]; then
        fail "$name (exited with status $rc before its '# N passed, M failed' line)"
    fi
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
        for t in tests/unit/test_*.c; do
            [ -f "$t" ] || continue
            t=$build/tests/$(basename "$t" .c)
            # stdbuf: line-buffered stdout, so the lines printed before a crash are not lost in
            # the pipe (libstdbuf is preloaded; ASan must not insist on coming first)
            ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 run_test "$t" stdbuf -oL "$t"
        done
    else
        fail "build of the unit tests (make -s${*:+ $*} unit)"
    fi
    for t in tests/integration/test_*.py; do
        [ -f "$t" ] || continue
        run_test "$t --khabar $build/khabar" python3 "$t" --khabar "$root/$build/khabar"
    done
}

run_pass build
# Checks of the sources (not of a binary) run once.
for t in tests/check_*.py; do
    [ -f "$t" ] || continue
    run_test "$t" python3 "$t"
done

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
    run_test "scripts/fuzz.sh" env FUZZ_SECONDS="${TEST_FUZZ_SECONDS:-30}" FUZZ_JOBS=1 scripts/fuzz.sh
else
    echo "# fuzzing skipped (TEST_FUZZ_SECONDS=0)"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
