#!/usr/bin/env bash
# bench_compare.sh: two khabar builds side by side on one archive, in alternating rounds, so that
# a change can be told from the machine's noise ("make bench-compare BEFORE=path/to/old/khabar").
#
# Loads BENCH_COMPARE_COUNT synthetic articles (scripts/synth.py) into a private PostgreSQL, once
# per build (each migrating its own database), then
# for BENCH_COMPARE_ROUNDS rounds runs each query against BEFORE, then AFTER (the order swapped
# every other round), each build started afresh on its own database:
#   GET by id over a 2,000-article sample with the answer cache hot; GET by id over the whole
#   archive, the newest 20, a tag on a third of the archive, the largest source, one month and a
#   rare-word and a common-word search, without the
#   cache (so the statements are measured) — wrk -t2 -cBENCH_CONNECTIONS -dBENCH_DURATION.
# Prints each figure's median requests/s for both builds and their ratio (AFTER / BEFORE).
#   BEFORE=path (required)   AFTER=path (default build/khabar)
#   BENCH_COMPARE_COUNT=20000  BENCH_COMPARE_ROUNDS=3  BENCH_DURATION=5s  BENCH_CONNECTIONS=32
#   BENCH_COMPARE_ONLY=regex   only the figures whose name matches (e.g. 'cache hot')
#   BEFORE_URL=url AFTER_URL=url   databases each build has already migrated and loaded with
#                              the same synth.py archive (nothing is loaded; a million-article
#                              comparison then costs minutes, not two imports)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
me=bench-compare
say() { echo "$me: $*" >&2; }
die() { echo "$me: $*" >&2; exit 1; }

before=${BEFORE:?set BEFORE to the khabar binary to compare against}
after=${AFTER:-build/khabar}
count=${BENCH_COMPARE_COUNT:-20000}
rounds=${BENCH_COMPARE_ROUNDS:-3}
duration=${BENCH_DURATION:-5s}
conns=${BENCH_CONNECTIONS:-32}
[ -x "$before" ] || die "$before is not an executable"
[ -x "$after" ] || die "$after is not an executable (build it with make)"
command -v wrk >/dev/null 2>&1 || scripts/install-deps.sh wrk >&2 || die "wrk is missing and could not be installed"

tmp=$(mktemp -d /tmp/khabar-compare-XXXXXX)
chmod 755 "$tmp"
# Copies: a rebuild during the run must not change what is measured.
cp "$before" "$tmp/before"
cp "$after" "$tmp/after"
pid=""
cleanup() {
    local rc=$?
    [ -z "$pid" ] || { kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; }
    scripts/pg.sh stop "$tmp/pg" >/dev/null 2>&1 || true
    rm -rf "$tmp"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Each build on an archive its own migrations made (the same articles, the same ids): a
# build before a schema change runs with the indexes its statements were written for.
if [ -n "${BEFORE_URL:-}" ] && [ -n "${AFTER_URL:-}" ]; then
    before_url=$BEFORE_URL
    after_url=$AFTER_URL
    count=$(psql "$after_url" -X -A -t -c "SELECT count(*) FROM articles")
else
    after_url=$(scripts/pg.sh start "$tmp/pg" | tail -n 1)
    before_url=${after_url%/*}/khabar_before
    psql "$after_url" -X -q -c "CREATE DATABASE khabar_before" >&2
    python3 scripts/synth.py --count "$count" --seed 1 --body-words 120 >"$tmp/articles.ndjson"
fi
load() {
    local build=$1 url=$2
    DATABASE_URL=$url "$tmp/$build" migrate >&2 || die "khabar migrate ($build) failed"
    DATABASE_URL=$url "$tmp/$build" import "$tmp/articles.ndjson" >&2 2>"$tmp/import.err" ||
        die "import ($build) failed: $(tail -n 3 "$tmp/import.err")"
    psql "$url" -X -q -c "VACUUM ANALYZE" >&2
}
if [ -z "${BEFORE_URL:-}" ] || [ -z "${AFTER_URL:-}" ]; then
    load before "$before_url"
    load after "$after_url"
fi
url_of() { if [ "$1" = "$tmp/before" ]; then echo "$before_url"; else echo "$after_url"; fi; }
DATABASE_URL=$after_url

q() { psql "$DATABASE_URL" -X -A -t -c "$1"; }
enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
q "SELECT id FROM articles ORDER BY random() LIMIT 2000" >"$tmp/ids.txt"
range=$(q "SELECT min(id) || ' ' || max(id) FROM articles")
tag=$(python3 -c 'import sys; sys.path.insert(0, "scripts"); import synth; print(synth.POPULAR_TAG)')
word=$(python3 -c 'import sys; sys.path.insert(0, "scripts"); import synth; print(synth.rare_word(1))')
# the common word of make bench's search row (in about 3% of 120-word bodies)
common=$(python3 -c 'import sys; sys.path.insert(0, "scripts"); import synth; print(synth.word_with_share(0.03, 120, 1))')
cat >"$tmp/sample.lua" <<EOF
local ids = {}
for line in io.lines("$tmp/ids.txt") do ids[#ids + 1] = line end
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
request = function() return wrk.format("GET", "/v1/articles/" .. ids[math.random(#ids)]) end
EOF
cat >"$tmp/any.lua" <<EOF
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
request = function() return wrk.format("GET", "/v1/articles/" .. math.random(${range% *}, ${range#* })) end
EOF

# name, cache (1: on), what wrk is given (a script or a path)
source=$(q "SELECT name FROM sources ORDER BY article_count DESC, id LIMIT 1")
names=("GET by id, cache hot" "GET by id, cache off" "newest 20" "tag on a third" "source" "one month"
    "search, rare word" "search, common word")
caches=(1 0 0 0 0 0 0 0)
targets=("-s $tmp/sample.lua /v1/articles" "-s $tmp/any.lua /v1/articles" "/v1/articles"
    "/v1/articles?tag=$(enc "$tag")" "/v1/articles?source=$(enc "$source")"
    "/v1/articles?from=2020-03-01T00:00:00Z&to=2020-03-31T23:59:59Z" "/v1/articles?q=$(enc "$word")"
    "/v1/articles?q=$(enc "$common")")

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
start() {
    local bin=$1 cache=$2
    DATABASE_URL=$(url_of "$bin") PORT=$port LISTEN_ADDR=127.0.0.1 LOG_FORMAT=json RATE_LIMIT=0 PER_CLIENT_CONNECTIONS=65536 \
        MAX_CONNECTIONS=4096 CACHE_BYTES=$([ "$cache" = 1 ] && echo 268435456 || echo 0) \
        "$bin" serve >>"$tmp/server.log" 2>&1 &
    pid=$!
    for _ in $(seq 100); do
        curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && return 0
        sleep 0.1
    done
    die "$bin did not start"
}
stop() { kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; pid=""; }

# measure BUILD ROUND: one figure per query into results.tsv.
measure() {
    local build=$1 i script path out rps
    for i in "${!names[@]}"; do
        [[ ${names[$i]} =~ ${BENCH_COMPARE_ONLY:-.} ]] || continue
        start "$tmp/$build" "${caches[$i]}"
        read -r -a args <<<"${targets[$i]}"
        path=${args[-1]}
        unset 'args[-1]'
        wrk -t2 -c8 -d2s "${args[@]}" "http://127.0.0.1:$port$path" >/dev/null 2>&1 || true
        out=$(wrk -t2 -c"$conns" -d"$duration" --latency "${args[@]}" "http://127.0.0.1:$port$path" 2>&1) || die "wrk: $out"
        echo "$out" >"$tmp/wrk.txt"
        read -r rps _ < <(python3 scripts/wrk_figures.py --max-bad-share 0.01 "$tmp/wrk.txt")
        printf '%s\t%s\t%s\n' "$build" "${names[$i]}" "$rps" >>"$tmp/results.tsv"
        say "$build: ${names[$i]}: $rps req/s"
        stop
    done
}

: >"$tmp/results.tsv"
for r in $(seq "$rounds"); do
    say "round $r of $rounds (load: $(cut -d' ' -f1-3 /proc/loadavg))"
    if [ $((r % 2)) -eq 1 ]; then measure before; measure after; else measure after; measure before; fi
done

python3 - "$tmp/results.tsv" "$before" "$after" "$count" "$rounds" <<'EOF'
import statistics, sys
path, before, after, count, rounds = sys.argv[1:]
figures = {}
for line in open(path):
    build, name, rps = line.rstrip("\n").split("\t")
    figures.setdefault(name, {}).setdefault(build, []).append(float(rps))
print("%s articles, %s rounds; median req/s of each build" % (count, rounds))
print("| figure | before (%s) | after (%s) | after / before | rounds, before | rounds, after |" % (before, after))
print("|---|--:|--:|--:|---|---|")
for name, by in figures.items():
    b, a = statistics.median(by["before"]), statistics.median(by["after"])
    print("| %s | %.0f | %.0f | %.2f | %s | %s |" % (name, b, a, a / b if b else 0,
          " ".join("%.0f" % x for x in by["before"]), " ".join("%.0f" % x for x in by["after"])))
EOF
