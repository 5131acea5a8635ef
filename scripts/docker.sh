#!/usr/bin/env bash
# docker.sh: what the images need on this machine: a Docker daemon, and the Debian 12 base image made locally when no registry gives one.
#   scripts/docker.sh daemon   starts dockerd when none answers (its pid kept in $DOCKERD_PID)
#   scripts/docker.sh stop     stops the dockerd this script started, and only that one
#   scripts/docker.sh base     makes the image debian:12-slim from debootstrap --variant=minbase
#                              bookworm, unless the daemon has it already (or can pull it)
#   scripts/docker.sh build    base, then the images of docker/compose.yaml (khabar, PostgreSQL, nginx)
# Runs as root (dockerd and debootstrap need it). Run from anywhere.
#   BASE_CACHE   where the base root's tar is kept between runs (default /var/cache/khabar)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BASE_IMAGE=debian:12-slim
BASE_CACHE=${BASE_CACHE:-/var/cache/khabar}
DOCKERD_PID=${DOCKERD_PID:-/run/khabar-dockerd.pid}
DOCKERD_LOG=${DOCKERD_LOG:-/var/log/khabar-dockerd.log}

say() { echo "docker.sh: $*" >&2; }

daemon_answers() { docker info >/dev/null 2>&1; }

start_daemon() {
    daemon_answers && return 0
    command -v dockerd >/dev/null || { say "dockerd not found (install docker.io: scripts/install-deps.sh)"; exit 1; }
    say "starting dockerd (log in $DOCKERD_LOG)"
    # setsid: the daemon outlives this script and the terminal it was started from
    setsid dockerd >"$DOCKERD_LOG" 2>&1 </dev/null &
    echo $! >"$DOCKERD_PID"
    for _ in $(seq 1 60); do
        daemon_answers && return 0
        sleep 0.5
    done
    tail -n 20 "$DOCKERD_LOG" >&2
    say "dockerd did not answer within 30 s"
    exit 1
}

stop_daemon() {
    [ -f "$DOCKERD_PID" ] || return 0
    local pid
    pid=$(cat "$DOCKERD_PID")
    rm -f "$DOCKERD_PID"
    kill -0 "$pid" 2>/dev/null || return 0
    say "stopping dockerd ($pid)"
    kill -TERM "$pid"
    for _ in $(seq 1 60); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.5
    done
    kill -KILL "$pid" 2>/dev/null || true
}

# The apt mirror this machine uses (the image's apt asks the same one).
mirror() {
    local m
    m=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    [ -n "$m" ] || m=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
    echo "${m:-http://deb.debian.org/debian}"
}

# A minimal Debian 12 root as a tar, made once and kept in BASE_CACHE.
base_tar() {
    local tar=$BASE_CACHE/bookworm-minbase.tar tmp m
    [ -s "$tar" ] && { echo "$tar"; return; }
    command -v debootstrap >/dev/null || { say "debootstrap not found (scripts/install-deps.sh installs it)"; exit 1; }
    mkdir -p "$BASE_CACHE"
    tmp=$(mktemp -d)
    m=$(mirror)
    say "debootstrap --variant=minbase bookworm from $m (a minute or two, once)"
    if ! debootstrap --variant=minbase bookworm "$tmp" "$m" >"$BASE_CACHE/debootstrap.log" 2>&1; then
        tail -n 20 "$BASE_CACHE/debootstrap.log" >&2
        rm -rf "$tmp"
        say "debootstrap failed (log in $BASE_CACHE/debootstrap.log)"
        exit 1
    fi
    # the updates and security suites too, as Debian's own images list them
    printf 'deb %s bookworm main\ndeb %s bookworm-updates main\ndeb %s-security bookworm-security main\n' \
        "$m" "$m" "$m" >"$tmp/etc/apt/sources.list"
    # as Debian's slim images: no manuals, documentation (but the copyrights) or translations,
    # now or from the packages an image adds; apt keeps no package cache and no lists
    printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \
        'path-exclude /usr/share/man/*' 'path-exclude /usr/share/info/*' \
        'path-exclude /usr/share/locale/*' 'path-exclude /usr/share/lintian/*' \
        >"$tmp/etc/dpkg/dpkg.cfg.d/slim"
    printf '%s\n' 'APT::Keep-Downloaded-Packages "false";' 'Dir::Cache::pkgcache "";' 'Dir::Cache::srcpkgcache "";' \
        'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb || true"; };' \
        >"$tmp/etc/apt/apt.conf.d/slim"
    find "$tmp/usr/share/doc" -mindepth 1 ! -name copyright ! -type d -delete
    rm -rf "$tmp"/usr/share/man/* "$tmp"/usr/share/info/* "$tmp"/usr/share/locale/* \
        "$tmp"/var/cache/apt/archives/*.deb "$tmp"/var/cache/apt/*.bin "$tmp"/var/lib/apt/lists/*
    tar -C "$tmp" --numeric-owner -cf "$tar.part" .
    mv "$tar.part" "$tar"
    rm -rf "$tmp"
    echo "$tar"
}

make_base() {
    start_daemon
    docker image inspect "$BASE_IMAGE" >/dev/null 2>&1 && return 0
    if timeout 20 docker pull -q "$BASE_IMAGE" >/dev/null 2>&1; then
        return 0
    fi
    local tar
    tar=$(base_tar)
    say "importing $tar as $BASE_IMAGE"
    docker import -c 'CMD ["bash"]' "$tar" "$BASE_IMAGE" >/dev/null
}

# The images compose.yaml names, built with the host's network (apt reaches Debian's mirror).
build_images() {
    make_base
    say "building khabar:latest, khabar-postgres:15, khabar-nginx:latest"
    docker build -q --network host -f "$root/docker/Dockerfile" -t khabar:latest "$root" >/dev/null
    docker build -q --network host -f "$root/docker/postgres.Dockerfile" -t khabar-postgres:15 "$root/docker" >/dev/null
    docker build -q --network host -f "$root/docker/nginx.Dockerfile" -t khabar-nginx:latest "$root" >/dev/null
}

case ${1:-} in
daemon) start_daemon ;;
stop) stop_daemon ;;
base) make_base ;;
build) build_images ;;
*)
    echo "usage: $0 daemon|stop|base|build" >&2
    exit 2
    ;;
esac
