"""Loads a city's seed file (fixtures/*.json) into the database, idempotently and atomically.

Master data (departments, plan, pillars, initiatives, meetings, schedule) is upserted by natural
key, so loading twice changes nothing. Results go through the evaluation services — open a
round, record each entry, confirm, publish — exactly as staff would, so the seed's published
figures and history are made the same way as real ones. A round that already exists is left
alone: published snapshots are never rewritten.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from evaluations import masterdata, services
from evaluations.choices import EntryState, RoundKind
from evaluations.models import Entry, HistoryEvent, PillarNarrative, Round
from initiatives.models import (
    Department,
    Initiative,
    Municipality,
    Pillar,
    Plan,
    PlanNote,
    Provenance,
)
from reformtracker.calendar_ja import ApproxDate, CalendarError
from xmeetings.models import Meeting, MeetingTopic, Schedule, ScheduleActivity, ScheduleLane

SEED_ACTOR = "seed loader"
IDENTITY_FIELDS = (
    "display_name",
    "display_name_en",
    "accent_colour",
    "contact",
    "contact_source",
    "contact_url",
    "accessibility_url",
    "privacy_url",
)


class SeedError(Exception):
    """A seed file that cannot be loaded; nothing of it was written."""


# Master data whose every change is history (evaluations.masterdata), the seed's included.
RECORDED = (Plan, Pillar, Initiative)


@dataclass
class SeedReport:
    created: dict = field(default_factory=dict)
    updated: dict = field(default_factory=dict)

    def count(self, model, created: bool):
        bucket = self.created if created else self.updated
        name = model._meta.verbose_name
        bucket[str(name)] = bucket.get(str(name), 0) + 1


def _upsert(report: SeedReport, model, lookup: dict, values: dict):
    """update_or_create that validates first and only saves when something differs."""
    obj = model.objects.filter(**lookup).first()
    created = obj is None
    if created:
        obj = model(**lookup)
    changed = created
    for name, value in values.items():
        if created or _current(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    if changed:
        obj.full_clean()
        if model in RECORDED:
            # Plans, pillars and initiatives keep a history of every change, the seed's too.
            masterdata.save(obj, actor_name=SEED_ACTOR)
        else:
            obj.save()
        report.count(model, created)
    return obj


def _fields(item: dict) -> dict:
    """An object of the file as model fields: without ``quoted``, the list of its fields that
    reproduce the source word for word (tests/provenance/test_quoted_texts.py checks them)."""
    return {name: value for name, value in item.items() if name != "quoted"}


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _lookup(known: dict, key, what: str):
    try:
        return known[key]
    except KeyError:
        raise SeedError(f"{what}「{key}」はこのファイルに定義されていません。") from None


def _current(obj, name):
    """The value to compare, without touching an unset relation (which would raise)."""
    field = obj._meta.get_field(name)
    if field.is_relation and getattr(obj, field.attname) is None:
        return None
    return getattr(obj, name)


def load_file(path: Path | str) -> SeedReport:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise SeedError(f"{path}: 読み込めません（{exc}）") from exc
    try:
        return load(data)
    except SeedError as exc:
        raise SeedError(f"{path}: {exc}") from exc
    except ValidationError as exc:
        raise SeedError(f"{path}: {'; '.join(exc.messages)}") from exc
    except CalendarError as exc:
        # Its message is already Japanese and meant for users: show it, not its repr.
        raise SeedError(f"{path}: {exc}") from exc
    except (KeyError, TypeError, ValueError) as exc:
        raise SeedError(f"{path}: 形式が正しくありません（{exc!r}）") from exc


@transaction.atomic
def load(data: dict) -> SeedReport:
    """Loads one city: its organisation, its plan, the plan's meetings and schedules, and the
    results of its rounds, in that order (each step needs what the one before made)."""
    report = SeedReport()
    municipality, departments = _load_organisation(report, data)
    plan, pillars = _load_plan(report, municipality, departments, data)
    _load_meetings(report, plan, data)
    _load_schedules(report, plan, pillars, data)
    rounds_before = set(Round.objects.filter(plan=plan).values_list("pk", flat=True))
    for item in data.get("rounds", []):
        _load_round(report, plan, item, [i for i in data["initiatives"] if "result" in i])
    _date_new_publications(plan, rounds_before)
    return report


def _date_new_publications(plan: Plan, rounds_before: set):
    """Dates the history of each round this load published at its publication, as published.

    The seed replays a city's release, so 「公表」 happened when the city released it
    (令和7年9月16日 14時), not when the file was loaded: staff history, public history and the
    PDF then give one date. Only rows written in this transaction are touched (a round that
    already existed is skipped by the round loader), so no recorded history is rewritten."""
    for round_ in Round.objects.filter(plan=plan).exclude(pk__in=rounds_before):
        first = round_.publications.order_by("published_at", "id").first()
        if first is not None:
            HistoryEvent.objects.filter(round=round_, actor_name=SEED_ACTOR).update(
                at=first.published_at
            )


def _load_organisation(report: SeedReport, data: dict) -> tuple[Municipality, dict]:
    """The municipality and its departments (by code)."""
    m = data["municipality"]
    municipality = _upsert(
        report,
        Municipality,
        {"slug": m["slug"]},
        {
            "name": m["name"],
            "name_en": m["name_en"],
            "prefecture": m.get("prefecture", ""),
            "local_code": m.get("local_code"),
            # Identity: only what the file holds (what a source published), so what the office
            # set on its identity page outlives a reload; the logo is never seeded. A contact
            # quoted from the source carries the source's title and date.
            **{name: m[name] for name in IDENTITY_FIELDS if name in m},
            **(
                {"contact_source_published_on": _date(m["contact_source_published_on"])}
                if "contact_source_published_on" in m
                else {}
            ),
        },
    )
    departments = {
        d["code"]: _upsert(
            report,
            Department,
            {"municipality": municipality, "code": d["code"]},
            {
                "name": d["name"],
                "name_en": d.get("name_en", ""),
                "kind": d["kind"],
                "is_reform_office": d.get("is_reform_office", False),
            },
        )
        for d in data["departments"]
    }
    return municipality, departments


def _load_plan(
    report: SeedReport, municipality: Municipality, departments: dict, data: dict
) -> tuple[Plan, dict]:
    """The plan with its pillars (by order), their narratives, its initiatives and notes."""
    p = _fields(data["plan"])
    for name in ("adopted_on", "source_published_on", "source_as_of"):
        if p.get(name):
            p[name] = date.fromisoformat(p[name])
    slug = p.pop("slug")
    plan = _upsert(report, Plan, {"slug": slug}, {"municipality": municipality, **p})
    pillars = _load_pillars(report, plan, departments, data)
    _load_narratives(report, pillars, data)
    _load_initiatives(report, plan, pillars, departments, data)
    _load_notes(report, plan, data)
    return plan, pillars


def _load_pillars(report: SeedReport, plan: Plan, departments: dict, data: dict) -> dict:
    pillars = {}
    for item in data["pillars"]:
        item = _fields(item)
        order = item.pop("order")
        managing = item.pop("managing_department", None)
        item["managing_department"] = (
            _lookup(departments, managing, "所属コード") if managing else None
        )
        pillars[order] = _upsert(report, Pillar, {"plan": plan, "order": order}, item)
    return pillars


def _load_narratives(report: SeedReport, pillars: dict, data: dict):
    for item in data.get("narratives", []):
        _upsert(
            report,
            PillarNarrative,
            # A seed narrative is its year's year-end one unless it names its point.
            {
                "pillar": pillars[item["pillar"]],
                "fiscal_year": item["fiscal_year"],
                "kind": item.get("point", RoundKind.YEAR_END),
            },
            {
                "done": item.get("done", ""),
                "next_steps": item.get("next_steps", ""),
                "cluster_count": item.get("cluster_count"),
            },
        )


def _load_initiatives(report: SeedReport, plan: Plan, pillars: dict, departments: dict, data: dict):
    for position, item in enumerate(data.get("initiatives", []), start=1):
        _upsert(
            report,
            Initiative,
            {"plan": plan, "code": item["code"]},
            {
                "pillar": _lookup(pillars, item["pillar"], "柱の番号"),
                "order": position,
                "title": item["title"],
                "department": _lookup(departments, item["department"], "所属コード"),
                "target": item.get("target", ""),
                "description": item.get("description", ""),
                "evaluation_timing": item.get("evaluation_timing", "every_year"),
                "first_evaluated_fiscal_year": item.get("first_evaluated_fiscal_year"),
                "reform_level": item.get("reform_level", ""),
                "provenance": item.get("provenance", Provenance.PUBLISHED),
                "provenance_note": item.get("provenance_note", ""),
            },
        )


def _load_notes(report: SeedReport, plan: Plan, data: dict):
    for item in data.get("notes", []):
        _upsert(
            report,
            PlanNote,
            {
                "plan": plan,
                "fiscal_year": item["fiscal_year"],
                "kind": item["kind"],
                "order": item["order"],
            },
            {"title": item.get("title", ""), "body": item["body"]},
        )


def _load_meetings(report: SeedReport, plan: Plan, data: dict):
    meetings = {}
    for item in data.get("meetings", []):
        when = ApproxDate.parse(item["date"], fiscal_year=item["fiscal_year"])
        probe = Meeting(plan=plan, fiscal_year=item["fiscal_year"], number=item["number"])
        probe.set_date(when)
        meetings[(item["fiscal_year"], item["number"])] = _upsert(
            report,
            Meeting,
            {"plan": plan, "fiscal_year": item["fiscal_year"], "number": item["number"]},
            {
                "date_year": probe.date_year,
                "date_month": probe.date_month,
                "date_day": probe.date_day,
                "date_part": probe.date_part,
                "status": item.get("status", Meeting.Status.SCHEDULED),
                "title": item.get("title", ""),
                "summary": item.get("summary", ""),
            },
        )
    for group in data.get("meeting_topics", []):
        for order, name in enumerate(group["names"], start=1):
            meeting = meetings.get((group["fiscal_year"], group.get("meeting")))
            _upsert(
                report,
                MeetingTopic,
                {"plan": plan, "fiscal_year": group["fiscal_year"], "name": name},
                {"order": order, "meeting": meeting},
            )


def _load_schedules(report: SeedReport, plan: Plan, pillars: dict, data: dict):
    for item in data.get("schedules", []):
        schedule = _upsert(
            report,
            Schedule,
            {"plan": plan, "fiscal_year": item["fiscal_year"]},
            {
                "title": item["title"],
                "first_month": item["first_month"],
                "open_ended_from": item.get("open_ended_from"),
            },
        )
        for lane_data in item["lanes"]:
            lane = _upsert(
                report,
                ScheduleLane,
                {"schedule": schedule, "order": lane_data["order"]},
                {
                    "name": lane_data["name"],
                    "pillar": pillars.get(lane_data.get("pillar")),
                    "shows_meetings": lane_data.get("shows_meetings", False),
                },
            )
            for order, activity in enumerate(lane_data["activities"], start=1):
                milestone = activity.get("milestone_on")
                _upsert(
                    report,
                    ScheduleActivity,
                    {"lane": lane, "order": order},
                    {
                        "label": activity["label"],
                        "start_month": activity["start_month"],
                        "end_month": activity["end_month"],
                        "milestone_on": date.fromisoformat(milestone) if milestone else None,
                        "milestone_note": activity.get("milestone_note", ""),
                    },
                )


def _load_round(report: SeedReport, plan: Plan, item: dict, results: list[dict]):
    as_of = date.fromisoformat(item["as_of"])
    if Round.objects.filter(plan=plan, as_of=as_of).exists():
        return
    round_ = services.open_round_as_system(
        plan=plan,
        fiscal_year=item["fiscal_year"],
        kind=item["kind"],
        as_of=as_of,
        due_on=date.fromisoformat(item["due_on"]) if item.get("due_on") else None,
        actor_name=SEED_ACTOR,
    )
    report.count(Round, True)
    entries = {e.initiative.code: e for e in round_.entries.select_related("initiative")}
    for result in results:
        entry = entries.get(result["code"])
        if entry is None:
            raise SeedError(
                f"取組項目 {result['code']} は市政改革室が進捗管理する柱にないため、結果を登録できません。"
            )
        services.update_entry_as_system(
            entry_id=entry.pk,
            expected_version=entry.version,
            values={
                "result": result["result"],
                "reason": result.get("reason", ""),
                "narrative": result.get("narrative", ""),
            },
            state=EntryState.CONFIRMED,
            actor_name=SEED_ACTOR,
        )
        report.count(Entry, True)
    if item.get("published_at"):
        services.publish_round_as_system(
            round_=round_,
            actor_name=SEED_ACTOR,
            published_at=datetime.fromisoformat(item["published_at"]),
            note=item.get("note", ""),
        )
