#!/usr/bin/env bash
# The whole production topology on one machine, for a demonstration and for the end-to-end test.
#
# Usage: scripts/run-production.sh [--port N] [--state DIR] [--no-seed] [--no-replica]
#
#   nginx 127.0.0.1:PORT ─┬─ app server A (gunicorn, own private folder) ─┐
#   (round-robin balancer, └─ app server B (gunicorn, own private folder) ─┼─ PostgreSQL 15
#    /static/ from disk)      worker (manage.py worker: tasks + heartbeat) ─┘   (throwaway)
#                             A and B share one memcached: the public pages' cache (CACHE_URL)
#                             A and B read visitors' public pages from ─── PostgreSQL replica
#                             (DATABASE_REPLICA_URL; not with --no-replica)  (hot standby, streaming
#                                                                             from the primary)
#
# Steps: a fresh PostgreSQL cluster and (unless --no-replica) a streaming read replica of it,
# made as a city makes one (`pg_basebackup -R` with a replication slot, started as a hot standby
# on a free port), `migrate` and `collectstatic` (at once), the worker, two gunicorn app servers
# with deploy/gunicorn.conf.py on two free ports (with DATABASE_REPLICA_URL: anonymous visitors'
# public pages read the replica once it holds the publication they are keyed on), nginx on PORT
# (default 8080) with deploy/nginx/reformtracker.conf rendered into the state folder, then
# (unless --no-seed) both cities' seed data and the demo accounts (password demo-pass-2025).
# The replica is on by default: it is how a city scales the public side out, and the demo and
# the end-to-end test show it; --no-replica gives the one-database topology (e.g. to compare).
#
# When /readyz answers through nginx (the database answers, the worker beats) and on each app
# server, it writes $STATE/topology.env (shell-sourceable: DATABASE_URL PG_DATA PG_BINDIR
# PG_RUN_AS BALANCER_URL APP_A_URL APP_B_URL PG_PID APP_A_PID APP_B_PID WORKER_PID NGINX_PID
# CACHE_URL MEMCACHED_PID DATABASE_REPLICA_URL PG_REPLICA_DATA PG_REPLICA_PID; the last three
# empty with --no-replica)
# and prints exactly one line on stdout:
#     ready: http://127.0.0.1:PORT
# Everything else goes to stderr or to $STATE/logs/*.log (postgres, setup, app-a, app-b, worker,
# nginx-access, nginx-error, postgres-replica). It then runs until SIGINT or SIGTERM, stops every part, and deletes
# the state folder unless --state was given (a given folder is kept, with the database's files).
#
# Each app server has its OWN PRIVATE_MEDIA_ROOT (state/app-a/private, state/app-b/private), and
# PRIVATE_FILES_BACKEND=database: the two share only the database (and memcached, the cache of
# the public pages, on a free port: CACHE_URL), as two machines would. A CACHE_URL the caller
# exports is used instead, memcached not started (empty: each process its own cache, as before).
# Variables the caller sets pass through (e.g. REPORT_BACKGROUND_THRESHOLD, and WEB_CONCURRENCY,
# default 2 workers per app server here); SECRET_KEY and the rest of production's required
# settings are set here. Also read: PG_DURABLE=1 keeps PostgreSQL's fsync (off by default, as in
# scripts/with-postgres.sh: the cluster is thrown away); PYTHON the interpreter (default
# .venv/bin/python); PG_BINDIR the PostgreSQL programs; NGINX the nginx binary; MEMCACHED the
# memcached binary; READY_TIMEOUT
# the seconds to wait for readiness (default 180). As root, PostgreSQL runs as the `postgres`
# user (initdb refuses root) with its data under /tmp (state/pg links to it).
set -euo pipefail

usage() {
    echo "usage: $0 [--port N] [--state DIR] [--no-seed] [--no-replica]" >&2
    exit 2
}

port=8080
state=""
seed=1
replica=1
while [ "$#" -gt 0 ]; do
    case "$1" in
        --port) [ "$#" -ge 2 ] || usage; port="$2"; shift 2 ;;
        --state) [ "$#" -ge 2 ] || usage; state="$2"; shift 2 ;;
        --no-seed) seed=0; shift ;;
        --replica) replica=1; shift ;;
        --no-replica) replica=0; shift ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 0 ;;
        *) usage ;;
    esac
done
[[ "$port" =~ ^[0-9]+$ ]] || usage

repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
PY="${PYTHON:-$repo/.venv/bin/python}"
PG_BINDIR="${PG_BINDIR:-/usr/lib/postgresql/15/bin}"
NGINX="${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}"
MEMCACHED="${MEMCACHED:-$(command -v memcached || echo /usr/bin/memcached)}"
programs=("$PY" "$PG_BINDIR/initdb" "$NGINX")
[ -n "${CACHE_URL+set}" ] || programs+=("$MEMCACHED")
for program in "${programs[@]}"; do
    if [ ! -x "$program" ]; then
        echo "error: $program not found; run scripts/ensure-system-deps.sh and make venv" >&2
        echo "  (or set PYTHON, PG_BINDIR, NGINX)." >&2
        exit 1
    fi
done

say() { echo "run-production: $*" >&2; }

keep=0
if [ -n "$state" ]; then
    keep=1
    mkdir -p "$state"
    state="$(cd "$state" && pwd)"
    if [ -e "$state/pg" ] || [ -e "$state/topology.env" ]; then
        echo "error: $state already holds a topology; give an empty or new folder." >&2
        exit 1
    fi
else
    state="$(mktemp -d "${TMPDIR:-/tmp}/reformtracker-prod.XXXXXX")"
fi
logs="$state/logs"
mkdir -p "$logs" "$state/nginx/temp" "$state/app-a/private" "$state/app-b/private" \
    "$state/worker/private" "$state/media"

# PostgreSQL as in scripts/with-postgres.sh: as root, as the postgres user, in a folder it can
# reach (the state folder may sit under a private one).
if [ "$(id -u)" -eq 0 ]; then
    if ! id -u postgres >/dev/null 2>&1; then
        useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/bash postgres
    fi
    as_pg=(runuser -u postgres --)
    PG_RUN_AS=postgres
    pg_dir="$(mktemp -d /tmp/reformtracker-pg.XXXXXX)"
    chown postgres: "$pg_dir"
    ln -s "$pg_dir" "$state/pg"
else
    as_pg=()
    PG_RUN_AS=""
    pg_dir="$state/pg"
    mkdir -p "$pg_dir"
fi
PG_DATA="$pg_dir/data"
PG_REPLICA_DATA=""
[ "$replica" = 1 ] && PG_REPLICA_DATA="$pg_dir/replica"

pids=()
APP_A_PID="" APP_B_PID="" WORKER_PID="" NGINX_PID="" PG_PID="" MEMCACHED_PID="" PG_REPLICA_PID=""
basebackup_pid=""
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    local stop_began=$SECONDS
    say "stopping"
    # nginx first (no new requests), then the app servers and the worker, which finish what
    # they hold (gunicorn's graceful timeout, the worker's current task), then the database.
    [ -n "$NGINX_PID" ] && kill -TERM "$NGINX_PID" 2>/dev/null || true
    local pid
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    local deadline=$((SECONDS + 40))
    for pid in "${pids[@]}"; do
        while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    # memcached last of them: the app servers use it until they stop.
    if [ -n "$MEMCACHED_PID" ]; then
        kill -TERM "$MEMCACHED_PID" 2>/dev/null || true
        wait "$MEMCACHED_PID" 2>/dev/null || true
    fi
    say "app servers, worker and nginx stopped ($((SECONDS - stop_began)) s)"
    # The replica before the primary (a primary's shutdown waits for its standbys to receive it).
    if [ -n "$basebackup_pid" ]; then
        kill -TERM "$basebackup_pid" 2>/dev/null || true
        wait "$basebackup_pid" 2>/dev/null || true
    fi
    if [ -n "$PG_REPLICA_DATA" ] && [ -f "$PG_REPLICA_DATA/postmaster.pid" ]; then
        "${as_pg[@]}" "$PG_BINDIR/pg_ctl" -D "$PG_REPLICA_DATA" -m fast -w stop >/dev/null 2>&1 ||
            "${as_pg[@]}" "$PG_BINDIR/pg_ctl" -D "$PG_REPLICA_DATA" -m immediate -w stop \
                >/dev/null 2>&1 || true
    fi
    if [ -f "$PG_DATA/postmaster.pid" ]; then
        "${as_pg[@]}" "$PG_BINDIR/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null 2>&1 ||
            "${as_pg[@]}" "$PG_BINDIR/pg_ctl" -D "$PG_DATA" -m immediate -w stop >/dev/null 2>&1 ||
            true
    fi
    say "stopped ($((SECONDS - stop_began)) s)"
    if [ "$keep" = 0 ]; then
        rm -rf "$state"
        [ "$pg_dir" = "$state/pg" ] || rm -rf "$pg_dir"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
    "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

fail() {
    echo "error: $1" >&2
    [ -n "${2:-}" ] && [ -f "$2" ] && tail -n 40 "$2" >&2
    exit 1
}

# --- PostgreSQL ---------------------------------------------------------------------------------
started_at=$SECONDS
"${as_pg[@]}" "$PG_BINDIR/initdb" --pgdata="$PG_DATA" --auth=trust --username=postgres \
    --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$logs/initdb.log" 2>&1 ||
    fail "initdb failed" "$logs/initdb.log"
# As scripts/with-postgres.sh: speed over durability (the cluster is thrown away), unless
# PG_DURABLE=1 keeps PostgreSQL's defaults (fsync, synchronous_commit, full_page_writes on), as
# the load and fault benchmarks want, where turning them off would flatter every write.
if [ "${PG_DURABLE:-0}" = 1 ]; then
    speed=""
else
    speed=$'fsync = off\nsynchronous_commit = off\nfull_page_writes = off'
fi
"${as_pg[@]}" tee -a "$PG_DATA/postgresql.conf" >/dev/null <<CONF

# --- scripts/run-production.sh ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$pg_dir'
$speed
max_connections = 200
CONF
# The server writes its log as its own user: beside its data, linked from the logs folder.
pg_log="$pg_dir/server.log"
[ "$pg_log" -ef "$logs/postgres.log" ] || ln -s "$pg_log" "$logs/postgres.log"
pg_started=
for _ in 1 2 3 4 5; do
    pg_port="$(free_port)"
    if "${as_pg[@]}" "$PG_BINDIR/pg_ctl" -D "$PG_DATA" -l "$pg_log" -o "-p $pg_port" \
        -w -t 60 start >/dev/null; then
        pg_started=1
        break
    fi
done
[ -n "$pg_started" ] || fail "PostgreSQL did not start" "$pg_log"
PG_PID="$(head -n 1 "$PG_DATA/postmaster.pid")"
"$PG_BINDIR/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres reformtracker
say "PostgreSQL on 127.0.0.1:$pg_port ($((SECONDS - started_at)) s)"

# --- the read replica: its base backup taken while migrate runs ----------------------------------
# As a city makes one: a copy of the primary's files with the settings to follow it (-R:
# standby.signal and primary_conninfo), streaming the log written meanwhile, and a replication
# slot, so the primary keeps every segment the replica has not received yet (migrate and the
# seed are written before the replica starts).
if [ "$replica" = 1 ]; then
    "${as_pg[@]}" "$PG_BINDIR/pg_basebackup" -h 127.0.0.1 -p "$pg_port" -U postgres \
        -D "$PG_REPLICA_DATA" --write-recovery-conf --wal-method=stream --checkpoint=fast \
        --create-slot --slot=reformtracker_replica --no-sync >"$logs/basebackup.log" 2>&1 &
    basebackup_pid=$!
fi

# --- production settings, shared by every part ---------------------------------------------------
export DJANGO_SETTINGS_MODULE=reformtracker.settings
export DJANGO_ENV=production DJANGO_DEBUG=0
export DATABASE_URL="postgresql://postgres@127.0.0.1:$pg_port/reformtracker"
export SECRET_KEY="${SECRET_KEY:-$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')}"
export ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1,localhost}"
# Plain HTTP on loopback: no redirect to HTTPS (browsers treat 127.0.0.1 as a secure context,
# so the Secure session and CSRF cookies still work). A city terminates TLS in nginx.
export SECURE_SSL_REDIRECT=0
export STATIC_ROOT="$state/static"
export MEDIA_ROOT="$state/media"
export PRIVATE_FILES_BACKEND=database
export TASKS_BACKEND=django_tasks_db.DatabaseBackend
# One proxy (nginx) in front; gunicorn believes its X-Forwarded-* from loopback only.
export TRUSTED_PROXY_COUNT=1
export FORWARDED_ALLOW_IPS=127.0.0.1,::1
export WEB_CONCURRENCY="${WEB_CONCURRENCY:-2}"

# --- migrate and collectstatic, at once (collectstatic needs no database) ------------------------
"$PY" manage.py collectstatic --no-input -v0 >"$logs/collectstatic.log" 2>&1 &
collect=$!
"$PY" manage.py migrate --no-input -v0 >"$logs/setup.log" 2>&1 || fail "migrate failed" "$logs/setup.log"
wait "$collect" || fail "collectstatic failed" "$logs/collectstatic.log"
say "migrated, static files collected ($((SECONDS - started_at)) s)"

DATABASE_REPLICA_URL=""
if [ "$replica" = 1 ]; then
    wait "$basebackup_pid" || { basebackup_pid=""; fail "pg_basebackup failed" "$logs/basebackup.log"; }
    basebackup_pid=""
    # Its own log beside its data; hot_standby_feedback keeps a long public query from being
    # cancelled by the primary's vacuum (as README's "Scaling out" advises).
    "${as_pg[@]}" tee -a "$PG_REPLICA_DATA/postgresql.conf" >/dev/null <<CONF

# --- scripts/run-production.sh: the read replica ---
hot_standby = on
hot_standby_feedback = on
CONF
    replica_log="$pg_dir/replica.log"
    [ "$replica_log" -ef "$logs/postgres-replica.log" ] || ln -s "$replica_log" "$logs/postgres-replica.log"
    replica_started=
    for _ in 1 2 3 4 5; do
        replica_port="$(free_port)"
        if "${as_pg[@]}" "$PG_BINDIR/pg_ctl" -D "$PG_REPLICA_DATA" -l "$replica_log" \
            -o "-p $replica_port" -w -t 60 start >/dev/null; then
            replica_started=1
            break
        fi
    done
    [ -n "$replica_started" ] || fail "the replica did not start" "$replica_log"
    PG_REPLICA_PID="$(head -n 1 "$PG_REPLICA_DATA/postmaster.pid")"
    DATABASE_REPLICA_URL="postgresql://postgres@127.0.0.1:$replica_port/reformtracker"
    say "read replica (streaming, hot standby) on 127.0.0.1:$replica_port ($((SECONDS - started_at)) s)"
fi

# --- memcached: the public pages' cache, shared by the app servers (deploy/systemd) ---------------
if [ -z "${CACHE_URL+set}" ]; then
    cache_port="$(free_port)"
    memcached_user=()
    [ "$(id -u)" -eq 0 ] && memcached_user=(-u root)
    # 64 MB, items up to 8 MB (a large plan's results file), TCP on loopback only, no UDP.
    "$MEMCACHED" -l 127.0.0.1 -p "$cache_port" -U 0 -m 64 -I 8m -c 1024 "${memcached_user[@]}" \
        >"$logs/memcached.log" 2>&1 &
    MEMCACHED_PID=$!
    export CACHE_URL="memcached://127.0.0.1:$cache_port"
    say "memcached on 127.0.0.1:$cache_port"
fi

# --- the worker and the app servers --------------------------------------------------------------
PRIVATE_MEDIA_ROOT="$state/worker/private" \
    "$PY" manage.py worker --interval 1 >"$logs/worker.log" 2>&1 &
WORKER_PID=$!
pids+=("$WORKER_PID")

app_a_port="$(free_port)"
app_b_port="$(free_port)"
while [ "$app_b_port" = "$app_a_port" ] || [ "$app_b_port" = "$port" ]; do app_b_port="$(free_port)"; done
# The app servers read visitors' public pages from the replica; the worker and the commands use
# the primary alone, as in production (README, "Scaling out").
PRIVATE_MEDIA_ROOT="$state/app-a/private" GUNICORN_BIND="127.0.0.1:$app_a_port" \
    DATABASE_REPLICA_URL="$DATABASE_REPLICA_URL" \
    "$PY" -m gunicorn -c deploy/gunicorn.conf.py >"$logs/app-a.log" 2>&1 &
APP_A_PID=$!
pids+=("$APP_A_PID")
PRIVATE_MEDIA_ROOT="$state/app-b/private" GUNICORN_BIND="127.0.0.1:$app_b_port" \
    DATABASE_REPLICA_URL="$DATABASE_REPLICA_URL" \
    "$PY" -m gunicorn -c deploy/gunicorn.conf.py >"$logs/app-b.log" 2>&1 &
APP_B_PID=$!
pids+=("$APP_B_PID")

# --- nginx -------------------------------------------------------------------------------------
# The city's config (deploy/nginx/reformtracker.conf) rendered, inside a main config that keeps
# every file nginx writes (pid, temp files, logs) in the state folder, so it runs as any user.
"$PY" - "$repo/deploy/nginx/reformtracker.conf" "$state/nginx/reformtracker.conf" <<PYTHON
import sys
text = open(sys.argv[1], encoding="utf-8").read()
servers = "\n".join(
    f"    server 127.0.0.1:{p} max_fails=3 fail_timeout=10s;" for p in ($app_a_port, $app_b_port)
)
for name, value in {
    "@LISTEN@": "127.0.0.1:$port",
    "@APP_SERVERS@": servers,
    "@STATIC_ROOT@": "$state/static",
}.items():
    text = text.replace(name, value)
open(sys.argv[2], "w", encoding="utf-8").write(text)
PYTHON
nginx_user=""
# As root, nginx's workers would switch to `nobody`, who cannot read a private state folder.
[ "$(id -u)" -eq 0 ] && nginx_user="user root root;"
cat >"$state/nginx/nginx.conf" <<CONF
# Rendered by scripts/run-production.sh; the site itself is in reformtracker.conf.
$nginx_user
worker_processes 2;
pid $state/nginx/nginx.pid;
error_log $logs/nginx-error.log warn;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    log_format topology '\$remote_addr [\$time_local] "\$request" \$status \$body_bytes_sent '
                        'upstream=\$upstream_addr rt=\$request_time id=\$request_id';
    access_log $logs/nginx-access.log topology;
    client_body_temp_path $state/nginx/temp/body;
    proxy_temp_path $state/nginx/temp/proxy;
    fastcgi_temp_path $state/nginx/temp/fastcgi;
    uwsgi_temp_path $state/nginx/temp/uwsgi;
    scgi_temp_path $state/nginx/temp/scgi;
    include $state/nginx/reformtracker.conf;
}
CONF
"$NGINX" -t -p "$state/nginx" -c "$state/nginx/nginx.conf" -e "$logs/nginx-error.log" \
    >>"$logs/nginx-error.log" 2>&1 || fail "nginx refused its configuration" "$logs/nginx-error.log"
"$NGINX" -p "$state/nginx" -c "$state/nginx/nginx.conf" -e "$logs/nginx-error.log" \
    -g "daemon off;" >>"$logs/nginx-error.log" 2>&1 &
NGINX_PID=$!
pids+=("$NGINX_PID")

# --- the seed data and the demo accounts, while the app servers start -----------------------------
if [ "$seed" = 1 ]; then
    "$PY" manage.py load_seed >>"$logs/setup.log" 2>&1 || fail "load_seed failed" "$logs/setup.log"
    # load_demo_accounts refuses production by design (it makes accounts with a known password);
    # this throwaway database is a demonstration, so it runs with the development defaults.
    DJANGO_ENV=development "$PY" manage.py load_demo_accounts >>"$logs/setup.log" 2>&1 ||
        fail "load_demo_accounts failed" "$logs/setup.log"
    say "seed data and demo accounts loaded ($((SECONDS - started_at)) s)"
fi

# --- ready when every part answers -----------------------------------------------------------------
BALANCER_URL="http://127.0.0.1:$port"
APP_A_URL="http://127.0.0.1:$app_a_port"
APP_B_URL="http://127.0.0.1:$app_b_port"
deadline=$((SECONDS + ${READY_TIMEOUT:-180}))
ready_everywhere() {
    local url
    for url in "$APP_A_URL" "$APP_B_URL" "$BALANCER_URL" "$BALANCER_URL"; do
        [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$url/readyz")" = 200 ] || return 1
    done
    # /readyz asks the primary only; the replica is ready once it streams the primary's log.
    [ "$replica" = 0 ] || [ "$("$PG_BINDIR/psql" -h 127.0.0.1 -p "$replica_port" -U postgres \
        -d reformtracker -Atc 'SELECT status FROM pg_stat_wal_receiver' 2>/dev/null)" = streaming ]
}
until ready_everywhere; do
    for part in "$APP_A_PID:app-a" "$APP_B_PID:app-b" "$WORKER_PID:worker" "$NGINX_PID:nginx-error" \
        ${MEMCACHED_PID:+"$MEMCACHED_PID:memcached"}; do
        kill -0 "${part%%:*}" 2>/dev/null || fail "${part#*:} stopped while starting" "$logs/${part#*:}.log"
    done
    [ "$SECONDS" -lt "$deadline" ] || fail "not ready after ${READY_TIMEOUT:-180} s: $(curl -s "$BALANCER_URL/readyz")"
    sleep 0.2
done

{
    printf 'DATABASE_URL=%q\n' "$DATABASE_URL"
    printf 'PG_DATA=%q\n' "$PG_DATA"
    printf 'PG_BINDIR=%q\n' "$PG_BINDIR"
    printf 'PG_RUN_AS=%q\n' "$PG_RUN_AS"
    printf 'BALANCER_URL=%q\n' "$BALANCER_URL"
    printf 'APP_A_URL=%q\n' "$APP_A_URL"
    printf 'APP_B_URL=%q\n' "$APP_B_URL"
    printf 'PG_PID=%q\n' "$PG_PID"
    printf 'APP_A_PID=%q\n' "$APP_A_PID"
    printf 'APP_B_PID=%q\n' "$APP_B_PID"
    printf 'WORKER_PID=%q\n' "$WORKER_PID"
    printf 'NGINX_PID=%q\n' "$NGINX_PID"
    printf 'CACHE_URL=%q\n' "$CACHE_URL"
    printf 'MEMCACHED_PID=%q\n' "$MEMCACHED_PID"
    printf 'DATABASE_REPLICA_URL=%q\n' "$DATABASE_REPLICA_URL"
    printf 'PG_REPLICA_DATA=%q\n' "$PG_REPLICA_DATA"
    printf 'PG_REPLICA_PID=%q\n' "$PG_REPLICA_PID"
} >"$state/topology.env.tmp"
mv "$state/topology.env.tmp" "$state/topology.env"
say "up in $((SECONDS - started_at)) s; state in $state; Ctrl-C stops it"
echo "ready: $BALANCER_URL"

# Until SIGINT or SIGTERM. A part that dies is left dead (fault tests kill parts on purpose).
while :; do
    sleep 1 &
    wait $! || true
done
