"""The production path of a report job: a real `manage.py db_worker` process (the database
backend of django.tasks) makes the report, and the web side, in another process, shows its
progress and serves the PDF. Killed with SIGKILL mid-report, the worker leaves the job
reading as failed with a message once its heartbeat is stale, never "running" for ever.

Each test runs against its own SQLite file (migrated and seeded once for the module), since
another process cannot see the in-memory test database.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
STALE_SECONDS = 2

START_JOB = """
from django.contrib.auth import get_user_model
from evaluations.reports import jobs
from initiatives.models import Plan
user = get_user_model().objects.create_user(username="office", password="x-unused-x")
plan = Plan.objects.get(slug="osaka-shin-shisei-kaikaku")
print(jobs.start(user=user, plan=plan, fiscal_year=2024))
"""

# The job page and the download, as the office's browser would ask for them.
POLL_AND_DOWNLOAD = """
import sys
from django.contrib.auth import get_user_model
from django.test import Client
client = Client()
client.force_login(get_user_model().objects.get(username="office"))
job_url = "/office/reports/jobs/%s/"
page = client.get(job_url, headers={"HX-Request": "true"}).content.decode()
print(page)
download = client.get(job_url + "download/")
print("DOWNLOAD", download.status_code, download.get("Content-Disposition", ""))
if download.status_code == 200:
    print("BYTES", b"".join(download.streaming_content)[:5].decode())
"""


def _env(tmp: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        DJANGO_ENV="test",
        SQLITE_PATH=str(tmp / "db.sqlite3"),
        PRIVATE_MEDIA_ROOT=str(tmp / "private"),
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        REPORT_JOB_STALE_SECONDS=str(STALE_SECONDS),
        REPORT_PROCESSES="1",
        REPORT_WARM_UP="off",
    )
    return env


def _manage(tmp: Path, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=_env(tmp),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def _worker(tmp: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.1"],
        cwd=ROOT,
        env=_env(tmp),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _row(tmp: Path, job_id: str) -> tuple:
    with sqlite3.connect(tmp / "db.sqlite3", timeout=10) as db:
        return db.execute(
            "SELECT state, percent, started_at FROM evaluations_reportjob WHERE id = ?",
            (job_id.replace("-", ""),),
        ).fetchone()


def _wait_for(tmp: Path, job_id: str, states: set[str], seen: list, timeout=90) -> tuple:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = _row(tmp, job_id)
        if not seen or seen[-1] != row[0]:
            seen.append(row[0])
        if row[0] in states:
            return row
        time.sleep(0.02)
    raise AssertionError(f"the job stayed {seen[-1]}")


@pytest.fixture(scope="module")
def seeded_file(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("worker-seed")
    _manage(tmp, "migrate", "--no-input", "-v0")
    _manage(tmp, "load_seed", "-v0")
    return tmp / "db.sqlite3"


@pytest.fixture
def world(seeded_file, tmp_path):
    shutil.copy(seeded_file, tmp_path / "db.sqlite3")
    return tmp_path


def test_a_db_worker_makes_the_report_and_the_web_side_serves_it(world):
    job_id = _manage(world, "shell", "--no-imports", "-c", START_JOB).strip()
    seen = []
    assert _wait_for(world, job_id, {"queued"}, seen, timeout=1)  # nothing runs it yet
    worker = _worker(world)
    try:
        state, percent, started_at = _wait_for(world, job_id, {"done", "failed"}, seen)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert (state, percent) == ("done", 100), seen
    assert started_at is not None  # it went through running
    assert seen[0] == "queued" and set(seen) <= {"queued", "running", "done"}
    out = _manage(world, "shell", "--no-imports", "-c", POLL_AND_DOWNLOAD % job_id)
    assert "完了しました（100%）" in out
    assert "DOWNLOAD 200" in out and "osaka-shin-shisei-kaikaku-progress-2024.pdf" in out
    assert "BYTES %PDF-" in out
    assert list((world / "private" / "report-jobs").glob("*.pdf"))


def test_a_worker_killed_mid_report_leaves_the_job_failed_with_a_message(world):
    job_id = _manage(world, "shell", "--no-imports", "-c", START_JOB).strip()
    worker = _worker(world)
    try:
        state, *_ = _wait_for(world, job_id, {"running", "done", "failed"}, [])
        assert state == "running"
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    killed = time.monotonic()
    assert _row(world, job_id)[0] == "running"  # nobody will finish it
    time.sleep(max(0, killed + STALE_SECONDS + 0.5 - time.monotonic()))
    out = _manage(world, "shell", "--no-imports", "-c", POLL_AND_DOWNLOAD % job_id)
    assert "レポートの作成が中断されました。もう一度お試しください。" in out
    assert "hx-trigger" not in out
    assert "DOWNLOAD 404" in out
    assert _row(world, job_id)[0] == "failed"
