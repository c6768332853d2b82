"""Update rounds (照会): opening, closing and publishing them.

``open_round``, ``close_round`` and ``publish_round`` are the reform office's actions, checked
against the user's scope and the ``manage_round`` permission; ``open_round_as_system`` and
``publish_round_as_system`` do the same work for the seed loader, the admin's round form,
tests and benchmarks, with no user to check.
"""

from __future__ import annotations

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


@transaction.atomic
def publish_round(*, user, round_id: int, note: str = "") -> Publication:
    """The reform office publishes a round: a new 時点 frozen from its confirmed entries."""
    round_ = _managed_round(user, round_id)
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
    whole rather than published in part.
    """
    round_ = Round.objects.select_for_update().select_related("plan").get(pk=round_.pk)
    entries = Entry.objects.filter(round=round_).select_related(
        "initiative__pillar", "initiative__department"
    )
    _refuse_unready(entries)
    publication = Publication.objects.create(
        round=round_,
        published_at=published_at or timezone.now(),
        published_by=actor,
        note=note,
    )
    _freeze_results(publication, entries)
    _freeze_pillars(publication, round_)
    _mark_published(publication, entries, actor=actor, actor_name=actor_name)
    record(
        HistoryAction.ROUND_PUBLISH,
        actor=actor,
        actor_name=actor_name,
        round=round_,
        publication=publication,
        changes={"results": entries.count()},
    )
    return publication


def _refuse_unready(entries) -> None:
    """Refuses a round with an entry not yet confirmed, or without a result."""
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


def _freeze_results(publication: Publication, entries) -> None:
    """Each entry's result as published, with the initiative's names as they are today."""
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


def _freeze_pillars(publication: Publication, round_: Round) -> None:
    """Each pillar of the plan as published, with its narrative for the round's fiscal year."""
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
