"""Every history row names a declared action with a label, in Japanese and in English.

The codes are collected from the rows the seed and one run of every service write, not from the
source, so a writer that invents a code of its own is caught however it spells it."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from evaluations import masterdata, services, workbooks
from evaluations.choices import HistoryAction, RoundKind
from evaluations.models import HistoryEvent
from initiatives.models import Department
from tests.factories import make_initiative, make_pillar, make_plan

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
        user=admin, entry_id=entry.pk, expected_version=version(), values={"result": "achieved"}
    )
    item = services.add_evidence(
        user=admin, entry_id=entry.pk, title="資料", url="https://example.jp/a.pdf"
    )
    services.remove_evidence(user=admin, evidence_id=item.pk)
    for action, comment in (("submit", ""), ("return", "確認してください。"), ("submit", "")):
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


def test_every_action_written_by_the_seed_and_the_services_is_declared_with_labels(
    osaka, staff_kaikaku
):
    admin = get_user_model().objects.create_superuser("history-admin", password="x-unused-x")
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
    services.close_round(user=admin, round_id=round_.pk)
    _edit_master_data(admin)

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
