#!/usr/bin/env bash
# bench_read.sh: the read path side by side with this machine's limits, in one run
# (called by scripts/bench.sh once the first archive is loaded; not run on its own).
#
# BENCH_BASE is a khabar without the answer cache; this starts one with a cache that holds the
# hot set (hot) and one with the default CACHE_BYTES (uniform). In BENCH_ROUNDS back-to-back
# rounds (default 5; the machine's load printed before each figure, the hot set warmed again
# before each round), each with wrk -t2 -c64 (BENCH_READ_CONNECTIONS) for BENCH_DURATION:
#   - GET /v1/articles/{id} over the BENCH_SAMPLE_IDS newest articles (a news site's working
#     set) with the answer cache hot, against nginx serving the same bytes as static files
#     for the same ids (the same wrk script), its access log on, one line per request to a
#     file, gathered and written as khabar gathers its lines (buffer=1m flush=LOG_FLUSH_MS,
#     khabar's default unless LOG_FLUSH_MS is set; 0: one write a line on both sides);
#   - GET by an id drawn uniformly from the whole archive, with the default CACHE_BYTES
#     (mostly misses) and with the cache off, against pgbench running khabar's own statement
#     for one article (STMT_ARTICLE_BY_ID, read from server/db/statements.c) with wrk's
#     clients and threads;
#   - the site feed (RSS) and a section's front with the answer cache hot, against nginx
#     serving the same bytes as files;
#   each pair's figure is the round with the median ratio (single runs here move a ratio by
#   a quarter);
#   - the p99 of GET by id at about 2,000 requests/s while searches for a common word run
#     beside it;
#   - khabar import of BENCH_IMPORT_COUNT articles into an empty archive against psql \copy
#     of the same rows into khabar's own tables (and, for scale, of the input into a plain
#     table), each into a database of its own;
#   - khabar's resident memory after all of it.
# Writes one line per figure to $BENCH_TMP/read-results.tsv:
#   name, khabar req/s, p50 ms, p99 ms, baseline name, baseline req/s, p50, p99, target ratio
set -euo pipefail

: "${BENCH_TMP:?}" "${BENCH_BIN:?}" "${DATABASE_URL:?}" "${BENCH_BASE:?}"
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
tmp=$BENCH_TMP
me=bench
duration=${BENCH_DURATION:-10s}
conns=${BENCH_READ_CONNECTIONS:-64}
import_count=${BENCH_IMPORT_COUNT:-100000}
sample=${BENCH_SAMPLE_IDS:-2000}
rounds=${BENCH_ROUNDS:-5}
out=$tmp/read-results.tsv
: >"$out"

say() { echo "$me: $*" >&2; }
die() { echo "$me: $*" >&2; exit 1; }
q() { psql "$DATABASE_URL" -X -A -t -c "$1"; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

nginx_pid=""
hot_pid=""
uniform_pid=""
cleanup_read() {
    [ -z "$nginx_pid" ] || kill -QUIT "$nginx_pid" 2>/dev/null || true
    [ -z "$hot_pid" ] || kill -TERM "$hot_pid" 2>/dev/null || true
    [ -z "$uniform_pid" ] || kill -TERM "$uniform_pid" 2>/dev/null || true
    wait 2>/dev/null || true
}
trap cleanup_read EXIT

# start_khabar PORT LOG [VAR=VALUE...]: a khabar serve on PORT, once it answers /healthz.
start_khabar() {
    local port=$1 logfile=$2
    shift 2
    env PORT="$port" LISTEN_ADDR=127.0.0.1 LOG_FORMAT=json RATE_LIMIT=0 PER_CLIENT_CONNECTIONS=65536 \
        MAX_CONNECTIONS=4096 WEBHOOK_WORKERS=0 "$@" "$BENCH_BIN" serve >"$logfile" 2>&1 &
    started_pid=$!
    for _ in $(seq 100); do
        curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && return 0
        sleep 0.1
    done
    die "khabar serve on port $port did not start ($logfile)"
}
hot_port=$(free_port)
start_khabar "$hot_port" "$tmp/server-hot.log" CACHE_BYTES=$((256 * 1024 * 1024))
hot_pid=$started_pid
hot=http://127.0.0.1:$hot_port
uniform_port=$(free_port)
start_khabar "$uniform_port" "$tmp/server-uniform.log"
uniform_pid=$started_pid
uniform=http://127.0.0.1:$uniform_port

# The machine's load averages (1, 5 and 15 minutes), shown before each figure.
load_now() { cut -d' ' -f1-3 /proc/loadavg; }

# wrk_figures FILE: "req/s p50_ms p99_ms" of a wrk --latency output. Ids picked over the
# whole id range may miss a few (ids an import left unused): 404s up to 1% are the same
# misses pgbench's random ids meet.
wrk_figures() {
    local figures
    figures=$(python3 scripts/wrk_figures.py --max-bad-share 0.01 "$1") || return 1
    echo "${figures% * * *}"
}

# run_wrk NAME URL SCRIPT [wrk options]: wrk's figures, after a short warm-up.
run_wrk() {
    local name=$1 url=$2 script=$3
    shift 3
    IDS_FILE=$tmp/ids.txt wrk -t2 -c16 -d2s -s "$script" "$url" >/dev/null 2>&1 || true
    IDS_FILE=$tmp/ids.txt wrk "$@" -d"$duration" --latency -s "$script" "$url" >"$tmp/read-$name.txt" 2>&1 ||
        die "wrk failed: $(tail -n 3 "$tmp/read-$name.txt")"
    wrk_figures "$tmp/read-$name.txt" || die "wrk $name: $(tail -n 3 "$tmp/read-$name.txt")"
}

# ---- the ids, and the same bytes as static files ----------------------------------------
q "SELECT id FROM articles WHERE visible ORDER BY published_at DESC, id DESC LIMIT $sample" >"$tmp/ids.txt"
mkdir -p "$tmp/static/v1/articles"
python3 - "$hot" "$tmp/ids.txt" "$tmp/static/v1/articles" <<'EOF'
import sys, urllib.request
base, ids, dest = sys.argv[1:]
for line in open(ids):
    i = line.strip()
    with urllib.request.urlopen("%s/v1/articles/%s" % (base, i), timeout=30) as r:
        open("%s/%s" % (dest, i), "wb").write(r.read())
EOF
# the hot single pages: their bytes as files too
single_pages="/v1/feeds/rss /v1/sections/section-1/front"
for page in $single_pages; do
    mkdir -p "$tmp/static$(dirname "$page")"
    curl -fsS -o "$tmp/static$page" "$hot$page" || die "GET $page on the cached khabar failed"
done
avg=$(python3 -c "import os, sys; d = sys.argv[1]; f = os.listdir(d); print(sum(os.path.getsize(os.path.join(d, x)) for x in f) // len(f))" "$tmp/static/v1/articles")
say "$(wc -l <"$tmp/ids.txt") sample articles, $avg bytes on average"

# sample_lua FILE [DELAY_MS]: a wrk script asking for a random article of the sample
# (IDS_FILE) each request, each connection pausing DELAY_MS between requests if given.
sample_lua() {
    cat >"$1" <<EOF
local ids = {}
for line in io.lines(os.getenv("IDS_FILE")) do ids[#ids + 1] = line end
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
request = function()
    return wrk.format("GET", "/v1/articles/" .. ids[math.random(#ids)])
end
EOF
    [ -z "${2:-}" ] || echo "delay = function() return $2 end" >>"$1"
}
sample_lua "$tmp/random-id.lua"
# the URL wrk was given, each request
echo 'request = function() return wrk.format("GET", wrk.path) end' >"$tmp/one-url.lua"
range=$(q "SELECT min(id) || ' ' || max(id) FROM articles")
cat >"$tmp/any-id.lua" <<EOF
-- any article of the archive, each request (as pgbench's \\set id random(...))
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
request = function()
    return wrk.format("GET", "/v1/articles/" .. math.random(${range% *}, ${range#* }))
end
EOF

nginx_port=$(free_port)
flush_ms=${LOG_FLUSH_MS:-$("$BENCH_BIN" --help 2>&1 | sed -n 's/^ *LOG_FLUSH_MS *default: *\([0-9]*\).*/\1/p' | head -n 1)}
[[ $flush_ms =~ ^[0-9]+$ ]] || die "cannot tell khabar's LOG_FLUSH_MS default from '$BENCH_BIN --help'"
log_buffer=""
[ "$flush_ms" -eq 0 ] || log_buffer=" buffer=1m flush=${flush_ms}ms"
mkdir -p "$tmp/nginx/temp"
chmod -R a+rX "$tmp/static"
chmod 777 "$tmp/nginx/temp"
cat >"$tmp/nginx/nginx.conf" <<EOF
worker_processes auto;
events { worker_connections 4096; }
http {
    log_format line '\$remote_addr "\$request" \$status \$body_bytes_sent \$request_time';
    access_log $tmp/nginx/access.log line$log_buffer;
    client_body_temp_path $tmp/nginx/temp/body;
    proxy_temp_path $tmp/nginx/temp/proxy;
    fastcgi_temp_path $tmp/nginx/temp/fastcgi;
    uwsgi_temp_path $tmp/nginx/temp/uwsgi;
    scgi_temp_path $tmp/nginx/temp/scgi;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$nginx_port;
        root $tmp/static;
        default_type application/json;
    }
}
EOF
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
"$nginx_bin" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log" \
    -g "daemon off; pid $tmp/nginx/nginx.pid; error_log $tmp/nginx/error.log;" &
nginx_pid=$!
for _ in $(seq 50); do
    curl -fsS -o /dev/null "http://127.0.0.1:$nginx_port/v1/articles/$(head -n 1 "$tmp/ids.txt")" 2>/dev/null && break
    sleep 0.1
done

# ---- khabar's statement for one article, for pgbench ---------------------------------------
cat >"$tmp/print_sql.c" <<'EOF'
#include <stdio.h>
#include "internal.h"
int main(void) { fputs(db_statements[STMT_ARTICLE_BY_ID].sql, stdout); return 0; }
EOF
cc -I include -I server/db $(pkg-config --cflags libpq jansson 2>/dev/null || echo -I/usr/include/postgresql) \
    -o "$tmp/print_sql" "$tmp/print_sql.c" server/db/statements.c || die "cannot build the statement printer"
{
    echo "\\set id random(${range% *}, ${range#* })"
    "$tmp/print_sql" | sed 's/\$1/:id/g'
    echo ";"
} >"$tmp/pgbench-article.sql"

# run_pgbench NAME SCRIPT: "tps average_ms" of pgbench with wrk's clients and threads, after a
# short warm-up.
run_pgbench() {
    local name=$1 script=$2 tps lat
    pgbench -n -M prepared -c "$conns" -j 2 -T 2 -f "$script" "$DATABASE_URL" >/dev/null 2>&1 || true
    pgbench -n -M prepared -c "$conns" -j 2 -T "${duration%s}" -f "$script" "$DATABASE_URL" >"$tmp/pgbench-$name.txt" 2>&1 ||
        die "pgbench failed: $(tail -n 3 "$tmp/pgbench-$name.txt")"
    tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$tmp/pgbench-$name.txt" | head -n 1)
    lat=$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' "$tmp/pgbench-$name.txt" | head -n 1)
    echo "$tps $lat"
}

# ---- GET by id in rounds: the hot set against nginx, uniform ids against pgbench -----------
# One line per pair and round: pair, round, load, khabar req/s, p50, p99, the baseline's
# figure, its p50, its p99. run_wrk's warm-up before each figure warms the hot set again.
rounds_file=$tmp/read-rounds.tsv
: >"$rounds_file"
for r in $(seq "$rounds"); do
    l=$(load_now)
    read -r k_rps k_p50 k_p99 < <(run_wrk "khabar-hot-$r" "$hot" "$tmp/random-id.lua" -t2 -c"$conns")
    read -r n_rps n_p50 n_p99 < <(run_wrk "nginx-$r" "http://127.0.0.1:$nginx_port" "$tmp/random-id.lua" -t2 -c"$conns")
    printf 'hot\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$l" "$k_rps" "$k_p50" "$k_p99" "$n_rps" "$n_p50" "$n_p99" >>"$rounds_file"
    say "round $r/$rounds (load $l): GET by id, hot set: khabar $k_rps req/s (p99 $k_p99 ms); nginx $n_rps req/s (p99 $n_p99 ms)"
    l=$(load_now)
    read -r u_rps u_p50 u_p99 < <(run_wrk "khabar-uniform-$r" "$uniform" "$tmp/any-id.lua" -t2 -c"$conns")
    read -r c_rps c_p50 c_p99 < <(run_wrk "khabar-nocache-$r" "$BENCH_BASE" "$tmp/any-id.lua" -t2 -c"$conns")
    read -r p_tps p_lat < <(run_pgbench "article-$r" "$tmp/pgbench-article.sql")
    printf 'uniform\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t-\n' "$r" "$l" "$u_rps" "$u_p50" "$u_p99" "$p_tps" "$p_lat" >>"$rounds_file"
    printf 'nocache\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t-\n' "$r" "$l" "$c_rps" "$c_p50" "$c_p99" "$p_tps" "$p_lat" >>"$rounds_file"
    say "round $r/$rounds (load $l): GET by id, uniform: khabar $u_rps req/s (p99 $u_p99 ms), cache off $c_rps; pgbench $p_tps tps"
    for page in $single_pages; do
        l=$(load_now)
        read -r k_rps k_p50 k_p99 < <(run_wrk "khabar-page-$r" "$hot$page" "$tmp/one-url.lua" -t2 -c"$conns")
        read -r n_rps n_p50 n_p99 < <(run_wrk "nginx-page-$r" "http://127.0.0.1:$nginx_port$page" "$tmp/one-url.lua" -t2 -c"$conns")
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$page" "$r" "$l" "$k_rps" "$k_p50" "$k_p99" "$n_rps" "$n_p50" "$n_p99" >>"$rounds_file"
        say "round $r/$rounds (load $l): $page, cache hot: khabar $k_rps req/s (p99 $k_p99 ms); nginx $n_rps req/s"
    done
done
# Each pair's line: the round whose ratio is the median of the rounds' (with its own figures),
# every round's ratio beside it.
python3 - "$rounds_file" >>"$out" <<'EOF'
import statistics, sys
pairs = {
    "hot": ("GET by id, hot set, cache hot", "nginx, the same bytes as files, access log on", "0.9"),
    "uniform": ("GET by id, uniform, default CACHE_BYTES", "pgbench, khabar's statement", "0.9"),
    "nocache": ("GET by id, uniform, cache off", "pgbench, khabar's statement", "0.9"),
    "/v1/feeds/rss": ("site feed (RSS), cache hot", "nginx, the same bytes as a file, access log on", "0.8"),
    "/v1/sections/section-1/front": ("section-1 front, cache hot", "nginx, the same bytes as a file, access log on", "0.8"),
}
rows = {}
for line in open(sys.argv[1], encoding="utf-8"):
    f = line.rstrip("\n").split("\t")
    rows.setdefault(f[0], []).append(f)
for pair, (name, beside, target) in pairs.items():
    rs = rows.get(pair, [])
    if not rs:
        continue
    ratios = [float(r[3]) / float(r[6]) for r in rs]
    median = statistics.median_low(ratios)
    r = rs[ratios.index(median)]
    every = ", ".join("%.2f" % x for x in ratios)
    print("\t".join([name, r[3], r[4], r[5], "%s (median of %d rounds: %s; load %s)" % (beside, len(rs), every, r[2]),
                     r[6], r[7], r[8], target]))
EOF

# ---- p99 of GET by id at ~2,000 requests/s beside searches ---------------------------------
common=$(python3 -c 'import sys; sys.path.insert(0, "scripts"); import synth; print(synth.word_with_share(0.03, 120, 1))')
# each search a new URL (the word "or" a token no article has): never from the cache
cat >"$tmp/searches.lua" <<EOF
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
local word = "$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$common")"
request = function()
    return wrk.format("GET", "/v1/articles?q=" .. word .. "%20or%20zz" .. math.random(1, 1000000000))
end
EOF
# 12 connections pausing 5 ms between requests make a little over 2,000 requests/s
sample_lua "$tmp/paced.lua" 5
wrk -t1 -c4 -d"$duration" -s "$tmp/searches.lua" "$hot" >"$tmp/read-searches.txt" 2>&1 &
searches=$!
read -r b_rps b_p50 b_p99 < <(run_wrk paced "$hot" "$tmp/paced.lua" -t1 -c12)
wait "$searches" || true
s_rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\)/\1/p' "$tmp/read-searches.txt")
printf 'GET by id beside searches\t%s\t%s\t%s\tsearches running meanwhile (req/s)\t%s\t-\t-\tp99<5ms\n' \
    "$b_rps" "$b_p50" "$b_p99" "$s_rps" >>"$out"
say "GET by id at $b_rps req/s beside $s_rps searches/s: p50 $b_p50 ms, p99 $b_p99 ms"

# ---- import against psql \copy -------------------------------------------------------------
BENCH_TMP=$tmp BENCH_BIN=$BENCH_BIN BENCH_IMPORT_COUNT=$import_count BENCH_RESULTS=$out \
    scripts/bench_import.sh || die "scripts/bench_import.sh failed"

# ---- memory ---------------------------------------------------------------------------------
rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$hot_pid/status")
printf 'khabar resident memory (KiB)\t%s\t-\t-\t-\t-\t-\t-\t-\n' "$rss" >>"$out"
say "khabar resident memory (the cached instance, after all of it): $rss KiB"
