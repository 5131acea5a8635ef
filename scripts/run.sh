#!/usr/bin/env bash
# run.sh: what "make run" does: checks the port, then database, migrations, sample data, the dev token, khabar serve.
#
# scripts/run.sh check-port   only checks that PORT (default 8080) is free; "make run" does this first
# scripts/run.sh              the rest, after the build
# KHABAR_STATE (default var/ in the project, git-ignored) holds the private PostgreSQL (pg/) and
# the development token (dev-token); KHABAR_BIN (default build/khabar) is the binary served.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
bin=${KHABAR_BIN:-build/khabar}
state=${KHABAR_STATE:-$root/var}
port=${PORT:-8080}

say() { echo "run: $*" >&2; }
die() { echo "run: $*" >&2; exit 1; }

# The process listening on TCP port $1, as ss names it ("" when unknown).
listener_of() {
    command -v ss >/dev/null 2>&1 || return 0
    ss -Hltnp "sport = :$1" 2>/dev/null | sed -n 's/.*users:(("\([^"]*\)",pid=\([0-9]*\).*/\1, pid \2/p' | head -n 1
}

port_taken() {
    if command -v ss >/dev/null 2>&1 && [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]; then
        return 0
    fi
    # shellcheck disable=SC2016  # $1 is expanded by the inner bash
    timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}

check_port() {
    if ! [[ $port =~ ^[0-9]+$ && $port -le 65535 ]]; then
        die "PORT must be a number from 0 to 65535, not '$port'"
    fi
    [ "$port" -ne 0 ] || return 0
    port_taken "$port" || return 0
    local who
    who=$(listener_of "$port")
    say "port $port is already taken${who:+ (by $who)}: is another 'make run' still running?"
    say "stop it (Ctrl-C in its terminal), or serve on another port: make run PORT=$((port + 1))"
    exit 1
}

# The development token: made once, kept in $state/dev-token, so that it survives restarts.
dev_token() {
    local file=$state/dev-token tok=""
    [ -f "$file" ] && tok=$(tr -d ' \n' <"$file")
    if ! [[ $tok =~ ^[A-Za-z0-9._-]+$ ]]; then
        mkdir -p "$state" || die "cannot create $state"
        tok=dev-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
        (umask 077 && echo "$tok" >"$file.new" && mv "$file.new" "$file") || die "cannot write $file"
        say "made a development token, kept in $file (delete the file for a new one)"
    fi
    echo "$tok"
}

check_port
if [ "${1:-}" = check-port ]; then
    exit 0
fi
[ $# -eq 0 ] || die "usage: scripts/run.sh [check-port]"
[ -x "$bin" ] || die "$bin is missing; build it with 'make' (or use 'make run')"

psql_bin=psql
if ! command -v psql >/dev/null 2>&1; then
    psql_bin=$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/psql' 2>/dev/null | sort -V | tail -n 1)
    [ -n "$psql_bin" ] || die "psql not found (run scripts/install-deps.sh as root)"
fi

started_db=0
if [ -z "${DATABASE_URL:-}" ]; then
    DATABASE_URL=$(scripts/pg.sh start "$state/pg" | tail -n 1)
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

token_line="export TOKEN='<one of API_TOKENS>'"
if [ -z "${API_TOKENS:-}" ]; then
    API_TOKENS=$(dev_token)
    token_line="export TOKEN=$API_TOKENS"
fi
export API_TOKENS
export PORT=$port
base=http://localhost:$PORT

echo
echo "khabar on $base  (DATABASE_URL=$DATABASE_URL)"
echo "the frontend: open $base/ in a browser"
echo
echo "In another terminal, paste these lines (the token stays the same from one run to the next):"
echo
echo "  export B=$base"
echo "  $token_line"
echo "  export DATABASE_URL='$DATABASE_URL' KHABAR=$bin"
echo
echo "then take the tour (README, \"A tour with curl\"), or run it all at once: scripts/tour.sh"
echo "  curl -s \"\$B/v1/articles?limit=5\""
echo
echo "Ctrl-C stops the server."
if [ "$started_db" -eq 1 ]; then
    echo "PostgreSQL keeps running in the background; 'make stop-db' stops it."
fi
echo

exec "$bin" serve
