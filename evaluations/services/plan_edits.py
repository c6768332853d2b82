"""The reform office's edits of its own plan, made in its office pages (/office/plans/<slug>/):
the plan's summary, source and contact; plan notes; pillars and their narratives per 時点;
initiatives (add, edit, move between pillars, retire, delete while unevaluated); the schedule
grid's rows and activities (and, at the end, what the admin was last needed for).

One function per change, each permission-checked (the reform office of the plan's municipality:
``Plan.objects.managed_by``; anyone else gets PermissionDenied and nothing is written), in one
transaction that locks the row, checks that nobody changed it since the editor loaded it, saves
it and appends its HistoryEvent with every changed field before → after.

No lost update without a version column on every master-data model: the form carries
``edit_token(obj)``, a digest of every field as the editor saw it (the same fields history
records). The service recomputes it from the row it has locked; if another save came between,
the digests differ and the change is refused with ``Stale`` (409), whoever saved first wins.

What the public sees of these edits, and when: master data is live (plan notes, names,
descriptions, the schedule, a retirement), so it shows on the public pages from the next request
after the edit commits (its history row counts in MasterDataVersion, which the publication
fingerprint carries: evaluations.services.base.record); published results and the narratives and
names frozen with them change only by publishing again (evaluations.services.rounds), never by an
edit here.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from evaluations import masterdata
from evaluations.choices import HistoryAction, RoundKind
from evaluations.masterdata import snapshot
from evaluations.models import (
    Entry,
    PillarNarrative,
    PublishedPillar,
    PublishedResult,
    Round,
)
from evaluations.services.base import hold_period, record
from initiatives.models import AnalysisCluster, Initiative, Pillar, Plan, PlanNote
from reformtracker.display import nendo
from xmeetings.models import Meeting, Schedule, ScheduleActivity, ScheduleLane

# Which fields each change may write; anything else in ``values`` is ignored.
PLAN_FIELDS = ("subtitle", "summary", "source_title", "source_url", "contact")
PERIOD_FIELDS = (
    "title",
    "title_en",
    "start_fiscal_year",
    "end_fiscal_year",
    "adopted_on",
    "adopted_precision",
)
CLUSTER_FIELDS = ("fiscal_year", "code", "name")
NOTE_FIELDS = ("fiscal_year", "kind", "title", "body")
PILLAR_FIELDS = (
    "order",
    "name",
    "name_en",
    "kind",
    "description",
    "managed_through",
    "managing_department",
    "office_tracks_items",
)
NARRATIVE_FIELDS = ("done", "next_steps", "cluster_count")
INITIATIVE_FIELDS = (
    "title",
    "title_en",
    "order",
    "department",
    "target",
    "description",
    "evaluation_timing",
    "first_evaluated_fiscal_year",
    "reform_level",
    "cluster",
)
NEW_INITIATIVE_FIELDS = ("code", "pillar", *INITIATIVE_FIELDS)
SCHEDULE_FIELDS = ("fiscal_year", "title", "first_month", "open_ended_from")
LANE_FIELDS = ("order", "name", "pillar", "shows_meetings")
ACTIVITY_FIELDS = ("order", "label", "start_month", "end_month", "milestone_on", "milestone_note")

# How each model reaches its plan, for the permission check made on the locked row.
PLAN_PATH = {
    Plan: "pk",
    PlanNote: "plan",
    Pillar: "plan",
    PillarNarrative: "pillar__plan",
    Initiative: "plan",
    AnalysisCluster: "plan",
    Schedule: "plan",
    ScheduleLane: "schedule__plan",
    ScheduleActivity: "lane__schedule__plan",
}


@dataclass
class Stale(Exception):
    """Somebody saved the object after the editor loaded it; nothing was written."""

    obj: models.Model
    current: dict = field(default_factory=dict)

    def __str__(self):
        return _(
            "ほかの人がこの内容を先に更新しました。現在の内容を確認してから、もう一度保存してください。"
        )


def edit_token(obj) -> str:
    """A digest of every field of ``obj`` as history records it: the form sends it back, and
    a save is refused when the stored row no longer has it. "" for an object not yet saved."""
    if obj is None or obj.pk is None:
        return ""
    return _digest(snapshot(obj))


def _digest(fields: dict) -> str:
    raw = json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def _refuse() -> PermissionDenied:
    return PermissionDenied(_("この計画を編集できるのは、計画の自治体の市政改革室だけです。"))


def _managed(user) -> models.QuerySet:
    return Plan.objects.managed_by(user).values("pk")


def _locked(model, pk: int, user):
    """The object, locked until the transaction ends, if ``user`` is the reform office of its
    plan; PermissionDenied otherwise (the views have answered 404/403 before coming here)."""
    path = PLAN_PATH[model]
    lookup = {"pk__in": _managed(user)} if path == "pk" else {f"{path}__in": _managed(user)}
    obj = model._base_manager.select_for_update(of=("self",)).filter(pk=pk, **lookup).first()
    if obj is None:
        raise _refuse()
    return obj


def _unchanged(model, pk: int, token: str, user):
    """The object locked (``_locked``), if it is still as the editor loaded it: its edit_token
    is ``token``; otherwise Stale with the fields as stored, and nothing is written."""
    obj = _locked(model, pk, user)
    stored = snapshot(obj)
    if token != _digest(stored):
        raise Stale(obj=obj, current=stored)
    return obj


def _plan(user, plan_id: int) -> Plan:
    return _locked(Plan, plan_id, user)


def _subject(obj) -> dict:
    subject = {
        "subject_type": obj._meta.label_lower,
        "subject_id": obj.pk,
        "subject_repr": str(obj)[:300],
    }
    if isinstance(obj, Initiative):
        subject["initiative_id"] = obj.pk
    return subject


def _diff(before: dict | None, after: dict) -> dict:
    if before is None:
        return {k: {"before": "", "after": v} for k, v in after.items() if v not in ("", [])}
    return {
        k: {"before": before.get(k, ""), "after": v}
        for k, v in after.items()
        if before.get(k, "") != v
    }


def _write(obj, before: dict | None, *, user, action: HistoryAction, comment: str = "") -> dict:
    """Validates and saves ``obj`` and records what changed (no row when nothing did)."""
    obj.full_clean()
    obj.save()
    changes = _diff(before, snapshot(obj))
    if changes:
        obj.recorded_event = record(
            action, actor=user, changes=changes, comment=comment, **_subject(obj)
        )
    return changes


def _action(obj, verb: str) -> HistoryAction:
    return HistoryAction(f"{obj._meta.model_name}.{verb}")


# Rows whose 年度 must lie within the plan's period, and the path from each to its plan's id.
DATED = {
    Initiative: ("first_evaluated_fiscal_year", "plan_id"),
    PillarNarrative: ("fiscal_year", "pillar__plan_id"),
    AnalysisCluster: ("fiscal_year", "plan_id"),
}


def _update(model, pk: int, token: str, values: dict, fields, *, user, action=None, comment=""):
    """The common edit: lock, check the token, set ``fields`` from ``values``, save, record."""
    dated = DATED.get(model)
    if dated and dated[0] in fields and dated[0] in values:
        hold_period(model._base_manager.filter(pk=pk).values(dated[1])[:1])
    obj = _unchanged(model, pk, token, user)
    before = snapshot(obj)
    for name in fields:
        if name not in values:
            continue
        if values[name] is None and not obj._meta.get_field(name).null:
            continue  # left blank in a form where blank means "as it is" (an order)
        setattr(obj, name, values[name])
    _write(obj, before, user=user, action=action or _action(obj, "change"), comment=comment)
    return obj


def _create(obj, *, user):
    _write(obj, None, user=user, action=_action(obj, "create"))
    return obj


def _delete(model, pk: int, token: str, *, user):
    """Deletes after the token check; every field (and every row deleted with it) is recorded
    by evaluations.masterdata.delete, so no text is lost."""
    obj = _unchanged(model, pk, token, user)
    masterdata.delete(obj, actor=user)
    return obj


def _swap(obj, siblings, field: str, direction: str, parking):
    """Swaps ``obj``'s ``field`` with its neighbour's among ``siblings`` (``up``: the one
    before it, ``down``: the one after) and returns that neighbour; None at the end of the
    list, where nothing moves. A unique constraint on ``field`` is checked per statement, so
    ``obj`` waits on a free value, ``parking()``, while the neighbour takes its place."""
    if direction == "up":
        lookup, order = f"{field}__lt", f"-{field}"
    elif direction == "down":
        lookup, order = f"{field}__gt", field
    else:
        raise ValueError(direction)
    mine = getattr(obj, field)
    other = siblings.filter(**{lookup: mine}).order_by(order).first()
    if other is None:
        return None
    theirs = getattr(other, field)
    rows = type(obj).objects
    rows.filter(pk=obj.pk).update(**{field: parking()})
    rows.filter(pk=other.pk).update(**{field: mine})
    rows.filter(pk=obj.pk).update(**{field: theirs})
    setattr(obj, field, theirs)
    return other


def _pick(values: dict, fields) -> dict:
    return {name: values[name] for name in fields if name in values}


# --- the plan ------------------------------------------------------------------------------------


@transaction.atomic
def edit_plan(*, user, plan_id: int, token: str, values: dict) -> Plan:
    """The plan's subtitle, summary, source (title and URL) and 問合せ先."""
    return _update(Plan, plan_id, token, values, PLAN_FIELDS, user=user)


# --- plan notes ----------------------------------------------------------------------------------


@transaction.atomic
def add_note(*, user, plan_id: int, values: dict) -> PlanNote:
    """A new passage of the plan's review (成果, 振り返り, 課題, 進め方), last of its 年度 and kind."""
    plan = _plan(user, plan_id)
    values = _pick(values, NOTE_FIELDS)
    last = PlanNote.objects.filter(
        plan=plan, fiscal_year=values.get("fiscal_year"), kind=values.get("kind")
    ).aggregate(m=Max("order"))["m"]
    return _create(PlanNote(plan=plan, order=(last or 0) + 1, **values), user=user)


@transaction.atomic
def edit_note(*, user, note_id: int, token: str, values: dict) -> PlanNote:
    return _update(PlanNote, note_id, token, values, ("title", "body"), user=user)


@transaction.atomic
def move_note(*, user, note_id: int, token: str, direction: str) -> PlanNote:
    """Swaps the note with its neighbour (``up``/``down``) among the notes of its 年度 and kind;
    at the end of the list nothing moves. Both orders are recorded in one history row."""
    note = _unchanged(PlanNote, note_id, token, user)
    siblings = PlanNote.objects.select_for_update().filter(
        plan_id=note.plan_id, fiscal_year=note.fiscal_year, kind=note.kind
    )
    mine = note.order
    # Free under the unique (plan, 年度, kind, order) constraint: one past the last order.
    other = _swap(
        note,
        siblings,
        "order",
        direction,
        lambda: (siblings.aggregate(m=Max("order"))["m"] or 0) + 1,
    )
    if other is not None:
        note.recorded_event = record(
            HistoryAction.PLANNOTE_REORDER,
            actor=user,
            changes={"order": {"before": mine, "after": note.order}},
            comment=_("「%(other)s」と入れ替え") % {"other": other.title or other.body[:40]},
            **_subject(note),
        )
    return note


@transaction.atomic
def delete_note(*, user, note_id: int, token: str) -> PlanNote:
    return _delete(PlanNote, note_id, token, user=user)


# --- pillars and their narratives ----------------------------------------------------------------


@transaction.atomic
def add_pillar(*, user, plan_id: int, values: dict) -> Pillar:
    """A new pillar of the plan (取組方針 or 手法の柱); its number must be free."""
    plan = _plan(user, plan_id)
    return _create(Pillar(plan=plan, **_pick(values, PILLAR_FIELDS)), user=user)


@transaction.atomic
def edit_pillar(*, user, pillar_id: int, token: str, values: dict) -> Pillar:
    """A pillar's number, name, kind (取組方針 / 手法の柱), description and 進捗管理の枠組み.
    Published 時点 keep the name they were published with (PublishedPillar)."""
    return _update(Pillar, pillar_id, token, values, PILLAR_FIELDS, user=user)


@transaction.atomic
def save_narrative(
    *,
    user,
    pillar_id: int,
    fiscal_year: int,
    token: str,
    values: dict,
    kind: str = RoundKind.YEAR_END,
) -> PillarNarrative:
    """A pillar's 取組状況 and 今後の方向性 as of one 時点 (``fiscal_year`` and ``kind``: its
    年度末, or its 中間 for the interim round): created if that 時点 has none, edited otherwise.
    Other 時点' narratives are separate rows and stay as they are. ``token`` is "" for a 時点
    the editor saw without a narrative (two offices creating it at once: Stale)."""
    kind = RoundKind(kind)
    # Plan first, as every write of a 年度 does: a period change cannot slip in between.
    hold_period(Pillar.objects.filter(pk=pillar_id).values("plan_id")[:1])
    pillar = _locked(Pillar, pillar_id, user)
    narrative = (
        PillarNarrative.objects.select_for_update()
        .filter(pillar=pillar, fiscal_year=fiscal_year, kind=kind)
        .first()
    )
    if narrative is None:
        if token:
            raise Stale(obj=PillarNarrative(pillar=pillar, fiscal_year=fiscal_year, kind=kind))
        narrative = PillarNarrative(
            pillar=pillar, fiscal_year=fiscal_year, kind=kind, **_pick(values, NARRATIVE_FIELDS)
        )
        return _create(narrative, user=user)
    return _update(PillarNarrative, narrative.pk, token, values, NARRATIVE_FIELDS, user=user)


# --- initiatives ---------------------------------------------------------------------------------


def evaluation_count(initiative_id: int) -> int:
    """How many evaluation records an initiative has: its entries in rounds and its published
    results. One or more: it can be retired, never deleted."""
    return (
        Entry.objects.filter(initiative_id=initiative_id).count()
        + PublishedResult.objects.filter(initiative_id=initiative_id).count()
    )


@transaction.atomic
def add_initiative(*, user, plan_id: int, values: dict) -> Initiative:
    """A new 取組項目 under a pillar of the plan, owned by a department of its municipality.
    It has no entry until a round asks about it."""
    plan = _plan(user, plan_id)
    return _create(Initiative(plan=plan, **_pick(values, NEW_INITIATIVE_FIELDS)), user=user)


@transaction.atomic
def edit_initiative(*, user, initiative_id: int, token: str, values: dict) -> Initiative:
    """Renames (title, title_en) and edits target, 取組内容, 所管, 評価時期 and 改革レベル.
    Published 時点 keep the title, 所管 and target they were published with."""
    return _update(Initiative, initiative_id, token, values, INITIATIVE_FIELDS, user=user)


@transaction.atomic
def move_initiative(*, user, initiative_id: int, token: str, pillar_id: int) -> Initiative:
    """Moves the item under another pillar of the same plan. Published results keep the pillar
    they were published under."""
    initiative = _locked(Initiative, initiative_id, user)
    pillar = Pillar.objects.filter(pk=pillar_id, plan_id=initiative.plan_id).first()
    if pillar is None:
        raise ValidationError({"pillar": _("柱は同じ計画のものを選んでください。")})
    return _update(
        Initiative,
        initiative_id,
        token,
        {"pillar": pillar},
        ("pillar",),
        user=user,
        action=HistoryAction.INITIATIVE_MOVE,
    )


@transaction.atomic
def retire_initiative(*, user, initiative_id: int, token: str, reason: str, on=None) -> Initiative:
    """Retires (廃止) the item with its reason: it keeps its entries, published results and
    history, drops out of the rounds opened after (``Initiative.objects.active()``), and public
    lists show it as 「廃止（理由）」."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("廃止の理由を入力してください。")})
    initiative = _locked(Initiative, initiative_id, user)
    if initiative.retired_on is not None:
        raise ValidationError(_("この取組項目は既に廃止されています。"))
    return _update(
        Initiative,
        initiative_id,
        token,
        {"retired_on": on or timezone.localdate(), "retired_reason": reason},
        ("retired_on", "retired_reason"),
        user=user,
        action=HistoryAction.INITIATIVE_RETIRE,
    )


@transaction.atomic
def delete_initiative(*, user, initiative_id: int, token: str) -> Initiative:
    """Deletes an item that was never evaluated (no entry, no published result): one entered
    by mistake. An evaluated one is refused with a Japanese message: retire it instead. The
    database refuses it too (entries and published results PROTECT their initiative)."""
    initiative = _locked(Initiative, initiative_id, user)
    count = evaluation_count(initiative.pk)
    if count:
        raise ValidationError(
            _(
                "「%(title)s」には評価の記録（照会の回答・公表済みの結果 %(count)d件）があるため"
                "削除できません。取組をやめる場合は、理由を入力して「廃止」してください。"
            )
            % {"title": initiative.title, "count": count}
        )
    return _delete(Initiative, initiative_id, token, user=user)


# --- the schedule grid ---------------------------------------------------------------------------


@transaction.atomic
def add_schedule(*, user, plan_id: int, values: dict) -> Schedule:
    """A 年度's schedule grid (its rows are added next)."""
    plan = _plan(user, plan_id)
    return _create(Schedule(plan=plan, **_pick(values, SCHEDULE_FIELDS)), user=user)


@transaction.atomic
def edit_schedule(*, user, schedule_id: int, token: str, values: dict) -> Schedule:
    return _update(
        Schedule, schedule_id, token, values, ("title", "first_month", "open_ended_from"), user=user
    )


@transaction.atomic
def add_lane(*, user, schedule_id: int, values: dict) -> ScheduleLane:
    """A row of the grid: a pillar's activities, or the X会議 row filled from the meetings."""
    schedule = _locked(Schedule, schedule_id, user)
    values = _pick(values, LANE_FIELDS)
    _check_lane_pillar(schedule, values.get("pillar"))
    if not values.get("order"):
        last = schedule.lanes.aggregate(m=Max("order"))["m"]
        values["order"] = (last or 0) + 1
    return _create(ScheduleLane(schedule=schedule, **values), user=user)


def _check_lane_pillar(schedule: Schedule, pillar) -> None:
    if pillar is not None and pillar.plan_id != schedule.plan_id:
        raise ValidationError({"pillar": _("柱は同じ計画のものを選んでください。")})


@transaction.atomic
def edit_lane(*, user, lane_id: int, token: str, values: dict) -> ScheduleLane:
    lane = _locked(ScheduleLane, lane_id, user)
    _check_lane_pillar(lane.schedule, values.get("pillar"))
    return _update(ScheduleLane, lane_id, token, values, LANE_FIELDS, user=user)


@transaction.atomic
def delete_lane(*, user, lane_id: int, token: str) -> ScheduleLane:
    """Removes a row with its activities; history keeps every field of each."""
    return _delete(ScheduleLane, lane_id, token, user=user)


@transaction.atomic
def add_activity(*, user, lane_id: int, values: dict) -> ScheduleActivity:
    """An activity in a row: its months (one, or a span drawn as an arrow) and a milestone."""
    lane = _locked(ScheduleLane, lane_id, user)
    values = _pick(values, ACTIVITY_FIELDS)
    if not values.get("order"):
        last = lane.activities.aggregate(m=Max("order"))["m"]
        values["order"] = (last or 0) + 1
    return _create(ScheduleActivity(lane=lane, **values), user=user)


@transaction.atomic
def edit_activity(*, user, activity_id: int, token: str, values: dict) -> ScheduleActivity:
    return _update(ScheduleActivity, activity_id, token, values, ACTIVITY_FIELDS, user=user)


@transaction.atomic
def delete_activity(*, user, activity_id: int, token: str) -> ScheduleActivity:
    return _delete(ScheduleActivity, activity_id, token, user=user)


# --- what the admin was last needed for ------------------------------------------------------
# The plan's title, period and adoption date; an initiative's number; deleting a pillar or a
# year's schedule; analysis clusters; reinstating a retired initiative.


def _what_has_a_year():
    """Everything of a plan that carries a 年度 its model checks against the plan's period:
    (what it is called, its rows of the plan, the field holding the 年度)."""
    return [
        (_("照会"), lambda plan: Round.objects.filter(plan=plan), "fiscal_year"),
        (_("振り返り・方針"), lambda plan: PlanNote.objects.filter(plan=plan), "fiscal_year"),
        (
            _("柱の年度ごとの取組状況"),
            lambda plan: PillarNarrative.objects.filter(pillar__plan=plan),
            "fiscal_year",
        ),
        (
            _("分析クラスター"),
            lambda plan: AnalysisCluster.objects.filter(plan=plan),
            "fiscal_year",
        ),
        (_("スケジュール"), lambda plan: Schedule.objects.filter(plan=plan), "fiscal_year"),
        (_("X会議"), lambda plan: Meeting.objects.filter(plan=plan), "fiscal_year"),
        (
            _("取組項目の初回評価年度"),
            lambda plan: Initiative.objects.filter(plan=plan),
            "first_evaluated_fiscal_year",
        ),
    ]


def _years(low: int, high: int) -> str:
    if low == high:
        return nendo(low)
    return _("%(first)s〜%(last)s") % {"first": nendo(low), "last": nendo(high)}


def outside_period(plan: Plan, start: int, end: int | None) -> dict[str, list[str]]:
    """What a period from ``start`` to ``end`` (None: open-ended) would leave outside it, named
    for people: {"start_fiscal_year": ["照会 1件（令和6年度）", …], "end_fiscal_year": […]}.
    One aggregate query per kind of row, however many rows there are."""
    found: dict[str, list[str]] = {"start_fiscal_year": [], "end_fiscal_year": []}
    for label, rows, year in _what_has_a_year():
        early = Q(**{f"{year}__lt": start})
        late = Q(**{f"{year}__gt": end}) if end is not None else Q(pk__in=[])
        counts = rows(plan).aggregate(
            early=Count("pk", filter=early),
            early_low=models.Min(year, filter=early),
            early_high=Max(year, filter=early),
            late=Count("pk", filter=late),
            late_low=models.Min(year, filter=late),
            late_high=Max(year, filter=late),
        )
        for side, key in (("early", "start_fiscal_year"), ("late", "end_fiscal_year")):
            if counts[side]:
                found[key].append(
                    _("%(what)s %(count)d件（%(years)s）")
                    % {
                        "what": label,
                        "count": counts[side],
                        "years": _years(counts[f"{side}_low"], counts[f"{side}_high"]),
                    }
                )
    return found


def _list_separator() -> str:
    # Translators: what separates the things listed in one sentence.
    return pgettext("list separator", "、")


def _check_period(plan: Plan, start, end) -> None:
    if start is None:
        return  # the form has said what is missing
    if end is not None and end < start:
        raise ValidationError({"end_fiscal_year": _("終了年度は開始年度以降にしてください。")})
    found = outside_period(plan, start, end)
    errors = {}
    if found["start_fiscal_year"]:
        errors["start_fiscal_year"] = _(
            "開始年度を%(fy)sにすると、次のものが取組期間の外になります：%(items)s。"
            "先にそれらの年度を直すか削除してから、期間を変えてください。"
        ) % {"fy": nendo(start), "items": _list_separator().join(found["start_fiscal_year"])}
    if found["end_fiscal_year"]:
        errors["end_fiscal_year"] = _(
            "終了年度を%(fy)sにすると、次のものが取組期間の外になります：%(items)s。"
            "先にそれらの年度を直すか削除してから、期間を変えてください。"
        ) % {"fy": nendo(end), "items": _list_separator().join(found["end_fiscal_year"])}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def edit_plan_period(*, user, plan_id: int, token: str, values: dict) -> Plan:
    """The plan's title (and English title), its period (開始・終了年度; no end: open-ended)
    and its adoption date with its precision. A period that would leave a round, a note, a
    narrative, a cluster, a schedule, a meeting or an initiative's first evaluated year outside
    it is refused, naming what is in the way; nothing is moved for the office."""
    plan = _unchanged(Plan, plan_id, token, user)
    start = values.get("start_fiscal_year", plan.start_fiscal_year)
    end = values.get("end_fiscal_year", plan.end_fiscal_year)
    _check_period(plan, start, end)
    return _update(Plan, plan_id, token, values, PERIOD_FIELDS, user=user)


# An initiative's number is in its public address (/plans/<slug>/initiatives/<number>/).
CODE_FORMAT = re.compile(r"[^\s/?#%\\]+")


@transaction.atomic
def renumber_initiative(*, user, initiative_id: int, token: str, code: str) -> Initiative:
    """Gives the item a new 取組番号, unique within the plan (the database holds it too:
    initiative_code_unique_per_plan). A number another item of the plan was published under
    is refused as well, so a published page's link never leads to a different item."""
    initiative = _unchanged(Initiative, initiative_id, token, user)
    code = (code or "").strip()
    if not code:
        raise ValidationError({"code": _("取組番号を入力してください。")})
    if not CODE_FORMAT.fullmatch(code) or code in (".", ".."):
        raise ValidationError(
            {"code": _("取組番号に空白や「/」「?」「#」「%」「\\」は使えません。")}
        )
    if code == initiative.code:
        return initiative
    clash = Initiative.objects.filter(plan_id=initiative.plan_id, code=code).first()
    if clash is not None:
        raise ValidationError(
            {
                "code": _(
                    "取組番号「%(code)s」は、この計画の取組項目「%(title)s」が既に使っています。"
                )
                % {"code": code, "title": clash.title}
            }
        )
    published = (
        PublishedResult.objects.filter(publication__round__plan_id=initiative.plan_id, code=code)
        .exclude(initiative_id=initiative.pk)
        .values_list("title", flat=True)
        .first()
    )
    if published is not None:
        raise ValidationError(
            {
                "code": _(
                    "取組番号「%(code)s」は、公表済みの結果で別の取組項目「%(title)s」の番号でした。"
                    "公表済みのページからのリンクが別の項目を指さないよう、使えません。"
                )
                % {"code": code, "title": published}
            }
        )
    return _update(
        Initiative,
        initiative_id,
        token,
        {"code": code},
        ("code",),
        user=user,
        action=HistoryAction.INITIATIVE_RENUMBER,
    )


@transaction.atomic
def reinstate_initiative(*, user, initiative_id: int, token: str, reason: str) -> Initiative:
    """Takes back a retirement (廃止の取消し), with the reason in the history row's comment:
    the item is active again and the next round opened asks about it
    (``Initiative.objects.evaluable()``); the retirement stays in the history."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("廃止を取り消す理由を入力してください。")})
    initiative = _locked(Initiative, initiative_id, user)
    if initiative.retired_on is None:
        raise ValidationError(_("この取組項目は廃止されていません。"))
    return _update(
        Initiative,
        initiative_id,
        token,
        {"retired_on": None, "retired_reason": ""},
        ("retired_on", "retired_reason"),
        user=user,
        action=HistoryAction.INITIATIVE_REINSTATE,
        comment=reason,
    )


def pillar_contents(pillar: Pillar) -> dict:
    """What holds a pillar back from deletion: its initiatives (retired ones counted apart) and
    the publications that froze it. Two queries."""
    counts = Initiative.objects.filter(pillar=pillar).aggregate(
        items=Count("pk"), retired=Count("pk", filter=Q(retired_on__isnull=False))
    )
    counts["published"] = PublishedPillar.objects.filter(pillar=pillar).count()
    return counts


@transaction.atomic
def delete_pillar(
    *, user, pillar_id: int, token: str, move_to_pillar_id: int | None = None
) -> Pillar:
    """Deletes a pillar that holds no initiatives; with ``move_to_pillar_id`` its initiatives
    are first moved to that pillar of the same plan (a move row each), all in one transaction.
    A pillar a publication froze is refused (published 時点 keep it). Its narratives go with
    it, each recorded in full; a schedule row that showed it keeps its place, without it."""
    pillar = _unchanged(Pillar, pillar_id, token, user)
    contents = pillar_contents(pillar)
    if contents["published"] or PublishedResult.objects.filter(pillar=pillar).exists():
        raise ValidationError(
            _(
                "柱「%(pillar)s」は公表済みの時点に含まれているため削除できません。"
                "公表済みの内容はそのまま残す必要があります。"
            )
            % {"pillar": pillar.name}
        )
    if contents["items"]:
        if move_to_pillar_id is None:
            raise ValidationError(
                {
                    "move_to": _(
                        "柱「%(pillar)s」には取組項目が%(count)d件（うち廃止%(retired)d件）あるため、"
                        "このままでは削除できません。移す先の柱を選んでください。"
                    )
                    % {
                        "pillar": pillar.name,
                        "count": contents["items"],
                        "retired": contents["retired"],
                    }
                }
            )
        target = (
            Pillar.objects.filter(pk=move_to_pillar_id, plan_id=pillar.plan_id)
            .exclude(pk=pillar.pk)
            .first()
        )
        if target is None:
            raise ValidationError({"move_to": _("移す先は同じ計画の別の柱を選んでください。")})
        comment = _("柱「%(pillar)s」の削除に伴う移動") % {"pillar": pillar.name}
        items = Initiative.objects.select_for_update().filter(pillar=pillar).order_by("pk")
        for item in items:
            before = snapshot(item)
            item.pillar = target
            _write(item, before, user=user, action=HistoryAction.INITIATIVE_MOVE, comment=comment)
    masterdata.delete(pillar, actor=user)
    return pillar


@transaction.atomic
def delete_schedule(*, user, schedule_id: int, token: str) -> Schedule:
    """Deletes a 年度's schedule grid with its rows and activities, each recorded in full."""
    return _delete(Schedule, schedule_id, token, user=user)


@transaction.atomic
def add_cluster(*, user, plan_id: int, values: dict) -> AnalysisCluster:
    """A cluster of policies and projects analysed together in a 年度 (経営分析・事業分析)."""
    plan = _plan(user, plan_id)
    return _create(AnalysisCluster(plan=plan, **_pick(values, CLUSTER_FIELDS)), user=user)


@transaction.atomic
def edit_cluster(*, user, cluster_id: int, token: str, values: dict) -> AnalysisCluster:
    return _update(AnalysisCluster, cluster_id, token, values, CLUSTER_FIELDS, user=user)


@transaction.atomic
def move_cluster(*, user, cluster_id: int, token: str, direction: str) -> AnalysisCluster:
    """Clusters are listed by 年度 and number: moving one up or down swaps its number with its
    neighbour's in that 年度 (one history row naming both). At the end of the list nothing
    moves."""
    cluster = _unchanged(AnalysisCluster, cluster_id, token, user)
    siblings = AnalysisCluster.objects.select_for_update().filter(
        plan_id=cluster.plan_id, fiscal_year=cluster.fiscal_year
    )
    mine = cluster.code
    # Free under the unique (plan, 年度, number) constraint: no number typed looks like it.
    other = _swap(cluster, siblings, "code", direction, lambda: f"__moving_{cluster.pk}")
    if other is not None:
        cluster.recorded_event = record(
            HistoryAction.ANALYSISCLUSTER_REORDER,
            actor=user,
            changes={"code": {"before": mine, "after": cluster.code}},
            comment=_("「%(other)s」と番号を入れ替え") % {"other": other.name},
            **_subject(cluster),
        )
    return cluster


@transaction.atomic
def delete_cluster(*, user, cluster_id: int, token: str) -> AnalysisCluster:
    """Deletes a cluster; an initiative that was in it is recorded as leaving it."""
    return _delete(AnalysisCluster, cluster_id, token, user=user)
