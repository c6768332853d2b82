"""What the X会議 pages and the schedule grid show, for their HTML views and their JSON alike.

Meetings are live rows (not published in rounds), and "held or upcoming" is relative to today.
"""

from django.shortcuts import get_object_or_404
from django.utils import timezone

from initiatives.models import Plan
from xmeetings.models import Meeting, MeetingTopic, Schedule


def meeting_data(plan_slug: str | None) -> dict:
    """Every meeting (of one plan when ``plan_slug``) marked held or not, and the yearly topics."""
    meetings = Meeting.objects.select_related("plan__municipality").prefetch_related(
        "topics", "materials"
    )
    if plan_slug:
        meetings = meetings.filter(plan__slug=plan_slug)
    today = timezone.localdate()
    meetings = list(meetings.order_by("plan__order", "earliest", "number"))
    for meeting in meetings:
        # Held or upcoming is relative to today; an approximate date counts as upcoming
        # until its whole range has passed.
        meeting.is_past = meeting.latest < today
    topics = MeetingTopic.objects.filter(meeting__isnull=True).select_related("plan")
    if plan_slug:
        topics = topics.filter(plan__slug=plan_slug)
    return {"meetings": meetings, "yearly_topics": list(topics), "today": today}


def schedule_data(slug: str, fiscal_year: int | None) -> dict:
    """The plan's schedule grid of ``fiscal_year`` (its latest when None), with its meetings."""
    plan = get_object_or_404(Plan.objects.select_related("municipality"), slug=slug)
    schedules = Schedule.objects.filter(plan=plan).order_by("-fiscal_year")
    if fiscal_year is not None:
        schedules = schedules.filter(fiscal_year=fiscal_year)
    schedule = get_object_or_404(schedules.with_grid()[:1])
    meetings = list(
        Meeting.objects.filter(plan=plan, fiscal_year=schedule.fiscal_year).order_by("earliest")
    )
    columns, rows = schedule.grid(meetings)
    return {"plan": plan, "schedule": schedule, "columns": columns, "rows": rows}
