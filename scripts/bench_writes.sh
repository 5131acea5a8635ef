#!/usr/bin/env bash
# bench_writes.sh: writes per second beside pgbench running the same SQL, and with two webhook
# endpoints registered against none, in one run (called by scripts/bench.sh once the first
# archive is loaded; not run on its own).
#
# Starts a khabar that may deliver to this machine (WEBHOOK_ALLOW_PRIVATE=1) and an nginx
# with two receivers answering 200, then POSTs typical articles (a title, a summary, a body,
# two tags, a source, an author and a section) with wrk -t2 -c8 (BENCH_WRITE_CONNECTIONS)
# for BENCH_WRITE_DURATION, in BENCH_WRITE_ROUNDS rounds. Each round runs, back to back:
#   - the POSTs with no endpoint;
#   - pgbench -M prepared with wrk's clients and threads on the statements khabar ran for
#     one such POST (read from PostgreSQL's log by scripts/pgbench_of_log.py: its one
#     transaction, then the pg_notify after it), each transaction with a new title and slug;
#   - the same pgbench with as many clients as khabar's pool has connections (the most
#     writes khabar itself runs at once);
#   - the POSTs with two endpoints (each taking every event), their deliveries drained after.
# Each comparison's figure is the round whose ratio is the median. Appends its lines to
# $BENCH_TMP/read-results.tsv (the format of scripts/bench_read.sh).
set -euo pipefail

: "${BENCH_TMP:?}" "${BENCH_BIN:?}" "${DATABASE_URL:?}"
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
tmp=$BENCH_TMP/writes
mkdir -p "$tmp/nginx/temp"
chmod 777 "$tmp/nginx/temp"
me=bench
duration=${BENCH_WRITE_DURATION:-10s}
conns=${BENCH_WRITE_CONNECTIONS:-8}
rounds=${BENCH_WRITE_ROUNDS:-3}
out=$BENCH_TMP/read-results.tsv

say() { echo "$me: $*" >&2; }
die() { echo "$me: $*" >&2; exit 1; }
# shellcheck source=scripts/bench_log.sh
. scripts/bench_log.sh
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

server_pid=""
nginx_pid=""
cleanup_webhooks() {
    [ -z "$nginx_pid" ] || kill -QUIT "$nginx_pid" 2>/dev/null || true
    [ -z "$server_pid" ] || kill -TERM "$server_pid" 2>/dev/null || true
    wait 2>/dev/null || true
}
trap cleanup_webhooks EXIT

# ---- the receivers: nginx answering 200 to every POST, as a CDN purge hook would ----------
r1=$(free_port)
r2=$(free_port)
cat >"$tmp/nginx/nginx.conf" <<NGINX
worker_processes 1;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $tmp/nginx/temp/body;
    proxy_temp_path $tmp/nginx/temp/proxy;
    fastcgi_temp_path $tmp/nginx/temp/fastcgi;
    uwsgi_temp_path $tmp/nginx/temp/uwsgi;
    scgi_temp_path $tmp/nginx/temp/scgi;
    server { listen 127.0.0.1:$r1; location / { return 200; } }
    server { listen 127.0.0.1:$r2; location / { return 200; } }
}
NGINX
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
"$nginx_bin" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log" \
    -g "daemon off; pid $tmp/nginx/nginx.pid; error_log $tmp/nginx/error.log;" &
nginx_pid=$!

# ---- khabar ------------------------------------------------------------------------------
port=$(free_port)
base=http://127.0.0.1:$port
PORT=$port LISTEN_ADDR=127.0.0.1 LOG_FORMAT=json RATE_LIMIT=0 PER_CLIENT_CONNECTIONS=65536 \
    MAX_CONNECTIONS=4096 API_TOKENS=bench-writer WEBHOOK_ALLOW_PRIVATE=1 \
    "$BENCH_BIN" serve >"$tmp/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
    curl -fsS -o /dev/null "$base/healthz" 2>/dev/null && break
    sleep 0.1
done
curl -fsS -o /dev/null "$base/healthz" || die "khabar serve did not start ($tmp/server.log)"
admin=$("$BENCH_BIN" token create "bench-hooks-$RANDOM$RANDOM" --role admin)
editor=(-H "Authorization: Bearer bench-writer" -H "Content-Type: application/json")
curl -fsS -o /dev/null "${editor[@]}" -d '{"name": "كاتب القياس", "slug": "bench-writer"}' "$base/v1/authors" || true
curl -fsS -o /dev/null "${editor[@]}" -d '{"name": "قسم القياس", "slug": "bench-desk"}' "$base/v1/sections" || true

# article_json TITLE: a typical article.
article_json() {
    printf '{"title": "%s", "summary": "ملخص الخبر للقياس",' "$1"
    printf ' "body": "نص الخبر **للقياس** في فقرة أولى.\\n\\nوفقرة ثانية عن الأسواق والطاقة.",'
    printf ' "tags": ["قياس", "طاقة"], "sources": ["وكالة القياس"], "authors": ["bench-writer"],'
    printf ' "section": "bench-desk"}'
}
# wrk POSTs it with a new title each request (each thread its own numbers).
cat >"$tmp/write.lua" <<LUA
local n = 0
local me = tostring({}):sub(8)
local article = [==[$(article_json TITLE)]==]
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer bench-writer"
request = function()
    n = n + 1
    local title = "خبر القياس " .. me .. " رقم " .. n
    return wrk.format(nil, nil, nil, (article:gsub("TITLE", title)))
end
LUA

# endpoints N: leaves exactly N endpoints registered (the two receivers), each taking every event.
endpoints() {
    local ids id
    ids=$(curl -fsS -H "Authorization: Bearer $admin" "$base/v1/webhooks" |
        python3 -c 'import json, sys; print(" ".join(str(w["id"]) for w in json.load(sys.stdin)["data"]))')
    for id in $ids; do
        curl -fsS -o /dev/null -X DELETE -H "Authorization: Bearer $admin" "$base/v1/webhooks/$id"
    done
    for rport in $(printf '%s\n' "$r1" "$r2" | head -n "$1"); do
        curl -fsS -o /dev/null -H "Authorization: Bearer $admin" -H "Content-Type: application/json" \
            -d "{\"url\": \"http://127.0.0.1:$rport/hook\", \"events\": [\"article.published\", \"article.updated\", \"article.withdrawn\", \"article.deleted\"]}" \
            "$base/v1/webhooks"
    done
}

# write_round NAME: wrk's "req/s p50 p99" of one round of writes.
write_round() {
    wrk -t2 -c"$conns" -d"$duration" --latency -s "$tmp/write.lua" "$base/v1/articles" >"$tmp/wrk-$1.txt" 2>&1 ||
        die "wrk failed: $(tail -n 3 "$tmp/wrk-$1.txt")"
    local figures
    figures=$(python3 scripts/wrk_figures.py "$tmp/wrk-$1.txt") || die "writes $1: $(tail -n 3 "$tmp/wrk-$1.txt")"
    echo "${figures% * * *}"
}

# queue_depth: deliveries not yet made, from /metrics (read there every 2 s).
queue_depth() { curl -fsS "$base/metrics" | sed -n 's/^khabar_webhook_queue_depth \([0-9]*\)$/\1/p'; }
# drain: waits until the last round's deliveries are made, so that no round pays for the
# one before; prints how long that took.
drain() {
    local t0 depth
    t0=$(date +%s.%N)
    sleep 2.5 # (the depth /metrics shows is at most 2 s old)
    for _ in $(seq 600); do
        depth=$(queue_depth)
        [ "${depth:-1}" = 0 ] && break
        sleep 0.5
    done
    python3 -c "import sys, time; print('%.1f' % (time.time() - float(sys.argv[1]) - 2.5))" "$t0"
}

# ---- the statements of one POST, for pgbench -----------------------------------------------
# write_once MARK: one POST of the article, its title holding MARK; its answer in once.json.
write_once() {
    curl -fsS -o "$tmp/once.json" "${editor[@]}" -d "$(article_json "خبر القياس $1 رقم 1")" "$base/v1/articles"
}
endpoints 0
wrk -t1 -c2 -d2s -s "$tmp/write.lua" "$base/v1/articles" >/dev/null 2>&1 || true
mark=$(date +%s%N)
log_while "$BENCH_TMP/pg/postgresql.log" "$tmp/once.log" write_once "$mark" || die "the POST to log failed"
created=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["id"])' "$tmp/once.json")
python3 scripts/pgbench_of_log.py khabar --vary "$mark" --id "$created" <"$tmp/once.log" >"$tmp/write.sql" ||
    die "no pgbench script of the POST's statements ($tmp/once.log)"
pool=$(curl -fsS "$base/metrics" | awk '/^khabar_db_connections_(in_use|idle)\{pool="primary"\}/ { n += $2 } END { print n }')
[[ $pool =~ ^[1-9][0-9]*$ ]] || die "cannot tell khabar's pool size from /metrics"
say "a POST runs $(grep -c ';$\|gset$' "$tmp/write.sql") statements; khabar's pool holds $pool connections"

# write_pgbench NAME CLIENTS: pgbench's "tps average_ms" on the POST's statements.
write_pgbench() {
    pgbench -n -M prepared -c "$2" -j 2 -T "${duration%s}" -f "$tmp/write.sql" "$DATABASE_URL" >"$tmp/pgbench-$1.txt" 2>&1 ||
        die "pgbench failed: $(tail -n 3 "$tmp/pgbench-$1.txt")"
    echo "$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$tmp/pgbench-$1.txt" | head -n 1)" \
        "$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' "$tmp/pgbench-$1.txt" | head -n 1)"
}
ratio() { python3 -c "import sys; print('%.4f' % (float(sys.argv[1]) / float(sys.argv[2])))" "$1" "$2"; }

# ---- the rounds ------------------------------------------------------------------------------
: >"$tmp/pairs.txt"
: >"$tmp/beside.txt"
: >"$tmp/beside-pool.txt"
drained=0
for r in $(seq "$rounds"); do
    l=$(cut -d' ' -f1-3 /proc/loadavg)
    endpoints 0
    none=$(write_round "none-$r")
    same=$(write_pgbench "same-$r" "$conns")
    pooled=$(write_pgbench "pool-$r" "$pool")
    endpoints 2
    two=$(write_round "two-$r")
    drained=$(drain)
    echo "$(ratio "${none%% *}" "${same%% *}") $none $same $l" >>"$tmp/beside.txt"
    echo "$(ratio "${none%% *}" "${pooled%% *}") $none $pooled $l" >>"$tmp/beside-pool.txt"
    echo "$(ratio "${two%% *}" "${none%% *}") $two $none" >>"$tmp/pairs.txt"
    say "writes, round $r (load $l): khabar ${none%% *}/s; pgbench ${same%% *} tps with $conns clients, ${pooled%% *} with $pool;" \
        "two endpoints ${two%% *}/s (drained ${drained} s after)"
done
# median FILE: the line whose ratio (the first field) is the median, every ratio after it. The
# archive grows and the machine's load moves from round to round, so each pair is compared
# within its round.
median() { echo "$(sort -n -k1,1 "$1" | sed -n "$(((rounds + 1) / 2))p") $(cut -d' ' -f1 "$1" | xargs printf '%.2f,' | sed 's/,$//')"; }
read -r _ k_rps k_p50 k_p99 p_tps p_lat l1 l5 l15 every < <(median "$tmp/beside.txt")
printf 'POST an article (the median of %s rounds: %s; load %s)\t%s\t%s\t%s\tpgbench, the same statements in one transaction, %s clients (latency: average)\t%s\t%s\t-\t0.8\n' \
    "$rounds" "$every" "$l1 $l5 $l15" "$k_rps" "$k_p50" "$k_p99" "$conns" "$p_tps" "$p_lat" >>"$out"
say "writes: khabar $k_rps/s beside pgbench's $p_tps tps with $conns clients"
read -r _ k_rps k_p50 k_p99 p_tps p_lat l1 l5 l15 every < <(median "$tmp/beside-pool.txt")
printf 'POST an article (the median of %s rounds: %s; load %s)\t%s\t%s\t%s\tpgbench, the same, %s clients as khabar'"'"'s pool (latency: average)\t%s\t%s\t-\t-\n' \
    "$rounds" "$every" "$l1 $l5 $l15" "$k_rps" "$k_p50" "$k_p99" "$pool" "$p_tps" "$p_lat" >>"$out"
read -r _ t_rps t_p50 t_p99 n_rps n_p50 n_p99 every < <(median "$tmp/pairs.txt")
printf 'POST an article, two webhook endpoints (the median of %s rounds: %s)\t%s\t%s\t%s\tthe same with none\t%s\t%s\t%s\t0.9\n' \
    "$rounds" "$every" "$t_rps" "$t_p50" "$t_p99" "$n_rps" "$n_p50" "$n_p99" >>"$out"
delivered=$(curl -fsS "$base/metrics" | sed -n 's/^khabar_webhook_deliveries_total{outcome="delivered"} \([0-9]*\)$/\1/p')
printf 'webhook deliveries sent (the queue drained %s s after the last round)\t%s\t-\t-\t-\t-\t-\t-\t-\n' \
    "$drained" "$delivered" >>"$out"
say "two endpoints: $t_rps writes/s against $n_rps with none; $delivered deliveries, drained $drained s after"
endpoints 0
