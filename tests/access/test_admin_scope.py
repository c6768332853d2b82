"""The admin is the site operator's tool: anyone but a superuser is refused at every admin URL
(the reform office works in its own pages), every write through it is recorded in history, and
the scope that cut the admin to an office user's own city stays as a second fence.

The people are the demo accounts (``manage.py load_demo_accounts``) on the seed's two cities:
``osaka-office`` and ``kitakyushu-office`` (市政改革室 / 市政変革室, staff with the office's group),
``osaka-kankyo`` (環境局 staff) and ``admin`` (a superuser).
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse

from evaluations import services
from evaluations.admin_scope import _Scope
from evaluations.models import HistoryEvent, PillarNarrative, Round
from initiatives.models import (
    AnalysisCluster,
    Department,
    Initiative,
    Membership,
    Municipality,
    Plan,
    PlanNote,
)
from xmeetings.models import Meeting, MeetingTopic

pytestmark = pytest.mark.django_db

DRAFT = "大阪の未公表の下書き：民間委託の交渉は難航中"


@pytest.fixture
def cities(open_round_2025, kitakyushu):
    """Both cities with the demo accounts; Osaka's open round holds an unpublished draft, and
    Kitakyushu has an open round of its own."""
    call_command("load_demo_accounts", stdout=io.StringIO())
    users = {u.username: u for u in get_user_model().objects.all()}
    entry = open_round_2025.entries.order_by("pk").first()
    services.edit_entry(
        user=users["admin"],
        entry_id=entry.pk,
        expected_version=entry.version,
        values={"narrative": DRAFT},
    )
    kitakyushu_round = services.open_round_as_system(
        plan=kitakyushu,
        fiscal_year=2025,
        as_of=date(2026, 3, 31),
        due_on=date(2026, 5, 31),
        actor_name="test",
    )
    return {"users": users, "draft_entry": entry, "kitakyushu_round": kitakyushu_round}


def signed_in(cities, username: str) -> Client:
    client = Client()
    client.force_login(cities["users"][username])
    return client


def url(obj, view: str) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=[obj.pk])


def changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def _municipalities_of(obj, depth: int = 5) -> set[int]:
    """The cities an object belongs to, found by following its foreign keys (not the admin's
    own scope rules, so a model the scope forgot is caught)."""
    if isinstance(obj, Municipality):
        return {obj.pk}
    if isinstance(obj, Plan | Department):
        return {obj.municipality_id}
    found: set[int] = set()
    if depth == 0:
        return found
    for field in obj._meta.concrete_fields:
        if field.many_to_one and getattr(obj, field.attname) is not None:
            if field.related_model is get_user_model():
                continue
            related = getattr(obj, field.name, None)
            if related is not None:
                found |= _municipalities_of(related, depth - 1)
    return found


def _kitakyushu_objects(cities) -> list:
    plan = Plan.objects.get(slug="kitakyushu-shisei-henkaku")
    objects = [
        plan,
        plan.pillars.first(),
        plan.initiatives.first(),
        PlanNote.objects.filter(plan=plan).first(),
        Meeting.objects.filter(plan=plan).first(),
        MeetingTopic.objects.filter(plan=plan).first(),
        PillarNarrative.objects.filter(pillar__plan=plan).first(),
        cities["kitakyushu_round"],
        cities["kitakyushu_round"].entries.first(),
        plan.schedules.first(),
        plan.schedules.first().lanes.first(),
        Department.objects.get(municipality__slug="kitakyushu", code="shisei-henkaku"),
    ]
    return [obj for obj in objects if obj is not None]


# --- nobody but a superuser ----------------------------------------------------------------------
# The reform office sets up and edits its plan in its own pages (/office/setup/…); the admin is
# the site operator's tool. The scope below stays as a second fence: were the door opened to
# office users again, they would still reach only their own city (the RequestFactory tests).

OUTSIDERS = ("osaka-office", "kitakyushu-office", "osaka-kankyo")


def _department_post(department, user) -> dict:
    return {
        "municipality": department.municipality_id,
        "code": department.code,
        "name": department.name,
        "kind": department.kind,
        "is_reform_office": "on",
        "memberships-TOTAL_FORMS": 1,
        "memberships-INITIAL_FORMS": 0,
        "memberships-0-user": user.pk,
        "memberships-0-department": department.pk,
    }


def _every_admin_address(cities) -> list[str]:
    addresses = [reverse("admin:index"), reverse("admin:login")]
    addresses += [changelist(model) for model in admin.site._registry]
    for obj in [*_kitakyushu_objects(cities), cities["draft_entry"]]:
        addresses += [url(obj, view) for view in ("change", "delete", "history")]
    return addresses


@pytest.mark.parametrize("username", OUTSIDERS)
def test_anyone_but_a_superuser_is_refused_at_every_admin_url_and_reads_nothing(cities, username):
    user = cities["users"][username]
    user.is_staff = True  # the flag the admin used to go by opens nothing any more
    user.save()
    client = signed_in(cities, username)
    for address in _every_admin_address(cities):
        response = client.get(address)
        page = response.content.decode()
        assert response.status_code == 403, (address, response.status_code)
        assert "管理画面はサイトの運用者だけが使えます" in page, address
        assert DRAFT not in page, address


def test_a_superuser_still_reaches_the_admin_and_every_object_page(cities):
    client = signed_in(cities, "admin")
    assert client.get(reverse("admin:index")).status_code == 200
    for obj in [*_kitakyushu_objects(cities), cities["draft_entry"]]:
        assert client.get(url(obj, "change")).status_code == 200, obj


def test_an_office_user_can_change_nothing_through_the_admin(cities):
    office = cities["users"]["osaka-office"]
    client = signed_in(cities, "osaka-office")
    department = Department.objects.get(municipality__slug="osaka", code="kankyo")
    kitakyushu = Plan.objects.get(slug="kitakyushu-shisei-henkaku")
    note = PlanNote.objects.filter(plan=kitakyushu).first()
    rounds, departments = Round.objects.count(), Department.objects.count()
    posts = [
        (url(department, "change"), _department_post(department, office)),
        (reverse("admin:initiatives_department_add"), {"code": "x", "name": "新設局"}),
        (
            reverse("admin:evaluations_round_add"),
            {"plan": kitakyushu.pk, "fiscal_year": 2026, "as_of": "2027-03-31"},
        ),
        (url(note, "change"), {"body": "改ざん"}),
        (url(note, "delete"), {"post": "yes"}),
        (url(office, "change"), {"username": office.username, "is_superuser": "on"}),
    ]
    for address, data in posts:
        assert client.post(address, data).status_code == 403, address
    assert (Round.objects.count(), Department.objects.count()) == (rounds, departments)
    assert not Membership.objects.filter(user=office, department=department).exists()
    note.refresh_from_db()
    assert note.body != "改ざん"
    office.refresh_from_db()
    assert not office.is_superuser


def test_the_refusal_points_the_office_to_its_own_pages(cities):
    page = signed_in(cities, "osaka-office").get(reverse("admin:index")).content.decode()
    assert 'href="/office/setup/osaka/"' in page or 'href="/staff/"' in page


# --- every write recorded ----------------------------------------------------------------------


def test_a_change_to_a_round_records_before_and_after(cities, open_round_2025):
    client = signed_in(cities, "admin")
    response = client.post(url(open_round_2025, "change"), {"due_on": "2026-06-30"})
    assert response.status_code == 302
    event = HistoryEvent.objects.get(action="round.change", subject_id=open_round_2025.pk)
    assert event.actor == cities["users"]["admin"]
    assert event.changes["due_on"]["after"] == "2026-06-30"
    assert event.changes["due_on"]["before"] == str(open_round_2025.due_on or "")


def _narrative_form(narrative, done: str) -> dict:
    """The admin's change form of a pillar narrative as it loads, with ``done`` typed over."""
    return {
        "pillar": narrative.pillar_id,
        "fiscal_year": narrative.fiscal_year,
        "kind": narrative.kind,
        "done": done,
        "next_steps": narrative.next_steps,
        "cluster_count": narrative.cluster_count or "",
    }


def test_a_narrative_edit_records_before_and_after(cities):
    narrative = PillarNarrative.objects.filter(pillar__plan__slug="osaka-shin-shisei-kaikaku")[0]
    old = narrative.done
    response = signed_in(cities, "admin").post(
        url(narrative, "change"), _narrative_form(narrative, done="新しい取組状況")
    )
    assert response.status_code == 302
    event = HistoryEvent.objects.get(action="pillarnarrative.change")
    assert event.changes["done"] == {"before": old, "after": "新しい取組状況"}
    assert event.subject_repr == str(narrative)


def test_text_typed_in_the_admin_refuses_invisible_control_characters(cities):
    narrative = PillarNarrative.objects.filter(pillar__plan__slug="osaka-shin-shisei-kaikaku")[0]
    old = narrative.done
    response = signed_in(cities, "admin").post(
        url(narrative, "change"), _narrative_form(narrative, done="達成\u202e済み")
    )
    assert response.status_code == 200
    assert "制御文字（U+202E）は使えません" in response.content.decode()
    narrative.refresh_from_db()
    assert narrative.done == old
    assert not HistoryEvent.objects.filter(action="pillarnarrative.change").exists()


def test_the_admins_round_form_refuses_a_year_written_in_the_era_as_the_office_form_does(cities):
    osaka = Plan.objects.get(slug="osaka-shin-shisei-kaikaku")
    before = Round.objects.count()
    response = signed_in(cities, "admin").post(
        reverse("admin:evaluations_round_add"),
        {"plan": osaka.pk, "fiscal_year": "7", "kind": "year_end", "as_of": "2026-03-31"},
    )
    assert response.status_code == 200
    assert "年度は西暦で入力してください" in response.content.decode()
    assert Round.objects.count() == before


def test_deleting_a_meeting_keeps_its_text_and_its_topics_in_history(cities):
    meeting = Meeting.objects.filter(plan__slug="kitakyushu-shisei-henkaku").first()
    meeting.summary = "議論の要旨：保育所の民営化について"
    meeting.save()
    MeetingTopic.objects.create(
        plan=meeting.plan, fiscal_year=meeting.fiscal_year, meeting=meeting, name="保育所の民営化"
    )
    topics = list(meeting.topics.values_list("name", flat=True))
    client = signed_in(cities, "admin")
    assert client.post(url(meeting, "delete"), {"post": "yes"}).status_code == 302
    assert not Meeting.objects.filter(pk=meeting.pk).exists()
    deleted = HistoryEvent.objects.get(action="meeting.delete", subject_id=meeting.pk)
    assert deleted.changes["summary"]["before"] == "議論の要旨：保育所の民営化について"
    assert deleted.actor == cities["users"]["admin"]
    recorded_topics = HistoryEvent.objects.filter(action="meetingtopic.delete")
    assert sorted(e.changes["name"]["before"] for e in recorded_topics) == sorted(topics)


def test_bulk_deleting_plan_notes_records_each_ones_text(cities):
    notes = list(PlanNote.objects.filter(plan__slug="kitakyushu-shisei-henkaku")[:3])
    signed_in(cities, "admin").post(
        changelist(PlanNote),
        {"action": "delete_selected", "_selected_action": [n.pk for n in notes], "post": "yes"},
    )
    assert not PlanNote.objects.filter(pk__in=[n.pk for n in notes]).exists()
    events = HistoryEvent.objects.filter(action="plannote.delete")
    assert sorted(e.changes["body"]["before"] for e in events) == sorted(n.body for n in notes)


def test_a_superusers_membership_change_is_recorded_with_before_and_after(cities):
    department = Department.objects.get(municipality__slug="osaka", code="kankyo")
    office = cities["users"]["osaka-office"]
    data = _department_post(department, office)
    data["is_reform_office"] = ""
    data["name_en"] = department.name_en
    response = signed_in(cities, "admin").post(url(department, "change"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Membership.objects.filter(user=office, department=department).exists()
    event = HistoryEvent.objects.get(action="membership.create")
    assert event.changes["user"]["after"] == str(office)
    assert event.changes["department"]["after"] == str(department)
    assert event.actor == cities["users"]["admin"]


def test_a_superuser_making_a_department_a_reform_office_is_recorded(cities):
    department = Department.objects.get(municipality__slug="osaka", code="kankyo")
    data = _department_post(department, cities["users"]["admin"])
    data["memberships-TOTAL_FORMS"] = 0
    data["name_en"] = department.name_en
    response = signed_in(cities, "admin").post(url(department, "change"), data)
    assert response.status_code == 302
    event = HistoryEvent.objects.get(action="department.change")
    assert event.changes["is_reform_office"] == {"before": False, "after": True}


def test_a_superusers_change_of_a_users_groups_is_recorded_without_the_password(cities):
    office = cities["users"]["osaka-office"]
    client = signed_in(cities, "admin")
    response = client.get(url(office, "change"))
    form = response.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data["groups"] = []
    data["user_permissions"] = []
    data["date_joined_0"], data["date_joined_1"] = "2025-04-01", "09:00:00"
    data["last_login_0"] = data["last_login_1"] = ""
    data["is_active"] = "on"
    data["is_staff"] = "on"
    response = client.post(url(office, "change"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = HistoryEvent.objects.get(action="user.change", subject_id=office.pk)
    assert event.changes["groups"] == {"before": ["市政改革室"], "after": []}
    assert "password" not in event.changes


def test_admin_history_events_never_reach_an_initiatives_staff_history_of_the_other_city(
    cities,
):
    note = PlanNote.objects.filter(plan__slug="kitakyushu-shisei-henkaku").first()
    signed_in(cities, "admin").post(url(note, "delete"), {"post": "yes"})
    event = HistoryEvent.objects.get(action="plannote.delete")
    assert event.initiative_id is None and event.round_id is None
    osaka_history = signed_in(cities, "osaka-office").get(changelist(HistoryEvent))
    assert osaka_history.status_code == 403
    assert note.body[:20] not in osaka_history.content.decode()


# --- siblings: every registered model ----------------------------------------------------------


def test_every_registered_model_admin_is_held_by_the_scope():
    unscoped = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, _Scope)
    ]
    assert unscoped == []


def test_every_registered_model_gives_an_office_user_nothing_or_only_its_own_city(cities):
    request = RequestFactory().get("/admin/")
    request.user = get_user_model().objects.get(username="osaka-office")
    osaka_city = Municipality.objects.get(slug="osaka").pk
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_view_permission(request):
            assert not model_admin.has_change_permission(request), model
            assert not model_admin.has_delete_permission(request), model
            assert not model_admin.has_add_permission(request), model
            continue
        for row in model_admin.get_queryset(request):
            assert _municipalities_of(row) <= {osaka_city}, (model, row)
        for obj in _kitakyushu_objects(cities):
            if isinstance(obj, model):
                assert not model_admin.get_queryset(request).filter(pk=obj.pk).exists()
                assert not model_admin.has_change_permission(request, obj)
                assert not model_admin.has_delete_permission(request, obj)


def test_who_may_do_what_is_for_superusers_only(cities):
    request = RequestFactory().get("/admin/")
    request.user = get_user_model().objects.get(username="osaka-office")
    for model in (Department, Membership, Municipality, get_user_model()):
        model_admin = admin.site._registry.get(model)
        if model_admin is None:
            continue
        assert not model_admin.has_add_permission(request), model
        assert not model_admin.has_change_permission(request), model
        assert not model_admin.has_delete_permission(request), model
    department_admin = admin.site._registry[Department]
    department = Department.objects.get(municipality__slug="osaka", code="kankyo")
    assert not any(
        inline.has_add_permission(request, department)
        for inline in department_admin.get_inline_instances(request, department)
    )


def test_a_superuser_setting_a_users_password_is_recorded_without_either_hash(cities):
    office = cities["users"]["osaka-office"]
    response = signed_in(cities, "admin").post(
        reverse("admin:auth_user_password_change", args=[office.pk]),
        {"password1": "N3w-pass-for-office!", "password2": "N3w-pass-for-office!"},
    )
    assert response.status_code == 302
    event = HistoryEvent.objects.get(action="user.password", subject_id=office.pk)
    assert event.changes == {}
    office.refresh_from_db()
    assert office.password[:20] not in str(HistoryEvent.objects.values_list("changes"))


def test_sign_in_records_are_read_only_even_for_a_superuser(cities):
    request = RequestFactory().get("/admin/")
    request.user = cities["users"]["admin"]
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label == "axes":
            assert model_admin.has_view_permission(request)
            assert not model_admin.has_delete_permission(request)
            assert not model_admin.has_change_permission(request)


def test_deleting_a_cluster_records_the_initiatives_that_lose_it(cities):
    initiative = Initiative.objects.filter(plan__slug="osaka-shin-shisei-kaikaku").first()
    cluster = AnalysisCluster.objects.create(
        plan=initiative.plan, fiscal_year=2025, code="C-9", name="保育の分析"
    )
    Initiative.objects.filter(pk=initiative.pk).update(cluster=cluster)
    response = signed_in(cities, "admin").post(url(cluster, "delete"), {"post": "yes"})
    assert response.status_code == 302
    assert HistoryEvent.objects.get(action="analysiscluster.delete").changes["name"] == {
        "before": "保育の分析",
        "after": "",
    }
    lost = HistoryEvent.objects.get(action="initiative.change", initiative=initiative)
    assert lost.changes == {"cluster": {"before": str(cluster), "after": ""}}


def test_an_office_user_cannot_make_itself_a_superuser_or_widen_its_group(cities):
    office = cities["users"]["osaka-office"]
    group = office.groups.get()
    client = signed_in(cities, "osaka-office")
    response = client.post(
        url(office, "change"),
        {"username": office.username, "is_superuser": "on", "is_staff": "on", "is_active": "on"},
    )
    assert response.status_code == 403
    response = client.post(url(group, "change"), {"name": group.name, "permissions": []})
    assert response.status_code == 403
    office.refresh_from_db()
    assert not office.is_superuser
    assert group.permissions.exists()


def test_recent_actions_on_the_admin_index_show_only_the_users_own(cities):
    note = PlanNote.objects.filter(plan__slug="kitakyushu-shisei-henkaku").first()
    signed_in(cities, "admin").post(url(note, "delete"), {"post": "yes"})
    response = signed_in(cities, "osaka-office").get(reverse("admin:index"))
    assert response.status_code == 403
    assert str(note) not in response.content.decode()


def test_a_superuser_reads_a_deleted_notes_text_field_by_field_in_the_admin(cities):
    note = PlanNote.objects.filter(plan__slug="kitakyushu-shisei-henkaku").first()
    signed_in(cities, "admin").post(url(note, "delete"), {"post": "yes"})
    event = HistoryEvent.objects.get(action="plannote.delete")
    page = signed_in(cities, "admin").get(url(event, "change")).content.decode()
    assert "本文" in page  # the field's label, not its name
    assert note.body[:40] in page
