#!/usr/bin/env bash
# bench_soak.sh: mixed load for BENCH_SOAK (default 600s) at half the mix's maximum
# throughput (called by scripts/bench.sh once the first archive is loaded; not run on its own).
#
# The mix, per request (stated in the report): 80% reads (60% GET by id over the 2,000
# newest, 10% lists: newest, a tag, a section; 10% feeds: RSS, Atom of a tag), 10%
# searches (a common word and one other, a new URL each time), 5% suggestions, 5% writes
# (PUT of one of 50 articles made for the soak, with tags, sources, an author and a
# section: the archive does not grow). Its maximum is measured for 10 s, then wrk runs it
# with a pause per connection that gives about half. Beside it, GET by id over the same
# ids at about 1,000 requests/s, measured a minute at a time (its p99 each minute); the
# server's resident memory and answer cache every 10 s. A fresh khabar with the default
# settings (RATE_LIMIT off: every request comes from one address).
# Writes one line per figure to $BENCH_TMP/soak-results.tsv: name, value, target.
set -euo pipefail

: "${BENCH_TMP:?}" "${BENCH_BIN:?}" "${DATABASE_URL:?}"
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
tmp=$BENCH_TMP/soak
rm -rf "$tmp"
mkdir -p "$tmp"
me=bench-soak
soak_s=${BENCH_SOAK:-600s}
soak_s=${soak_s%s}
out=$BENCH_TMP/soak-results.tsv
: >"$out"

say() { echo "$me: $*" >&2; }
die() { echo "$me: $*" >&2; exit 1; }
q() { psql "$DATABASE_URL" -X -A -t -c "$1"; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }

server_pid=""
cleanup_soak() {
    [ -z "$server_pid" ] || kill -TERM "$server_pid" 2>/dev/null || true
    wait 2>/dev/null || true
}
trap cleanup_soak EXIT

port=$(free_port)
base=http://127.0.0.1:$port
PORT=$port LISTEN_ADDR=127.0.0.1 LOG_FORMAT=json RATE_LIMIT=0 PER_CLIENT_CONNECTIONS=65536 \
    MAX_CONNECTIONS=4096 API_TOKENS=bench-soak WEBHOOK_WORKERS=0 "$BENCH_BIN" serve >"$tmp/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
    curl -fsS -o /dev/null "$base/healthz" 2>/dev/null && break
    sleep 0.1
done
curl -fsS -o /dev/null "$base/healthz" || die "khabar serve did not start ($tmp/server.log)"

# ---- what the mix asks for -----------------------------------------------------------------
writer=(-H "Authorization: Bearer bench-soak" -H "Content-Type: application/json")
curl -fsS -o /dev/null "${writer[@]}" -d '{"name": "كاتب الاختبار الطويل", "slug": "soak-writer"}' "$base/v1/authors" || true
curl -fsS -o /dev/null "${writer[@]}" -d '{"name": "قسم الاختبار الطويل", "slug": "soak-desk"}' "$base/v1/sections" || true
article() {
    printf '{"title": "خبر الاختبار الطويل %s", "summary": "ملخص الخبر", "body": "نص الخبر **للاختبار** في فقرة واحدة عن الأسواق والطاقة.", "tags": ["اختبار", "طاقة"], "sources": ["وكالة الاختبار"], "authors": ["soak-writer"], "section": "soak-desk", "published_at": "2020-01-01T00:00:00Z"}' "$1"
}
: >"$tmp/write-ids.txt"
for i in $(seq 50); do
    curl -fsS "${writer[@]}" -d "$(article "$i")" "$base/v1/articles" |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])' >>"$tmp/write-ids.txt" ||
        die "cannot create the soak's articles"
done
q "SELECT id FROM articles WHERE visible ORDER BY published_at DESC, id DESC LIMIT 2000" >"$tmp/ids.txt"
common=$(python3 -c 'import sys; sys.path.insert(0, "scripts"); import synth; print(synth.word_with_share(0.03, 120, 1))')
popular=$(python3 -c 'import sys; sys.path.insert(0, "scripts"); import synth; print(synth.POPULAR_TAG)')
cat >"$tmp/mix.lua" <<EOF
local ids, writes = {}, {}
for line in io.lines("$tmp/ids.txt") do ids[#ids + 1] = line end
for line in io.lines("$tmp/write-ids.txt") do writes[#writes + 1] = line end
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
local lists = { "/v1/articles", "/v1/articles?tag=$(enc "$popular")", "/v1/articles?section=section-1" }
local feeds = { "/v1/feeds/rss", "/v1/feeds/atom?tag=$(enc "$popular")" }
local words = { "$(enc "$common")", "$(enc "الحكومة")" }
local prefixes = { "$(enc "ا")", "$(enc "ال")", "$(enc "الح")", "$(enc "وس")" }
local body = '$(article soak)'
local auth = { ["Authorization"] = "Bearer bench-soak", ["Content-Type"] = "application/json" }
request = function()
    local r = math.random(100)
    if r <= 60 then return wrk.format("GET", "/v1/articles/" .. ids[math.random(#ids)]) end
    if r <= 70 then return wrk.format("GET", lists[math.random(#lists)]) end
    if r <= 80 then return wrk.format("GET", feeds[math.random(#feeds)]) end
    if r <= 90 then
        return wrk.format("GET", "/v1/articles?q=" .. words[math.random(#words)] .. "%20or%20zz" .. math.random(1, 1000000000))
    end
    if r <= 95 then return wrk.format("GET", "/v1/suggest?q=" .. prefixes[math.random(#prefixes)]) end
    return wrk.format("PUT", "/v1/articles/" .. writes[math.random(#writes)], auth, body)
end
EOF
{
    cat "$tmp/mix.lua"
    echo 'delay = function() return tonumber(os.getenv("SOAK_DELAY_MS")) end'
} >"$tmp/mix-paced.lua"
cat >"$tmp/by-id.lua" <<EOF
local ids = {}
for line in io.lines("$tmp/ids.txt") do ids[#ids + 1] = line end
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
request = function() return wrk.format("GET", "/v1/articles/" .. ids[math.random(#ids)]) end
-- 8 connections pausing 8 ms: about 1,000 requests/s
delay = function() return 8 end
EOF

# ---- the maximum, then half of it ------------------------------------------------------------
conns=32
wrk -t2 -c"$conns" -d10s --latency -s "$tmp/mix.lua" "$base" >"$tmp/mix-max.txt" 2>&1 || die "wrk (mix) failed"
max_rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\)/\1/p' "$tmp/mix-max.txt")
# each connection: latency + pause per request; a pause of conns / (max / 2) seconds alone
# gives half the maximum, a little less with the latency added
delay_ms=$(python3 -c "print(max(1, round(1000 * $conns / ($max_rps / 2))))")
say "the mix at most $max_rps req/s; a pause of $delay_ms ms per connection for half of it, for $soak_s s"

rss() { awk '/^VmRSS/ { print $2 }' "/proc/$server_pid/status"; }
metric() { curl -fsS "$base/metrics" | awk -v m="$1" '$1 == m { print $2 }'; }
SOAK_DELAY_MS=$delay_ms wrk -t2 -c"$conns" -d"${soak_s}s" --latency -s "$tmp/mix-paced.lua" "$base" >"$tmp/mix.txt" 2>&1 &
mix_pid=$!
(
    minutes=$(((soak_s + 59) / 60))
    for m in $(seq "$minutes"); do
        left=$((soak_s - (m - 1) * 60))
        [ "$left" -gt 60 ] && left=60
        wrk -t1 -c8 -d"${left}s" --latency -s "$tmp/by-id.lua" "$base" >"$tmp/by-id-$m.txt" 2>&1 || true
    done
) &
by_id_pid=$!
: >"$tmp/memory.tsv"
t0=$(date +%s)
while kill -0 "$mix_pid" 2>/dev/null; do
    printf '%s\t%s\t%s\t%s\n' "$(($(date +%s) - t0))" "$(rss)" "$(metric khabar_cache_bytes)" \
        "$(metric khabar_cache_max_bytes)" >>"$tmp/memory.tsv"
    sleep 10
done
wait "$mix_pid" || die "wrk (mix) failed: $(tail -n 3 "$tmp/mix.txt")"
wait "$by_id_pid" || true

# ---- the figures -----------------------------------------------------------------------------
python3 - "$tmp" "$max_rps" "$delay_ms" >>"$out" <<'EOF'
import glob, os, re, sys
tmp, max_rps, delay_ms = sys.argv[1], float(sys.argv[2]), sys.argv[3]
sys.path.insert(0, "scripts")
import wrk_figures
def figures(path):
    text = open(path, encoding="utf-8").read()
    rps = float(re.search(r"Requests/sec:\s*([0-9.]+)", text).group(1))
    def ms(pct):
        return wrk_figures.ms(re.search(r"^\s*%s%%\s+(\S+)" % pct, text, re.M).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", text)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    requests = int(re.search(r"(\d+) requests in", text).group(1))
    return rps, ms(50), ms(99), int(bad.group(1)) if bad else 0, sum(map(int, errors.groups())) if errors else 0, requests
rps, p50, p99, bad, errs, n = figures(os.path.join(tmp, "mix.txt"))
print("mix (80/10/5/5) at half its maximum (%.0f req/s; pause %s ms)\t%.0f req/s, p50 %.2f ms, p99 %.2f ms\t-" % (max_rps, delay_ms, rps, p50, p99))
print("mix: answers not 2xx, socket errors\t%d of %d, %d\t0" % (bad, n, errs))
p99s = []
for path in sorted(glob.glob(os.path.join(tmp, "by-id-*.txt")), key=lambda p: int(re.search(r"(\d+)\.txt$", p).group(1))):
    r = figures(path)
    p99s.append(r[2])
    bad += r[3]
print("GET by id beside it, p99 each minute (ms)\t%s (worst %.2f)\tp99<5ms" % (", ".join("%.2f" % x for x in p99s), max(p99s)))
rows = [line.split("\t") for line in open(os.path.join(tmp, "memory.tsv"), encoding="utf-8")]
rows = [(int(t), int(r), int(c or 0), int(m or 0)) for t, r, c, m in rows if r]
late = [r for t, r, c, m in rows if t >= 60] or [rows[-1][1]]
print("resident memory after the first minute (KiB): least, most, spread\t%d, %d, %.1f%%\tspread<5%%" % (
    min(late), max(late), 100.0 * (max(late) - min(late)) / min(late)))
print("answer cache, most seen against CACHE_BYTES (bytes)\t%d of %d\tat most CACHE_BYTES" % (
    max(c for t, r, c, m in rows), rows[-1][3]))
EOF
say "$(cat "$out")"
