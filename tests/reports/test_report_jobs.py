"""Report jobs live in the database: any app server answers a poll, a job whose worker died
reads as failed with a message, and finished jobs expire with their files."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from evaluations.models import ReportJob
from evaluations.reports import jobs
from initiatives.models import Department
from tests.personas import make_member
from tests.private_files import BACKENDS

pytestmark = pytest.mark.django_db

OFFICE_PERMS = ("submit_entry", "manage_round")


@pytest.fixture
def office_user(osaka):
    return make_member("office", Department.objects.get(code="shisei-kaikaku"), perms=OFFICE_PERMS)


@pytest.fixture
def queued_job(office_user, osaka, settings):
    """A job whose task is waiting for a worker (the dummy backend runs nothing)."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    return jobs.read(jobs.start(user=office_user, plan=osaka, fiscal_year=2024))


def test_a_started_job_is_a_row_waiting_for_its_worker(queued_job, office_user, osaka):
    assert queued_job.state == ReportJob.State.QUEUED
    assert queued_job.get_state_display() == "順番待ち"
    assert (queued_job.plan, queued_job.fiscal_year, queued_job.requested_by) == (
        osaka,
        2024,
        office_user,
    )
    assert queued_job.message == "順番を待っています"


def test_the_poll_shows_what_a_worker_elsewhere_wrote_to_the_row(client, queued_job, office_user):
    jobs.update(queued_job.pk, state=jobs.RUNNING, percent=60, message="ページを組版しています")
    client.force_login(office_user)
    fragment = client.get(
        f"/office/reports/jobs/{queued_job.pk}/", headers={"HX-Request": "true"}
    ).content.decode()
    assert "ページを組版しています（60%）" in fragment
    assert "hx-trigger" in fragment  # still running: the page keeps polling


def test_a_running_job_whose_worker_went_quiet_reads_as_failed(
    client, queued_job, office_user, settings, time_machine
):
    settings.REPORT_JOB_STALE_SECONDS = 60
    time_machine.move_to(timezone.now(), tick=False)
    jobs.update(queued_job.pk, state=jobs.RUNNING, percent=20)
    time_machine.shift(timedelta(seconds=59))
    assert jobs.read(queued_job.pk).state == jobs.RUNNING
    time_machine.shift(timedelta(seconds=2))
    job = jobs.read(queued_job.pk)
    assert job.state == jobs.FAILED
    assert job.message == "レポートの作成が中断されました。もう一度お試しください。"
    assert job.finished_at is not None
    client.force_login(office_user)
    fragment = client.get(
        f"/office/reports/jobs/{queued_job.pk}/", headers={"HX-Request": "true"}
    ).content.decode()
    assert "レポートの作成が中断されました。もう一度お試しください。" in fragment
    assert "hx-trigger" not in fragment  # failed: polling stops


def test_a_queued_job_is_not_failed_for_waiting(queued_job, settings, time_machine):
    settings.REPORT_JOB_STALE_SECONDS = 60
    time_machine.move_to(timezone.now() + timedelta(hours=1))
    assert jobs.read(queued_job.pk).state == jobs.QUEUED


def test_a_job_id_that_names_no_job_is_404(client, office_user, queued_job):
    client.force_login(office_user)
    for job_id in ("0123456789abcdef", "00000000-0000-0000-0000-000000000000"):
        assert client.get(f"/office/reports/jobs/{job_id}/").status_code == 404
        assert client.get(f"/office/reports/jobs/{job_id}/download/").status_code == 404


@pytest.mark.parametrize("private_media", BACKENDS, indirect=True)
def test_the_finished_pdf_is_kept_in_the_reports_storage(office_user, osaka):
    job = jobs.read(jobs.start(user=office_user, plan=osaka, fiscal_year=2024))
    assert job.state == jobs.DONE and job.message == "完了しました" and job.percent == 100
    assert jobs.storage().exists(job.file_name)
    with jobs.open_pdf(job) as file:
        data = file.read()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert job.size == len(data) == jobs.storage().size(job.file_name)


@pytest.mark.parametrize("private_media", BACKENDS, indirect=True)
def test_finished_jobs_expire_with_their_files(office_user, osaka, settings, time_machine):
    settings.REPORT_JOB_KEEP_HOURS = 24
    time_machine.move_to(timezone.now(), tick=False)
    old = jobs.read(jobs.start(user=office_user, plan=osaka, fiscal_year=2024))
    time_machine.shift(timedelta(hours=23))
    recent = jobs.read(jobs.start(user=office_user, plan=osaka, fiscal_year=2024))
    time_machine.shift(timedelta(hours=1, seconds=1))
    assert jobs.delete_expired() == 1
    assert not ReportJob.objects.filter(pk=old.pk).exists()
    assert not jobs.storage().exists(old.file_name)
    assert jobs.read(recent.pk).state == jobs.DONE
    assert jobs.storage().exists(recent.file_name)


def test_the_clean_up_fails_a_dead_workers_job_and_keeps_it_the_keep_time(
    queued_job, settings, time_machine
):
    settings.REPORT_JOB_KEEP_HOURS = 1
    jobs.update(queued_job.pk, state=jobs.RUNNING)
    time_machine.move_to(timezone.now() + timedelta(hours=2))
    assert jobs.delete_expired() == 0
    job = ReportJob.objects.get(pk=queued_job.pk)
    assert job.state == jobs.FAILED and job.message == jobs.INTERRUPTED


@pytest.mark.django_db(transaction=True)
def test_the_worker_keeps_the_heartbeat_of_a_long_step_fresh(osaka, settings):
    """A layout step may report nothing for longer than the stale time; the worker's
    heartbeat thread keeps the job from reading as failed meanwhile."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    settings.REPORT_JOB_STALE_SECONDS = 1
    user = make_member("office", Department.objects.get(code="shisei-kaikaku"))
    job_id = jobs.start(user=user, plan=osaka, fiscal_year=2024)
    jobs.update(job_id, state=jobs.RUNNING)
    with jobs._heartbeat(job_id):
        time.sleep(1.6)
        assert jobs.read(job_id).state == jobs.RUNNING
    time.sleep(1.1)
    assert jobs.read(job_id).state == jobs.FAILED
