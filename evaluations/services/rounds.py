"""Update rounds (照会) through the year: opening (the next fiscal year's, with the initiatives
still evaluated carried forward), closing, publishing (which leaves the round 公表済, read-only),
reopening a published round for a correction (its next publication is a 訂正 naming what
changed), and reminding a department of its overdue entries.

``open_round``, ``close_round`` and ``publish_round`` are the reform office's actions, checked
against the user's scope and the ``manage_round`` permission; ``open_round_as_system`` and
``publish_round_as_system`` do the same work for the seed loader, the admin's round form,
tests and benchmarks, with no user to check.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations import indicators, published, reminders, subscriptions
from evaluations.choices import EntryState, HistoryAction, Result, RoundKind, RoundState
from evaluations.models import (
    Entry,
    HistoryEvent,
    PillarNarrative,
    Publication,
    PublishedPillar,
    PublishedResult,
    Round,
)
from evaluations.rates import Summary, summarize
from evaluations.services.base import hold_period, name_of, record, require_open
from initiatives.access import manages_plan
from initiatives.models import Department, Initiative, Plan
from reformtracker.calendar_ja import fiscal_year_end

# An interim round's 時点 unless the office names another: the end of August (8月末).
INTERIM_MONTH, INTERIM_DAY = 8, 31


def default_as_of(fiscal_year: int, kind: str) -> date:
    """The 時点 of a round of ``kind``: 3月31日 for the year end, 8月31日 for an interim one."""
    if kind == RoundKind.INTERIM:
        return date(fiscal_year, INTERIM_MONTH, INTERIM_DAY)
    return fiscal_year_end(fiscal_year)


def next_fiscal_year(plan: Plan) -> int | None:
    """The fiscal year after the plan's latest round (None if it has none)."""
    latest = plan.rounds.order_by("-fiscal_year").values_list("fiscal_year", flat=True).first()
    return None if latest is None else latest + 1


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
    *, user, plan: Plan, fiscal_year: int, kind: str, as_of: date | None, due_on: date | None
) -> Round:
    """The reform office opens a round (照会) for one of its municipality's plans; without an
    ``as_of`` it is the kind's usual 時点 (``default_as_of``)."""
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
    as_of: date | None = None,
    due_on: date | None = None,
    actor=None,
    actor_name: str = "",
) -> Round:
    """Opens an update round with one blank entry per initiative still evaluated
    (``Initiative.objects.evaluable()``: those of a later round carry forward, retired ones
    drop out with their history kept), without asking who may (callers with no user to check,
    or that checked already)."""
    as_of = as_of or default_as_of(fiscal_year, kind)
    # The plan's period as stored now, held until this round is in: a change of the period
    # (plan_edits.edit_plan_period) waits for it, or this waits for that and reads its years.
    # The row is read after the lock, so the round is checked against the committed period.
    hold_period([plan.pk])
    plan = Plan.objects.get(pk=plan.pk)
    round_ = Round(plan=plan, fiscal_year=fiscal_year, kind=kind, as_of=as_of, due_on=due_on)
    round_.full_clean()
    round_.save()
    initiatives = Initiative.objects.filter(plan=plan).evaluable().only("pk")
    created = Entry.objects.bulk_create(Entry(round=round_, initiative=i) for i in initiatives)
    record(
        HistoryAction.ROUND_OPEN,
        actor=actor,
        actor_name=actor_name,
        round=round_,
        changes={
            "fiscal_year": fiscal_year,
            "kind": kind,
            "as_of": as_of.isoformat(),
            "entries": len(created),
        },
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
    and leaves the round 公表済 (read-only), without asking who may.

    Every entry must be confirmed (確認済) or already published; a half-reviewed round is refused
    whole rather than published in part. Publishing is idempotent: a round already 公表済, or
    whose 時点 would hold exactly what its latest publication holds, raises AlreadyPublished
    and nothing is written. The round's row is locked first, so of two simultaneous requests the
    second waits for the first and then finds nothing new.

    A round published before (and reopened for a correction) is published as a 訂正: the new
    publication names the one it corrects and which items' results changed, before → after.
    """
    round_ = Round.objects.select_for_update().select_related("plan").get(pk=round_.pk)
    latest = round_.publications.order_by("-published_at", "-id").first()
    if round_.state == RoundState.PUBLISHED and latest is not None:
        raise AlreadyPublished(latest)
    entries = Entry.objects.filter(round=round_).select_related(
        "initiative__pillar", "initiative__department"
    )
    _refuse_unready(entries)
    results, pillars = _result_rows(entries), _pillar_rows(round_)
    if latest is not None and _holds(latest, results, pillars) and indicators.holds(latest, round_):
        raise AlreadyPublished(latest)
    corrections = result_changes(latest, results) if latest is not None else []
    publication = Publication.objects.create(
        round=round_,
        published_at=published_at or timezone.now(),
        published_by=actor,
        note=note,
        corrects=latest,
        corrections=corrections,
    )
    for row in (*results, *pillars):
        row.publication = publication
    PublishedResult.objects.bulk_create(results)
    PublishedPillar.objects.bulk_create(pillars)
    indicators.freeze(publication, round_)
    _mark_published(publication, entries, actor=actor, actor_name=actor_name)
    state_before = round_.state
    round_.state = RoundState.PUBLISHED
    round_.save(update_fields=["state"])
    changes = {
        "results": len(results),
        "state": {"before": state_before, "after": RoundState.PUBLISHED},
    }
    if latest is not None:
        changes["corrections"] = corrections
    record(
        HistoryAction.ROUND_PUBLISH,
        actor=actor,
        actor_name=actor_name,
        round=round_,
        publication=publication,
        changes=changes,
        comment=correction_text(corrections) if latest is not None else "",
    )
    # Every app server's public pages show it from their next request (public_cache).
    transaction.on_commit(published.announce_publications)
    # Subscribers hear of it from the worker, once the 時点 is committed (and never if not).
    subscriptions.enqueue_publication_mail(publication)
    return publication


def result_changes(previous: Publication, results: list[PublishedResult]) -> list[dict]:
    """Which items' results differ from ``previous``: {"code", "title", "before", "after"}
    with the result codes ("" for an item only one side holds), in the items' order."""
    before = {
        initiative_id: (code, title, result)
        for initiative_id, code, title, result in previous.results.values_list(
            "initiative_id", "code", "title", "result"
        )
    }
    changes = []
    for row in sorted(results, key=lambda r: (r.pillar.order, r.order, r.code)):
        old = before.pop(row.initiative_id, None)
        if old is None or old[2] != row.result:
            changes.append(
                {
                    "code": row.code,
                    "title": row.title,
                    "before": old[2] if old else "",
                    "after": row.result,
                }
            )
    for code, title, result in sorted(before.values()):
        changes.append({"code": code, "title": title, "before": result, "after": ""})
    return changes


def correction_text(corrections: list[dict]) -> str:
    """A 訂正 in words, for its history row: 「訂正：1-1 取組名 達成→未達成」, or that no
    result changed (a narrative or a name did)."""
    if not corrections:
        return _("訂正：評価結果の変更はありません（進捗状況などの記述を訂正）。")
    items = "、".join(
        f"{c['code']} {c['title']} {result_label(c['before'])}→{result_label(c['after'])}"
        for c in corrections
    )
    return _("訂正：%(items)s") % {"items": items}


def result_label(code: str) -> str:
    return str(Result(code).label) if code else "—"


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
    """Each pillar of the plan as published, with its narrative of the round's 時点 (its fiscal
    year and point: an interim round takes the interim narrative, a year-end round the
    year-end one)."""
    narratives = {
        n.pillar_id: n
        for n in PillarNarrative.objects.filter(
            pillar__plan=round_.plan, fiscal_year=round_.fiscal_year, kind=round_.kind
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


# --- correcting a published round ---------------------------------------------------------------


@transaction.atomic
def reopen_round(*, user, round_id: int, reason: str) -> Round:
    """The reform office reopens a published (公表済) round to correct it: its entries can be
    returned and edited again, and its next publication is a 訂正. The public keeps reading the
    published 時点 until then."""
    round_ = _managed_round(user, round_id, lock=True)
    reason = (reason or "").strip()
    if round_.state != RoundState.PUBLISHED:
        raise ValidationError(_("公表済の照会だけを訂正のため再開できます。"))
    if not reason:
        raise ValidationError({"reason": _("訂正の理由を入力してください。")})
    round_.state = RoundState.OPEN
    round_.save(update_fields=["state"])
    record(
        HistoryAction.ROUND_REOPEN,
        actor=user,
        round=round_,
        changes={"state": {"before": RoundState.PUBLISHED, "after": RoundState.OPEN}},
        comment=reason,
    )
    return round_


# --- what publishing would show --------------------------------------------------------------------


@dataclass
class PublishPreview:
    """What 公表 would make public, for the confirmation page: the figures (``summarize``), the
    items with their results, what changes against the current publication, and what keeps
    the round from being published."""

    round: Round
    summary: Summary
    entries: list
    current: Publication | None
    changes: list[dict]
    problems: list[str]

    @property
    def publishable(self) -> bool:
        return not self.problems

    @property
    def is_correction(self) -> bool:
        """Publishing now would correct an earlier publication of this round."""
        return self.current is not None and self.round.state != RoundState.PUBLISHED


def publish_preview(round_: Round) -> PublishPreview:
    """Reads, writes nothing: the round's entries as they would be published."""
    entries = Entry.objects.filter(round=round_).select_related(
        "initiative__pillar", "initiative__department"
    )
    current = round_.publications.order_by("-published_at", "-id").first()
    problems = []
    if round_.state == RoundState.PUBLISHED:
        problems.append(str(AlreadyPublished(current).messages[0]) if current else "")
    try:
        _refuse_unready(entries)
    except ValidationError as exc:
        problems += exc.messages
    rows = list(entries.order_by("initiative__pillar__order", "initiative__order"))
    changes = result_changes(current, _result_rows(rows)) if current is not None else []
    return PublishPreview(
        round=round_,
        summary=summarize(entries),
        entries=rows,
        current=current,
        changes=[
            {
                **c,
                "before_label": result_label(c["before"]),
                "after_label": result_label(c["after"]),
            }
            for c in changes
        ],
        problems=[p for p in problems if p],
    )


# --- reminding ------------------------------------------------------------------------------------


@transaction.atomic
def send_reminder(*, user, round_id: int, department_id: int, today: date) -> int:
    """The reform office mails one department its overdue entries of a round, with a link to
    each; recorded in the round's history. How many entries it named."""
    round_ = _managed_round(user, round_id)
    department = Department.objects.filter(
        pk=department_id, municipality_id=round_.plan.municipality_id
    ).first()
    if department is None:
        raise PermissionDenied(_("この所属に督促する権限がありません。"))
    entries = list(
        reminders.overdue_entries(today, round_).filter(initiative__department=department)
    )
    if not entries:
        raise ValidationError(
            _("%(department)sに提出期限を過ぎた回答はありません。")
            % {"department": department.name}
        )
    recipients = reminders.recipients_of(department)
    if not recipients:
        raise ValidationError(
            _("%(department)sにはメールアドレスのある職員がいないため、督促できません。")
            % {"department": department.name}
        )
    subject, body = reminders.compose(department, entries)
    record(
        HistoryAction.ROUND_REMIND,
        actor=user,
        round=round_,
        subject_type="department",
        subject_id=department.pk,
        subject_repr=department.name,
        changes={"entries": len(entries), "recipients": len(recipients)},
    )
    send_mail(subject, body, None, recipients)
    return len(entries)
