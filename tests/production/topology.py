"""The whole production topology for a test: scripts/run-production.sh started, waited for, read
and stopped; and a browser-like HTTP client to talk to it.

``start(state)`` runs the script with ``--state state`` on a free port, waits for its one line
``ready: URL``, and returns a ``Topology`` holding what the script wrote in topology.env
(``topology.env["APP_A_URL"]`` …), its logs (``topology.log("app-a")``) and the boot time.
``Topology.stop()`` sends SIGTERM as Ctrl-C would and waits; the database's folder outside the
state folder (PostgreSQL's, when running as root) is deleted too.

``Browser`` keeps cookies as a browser does (also the Secure session and CSRF cookies on
plain-HTTP loopback, which browsers treat as a secure context), follows redirects, and posts
forms with the page's CSRF token and an Origin header: the standard library's urllib, so the
test needs no HTTP client library.

``Topology.log_statements()`` makes the primary and the read replica log every statement with the
client's name; ``with topology.watch() as ran:`` then gives what the site ran on each server
while the block ran (``ran.primary``, ``ran.replica``), the test's own queries (``query``)
left out.
"""

from __future__ import annotations

import contextlib
import os
import re
import select
import shlex
import shutil
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from email.message import Message
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode, urljoin, urlsplit
from urllib.request import HTTPCookieProcessor, Request, build_opener

import psycopg

from tests.ports import free_port
from tests.production.replica import statements_in

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "run-production.sh"
# Variables of the test run that must not reach the production processes.
DROPPED = ("DATABASE_URL", "DJANGO_", "SQLITE_", "STATIC_ROOT", "PRIVATE_", "MEDIA_ROOT")
# The application name of the test's own database connections, left out of what the site ran.
TEST_CLIENT = "topology-test"


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines written with printf %q, read as the shell would."""
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        key, _, raw = line.partition("=")
        words = shlex.split(raw)
        values[key] = words[0] if words else ""
    return values


@dataclass
class Topology:
    process: subprocess.Popen
    state: Path
    env: dict[str, str]
    boot_seconds: float
    stderr_path: Path

    @property
    def balancer(self) -> str:
        return self.env["BALANCER_URL"]

    @property
    def app_a(self) -> str:
        return self.env["APP_A_URL"]

    @property
    def app_b(self) -> str:
        return self.env["APP_B_URL"]

    def log(self, name: str) -> str:
        """The log of one part: postgres, postgres-replica, setup, app-a, app-b, worker,
        nginx-access, nginx-error."""
        return (self.state / "logs" / f"{name}.log").read_text(encoding="utf-8", errors="replace")

    @property
    def replica_url(self) -> str:
        return self.env["DATABASE_REPLICA_URL"]

    def log_statements(self) -> None:
        """Every statement the primary and the replica run goes to their logs from now on, after
        the client's application name (ALTER SYSTEM writes the server's own file, so it works
        on the read-only replica too)."""
        for url in (self.env["DATABASE_URL"], self.replica_url):
            query(url, "ALTER SYSTEM SET log_statement = 'all'")
            query(url, "ALTER SYSTEM SET log_line_prefix = '[%a] '")
            query(url, "SELECT pg_reload_conf()")
        # A backend takes the new settings before the next statement it reads; the postmaster
        # passes the reload on to its backends at once.
        time.sleep(0.5)

    @contextlib.contextmanager
    def watch(self):
        """What the site ran on the primary and on the replica while the block ran."""
        ran = Ran()
        paths = (self.state / "logs" / "postgres.log", self.state / "logs" / "postgres-replica.log")
        marks = [path.stat().st_size for path in paths]
        yield ran
        # A backend writes a statement's log line before it runs it, so before it answers.
        ran.primary, ran.replica = (
            statements_in(p, m, left_out=TEST_CLIENT) for p, m in zip(paths, marks, strict=True)
        )

    def stop(self, timeout: float = 90) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        pg_dir = Path(self.env.get("PG_DATA", self.state / "pg" / "data")).parent
        if not pg_dir.is_relative_to(self.state):
            shutil.rmtree(pg_dir, ignore_errors=True)
        return self.process.returncode


@dataclass
class Ran:
    primary: list[str] | None = None
    replica: list[str] | None = None


def query(url: str, sql: str, *params) -> list[tuple]:
    """One statement on the database at ``url``, outside a transaction (as the test's client)."""
    with psycopg.connect(url, autocommit=True, application_name=TEST_CLIENT) as db:
        cursor = db.execute(sql, params or None)
        return cursor.fetchall() if cursor.description else []


def start(state: Path, *, extra_env: dict[str, str] | None = None, timeout: float = 300):
    """The topology, running, with its state in ``state`` (an empty or new folder)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(DROPPED)}
    env.update(PYTHON=sys.executable, **(extra_env or {}))
    stderr_path = state.parent / f"{state.name}-run-production.err"
    began = time.monotonic()
    with stderr_path.open("w") as stderr:
        process = subprocess.Popen(
            [str(SCRIPT), "--port", str(free_port()), "--state", str(state)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            start_new_session=True,
        )
    line = ""
    while not line:
        left = began + timeout - time.monotonic()
        ready, _, _ = select.select([process.stdout], [], [], max(left, 0))
        if not ready or left <= 0:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=60)
            raise RuntimeError(f"not ready in {timeout} s:\n{stderr_path.read_text()}")
        line = process.stdout.readline()
        if not line:  # the script ended without a line
            process.wait()
            raise RuntimeError(
                f"run-production.sh exited {process.returncode}:\n{stderr_path.read_text()}"
            )
    boot = time.monotonic() - began
    if not re.fullmatch(r"ready: http://127\.0\.0\.1:\d+\n", line):
        raise RuntimeError(f"unexpected first line: {line!r}")
    env_file = read_env_file(state / "topology.env")
    assert env_file["BALANCER_URL"] == line.split(" ", 1)[1].strip()
    return Topology(process, state, env_file, boot, stderr_path)


LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class LoopbackSecurePolicy(DefaultCookiePolicy):
    """Sends Secure cookies to http://127.0.0.1 too, as browsers do for loopback addresses."""

    def return_ok_secure(self, cookie, request):
        if urlsplit(request.get_full_url()).hostname in LOOPBACK:
            return True
        return super().return_ok_secure(cookie, request)


@dataclass
class Response:
    status_code: int
    headers: Message
    content: bytes
    url: str

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


class Browser:
    """One person's browser: their cookies, and the CSRF token of the last page they saw.
    Redirects are followed (a form's POST becomes a GET, as in a browser)."""

    def __init__(self):
        self.cookies = CookieJar(policy=LoopbackSecurePolicy())
        self.opener = build_opener(HTTPCookieProcessor(self.cookies))
        self.token = ""
        self.last_url = ""

    def get(self, url: str, headers: dict | None = None) -> Response:
        return self._send(Request(url, headers=headers or {}))

    def post(self, url: str, data: dict, files: dict | None = None) -> Response:
        """A form's submission: the page's CSRF token, and Origin and Referer as a browser
        sends them; ``files``: {field: (name, bytes, content type)}, sent as multipart."""
        parts = urlsplit(url)
        headers = {"Origin": f"{parts.scheme}://{parts.netloc}", "Referer": self.last_url or url}
        fields = {"csrfmiddlewaretoken": self.token, **data}
        if files:
            body, headers["Content-Type"] = _multipart(fields, files)
        else:
            body = urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return self._send(Request(url, data=body, headers=headers, method="POST"))

    def sign_in(self, base: str, username: str, password: str) -> Response:
        self.get(urljoin(base, "/accounts/login/"))
        return self.post(
            urljoin(base, "/accounts/login/"), {"username": username, "password": password}
        )

    def _send(self, request: Request) -> Response:
        try:
            with self.opener.open(request, timeout=120) as answer:
                response = Response(answer.status, answer.headers, answer.read(), answer.url)
        except HTTPError as error:
            response = Response(error.code, error.headers, error.read(), error.url)
        self.last_url = response.url
        html = response.headers.get("Content-Type", "").startswith("text/html")
        if html and (match := _TOKEN.search(response.text)):
            self.token = match[1]
        return response


def _multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    chunks = []
    for name, value in fields.items():
        chunks.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode()
        )
    for name, (filename, content, content_type) in files.items():
        chunks.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"
