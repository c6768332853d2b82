"""Public pages for X会議 and the yearly schedule grid."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from initiatives.models import Plan
from reformtracker.calendar_ja import fiscal_month_index
from xmeetings.models import Meeting, MeetingTopic, Schedule, ScheduleActivity, ScheduleLane


def meeting_list(request):
    meetings = Meeting.objects.select_related("plan__municipality").prefetch_related(
        "topics", "materials"
    )
    plan_slug = request.GET.get("plan")
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
    return render(
        request,
        "xmeetings/meeting_list.html",
        {"meetings": meetings, "yearly_topics": list(topics), "today": today},
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


def schedule_detail(request, slug, fiscal_year=None):
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
    return render(
        request,
        "xmeetings/schedule.html",
        {"plan": plan, "schedule": schedule, "columns": columns, "rows": rows},
    )
