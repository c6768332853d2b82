"""Public pages for X会議 and the yearly schedule grid, and their JSON for the read API; what
they show is built by xmeetings.pages.

They read live rows (meetings are not published in rounds) and "held or upcoming" depends on
today, so they are stored whole by the page cache as the Atom feeds are (``stored_by_day``):
their key carries the date as well as the publication fingerprint, which counts every edit of
a meeting or schedule (initiatives.models.MasterDataVersion, counted by the history writer that
the office's pages, the admin, imports and the seed all write through), so an edit shows from
the next request and a meeting turns held at midnight. They get an ETag of their content, so
repeat visits are answered 304. With the page cache off or missed, each is kept per process by
a digest of the rows it shows and today's date (reformtracker.page_memo).
"""

from functools import partial

from django.core.files.storage import storages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_GET

from reformtracker import page_memo
from reformtracker.public_pages import licensed_json, public_page, stored_by_day
from xmeetings import ical
from xmeetings.models import Meeting, MeetingMaterial
from xmeetings.pages import (
    calendar_data,
    calendar_rows,
    material_url,
    meeting_data,
    meeting_listing,
    meeting_rows,
    schedule_data,
    schedule_rows,
)


@stored_by_day
@public_page(params=("plan", "when", "page"))
def meeting_list(request):
    """Upcoming or held X会議 (``when``), a page at a time, of every plan or one (``plan``)."""
    listing = meeting_listing(
        request.GET.get("plan"), request.GET.get("when"), request.GET.get("page")
    )
    return page_memo.render_page(
        request,
        "xmeetings/meeting_list.html",
        partial(meeting_data, listing),
        partial(meeting_rows, listing),
    )


def _meeting_json(request, meeting: Meeting) -> dict:
    return {
        "plan": meeting.plan.slug,
        "fiscal_year": meeting.fiscal_year,
        "number": meeting.number,
        "date": {
            "year": meeting.date_year,
            "month": meeting.date_month,
            "day": meeting.date_day,
            "part": meeting.date_part or None,
            "precision": meeting.approx_date.precision.value,
            "label": meeting.date_label_ja,
            "label_en": meeting.approx_date.label_en(),
            "earliest": meeting.earliest.isoformat(),
            "latest": meeting.latest.isoformat(),
        },
        "status": meeting.status,
        "phase": meeting.phase,
        "held": meeting.phase == Meeting.Phase.HELD,
        "title": meeting.title,
        "topics": [t.name for t in meeting.topics.all()],
        "materials": [
            {
                "title": m.title,
                "url": m.url or request.build_absolute_uri(material_url(m)),
                "file": m.is_file,
            }
            for m in meeting.materials.all()
        ],
        "initiatives": [{"code": i.code, "title": i.title} for i in meeting.initiatives.all()],
    }


@stored_by_day
@public_page(params=("plan", "when", "page"))
def meetings_json(request):
    """Every meeting by date (``when=upcoming`` or ``held`` narrows), a page at a time."""
    listing = meeting_listing(
        request.GET.get("plan"), request.GET.get("when"), request.GET.get("page"), default="all"
    )
    return page_memo.respond(
        request,
        "meetings.json",
        partial(meeting_rows, listing),
        partial(_meetings_json, request, listing),
    )


def _meetings_json(request, listing):
    data = meeting_data(listing)
    page = data["items"]
    return licensed_json(
        {
            "today": data["today"].isoformat(),
            "when": data["when"],
            "count": page.paginator.count,
            "page": page.number,
            "pages": page.paginator.num_pages,
            "meetings": [_meeting_json(request, m) for m in data["meetings"]],
            "yearly_topics": [
                {"plan": t.plan.slug, "fiscal_year": t.fiscal_year, "name": t.name}
                for t in data["yearly_topics"]
            ],
        }
    )


@stored_by_day
@public_page
def meeting_calendar(request, slug):
    """The plan's X会議 as an iCalendar feed (xmeetings.ical)."""
    return page_memo.respond(
        request,
        "meetings.ics",
        partial(calendar_rows, slug),
        partial(_calendar, request, slug),
    )


def _calendar(request, slug):
    data = calendar_data(slug)
    page_url = request.build_absolute_uri(f"{reverse('meeting_list')}?plan={slug}")
    body = ical.calendar(data["plan"], data["meetings"], page_url=page_url, today=data["today"])
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{slug}-meetings.ics"'
    return response


@require_GET
def material_download(request, pk):
    """A public X会議 material file, for anyone (a non-public one is 404 here: the office
    downloads it from its own page)."""
    item = get_object_or_404(MeetingMaterial, pk=pk, is_public=True, url="")
    try:
        handle = storages["materials"].open(item.file_path, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=item.file_name, content_type=item.content_type
    )
    response["Content-Security-Policy"] = "sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@stored_by_day
@public_page
def schedule_detail(request, slug, fiscal_year=None):
    return page_memo.render_page(
        request,
        "xmeetings/schedule.html",
        partial(schedule_data, slug, fiscal_year),
        partial(schedule_rows, slug),
    )


@stored_by_day
@public_page
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
