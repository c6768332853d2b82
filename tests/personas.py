"""The people of the tests and the small world they work in, as plain functions.

Personas: ``PERSONAS`` lists who the permission matrices ask (anonymous, staff of bureau A and
of bureau B, the reform office, an administrator); ``build_world`` makes one city with a reform
office (市政改革室) and two bureaus, A (環境局-like) and B; one plan with an open year-end
round holding one entry per bureau; and a second city whose plan nobody here may see.
``client_for`` signs a test client in as a persona; ``move`` walks an entry through the
workflow; ``make_member`` is a member of departments of the seed data (the report and workbook
tests). The fixtures that hand these out (``world``, ``as_persona``) are in tests/conftest.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from evaluations import services
from evaluations.choices import RoundKind
from evaluations.models import Entry, Round
from initiatives.models import Department, Initiative, Membership, Plan
from initiatives.roles import Role, ensure_groups
from tests.factories import make_department, make_initiative, make_municipality, make_plan

# office_member: in the reform office's department but given only the department staff's group,
# so without the permission to manage rounds. The office's round pages and its report pages
# refuse such a member alike (initiatives.access.manages_plan).
PERSONAS = ["anonymous", "staff_a", "staff_b", "office", "admin", "office_member"]

# Every persona's password (sign-in tests type it; the others use force_login).
PASSWORD = "correct-horse-battery-staple"


@dataclass
class World:
    plan: Plan
    round: Round
    dept_a: Department
    dept_b: Department
    office_dept: Department
    initiative_a: Initiative
    initiative_b: Initiative
    entry_a: Entry
    entry_b: Entry
    other_plan: Plan
    other_round: Round
    other_entry: Entry
    users: dict

    def refresh(self):
        self.entry_a.refresh_from_db()
        self.entry_b.refresh_from_db()
        return self


def make_user(username: str, *, department=None, group=None, superuser=False):
    """A user with PASSWORD, a member of ``department`` and in ``group`` (as staff are)."""
    user = get_user_model().objects.create_user(
        username=username,
        password=PASSWORD,
        first_name=f"{username} さん",
        email=f"{username}@example.jp",
        is_superuser=superuser,
        is_staff=superuser,
    )
    if department is not None:
        Membership.objects.create(user=user, department=department)
    if group is not None:
        user.groups.add(group)
    return user


def make_member(username: str, *departments: Department, perms=("submit_entry",)):
    """A member of ``departments`` holding ``perms`` directly (no group), as the report and
    workbook tests want staff of the seed's own departments."""
    user = get_user_model().objects.create_user(username=username, password="x-unused-x")
    for department in departments:
        Membership.objects.create(user=user, department=department)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="evaluations", codename__in=perms)
    )
    return get_user_model().objects.get(pk=user.pk)  # fresh: no cached permissions


def build_world() -> World:
    groups = ensure_groups()
    city = make_municipality(name="テスト市")
    office_dept = make_department(city, code="kaikaku", name="市政改革室", kind="office")
    Department.objects.filter(pk=office_dept.pk).update(is_reform_office=True)
    dept_a = make_department(city, code="kankyo", name="環境局")
    dept_b = make_department(city, code="zaisei", name="財政局")
    plan = make_plan(municipality=city, title="テスト市政改革プラン")
    initiative_a = make_initiative(plan, department=dept_a, title="ごみ収集業務の全面委託化")
    initiative_b = make_initiative(plan, department=dept_b, title="留保財産の取扱いの策定")
    round_ = services.open_round_as_system(
        plan=plan,
        fiscal_year=2024,
        kind=RoundKind.YEAR_END,
        as_of=date(2025, 3, 31),
        due_on=date(2025, 5, 31),
        actor_name="test",
    )
    other_city = make_municipality(name="よその市")
    other_office = make_department(other_city, code="henkaku", name="市政変革室", kind="office")
    Department.objects.filter(pk=other_office.pk).update(is_reform_office=True)
    other_plan = make_plan(municipality=other_city)
    make_initiative(other_plan)
    other_round = services.open_round_as_system(
        plan=other_plan, fiscal_year=2024, as_of=date(2025, 3, 31), actor_name="test"
    )
    users = {
        "staff_a": make_user("staff-a", department=dept_a, group=groups[Role.DEPARTMENT_STAFF]),
        "staff_b": make_user("staff-b", department=dept_b, group=groups[Role.DEPARTMENT_STAFF]),
        "office": make_user("office", department=office_dept, group=groups[Role.REFORM_OFFICE]),
        "admin": make_user("admin", superuser=True),
        "office_member": make_user(
            "office-member", department=office_dept, group=groups[Role.DEPARTMENT_STAFF]
        ),
        "other_office": make_user(
            "other-office", department=other_office, group=groups[Role.REFORM_OFFICE]
        ),
    }
    return World(
        plan=plan,
        round=round_,
        dept_a=dept_a,
        dept_b=dept_b,
        office_dept=office_dept,
        initiative_a=initiative_a,
        initiative_b=initiative_b,
        entry_a=round_.entries.get(initiative=initiative_a),
        entry_b=round_.entries.get(initiative=initiative_b),
        other_plan=other_plan,
        other_round=other_round,
        other_entry=other_round.entries.get(),
        users=users,
    )


def client_for(world: World, persona: str) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login(world.users[persona])
    return client


def in_english(client: Client) -> Client:
    """``client`` with the language switch's cookie set to English (the signed-in areas' way)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


HTMX = {"HTTP_HX_REQUEST": "true"}


def edit_data(entry: Entry, **values) -> dict:
    data = {
        "result": entry.result,
        "reason": entry.reason,
        "narrative": entry.narrative,
        "staff_comment": entry.staff_comment,
        "version": entry.version,
    }
    data.update(values)
    return data


def move(world: World, entry: Entry, *steps: str, result: str = "achieved") -> Entry:
    """Walks an entry through the workflow as staff A / the office would (services, not SQL);
    "reopen" reopens its published round for a correction."""
    for step in steps:
        entry.refresh_from_db()
        if step == "edit":
            services.edit_entry(
                user=world.users["admin"],
                entry_id=entry.pk,
                expected_version=entry.version,
                values={"result": result, "narrative": "進捗を入力しました。"},
            )
        elif step in ("submit", "confirm"):
            services.transition_entry(
                user=world.users["admin"],
                entry_id=entry.pk,
                expected_version=entry.version,
                action=step,
            )
        elif step == "return":
            services.transition_entry(
                user=world.users["admin"],
                entry_id=entry.pk,
                expected_version=entry.version,
                action="return",
                comment="根拠資料を添付してください。",
            )
        elif step == "reopen":  # the office reopens the published round for a correction
            services.reopen_round(
                user=world.users["admin"], round_id=entry.round_id, reason="誤りの訂正"
            )
        else:
            raise ValueError(step)
    entry.refresh_from_db()
    return entry


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def signed_in(username: str) -> Client:
    """A client signed in as an existing user (a demo account, say), whose server errors come
    back as 500 responses rather than exceptions, as a visitor would see them."""
    client = Client(raise_request_exception=False)
    client.force_login(get_user_model().objects.get(username=username))
    return client
