"""The staff groups come from a data migration, so a freshly migrated database (production
included) can run the workflow without load_demo_accounts."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from evaluations import services
from initiatives.roles import Role, ensure_groups
from tests.personas import make_user

pytestmark = pytest.mark.django_db


def _codenames(name: str) -> set[str]:
    return set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))


def test_it_has_the_department_staff_group_after_migrating(migrated_groups):
    assert migrated_groups["所管課職員"] == {"submit_entry", "view_entry"}


def test_it_has_the_reform_office_group_after_migrating(migrated_groups):
    codenames = migrated_groups["市政改革室"]
    assert {"review_entry", "manage_round", "submit_entry", "change_initiative"} <= codenames
    assert {"add_historyevent", "change_historyevent", "delete_historyevent"}.isdisjoint(codenames)


def test_it_lets_a_migrated_groups_member_edit_their_entry(world):
    # A user made by hand (as in production), given the migrated group and a department.
    clerk = make_user("clerk", department=world.dept_a, group=Group.objects.get(name="所管課職員"))
    entry = services.edit_entry(
        user=clerk,
        entry_id=world.entry_a.pk,
        expected_version=world.entry_a.version,
        values={"result": "achieved"},
    )
    assert entry.state == "in_progress"


def test_it_creates_no_users_when_migrating(django_user_model):
    assert not django_user_model.objects.exists()


def test_it_grants_today_the_groups_the_migration_made(migrated_groups):
    # load_demo_accounts (and a flushed test database) re-grant the groups from
    # initiatives.roles; the migration keeps its own frozen copy. They must agree.
    migrated = {role: migrated_groups[role.group_name] for role in Role}
    groups = ensure_groups()
    assert {role: _codenames(group.name) for role, group in groups.items()} == migrated
