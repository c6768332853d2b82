"""Update rounds (照会): opening, closing and publishing them.

``open_round``, ``close_round`` and ``publish_round`` are the reform office's actions, checked
against the user's scope and the ``manage_round`` permission; ``open_round_as_system`` and
``publish_round_as_system`` do the same work for the seed loader, the admin's round form,
tests and benchmarks, with no user to check.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations.choices import EntryState, HistoryAction, RoundKind, RoundState
from evaluations.models import (
    Entry,
    HistoryEvent,
    PillarNarrative,
    Publication,
    PublishedPillar,
    PublishedResult,
    Round,
)
from evaluations.services.base import name_of, record, require_open
from initiatives.access import manages_plan
from initiatives.models import Initiative, Plan


def _managed_round(user, round_id: int, *, lock: bool = False) -> Round:
    qs = Round.objects.select_related("plan")
    if lock:
        qs = qs.select_for_update()
    round_ = qs.filter(pk=round_id, plan__in=Plan.objects.managed_by(user)).first()
    if round_ is None or not user.has_perm("evaluations.manage_round"):
        raise PermissionDenied(_("この照会を操作する権限がありません。"))
    return round_


# --- opening ------------------------------------------------------------------------------------


@transaction.atomic
def open_round(
    *, user, plan: Plan, fiscal_year: int, kind: str, as_of: date, due_on: date | None
) -> Round:
    """The reform office opens a round (照会) for one of its municipality's plans."""
    if not manages_plan(user, plan):
        raise PermissionDenied(_("この計画の照会を開始する権限がありません。"))
    return open_round_as_system(
        plan=plan, fiscal_year=fiscal_year, kind=kind, as_of=as_of, due_on=due_on, actor=user
    )


@transaction.atomic
def open_round_as_system(
    *,
    plan: Plan,
    fiscal_year: int,
    kind: str = RoundKind.YEAR_END,
    as_of: date,
    due_on: date | None = None,
    actor=None,
    actor_name: str = "",
) -> Round:
    """Opens an update round with one blank entry per initiative the office tracks, without
    asking who may (callers with no user to check, or that checked already)."""
    round_ = Round(plan=plan, fiscal_year=fiscal_year, kind=kind, as_of=as_of, due_on=due_on)
    round_.full_clean()
    round_.save()
    initiatives = Initiative.objects.filter(plan=plan, pillar__office_tracks_items=True)
    Entry.objects.bulk_create(Entry(round=round_, initiative=i) for i in initiatives)
    record(
        HistoryAction.ROUND_OPEN,
        actor=actor,
        actor_name=actor_name,
        round=round_,
        changes={"fiscal_year": fiscal_year, "kind": kind, "as_of": as_of.isoformat()},
    )
    return round_


# --- closing ------------------------------------------------------------------------------------


@transaction.atomic
def close_round(*, user, round_id: int) -> Round:
    """Closes a round: from then on its entries can no longer be edited or moved."""
    round_ = _managed_round(user, round_id, lock=True)
    require_open(round_)
    round_.state = RoundState.CLOSED
    round_.save(update_fields=["state"])
    record(
        HistoryAction.ROUND_CLOSE,
        actor=user,
        round=round_,
        changes={"state": {"before": RoundState.OPEN, "after": RoundState.CLOSED}},
    )
    return round_


# --- publishing ---------------------------------------------------------------------------------


class AlreadyPublished(ValidationError):
    """Nothing changed since the round's latest publication: publishing again would add an
    identical 時点 (two clicks, or two tabs, on 公表). ``publication`` is that latest one."""

    def __init__(self, publication: Publication):
        super().__init__(_("すでに公表済みです。公表後に変更された回答はありません。"))
        self.publication = publication


@transaction.atomic
def publish_round(*, user, round_id: int, note: str = "") -> Publication:
    """The reform office publishes a round: a new 時点 frozen from its confirmed entries."""
    round_ = _managed_round(user, round_id, lock=True)
    return publish_round_as_system(round_=round_, actor=user, note=note)


@transaction.atomic
def publish_round_as_system(
    *,
    round_: Round,
    actor=None,
    actor_name: str = "",
    published_at: datetime | None = None,
    note: str = "",
) -> Publication:
    """Freezes the round's confirmed entries into a new 時点 the public reads from then on,
    without asking who may.

    Every entry must be confirmed (確認済) or already published; a half-reviewed round is refused
    whole rather than published in part. Publishing is idempotent: when the 時点 would hold
    exactly what the round's latest publication holds, AlreadyPublished is raised and nothing
    is written. The round's row is locked first, so of two simultaneous requests the second
    waits for the first and then finds nothing new.
    """
    round_ = Round.objects.select_for_update().select_related("plan").get(pk=round_.pk)
    entries = Entry.objects.filter(round=round_).select_related(
        "initiative__pillar", "initiative__department"
    )
    _refuse_unready(entries)
    results, pillars = _result_rows(entries), _pillar_rows(round_)
    latest = round_.publications.order_by("-published_at", "-id").first()
    if latest is not None and _holds(latest, results, pillars):
        raise AlreadyPublished(latest)
    publication = Publication.objects.create(
        round=round_,
        published_at=published_at or timezone.now(),
        published_by=actor,
        note=note,
    )
    for row in (*results, *pillars):
        row.publication = publication
    PublishedResult.objects.bulk_create(results)
    PublishedPillar.objects.bulk_create(pillars)
    _mark_published(publication, entries, actor=actor, actor_name=actor_name)
    record(
        HistoryAction.ROUND_PUBLISH,
        actor=actor,
        actor_name=actor_name,
        round=round_,
        publication=publication,
        changes={"results": len(results)},
    )
    return publication


def _refuse_unready(entries) -> None:
    """Refuses a round with an entry not yet confirmed, or without a result."""
    pending = entries.not_ready_to_publish().count()
    if pending:
        raise ValidationError(
            _("確認済になっていない回答が%(count)d件あるため公表できません。") % {"count": pending}
        )
    missing = entries.filter(result="").count()
    if missing:
        raise ValidationError(
            _("評価結果が未入力の回答が%(count)d件あるため公表できません。") % {"count": missing}
        )


def _result_rows(entries) -> list[PublishedResult]:
    """Each entry's result as published, with the initiative's names as they are today."""
    return [
        PublishedResult(
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
            provenance=e.initiative.provenance,
        )
        for e in entries
    ]


def _pillar_rows(round_: Round) -> list[PublishedPillar]:
    """Each pillar of the plan as published, with its narrative for the round's fiscal year."""
    narratives = {
        n.pillar_id: n
        for n in PillarNarrative.objects.filter(
            pillar__plan=round_.plan, fiscal_year=round_.fiscal_year
        )
    }
    return [
        PublishedPillar(
            pillar=pillar,
            order=pillar.order,
            name=pillar.name,
            managed_through=pillar.managed_through,
            office_tracks_items=pillar.office_tracks_items,
            done=getattr(narratives.get(pillar.pk), "done", ""),
            next_steps=getattr(narratives.get(pillar.pk), "next_steps", ""),
        )
        for pillar in round_.plan.pillars.all()
    ]


# What a 時点 holds: two publications with equal rows of these fields show the public the same.
_RESULT_FIELDS = (
    "initiative_id",
    "pillar_id",
    "department_id",
    "code",
    "order",
    "title",
    "department_name",
    "target",
    "result",
    "reason",
    "narrative",
    "reform_level",
    "provenance",
)
_PILLAR_FIELDS = (
    "pillar_id",
    "order",
    "name",
    "managed_through",
    "office_tracks_items",
    "done",
    "next_steps",
)


def _holds(publication: Publication, results, pillars) -> bool:
    """Whether ``publication`` holds exactly these result and pillar rows."""

    def rows(objects, fields):
        return Counter(tuple(getattr(o, f) for f in fields) for o in objects)

    return rows(results, _RESULT_FIELDS) == Counter(
        publication.results.values_list(*_RESULT_FIELDS)
    ) and rows(pillars, _PILLAR_FIELDS) == Counter(publication.pillars.values_list(*_PILLAR_FIELDS))


def _mark_published(publication: Publication, entries, *, actor, actor_name: str) -> None:
    """Moves every entry to 公表 with a new version, one history row each.

    Every state change bumps the version, so an editor holding the pre-publication version
    gets a conflict instead of silently editing a published entry."""
    rows = list(entries)
    before = {e.pk: e.state for e in rows}
    entries.update(state=EntryState.PUBLISHED, version=F("version") + 1)
    HistoryEvent.objects.bulk_create(
        HistoryEvent(
            action=HistoryAction.ENTRY_PUBLISH,
            actor=actor,
            actor_name=actor_name or name_of(actor),
            entry=e,
            round=publication.round,
            initiative=e.initiative,
            publication=publication,
            changes={
                **(
                    {"state": {"before": before[e.pk], "after": EntryState.PUBLISHED}}
                    if before[e.pk] != EntryState.PUBLISHED
                    else {}
                ),
                "version": e.version + 1,
            },
        )
        for e in rows
    )
