"""Edits of master data in the admin are history too: an initiative's title, target, 所管, … each
before → after, who and when; deletions are recorded (and refused for an initiative with entries
or published results); nobody edits or deletes the record."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict

from evaluations import masterdata, services
from evaluations.models import HistoryEvent
from initiatives.models import Initiative, Pillar, Plan
from tests.factories import make_initiative, make_pillar, make_plan
from tests.personas import client_for, move


def _form_data(obj, **changes) -> dict:
    data = {k: ("" if v is None else v) for k, v in model_to_dict(obj).items()}
    # A JSON field's widget holds JSON text (Plan.indicator_bands), as a browser sends it.
    data = {k: json.dumps(v) if isinstance(v, list | dict) else v for k, v in data.items()}
    data = {k: v for k, v in data.items() if v is not False}  # an unticked checkbox is absent
    data.update(changes)
    return data


def _change(world, obj, **changes):
    url = f"/admin/{obj._meta.app_label}/{obj._meta.model_name}/{obj.pk}/change/"
    return client_for(world, "admin").post(url, _form_data(obj, **changes))


def test_it_records_each_changed_field_of_an_initiative_edited_in_the_admin(world):
    initiative = world.initiative_a
    response = _change(
        world,
        initiative,
        title="ごみ収集業務の全面民間委託化",
        target="令和7年度までに全区で委託",
        department=world.dept_b.pk,
    )
    assert response.status_code == 302, response.content[:2000]
    event = HistoryEvent.objects.get(action="initiative.change")
    assert event.initiative_id == initiative.pk
    assert event.actor == world.users["admin"]
    assert event.changes == {
        "title": {"before": "ごみ収集業務の全面委託化", "after": "ごみ収集業務の全面民間委託化"},
        "target": {"before": initiative.target, "after": "令和7年度までに全区で委託"},
        "department": {"before": "環境局", "after": "財政局"},
    }


def test_it_writes_no_row_for_an_admin_save_that_changes_nothing(world):
    assert _change(world, world.initiative_a).status_code == 302
    assert not HistoryEvent.objects.filter(action__startswith="initiative.").exists()


def test_it_shows_initiative_edits_to_staff_on_the_initiative_page_but_not_to_the_public(world):
    _change(world, world.initiative_a, title="ごみ収集業務の全面民間委託化")
    url = Initiative.objects.get(pk=world.initiative_a.pk).get_absolute_url()
    staff_page = client_for(world, "office").get(url).content.decode()
    history = staff_page[staff_page.index('id="initiative-history"') :]
    assert "取組項目の変更" in history
    assert 'ごみ収集業務の全面委託化</span> → <span class="after">ごみ収集業務の全面民間委託化' in (
        history
    )
    public_page = client_for(world, "anonymous").get(url).content.decode()
    assert "取組項目の変更" not in public_page


def test_it_records_an_initiative_created_in_the_admin(world):
    data = _form_data(world.initiative_a, code="9-9", title="新しい取組", order=99)
    response = client_for(world, "admin").post("/admin/initiatives/initiative/add/", data)
    assert response.status_code == 302, response.content[:2000]
    created = Initiative.objects.get(code="9-9")
    event = HistoryEvent.objects.get(action="initiative.create")
    assert event.initiative_id == created.pk
    assert event.changes["title"] == {"before": "", "after": "新しい取組"}


def test_it_refuses_deleting_an_initiative_that_has_entries(world):
    url = f"/admin/initiatives/initiative/{world.initiative_a.pk}/delete/"
    response = client_for(world, "admin").post(url, {"post": "yes"})
    assert response.status_code == 200  # the admin's "cannot delete: protected" page
    assert Initiative.objects.filter(pk=world.initiative_a.pk).exists()
    assert not HistoryEvent.objects.filter(action="initiative.delete").exists()
    with pytest.raises(ValidationError, match="削除できません"):
        masterdata.delete(world.initiative_a, actor=world.users["admin"])


def test_it_refuses_deleting_an_initiative_with_published_results(world):
    move(world, world.entry_a, "edit", "submit", "confirm")
    move(world, world.entry_b, "edit", "submit", "confirm")
    services.publish_round(user=world.users["admin"], round_id=world.round.pk)
    with pytest.raises(ValidationError):
        masterdata.delete(world.initiative_b, actor=world.users["admin"])


def test_it_records_a_deletion_and_keeps_the_initiatives_history(world):
    spare = make_initiative(world.plan, department=world.dept_a, title="予備の取組")
    masterdata.save(spare, actor=world.users["admin"])  # an edit first: it has history
    _change(world, spare, title="予備の取組（改）")
    response = client_for(world, "admin").post(
        f"/admin/initiatives/initiative/{spare.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Initiative.objects.filter(pk=spare.pk).exists()
    events = HistoryEvent.objects.filter(initiative_id=spare.pk)
    assert [e.action for e in events] == ["initiative.delete", "initiative.change"]
    deleted = events[0]
    assert deleted.changes["title"] == {"before": "予備の取組（改）", "after": ""}
    assert deleted.subject_repr and deleted.actor == world.users["admin"]


def test_it_deletes_in_bulk_through_the_service(world):
    spares = [make_initiative(world.plan, department=world.dept_a) for _ in range(2)]
    response = client_for(world, "admin").post(
        "/admin/initiatives/initiative/",
        {"action": "delete_selected", "_selected_action": [s.pk for s in spares], "post": "yes"},
    )
    assert response.status_code == 302
    assert HistoryEvent.objects.filter(action="initiative.delete").count() == 2


def test_it_records_plan_edits_and_their_inline_pillars(world):
    plan = Plan.objects.get(pk=world.plan.pk)
    pillars = list(plan.pillars.order_by("order"))
    data = _form_data(plan, title="テスト市政改革プラン（改訂版）")
    data.pop("id", None)
    data.update(
        {
            "pillars-TOTAL_FORMS": len(pillars),
            "pillars-INITIAL_FORMS": len(pillars),
            "pillars-MIN_NUM_FORMS": 0,
            "pillars-MAX_NUM_FORMS": 1000,
        }
    )
    for n, p in enumerate(pillars):
        data.update(
            {
                f"pillars-{n}-id": p.pk,
                f"pillars-{n}-plan": plan.pk,
                f"pillars-{n}-order": p.order,
                f"pillars-{n}-name": p.name + "（改）" if n == 0 else p.name,
                f"pillars-{n}-kind": p.kind,
                f"pillars-{n}-managed_through": p.managed_through,
            }
        )
        if p.office_tracks_items:
            data[f"pillars-{n}-office_tracks_items"] = "on"
    response = client_for(world, "admin").post(f"/admin/initiatives/plan/{plan.pk}/change/", data)
    assert response.status_code == 302, response.content[:3000]
    plan_event = HistoryEvent.objects.get(action="plan.change")
    assert plan_event.subject_id == plan.pk and plan_event.subject_type == "initiatives.plan"
    assert plan_event.changes["title"]["after"] == "テスト市政改革プラン（改訂版）"
    pillar_event = HistoryEvent.objects.get(action="pillar.change")
    assert pillar_event.subject_id == pillars[0].pk
    assert pillar_event.changes["name"]["after"].endswith("（改）")
    assert Pillar.objects.get(pk=pillars[0].pk).name.endswith("（改）")


def test_it_offers_no_way_to_edit_or_delete_the_record_in_the_admin(world):
    _change(world, world.initiative_a, title="変更後")
    event = HistoryEvent.objects.get(action="initiative.change")
    client = client_for(world, "admin")
    base = f"/admin/evaluations/historyevent/{event.pk}"
    assert client.post(f"{base}/delete/", {"post": "yes"}).status_code == 403
    client.post(f"{base}/change/", {"comment": "x"})
    assert HistoryEvent.objects.get(pk=event.pk).comment == ""
    with pytest.raises(PermissionError):
        event.delete()


def test_it_records_each_initiative_and_pillar_that_goes_with_a_deleted_plan(world):
    plan = make_plan(municipality=world.plan.municipality, title="予備の計画")
    pillar = make_pillar(plan, name="予備の柱")
    spares = [make_initiative(plan, pillar=pillar, department=world.dept_a).pk for _ in range(2)]
    plan_pk, pillar_pk = plan.pk, pillar.pk
    masterdata.delete(plan, actor=world.users["admin"])
    assert not Plan.objects.filter(pk=plan_pk).exists()
    deletions = HistoryEvent.objects.filter(action__endswith=".delete").order_by("id")
    assert list(deletions.values_list("action", "subject_id")) == [
        ("initiative.delete", spares[0]),
        ("initiative.delete", spares[1]),
        ("pillar.delete", pillar_pk),
        ("plan.delete", plan_pk),
    ]


def test_it_refuses_a_plan_deletion_whole_when_an_initiative_has_entries(world):
    with pytest.raises(ValidationError, match="削除できません"):
        masterdata.delete(Plan.objects.get(pk=world.plan.pk), actor=world.users["admin"])
    assert Plan.objects.filter(pk=world.plan.pk).exists()
    assert Initiative.objects.filter(plan=world.plan).count() >= 2
    assert not HistoryEvent.objects.filter(action__endswith=".delete").exists()
