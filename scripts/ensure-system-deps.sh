#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, but only those that are missing:
#   chromium       /usr/bin/chromium: Playwright drives it (executable_path); we never run
#                  `playwright install`, which downloads browsers and is blocked here.
#   poppler-utils  pdftotext / pdffonts: tests read back the PDFs WeasyPrint writes.
#   postgresql-15  initdb / pg_ctl: the second test pass runs on a throwaway PostgreSQL 15.
#   libpango*      WeasyPrint's text layout (usually already pulled in by chromium).
#   nginx, curl    scripts/run-production.sh: the load balancer of the production topology, and
#                  its readiness probe.
#
# `apt-get update` runs once, and only when something has to be installed. As root it installs;
# otherwise it prints the apt-get command to run and fails.
set -euo pipefail

PG_BINDIR="${PG_BINDIR:-/usr/lib/postgresql/15/bin}"

missing=()
need() { # need PACKAGE: record PACKAGE as missing (once)
    local p
    for p in "${missing[@]}"; do [ "$p" = "$1" ] && return 0; done
    missing+=("$1")
}
have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }

[ -x /usr/bin/chromium ] || need chromium
command -v pdftotext >/dev/null 2>&1 || need poppler-utils
command -v pdffonts >/dev/null 2>&1 || need poppler-utils
[ -x "$PG_BINDIR/initdb" ] || need postgresql-15
have_lib libpango-1.0.so.0 || need libpango-1.0-0
have_lib libpangoft2-1.0.so.0 || need libpangoft2-1.0-0
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need nginx
command -v curl >/dev/null 2>&1 || need curl
command -v memcached >/dev/null 2>&1 || [ -x /usr/bin/memcached ] || need memcached

if [ "${#missing[@]}" -eq 0 ]; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "error: missing system packages: ${missing[*]}" >&2
    echo "  install them as root:  apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
fi

echo "Installing missing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# postgresql-15 is Debian 12's name; elsewhere the `postgresql` metapackage may carry version 15.
if ! apt-get install -y -q --no-install-recommends "${missing[@]}"; then
    if [[ " ${missing[*]} " == *" postgresql-15 "* ]]; then
        rest=()
        for p in "${missing[@]}"; do [ "$p" = postgresql-15 ] || rest+=("$p"); done
        apt-get install -y -q --no-install-recommends "${rest[@]}" postgresql
    else
        exit 1
    fi
fi

if [ ! -x "$PG_BINDIR/initdb" ]; then
    echo "error: $PG_BINDIR/initdb is still missing after installing PostgreSQL." >&2
    echo "  The tests need PostgreSQL 15; set PG_BINDIR if it lives elsewhere." >&2
    exit 1
fi
