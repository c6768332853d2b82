"""Overdue entries and the reminder mail that chases them, composed in one place.

The office's overdue list (staff page), its one-click reminder (``services.send_reminder``) and
the daily ``send_overdue_reminders`` command (and its task) all read ``overdue_entries`` and mail
what ``compose`` writes, so a department gets the same letter whichever sent it. Each line links
to the entry's page by an absolute URL built on ``settings.SITE_URL`` (a command has no request
to take the host from).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, Q
from django.urls import reverse

from evaluations.choices import RoundState
from evaluations.models import Entry, Round
from evaluations.workflow import STAFF_EDITABLE
from initiatives.models import Department
from reformtracker.calendar_ja import format_date_ja


def overdue_entries(today: date, round_: Round | None = None):
    """Entries of open rounds past their due date that staff have not yet submitted."""
    entries = Entry.objects.filter(
        round__state=RoundState.OPEN, round__due_on__lt=today, state__in=STAFF_EDITABLE
    )
    if round_ is not None:
        entries = entries.filter(round=round_)
    return entries.select_related("initiative__department", "round__plan").order_by(
        "initiative__department__code", "round__due_on", "initiative__code"
    )


@dataclass
class DepartmentOverdue:
    """One department's overdue entries in a round, and how many of its members have mail."""

    department: Department
    entries: list[Entry]
    recipients: int


def overdue_by_department(round_: Round, today: date) -> list[DepartmentOverdue]:
    """The office's overdue list of one round: per department, its overdue entries (two
    queries whatever the number of departments)."""
    grouped: dict[int, DepartmentOverdue] = {}
    for entry in overdue_entries(today, round_):
        department = entry.initiative.department
        grouped.setdefault(department.pk, DepartmentOverdue(department, [], 0)).entries.append(
            entry
        )
    counts = (
        get_user_model()
        .objects.filter(is_active=True, memberships__department__in=list(grouped))
        .exclude(email="")
        .values("memberships__department")
        .annotate(n=Count("pk", filter=Q(is_active=True)))
    )
    for row in counts:
        grouped[row["memberships__department"]].recipients = row["n"]
    return list(grouped.values())


def recipients_of(department: Department) -> list[str]:
    """The addresses of the department's active members who have one."""
    return sorted(
        get_user_model()
        .objects.filter(is_active=True, memberships__department=department)
        .exclude(email="")
        .values_list("email", flat=True)
    )


def entry_url(entry: Entry) -> str:
    """The entry's staff page as an absolute URL (``settings.SITE_URL``)."""
    if not settings.SITE_URL:
        raise ImproperlyConfigured(
            "SITE_URL が設定されていないため、督促メールに回答ページへのリンクを書けません。"
        )
    return settings.SITE_URL + reverse("staff:entry", args=[entry.pk])


def compose(department: Department, entries: list[Entry]) -> tuple[str, str]:
    """The reminder's subject and body: each overdue entry with its due date and a direct
    link to its page."""
    lines = []
    for e in entries:
        lines += [
            f"- {e.initiative.code} {e.initiative.title}（{e.round.plan.title} "
            f"{e.round.as_of_label_ja}、期限 {format_date_ja(e.round.due_on)}、"
            f"{e.get_state_display()}）",
            f"  {entry_url(e)}",
        ]
    body = "\n".join(
        [
            f"{department.name} ご担当者様",
            "",
            "次の取組項目の回答が提出期限を過ぎています。入力・提出をお願いします。",
            "各項目のリンクから回答ページを開けます。",
            "",
            *lines,
            "",
            "市政改革室",
        ]
    )
    subject = f"【督促】提出期限を過ぎた回答が{len(entries)}件あります（{department.name}）"
    return subject, body
