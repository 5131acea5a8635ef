#!/usr/bin/env bash
# security.sh: what "make security" does: attack tests against a real khabar with the sample data.
#
# Starts a private PostgreSQL in a temp dir, migrates, loads seed/sample.ndjson, starts
# `khabar serve` (copies of build/khabar) on free ports of 127.0.0.1, then:
#  1. sqlmap (non-interactive) against every query parameter of every GET list, the path
#     segments of /v1/articles/{id|slug}, /v1/articles/{id}/related and /v1/tags/{slug}
#     (custom marker '*'), and every JSON field of POST /v1/articles and PATCH
#     /v1/articles/{id} (with a bearer token). A target passes when sqlmap finished, tested
#     at least one parameter and found none injectable. Afterwards: no answer was a 5xx
#     (access log) and PostgreSQL never saw a syntax error (its log).
#  2. slowhttptest in its three modes (-H slow headers, -B slow body, -X slow read), each
#     against a server with the default limits (the attacker is one address, held by the
#     per-client connection limit) and against one with PER_CLIENT_CONNECTIONS=0 (only the
#     header/request timeouts and MAX_CONNECTIONS hold it), while tests/security/probe.py
#     requests GET /v1/articles/{id} every 0.2 s from another address (127.0.0.2). A mode
#     passes when the probe's success ratio is at least PROBE_MIN_RATIO and the server
#     still answers afterwards.
#  3. the malformed-HTTP corpus of tests/security/corpus/ (tests/security/replay.py).
# Prints ok/FAIL lines, a summary table and "# N passed, M failed"; exits 1 on any failure.
# sqlmap and slowhttptest are installed with apt-get when missing (as root).
#
#   SECURITY_PARTS=sqlmap,slow,corpus   the parts to run (any subset, comma-separated)
#   SQLMAP_LEVEL=3 SQLMAP_RISK=2        sqlmap's --level and --risk
#   SQLMAP_TIMEOUT=600                  seconds one sqlmap target may take (then it fails)
#   SLOW_SECONDS=25                     length of each slowhttptest run
#   SLOW_RATE=20                        new attack connections per second (total = rate x seconds)
#   SLOW_SERVERS=default,unlimited      which servers the slow attacks run against
#   PROBE_MIN_RATIO=0.99                the probe's success ratio a slow attack must leave
#   SECURITY_KEEP=1                     keep the temp dir (logs of khabar, PostgreSQL, sqlmap)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
me=security

say() { echo "$me: $*" >&2; }
die() { echo "$me: $*" >&2; exit 2; }

parts=${SECURITY_PARTS:-sqlmap,slow,corpus}
level=${SQLMAP_LEVEL:-3}
risk=${SQLMAP_RISK:-2}
sqlmap_timeout=${SQLMAP_TIMEOUT:-600}
slow_seconds=${SLOW_SECONDS:-25}
slow_rate=${SLOW_RATE:-20}
slow_servers=${SLOW_SERVERS:-default,unlimited}
min_ratio=${PROBE_MIN_RATIO:-0.99}
token=security-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')

has_part() { [[ ",$parts," == *",$1,"* ]]; }

# ---- tools ----------------------------------------------------------------------------------

need=()
has_part sqlmap && ! command -v sqlmap >/dev/null 2>&1 && need+=(sqlmap)
has_part slow && ! command -v slowhttptest >/dev/null 2>&1 && need+=(slowhttptest)
command -v curl >/dev/null 2>&1 || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
    [ "$(id -u)" -eq 0 ] || die "missing: ${need[*]}; install them (apt-get install -y ${need[*]}) or run as root"
    say "installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get install -y -q "${need[@]}" || { apt-get update -q && apt-get install -y -q "${need[@]}"; }; } >&2 ||
        die "could not install ${need[*]}"
fi
command -v python3 >/dev/null 2>&1 || die "python3 is missing (run scripts/install-deps.sh as root)"

make -s all || die "the build failed"

# ---- PostgreSQL, data, servers ----------------------------------------------------------------

tmp=$(mktemp -d /tmp/khabar-security-XXXXXX)
chmod 755 "$tmp" # the postgres user must reach the cluster inside
# A copy of the binary: a rebuild during the run must not change the program attacked.
cp build/khabar "$tmp/khabar"
bin=$tmp/khabar
pids=()
pg_started=0

cleanup() {
    local rc=$? pid
    trap - EXIT INT TERM
    for pid in "${pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if [ "$pg_started" -eq 1 ]; then
        scripts/pg.sh stop "$tmp/pg" >/dev/null 2>&1 || say "could not stop PostgreSQL in $tmp/pg"
    fi
    if [ -n "${SECURITY_KEEP:-}" ]; then
        say "kept $tmp (database stopped)"
    else
        rm -rf "$tmp"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
now() { date +%s.%N; }
secs() { python3 -c "import sys; print('%.0f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$1" "$2"; }

pg_started=1
t_setup=$(now)
DATABASE_URL=$(scripts/pg.sh start "$tmp/pg" "$(free_port)" 2>"$tmp/pg-start.log" | tail -n 1) ||
    { cat "$tmp/pg-start.log" >&2; die "scripts/pg.sh start failed"; }
[ -n "$DATABASE_URL" ] || die "scripts/pg.sh start gave no DATABASE_URL"
export DATABASE_URL
# pg.sh keeps the cluster in $tmp/pg, or in /var/tmp/khabar-pg-<hash> when postgres cannot reach $tmp
pg_log=$tmp/pg/postgresql.log
[ -f "$pg_log" ] || pg_log=$(find /var/tmp -maxdepth 2 -name postgresql.log -newer "$tmp/khabar" 2>/dev/null | head -n 1)
"$bin" migrate >"$tmp/migrate.log" 2>&1 || { cat "$tmp/migrate.log" >&2; die "'khabar migrate' failed"; }
"$bin" import seed/sample.ndjson >"$tmp/import.log" 2>&1 || { cat "$tmp/import.log" >&2; die "'khabar import' failed"; }

# Settings of khabar that must not leak in from the caller's shell.
KHABAR_VARS="PORT LISTEN_ADDR API_TOKENS CORS_ORIGINS TRUSTED_PROXIES MAX_BODY_BYTES THREADS DB_POOL_SIZE
 DB_TIMEOUT STATEMENT_TIMEOUT CONNECTION_TIMEOUT MAX_CONNECTIONS PER_CLIENT_CONNECTIONS HEADER_TIMEOUT
 REQUEST_TIMEOUT MAX_HEADER_BYTES RATE_LIMIT RATE_BURST RATE_LIMIT_TOKENS LOG_FORMAT MIGRATE_ON_START"

# start_server NAME [VAR=VALUE...]: starts khabar serve on a free port; sets $port.
start_server() {
    local name=$1 p
    shift
    p=$(free_port)
    (
        # shellcheck disable=SC2086
        unset $KHABAR_VARS
        export PORT=$p LISTEN_ADDR=127.0.0.1 API_TOKENS=$token LOG_FORMAT=json
        for kv in "$@"; do export "${kv?}"; done
        exec "$bin" serve
    ) >"$tmp/khabar-$name.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 100); do
        kill -0 "$!" 2>/dev/null || { tail -n 20 "$tmp/khabar-$name.log" >&2; die "khabar serve ($name) exited"; }
        [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$p/healthz")" = 200 ] && break
        sleep 0.1
    done
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$p/healthz")" = 200 ] ||
        die "khabar serve ($name) did not answer /healthz (log: $tmp/khabar-$name.log)"
    port=$p
}

healthy() { [ "$(curl -s -m 5 -o /dev/null -w '%{http_code}' --interface 127.0.0.3 "http://127.0.0.1:$1/healthz")" = 200 ]; }

# ---- results --------------------------------------------------------------------------------

passed=0
failed=0
table=$tmp/table.tsv
: >"$table"
# record PART TARGET OK(0|1) DETAIL
record() {
    if [ "$3" -eq 1 ]; then
        passed=$((passed + 1))
        echo "ok - $1: $2 ($4)"
    else
        failed=$((failed + 1))
        echo "FAIL - $1: $2: $4"
    fi
    printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$([ "$3" -eq 1 ] && echo ok || echo FAIL)" "$4" >>"$table"
}
summary_lines=()

start_server main RATE_LIMIT=0
main_port=$port
base=http://127.0.0.1:$main_port
say "khabar on $base, PostgreSQL at $DATABASE_URL ($(secs "$t_setup" "$(now)") s to set up)"

# What the sample holds: an article id and slug, a tag, a source, cursors of each list.
art_id="" art_slug="" art_cursor="" tag_slug="" tag_cursor="" src_name="" src_cursor="" tag_prefix="" src_prefix=""
eval "$(python3 - "$base" <<'EOF'
import json, sys, urllib.parse, urllib.request
base = sys.argv[1]
def get(path):
    with urllib.request.urlopen(base + path, timeout=10) as r:
        return json.load(r)
arts = get("/v1/articles?limit=1")
tags = get("/v1/tags?limit=1")
srcs = get("/v1/sources?limit=1")
a = arts["data"][0]
q = urllib.parse.quote
out = {
    "art_id": a["id"], "art_slug": q(a["slug"], safe=""),
    "art_cursor": q(arts.get("next_cursor") or "", safe=""),
    "tag_slug": q(tags["data"][0]["slug"], safe=""), "tag_cursor": q(tags.get("next_cursor") or "", safe=""),
    "src_name": q(srcs["data"][0]["name"], safe=""), "src_cursor": q(srcs.get("next_cursor") or "", safe=""),
    "tag_prefix": q(tags["data"][0]["name"][:2], safe=""), "src_prefix": q(srcs["data"][0]["name"][:2], safe=""),
}
for k, v in out.items():
    print("%s='%s'" % (k, v))
EOF
)"

# ---- 1. sqlmap ---------------------------------------------------------------------------------

if has_part sqlmap; then
    say "sqlmap: level $level, risk $risk"
    t_sql=$(now)
    mkdir -p "$tmp/sqlmap"
    # NAME|ARGUMENTS (one target a line; the URL is relative to $base)
    targets=$(cat <<EOF
articles?limit|-u $base/v1/articles?limit=5 -p limit
articles?cursor|-u $base/v1/articles?cursor=$art_cursor -p cursor
articles?tag|-u $base/v1/articles?tag=$tag_slug -p tag
articles?source|-u $base/v1/articles?source=$src_name -p source
articles?q|-u $base/v1/articles?q=$(enc "بوتين") -p q
articles?from|-u $base/v1/articles?from=2020-01-01T00:00:00Z -p from
articles?to|-u $base/v1/articles?to=2035-01-01T00:00:00Z -p to
articles?lang|-u $base/v1/articles?lang=ar -p lang
tags?q|-u $base/v1/tags?q=$tag_prefix -p q
tags?limit|-u $base/v1/tags?limit=5 -p limit
tags?cursor|-u $base/v1/tags?cursor=$tag_cursor -p cursor
sources?q|-u $base/v1/sources?q=$src_prefix -p q
sources?limit|-u $base/v1/sources?limit=5 -p limit
sources?cursor|-u $base/v1/sources?cursor=$src_cursor -p cursor
articles/{id}|-u $base/v1/articles/$art_id*
articles/{slug}|-u $base/v1/articles/$art_slug*
articles/{id}/related|-u $base/v1/articles/$art_id*/related
tags/{slug}|-u $base/v1/tags/$tag_slug*
EOF
)
    post_json='{"title":"sqlmap title","body":"sqlmap body","summary":"sqlmap summary","lang":"ar","slug":"sqlmap-slug","published_at":"2024-05-19T00:00:00Z","tags":["sqlmap tag"],"sources":["sqlmap source"],"related":['"$art_id"']}'
    patch_json='{"title":"sqlmap patched","body":"patched body","summary":"patched summary","lang":"ar","published_at":"2024-05-20T00:00:00+03:00","tags":["sqlmap tag"],"sources":["sqlmap source"],"related":[]}'
    n_targets=0
    n_params=0
    n_injectable=0
    n_false=0
    # run_sqlmap NAME ARGS...: one sqlmap run, judged from its output
    run_sqlmap() {
        local name=$1 log t0 rc params inj detail
        shift
        log=$tmp/sqlmap/$(echo "$name" | tr -c 'A-Za-z0-9\n' '_').log
        t0=$(now)
        set +e
        timeout -k 10 "$sqlmap_timeout" sqlmap "$@" --batch --level="$level" --risk="$risk" --time-sec=2 \
            --threads=4 --flush-session --disable-coloring --skip-waf --output-dir="$tmp/sqlmap/out" \
            </dev/null >"$log" 2>&1
        rc=$?
        set -e
        # sqlmap's verdict per parameter: "is vulnerable" (confirmed) or "does not seem to be
        # injectable" (including candidates its own false-positive check threw out)
        inj=$(grep -cE "parameter '.*' is vulnerable" "$log" || true)
        params=$(($(grep -c "does not seem to be injectable" "$log" || true) + inj))
        if [ "$inj" -eq 0 ] && grep -q "identified the following injection point" "$log"; then
            inj=1
        fi
        fp=$(grep -c "false positive or unexploitable injection point detected" "$log" || true)
        n_targets=$((n_targets + 1))
        n_params=$((n_params + params))
        n_injectable=$((n_injectable + inj))
        n_false=$((n_false + fp))
        detail="$params parameters, $inj injectable, $(secs "$t0" "$(now)") s$([ "$fp" -eq 0 ] || echo ", $fp candidate(s) refuted by sqlmap's false-positive check")"
        if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
            record sqlmap "$name" 0 "timed out after ${sqlmap_timeout}s ($detail; log $log)"
        elif [ "$inj" -gt 0 ]; then
            record sqlmap "$name" 0 "$detail: $(grep -E "is vulnerable|Parameter: |Type: " "$log" | head -n 4 | tr '\n' ' ')"
        elif [ "$params" -eq 0 ] || ! grep -q "ending @" "$log"; then
            record sqlmap "$name" 0 "sqlmap tested nothing or stopped early (exit $rc): $(grep -E "CRITICAL|ERROR" "$log" | head -n 2 | tr '\n' ' ')"
        else
            record sqlmap "$name" 1 "$detail"
        fi
    }
    while IFS='|' read -r name args; do
        [ -n "$name" ] || continue
        # shellcheck disable=SC2086
        run_sqlmap "GET /v1/$name" $args
    done <<<"$targets"
    run_sqlmap "POST /v1/articles JSON fields" -u "$base/v1/articles" --method=POST --data="$post_json" \
        -H "Authorization: Bearer $token" -H "Content-Type: application/json"
    run_sqlmap "PATCH /v1/articles/$art_id JSON fields" -u "$base/v1/articles/$art_id" --method=PATCH \
        --data="$patch_json" -H "Authorization: Bearer $token" -H "Content-Type: application/merge-patch+json"
    t_sql_end=$(now)
    # what the server and the database saw meanwhile
    n5xx=$(grep -c '"status":5[0-9][0-9]' "$tmp/khabar-main.log" || true)
    nreq=$(grep -c '"request_id"' "$tmp/khabar-main.log" || true)
    record sqlmap "no 5xx answer to $nreq sqlmap requests" "$([ "$n5xx" -eq 0 ] && echo 1 || echo 0)" \
        "$n5xx answers were 5xx$([ "$n5xx" -eq 0 ] || echo ": $(grep '"status":5[0-9][0-9]' "$tmp/khabar-main.log" | head -n 2 | tr '\n' ' ')")"
    if [ -n "$pg_log" ] && [ -f "$pg_log" ]; then
        nsyntax=$(grep -c "syntax error" "$pg_log" || true)
        nerr=$(grep -c "ERROR:" "$pg_log" || true)
        record sqlmap "PostgreSQL saw no SQL syntax error" "$([ "$nsyntax" -eq 0 ] && echo 1 || echo 0)" \
            "$nsyntax syntax errors, $nerr ERROR lines in all$([ "$nerr" -eq 0 ] || echo ": $(grep "ERROR:" "$pg_log" | sed 's/.*ERROR: *//' | sort | uniq -c | sort -rn | head -n 3 | tr -s ' ' | tr '\n' ';')")"
    else
        say "PostgreSQL log not found: the syntax-error check is skipped"
    fi
    healthy "$main_port" && ok=1 || ok=0
    record sqlmap "server still answers after sqlmap" "$ok" "GET /healthz"
    summary_lines+=("sqlmap: $n_targets targets, $n_params parameters tested, $n_injectable injectable ($n_false candidates refuted by sqlmap itself), $(secs "$t_sql" "$t_sql_end") s (level $level, risk $risk)")
fi

# ---- 2. slowhttptest -----------------------------------------------------------------------

if has_part slow; then
    t_slow=$(now)
    conns=$((slow_rate * slow_seconds))
    for server in ${slow_servers//,/ }; do
        case $server in
        default) start_server slow-default; label="default limits" ;;
        unlimited) start_server slow-unlimited PER_CLIENT_CONNECTIONS=0; label="PER_CLIENT_CONNECTIONS=0" ;;
        *) die "SLOW_SERVERS: unknown server '$server' (default, unlimited)" ;;
        esac
        sport=$port
        for mode in H B X; do
            case $mode in
            H) what="slow headers"
               args=(-H -i 5 -u "http://127.0.0.1:$sport/v1/articles/$art_id") ;;
            B) what="slow body"
               args=(-B -i 2 -s 8192 -t POST -f application/json -u "http://127.0.0.1:$sport/v1/articles") ;;
            X) what="slow read"
               args=(-X -k 3 -w 1 -y 32 -n 2 -z 32 -u "http://127.0.0.1:$sport/openapi.yaml") ;;
            esac
            out=$tmp/slow-$server-$mode
            python3 tests/security/probe.py --port "$sport" --path "/v1/articles/$art_id" --src 127.0.0.2 \
                --interval 0.2 --duration "$((slow_seconds + 2))" >"$out.probe" 2>&1 &
            probe_pid=$!
            pids+=("$probe_pid")
            sleep 1
            set +e
            timeout -k 5 "$((slow_seconds + 30))" slowhttptest "${args[@]}" -c "$conns" -r "$slow_rate" \
                -l "$slow_seconds" -p 3 -g -o "$out" </dev/null >"$out.out" 2>&1
            rc=$?
            wait "$probe_pid"
            set -e
            probe=$(tail -n 1 "$out.probe")
            ratio=$(sed -n 's/.*ratio \([0-9.]*\).*/\1/p' <<<"$probe")
            # slowhttptest's CSV: Seconds,Closed,Pending,Connected,Service Available
            peak=$(awk -F, 'NR > 1 && $4 + 0 > m { m = $4 + 0 } END { print m + 0 }' "$out.csv" 2>/dev/null || echo "?")
            ended=$(tr '\r' '\n' <"$out.out" | sed 's/\x1b\[[0-9;]*[A-Za-z]//g' | sed -n 's/.*Exit status: *//p' | tail -n 1)
            healthy "$sport" && alive=1 || alive=0
            ok=$(python3 -c "import sys; print(1 if sys.argv[1] and float(sys.argv[1]) >= float(sys.argv[2]) else 0)" \
                "${ratio:-}" "$min_ratio")
            [ "$alive" -eq 1 ] || ok=0
            [ "$rc" -eq 0 ] || ok=0
            record slowhttptest "$what, $label" "$ok" \
                "$conns connections at $slow_rate/s for ${slow_seconds}s, at most $peak open at once, ended: ${ended:-?}; $probe$([ "$alive" -eq 1 ] || echo "; the server no longer answers")$([ "$rc" -eq 0 ] || echo "; slowhttptest exit $rc")"
            summary_lines+=("slowhttptest $what ($label): $conns connections, peak $peak open; $probe")
        done
    done
    summary_lines+=("slowhttptest: $(secs "$t_slow" "$(now)") s in all")
fi

# ---- 3. malformed HTTP corpus --------------------------------------------------------------

if has_part corpus; then
    t_corpus=$(now)
    python3 tests/security/replay.py --port "$main_port" >"$tmp/corpus.out" 2>&1 || true
    while IFS= read -r line; do
        case $line in
        "ok - malformed "*)
            rest=${line#ok - malformed }
            record corpus "${rest%% (*}" 1 "$(sed 's/^[^(]*(\(.*\))$/\1/' <<<"$rest")" ;;
        "FAIL - malformed "*)
            rest=${line#FAIL - malformed }
            record corpus "${rest%%:*}" 0 "${rest#*: }" ;;
        "# note: "*) echo "$line" ;;
        esac
    done <"$tmp/corpus.out"
    healthy "$main_port" && ok=1 || ok=0
    record corpus "server still answers after the corpus" "$ok" "GET /healthz"
    summary_lines+=("corpus: $(grep -c '^ok - ' "$tmp/corpus.out" || true) passed, $(grep -c '^FAIL - ' "$tmp/corpus.out" || true) failed of $(find tests/security/corpus -name '*.http' | wc -l) files, $(secs "$t_corpus" "$(now)") s")
fi

# ---- summary ----------------------------------------------------------------------------------

echo
echo "# summary"
printf '# %-13s %-48s %-5s %s\n' part target result detail
while IFS=$'\t' read -r part target result detail; do
    printf '# %-13s %-48s %-5s %s\n' "$part" "${target:0:48}" "$result" "${detail:0:160}"
done <"$table"
echo "#"
for line in "${summary_lines[@]}"; do
    echo "# $line"
done
echo "# $passed passed, $failed failed"
[ "$failed" -eq 0 ]
