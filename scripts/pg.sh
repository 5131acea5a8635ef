#!/usr/bin/env bash
# pg.sh: a private PostgreSQL cluster for development and tests (start [DIR] [PORT] | stop [DIR] | url [DIR]).
#
# DIR (default var/pg in the project) holds the cluster: data/ (PGDATA), postgresql.log, the
# Unix socket and a file "url" with the DATABASE_URL. The server listens on 127.0.0.1 only,
# with trust authentication: fine for a development machine, never for production.
# "start" prints the DATABASE_URL as the last line of stdout; messages go to stderr.
# As root, PostgreSQL runs as the "postgres" user; if that user cannot reach DIR (a project
# under /root, mode 0700), the cluster goes to /var/tmp/khabar-pg-<hash of DIR> instead.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
me=pg.sh

say() { echo "$me: $*" >&2; }
die() { echo "$me: $*" >&2; exit 1; }

usage() {
    cat >&2 <<EOF
usage: scripts/pg.sh start [DIR] [PORT]   start (creating it if needed) a cluster; prints its DATABASE_URL
       scripts/pg.sh stop [DIR]           stop it (fine if it is not running)
       scripts/pg.sh url [DIR]            print its DATABASE_URL
DIR defaults to $root/var/pg; PORT defaults to the last one used, else 5433 or the first free port above.
EOF
    exit 2
}

is_root() { [ "$(id -u)" -eq 0 ]; }

# Runs a PostgreSQL program as the user that owns the cluster (postgres when we are root).
as_pg() {
    if is_root; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

# The newest installed PostgreSQL bin directory, or the one matching an existing cluster.
find_bindir() {
    local want=${1:-} dir
    if [ -n "${PG_BINDIR:-}" ]; then
        echo "$PG_BINDIR"
        return
    fi
    if [ -n "$want" ]; then
        dir=/usr/lib/postgresql/$want/bin
        [ -x "$dir/pg_ctl" ] || die "the cluster was made by PostgreSQL $want, but $dir/pg_ctl is missing"
        echo "$dir"
        return
    fi
    dir=$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/initdb' 2>/dev/null |
        sort -V | tail -n 1)
    [ -n "$dir" ] || die "no PostgreSQL server found in /usr/lib/postgresql (run scripts/install-deps.sh as root)"
    dirname "$dir"
}

# Where the cluster for DIR lives when the postgres user cannot reach DIR itself.
fallback_dir() {
    local sum
    sum=$(printf '%s' "$1" | sha256sum | cut -c1-12)
    echo "/var/tmp/khabar-pg-$sum"
}

# True when the cluster user can create and use files in $1.
reachable() {
    if is_root; then
        (cd / && runuser -u postgres -- test -d "$1" -a -w "$1" -a -x "$1") 2>/dev/null
    else
        test -d "$1" -a -w "$1" -a -x "$1"
    fi
}

has_cluster() { [ -f "$1/data/PG_VERSION" ]; }

# True when folder $1 holds nothing but what this script puts there (so it may become a cluster).
only_ours() {
    local f
    for f in "$1"/* "$1"/.[!.]* "$1"/..?*; do
        [ -e "$f" ] || [ -L "$f" ] || continue
        case ${f##*/} in
        data | url | postgresql.log | initdb.log) ;;
        *) return 1 ;;
        esac
    done
}

# For stop and url: the folder that holds DIR's cluster, without creating anything.
existing_dir() {
    local dir=$1 fb
    if has_cluster "$dir" || [ -f "$dir/url" ]; then
        echo "$dir"
        return
    fi
    fb=$(fallback_dir "$dir")
    if has_cluster "$fb" || [ -f "$fb/url" ]; then
        echo "$fb"
        return
    fi
    echo "$dir"
}

port_in_use() {
    # shellcheck disable=SC2016  # $1 is expanded by the inner bash
    timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}

free_port_from() {
    local p=$1
    while port_in_use "$p"; do
        p=$((p + 1))
        [ "$p" -le 65535 ] || die "no free TCP port at or above $1"
    done
    echo "$p"
}

is_running() { as_pg "$bindir/pg_ctl" status -D "$dir/data" >/dev/null 2>&1; }

# The port a running cluster listens on (line 4 of postmaster.pid).
running_port() { sed -n 4p "$dir/data/postmaster.pid" 2>/dev/null; }

url_for() { echo "postgresql://postgres@127.0.0.1:$1/khabar"; }

ensure_database() {
    local port=$1 found
    found=$("$bindir/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -Atc \
        "SELECT 1 FROM pg_database WHERE datname = 'khabar'") ||
        die "cannot connect to the cluster on port $port (log: $dir/postgresql.log)"
    if [ "$found" != 1 ]; then
        "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres khabar ||
            die "could not create database khabar on port $port"
        say "created database khabar"
    fi
}

# Writes the settings that may change between starts; postgresql.conf includes this file.
write_conf() {
    local port=$1 sock=$dir
    # A Unix socket path is limited to 107 bytes; without room, TCP only.
    if [ $((${#sock} + 20)) -gt 107 ]; then
        sock=""
    fi
    as_pg tee "$dir/data/khabar.conf" >/dev/null <<EOF
# written by scripts/pg.sh on every start
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '${sock//\'/\'\'}'
logging_collector = off
EOF
}

cmd_start() {
    local given_port=${1:-} port prev_port="" created=0 attempt
    if [ -n "$given_port" ] && ! [[ $given_port =~ ^[0-9]+$ && $given_port -ge 1 && $given_port -le 65535 ]]; then
        die "PORT must be a number from 1 to 65535, not '$given_port'"
    fi

    # As root, the cluster belongs to postgres; it must be able to reach dir.
    if is_root; then
        id postgres >/dev/null 2>&1 || die "there is no 'postgres' user (run scripts/install-deps.sh to install PostgreSQL)"
    fi
    if ! has_cluster "$dir"; then
        local fb
        fb=$(fallback_dir "$dir")
        if is_root && has_cluster "$fb"; then
            say "using the cluster in $fb (the postgres user cannot reach $dir)"
            dir=$fb
        else
            [ -d "$dir" ] || { (umask 022 && mkdir -p "$dir") && created=1; } ||
                die "cannot create $dir"
            if ! only_ours "$dir"; then
                die "$dir is not empty and holds no cluster; give an empty or new folder"
            fi
            if is_root; then
                chown postgres:postgres "$dir" && chmod 700 "$dir"
            fi
            if is_root && ! reachable "$dir"; then
                if [ "$created" -eq 1 ]; then rmdir "$dir" 2>/dev/null || true; fi
                say "the postgres user cannot reach $dir (a parent folder is private, e.g. /root is mode 0700); using $fb instead"
                if [ -e "$fb" ]; then
                    local owner
                    owner=$(stat -c %U "$fb")
                    [ "$owner" = postgres ] || [ "$owner" = root ] || die "$fb exists and belongs to $owner; remove it"
                else
                    mkdir -m 700 "$fb"
                fi
                chown postgres:postgres "$fb" && chmod 700 "$fb"
                dir=$fb
            fi
        fi
    fi

    if has_cluster "$dir"; then
        bindir=$(find_bindir "$(cat "$dir/data/PG_VERSION")")
    else
        if [ -n "$given_port" ] && port_in_use "$given_port"; then
            die "port $given_port is already in use; choose another PORT"
        fi
        bindir=$(find_bindir)
        local locale=C
        if locale -a 2>/dev/null | grep -qix -e 'C.UTF-8' -e 'C.utf8'; then
            locale=C.UTF-8
        fi
        say "creating a PostgreSQL $(basename "$(dirname "$bindir")") cluster in $dir/data"
        if ! as_pg "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 \
            --locale="$locale" --no-instructions >"$dir/initdb.log" 2>&1; then
            cat "$dir/initdb.log" >&2
            rm -rf "$dir/data"
            die "initdb failed (see above)"
        fi
        echo "include_if_exists = 'khabar.conf'" | as_pg tee -a "$dir/data/postgresql.conf" >/dev/null
    fi

    if is_running; then
        port=$(running_port)
        [ -n "$port" ] || die "the cluster in $dir runs but its port is unknown"
        if [ -n "$given_port" ] && [ "$given_port" != "$port" ]; then
            say "already running on port $port (not $given_port); stop it first to change the port"
        else
            say "already running in $dir on port $port"
        fi
        ensure_database "$port"
        url_for "$port" >"$dir/url"
        url_for "$port"
        return
    fi

    if [ -f "$dir/url" ]; then
        prev_port=$(sed -n 's|.*:\([0-9]*\)/khabar$|\1|p' "$dir/url")
    fi
    for attempt in 1 2 3; do
        if [ -n "$given_port" ]; then
            port=$given_port
            port_in_use "$port" && die "port $port is already in use; choose another PORT"
        elif [ -n "$prev_port" ] && ! port_in_use "$prev_port"; then
            port=$prev_port
        else
            port=$(free_port_from 5433)
        fi
        write_conf "$port"
        say "starting PostgreSQL on 127.0.0.1:$port (log: $dir/postgresql.log)"
        if as_pg "$bindir/pg_ctl" start -w -t 60 -s -D "$dir/data" -l "$dir/postgresql.log" >&2; then
            break
        fi
        # Another process may have taken an automatically chosen port meanwhile: try again.
        if [ -z "$given_port" ] && [ "$attempt" -lt 3 ] && port_in_use "$port"; then
            prev_port=""
            continue
        fi
        tail -n 20 "$dir/postgresql.log" >&2 || true
        die "PostgreSQL did not start (log above, full log in $dir/postgresql.log)"
    done

    ensure_database "$port"
    url_for "$port" >"$dir/url"
    url_for "$port"
}

cmd_stop() {
    dir=$(existing_dir "$dir")
    if ! has_cluster "$dir"; then
        say "no cluster in $dir; nothing to stop"
        return
    fi
    bindir=$(find_bindir "$(cat "$dir/data/PG_VERSION")")
    if ! is_running; then
        say "not running ($dir)"
        return
    fi
    as_pg "$bindir/pg_ctl" stop -w -s -m fast -D "$dir/data" >&2 || die "could not stop the cluster in $dir"
    say "stopped ($dir)"
}

cmd_url() {
    dir=$(existing_dir "$dir")
    [ -f "$dir/url" ] || die "no cluster has been started in $dir; run scripts/pg.sh start first"
    cat "$dir/url"
}

[ $# -ge 1 ] || usage
action=$1
shift
case $action in
start) [ $# -le 2 ] || usage ;;
stop | url) [ $# -le 1 ] || usage ;;
-h | --help | help) usage ;;
*) usage ;;
esac

dir=${1:-$root/var/pg}
dir=$(realpath -m -- "$dir")
bindir=""

case $action in
start) cmd_start "${2:-}" ;;
stop) cmd_stop ;;
url) cmd_url ;;
esac
