"""The versions the office's meeting forms carry, so that no save overwrites another
unseen, as on the office's other edit pages (evaluations.services.plan_edits).

The meeting's own fields have one digest (``meeting_token``: its details, 開催済, deletion); its
議題, its 資料 and its linked initiatives each have one of their own (``section_token``), so
adding a topic does not refuse someone editing the meeting's title. A section token lists each
row's id with a short digest of that row's fields, which lets a refusal say what changed:
added, changed, removed (``SectionStale.changes``). The checks are called by
evaluations.services.meetings with the meeting's row locked.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from evaluations.choices import HistoryAction
from evaluations.masterdata import snapshot
from evaluations.models import HistoryEvent
from evaluations.services.plan_edits import Stale
from initiatives.models import Initiative
from xmeetings.models import Meeting

# What each section's token digests per row: the row's own fields, not its meeting's (whose
# name a topic's history snapshot carries), so editing the meeting leaves the sections' tokens.
SECTION_FIELDS = {
    "topics": ("order", "name"),
    "materials": ("order", "title", "url", "file_path", "is_public"),
    "links": (),
}
SECTIONS = tuple(SECTION_FIELDS)


@dataclass
class SectionStale(Stale):
    """Somebody changed the meeting's topics, materials or links after the editor loaded them:
    ``changes`` lists what, as (kind, name) with kind "added", "changed" or "removed"."""

    changes: list = field(default_factory=list)


def _digest(value, size: int) -> str:
    raw = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()[:size]


def meeting_token(meeting: Meeting) -> str:
    """A digest of the meeting's own fields as history records them (not its links)."""
    values = snapshot(meeting)
    values.pop("initiatives", None)
    return _digest(values, 32)


def _section_rows(meeting: Meeting, section: str) -> list[tuple[str, str, str]]:
    """(id, digest, name) of each row of a section, in the page's order."""
    if section == "links":
        return [
            (str(i.pk), "", str(i)) for i in meeting.initiatives.order_by("order", "code", "pk")
        ]
    rows = meeting.topics if section == "topics" else meeting.materials
    names = SECTION_FIELDS[section]
    return [
        (str(row.pk), _digest([getattr(row, n) for n in names], 10), str(row))
        for row in rows.order_by("order", "pk")
    ]


def _token_of(section: str, rows) -> str:
    return ";".join([section, *(f"{pk}:{digest}" for pk, digest, _name in rows)])


def section_token(meeting: Meeting, section: str) -> str:
    """A section's version as the editor sees it: ``topics;12:ab…;15:cd…`` (never empty, and a
    topics token is no materials token)."""
    return _token_of(section, _section_rows(meeting, section))


def _removed_names(section: str, ids: list[int]) -> dict[int, str]:
    """Names of rows gone since the editor loaded the page: a link's initiative as it is, a
    deleted topic or material as its deletion's history row recorded it."""
    if not ids:
        return {}
    if section == "links":
        return {i.pk: str(i) for i in Initiative.objects.filter(pk__in=ids)}
    action, name = {
        "topics": (HistoryAction.MEETINGTOPIC_DELETE, "name"),
        "materials": (HistoryAction.MEETINGMATERIAL_DELETE, "title"),
    }[section]
    events = HistoryEvent.objects.filter(action=action, subject_id__in=ids)
    return {e.subject_id: e.changes.get(name, {}).get("before", "") for e in events}


def section_changes(section: str, seen: str, rows) -> list[tuple[str, str]]:
    """What differs between the token the editor sent and the section's rows now."""
    # The token came back from the browser: only ids that can be ids (a bigint) are looked up.
    before = dict(
        part.split(":", 1)
        for part in seen.split(";")[1:]
        if ":" in part and part.split(":", 1)[0].isdigit() and len(part.split(":", 1)[0]) <= 18
    )
    now = {pk: (digest, name) for pk, digest, name in rows}
    changes = [("added", name) for pk, (_d, name) in now.items() if pk not in before]
    changes += [
        ("changed", name) for pk, (d, name) in now.items() if pk in before and before[pk] != d
    ]
    gone = [int(pk) for pk in before if pk not in now]
    names = _removed_names(section, gone)
    changes += [("removed", names.get(pk) or "—") for pk in gone]
    return changes


def check_meeting(meeting: Meeting, token: str | None) -> None:
    """Refuses (Stale) a change of the meeting whose form saw other fields than are stored."""
    if token is not None and token != meeting_token(meeting):
        raise Stale(obj=meeting, current=snapshot(meeting))


def check_section(meeting: Meeting, section: str, token: str | None) -> None:
    """Called with the meeting's row locked: the section cannot change until the commit."""
    if token is None:
        return
    rows = _section_rows(meeting, section)
    if token != _token_of(section, rows):
        raise SectionStale(obj=meeting, changes=section_changes(section, token, rows))
