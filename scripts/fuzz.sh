#!/usr/bin/env bash
# fuzz.sh: what "make fuzz" does: builds the libFuzzer targets of tests/fuzz/ (clang, ASan +
# UBSan) into build/fuzz/ and runs each for a bounded time from its checked-in seed corpus.
#
# Prints, per target, runs, exec/s, coverage (cov:, ft:), new corpus units and crashes, then
# "ok - fuzz_NAME: ..." or "FAIL - fuzz_NAME: ..." and at the end "# N passed, M failed", as
# scripts/test.sh expects of a test program. Exits non-zero on any crash, leak, timeout or
# out-of-memory, leaving the input that caused it in build/fuzz/artifacts/.
#   FUZZ_SECONDS=N    seconds each target runs (default 60)
#   FUZZ_TARGETS=...  which targets (default "body text")
#   FUZZ_JOBS=2       run the targets side by side instead of one after the other
#   FUZZ_TIMEOUT=N    seconds one input may take before it counts as a hang (default 10)
#   FUZZ_KEEP_CORPUS=1  start from build/fuzz/corpus-NAME as the last run left it (default: fresh)
#   FUZZ_CC=clang     the compiler (needs libFuzzer: Debian package libclang-rt-14-dev)
# The seeds in tests/fuzz/corpus/NAME/ are only read; what the fuzzer finds goes to
# build/fuzz/corpus-NAME/. To replay one input: build/fuzz/fuzz_NAME FILE
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

seconds=${FUZZ_SECONDS:-60}
targets=${FUZZ_TARGETS:-body text}
jobs=${FUZZ_JOBS:-1}
timeout_s=${FUZZ_TIMEOUT:-10}
cc=${FUZZ_CC:-clang}
out=build/fuzz
passed=0
failed=0

case $seconds in '' | *[!0-9]*) echo "fuzz: FUZZ_SECONDS must be a whole number" >&2; exit 2 ;; esac

# Records a failure (a line scripts/test.sh counts).
fail() {
    echo "FAIL - $1"
    failed=$((failed + 1))
}

summary() {
    echo "# $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}

# What each target is built from and how long its inputs may be.
sources_of() {
    case $1 in
    body) echo server/model/*.c server/text/*.c server/infra/strict_json.c server/http/cursor.c ;;
    text) echo server/text/*.c ;;
    *) return 1 ;;
    esac
}
max_len_of() {
    case $1 in
    body) echo 65536 ;;
    text) echo 4096 ;;
    esac
}

# ---- build ----

san="-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all"
if pkg-config --exists jansson libutf8proc libcmark libxml-2.0 2>/dev/null; then
    pkg_cflags=$(pkg-config --cflags jansson libutf8proc libcmark libxml-2.0)
    pkg_libs=$(pkg-config --libs jansson libutf8proc libcmark libxml-2.0)
else
    pkg_cflags="-I/usr/include/libxml2"
    pkg_libs="-ljansson -lutf8proc -lcmark -lxml2"
fi
warn="-Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes"
cflags="-g -O1 -fno-omit-frame-pointer $san -std=c11 -D_GNU_SOURCE -Iinclude $pkg_cflags"

build() {
    local t src obj objs
    if ! command -v "$cc" >/dev/null 2>&1; then
        echo "fuzz: $cc not found (Debian: apt-get install clang libclang-rt-14-dev, or make deps)" >&2
        return 1
    fi
    mkdir -p "$out/obj"
    # the server sources the targets need, with the same instrumentation
    for src in server/model/*.c server/text/*.c server/infra/strict_json.c server/http/cursor.c; do
        obj=$out/obj/$(echo "${src#server/}" | tr / _ | sed 's/\.c$/.o/')
        # shellcheck disable=SC2086
        $cc $cflags $warn -c -o "$obj" "$src" || return 1
    done
    for t in $targets; do
        objs=""
        for src in $(sources_of "$t"); do
            objs="$objs $out/obj/$(echo "${src#server/}" | tr / _ | sed 's/\.c$/.o/')"
        done
        # shellcheck disable=SC2086
        $cc $cflags $warn -Werror -o "$out/fuzz_$t" "tests/fuzz/fuzz_$t.c" $objs $pkg_libs -lm ||
            return 1
    done
}

for t in $targets; do
    if ! sources_of "$t" >/dev/null; then
        echo "fuzz: unknown target '$t' (known: body text)" >&2
        exit 2
    fi
done

echo "# building fuzz targets ($cc, ASan + UBSan + libFuzzer) into $out/"
if ! build; then
    fail "fuzz build (see the compiler output above)"
    summary
    exit 1
fi

# ---- run ----

export ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=0:handle_abort=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
mkdir -p "$out/artifacts"

# Runs one target for $seconds; its output goes to $out/fuzz_NAME.log, its status to .rc.
run_target() {
    local t=$1 corpus=$out/corpus-$1 seeds=tests/fuzz/corpus/$1 dict=() rc
    [ "${FUZZ_KEEP_CORPUS:-0}" = 1 ] || rm -rf "$corpus"
    mkdir -p "$corpus"
    [ -f "tests/fuzz/$t.dict" ] && dict=("-dict=tests/fuzz/$t.dict")
    set +e
    "$out/fuzz_$t" -max_total_time="$seconds" -max_len="$(max_len_of "$t")" \
        -timeout="$timeout_s" -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$out/artifacts/fuzz_$t-" "${dict[@]}" \
        "$corpus" "$seeds" >"$out/fuzz_$t.log" 2>&1 </dev/null
    rc=$?
    set -e
    echo "$rc" >"$out/fuzz_$t.rc"
}

# The value of "stat::NAME: value" in a log.
stat_of() {
    sed -n "s/^stat::$2: *//p" "$1" | tail -n 1
}

# Reports one finished target: the figures, then its ok/FAIL line.
report() {
    local t=$1 log=$out/fuzz_$1.log rc runs secs eps cov ft units seeds total artifact what
    rc=$(cat "$out/fuzz_$t.rc" 2>/dev/null || echo 1)
    runs=$(stat_of "$log" number_of_executed_units)
    eps=$(stat_of "$log" average_exec_per_sec)
    secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
    # the last status line: "#1234 DONE cov: 567 ft: 890 corp: 12/3456b ..."
    cov=$(sed -n 's/^#[0-9].* cov: \([0-9]*\).*/\1/p' "$log" | tail -n 1)
    ft=$(sed -n 's/^#[0-9].* ft: \([0-9]*\).*/\1/p' "$log" | tail -n 1)
    units=$(stat_of "$log" new_units_added)
    seeds=$(find "tests/fuzz/corpus/$t" -type f | wc -l)
    total=$(find "$out/corpus-$t" -type f | wc -l)
    artifact=$(sed -n 's/.*Test unit written to \([^ ]*\).*/\1/p' "$log" | tail -n 1)
    : "${runs:=?}" "${eps:=?}" "${secs:=$seconds}" "${cov:=?}" "${ft:=?}" "${units:=?}"
    if [ "$rc" -eq 0 ] && [ -z "$artifact" ]; then
        echo "# fuzz_$t: $runs runs in $secs s ($eps exec/s), cov: $cov ft: $ft," \
            "seeds: $seeds, new units: $units ($total kept in $out/corpus-$t), crashes: 0"
        echo "ok - fuzz_$t: $runs runs in $secs s, 0 crashes"
        passed=$((passed + 1))
        return
    fi
    what=$(grep -m 1 -E '^SUMMARY: |PROPERTY FAILED|^==[0-9]+==ERROR: libFuzzer|ERROR: libFuzzer: ' "$log" ||
        true)
    [ -n "$what" ] || what="exit status $rc"
    echo "# fuzz_$t: stopped with status $rc after $runs runs; full output in $log"
    # the sanitizer's or the property's message, and the stack frames in khabar's code
    grep -E 'PROPERTY FAILED|^  at tests/fuzz|^==[0-9]+==ERROR|runtime error:|^SUMMARY:|^ +#[0-9]+ 0x[0-9a-f]+ in .*(server|tests/fuzz)/' \
        "$log" | head -n 20 | sed -E 's/ \(BuildId: [0-9a-f]+\)//; s/^/#   /' || true
    if [ -n "$artifact" ]; then
        echo "# reproduce: $out/fuzz_$t $artifact"
    fi
    fail "fuzz_$t: $what${artifact:+ (input: $artifact)}"
}

if [ "$jobs" -gt 1 ]; then
    echo "# running: ${targets// /, } side by side, ${seconds}s each"
    pids=()
    for t in $targets; do
        run_target "$t" &
        pids+=($!)
    done
    wait "${pids[@]}" || true
else
    echo "# running: ${targets// /, } one after the other, ${seconds}s each"
fi
for t in $targets; do
    [ "$jobs" -gt 1 ] || run_target "$t"
    report "$t"
done

summary
