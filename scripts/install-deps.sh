#!/usr/bin/env bash
# install-deps.sh: installs the Debian packages khabar needs to build, run and test, when any is missing.
set -euo pipefail

# One place for the list: add packages here.
# Arguments name more packages for one use (the benchmarks add wrk).
PACKAGES="$* build-essential pkg-config libmicrohttpd-dev libjansson-dev libpq-dev libutf8proc-dev libcmark-dev libssl-dev libxml2-dev libcurl4-openssl-dev libxxhash-dev libcmocka-dev postgresql python3 python3-pytest python3-yaml python3-jsonschema python3-xxhash curl jq clang libclang-rt-14-dev nginx postgresql-15-rum chromium docker.io docker-compose debootstrap postgresql-15-auto-failover"
# Chromium is the browser the frontend's tests drive. docker.io, docker-compose and debootstrap build
# and run the images (tests/system); pg_auto_failover is the failover the tests put khabar through. Node.js runs the feed readers and the
# browser driver of the tests and type-checks the frontend (npm packages, below); a Node.js installed
# otherwise (with its own npm) is used as it is.
command -v npm >/dev/null 2>&1 || PACKAGES="$PACKAGES nodejs npm"
# The npm packages the tests use, each folder with its package-lock.json.
NPM_DIRS="tests/integration/feed_reader tests/integration/browser tests/structure/redocly web"
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Installs each NPM_DIRS folder's locked packages when its node_modules is missing or was
# installed from another lock file (a copy of the lock it came from is kept inside it).
install_npm() {
    for dir in $NPM_DIRS; do
        cmp -s "$root/$dir/package-lock.json" "$root/$dir/node_modules/.installed-from-lock" && continue
        echo "install-deps: npm ci in $dir" >&2
        # Node.js trusts its own list of CAs; it is told of the system's too, as curl and
        # apt trust them (a CA an operator added for a proxy, say)
        (cd "$root/$dir" && NODE_EXTRA_CA_CERTS=${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt} \
            npm ci --no-audit --no-fund --loglevel=error &&
            cp package-lock.json node_modules/.installed-from-lock) >&2
    done
}

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "install-deps: dpkg-query not found (not Debian?); make sure these or their equivalents are installed: $PACKAGES" >&2
    exit 0
fi

missing=()
for pkg in $PACKAGES; do
    status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)
    # "ii " is installed; anything else (absent, removed, half-configured) needs installing
    [[ $status == ii* ]] || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
    install_npm
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing Debian packages: ${missing[*]}" >&2
    echo "install-deps: install them as root, then run this again:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
fi

echo "install-deps: installing ${missing[*]} (this can take a few minutes)" >&2
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp /tmp/khabar-install-deps.XXXXXX.log)
# Packages with a service (postgresql, nginx) must not start it: khabar runs its own
# PostgreSQL and the tests their own nginx, on free ports. policy-rc.d tells Debian's
# maintainer scripts so, for this install only (unless the machine has its own).
policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && own_policy=1
fi
trap '[ "$own_policy" -eq 0 ] || rm -f "$policy"' EXIT
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    echo "install-deps: apt-get failed (full output in $log)" >&2
    exit 1
fi
rm -f "$log"
install_npm
echo "install-deps: done" >&2
