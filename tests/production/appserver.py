"""gunicorn as a city runs it (deploy/gunicorn.conf.py, production settings) against a PostgreSQL
server the caller owns (tests/production/pgserver.py), for the fault tests and benches: the data
made ready by a subprocess (migrate, the seed, collectstatic, an open round and signed-in staff),
requests with a session and CSRF cookie as a browser sends them, and the workers' process ids.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Run in a subprocess with the production settings: the database made ready, and what the
# tests need printed as one JSON line — the open round of 令和7年度, an entry of it, a member of
# that entry's department and a member of the reform office, each with a session.
PREPARE = """
import json
from datetime import date
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("load_seed", verbosity=0)
call_command("collectstatic", interactive=False, verbosity=0, ignore_patterns=["admin"])
from django.test import Client
from evaluations import services
from evaluations.choices import EntryState, Result, RoundKind
from initiatives.models import Department, Plan
from initiatives.roles import Role, ensure_groups
from tests.constants import OSAKA
from tests.personas import make_user

groups = ensure_groups()
plan = Plan.objects.get(slug=OSAKA)
round_ = services.open_round_as_system(
    plan=plan, fiscal_year=2025, kind=RoundKind.YEAR_END, as_of=date(2026, 3, 31),
    actor_name="test",
)
entries = list(round_.entries.select_related("initiative__department").order_by("pk"))
edited = entries[0]
staff = make_user("fault-staff", department=edited.initiative.department,
                  group=groups[Role.DEPARTMENT_STAFF])
office = make_user("fault-office", department=Department.objects.get(code="shisei-kaikaku"),
                   group=groups[Role.REFORM_OFFICE])
if CONFIRM_ALL:
    for entry in entries:
        services.update_entry_as_system(
            entry_id=entry.pk, expected_version=entry.version,
            values={"result": Result.ACHIEVED}, state=EntryState.CONFIRMED, actor_name="test",
        )

def session(user):
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value

print(json.dumps({
    "round": round_.pk, "entry": edited.pk, "entries": len(entries),
    "staff": session(staff), "office": session(office),
}))
"""


def production_env(tmp: Path, database_url: str, **extra) -> dict:
    """The environment of a production web server on this machine, against ``database_url``."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "SQLITE_", "STATIC_", "GUNICORN_", "WEB_"))
    }
    return {
        **clean,
        "DJANGO_SETTINGS_MODULE": "reformtracker.settings",
        "DJANGO_ENV": "production",
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": "fault-test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz-0123",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": database_url,
        "CONN_MAX_AGE": "60",
        "CONN_HEALTH_CHECKS": "1",
        "STATIC_ROOT": str(tmp / "static"),
        "PRIVATE_MEDIA_ROOT": str(tmp / "private"),
        "MEDIA_ROOT": str(tmp / "media"),
        "REPORT_WARM_UP": "0",
        "PYTHONPATH": str(ROOT),
        **{k: str(v) for k, v in extra.items()},
    }


def prepare(env: dict, *, confirm_all: bool = False) -> dict:
    """Migrates and seeds the database, gathers static files; the ids and sessions (PREPARE)."""
    code = f"CONFIRM_ALL = {confirm_all!r}\n" + PREPARE
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=ROOT,
        check=True,
        timeout=300,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@dataclass
class Response:
    status: int
    headers: dict
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Gunicorn:
    """gunicorn with deploy/gunicorn.conf.py and ``workers`` sync workers, until ``stop``."""

    def __init__(self, env: dict, port: int, workers: int = 2, log: Path | None = None):
        self.env = {**env, "WEB_CONCURRENCY": str(workers)}
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.workers = workers
        self.log_path = log
        self.process = None
        # Any 32 letters are a CSRF secret Django accepts, sent as cookie and header alike.
        self.csrf = secrets.token_hex(16)

    def start(self, timeout: float = 60) -> Gunicorn:
        out = open(self.log_path, "w") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "deploy/gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{self.port}",
            ],
            env=self.env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while True:
            try:
                if self.get("/healthz").status == 200 and len(self.worker_pids()) == self.workers:
                    return self
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.1)

    def worker_pids(self) -> set[int]:
        """The master's child processes: its workers."""
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return {int(pid) for pid in path.read_text().split()}

    def request(self, method, path, *, data=None, session=None, headers=None, timeout=30):
        headers = dict(headers or {})
        cookies = [f"csrftoken={self.csrf}"]
        if session:
            cookies.append(f"sessionid={session}")
        headers["Cookie"] = "; ".join(cookies)
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.csrf
        req = urllib.request.Request(self.base + path, data=body, headers=headers, method=method)
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(req, timeout=timeout) as response:
                return Response(response.status, dict(response.headers), response.read())
        except urllib.error.HTTPError as error:
            return Response(error.code, dict(error.headers), error.read())

    def get(self, path, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path, data, **kwargs) -> Response:
        return self.request("POST", path, data=data, **kwargs)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> Gunicorn:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def check_invariants(env: dict) -> subprocess.CompletedProcess:
    """``manage.py check_invariants`` against the server's database."""
    return subprocess.run(
        [sys.executable, "manage.py", "check_invariants"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
