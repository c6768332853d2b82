"""Personas and the seeded database for the report, workbook and import tests."""

from datetime import date

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from evaluations import seed, services
from evaluations.choices import RoundKind
from initiatives.models import Department, Membership, Plan

OSAKA_SLUG = "osaka-shin-shisei-kaikaku"
KITAKYUSHU_SLUG = "kitakyushu-shisei-henkaku"


@pytest.fixture
def seeded(db):
    for name in ("osaka.json", "kitakyushu.json"):
        seed.load_file(settings.BASE_DIR / "fixtures" / name)


@pytest.fixture
def osaka(seeded) -> Plan:
    return Plan.objects.select_related("municipality").get(slug=OSAKA_SLUG)


@pytest.fixture
def kitakyushu(seeded) -> Plan:
    return Plan.objects.select_related("municipality").get(slug=KITAKYUSHU_SLUG)


@pytest.fixture
def open_round_2025(osaka):
    """令和7年度末の照会: every office-tracked item blank (未着手), as a new year starts."""
    return services.open_round(
        plan=osaka,
        fiscal_year=2025,
        kind=RoundKind.YEAR_END,
        as_of=date(2026, 3, 31),
        actor_name="test",
    )


def make_user(username: str, *departments: Department, perms=("submit_entry",)):
    user = get_user_model().objects.create_user(username=username, password="x-unused-x")
    for department in departments:
        Membership.objects.create(user=user, department=department)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="evaluations", codename__in=perms)
    )
    return get_user_model().objects.get(pk=user.pk)  # fresh: no cached permissions


@pytest.fixture
def staff_kaikaku(osaka):
    """Staff of 市政改革室's own items (so staff of a department, for import purposes)."""
    return make_user("kaikaku", Department.objects.get(code="shisei-kaikaku"))


@pytest.fixture
def staff_zaisei(osaka):
    return make_user("zaisei", Department.objects.get(code="zaisei"))
