"""Who sees what: the reach a user's memberships give, the roles it holds on an entry, and the
one rule for the reform office of a plan."""

from __future__ import annotations

from evaluations import access, workflow
from evaluations.choices import EntryState as S
from evaluations.models import Entry
from initiatives.access import SYSTEM, manages_plan, reach_of
from initiatives.models import Plan
from initiatives.roles import Role
from tests.personas import move


def test_it_gives_each_persona_its_roles_on_an_entry_without_a_query(
    world, django_assert_num_queries
):
    entry = access.entries_for(world.users["admin"]).get(pk=world.entry_a.pk)
    reaches = {name: reach_of(world.users[name]) for name in world.users}
    with django_assert_num_queries(0):
        roles = {name: access.roles_on(reach, entry) for name, reach in reaches.items()}
        system = access.roles_on(SYSTEM, entry)
    assert roles == {
        "staff_a": {Role.DEPARTMENT_STAFF},
        "staff_b": set(),
        "office": {Role.REFORM_OFFICE},
        "office_member": {Role.REFORM_OFFICE},
        "admin": set(Role),
        "other_office": set(),
    }
    assert system == set(Role)


def test_it_reads_the_same_roles_from_ids_as_from_the_entry(world):
    # The workbook import reads ids, not entries: the same rule answers it.
    entry = world.entry_a
    for user in world.users.values():
        reach = reach_of(user)
        by_ids = reach.roles(entry.initiative.department_id, world.plan.municipality_id)
        assert by_ids == access.roles_for(user, entry)


def test_it_lets_only_the_reform_office_with_the_permission_manage_a_plan(world):
    managers = {name for name, user in world.users.items() if manages_plan(user, world.plan)}
    assert managers == {"office", "admin"}
    assert list(Plan.objects.managed_by(world.users["office_member"])) == []
    assert list(Plan.objects.in_office_reach(world.users["office_member"])) == [world.plan]


def test_it_holds_a_round_back_until_every_entry_is_confirmed(world):
    assert {S.CONFIRMED, S.PUBLISHED} == workflow.PUBLISHABLE
    entries = Entry.objects.filter(round=world.round)
    assert entries.not_ready_to_publish().count() == 2
    move(world, world.entry_a, "edit", "submit", "confirm")
    assert list(entries.not_ready_to_publish()) == [world.entry_b]
    move(world, world.entry_b, "edit", "submit", "confirm")
    assert not entries.not_ready_to_publish().exists()
