"""Public pages for X会議 and the yearly schedule grid, and their JSON for the read API; what
they show is built by xmeetings.pages.

These read live rows (meetings are not published in rounds) and "held or upcoming" depends on
today, so they are not cached whole like the result pages (``public_page(store=False)``); they get
an ETag of their content, so repeat visits are answered 304 without sending the page again. Each is kept per process by a
digest of the rows it shows and today's date (reformtracker.page_memo).
"""

from functools import partial

from reformtracker import page_memo
from reformtracker.public_pages import licensed_json, public_page
from xmeetings.models import Meeting
from xmeetings.pages import meeting_data, meeting_rows, schedule_data, schedule_rows


@public_page(store=False, params=("plan",))
def meeting_list(request):
    plan = request.GET.get("plan")
    return page_memo.render_page(
        request,
        "xmeetings/meeting_list.html",
        partial(meeting_data, plan),
        partial(meeting_rows, plan),
    )


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


@public_page(store=False, params=("plan",))
def meetings_json(request):
    plan = request.GET.get("plan")
    return page_memo.respond(
        request, "meetings.json", partial(meeting_rows, plan), partial(_meetings_json, plan)
    )


def _meetings_json(plan):
    data = meeting_data(plan)
    return licensed_json(
        {
            "today": data["today"].isoformat(),
            "meetings": [_meeting_json(m) for m in data["meetings"]],
            "yearly_topics": [
                {"plan": t.plan.slug, "fiscal_year": t.fiscal_year, "name": t.name}
                for t in data["yearly_topics"]
            ],
        }
    )


@public_page(store=False)
def schedule_detail(request, slug, fiscal_year=None):
    return page_memo.render_page(
        request,
        "xmeetings/schedule.html",
        partial(schedule_data, slug, fiscal_year),
        partial(schedule_rows, slug),
    )


@public_page(store=False)
def schedule_json(request, slug, fiscal_year=None):
    return page_memo.respond(
        request,
        "schedule.json",
        partial(schedule_rows, slug),
        partial(_schedule_json, slug, fiscal_year),
    )


def _schedule_json(slug, fiscal_year):
    data = schedule_data(slug, fiscal_year)
    schedule = data["schedule"]
    return licensed_json(
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
