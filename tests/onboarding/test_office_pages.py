"""The operator registers a municipality with its reform office and first account; the office
adds its departments' staff; each page answers only whom it is for (another city's: 404)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

from evaluations.choices import HistoryAction
from evaluations.models import HistoryEvent
from initiatives.models import Department, Membership, Municipality
from initiatives.roles import Role
from tests.personas import build_world, client_for

MIDORI = {
    "name": "みどり市",
    "name_en": "Midori City (fictional)",
    "prefecture": "13",
    "local_code": "",
    "slug": "midori",
    "office_code": "kaikaku",
    "office_name": "行政改革課",
    "office_name_en": "Administrative Reform Division",
    "username": "midori-office",
    "full_name": "改革 花子",
    "email": "office@midori.example.jp",
    "password": "",
}


@pytest.fixture
def world(db):
    return build_world()


def test_the_operator_registers_a_city_its_office_and_a_set_password_link(world):
    client = client_for(world, "admin")
    response = client.post("/office/setup/", MIDORI, follow=True)
    assert response.status_code == 200
    city = Municipality.objects.get(slug="midori")
    office = Department.objects.get(municipality=city)
    assert (office.name, office.is_reform_office, office.kind) == ("行政改革課", True, "office")
    user = get_user_model().objects.get(username="midori-office")
    assert not user.has_usable_password() and not user.is_staff
    assert list(user.groups.values_list("name", flat=True)) == [Role.REFORM_OFFICE.group_name]
    assert Membership.objects.filter(user=user, department=office).exists()
    actions = set(HistoryEvent.objects.values_list("action", flat=True))
    assert {
        "municipality.create",
        "department.create",
        "user.create",
        "membership.create",
    } <= actions

    # The link in the message lets the holder choose a password, once.
    link = re.search(
        r"http://testserver(/office/setup/password/[^/\s]+/[^/\s]+/)", response.content.decode()
    )
    anonymous = client_for(world, "anonymous")
    form = anonymous.get(link.group(1), follow=True)
    assert "パスワードの設定" in form.content.decode()
    new = {"new_password1": "Sakura-Gate-4821!", "new_password2": "Sakura-Gate-4821!"}
    done = anonymous.post(form.redirect_chain[-1][0], new)
    assert done.status_code == 302, done.context["form"].errors
    assert done["Location"] == "/accounts/login/"
    user.refresh_from_db()
    assert user.check_password("Sakura-Gate-4821!")
    again = anonymous.get(link.group(1), follow=True)
    assert "使用済みか、有効期限が切れています" in again.content.decode()


def test_a_municipality_with_a_bad_local_code_is_refused_in_japanese(world):
    response = client_for(world, "admin").post("/office/setup/", {**MIDORI, "local_code": "131000"})
    assert response.status_code == 422
    assert not Municipality.objects.filter(slug="midori").exists()
    assert not get_user_model().objects.filter(username="midori-office").exists()


def test_a_taken_username_refuses_the_whole_registration(world):
    response = client_for(world, "admin").post("/office/setup/", {**MIDORI, "username": "staff-a"})
    assert response.status_code == 422
    assert "ユーザー名「staff-a」は既に使われています" in response.content.decode()
    assert not Municipality.objects.filter(slug="midori").exists()


def test_the_office_adds_a_department_staff_account_that_signs_in_to_its_entries(world):
    client = client_for(world, "office")
    slug = world.plan.municipality.slug
    response = client.post(
        f"/office/setup/{slug}/staff/",
        {
            "department": world.dept_a.pk,
            "username": "kankyo-2",
            "full_name": "環境 次郎",
            "email": "kankyo2@example.jp",
            "password": "Kankyo-Staff-2025!",
        },
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(username="kankyo-2")
    assert list(user.groups.values_list("name", flat=True)) == [Role.DEPARTMENT_STAFF.group_name]
    assert user.email == "kankyo2@example.jp"
    event = HistoryEvent.objects.get(action=HistoryAction.MEMBERSHIP_CREATE)
    assert event.actor == world.users["office"]
    staff = client_for(world, "anonymous")
    signed_in = staff.post(
        "/accounts/login/", {"username": "kankyo-2", "password": "Kankyo-Staff-2025!"}
    )
    assert signed_in.status_code == 302
    worklist = staff.get("/staff/").content.decode()
    assert world.initiative_a.title in worklist and world.initiative_b.title not in worklist


def test_the_office_cannot_add_an_account_in_another_citys_department(world):
    other = Department.objects.get(code="henkaku")
    response = client_for(world, "office").post(
        f"/office/setup/{world.plan.municipality.slug}/staff/",
        {"department": other.pk, "username": "spy", "email": "spy@example.jp"},
    )
    assert response.status_code == 422
    assert not get_user_model().objects.filter(username="spy").exists()


def _pages(world) -> list[str]:
    slug = world.plan.municipality.slug
    return [
        f"/office/setup/{slug}/",
        f"/office/setup/{slug}/plan/",
        f"/office/setup/{slug}/plan/template.xlsx",
        f"/office/setup/{slug}/staff/",
    ]


# persona → status of the city's office pages
EXPECTED = {
    "anonymous": 302,
    "staff_a": 404,
    "staff_b": 404,
    "office": 200,
    "admin": 200,
    "office_member": 403,
    "other_office": 404,
}


@pytest.mark.parametrize("persona", EXPECTED)
def test_the_office_pages_answer_only_the_citys_office_and_the_operator(world, persona):
    client = client_for(world, persona)
    for page in _pages(world):
        response = client.get(page)
        assert response.status_code == EXPECTED[persona], (page, persona)
        if persona == "anonymous":
            assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", 302), ("staff_a", 403), ("office_member", 403), ("admin", 200)],
)
def test_only_the_operator_registers_municipalities(world, persona, status):
    assert client_for(world, persona).get("/office/setup/").status_code == status


def test_an_office_member_is_sent_from_the_list_to_its_own_city(world):
    response = client_for(world, "office").get("/office/setup/")
    assert response.status_code == 302
    assert response["Location"] == f"/office/setup/{world.plan.municipality.slug}/"


def test_a_bad_municipality_is_404_for_everyone_signed_in(world):
    assert client_for(world, "admin").get("/office/setup/no-such-city/").status_code == 404
