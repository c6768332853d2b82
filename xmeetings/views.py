"""Public pages for X会議 and the yearly schedule grid, and their JSON for the read API.

These read live rows (meetings are not published in rounds) and "held or upcoming" depends on
today, so they are not cached whole like the result pages; they get an ETag of their content,
so repeat visits are answered 304 without sending the page again.
"""

from functools import wraps

from django.db.models import Prefetch
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers, set_response_etag

from initiatives.models import Plan
from reformtracker.calendar_ja import fiscal_month_index
from xmeetings.models import Meeting, MeetingTopic, Schedule, ScheduleActivity, ScheduleLane

LICENCE = {"name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/deed.ja"}


def with_etag(view):
    """ETag from the rendered content; 304 when the visitor already has it."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code != 200 or request.method not in ("GET", "HEAD"):
            return response
        set_response_etag(response)
        response["Cache-Control"] = "no-cache"
        patch_vary_headers(response, ["Cookie"])
        return get_conditional_response(request, etag=response["ETag"], response=response)

    return wrapper


def meeting_data(plan_slug: str | None) -> dict:
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


@with_etag
def meeting_list(request):
    return render(request, "xmeetings/meeting_list.html", meeting_data(request.GET.get("plan")))


def _meeting_json(meeting: Meeting) -> dict:
    return {
        "plan": meeting.plan.slug,
        "fiscal_year": meeting.fiscal_year,
        "number": meeting.number,
        "date": {
            "year": meeting.date_year,
            "month": meeting.date_month,
            "day": meeting.date_day,
            "part": meeting.date_part or None,
            "label": meeting.date_label_ja,
            "label_en": meeting.approx_date.label_en(),
            "earliest": meeting.earliest.isoformat(),
            "latest": meeting.latest.isoformat(),
        },
        "status": meeting.status,
        "held": meeting.is_past and meeting.status != Meeting.Status.CANCELLED,
        "title": meeting.title,
        "topics": [t.name for t in meeting.topics.all()],
        "materials": [{"title": m.title, "url": m.url} for m in meeting.materials.all()],
    }


def _json(payload: dict) -> JsonResponse:
    return JsonResponse(
        {"licence": LICENCE, **payload}, json_dumps_params={"ensure_ascii": False, "indent": 2}
    )


@with_etag
def meetings_json(request):
    data = meeting_data(request.GET.get("plan"))
    return _json(
        {
            "today": data["today"].isoformat(),
            "meetings": [_meeting_json(m) for m in data["meetings"]],
            "yearly_topics": [
                {"plan": t.plan.slug, "fiscal_year": t.fiscal_year, "name": t.name}
                for t in data["yearly_topics"]
            ],
        }
    )


def _grid(schedule: Schedule, meetings: list[Meeting]):
    columns = schedule.columns()
    column_of = {}
    for index, (_label, months) in enumerate(columns):
        for month in months:
            column_of[month] = index
    first_index = fiscal_month_index(schedule.first_month)
    rows = []
    for lane in schedule.lanes.all():
        cells = [[] for _ in columns]
        if lane.shows_meetings:
            for meeting in meetings:
                if fiscal_month_index(meeting.date_month) >= first_index:
                    cells[column_of[meeting.date_month]].append(meeting)
        for activity in lane.activities.all():
            start = column_of.get(activity.start_month, 0)
            end = column_of.get(activity.end_month, len(columns) - 1)
            activity.span_label = (
                columns[start][0] if start == end else f"{columns[start][0]}〜{columns[end][0]}"
            )
            activity.span_columns = end - start + 1
            cells[start].append(activity)
        rows.append({"lane": lane, "cells": cells})
    return columns, rows


def schedule_data(slug: str, fiscal_year: int | None) -> dict:
    plan = get_object_or_404(Plan.objects.select_related("municipality"), slug=slug)
    schedules = Schedule.objects.filter(plan=plan).order_by("-fiscal_year")
    if fiscal_year is not None:
        schedules = schedules.filter(fiscal_year=fiscal_year)
    schedule = get_object_or_404(
        schedules.prefetch_related(
            Prefetch(
                "lanes",
                queryset=ScheduleLane.objects.prefetch_related(
                    Prefetch("activities", queryset=ScheduleActivity.objects.order_by("order"))
                ).order_by("order"),
            )
        )[:1]
    )
    meetings = list(
        Meeting.objects.filter(plan=plan, fiscal_year=schedule.fiscal_year).order_by("earliest")
    )
    columns, rows = _grid(schedule, meetings)
    return {"plan": plan, "schedule": schedule, "columns": columns, "rows": rows}


@with_etag
def schedule_detail(request, slug, fiscal_year=None):
    return render(request, "xmeetings/schedule.html", schedule_data(slug, fiscal_year))


@with_etag
def schedule_json(request, slug, fiscal_year=None):
    data = schedule_data(slug, fiscal_year)
    schedule = data["schedule"]
    return _json(
        {
            "plan": data["plan"].slug,
            "fiscal_year": schedule.fiscal_year,
            "title": schedule.title,
            "columns": [{"label": label, "months": months} for label, months in data["columns"]],
            "rows": [
                {
                    "lane": row["lane"].name,
                    "cells": [
                        [
                            {"meeting": item.number, "date": item.date_label_ja}
                            if row["lane"].shows_meetings
                            else {
                                "label": item.display_label,
                                "start_month": item.start_month,
                                "end_month": item.end_month,
                            }
                            for item in cell
                        ]
                        for cell in row["cells"]
                    ],
                }
                for row in data["rows"]
            ],
        }
    )
