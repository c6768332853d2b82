"""The production web server as a city runs it: gunicorn with deploy/gunicorn.conf.py, production
settings, a migrated SQLite file with the seed, and static files gathered by collectstatic.

One server serves the whole module (starting it is most of the time); it is stopped with SIGTERM,
as systemd stops it, and must exit cleanly.
"""

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings

from tests.ports import free_port

ROOT = settings.BASE_DIR
# The admin's thousand static files are left out: hashing and compressing them is most of
# collectstatic's time, and no page tested here names them.
PREPARE = (
    "import django; django.setup(); from django.core.management import call_command; "
    "call_command('migrate', verbosity=0); call_command('load_seed', verbosity=0); "
    "call_command('collectstatic', interactive=False, verbosity=0, ignore_patterns=['admin'])"
)


def _production_env(tmp) -> dict:
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
        "SECRET_KEY": "gunicorn-test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SQLITE_PATH": str(tmp / "db.sqlite3"),
        "STATIC_ROOT": str(tmp / "static"),
        "PRIVATE_MEDIA_ROOT": str(tmp / "private"),
        "MEDIA_ROOT": str(tmp / "media"),
        # One worker, no WeasyPrint warm-up: what is tested is the configuration, not the report.
        "WEB_CONCURRENCY": "1",
        "REPORT_WARM_UP": "0",
        # No background worker runs beside this server: readiness asks only for the database
        # (tests/production/test_worker_heartbeat.py covers the worker's heartbeat).
        "READINESS_REQUIRES_WORKER": "0",
    }


class Server:
    def __init__(self, process, port):
        self.process = process
        self.base = f"http://127.0.0.1:{port}"
        self.output = ""

    def get(self, path, headers=None):
        request = urllib.request.Request(self.base + path, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def stop(self) -> int:
        """SIGTERM, as systemd sends it; what the server wrote is then in .output."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            self.output, _ = self.process.communicate(timeout=40)
        return self.process.returncode


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("production")
    env = _production_env(tmp)
    subprocess.run([sys.executable, "-c", PREPARE], env=env, cwd=ROOT, check=True, timeout=120)
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "deploy/gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    running = Server(process, port)
    deadline = time.monotonic() + 30
    while True:
        try:
            if running.get("/healthz")[0] == 200:
                break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail("gunicorn did not start:\n" + process.communicate()[0])
        time.sleep(0.1)
    yield running
    if process.poll() is None:
        process.kill()
        process.communicate()


def test_it_serves_the_home_page_and_the_health_and_readiness_checks(server):
    status, _headers, body = server.get("/")
    assert status == 200
    assert "市政改革" in body.decode()
    assert server.get("/healthz")[::2] == (200, b"ok")
    assert server.get("/readyz")[::2] == (200, b"ready")


def test_it_serves_the_gathered_static_files(server):
    status, headers, _body = server.get("/static/vendor/htmx/htmx.min.js")
    assert status == 200
    assert "javascript" in headers["Content-Type"]


def test_the_page_names_hashed_static_files_cached_for_good_and_compressed(server):
    page = server.get("/")[2].decode()
    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page)
    assert stylesheet, "the stylesheet's name carries a hash of its content"
    status, headers, body = server.get(stylesheet[1], headers={"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Cache-Control"] == "max-age=315360000, public, immutable"
    assert headers["Content-Encoding"] == "gzip"
    assert body[:2] == b"\x1f\x8b"


def test_an_unhashed_static_name_is_cached_only_briefly(server):
    status, headers, _body = server.get("/static/css/site.css")
    assert status == 200
    assert "immutable" not in headers["Cache-Control"]


def test_it_stops_gracefully_on_sigterm_having_logged_each_request_with_its_id(server):
    server.get("/healthz", headers={"X-Request-ID": "probe-from-the-balancer"})
    assert server.stop() == 0
    assert "Shutting down: Master" in server.output
    lines = [line for line in server.output.splitlines() if "probe-from-the-balancer" in line]
    # gunicorn's access line, and the application's JSON line (reformtracker.access_log).
    (gunicorn_line,) = [line for line in lines if not line.startswith("{")]
    assert re.search(
        r'"GET /healthz HTTP/1\.1" 200 2 \d+ms id=probe-from-the-balancer', gunicorn_line
    )
    (entry,) = [json.loads(line) for line in lines if line.startswith("{")]
    assert (entry["logger"], entry["method"], entry["path"], entry["status"], entry["user"]) == (
        "reformtracker.access",
        "GET",
        "/healthz",
        200,
        "-",
    )
