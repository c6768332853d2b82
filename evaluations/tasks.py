"""The periodic work, as tasks a worker can run (``enqueue()``), beside the management commands
that systemd timers run (deploy/systemd/). Each is a thin wrapper over what its command runs,
so a timer, an operator at the shell and a worker all do the same thing.
"""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.tasks import task


@task
def send_overdue_reminders() -> str:
    """Mails each department its overdue entries, each with a link to its page; the command's
    summary. The mail is composed by evaluations.reminders, as the office's one-click reminder
    is."""
    out, err = StringIO(), StringIO()
    call_command("send_overdue_reminders", stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


@task
def clear_stale_imports() -> int:
    """Deletes uploaded 照会票 left unconfirmed too long; how many."""
    from evaluations import import_uploads

    return import_uploads.sweep()


@task
def clear_report_jobs() -> int:
    """Fails report jobs whose worker died and deletes expired ones with their PDFs; how many
    were deleted."""
    from evaluations.reports import jobs

    return jobs.delete_expired()
