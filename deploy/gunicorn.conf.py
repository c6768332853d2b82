"""gunicorn's configuration for the web servers: `gunicorn -c deploy/gunicorn.conf.py`.

The application is reformtracker.wsgi. Each worker, as it starts, loads the URLconf and warms
WeasyPrint (so no visitor waits for those imports), then freezes what it made out of the garbage
collector's walks. Every value can be overridden on the command line (it wins over
this file) or by the environment variables below, which a systemd unit or container sets:

- GUNICORN_BIND: address to listen on; default 127.0.0.1:8000 (a balancer or nginx in front).
- WEB_CONCURRENCY: worker processes; default 2 × CPUs + 1, at most 9.
- GUNICORN_TIMEOUT: seconds a worker may spend on one request before it is killed; default 60.
- FORWARDED_ALLOW_IPS: the proxies whose X-Forwarded-* headers are believed; default loopback.
"""

import os


def _cpus() -> int:
    # The CPUs this process may run on (a container's or cgroup's share), not the machine's.
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be an integer, got {raw!r}") from None


wsgi_app = "reformtracker.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Sync workers: a request holds its worker while it waits on the database, so there are more
# workers than CPUs. Capped, because each worker holds a database connection and WeasyPrint.
workers = _int("WEB_CONCURRENCY", min(2 * _cpus() + 1, 9))

# A report of up to REPORT_BACKGROUND_THRESHOLD items is made inside the request (a few
# seconds); anything that takes a minute is stuck, and its worker is replaced.
timeout = _int("GUNICORN_TIMEOUT", 60)
# On SIGTERM or a reload (SIGHUP), workers finish the requests they hold for up to this long.
graceful_timeout = 30
# Idle keep-alive connections from the balancer in front.
keepalive = 5

# Recycle each worker after about this many requests (jitter: not all at once), bounding what a
# slow leak in a library (PDF, spreadsheet) can grow to. Not fewer: a new worker imports the app,
# warms WeasyPrint and starts with an empty page cache, and under the load bench's 190 requests
# a second 1,000 replaced each of four workers every 20 s (bench/bench_load.py).
max_requests = _int("GUNICORN_MAX_REQUESTS", 10_000)
max_requests_jitter = max_requests // 10

# Not preloaded: SIGHUP then starts workers on the new code while the old ones finish their
# requests (a graceful reload after an upgrade), and no database connection or thread opened
# while importing can be shared by forked workers. The cost is each worker importing the app
# and warming WeasyPrint itself, once per worker start.
preload_app = False

# Behind nginx or a balancer: its X-Forwarded-Proto/For are believed from these addresses only.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# One line per request on stdout, with the request id the application gave the response
# (reformtracker.request_id) and the time taken in milliseconds; errors on stderr.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms id=%({x-request-id}o)s "%(a)s"'
