#!/usr/bin/env bash
# run.sh: what "make run" does after the build: database, migrations, sample data, a dev token, then khabar serve.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
bin=build/khabar

say() { echo "run: $*" >&2; }
die() { echo "run: $*" >&2; exit 1; }

[ -x "$bin" ] || die "$bin is missing; build it with 'make' (or use 'make run')"

psql_bin=psql
if ! command -v psql >/dev/null 2>&1; then
    psql_bin=$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/psql' 2>/dev/null | sort -V | tail -n 1)
    [ -n "$psql_bin" ] || die "psql not found (run scripts/install-deps.sh as root)"
fi

started_db=0
if [ -z "${DATABASE_URL:-}" ]; then
    DATABASE_URL=$(scripts/pg.sh start | tail -n 1)
    [ -n "$DATABASE_URL" ] || die "scripts/pg.sh start gave no DATABASE_URL"
    started_db=1
fi
export DATABASE_URL

say "applying migrations"
"$bin" migrate || die "'khabar migrate' failed"

count=$("$psql_bin" "$DATABASE_URL" -X -Atc 'SELECT count(*) FROM articles') ||
    die "could not count the articles (is DATABASE_URL right?)"
if [ "$count" = 0 ]; then
    say "the database is empty: loading seed/sample.ndjson"
    "$bin" import seed/sample.ndjson || die "'khabar import seed/sample.ndjson' failed"
fi

new_token=0
if [ -z "${API_TOKENS:-}" ]; then
    API_TOKENS=dev-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
    new_token=1
fi
export API_TOKENS
export PORT=${PORT:-8080}

token='<one of API_TOKENS>'
[ "$new_token" -eq 0 ] || token=$API_TOKENS
base=http://localhost:$PORT
# The newest sample article (the import loads the "read also" one first).
id=$("$psql_bin" "$DATABASE_URL" -X -Atc 'SELECT max(id) FROM articles' 2>/dev/null || true)

echo
echo "khabar on $base  (DATABASE_URL=$DATABASE_URL)"
if [ "$new_token" -eq 1 ]; then
    echo "development token (API_TOKENS was unset): $token"
fi
echo
echo "Read an article:"
if [[ $id =~ ^[0-9]+$ ]]; then
    echo "  curl -s $base/v1/articles/$id"
fi
echo "  curl -s '$base/v1/articles?limit=5'"
echo "Create one:"
cat <<EOF
  curl -s -X POST $base/v1/articles \\
    -H 'Authorization: Bearer $token' \\
    -H 'Content-Type: application/json' \\
    -d '{"title": "خبر تجريبي", "body": "نص الخبر", "tags": ["تجربة"], "sources": ["khabar"]}'
EOF
echo
echo "Ctrl-C stops the server."
if [ "$started_db" -eq 1 ]; then
    echo "PostgreSQL keeps running in the background; 'make stop-db' stops it."
fi
echo

exec "$bin" serve
