"""The production path of the publication mail: publishing in one process queues the task in
the database (django-tasks-db), and a real `manage.py db_worker` process sends it through a
real SMTP server the test starts, with the RFC 8058 headers.

Against its own SQLite file, since another process cannot see the in-memory test database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

from tests.measures.smtp_server import smtp_server

ROOT = Path(settings.BASE_DIR)

PUBLISH = """
from django.utils import timezone
from evaluations.choices import Result
from evaluations.models import Subscription
from tests.factories import make_initiative, make_plan, make_published_round
plan = make_plan()
item = make_initiative(plan)
Subscription.objects.create(
    plan=plan, email="reader@example.jp", token="w" * 43, confirmed_at=timezone.now()
)
make_published_round(plan, {item: Result.ACHIEVED})
print(plan.slug)
"""


def _env(tmp: Path, port: int) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        DJANGO_ENV="test",
        SQLITE_PATH=str(tmp / "db.sqlite3"),
        PRIVATE_MEDIA_ROOT=str(tmp / "private"),
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(port),
        EMAIL_USE_TLS="off",
        SITE_URL="https://kaikaku.example.jp",
    )
    return env


def _manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_db_worker_mails_the_publication_to_its_subscribers(tmp_path):
    with smtp_server() as (port, inbox):
        env = _env(tmp_path, port)
        _manage(env, "migrate", "--no-input", "-v0")
        slug = _manage(env, "shell", "--no-imports", "-c", PUBLISH).strip().splitlines()[-1]
        assert inbox.messages == []  # queued, not sent inside the publishing process
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.1"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 90
            while not inbox.messages and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            worker.terminate()
            worker.wait(timeout=30)
        [mail] = inbox.messages
        assert mail["To"] == "reader@example.jp"
        assert "の結果が公表されました" in mail["Subject"]
        assert mail["List-Unsubscribe"] == (
            "<https://kaikaku.example.jp/subscriptions/" + "w" * 43 + "/unsubscribe/>"
        )
        assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert f"https://kaikaku.example.jp/plans/{slug}/" in mail.get_content()
