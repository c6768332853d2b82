#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL 15 server.
#
# Usage: scripts/with-postgres.sh COMMAND [ARG...]
#
# Starts a fresh cluster in a temporary directory, listening on 127.0.0.1 at a free port, runs
# COMMAND with DATABASE_URL=postgresql://postgres@127.0.0.1:PORT/reformtracker exported, then
# ALWAYS stops the server and deletes the directory (trap EXIT), also when COMMAND fails or the
# run is interrupted. The exit status is COMMAND's.
#
# The superuser `postgres` (trust authentication, local TCP only) may create databases, which is
# what pytest-django needs to make its test_reformtracker database.
# initdb refuses to run as root, so as root the server runs as the `postgres` system user.
set -euo pipefail

if [ "$#" -eq 0 ]; then
    echo "usage: $0 COMMAND [ARG...]" >&2
    exit 2
fi

repo="$(cd "$(dirname "$0")/.." && pwd)"
PG_BINDIR="${PG_BINDIR:-/usr/lib/postgresql/15/bin}"
PG_SUPERUSER=postgres
if [ ! -x "$PG_BINDIR/initdb" ]; then
    echo "error: $PG_BINDIR/initdb not found; run scripts/ensure-system-deps.sh (or set PG_BINDIR)." >&2
    exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
    if ! id -u postgres >/dev/null 2>&1; then
        useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/bash postgres
    fi
    as_pg=(runuser -u postgres --)
    # Under /tmp, not $TMPDIR: the postgres user must be able to reach the directory.
    tmp="$(mktemp -d /tmp/reformtracker-pg.XXXXXX)"
    chown postgres: "$tmp"
else
    as_pg=()
    tmp="$(mktemp -d "${TMPDIR:-/tmp}/reformtracker-pg.XXXXXX")"
fi
data="$tmp/data"
log="$tmp/server.log"

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [ -f "$data/postmaster.pid" ]; then
        # Immediate: the cluster is thrown away, so there is nothing to flush.
        "${as_pg[@]}" "$PG_BINDIR/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$tmp"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
    # Port 0 makes the kernel pick a free port. Any Python 3 will do.
    local py="$repo/.venv/bin/python"
    [ -x "$py" ] || py=python3
    "$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

"${as_pg[@]}" "$PG_BINDIR/initdb" --pgdata="$data" --auth=trust --username="$PG_SUPERUSER" \
    --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$tmp/initdb.log" 2>&1 || {
    cat "$tmp/initdb.log" >&2
    exit 1
}

# Speed over durability (the data is deleted afterwards); max_connections is generous because
# some tests hammer the server from 50+ threads at once. PG_DURABLE=1 keeps PostgreSQL's
# defaults (fsync, synchronous_commit, full_page_writes on) — for benchmarks, where turning
# them off would flatter every write.
if [ "${PG_DURABLE:-0}" = 1 ]; then
    speed=""
else
    speed=$'fsync = off\nsynchronous_commit = off\nfull_page_writes = off'
fi
"${as_pg[@]}" tee -a "$data/postgresql.conf" >/dev/null <<CONF

# --- scripts/with-postgres.sh ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$tmp'
$speed
max_connections = 250
CONF

# The port is free when chosen but another process could take it before the server binds it:
# try a few ports.
started=
for _ in 1 2 3 4 5; do
    port="$(free_port)"
    if "${as_pg[@]}" "$PG_BINDIR/pg_ctl" -D "$data" -l "$log" -o "-p $port" -w -t 60 start >/dev/null; then
        started=1
        break
    fi
    echo "PostgreSQL did not start on port $port; retrying." >&2
done
if [ -z "$started" ]; then
    echo "error: could not start PostgreSQL; server log:" >&2
    cat "$log" >&2 || true
    exit 1
fi

# The database DATABASE_URL names exists (pytest-django makes its own test_ one beside it), so
# `manage.py migrate` and the benches work against it too.
"$PG_BINDIR/createdb" -h 127.0.0.1 -p "$port" -U "$PG_SUPERUSER" reformtracker
export DATABASE_URL="postgresql://$PG_SUPERUSER@127.0.0.1:$port/reformtracker"
echo "PostgreSQL $("$PG_BINDIR/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $tmp)"

# Not `exec`: the EXIT trap must still stop the server afterwards.
set +e
"$@"
rc=$?
set -e
exit "$rc"
