"""A plan's X会議 as an iCalendar feed (RFC 5545), for calendar applications to subscribe to.

Every meeting is an all-day event spanning the days its date covers (「7月上旬」: 7月1日 to
7月10日, DTEND being the day after, as RFC 5545 counts it), with the date as the city wrote it
in the description: a calendar shows a period, never a made-up day. A meeting's UID is made from
its plan and its id, so it stays the same when the meeting is renumbered or redated and a
calendar updates the event rather than adding another.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from reformtracker.calendar_ja import Precision, fy_label_ja
from xmeetings.models import Meeting

PRODID = "-//reformtracker//X meetings//JA"


def _escape(text: str) -> str:
    """TEXT values (RFC 5545 3.3.11): backslash, semicolon, comma and newlines escaped."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Content lines of at most 75 octets (RFC 5545 3.1), never splitting a UTF-8 character:
    continuation lines start with one space."""
    out, current, size = [], "", 0
    for char in line:
        width = len(char.encode())
        limit = 75 if not out else 74
        if size + width > limit:
            out.append(current)
            current, size = "", 0
        current += char
        size += width
    out.append(current)
    return "\r\n ".join(out)


def _period_words(meeting: Meeting) -> str:
    precision = meeting.approx_date.precision
    return {
        Precision.DAY: "",
        Precision.PART: _(
            "開催日は旬（上旬は1〜10日、中旬は11〜20日、下旬は21日〜月末）までしか公表されていないため、その期間の終日予定としています。"
        ),
        Precision.MONTH: _(
            "開催日は月までしか公表されていないため、その月の終日予定としています。"
        ),
        Precision.FISCAL_YEAR: _(
            "開催日は年度までしか公表されていないため、年度全体の終日予定としています。"
        ),
    }[precision]


def _event(meeting: Meeting, today, stamp: str, page_url: str) -> list[str]:
    phase = meeting.phase_on(today)
    note = meeting.date_note(phase)
    label = meeting.approx_date.label_full_ja()
    when = f"{label}（{note}）" if note else label
    description = [
        _("開催日：%(when)s") % {"when": when},
        _("状況：%(phase)s") % {"phase": Meeting.Phase(phase).label},
    ]
    if words := _period_words(meeting):
        description.append(words)
    topics = [t.name for t in meeting.topics.all()]
    if topics:
        description.append(_("議題：%(topics)s") % {"topics": "、".join(topics)})
    if meeting.summary:
        description.append(meeting.summary)
    title = f"{fy_label_ja(meeting.fiscal_year)} 第{meeting.number}回 X会議"
    if meeting.title:
        title += f"「{meeting.title}」"
    if meeting.status == Meeting.Status.CANCELLED:
        status = "CANCELLED"
    elif meeting.date_day is None and phase != Meeting.Phase.HELD:
        status = "TENTATIVE"
    else:
        status = "CONFIRMED"
    end = meeting.latest + timedelta(days=1)
    lines = [
        "BEGIN:VEVENT",
        f"UID:{meeting.plan.slug}-meeting-{meeting.pk}@reformtracker",
        f"DTSTAMP:{stamp}",
        f"DTSTART;VALUE=DATE:{meeting.earliest:%Y%m%d}",
        f"DTEND;VALUE=DATE:{end:%Y%m%d}",
        f"SUMMARY:{_escape(title)}",
        f"DESCRIPTION:{_escape(chr(10).join(description))}",
        f"STATUS:{status}",
        # A period of days is when it may happen, not time the reader is busy.
        f"TRANSP:{'OPAQUE' if meeting.date_day else 'TRANSPARENT'}",
        f"URL:{page_url}",
        "END:VEVENT",
    ]
    return lines


def calendar(plan, meetings: list[Meeting], *, page_url: str, today=None) -> bytes:
    """The feed of ``meetings`` (with their plan and topics read) as UTF-8 bytes, CRLF lines."""
    today = today or timezone.localdate()
    # DTSTAMP must be UTC; the start of today keeps the feed the same all day (its ETag too),
    # and the phases in the descriptions change by the day.
    midnight = timezone.make_aware(datetime.combine(today, time.min))
    stamp = midnight.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    name = f"{plan.municipality.name} {plan.title} X会議"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape(name)}",
        "X-WR-TIMEZONE:Asia/Tokyo",
    ]
    for meeting in meetings:
        lines += _event(meeting, today, stamp, page_url)
    lines.append("END:VCALENDAR")
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode()
