"""Reading the change history for people: labels for actions, fields and values.

Staff in scope see every event of an initiative, edits of the initiative itself in the admin
included; the public sees its published versions only (one per publication, with what changed
since the previous publication of the same 時点).

Master-data edits (title, target, 所管, …) are not listed for the public, although the data is
public: the page already shows the current values, each publication keeps the names and target
as they were, and the public page stays a function of the published snapshots (docs/architecture.md,
"Public pages cache exactly by publication").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from evaluations import labels
from evaluations.choices import EntryState, HistoryAction, Result
from evaluations.models import Entry, HistoryEvent, PublishedResult
from initiatives.models import Initiative, Pillar, Plan
from reformtracker.display import language, wareki_or_iso

# Which model's fields an event's changes name, by the action's prefix.
MODELS = {"initiative": Initiative, "plan": Plan, "pillar": Pillar}

EXTRA_FIELD_LABELS = {"state": _("状態"), "evidence": _("根拠資料")}
PUBLISHED_FIELDS = ("result", "reason", "narrative")


def field_label(name: str, model=Entry) -> str:
    if model is Entry and name in EXTRA_FIELD_LABELS:
        return str(EXTRA_FIELD_LABELS[name])
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:
        return name


def value_label(name: str, value, model=Entry) -> str:
    if value in (None, ""):
        return "—"
    if model is Entry:
        if name == "state" and value in EntryState.values:
            return str(EntryState(value).label)
        if name == "result" and value in Result.values:
            return str(Result(value).label)
        return str(value)
    if value is True or value is False:
        return str(_("はい") if value else _("いいえ"))
    try:
        field = model._meta.get_field(name)
    except Exception:
        return str(value)
    if isinstance(field, models.DateField) and isinstance(value, str):
        return _date_label(field, value)
    return str(dict(getattr(field, "flatchoices", ())).get(value, value))


def _date_label(field, value: str) -> str:
    """A date or timestamp history keeps as text (2024-03-01, 2026-11-26 01:09:00+00:00) the way
    every page writes one: 和暦 in Japanese, ISO in English."""
    try:
        if isinstance(field, models.DateTimeField):
            return wareki_or_iso(datetime.fromisoformat(value))
        return wareki_or_iso(date.fromisoformat(value))
    except ValueError:
        return value


@dataclass
class Change:
    field: str
    label: str
    before: str
    after: str


def changes_of(changes: dict, model=Entry) -> list[Change]:
    return [
        Change(
            name,
            field_label(name, model),
            value_label(name, c.get("before"), model),
            value_label(name, c.get("after"), model),
        )
        for name, c in changes.items()
        if isinstance(c, dict) and "after" in c
    ]


@dataclass
class Row:
    at: object
    actor: str
    action: str
    round_label: str
    version: int | None
    comment: str
    changes: list[Change]
    # A new 時点's first publication is compared with the 時点 published before it (its label);
    # a correction with the earlier publication of the same 時点 ("").
    compared_with: str = ""

    def markup_key(self, show_actor: bool) -> tuple:
        """Everything the row's markup (``_history_table.html#row``) shows: its values, the
        language of the page (its labels, 和暦 or ISO dates, lang attributes) and whether the
        actor's column is there. A history row never changes once written, and its values are
        read afresh for every page, so markup kept under this key is never stale."""
        return (
            language(),
            bool(show_actor),
            self.at,
            self.actor,
            self.action,
            self.round_label,
            self.version,
            self.comment,
            self.compared_with,
            tuple((c.field, c.label, c.before, c.after) for c in self.changes),
        )


def _action_label(action: str) -> str:
    """HistoryAction's label for ``action`` (the value itself when no longer a choice), as
    ``get_action_display`` gives it: that builds a dict of every choice, hashing each lazy
    label, on each call, which cost a staff entry page about a millisecond."""
    try:
        return str(HistoryAction(action).label)
    except ValueError:
        return action


def staff_row(event: HistoryEvent) -> Row:
    """One event as staff read it (no query when ``event.round`` is loaded or None)."""
    return Row(
        at=event.at,
        actor=event.actor_name,
        action=_action_label(event.action),
        round_label=labels.asof(event.round) if event.round_id else "",
        version=event.changes.get("version"),
        comment=event.comment,
        changes=changes_of(event.changes, MODELS.get(event.action.partition(".")[0], Entry)),
    )


def staff_rows(initiative, limit: int | None = None) -> list[Row]:
    """The initiative's history events, newest first (one query); ``limit`` keeps the newest."""
    events = HistoryEvent.objects.filter(initiative=initiative).select_related("round")
    if limit is not None:
        events = events[:limit]
    return [staff_row(e) for e in events]


def public_rows(initiative) -> list[Row]:
    """Each published version of the initiative, newest first, with what changed since the
    previous publication of the same 時点 (a correction) — from snapshots only."""
    results = list(
        PublishedResult.objects.filter(initiative=initiative)
        .select_related("publication__round")
        .order_by("publication__published_at", "publication_id")
    )
    previous: dict[int, PublishedResult] = {}
    last: PublishedResult | None = None  # the newest row of an earlier 時点
    rows = []
    for r in results:
        before = previous.get(r.publication.round_id)
        # A new 時点 is compared with the one published before it (「達成 → 未達成」), not with
        # nothing (「— → 未達成」); a correction with the same 時点's earlier publication.
        base = before if before is not None else last
        changes = [
            Change(
                name,
                field_label(name),
                value_label(name, getattr(base, name) if base else ""),
                value_label(name, getattr(r, name)),
            )
            for name in PUBLISHED_FIELDS
            if base is None
            or getattr(base, name) != getattr(r, name)
            or (before is None and name == "result")  # a new 時点 always states its result
        ]
        previous[r.publication.round_id] = r
        rows.append(
            Row(
                at=r.publication.published_at,
                actor="",
                action=str(_("公表")) if before is None else str(_("公表（訂正）")),
                round_label=r.publication.round.as_of_label_ja,
                version=None,
                comment="",
                changes=changes,
                compared_with=last.publication.round.as_of_label_ja
                if before is None and last is not None
                else "",
            )
        )
        if last is None or (r.publication.round.as_of, r.publication.published_at) >= (
            last.publication.round.as_of,
            last.publication.published_at,
        ):
            last = r
    rows.reverse()
    return rows
