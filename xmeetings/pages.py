"""What the X会議 pages and the schedule grid show, for their HTML views and their JSON alike.

Meetings are live rows (not published in rounds), and "held or upcoming" is relative to today.
"""

from django.db import connection
from django.shortcuts import get_object_or_404
from django.utils import timezone

from initiatives.models import Municipality, Pillar, Plan
from reformtracker.page_memo import digest
from xmeetings.models import (
    Meeting,
    MeetingMaterial,
    MeetingTopic,
    Schedule,
    ScheduleActivity,
    ScheduleLane,
)


def _raw(model, where: str, params=()) -> list[tuple]:
    """Every column of ``model``'s rows ``where`` says, by id, as the database gives them: what
    a page's digest is made of, read without the ORM building SQL. ``where`` names tables by
    ``{Model}`` and columns as stored."""
    q = connection.ops.quote_name
    tables = {m.__name__: q(m._meta.db_table) for m in _MODELS}
    sql = f"SELECT * FROM {tables[model.__name__]} WHERE {where.format(**tables)} ORDER BY id"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


_MODELS = (
    Plan,
    Municipality,
    Pillar,
    Meeting,
    MeetingTopic,
    MeetingMaterial,
    Schedule,
    ScheduleLane,
    ScheduleActivity,
)


def meeting_rows(plan_slug: str | None) -> str:
    """A digest of everything the meetings page and its JSON show (of one plan when
    ``plan_slug``): today (held or upcoming), the meetings, their topics and materials, the
    yearly topics, the plans and their cities (six queries)."""
    plans = "SELECT id FROM {Plan}" + (" WHERE slug = %s" if plan_slug else "")
    params = [plan_slug] if plan_slug else []
    meetings = f"SELECT id FROM {{Meeting}} WHERE plan_id IN ({plans})"
    return digest(
        timezone.localdate(),
        _raw(Plan, f"id IN ({plans})", params),
        _raw(
            Municipality,
            f"id IN (SELECT municipality_id FROM {{Plan}} WHERE id IN ({plans}))",
            params,
        ),
        _raw(Meeting, f"plan_id IN ({plans})", params),
        _raw(MeetingTopic, f"plan_id IN ({plans}) OR meeting_id IN ({meetings})", params * 2),
        _raw(MeetingMaterial, f"meeting_id IN ({meetings})", params),
    )


def schedule_rows(slug: str) -> str:
    """A digest of everything the plan's schedule pages and JSON show: the plan, its city and
    pillars, its schedules with their lanes and activities, and its meetings (seven queries)."""
    plan = "SELECT id FROM {Plan} WHERE slug = %s"
    schedules = f"SELECT id FROM {{Schedule}} WHERE plan_id IN ({plan})"
    lanes = f"SELECT id FROM {{ScheduleLane}} WHERE schedule_id IN ({schedules})"
    return digest(
        _raw(Plan, "slug = %s", [slug]),
        _raw(Municipality, "id IN (SELECT municipality_id FROM {Plan} WHERE slug = %s)", [slug]),
        _raw(Pillar, f"plan_id IN ({plan})", [slug]),
        _raw(Schedule, f"plan_id IN ({plan})", [slug]),
        _raw(ScheduleLane, f"schedule_id IN ({schedules})", [slug]),
        _raw(ScheduleActivity, f"lane_id IN ({lanes})", [slug]),
        _raw(Meeting, f"plan_id IN ({plan})", [slug]),
    )


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
