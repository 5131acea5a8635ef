#!/usr/bin/env bash
# bench_import.sh: khabar import of BENCH_IMPORT_COUNT synthetic articles (120-word bodies)
# into an empty archive, against psql \copy of the same rows into khabar's own tables loaded
# the fastest way PostgreSQL loads them itself, and (for scale) of the input into a plain
# table, each into a database of its own beside DATABASE_URL's (dropped afterwards).
# Called by scripts/bench_read.sh; on its own (`make bench-import`) it starts a private
# PostgreSQL of its own. Appends two lines to BENCH_RESULTS (read-results.tsv's columns).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
me=bench-import
say() { echo "$me: $*" >&2; }
die() { echo "$me: $*" >&2; exit 1; }
import_count=${BENCH_IMPORT_COUNT:-100000}
own_pg=""
if [ -z "${BENCH_TMP:-}" ]; then
    # on its own: a temp dir, a private PostgreSQL, the build's binary, results printed
    BENCH_TMP=$(mktemp -d /tmp/khabar-bench-import-XXXXXX)
    chmod 755 "$BENCH_TMP"
    own_pg=$BENCH_TMP/pg
    trap 'scripts/pg.sh stop "$own_pg" >/dev/null 2>&1 || true; rm -rf "$BENCH_TMP"' EXIT
    DATABASE_URL=$(scripts/pg.sh start "$own_pg" | tail -n 1)
    BENCH_BIN=${BENCH_BIN:-$root/build/khabar}
    BENCH_RESULTS=$BENCH_TMP/results.tsv
fi
: "${BENCH_BIN:?}" "${DATABASE_URL:?}" "${BENCH_RESULTS:?}"
tmp=$BENCH_TMP
out=$BENCH_RESULTS

python3 scripts/synth.py --count "$import_count" --seed 7 --body-words 120 >"$tmp/import.ndjson"
python3 - "$tmp/import.ndjson" "$tmp/import.tsv" <<'EOF'
import json, sys
def field(v):
    if v is None:
        return "\\N"
    return str(v).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
with open(sys.argv[1], encoding="utf-8") as src, open(sys.argv[2], "w", encoding="utf-8") as dst:
    for line in src:
        a = json.loads(line)
        dst.write("\t".join(field(x) for x in (a.get("title"), a.get("summary"), a.get("body"), a.get("lang", "ar"),
                                               a.get("published_at"), json.dumps(a.get("tags", []), ensure_ascii=False),
                                               json.dumps(a.get("sources", []), ensure_ascii=False))) + "\n")
EOF
base_url=${DATABASE_URL%/*}
for db in khabar_import khabar_copy khabar_schema_copy; do
    psql "$base_url/postgres" -X -q -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
done
DATABASE_URL=$base_url/khabar_import "$BENCH_BIN" migrate >/dev/null || die "migrate of khabar_import failed"
t0=$(date +%s.%N)
DATABASE_URL=$base_url/khabar_import "$BENCH_BIN" import "$tmp/import.ndjson" >"$tmp/import-out.txt" 2>&1 ||
    die "khabar import failed: $(tail -n 3 "$tmp/import-out.txt")"
t1=$(date +%s.%N)
# 1. psql \copy of the same rows as khabar stores them (every table the import filled, taken
#    from the import above) into khabar's own schema, the fastest way PostgreSQL itself
#    loads them: one transaction, the search index dropped and built at the end, every
#    trigger off (as pg_restore --disable-triggers loads: the rows are already what the
#    triggers would make of them, and what they would add is copied too).
tables=""
for t in $(psql "$base_url/khabar_import" -X -A -t -c "SELECT quote_ident(tablename) FROM pg_tables
    WHERE schemaname = 'public' AND tablename <> 'schema_migrations' ORDER BY 1"); do
    [ "$(psql "$base_url/khabar_import" -X -A -t -c "SELECT EXISTS (SELECT 1 FROM $t)")" = t ] && tables="$tables $t"
done
[ -n "$tables" ] || die "the import filled no table"
mkdir -p "$tmp/rows" && chmod 777 "$tmp/rows"
for t in $tables; do
    psql "$base_url/khabar_import" -X -q -c "\\copy $t TO '$tmp/rows/$t.tsv'" >/dev/null || die "\\copy of $t out failed"
done
DATABASE_URL=$base_url/khabar_schema_copy "$BENCH_BIN" migrate >/dev/null || die "migrate of khabar_schema_copy failed"
index_def=$(psql "$base_url/khabar_schema_copy" -X -A -t -c "SELECT pg_get_indexdef('articles_search'::regclass)")
{
    echo "BEGIN;"
    echo "DROP INDEX articles_search;"
    for t in $tables; do echo "ALTER TABLE $t DISABLE TRIGGER ALL;"; done
    echo "TRUNCATE $(echo $tables | sed 's/ /, /g') CASCADE;" # what the migrations put in them
    for t in $tables; do echo "\\copy $t FROM '$tmp/rows/$t.tsv'"; done
    echo "SET LOCAL maintenance_work_mem = '256MB';"
    echo "$index_def;"
    for t in $tables; do echo "ALTER TABLE $t ENABLE TRIGGER ALL;"; done
    echo "COMMIT;"
} >"$tmp/schema-copy.sql"
t2=$(date +%s.%N)
psql "$base_url/khabar_schema_copy" -X -q -v ON_ERROR_STOP=1 -f "$tmp/schema-copy.sql" >/dev/null ||
    die "psql \\copy into khabar's schema failed"
t3=$(date +%s.%N)
# 2. psql \copy of the input's fields into a plain table: no index, no search vector.
psql "$base_url/khabar_copy" -X -q -c "CREATE TABLE articles (title text NOT NULL, summary text, body text NOT NULL,
    lang text NOT NULL, published_at timestamptz, tags jsonb, sources jsonb)" >/dev/null
t4=$(date +%s.%N)
psql "$base_url/khabar_copy" -X -q -c "\\copy articles FROM '$tmp/import.tsv'" >/dev/null || die "psql \\copy failed"
t5=$(date +%s.%N)
rate() { python3 -c "print('%.0f' % ($import_count / ($2 - $1)))"; }
i_rate=$(rate "$t0" "$t1")
s_rate=$(rate "$t2" "$t3")
c_rate=$(rate "$t4" "$t5")
printf 'khabar import (articles/s)\t%s\t-\t-\tpsql \\copy of the same rows into khabar'"'"'s tables, index built after\t%s\t-\t-\t0.9\n' \
    "$i_rate" "$s_rate" >>"$out"
printf 'khabar import (articles/s)\t%s\t-\t-\tpsql \\copy of the input into a plain table (no index)\t%s\t-\t-\t-\n' \
    "$i_rate" "$c_rate" >>"$out"
say "import of $import_count: khabar $i_rate articles/s; psql \\copy into khabar's schema $s_rate rows/s; into a plain table $c_rate rows/s"
rm -rf "$tmp/rows"
for db in khabar_import khabar_copy khabar_schema_copy; do
    psql "$base_url/postgres" -X -q -c "DROP DATABASE IF EXISTS $db" >/dev/null || true
done
[ -z "$own_pg" ] || cat "$out"
