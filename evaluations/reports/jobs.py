"""Background generation of progress reports, with progress the browser can poll.

A job is a small JSON status file and, when done, the PDF beside it, under
PRIVATE_MEDIA_ROOT/report-jobs/ (never served directly: the view checks the requester). Files
rather than a table, so a worker process of any django.tasks backend can report progress without
a migration, and the ImmediateBackend (the default) simply finishes before the redirect.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.tasks import task
from django.utils import timezone

from evaluations.reports import pdf
from initiatives.models import Plan

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


def job_dir() -> Path:
    path = Path(settings.PRIVATE_MEDIA_ROOT) / "report-jobs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _status_path(job_id: str) -> Path:
    if not job_id.isalnum():
        raise ValueError(job_id)
    return job_dir() / f"{job_id}.json"


def pdf_path(job_id: str) -> Path:
    return _status_path(job_id).with_suffix(".pdf")


def read(job_id: str) -> dict | None:
    try:
        return json.loads(_status_path(job_id).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write(job_id: str, status: dict) -> None:
    path = _status_path(job_id)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(status, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)  # pollers never see a half-written file


def update(job_id: str, **fields) -> dict:
    status = read(job_id) or {}
    status.update(fields)
    _write(job_id, status)
    return status


def start(*, user, plan: Plan, fiscal_year: int) -> str:
    """Creates the job and enqueues it; returns its id."""
    job_id = secrets.token_hex(16)
    _write(
        job_id,
        {
            "status": QUEUED,
            "percent": 0,
            "step": "順番を待っています",
            "user_id": user.pk,
            "plan_id": plan.pk,
            "plan_title": plan.title,
            "fiscal_year": fiscal_year,
            "filename": pdf.filename(plan, fiscal_year),
            "created_at": timezone.now().isoformat(),
        },
    )
    generate_progress_report.enqueue(job_id=job_id, plan_id=plan.pk, fiscal_year=fiscal_year)
    return job_id


@task
def generate_progress_report(job_id: str, plan_id: int, fiscal_year: int) -> str:
    update(job_id, status=RUNNING)

    def progress(percent: int, step: str) -> None:
        update(job_id, percent=percent, step=step)

    try:
        plan = Plan.objects.select_related("municipality").get(pk=plan_id)
        data = pdf.render_pdf(plan, fiscal_year, progress=progress)
    except Exception as exc:
        message = str(exc) if isinstance(exc, pdf.ReportError) else "作成に失敗しました。"
        update(job_id, status=FAILED, step=message)
        raise
    pdf_path(job_id).write_bytes(data)
    update(job_id, status=DONE, percent=100, step="完了しました", size=len(data))
    return job_id
