"""Every history row names a declared action with a label, in Japanese and in English.

The codes are collected from the rows the seed and one run of every service write, not from the
source, so a writer that invents a code of its own is caught however it spells it."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import translation

from evaluations import identity, masterdata, services, workbooks
from evaluations.choices import HistoryAction, RoundKind
from evaluations.models import HistoryEvent, PillarNarrative
from evaluations.onboarding import reader as onboarding_reader
from evaluations.onboarding import template as onboarding_template
from evaluations.services import meetings, onboarding, plan_edits
from initiatives.models import (
    AnalysisCluster,
    Department,
    Membership,
    Municipality,
    PlanNote,
)
from tests.factories import (
    make_initiative,
    make_pillar,
    make_plan,
)
from xmeetings.models import (
    Meeting,
    MeetingMaterial,
    MeetingTopic,
    Schedule,
    ScheduleActivity,
    ScheduleLane,
)

pytestmark = pytest.mark.django_db

SHEET = "2 官民連携の推進"


def _copy(obj, **changes):
    """An unsaved twin of ``obj`` (so masterdata.save records a creation)."""
    values = {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}
    values.pop(type(obj)._meta.pk.attname)
    return type(obj)(**values | changes)


def _import_one_row(round_, user) -> None:
    department = Department.objects.get(code="shisei-kaikaku")
    book = openpyxl.load_workbook(io.BytesIO(workbooks.export_round(round_, department)))
    book[SHEET]["G2"] = "達成"
    out = io.BytesIO()
    book.save(out)
    workbooks.import_workbook(out.getvalue(), user=user)


def _walk_one_entry(entry, admin) -> None:
    def version():
        entry.refresh_from_db()
        return entry.version

    services.edit_entry(
        user=admin,
        entry_id=entry.pk,
        expected_version=version(),
        values={"result": "achieved"},
    )
    item = services.add_evidence(
        user=admin, entry_id=entry.pk, title="資料", url="https://example.jp/a.pdf"
    )
    services.remove_evidence(user=admin, evidence_id=item.pk)
    for action, comment in (
        ("submit", ""),
        ("return", "確認してください。"),
        ("submit", ""),
    ):
        services.transition_entry(
            user=admin,
            entry_id=entry.pk,
            expected_version=version(),
            action=action,
            comment=comment,
        )
    services.transition_entry(
        user=admin, entry_id=entry.pk, expected_version=version(), action="confirm"
    )


def _edit_master_data(admin) -> None:
    plan = make_plan(slug="history-labels")
    pillar = make_pillar(plan)
    initiative = make_initiative(plan, pillar=pillar)
    for obj, changes in (
        (plan, {"slug": "history-labels-2"}),
        (pillar, {"order": pillar.order + 1}),
        (initiative, {"code": "9-99"}),
    ):
        twin = _copy(obj, **changes)
        masterdata.save(twin, actor=admin)  # .create
        obj.refresh_from_db()
        if hasattr(obj, "title"):
            obj.title += "（改）"
        else:
            obj.name += "（改）"
        masterdata.save(obj, actor=admin)  # .change
        masterdata.delete(twin, actor=admin)  # .delete


def _edit_everything_else_in_the_admin(admin, round_) -> None:
    """Creates, changes and deletes one of each other model the admin writes, through
    masterdata as the admin does; a meeting's and a schedule's parts go with their parent."""
    plan = make_plan(slug="history-labels-others")
    city = Municipality(slug="rireki", name="履歴市", name_en="Rireki City")
    user = get_user_model()(username="history-member")
    department = Department(municipality=city, code="rireki", name="履歴局")
    meeting = Meeting(
        plan=plan, fiscal_year=2025, number=1, date_year=2025, date_month=5, date_day=23
    )
    schedule = Schedule(plan=plan, fiscal_year=2025)
    lane = ScheduleLane(schedule=schedule, order=1, name="柱1")
    # (object, a text field to change)
    edits = [
        (city, "name"),
        (department, "name"),
        (user, "first_name"),
        (Membership(user=user, department=department), None),
        (Group(name="履歴グループ"), "name"),
        (
            PlanNote(plan=plan, fiscal_year=2025, kind="outcome", order=1, body="本文"),
            "body",
        ),
        (AnalysisCluster(plan=plan, fiscal_year=2025, code="C1", name="分析"), "name"),
        (
            PillarNarrative(pillar=make_pillar(plan), fiscal_year=2025, done="取組"),
            "done",
        ),
        (meeting, "title"),
        (
            MeetingTopic(plan=plan, fiscal_year=2025, meeting=meeting, name="保育所"),
            "name",
        ),
        (
            MeetingMaterial(meeting=meeting, title="資料1", url="https://example.jp/1.pdf"),
            "title",
        ),
        (schedule, "title"),
        (lane, "name"),
        (
            ScheduleActivity(lane=lane, order=1, label="検討", start_month=4, end_month=6),
            "label",
        ),
    ]
    for obj, text_field in edits:
        masterdata.save(obj, actor=admin)  # .create
        if text_field:
            setattr(obj, text_field, getattr(obj, text_field) + "（改）")
            masterdata.save(obj, actor=admin)  # .change
    # The office's meeting pages: linking an initiative, unlinking it, marking the meeting held.
    item = make_initiative(plan)
    meetings.link_initiative(user=admin, meeting_id=meeting.pk, initiative_id=item.pk)
    meetings.unlink_initiative(user=admin, meeting_id=meeting.pk, initiative_id=item.pk)
    meetings.mark_meeting_held(user=admin, meeting_id=meeting.pk)
    membership = Membership.objects.get(user=user)
    membership.department = Department.objects.get(code="shisei-kaikaku")
    masterdata.save(membership, actor=admin)  # membership.change
    masterdata.record_password_change(user, actor=admin)  # user.password
    round_.due_on = date(2026, 5, 31)
    masterdata.save(round_, actor=admin)  # round.change
    for obj, _text_field in reversed(edits):
        if type(obj)._base_manager.filter(pk=obj.pk).exists():  # else went with its parent
            masterdata.delete(obj, actor=admin)  # .delete


def _remind_one_department(round_, admin) -> None:
    """A reminder of an overdue entry, to a department with a member who has mail."""
    entry = round_.entries.filter(state="not_started").select_related("initiative").first()
    member = get_user_model().objects.create_user("history-remind", email="remind@example.jp")
    Membership.objects.create(user=member, department=entry.initiative.department)
    type(round_).objects.filter(pk=round_.pk).update(due_on=date(2026, 4, 30))
    services.send_reminder(
        user=admin,
        round_id=round_.pk,
        department_id=entry.initiative.department_id,
        today=date(2026, 5, 1),
    )


@pytest.fixture
def operator(db):
    """The first-run setup, on the site while it is still empty (before the other fixtures)."""
    return onboarding.create_operator(
        username="history-operator", email="op@example.jp", password="x-Operator-2025!"
    )


def _onboard_a_city(operator) -> None:
    """A new city's office creates its plan from the downloaded plan workbook (plan.import)."""
    city = Municipality.objects.create(slug="rireki-new", name="履歴新市")
    office = Department.objects.create(
        municipality=city, code="kaikaku", name="改革室", is_reform_office=True
    )
    data = onboarding_template.build(city)
    book = openpyxl.load_workbook(io.BytesIO(data))
    book["計画"]["B4"], book["計画"]["B7"] = "履歴新市プラン", "令和7年度"
    book["柱"].append([1, "柱", "", "取組方針"])
    book["取組項目"].append(["1", 1, office.code, "取組"])
    buffer = io.BytesIO()
    book.save(buffer)
    onboarding.import_plan(
        user=operator,
        municipality=city,
        parsed=onboarding_reader.parse(buffer.getvalue()),
    )


def _edit_in_the_office_pages(admin) -> None:
    """The actions only the office's own pages write (evaluations.services.plan_edits)."""
    plan = make_plan(slug="history-labels-office")
    initiative = make_initiative(plan)
    token = plan_edits.edit_token
    other = make_pillar(plan)
    plan_edits.move_initiative(
        user=admin,
        initiative_id=initiative.pk,
        token=token(initiative),
        pillar_id=other.pk,
    )
    initiative.refresh_from_db()
    plan_edits.retire_initiative(
        user=admin, initiative_id=initiative.pk, token=token(initiative), reason="統合"
    )
    notes = [
        plan_edits.add_note(
            user=admin,
            plan_id=plan.pk,
            values={"fiscal_year": 2025, "kind": "outcome", "body": b},
        )
        for b in ("一", "二")
    ]
    plan_edits.move_note(user=admin, note_id=notes[1].pk, token=token(notes[1]), direction="up")
    # What the admin was last needed for: a reinstatement, a new number, clusters reordered.
    initiative.refresh_from_db()
    plan_edits.reinstate_initiative(
        user=admin, initiative_id=initiative.pk, token=token(initiative), reason="再開"
    )
    initiative.refresh_from_db()
    plan_edits.renumber_initiative(
        user=admin, initiative_id=initiative.pk, token=token(initiative), code="99-1"
    )
    clusters = [
        plan_edits.add_cluster(
            user=admin, plan_id=plan.pk, values={"fiscal_year": 2025, "code": c, "name": c}
        )
        for c in ("1", "2")
    ]
    plan_edits.move_cluster(
        user=admin, cluster_id=clusters[1].pk, token=token(clusters[1]), direction="up"
    )


def _define_and_record_an_indicator(round_, admin):
    from decimal import Decimal

    from evaluations.services import indicators

    initiative = round_.entries.first().initiative
    indicator = indicators.define_indicator(
        user=admin,
        initiative_id=initiative.pk,
        values={
            "name": "委託件数",
            "unit": "件",
            "direction": "increase",
            "baseline_value": Decimal(0),
            "baseline_year": 2024,
            "target_value": Decimal(10),
            "target_year": 2026,
        },
    )
    indicators.record_indicator_values(
        user=admin, round_id=round_.pk, values={indicator.pk: Decimal(4)}
    )


def test_every_action_written_by_the_seed_and_the_services_is_declared_with_labels(
    operator, osaka, staff_kaikaku
):
    admin = get_user_model().objects.create_superuser("history-admin", password="x-unused-x")
    _onboard_a_city(operator)
    round_ = services.open_round(
        user=admin,
        plan=osaka,
        fiscal_year=2025,
        kind=RoundKind.YEAR_END,
        as_of=date(2026, 3, 31),
        due_on=None,
    )
    _import_one_row(round_, staff_kaikaku)
    _walk_one_entry(round_.entries.order_by("-pk").first(), admin)
    _remind_one_department(round_, admin)
    _define_and_record_an_indicator(round_, admin)
    services.close_round(user=admin, round_id=round_.pk)
    published = osaka.rounds.get(fiscal_year=2024)
    services.reopen_round(user=admin, round_id=published.pk, reason="誤記の訂正")
    _edit_master_data(admin)
    _edit_everything_else_in_the_admin(admin, round_)
    _edit_in_the_office_pages(admin)
    identity.update_identity(
        user=admin, slug=osaka.municipality.slug, values={"contact": "市政改革室"}
    )

    written = set(HistoryEvent.objects.values_list("action", flat=True))
    # The run above writes every declared action (a new one needs a step here) …
    assert written == set(HistoryAction.values)
    # … and each reads as a label in both languages, never as its code.
    for code in written:
        japanese = str(HistoryAction(code).label)
        with translation.override("en"):
            english = str(HistoryAction(code).label)
        assert japanese and japanese != code
        assert english and english != code and english != japanese, code
