"""Background generation of progress reports, with progress the browser can poll.

A job is a ReportJob row; the finished PDF is a file in the ``reports`` storage
(settings.STORAGES), never served directly: the view checks the requester. Rows rather than
local files, so that any app server answers a poll and the worker may run on another machine.
Progress is written by single UPDATEs, and a thread in the worker touches the heartbeat while a
long step runs; a running job whose heartbeat is older than REPORT_JOB_STALE_SECONDS had its
worker die, and reads as failed with a message (``read``). Finished jobs are kept
REPORT_JOB_KEEP_HOURS, then ``delete_expired`` removes the rows and their files.
"""

from __future__ import annotations

import threading
import uuid
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import connection
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext_noop

from evaluations.models import ReportJob
from initiatives.models import Plan

State = ReportJob.State
QUEUED, RUNNING, DONE, FAILED = State.QUEUED, State.RUNNING, State.DONE, State.FAILED

# Stored in Japanese, and translated where the job page is shown in English (a step message
# carrying a count, from the PDF's progress, is shown as stored).
WAITING = gettext_noop("順番を待っています")
COMPLETED = gettext_noop("完了しました")
BROKEN = gettext_noop("作成に失敗しました。")
INTERRUPTED = gettext_noop("レポートの作成が中断されました。もう一度お試しください。")


def storage() -> Storage:
    """Where finished reports are kept: the only place this module touches files."""
    return storages["reports"]


def start(*, user, plan: Plan, fiscal_year: int) -> str:
    """Creates the job and enqueues it; returns its id."""
    job = ReportJob.objects.create(
        plan=plan, fiscal_year=fiscal_year, requested_by=user, message=WAITING
    )
    # The job row is written before the task's (in the same transaction, if any), so a worker
    # of the database backend never picks up a task whose job it cannot see.
    generate_progress_report.enqueue(job_id=str(job.pk), plan_id=plan.pk, fiscal_year=fiscal_year)
    return str(job.pk)


def read(job_id) -> ReportJob | None:
    """The job, or None for an id that names none. A running job whose worker stopped
    answering is marked failed here, so that nobody watches it "running" for ever."""
    try:
        pk = uuid.UUID(str(job_id))
    except ValueError:
        return None
    job = ReportJob.objects.select_related("plan").filter(pk=pk).first()
    if job is not None and job.state == RUNNING and fail_stale(ReportJob.objects.filter(pk=pk)):
        job.refresh_from_db()
    return job


def fail_stale(queryset) -> int:
    """Marks failed, with a message, the running jobs among ``queryset`` whose heartbeat is
    older than REPORT_JOB_STALE_SECONDS: their worker died. The only place that decides it."""
    cutoff = timezone.now() - timedelta(seconds=settings.REPORT_JOB_STALE_SECONDS)
    # Conditional, so that a worker that answers at the last moment is not overwritten.
    return queryset.filter(state=RUNNING, heartbeat_at__lt=cutoff).update(
        state=FAILED, message=INTERRUPTED, finished_at=timezone.now()
    )


def update(job_id, **fields) -> int:
    """One UPDATE of the job's fields, touching its heartbeat; the rows changed (0 or 1)."""
    fields.setdefault("heartbeat_at", timezone.now())
    return ReportJob.objects.filter(pk=job_id).update(**fields)


def open_pdf(job: ReportJob):
    """The finished report's file, opened for reading; None once it is gone."""
    if job.state != DONE or not job.file_name or not storage().exists(job.file_name):
        return None
    return storage().open(job.file_name, "rb")


def delete_expired(now=None) -> int:
    """Fails the stale jobs, then deletes finished jobs older than REPORT_JOB_KEEP_HOURS and their files; the count."""
    fail_stale(ReportJob.objects.all())
    cutoff = (now or timezone.now()) - timedelta(hours=settings.REPORT_JOB_KEEP_HOURS)
    expired = ReportJob.objects.filter(state__in=[DONE, FAILED], finished_at__lt=cutoff)
    count = 0
    for job in expired.only("pk", "file_name"):
        if job.file_name:
            storage().delete(job.file_name)
        count += ReportJob.objects.filter(pk=job.pk).delete()[0]
    return count


@contextmanager
def _heartbeat(job_id):
    """Touches the job's heartbeat every few seconds while the block runs, from a thread with
    its own connection: a long layout step reports no progress, yet its worker is alive.
    Inside a transaction (a request running the task at once, or a test) the thread's writes
    would wait on it, and nobody could see the job stall anyway: no thread then."""
    if connection.in_atomic_block:
        yield
        return
    stop = threading.Event()
    interval = max(0.2, settings.REPORT_JOB_STALE_SECONDS / 4)

    def beat():
        try:
            while not stop.wait(interval):
                update(job_id)
        finally:
            connection.close()

    thread = threading.Thread(target=beat, name=f"report-job-{job_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


@task
def generate_progress_report(job_id: str, plan_id: int, fiscal_year: int) -> str:
    from evaluations.reports import pdf

    now = timezone.now()
    update(job_id, state=RUNNING, started_at=now, heartbeat_at=now)

    def progress(percent: int, step: str) -> None:
        update(job_id, percent=percent, message=step)

    try:
        with _heartbeat(job_id):
            plan = Plan.objects.select_related("municipality").get(pk=plan_id)
            data = pdf.render_pdf(plan, fiscal_year, progress=progress)
            name = storage().save(f"{job_id}.pdf", ContentFile(data))
    except Exception as exc:
        message = str(exc) if isinstance(exc, pdf.ReportError) else BROKEN
        update(job_id, state=FAILED, message=message, finished_at=timezone.now())
        raise
    update(
        job_id,
        state=DONE,
        percent=100,
        message=COMPLETED,
        file_name=name,
        size=len(data),
        finished_at=timezone.now(),
    )
    return job_id
