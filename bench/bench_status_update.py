"""A status update (htmx POST that saves an entry and writes its history row) against a trivial
view (/healthz), on the same server in one run.

    .venv/bin/python bench/bench_status_update.py [--requests 300] [--warmup 30]

Builds a seeded SQLite database in a temporary directory (seed + demo accounts + an open
FY2025 round), starts gunicorn (one sync worker; `runserver` if gunicorn is not installed) on
127.0.0.1 with production settings (plain HTTP on loopback), signs in as 環境局 staff (osaka-kankyo) and then, one request at a time on fresh
connections: N × GET /healthz and N × htmx POST /staff/entries/<id>/ with the version the
previous response handed back (so every POST is accepted: UPDATE … WHERE version, one history
row, and the response htmx swaps in: the notice, status, version and the new history row). Both are sent by the same signed-in client, so both pay for
the session (read on every request; written to renew its idle timeout once a minute); the
trivial view without a session cookie is printed too, for reference. Prints median / p95 latency and requests per second of each
and the ratio of the medians (target ≤ 4×). Exit status 1 when the target is missed. Nothing
leaves loopback; the server is stopped and the directory removed at the end.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TARGET_RATIO = 4.0
VERSION = re.compile(r'name="version" value="(\d+)"')
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

SETUP = """
from datetime import date
from evaluations import services
from evaluations.choices import RoundKind
from initiatives.models import Plan
plan = Plan.objects.get(slug="osaka-shin-shisei-kaikaku")
round_ = services.open_round_as_system(plan=plan, fiscal_year=2025, kind=RoundKind.YEAR_END,
    as_of=date(2026, 3, 31), due_on=date(2026, 5, 29), actor_name="bench")
entry = round_.entries.filter(initiative__department__code="kankyo").order_by("pk").first()
print("ENTRY", entry.pk)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(tmp: Path) -> dict:
    # DATABASE_URL is honoured (e.g. scripts/with-postgres.sh); otherwise a fresh SQLite file.
    env = dict(os.environ)
    env.update(
        DJANGO_ENV="development",
        DJANGO_DEBUG="0",
        SQLITE_PATH=str(tmp / "bench.sqlite3"),
        PRIVATE_MEDIA_ROOT=str(tmp / "private"),
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


def _manage(env, *args) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return result.stdout


def _server_env(env: dict) -> dict:
    """Production settings for the server itself (no WhiteNoise autorefresh, DEBUG off), minus
    the HTTPS redirect: the bench talks plain HTTP on loopback."""
    return {
        **env,
        "DJANGO_ENV": "production",
        "SECRET_KEY": "bench-only-" + "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
    }


def _start_server(env, port: int) -> subprocess.Popen:
    gunicorn = Path(PYTHON).parent / "gunicorn"
    if gunicorn.exists():
        cmd = [str(gunicorn), "reformtracker.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"]
        cmd += ["--log-level", "warning"]
        label = "gunicorn, 1 sync worker"
    else:
        cmd = [PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]
        label = "runserver (gunicorn not installed)"
    server = subprocess.Popen(
        cmd, cwd=ROOT, env=_server_env(env), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                print(f"server: {label} on 127.0.0.1:{port}")
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start within 30 s")


class Session:
    """Just enough of a browser: cookies, the CSRF token, one fresh connection per request."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            body = urllib.parse.urlencode(body, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        content = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        conn.close()
        return response.status, content

    def sign_in(self, username, password):
        _status, page = self.request("GET", "/accounts/login/")
        token = CSRF_INPUT.search(page)[1]
        status, _ = self.request(
            "POST",
            "/accounts/login/",
            {"csrfmiddlewaretoken": token, "username": username, "password": password},
            {"Referer": f"http://127.0.0.1:{self.port}/accounts/login/"},
        )
        if status != 302:
            raise SystemExit(f"sign-in failed ({status})")


def _measure(fn, count: int) -> list[float]:
    times = []
    for _ in range(count):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def _report(label: str, times: list[float]) -> float:
    median = statistics.median(times)
    p95 = sorted(times)[int(len(times) * 0.95) - 1]
    print(
        f"{label:<34} median {median * 1000:7.2f} ms   p95 {p95 * 1000:7.2f} ms   "
        f"{len(times) / sum(times):7.1f} req/s"
    )
    return median


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="rt-bench-status-"))
    server = None
    try:
        env = _env(tmp)
        _manage(env, "migrate", "-v0")
        _manage(env, "load_seed", "-v0")
        _manage(env, "load_demo_accounts")
        entry_id = int(
            _manage(env, "shell", "--no-imports", "-c", SETUP).split("ENTRY", 1)[1].split()[0]
        )
        port = _free_port()
        server = _start_server(env, port)
        session = Session(port)
        session.sign_in("osaka-kankyo", "demo-pass-2025")
        url = f"/staff/entries/{entry_id}/"
        _status, page = session.request("GET", url)
        state = {"version": int(VERSION.search(page)[1]), "n": 0}
        htmx_headers = {
            "HX-Request": "true",
            "HX-Target": "entry-panel",
            "X-CSRFToken": session.cookies["csrftoken"],
            "Referer": f"http://127.0.0.1:{port}{url}",
        }

        def healthz():
            status, body = session.request("GET", "/healthz")
            assert status == 200 and body == "ok", status

        def status_update():
            state["n"] += 1
            status, body = session.request(
                "POST",
                url,
                {
                    "result": "achieved",
                    "reason": "",
                    "narrative": f"ごみ収集業務の委託化の進捗（{state['n']}回目の更新）",
                    "staff_comment": "",
                    "version": state["version"],
                },
                htmx_headers,
            )
            if status != 200:
                raise SystemExit(f"status update refused ({status}): {body[:300]}")
            state["version"] = int(VERSION.search(body)[1])

        _measure(healthz, args.warmup)
        _measure(status_update, args.warmup)
        # Interleaved in blocks, so drift (page cache, history growth) hits both alike.
        trivial, update = [], []
        for _ in range(10):
            trivial += _measure(healthz, args.requests // 10)
            update += _measure(status_update, args.requests // 10)
        anonymous = Session(port)

        def healthz_anonymous():
            status, _body = anonymous.request("GET", "/healthz")
            assert status == 200, status

        bare = _measure(healthz_anonymous, args.requests)
        print(f"requests: {len(trivial)} each, after {args.warmup} warm-up requests each")
        _report("GET /healthz, no session cookie", bare)
        t = _report("GET /healthz (trivial view)", trivial)
        u = _report("htmx POST status update + history", update)
        ratio = u / t
        verdict = "OK" if ratio <= TARGET_RATIO else "MISSED"
        print(
            f"ratio (median update / median trivial): {ratio:.2f}x  (target <= {TARGET_RATIO:g}x: {verdict})"
        )
        history = _manage(
            env,
            "shell",
            "--no-imports",
            "-c",
            f"from evaluations.models import HistoryEvent; "
            f"print(HistoryEvent.objects.filter(entry_id={entry_id}, action='entry.edit').count())",
        ).strip()
        print(f"history rows written for the entry: {history}")
        return 0 if ratio <= TARGET_RATIO else 1
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
