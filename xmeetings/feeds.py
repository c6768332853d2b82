"""What the Atom feeds say about X会議: a meeting once it has been held (marked 開催済, or its
whole date range has passed). Its ``updated`` is the first moment the site can say so: the
start of the day after its last possible day, in the site's time zone (or of its first day
when the office marked it held earlier). A meeting the office added gets an entry of its own when it was added, dated by its history
(evaluations.feeds reads that, and the held meetings: marked 開催済, or 予定 with the whole
date range past). Composed with the publications in evaluations/views/feeds.py.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from reformtracker.display import is_english
from reformtracker.links import cached_reverse
from xmeetings.models import Meeting

FEED_ENTRIES = 50


def _held_since(meeting: Meeting, today) -> datetime:
    day = meeting.latest + timedelta(days=1)
    if day > today:  # marked held before its range ended
        day = meeting.earliest
    return timezone.make_aware(datetime.combine(day, time.min))


def _name(meeting: Meeting) -> str:
    english = is_english()
    return _("%(plan)s 第%(n)d回X会議（%(date)s）") % {
        "plan": (meeting.plan.title_en if english else "") or meeting.plan.title,
        "n": meeting.number,
        "date": meeting.approx_date.label_en() if english else meeting.date_label_ja,
    }


def added_entry(meeting: Meeting, at: datetime) -> dict:
    """The entry of a meeting's listing (``at``: when the office added it, from its history)."""
    name = _name(meeting)
    return {
        "key": f"meeting/{meeting.pk}/added",
        "title": _("%(name)sの予定を掲載しました") % {"name": name},
        "summary": meeting.title or meeting.summary[:200] or name,
        "link": cached_reverse("meeting_list") + f"?plan={meeting.plan.slug}",
        "updated": at,
        "kind": "meeting_added",
    }


def meeting_entry(meeting: Meeting) -> dict:
    """The entry's parts (the feed views build the entry)."""
    today = timezone.localdate()
    name = _name(meeting)
    return {
        "key": f"meeting/{meeting.pk}/held",
        "title": _("%(name)sを開催しました") % {"name": name},
        "summary": meeting.title or meeting.summary[:200] or name,
        "link": cached_reverse("meeting_list") + f"?plan={meeting.plan.slug}",
        "updated": _held_since(meeting, today),
        "kind": "meeting_held",
    }
