"""The permission matrix of the reform office's edit pages (/office/plans/<slug>/…): every URL ×
every persona → the expected status (tests/access/test_permissions.py asks each case).

Only the reform office of the plan's own municipality (and a superuser) may edit: department
staff of the same city and anybody outside it get 404 (the plan is not theirs to see here); an
office member without the permission to manage rounds gets 403; another city's plan is 404 for
the office too.

A row is ``page(what, path)`` (a GET, 200 for the office) or ``save(what, path, data)`` (a POST,
302 for the office), the path below /office/plans/<slug>/ with ``{note}``, ``{pillar}`` … from
``PLACES``; what lies outside the plan's own pages is a plain ``Case``.
"""

from __future__ import annotations

import re

from evaluations.services.plan_edits import edit_token
from initiatives.models import AnalysisCluster, Initiative, Pillar, PlanNote
from tests.access.matrix import BAD_ID, Case, expect
from tests.factories import make_initiative, make_pillar
from xmeetings.models import Schedule, ScheduleActivity, ScheduleLane

PAGE = expect(302, 404, 404, 200, 200, 403)
ACCEPTED = expect(302, 404, 404, 302, 302, 403)
OTHER_CITY = expect(302, 404, 404, 404, 200, 404)
BAD = expect(302, 404, 404, 404, 404, 403)


def _base(w) -> str:
    return f"/office/plans/{w.plan.slug}"


def _note(w) -> PlanNote:
    return PlanNote.objects.get_or_create(
        plan=w.plan, fiscal_year=2024, kind="outcome", order=1, defaults={"body": "成果の本文。"}
    )[0]


def _two_notes(w):
    _note(w)
    PlanNote.objects.create(plan=w.plan, fiscal_year=2024, kind="outcome", order=2, body="二つ目。")


def _schedule(w) -> Schedule:
    return Schedule.objects.get_or_create(plan=w.plan, fiscal_year=2025)[0]


def _lane(w) -> ScheduleLane:
    return ScheduleLane.objects.get_or_create(
        schedule=_schedule(w), order=1, defaults={"name": "X会議", "shows_meetings": True}
    )[0]


def _activity(w) -> ScheduleActivity:
    return ScheduleActivity.objects.get_or_create(
        lane=_lane(w),
        order=1,
        defaults={"label": "PTの人選・結成", "start_month": 5, "end_month": 7},
    )[0]


def _cluster(w) -> AnalysisCluster:
    return AnalysisCluster.objects.get_or_create(
        plan=w.plan, fiscal_year=2024, code="1", defaults={"name": "保育所"}
    )[0]


def _two_clusters(w):
    _cluster(w)
    AnalysisCluster.objects.create(plan=w.plan, fiscal_year=2024, code="2", name="子育て")


def _empty_pillar(w) -> Pillar:
    return Pillar.objects.get_or_create(plan=w.plan, order=8, defaults={"name": "空の柱"})[0]


def _retired(w):
    Initiative.objects.filter(pk=w.initiative_a.pk).update(
        retired_on="2025-10-01", retired_reason="事業の統合により廃止"
    )


def _fresh(obj):
    obj.refresh_from_db()
    return obj


def _token(obj) -> dict:
    return {"token": edit_token(obj)}


# What a {name} in a path below the plan's office pages stands for, made when the path is used.
PLACES = {
    "pillar": lambda w: w.initiative_a.pillar.order,
    "code": lambda w: w.initiative_a.code,
    "other_code": lambda w: w.other_entry.initiative.code,
    "note": lambda w: _note(w).pk,
    "lane": lambda w: _lane(w).pk,
    "activity": lambda w: _activity(w).pk,
    "cluster": lambda w: _cluster(w).pk,
    "bad_id": lambda w: BAD_ID,
}


def _url(path: str):
    def url(w) -> str:
        names = re.findall(r"{(\w+)}", path)
        return _base(w) + path.format(**{name: PLACES[name](w) for name in names})

    return url


def page(what: str, path: str, expected=PAGE, setup=None) -> Case:
    """Opening ``path`` below the plan's office pages."""
    return Case(f"office: {what}", "get", _url(path), expected, setup=setup)


def save(what: str, path: str, data=None, *, token=None, expected=ACCEPTED, setup=None) -> Case:
    """Sending a form to ``path`` below the plan's office pages: ``data`` is a dict or
    world -> dict; ``token`` (world -> the object edited), when given, adds the object's edit
    token as ``token``."""

    def form(w) -> dict:
        stamp = _token(token(w)) if token else {}
        return {**stamp, **(data(w) if callable(data) else data or {})}

    return Case(f"office: {what}", "post", _url(path), expected, data=form, setup=setup)


def _initiative_data(w) -> dict:
    item = w.initiative_a
    item.refresh_from_db()
    return {
        "token": edit_token(item),
        "title": "ごみ収集業務の全面委託化（改称）",
        "title_en": "",
        "order": item.order,
        "department": item.department_id,
        "target": item.target,
        "description": item.description,
        "evaluation_timing": "every_year",
        "first_evaluated_fiscal_year": "",
        "reform_level": "",
    }


def _pillar_data(w) -> dict:
    pillar = w.initiative_a.pillar
    return {
        "token": edit_token(pillar),
        "order": pillar.order,
        "name": pillar.name + "（改）",
        "name_en": "",
        "kind": pillar.kind,
        "description": "説明を書き直した。",
        "managed_through": "",
        "office_tracks_items": "on" if pillar.office_tracks_items else "",
    }


def _plan(w):
    return w.plan


def _unevaluated(w):
    return Initiative.objects.get(plan=w.plan, code="x-1")


CASES = [
    page("plan page", "/"),
    Case(
        "office: plan of another city",
        "get",
        lambda w: f"/office/plans/{w.other_plan.slug}/",
        OTHER_CITY,
    ),
    Case(
        "office: unknown plan",
        "get",
        lambda w: "/office/plans/no-such-plan/",
        expect(302, 404, 404, 404, 404, 404),
    ),
    page("plan form", "/edit/"),
    save(
        "edit plan",
        "/edit/",
        {"summary": "計画の概要を書いた。", "contact": "市政改革室"},
        token=_plan,
    ),
    Case(
        "office: edit plan of another city",
        "post",
        lambda w: f"/office/plans/{w.other_plan.slug}/edit/",
        OTHER_CITY | {"admin": 302},
        data=lambda w: {**_token(w.other_plan), "summary": "よその市の概要。"},
    ),
    page("notes", "/notes/"),
    save(
        "add note",
        "/notes/",
        {"fiscal_year": 2024, "kind": "outcome", "title": "", "body": "成果。"},
    ),
    page("note form", "/notes/{note}/"),
    page("note, bad id", "/notes/{bad_id}/", BAD),
    save(
        "edit note",
        "/notes/{note}/",
        {"title": "見出し", "body": "書き直した成果。"},
        token=_note,
        setup=_note,
    ),
    save("move note", "/notes/{note}/move/", {"direction": "down"}, token=_note, setup=_two_notes),
    save("delete note", "/notes/{note}/delete/", token=_note, setup=_note),
    page("pillar form", "/pillars/{pillar}/"),
    page("pillar form, new", "/pillars/new/"),
    save(
        "add pillar",
        "/pillars/new/",
        {"order": 7, "name": "持続可能な行財政基盤の構築", "kind": "policy"},
    ),
    page("pillar, bad order", "/pillars/99/", BAD),
    save("edit pillar", "/pillars/{pillar}/", _pillar_data),
    page("narrative form", "/pillars/{pillar}/narratives/2025/"),
    save(
        "write narrative",
        "/pillars/{pillar}/narratives/2025/",
        {"token": "", "done": "令和7年度においては…", "next_steps": "引き続き…"},
    ),
    page("interim narrative form", "/pillars/{pillar}/narratives/2025/interim/"),
    save(
        "write interim narrative",
        "/pillars/{pillar}/narratives/2025/interim/",
        {"token": "", "done": "令和7年度上半期においては…", "next_steps": ""},
    ),
    page("initiatives", "/initiatives/"),
    save(
        "add initiative",
        "/initiatives/",
        lambda w: {
            "code": "9-1",
            "pillar": w.initiative_a.pillar_id,
            "title": "新しい取組",
            "order": 9,
            "department": w.dept_a.pk,
            "evaluation_timing": "every_year",
        },
    ),
    page("initiative form", "/initiatives/{code}/"),
    page("initiative, unknown code", "/initiatives/no-such-code/", BAD),
    page(
        "initiative of another city",
        "/initiatives/{other_code}/",
        expect(302, 404, 404, 404, 404, 403),
    ),
    save("edit initiative", "/initiatives/{code}/", _initiative_data),
    save(
        "move initiative",
        "/initiatives/{code}/move/",
        lambda w: {
            "move-token": edit_token(w.initiative_a),
            "move-pillar": make_pillar(w.plan).pk,
        },
    ),
    save(
        "retire initiative",
        "/initiatives/{code}/retire/",
        lambda w: {
            "retire-token": edit_token(w.initiative_a),
            "retire-reason": "事業の統合により廃止",
        },
    ),
    save(
        "delete unevaluated initiative",
        "/initiatives/x-1/delete/",
        token=_unevaluated,
        setup=lambda w: make_initiative(w.plan, department=w.dept_a, code="x-1"),
    ),
    page("schedules", "/schedules/"),
    save(
        "add schedule",
        "/schedules/",
        {"fiscal_year": 2025, "title": "スケジュール（予定）", "first_month": 5},
    ),
    page("schedule grid", "/schedules/2025/", setup=_schedule),
    save(
        "schedule settings",
        "/schedules/2025/edit/",
        {"title": "スケジュール（予定）", "first_month": 5, "open_ended_from": 12},
        token=_schedule,
        setup=_schedule,
    ),
    page("schedule, no such year", "/schedules/2026/", BAD),
    save(
        "add schedule row",
        "/schedules/2025/",
        {"add": "lane", "lane-name": "局区X方針", "lane-order": ""},
        setup=_schedule,
    ),
    page("schedule row form", "/schedule-rows/{lane}/"),
    save(
        "edit schedule row",
        "/schedule-rows/{lane}/",
        {"order": 1, "name": "X会議（改）", "shows_meetings": "on"},
        token=_lane,
        setup=_lane,
    ),
    save("remove schedule row", "/schedule-rows/{lane}/delete/", token=_lane, setup=_lane),
    page("schedule activity form", "/schedule-activities/{activity}/"),
    save(
        "edit schedule activity",
        "/schedule-activities/{activity}/",
        {"order": 1, "label": "PTの人選・結成", "start_month": 5, "end_month": 9},
        token=_activity,
        setup=_activity,
    ),
    save(
        "remove schedule activity",
        "/schedule-activities/{activity}/delete/",
        token=_activity,
        setup=_activity,
    ),
    # What the admin was last needed for: title and period, a number, deleting a pillar or a
    # year's schedule, clusters, reinstating.
    page("period form", "/period/"),
    save(
        "edit period",
        "/period/",
        {
            "title": "新・市政改革プラン",
            "start_fiscal_year": "令和6年度",
            "end_fiscal_year": "2028",
            "adopted_precision": "day",
        },
        token=_plan,
    ),
    Case(
        "office: edit period of another city",
        "post",
        lambda w: f"/office/plans/{w.other_plan.slug}/period/",
        OTHER_CITY | {"admin": 302},
        data=lambda w: {
            **_token(w.other_plan),
            "title": "よその市の計画",
            "start_fiscal_year": "2024",
            "adopted_precision": "day",
        },
    ),
    save(
        "renumber initiative",
        "/initiatives/{code}/number/",
        lambda w: {"number-token": edit_token(w.initiative_a), "number-code": "9-9"},
    ),
    save(
        "reinstate initiative",
        "/initiatives/{code}/reinstate/",
        lambda w: {
            "reinstate-token": edit_token(_fresh(w.initiative_a)),
            "reinstate-reason": "統合が見送られたため",
        },
        setup=_retired,
    ),
    page("pillar deletion page", "/pillars/{pillar}/delete/"),
    page("pillar deletion, bad order", "/pillars/99/delete/", BAD),
    save("delete empty pillar", "/pillars/8/delete/", token=_empty_pillar, setup=_empty_pillar),
    page("schedule deletion page", "/schedules/2025/delete/", setup=_schedule),
    save("delete schedule", "/schedules/2025/delete/", token=_schedule, setup=_activity),
    page("clusters", "/clusters/"),
    save("add cluster", "/clusters/", {"fiscal_year": "R6", "code": "1", "name": "保育所"}),
    page("cluster form", "/clusters/{cluster}/"),
    page("cluster, bad id", "/clusters/{bad_id}/", BAD),
    save(
        "edit cluster",
        "/clusters/{cluster}/",
        {"fiscal_year": "2024", "code": "1", "name": "保育"},
        token=_cluster,
        setup=_cluster,
    ),
    save(
        "move cluster",
        "/clusters/{cluster}/move/",
        {"direction": "down"},
        token=_cluster,
        setup=_two_clusters,
    ),
    save("delete cluster", "/clusters/{cluster}/delete/", token=_cluster, setup=_cluster),
]
