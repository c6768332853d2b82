"""The permission matrix of the reform office's edit pages (/office/plans/<slug>/…): every URL ×
every persona → the expected status (tests/access/test_permissions.py asks each case).

Only the reform office of the plan's own municipality (and a superuser) may edit: department
staff of the same city and anybody outside it get 404 (the plan is not theirs to see here); an
office member without the permission to manage rounds gets 403; another city's plan is 404 for
the office too.
"""

from __future__ import annotations

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


CASES = [
    Case("office: plan page", "get", lambda w: f"{_base(w)}/", PAGE),
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
    Case("office: plan form", "get", lambda w: f"{_base(w)}/edit/", PAGE),
    Case(
        "office: edit plan",
        "post",
        lambda w: f"{_base(w)}/edit/",
        ACCEPTED,
        data=lambda w: {
            **_token(w.plan),
            "summary": "計画の概要を書いた。",
            "contact": "市政改革室",
        },
    ),
    Case(
        "office: edit plan of another city",
        "post",
        lambda w: f"/office/plans/{w.other_plan.slug}/edit/",
        OTHER_CITY | {"admin": 302},
        data=lambda w: {**_token(w.other_plan), "summary": "よその市の概要。"},
    ),
    Case("office: notes", "get", lambda w: f"{_base(w)}/notes/", PAGE),
    Case(
        "office: add note",
        "post",
        lambda w: f"{_base(w)}/notes/",
        ACCEPTED,
        data=lambda w: {"fiscal_year": 2024, "kind": "outcome", "title": "", "body": "成果。"},
    ),
    Case("office: note form", "get", lambda w: f"{_base(w)}/notes/{_note(w).pk}/", PAGE),
    Case("office: note, bad id", "get", lambda w: f"{_base(w)}/notes/{BAD_ID}/", BAD),
    Case(
        "office: edit note",
        "post",
        lambda w: f"{_base(w)}/notes/{_note(w).pk}/",
        ACCEPTED,
        data=lambda w: {**_token(_note(w)), "title": "見出し", "body": "書き直した成果。"},
        setup=_note,
    ),
    Case(
        "office: move note",
        "post",
        lambda w: f"{_base(w)}/notes/{_note(w).pk}/move/",
        ACCEPTED,
        data=lambda w: {**_token(_note(w)), "direction": "down"},
        setup=_two_notes,
    ),
    Case(
        "office: delete note",
        "post",
        lambda w: f"{_base(w)}/notes/{_note(w).pk}/delete/",
        ACCEPTED,
        data=lambda w: _token(_note(w)),
        setup=_note,
    ),
    Case(
        "office: pillar form",
        "get",
        lambda w: f"{_base(w)}/pillars/{w.initiative_a.pillar.order}/",
        PAGE,
    ),
    Case("office: pillar form, new", "get", lambda w: f"{_base(w)}/pillars/new/", PAGE),
    Case(
        "office: add pillar",
        "post",
        lambda w: f"{_base(w)}/pillars/new/",
        ACCEPTED,
        data=lambda w: {"order": 7, "name": "持続可能な行財政基盤の構築", "kind": "policy"},
    ),
    Case("office: pillar, bad order", "get", lambda w: f"{_base(w)}/pillars/99/", BAD),
    Case(
        "office: edit pillar",
        "post",
        lambda w: f"{_base(w)}/pillars/{w.initiative_a.pillar.order}/",
        ACCEPTED,
        data=_pillar_data,
    ),
    Case(
        "office: narrative form",
        "get",
        lambda w: f"{_base(w)}/pillars/{w.initiative_a.pillar.order}/narratives/2025/",
        PAGE,
    ),
    Case(
        "office: write narrative",
        "post",
        lambda w: f"{_base(w)}/pillars/{w.initiative_a.pillar.order}/narratives/2025/",
        ACCEPTED,
        data=lambda w: {"token": "", "done": "令和7年度においては…", "next_steps": "引き続き…"},
    ),
    Case(
        "office: interim narrative form",
        "get",
        lambda w: f"{_base(w)}/pillars/{w.initiative_a.pillar.order}/narratives/2025/interim/",
        PAGE,
    ),
    Case(
        "office: write interim narrative",
        "post",
        lambda w: f"{_base(w)}/pillars/{w.initiative_a.pillar.order}/narratives/2025/interim/",
        ACCEPTED,
        data=lambda w: {"token": "", "done": "令和7年度上半期においては…", "next_steps": ""},
    ),
    Case("office: initiatives", "get", lambda w: f"{_base(w)}/initiatives/", PAGE),
    Case(
        "office: add initiative",
        "post",
        lambda w: f"{_base(w)}/initiatives/",
        ACCEPTED,
        data=lambda w: {
            "code": "9-1",
            "pillar": w.initiative_a.pillar_id,
            "title": "新しい取組",
            "order": 9,
            "department": w.dept_a.pk,
            "evaluation_timing": "every_year",
        },
    ),
    Case(
        "office: initiative form",
        "get",
        lambda w: f"{_base(w)}/initiatives/{w.initiative_a.code}/",
        PAGE,
    ),
    Case(
        "office: initiative, unknown code",
        "get",
        lambda w: f"{_base(w)}/initiatives/no-such-code/",
        BAD,
    ),
    Case(
        "office: initiative of another city",
        "get",
        lambda w: f"{_base(w)}/initiatives/{w.other_entry.initiative.code}/",
        expect(302, 404, 404, 404, 404, 403),
    ),
    Case(
        "office: edit initiative",
        "post",
        lambda w: f"{_base(w)}/initiatives/{w.initiative_a.code}/",
        ACCEPTED,
        data=_initiative_data,
    ),
    Case(
        "office: move initiative",
        "post",
        lambda w: f"{_base(w)}/initiatives/{w.initiative_a.code}/move/",
        ACCEPTED,
        data=lambda w: {
            "move-token": edit_token(w.initiative_a),
            "move-pillar": make_pillar(w.plan).pk,
        },
    ),
    Case(
        "office: retire initiative",
        "post",
        lambda w: f"{_base(w)}/initiatives/{w.initiative_a.code}/retire/",
        ACCEPTED,
        data=lambda w: {
            "retire-token": edit_token(w.initiative_a),
            "retire-reason": "事業の統合により廃止",
        },
    ),
    Case(
        "office: delete unevaluated initiative",
        "post",
        lambda w: f"{_base(w)}/initiatives/x-1/delete/",
        ACCEPTED,
        data=lambda w: _token(Initiative.objects.get(plan=w.plan, code="x-1")),
        setup=lambda w: make_initiative(w.plan, department=w.dept_a, code="x-1"),
    ),
    Case("office: schedules", "get", lambda w: f"{_base(w)}/schedules/", PAGE),
    Case(
        "office: add schedule",
        "post",
        lambda w: f"{_base(w)}/schedules/",
        ACCEPTED,
        data=lambda w: {"fiscal_year": 2025, "title": "スケジュール（予定）", "first_month": 5},
    ),
    Case(
        "office: schedule grid",
        "get",
        lambda w: f"{_base(w)}/schedules/2025/",
        PAGE,
        setup=_schedule,
    ),
    Case(
        "office: schedule settings",
        "post",
        lambda w: f"{_base(w)}/schedules/2025/edit/",
        ACCEPTED,
        data=lambda w: {
            **_token(_schedule(w)),
            "title": "スケジュール（予定）",
            "first_month": 5,
            "open_ended_from": 12,
        },
        setup=_schedule,
    ),
    Case("office: schedule, no such year", "get", lambda w: f"{_base(w)}/schedules/2026/", BAD),
    Case(
        "office: add schedule row",
        "post",
        lambda w: f"{_base(w)}/schedules/2025/",
        ACCEPTED,
        data=lambda w: {"add": "lane", "lane-name": "局区X方針", "lane-order": ""},
        setup=_schedule,
    ),
    Case(
        "office: schedule row form",
        "get",
        lambda w: f"{_base(w)}/schedule-rows/{_lane(w).pk}/",
        PAGE,
    ),
    Case(
        "office: edit schedule row",
        "post",
        lambda w: f"{_base(w)}/schedule-rows/{_lane(w).pk}/",
        ACCEPTED,
        data=lambda w: {
            **_token(_lane(w)),
            "order": 1,
            "name": "X会議（改）",
            "shows_meetings": "on",
        },
        setup=_lane,
    ),
    Case(
        "office: remove schedule row",
        "post",
        lambda w: f"{_base(w)}/schedule-rows/{_lane(w).pk}/delete/",
        ACCEPTED,
        data=lambda w: _token(_lane(w)),
        setup=_lane,
    ),
    Case(
        "office: schedule activity form",
        "get",
        lambda w: f"{_base(w)}/schedule-activities/{_activity(w).pk}/",
        PAGE,
    ),
    Case(
        "office: edit schedule activity",
        "post",
        lambda w: f"{_base(w)}/schedule-activities/{_activity(w).pk}/",
        ACCEPTED,
        data=lambda w: {
            **_token(_activity(w)),
            "order": 1,
            "label": "PTの人選・結成",
            "start_month": 5,
            "end_month": 9,
        },
        setup=_activity,
    ),
    Case(
        "office: remove schedule activity",
        "post",
        lambda w: f"{_base(w)}/schedule-activities/{_activity(w).pk}/delete/",
        ACCEPTED,
        data=lambda w: _token(_activity(w)),
        setup=_activity,
    ),
    # What the admin was last needed for: title and period, a number, deleting a pillar or a
    # year's schedule, clusters, reinstating.
    Case("office: period form", "get", lambda w: f"{_base(w)}/period/", PAGE),
    Case(
        "office: edit period",
        "post",
        lambda w: f"{_base(w)}/period/",
        ACCEPTED,
        data=lambda w: {
            **_token(w.plan),
            "title": "新・市政改革プラン",
            "start_fiscal_year": "令和6年度",
            "end_fiscal_year": "2028",
            "adopted_precision": "day",
        },
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
    Case(
        "office: renumber initiative",
        "post",
        lambda w: f"{_base(w)}/initiatives/{w.initiative_a.code}/number/",
        ACCEPTED,
        data=lambda w: {"number-token": edit_token(w.initiative_a), "number-code": "9-9"},
    ),
    Case(
        "office: reinstate initiative",
        "post",
        lambda w: f"{_base(w)}/initiatives/{w.initiative_a.code}/reinstate/",
        ACCEPTED,
        data=lambda w: {
            "reinstate-token": edit_token(_fresh(w.initiative_a)),
            "reinstate-reason": "統合が見送られたため",
        },
        setup=_retired,
    ),
    Case(
        "office: pillar deletion page",
        "get",
        lambda w: f"{_base(w)}/pillars/{w.initiative_a.pillar.order}/delete/",
        PAGE,
    ),
    Case(
        "office: pillar deletion, bad order", "get", lambda w: f"{_base(w)}/pillars/99/delete/", BAD
    ),
    Case(
        "office: delete empty pillar",
        "post",
        lambda w: f"{_base(w)}/pillars/8/delete/",
        ACCEPTED,
        data=lambda w: _token(_empty_pillar(w)),
        setup=_empty_pillar,
    ),
    Case(
        "office: schedule deletion page",
        "get",
        lambda w: f"{_base(w)}/schedules/2025/delete/",
        PAGE,
        setup=_schedule,
    ),
    Case(
        "office: delete schedule",
        "post",
        lambda w: f"{_base(w)}/schedules/2025/delete/",
        ACCEPTED,
        data=lambda w: _token(_schedule(w)),
        setup=_activity,
    ),
    Case("office: clusters", "get", lambda w: f"{_base(w)}/clusters/", PAGE),
    Case(
        "office: add cluster",
        "post",
        lambda w: f"{_base(w)}/clusters/",
        ACCEPTED,
        data=lambda w: {"fiscal_year": "R6", "code": "1", "name": "保育所"},
    ),
    Case("office: cluster form", "get", lambda w: f"{_base(w)}/clusters/{_cluster(w).pk}/", PAGE),
    Case("office: cluster, bad id", "get", lambda w: f"{_base(w)}/clusters/{BAD_ID}/", BAD),
    Case(
        "office: edit cluster",
        "post",
        lambda w: f"{_base(w)}/clusters/{_cluster(w).pk}/",
        ACCEPTED,
        data=lambda w: {**_token(_cluster(w)), "fiscal_year": "2024", "code": "1", "name": "保育"},
        setup=_cluster,
    ),
    Case(
        "office: move cluster",
        "post",
        lambda w: f"{_base(w)}/clusters/{_cluster(w).pk}/move/",
        ACCEPTED,
        data=lambda w: {**_token(_cluster(w)), "direction": "down"},
        setup=_two_clusters,
    ),
    Case(
        "office: delete cluster",
        "post",
        lambda w: f"{_base(w)}/clusters/{_cluster(w).pk}/delete/",
        ACCEPTED,
        data=lambda w: _token(_cluster(w)),
        setup=_cluster,
    ),
]
