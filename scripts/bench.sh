#!/usr/bin/env bash
# bench.sh: what "make bench" does: list and search throughput over HTTP at two archive sizes.
#
# Starts a private PostgreSQL in a temp dir and `khabar serve`, loads a synthetic archive
# (scripts/synth.py) of the first size, warms up, then measures each query with
#   wrk -t2 -c32 -d10s --latency URL
# (requests per second, p50, p99); grows the archive to the second size (shorter bodies) and
# measures again. Prints a table (also written to build/bench-report.md) with the ratio of
# the two throughputs, flagging a query whose throughput at the larger size is below 1/1.5 of
# the smaller one's. Everything it started is stopped at the end, on failure or Ctrl-C too.
#
#   BENCH_SIZES=50000,1000000    the two archive sizes (BENCH_SMALL is the same, e.g. 5000,20000)
#   BENCH_DURATION=10s           wrk duration per query      BENCH_CONNECTIONS=32  wrk connections
#   SUGGEST_CONNECTIONS=2        wrk connections of the suggest rows
#   BENCH_BODY_WORDS=120         body words, first size      BENCH_GROW_BODY_WORDS=20  after
#   BENCH_SOAK=600s              the mixed soak's length (scripts/bench_soak.sh; 0: none)
#   BENCH_PAIR_ROUNDS=3 BENCH_PAIR_DURATION=5s   rounds of each query beside pgbench running
#                                the statements khabar ran for it (BENCH_NO_PAIRS=1: none)
#   BENCH_KEEP=1                 keep the temp dir (database, logs) and leave nothing running
#   THREADS, DB_POOL_SIZE        passed to khabar serve (default: its own)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
bin=$root/build/khabar
me=bench

say() { echo "$me: $*" >&2; }
die() { echo "$me: $*" >&2; exit 1; }
# shellcheck source=scripts/bench_log.sh
. scripts/bench_log.sh

sizes=${BENCH_SIZES:-${BENCH_SMALL:-50000,1000000}}
IFS=, read -r size1 size2 extra <<<"$sizes"
[[ ${size1:-} =~ ^[0-9]+$ && ${size2:-} =~ ^[0-9]+$ && -z ${extra:-} && $size1 -gt 0 && $size2 -gt $size1 ]] ||
    die "BENCH_SIZES must be two growing article counts such as 50000,1000000, not '$sizes'"
duration=${BENCH_DURATION:-10s}
conns=${BENCH_CONNECTIONS:-32}
body1=${BENCH_BODY_WORDS:-120}
body2=${BENCH_GROW_BODY_WORDS:-20}

[ -x "$bin" ] || die "$bin is missing; build it with 'make' (or run 'make bench')"
command -v psql >/dev/null 2>&1 || die "psql is missing (run scripts/install-deps.sh as root)"
command -v python3 >/dev/null 2>&1 || die "python3 is missing"
command -v wrk >/dev/null 2>&1 || scripts/install-deps.sh wrk >&2 || die "wrk is missing and could not be installed"

# A size as a short label: 50000 -> 50k, 1000000 -> 1M.
label() {
    local n=$1
    if [ $((n % 1000000)) -eq 0 ]; then echo "$((n / 1000000))M"
    elif [ $((n % 1000)) -eq 0 ]; then echo "$((n / 1000))k"
    else echo "$n"; fi
}
l1=$(label "$size1")
l2=$(label "$size2")

tmp=$(mktemp -d /tmp/khabar-bench-XXXXXX)
chmod 755 "$tmp" # the postgres user must reach the cluster inside
# A copy of the binary: a rebuild during a long run must not change the program measured.
cp "$bin" "$tmp/khabar"
bin=$tmp/khabar
server_pid=""
pg_started=0

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [ "$pg_started" -eq 1 ]; then
        scripts/pg.sh stop "$tmp/pg" >/dev/null 2>&1 || say "could not stop PostgreSQL in $tmp/pg"
    fi
    if [ -n "${BENCH_KEEP:-}" ]; then
        say "kept $tmp (database stopped)"
    else
        rm -rf "$tmp"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- PostgreSQL and khabar -------------------------------------------------------------

pg_started=1
DATABASE_URL=$(scripts/pg.sh start "$tmp/pg" | tail -n 1)
[ -n "$DATABASE_URL" ] || die "scripts/pg.sh start gave no DATABASE_URL"
export DATABASE_URL
"$bin" migrate >&2 || die "'khabar migrate' failed"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
# No per-client rate limit or connection cap: every request of wrk comes from 127.0.0.1.
# No answer cache: the lists measure the queries (repeating one URL would measure the
# cache); scripts/bench_read.sh measures the cache beside nginx. No webhook workers: the
# webhook figures are scripts/bench_writes.sh's server's alone (this one's would claim
# its deliveries and refuse the receivers' private addresses).
PORT=$port LISTEN_ADDR=127.0.0.1 LOG_FORMAT=json RATE_LIMIT=0 PER_CLIENT_CONNECTIONS=65536 \
    MAX_CONNECTIONS=4096 CACHE_BYTES=0 WEBHOOK_WORKERS=0 "$bin" serve >"$tmp/server.log" 2>&1 &
server_pid=$!

http_status() {
    python3 - "$1" <<'EOF'
import sys, urllib.request, urllib.error
try:
    with urllib.request.urlopen(sys.argv[1], timeout=30) as r:
        r.read()
        print(r.status)
except urllib.error.HTTPError as e:
    print(e.code)
except Exception:
    print(0)
EOF
}

for _ in $(seq 100); do
    kill -0 "$server_pid" 2>/dev/null || { tail -n 20 "$tmp/server.log" >&2; die "khabar serve exited"; }
    [ "$(http_status "$base/healthz")" = 200 ] && break
    sleep 0.2
done
[ "$(http_status "$base/healthz")" = 200 ] || die "khabar serve did not answer /healthz (log: $tmp/server.log)"
say "khabar serving on $base, PostgreSQL at $DATABASE_URL"

# ---- loading -----------------------------------------------------------------------------

rates=()
# load COUNT SEED BODY_WORDS: generates and imports COUNT more articles, each with its byline
# and section, then VACUUM ANALYZE.
load() {
    local count=$1 seed=$2 words=$3 t0 t1 t2 out
    t0=$(date +%s.%N)
    python3 scripts/synth.py --count "$count" --seed "$seed" --body-words "$words" --bylines >"$tmp/batch.ndjson"
    t1=$(date +%s.%N)
    out=$("$bin" import "$tmp/batch.ndjson" 2>"$tmp/import.err") ||
        { tail -n 5 "$tmp/import.err" >&2; die "khabar import failed: $out"; }
    t2=$(date +%s.%N)
    case $out in
    *"loaded $count articles, refused 0 lines"*) ;;
    *) tail -n 5 "$tmp/import.err" >&2; die "khabar import: $out (expected $count loaded, 0 refused)" ;;
    esac
    local rate
    rate=$(python3 -c "print('%.0f' % ($count / max(1e-9, $t2 - $t1)))")
    say "synth.py: $count articles in $(python3 -c "print('%.1f' % ($t1 - $t0))") s; khabar import: $(python3 -c "print('%.1f' % ($t2 - $t1))") s ($rate articles/s)"
    rates+=("$count articles: $rate articles/s")
    pin_front
    # Autovacuum would get there too; done here so that every run measures the same state.
    psql "$DATABASE_URL" -X -q -c "VACUUM ANALYZE" >&2
}

# The 300 authors and 12 sections the articles' bylines name (synth.py --bylines: author-1 on
# a tenth of the articles, section-1 on a third), made before the import with their names.
psql "$DATABASE_URL" -X -q -v ON_ERROR_STOP=1 >&2 <<'SQL'
INSERT INTO authors (name, slug, slug_key) SELECT 'كاتب ' || i, 'author-' || i, 'author-' || i
  FROM generate_series(1, 300) i ON CONFLICT DO NOTHING;
INSERT INTO sections (name, slug, slug_key, position) SELECT 'قسم ' || i, 'section-' || i, 'section-' || i, i
  FROM generate_series(1, 12) i ON CONFLICT DO NOTHING;
SQL

# pin_front: three of section-1's oldest articles pinned on its front (once).
pin_front() {
    psql "$DATABASE_URL" -X -q -v ON_ERROR_STOP=1 >&2 <<'SQL'
INSERT INTO section_front (section_id, article_id, position)
  SELECT s.id, p.id, p.n FROM sections s, LATERAL (SELECT id, row_number() OVER (ORDER BY id) AS n
  FROM articles WHERE section_id = s.id ORDER BY id LIMIT 3) p WHERE s.slug_key = 'section-1' ON CONFLICT DO NOTHING;
SQL
}

say "loading $size1 articles (bodies of $body1 words)"
load "$size1" 1 "$body1"

# ---- the queries ----------------------------------------------------------------------------

q() { psql "$DATABASE_URL" -X -A -t -c "$1"; }
read -r common_word rare_word < <(python3 - "$body1" <<'EOF'
import sys
sys.path.insert(0, "scripts")
import synth
print(synth.word_with_share(0.03, int(sys.argv[1]), 1), synth.rare_word(1))
EOF
)
enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
popular_tag=$(python3 -c 'import sys; sys.path.insert(0, "scripts"); import synth; print(synth.POPULAR_TAG)')

# choose_queries: the names and paths measured at the archive's present size. The rare
# tag is one with exactly RARE_TAG_ARTICLES articles at each size, so that both sizes
# answer the same page (a rare tag of the small archive gains articles as it grows).
RARE_TAG_ARTICLES=5
choose_queries() {
    local rare_tag big_source
    rare_tag=$(q "SELECT slug FROM tags WHERE article_count = $RARE_TAG_ARTICLES ORDER BY id LIMIT 1")
    [ -n "$rare_tag" ] || die "no tag has exactly $RARE_TAG_ARTICLES articles"
    big_source=$(q "SELECT name FROM sources ORDER BY article_count DESC, id LIMIT 1")
    names=("newest 20" "tag on 1/3 ($popular_tag)" "rare tag, $RARE_TAG_ARTICLES articles" "source ($big_source)"
        "one month (2020-03)" "search, word in a few % ($common_word)" "search, rare word ($rare_word)"
        "author on 1/10 (author-1)" "section on 1/3 (section-1)" "section-1 front" "authors list" "sections list"
        "site feed (RSS)" "tag feed (Atom, tag on 1/3)" "sitemap of a month (2020-03)")
    paths=("/v1/articles"
        "/v1/articles?tag=$(enc "$popular_tag")"
        "/v1/articles?tag=$(enc "$rare_tag")"
        "/v1/articles?source=$(enc "$big_source")"
        "/v1/articles?from=2020-03-01T00:00:00Z&to=2020-03-31T23:59:59Z"
        "/v1/articles?q=$(enc "$common_word")"
        "/v1/articles?q=$(enc "$rare_word")"
        "/v1/articles?author=author-1"
        "/v1/articles?section=section-1"
        "/v1/sections/section-1/front"
        "/v1/authors"
        "/v1/sections"
        "/v1/feeds/rss"
        "/v1/feeds/atom?tag=$(enc "$popular_tag")"
        "/v1/sitemaps/2020-03.xml")
    # "more like this" of the newest article on the popular tag; the suggest box's prefixes,
    # measured with SUGGEST_CONNECTIONS (2: one request per core at a time, so that the p99 is
    # the answer's own and not time spent queueing behind the other connections)
    similar_of=$(q "SELECT x.article_id FROM article_tags x JOIN tags t ON t.id = x.tag_id
        WHERE t.slug = '$popular_tag' AND x.visible ORDER BY x.published_at DESC LIMIT 1")
    names+=("similar (an article on 1/3)" "suggest, one letter (ا)" "suggest, two letters (ال)"
        "suggest, five letters (الكوي)" "suggest, two words (الكويت الم)")
    paths+=("/v1/articles/$similar_of/similar" "/v1/suggest?q=$(enc ا)" "/v1/suggest?q=$(enc ال)"
        "/v1/suggest?q=$(enc الكوي)" "/v1/suggest?q=$(enc "الكويت الم")")
}
suggest_conns=${SUGGEST_CONNECTIONS:-2}
# How many articles hold a search word: its whole form, letters folded as khabar folds them.
tsq_of() {
    local lexeme
    lexeme=$(python3 - "$1" <<'EOF'
import sys
w = sys.argv[1]
for a, b in (("\u0629", "\u0647"), ("\u0623", "\u0627"), ("\u0625", "\u0627"), ("\u0622", "\u0627"),
             ("\u0649", "\u064a")):
    w = w.replace(a, b)
print("'" + w.replace("\\", "\\\\").replace("'", "''") + "'")
EOF
    )
    q "SELECT count(*) FROM articles WHERE search @@ \$q\$$lexeme\$q\$::tsquery"
}

results=$tmp/results.tsv
: >"$results"

# measure LABEL: wrk on every query; one line per query in results.tsv.
measure() {
    local stage=$1 i url out rps p50 p99 bad matches status
    for i in "${!paths[@]}"; do
        url=$base${paths[$i]}
        status=$(http_status "$url")
        if [ "$status" != 200 ]; then
            sleep 1 # a moment after a run of wrk: once more before giving up
            status=$(http_status "$url")
        fi
        if [ "$status" != 200 ]; then
            tail -n 5 "$tmp/server.log" >&2
            die "GET ${paths[$i]} answers $status, not 200 (server log above)"
        fi
        # warm-up: caches, and past the five runs after which prepared statements may go generic
        wrk -t1 -c4 -d2s "$url" >/dev/null 2>&1 || true
        local c=$conns
        case ${names[$i]} in "suggest,"*) c=$suggest_conns ;; esac
        out=$(wrk -t2 -c"$c" -d"$duration" --latency "$url" 2>&1) || die "wrk failed: $out"
        echo "$out" >"$tmp/wrk-$stage-$i.txt"
        read -r rps p50 p99 bad _ sockerr < <(python3 scripts/wrk_figures.py "$tmp/wrk-$stage-$i.txt")
        [ "$sockerr" = 0 ] || bad="$bad+sockerr"
        matches=""
        case ${names[$i]} in
        "search, word"*) matches=$(tsq_of "$common_word") ;;
        "search, rare"*) matches=$(tsq_of "$rare_word") ;;
        esac
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$stage" "${names[$i]}" "$rps" "$p50" "$p99" "$bad" "$matches" >>"$results"
        say "$(label "$stage") ${names[$i]}: $rps req/s, p50 ${p50} ms, p99 ${p99} ms${matches:+, in $matches articles}$([ "$bad" = 0 ] || echo ", NON-2XX: $bad")"
    done
}

# statements_of PATH OUT: the statements khabar's pool ran for one GET of PATH, as a pgbench
# script (scripts/pgbench_of_log.py).
statements_of() {
    log_while "$tmp/pg/postgresql.log" "$tmp/statements.log" http_status "$base$1" >/dev/null
    python3 scripts/pgbench_of_log.py khabar <"$tmp/statements.log" >"$2"
}

# beside_pgbench: each query (not the suggestions', paced apart) against pgbench running the
# statements khabar ran for it, with wrk's clients and threads, in BENCH_PAIR_ROUNDS rounds
# of BENCH_PAIR_DURATION each; one line per query in pairs.tsv: name, then per round
# khabar req/s and pgbench tps, and the load before the round.
pairs=$tmp/pairs.tsv
beside_pgbench() {
    local rounds=${BENCH_PAIR_ROUNDS:-3} d=${BENCH_PAIR_DURATION:-5s} i r line rps tps
    : >"$pairs"
    for i in "${!paths[@]}"; do
        case ${names[$i]} in "suggest,"*) continue ;; esac
        statements_of "${paths[$i]}" "$tmp/pgbench-$i.sql" || die "no statements logged for ${paths[$i]}"
        line=${names[$i]}
        for r in $(seq "$rounds"); do
            local l
            l=$(cut -d' ' -f1 /proc/loadavg)
            out=$(wrk -t2 -c"$conns" -d"$d" --latency "$base${paths[$i]}" 2>&1) || die "wrk failed: $out"
            echo "$out" >"$tmp/wrk-pair-$i-$r.txt"
            read -r rps _ < <(python3 scripts/wrk_figures.py "$tmp/wrk-pair-$i-$r.txt")
            pgbench -n -M prepared -c "$conns" -j 2 -T "${d%s}" -f "$tmp/pgbench-$i.sql" "$DATABASE_URL" \
                >"$tmp/pgbench-$i-$r.txt" 2>&1 || die "pgbench failed: $(tail -n 3 "$tmp/pgbench-$i-$r.txt")"
            tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$tmp/pgbench-$i-$r.txt" | head -n 1)
            line="$line"$'\t'"$rps $tps $l"
        done
        echo "$line" >>"$pairs"
        say "$(label "$size1") ${names[$i]} beside pgbench on its $(wc -l <"$tmp/pgbench-$i.sql") statements: ${line#*$'\t'}"
    done
}

choose_queries
measure "$size1"
if [ -z "${BENCH_NO_PAIRS:-}" ]; then
    say "each query at $l1 beside pgbench running the statements khabar runs for it"
    beside_pgbench
fi
if [ -z "${BENCH_NO_READ:-}" ]; then
    say "the read path at $l1, beside nginx and pgbench"
    BENCH_TMP=$tmp BENCH_BIN=$bin BENCH_BASE=$base BENCH_DURATION=$duration \
        scripts/bench_read.sh || die "scripts/bench_read.sh failed"
    say "writes beside pgbench, and with two webhook endpoints against none"
    BENCH_TMP=$tmp BENCH_BIN=$bin BENCH_DURATION=$duration \
        scripts/bench_writes.sh || die "scripts/bench_writes.sh failed"
fi
if [ "${BENCH_SOAK:-600s}" != 0 ]; then
    say "mixed load for ${BENCH_SOAK:-600s} at half its maximum"
    BENCH_TMP=$tmp BENCH_BIN=$bin BENCH_SOAK=${BENCH_SOAK:-600s} \
        scripts/bench_soak.sh || die "scripts/bench_soak.sh failed"
fi
say "growing the archive to $size2 articles (bodies of $body2 words)"
load $((size2 - size1)) 2 "$body2"
# The server opens the search window once the archive holds twice SEARCH_WINDOW_ARTICLES
# (migrations/0020_search_window.sql): a row update per article in it, minutes of work at
# this size; measuring meanwhile would measure that work. A smaller archive has none to wait for.
window=${SEARCH_WINDOW_ARTICLES:-$("$bin" --help 2>&1 | sed -n 's/^ *SEARCH_WINDOW_ARTICLES *default: *\([0-9]*\).*/\1/p' | head -n 1)}
[[ $window =~ ^[0-9]+$ ]] || die "cannot tell khabar's SEARCH_WINDOW_ARTICLES default from '$bin --help'"
if [ "$(q "SELECT count(*) >= 2 * $window FROM articles")" = t ]; then
    say "waiting for the server to open the search window"
    for _ in $(seq 1800); do
        [ "$(q "SELECT since IS NOT NULL FROM search_window")" = t ] && break
        sleep 1
    done
fi
say "search window: $(q "SELECT COALESCE(since::text, 'not open') FROM search_window")"
choose_queries
measure "$size2"

# ---- the report ---------------------------------------------------------------------------

mkdir -p build
python3 - "$results" "$size1" "$size2" "$l1" "$l2" "$duration" "$conns" "$suggest_conns" "${rates[@]}" >build/bench-report.md <<'EOF'
import datetime, os, platform, sys
path, s1, s2, l1, l2, duration, conns, suggest_conns = sys.argv[1:9]
rates = sys.argv[9:]
rows = {}
order = []
for line in open(path, encoding="utf-8"):
    stage, name, rps, p50, p99, bad, matches = line.rstrip("\n").split("\t")
    if name not in rows:
        order.append(name)
        rows[name] = {}
    rows[name][stage] = (float(rps), float(p50), float(p99), bad, matches)
out = []
out.append("# khabar bench: %s and %s articles" % (l1, l2))
out.append("")
out.append("%s, %s cores; `wrk -t2 -c%s -d%s --latency`, server and PostgreSQL on the same machine." % (
    datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), os.cpu_count(), conns, duration))
out.append("The suggest rows with `-c%s` (their p99 is the answer's, not a queue's)." % suggest_conns)
out.append("Import: " + "; ".join(rates) + ".")
out.append("")
out.append("| query | %s req/s | %s p50 ms | %s p99 ms | %s req/s | %s p50 ms | %s p99 ms | ratio | |" % (l1, l1, l1, l2, l2, l2))
out.append("|---|--:|--:|--:|--:|--:|--:|--:|---|")
flagged = []
for name in order:
    a, b = rows[name].get(s1), rows[name].get(s2)
    if not a or not b:
        continue
    ratio = b[0] / a[0] if a[0] else 0.0
    notes = []
    if ratio < 1 / 1.5:
        notes.append("SLOWER: below 1/1.5")
        flagged.append(name)
    for stage, r in ((l1, a), (l2, b)):
        if r[3] != "0":
            notes.append("%s: %s non-2xx" % (stage, r[3]))
    if a[4] or b[4]:
        notes.append("matches %s / %s" % (a[4], b[4]))
    out.append("| %s | %.0f | %.2f | %.2f | %.0f | %.2f | %.2f | %.2f | %s |" % (
        name, a[0], a[1], a[2], b[0], b[1], b[2], ratio, "; ".join(notes)))
out.append("")
pairs_path = os.path.join(os.path.dirname(path), "pairs.tsv")
if os.path.exists(pairs_path) and os.path.getsize(pairs_path) > 0:
    import statistics
    out.append("## Each query at %s beside pgbench running the statements khabar runs for it (same run)" % l1)
    out.append("")
    out.append("`pgbench -M prepared -c%s -j2`, the statements read from PostgreSQL's log of one request, "
               "against `wrk -t2 -c%s` on the URL (no answer cache); each ratio the median of the rounds'." % (conns, conns))
    out.append("")
    out.append("| query | khabar req/s | pgbench tps | ratio | rounds' ratios (load) | target |")
    out.append("|---|--:|--:|--:|---|---|")
    for line in open(pairs_path, encoding="utf-8"):
        f = line.rstrip("\n").split("\t")
        rounds = [tuple(x.split()) for x in f[1:]]
        ratios = [float(r[0]) / float(r[1]) for r in rounds]
        median = statistics.median_low(ratios)
        k, p, _ = rounds[ratios.index(median)]
        every = ", ".join("%.2f (%s)" % (x, r[2]) for x, r in zip(ratios, rounds))
        out.append("| %s | %.0f | %.0f | **%.2f** | %s | 0.9 |" % (f[0], float(k), float(p), median, every))
    out.append("")
read_path = os.path.join(os.path.dirname(path), "read-results.tsv")
if os.path.exists(read_path) and os.path.getsize(read_path) > 0:
    out.append("## The read path at %s, beside the machine's limits (same run)" % l1)
    out.append("")
    out.append("| figure | khabar | p50 ms | p99 ms | beside | its figure | p50 ms | p99 ms | ratio | target |")
    out.append("|---|--:|--:|--:|---|--:|--:|--:|--:|---|")
    for line in open(read_path, encoding="utf-8"):
        f = line.rstrip("\n").split("\t")
        try:
            float(f[8])  # a ratio target: khabar's figure over the one beside it
            ratio = "%.2f" % (float(f[1]) / float(f[5]))
        except (ValueError, ZeroDivisionError):
            ratio = "-"
        out.append("| %s |" % " | ".join([f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], ratio, f[8]]))
    out.append("")
soak_path = os.path.join(os.path.dirname(path), "soak-results.tsv")
if os.path.exists(soak_path) and os.path.getsize(soak_path) > 0:
    out.append("## Mixed load at %s (scripts/bench_soak.sh, same run)" % l1)
    out.append("")
    out.append("Per request: 60% GET by id (the 2,000 newest), 10% lists, 10% feeds, 10% searches, 5% suggestions, "
               "5% PUTs of a typical article; at half the mix's maximum, GET by id beside it at ~1,000 req/s.")
    out.append("")
    out.append("| figure | measured | target |")
    out.append("|---|---|---|")
    for line in open(soak_path, encoding="utf-8"):
        out.append("| %s |" % " | ".join(line.rstrip("\n").split("\t")))
    out.append("")
if flagged:
    out.append("At %s, below 1/1.5 of the %s throughput: %s." % (l2, l1, ", ".join(flagged)))
else:
    out.append("Every query at %s keeps at least 1/1.5 of its %s throughput." % (l2, l1))
print("\n".join(out))
EOF
echo
cat build/bench-report.md
say "report written to build/bench-report.md"
