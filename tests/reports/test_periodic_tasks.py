"""The periodic work runs as tasks (for a worker) and as commands (for the systemd timers
shipped under deploy/systemd/), doing the same thing either way."""

import configparser
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.base import ContentFile
from django.core.management import call_command, get_commands
from django.utils import timezone

from evaluations import import_uploads, tasks
from evaluations.models import ReportJob
from evaluations.reports import jobs
from initiatives.models import Department
from tests.personas import make_member
from tests.private_files import BACKENDS, age, files

pytestmark = pytest.mark.django_db

SYSTEMD = Path(settings.BASE_DIR) / "deploy" / "systemd"


def test_the_reminder_task_mails_what_the_command_mails(world, time_machine):
    time_machine.move_to("2025-06-02 09:00 +09:00")
    result = tasks.send_overdue_reminders.enqueue()
    assert sorted(m.to[0] for m in mail.outbox) == ["staff-a@example.jp", "staff-b@example.jp"]
    assert "督促メール: 2通" in result.return_value


@pytest.mark.parametrize("private_media", BACKENDS, indirect=True)
def test_the_upload_clean_up_task_removes_stale_uploads():
    storage = import_uploads.storage()
    storage.save("a1.xlsx", ContentFile(b"x"))
    storage.save("b2.xlsx", ContentFile(b"y"))
    age(storage, "a1.xlsx", 48)
    assert tasks.clear_stale_imports.enqueue().return_value == 1
    assert files(storage) == ["b2.xlsx"]


@pytest.fixture
def expired_job(osaka, settings, time_machine):
    settings.REPORT_JOB_KEEP_HOURS = 24
    user = make_member("office", Department.objects.get(code="shisei-kaikaku"))
    time_machine.move_to(timezone.now() - timedelta(hours=25), tick=False)
    job = jobs.read(jobs.start(user=user, plan=osaka, fiscal_year=2024))
    time_machine.move_to(timezone.now() + timedelta(hours=25), tick=False)
    return job


@pytest.mark.parametrize("private_media", BACKENDS, indirect=True)
def test_the_report_job_clean_up_task_deletes_expired_jobs(expired_job):
    assert tasks.clear_report_jobs.enqueue().return_value == 1
    assert not ReportJob.objects.exists()
    assert not jobs.storage().exists(expired_job.file_name)


@pytest.mark.parametrize("private_media", BACKENDS, indirect=True)
def test_the_report_job_clean_up_command_deletes_expired_jobs(expired_job):
    assert jobs.storage().exists(expired_job.file_name)
    out = StringIO()
    call_command("clear_report_jobs", stdout=out)
    assert "保存期間を過ぎた報告書を1件削除しました。" in out.getvalue()
    assert not ReportJob.objects.exists()
    assert not jobs.storage().exists(expired_job.file_name)


def _unit(name: str) -> configparser.ConfigParser:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str
    unit.read(SYSTEMD / name, encoding="utf-8")
    return unit


def test_every_timer_starts_a_service_that_runs_an_existing_command():
    timers = sorted(SYSTEMD.glob("*.timer"))
    assert {t.stem for t in timers} >= {
        "reformtracker-reminders",
        "reformtracker-clear-stale-imports",
        "reformtracker-clear-report-jobs",
        "reformtracker-prune-task-results",
    }
    commands = get_commands()
    for timer in timers:
        assert _unit(timer.name)["Timer"]["OnCalendar"]
        service = _unit(f"{timer.stem}.service")
        command = service["Service"]["ExecStart"].split("manage.py", 1)[1].split()[0]
        assert command in commands, timer.name


def test_the_worker_and_web_units_run_the_worker_with_its_heartbeat_and_gunicorn():
    # manage.py worker: db_worker plus the heartbeat /readyz reads (evaluations.heartbeat).
    assert "manage.py worker" in _unit("reformtracker-worker.service")["Service"]["ExecStart"]
    web = _unit("reformtracker-web.service")["Service"]["ExecStart"]
    assert "gunicorn" in web and "deploy/gunicorn.conf.py" in web
