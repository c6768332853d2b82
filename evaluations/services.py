"""The only writers of rounds, entries, publications and history.

Each function runs in one transaction and writes its history row together with the change, so a
change without its record (or a record without its change) cannot exist. Views, the admin, bulk
actions, imports and the seed loader all come through here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations.choices import EntryState, RoundKind, RoundState
from evaluations.models import (
    Entry,
    HistoryEvent,
    PillarNarrative,
    Publication,
    PublishedPillar,
    PublishedResult,
    Round,
)
from initiatives.models import Initiative, Plan

ENTRY_FIELDS = ("result", "reason", "narrative")


@dataclass
class Conflict(Exception):
    """Somebody else saved the entry since the editor loaded it."""

    entry: Entry
    their_changes: dict = field(default_factory=dict)

    def __str__(self):
        return _(
            "ほかの人がこの回答を先に更新しました。内容を確認してから、もう一度保存してください。"
        )


def _actor_name(actor) -> str:
    if actor is None:
        return "system"
    return actor.get_full_name() or actor.get_username()


def record(action: str, *, actor=None, actor_name: str = "", **kwargs) -> HistoryEvent:
    """Appends a history row. Call only inside a service function's transaction."""
    return HistoryEvent.objects.create(
        action=action,
        actor=actor,
        actor_name=actor_name or _actor_name(actor),
        **kwargs,
    )


@transaction.atomic
def open_round(
    *,
    plan: Plan,
    fiscal_year: int,
    kind: str = RoundKind.YEAR_END,
    as_of: date,
    due_on: date | None = None,
    actor=None,
    actor_name: str = "",
) -> Round:
    """Opens an update round (照会) with one blank entry per initiative the office tracks."""
    round_ = Round(plan=plan, fiscal_year=fiscal_year, kind=kind, as_of=as_of, due_on=due_on)
    round_.full_clean()
    round_.save()
    initiatives = Initiative.objects.filter(plan=plan, pillar__office_tracks_items=True)
    Entry.objects.bulk_create(Entry(round=round_, initiative=i) for i in initiatives)
    record(
        "round.open",
        actor=actor,
        actor_name=actor_name,
        round=round_,
        changes={"fiscal_year": fiscal_year, "kind": kind, "as_of": as_of.isoformat()},
    )
    return round_


def _field_changes(before: dict, after: dict) -> dict:
    return {
        name: {"before": before[name], "after": after[name]}
        for name in after
        if before.get(name) != after[name]
    }


@transaction.atomic
def update_entry(
    *,
    entry_id: int,
    expected_version: int,
    values: dict,
    actor=None,
    actor_name: str = "",
    state: str | None = None,
    comment: str = "",
    action: str = "entry.update",
) -> Entry:
    """Saves an entry's result, reason and narrative if nobody saved it since ``expected_version``.

    The version check is the UPDATE's own WHERE clause, so two concurrent saves cannot both
    pass it: the loser gets ``Conflict`` with what the winner changed, and nothing is written.
    """
    entry = Entry.objects.select_related("round", "initiative__plan").get(pk=entry_id)
    if entry.round.state != RoundState.OPEN:
        raise ValidationError(_("この照会は締め切られているため、変更できません。"))
    before = {name: getattr(entry, name) for name in ENTRY_FIELDS}
    after = {name: values.get(name, before[name]) for name in ENTRY_FIELDS}
    candidate = Entry(
        pk=entry.pk, round=entry.round, initiative=entry.initiative, state=entry.state, **after
    )
    candidate.full_clean(exclude=["updated_by"], validate_unique=False, validate_constraints=False)
    new_state = state or entry.state
    updated = Entry.objects.filter(pk=entry_id, version=expected_version).update(
        **after,
        state=new_state,
        version=F("version") + 1,
        updated_by=actor,
        updated_at=timezone.now(),
    )
    if not updated:
        entry.refresh_from_db()
        raise Conflict(entry=entry, their_changes=_changes_since(entry, expected_version))
    changes = _field_changes(before, after)
    if new_state != entry.state:
        changes["state"] = {"before": entry.state, "after": new_state}
    entry.refresh_from_db()
    record(
        action,
        actor=actor,
        actor_name=actor_name,
        entry=entry,
        round=entry.round,
        initiative=entry.initiative,
        changes={**changes, "version": entry.version},
        comment=comment,
    )
    return entry


def _changes_since(entry: Entry, version: int) -> dict:
    """What others changed after ``version``, merged oldest to newest, for the conflict message."""
    merged: dict = {}
    events = entry.history.filter(changes__version__gt=version).order_by("at", "id")
    for event in events:
        for name, change in event.changes.items():
            if name == "version":
                continue
            merged.setdefault(name, {"before": change["before"]})["after"] = change["after"]
            merged[name]["by"] = event.actor_name
    return merged


@transaction.atomic
def publish_round(
    *,
    round_: Round,
    actor=None,
    actor_name: str = "",
    published_at: datetime | None = None,
    note: str = "",
) -> Publication:
    """Freezes the round's confirmed entries into a new 時点 the public reads from then on.

    Every entry must be confirmed (確認済) or already published; a half-reviewed round is refused
    whole rather than published in part.
    """
    round_ = Round.objects.select_for_update().select_related("plan").get(pk=round_.pk)
    entries = Entry.objects.filter(round=round_).select_related(
        "initiative__pillar", "initiative__department"
    )
    pending = entries.exclude(state__in=[EntryState.CONFIRMED, EntryState.PUBLISHED]).count()
    if pending:
        raise ValidationError(
            _("確認済になっていない回答が%(count)d件あるため公表できません。") % {"count": pending}
        )
    missing = entries.filter(result="").count()
    if missing:
        raise ValidationError(
            _("評価結果が未入力の回答が%(count)d件あるため公表できません。") % {"count": missing}
        )
    publication = Publication.objects.create(
        round=round_,
        published_at=published_at or timezone.now(),
        published_by=actor,
        note=note,
    )
    PublishedResult.objects.bulk_create(
        PublishedResult(
            publication=publication,
            initiative=e.initiative,
            pillar=e.initiative.pillar,
            department=e.initiative.department,
            code=e.initiative.code,
            order=e.initiative.order,
            title=e.initiative.title,
            department_name=e.initiative.department.name,
            target=e.initiative.target,
            result=e.result,
            reason=e.reason,
            narrative=e.narrative,
            reform_level=e.initiative.reform_level,
        )
        for e in entries
    )
    narratives = {
        n.pillar_id: n
        for n in PillarNarrative.objects.filter(
            pillar__plan=round_.plan, fiscal_year=round_.fiscal_year
        )
    }
    PublishedPillar.objects.bulk_create(
        PublishedPillar(
            publication=publication,
            pillar=pillar,
            order=pillar.order,
            name=pillar.name,
            managed_through=pillar.managed_through,
            office_tracks_items=pillar.office_tracks_items,
            done=getattr(narratives.get(pillar.pk), "done", ""),
            next_steps=getattr(narratives.get(pillar.pk), "next_steps", ""),
        )
        for pillar in round_.plan.pillars.all()
    )
    entries.exclude(state=EntryState.PUBLISHED).update(state=EntryState.PUBLISHED)
    record(
        "round.publish",
        actor=actor,
        actor_name=actor_name,
        round=round_,
        publication=publication,
        changes={"results": entries.count()},
    )
    return publication
