"""/readyz knows whether a background worker is alive: `manage.py worker` (db_worker with a
heartbeat, evaluations.heartbeat) writes its row every WORKER_HEARTBEAT_SECONDS, and readiness
fails with "worker heartbeat stale" once no worker has written for
WORKER_HEARTBEAT_STALE_SECONDS (READINESS_REQUIRES_WORKER, on in production).

The real-process tests start the worker against the test database itself, so they need a
database another process can open: PostgreSQL (the in-memory SQLite test database is private
to this process).
"""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone

from evaluations.heartbeat import worker_heartbeat
from evaluations.models import WorkerHeartbeat
from reformtracker import health
from tests.fresh_settings import read_settings

STALE_SECONDS = 2
# How long a new worker may take to start (Django and the apps imported, its first beat): not
# what is tested, and on a 2-core machine running the suite in two processes beside other work
# it took over 30 s.
START_SECONDS = 120
requires_worker = override_settings(
    READINESS_REQUIRES_WORKER=True, WORKER_HEARTBEAT_STALE_SECONDS=STALE_SECONDS
)
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the worker process needs a database it can share with the test: the PostgreSQL "
    "pass (the SQLite test database is in this process's memory)",
)


def _ready() -> tuple[int, bytes]:
    response = Client().get("/readyz")
    return response.status_code, response.content


def _beat(seconds_ago: float) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id=f"w-{seconds_ago}",
        host="web-1",
        pid=4242,
        started=now - timedelta(hours=1),
        last_seen=now - timedelta(seconds=seconds_ago),
    )


# --- the check, on any database ----------------------------------------------------------


@pytest.mark.django_db
def test_the_heartbeat_check_is_a_readiness_check():
    assert worker_heartbeat in health.READINESS_CHECKS


@pytest.mark.django_db
def test_without_the_requirement_no_worker_is_needed_and_nothing_is_asked():
    # Tests and development run tasks in the request: no worker, and still ready.
    assert settings.READINESS_REQUIRES_WORKER is False
    assert _ready() == (200, b"ready")


@pytest.mark.django_db
@requires_worker
def test_with_no_worker_ever_seen_the_server_is_not_ready():
    assert _ready() == (503, b"not ready: worker heartbeat stale")


@pytest.mark.django_db
@requires_worker
def test_a_recent_beat_makes_it_ready_and_an_old_one_does_not():
    _beat(seconds_ago=STALE_SECONDS * 5)
    assert _ready() == (503, b"not ready: worker heartbeat stale")
    _beat(seconds_ago=0)
    assert _ready() == (200, b"ready")


def test_production_requires_a_worker_by_default():
    asked = "[s.READINESS_REQUIRES_WORKER, s.WORKER_HEARTBEAT_STALE_SECONDS]"
    assert read_settings(asked, forget=("READINESS_",), DJANGO_ENV="production") == [True, 60.0]


def test_the_worker_unit_runs_the_command_with_the_heartbeat():
    unit = (settings.BASE_DIR / "deploy/systemd/reformtracker-worker.service").read_text()
    (exec_start,) = [line for line in unit.splitlines() if line.startswith("ExecStart=")]
    assert " manage.py worker " in exec_start + " "


# --- a real worker process ---------------------------------------------------------------


def _database_url() -> str:
    db = connection.settings_dict
    user = db["USER"] or "postgres"
    return f"postgresql://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _start_worker() -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_ENV": "test",
        "DATABASE_URL": _database_url(),
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "WORKER_HEARTBEAT_SECONDS": "0.2",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--no-startup-delay", "--interval", "0.2"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait_until(expected: tuple[int, bytes], worker, timeout: float = 30) -> float:
    """Seconds until /readyz answers ``expected``."""
    start = time.monotonic()
    while (answer := _ready()) != expected:
        if time.monotonic() - start > timeout:
            worker.kill()
            pytest.fail(f"/readyz stayed {answer}; worker said:\n{worker.communicate()[0]}")
        time.sleep(0.1)
    return time.monotonic() - start


@pytest.fixture
def worker():
    process = _start_worker()
    yield process
    if process.poll() is None:
        process.kill()
    process.wait()
    process.stdout.close()  # a failure message may have read and closed it already


@postgresql_only
@pytest.mark.django_db(transaction=True)
@requires_worker
def test_a_running_worker_makes_the_server_ready_and_a_killed_one_goes_stale(worker):
    _wait_until((200, b"ready"), worker, timeout=START_SECONDS)
    (row,) = WorkerHeartbeat.objects.all()
    assert (row.pid, row.host) == (worker.pid, os.uname().nodename)
    first_seen = row.last_seen
    time.sleep(0.5)
    row.refresh_from_db()
    assert row.last_seen > first_seen, "an idle worker keeps beating"

    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    assert _ready() == (200, b"ready"), "its last beat is still recent"
    waited = _wait_until((503, b"not ready: worker heartbeat stale"), worker)
    assert waited <= STALE_SECONDS + 1
    # Killed, it could not remove its row: the operator sees when it was last alive.
    assert WorkerHeartbeat.objects.filter(pid=worker.pid).exists()


@postgresql_only
@pytest.mark.django_db(transaction=True)
@requires_worker
def test_a_worker_stopped_with_sigterm_removes_its_heartbeat_at_once(worker):
    _wait_until((200, b"ready"), worker, timeout=START_SECONDS)
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=15) == 0
    assert not WorkerHeartbeat.objects.exists()
    assert _ready() == (503, b"not ready: worker heartbeat stale")
