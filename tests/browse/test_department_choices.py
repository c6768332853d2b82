"""The browser's department choices (evaluations.browse._department_choices) step through the
index ``initiative_plan_department`` one department at a time (a recursive query, a loose index
scan) instead of reading every initiative of the chosen plans; they must list exactly the
departments the plain reading of every initiative listed."""

import re

import pytest
from django.db import connection
from django.db.models import Q

from evaluations import browse as browse_module
from initiatives.models import Department, Initiative, Plan
from tests import explain
from tests.constants import KITAKYUSHU, OSAKA
from tests.factories import make_department, make_plan

pytestmark = pytest.mark.django_db


def _read_every_initiative(plan_ids, chosen):
    """The choices as they were read before the loose index scan: every initiative of the
    plans, their departments made distinct by a UNION (kept here as the reference)."""
    q = connection.ops.quote_name
    marks = ", ".join(["%s"] * len(plan_ids)) or "NULL"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT d.{q('id')} FROM {q(Department._meta.db_table)} d"
            f" JOIN {q('initiatives_municipality')} m ON m.{q('id')} = d.{q('municipality_id')}"
            f" WHERE d.{q('id')} IN (SELECT i.{q('department_id')}"
            f" FROM {q(Initiative._meta.db_table)} i WHERE i.{q('plan_id')} IN ({marks})"
            f" UNION SELECT %s) ORDER BY m.{q('slug')}, d.{q('code')}",
            [*plan_ids, chosen or 0],
        )
        return [row[0] for row in cursor.fetchall()]


def _by_the_orm(plan_ids, chosen):
    return list(
        Department.objects.filter(Q(initiatives__plan__in=plan_ids) | Q(pk=chosen or 0))
        .distinct()
        .order_by("municipality__slug", "code")
        .values_list("pk", flat=True)
    )


@pytest.fixture
def plans(seeded):
    osaka = Plan.objects.get(slug=OSAKA)
    kitakyushu = Plan.objects.get(slug=KITAKYUSHU)
    empty = make_plan(municipality=osaka.municipality)
    elsewhere = make_department()  # a department of another city, owning no initiative
    return {"osaka": osaka, "kitakyushu": kitakyushu, "empty": empty, "elsewhere": elsewhere}


CASES = {
    "one plan": (["osaka"], None),
    "several plans": (["osaka", "kitakyushu"], None),
    "no plan": ([], None),
    "no plan, a department chosen": ([], "elsewhere"),
    "a chosen department not in the plan": (["kitakyushu"], "elsewhere"),
    "a plan with no initiatives": (["empty"], None),
    "a plan with no initiatives beside one with some": (["empty", "osaka"], None),
}


@pytest.mark.parametrize("case", CASES)
def test_the_choices_are_the_departments_reading_every_initiative_finds(plans, case):
    names, chosen_name = CASES[case]
    plan_ids = [plans[name].pk for name in names]
    chosen = plans[chosen_name].pk if chosen_name else None
    listed = [d.pk for d in browse_module._department_choices(plan_ids, chosen)]
    assert listed == _read_every_initiative(plan_ids, chosen) == _by_the_orm(plan_ids, chosen)
    if names and names != ["empty"]:
        assert len(listed) > 1  # the seed's plans own initiatives of several departments
    if chosen:
        assert chosen in listed


def test_the_choices_are_read_in_one_query(plans, django_assert_num_queries):
    with django_assert_num_queries(1):
        browse_module._department_choices([plans["osaka"].pk, plans["kitakyushu"].pk], None)


def test_the_choices_probe_the_plan_department_index(plans):
    statements = []

    def kept(execute, sql, params, many, context):
        statements.append((sql, list(params or [])))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(kept):
        browse_module._department_choices([plans["osaka"].pk], None)
    ((sql, params),) = statements
    # As run: PostgreSQL 15 shows the recursive step's subqueries only once it has run.
    plan = explain.plan(sql, params, analyze=True, run=True)
    assert "initiative_plan_department" in plan
    # Both steps (a plan's first department, then the next above it) probe the index.
    assert plan.count("initiative_plan_department") >= 2
    # The next department is found by a range probe (above the last one), not by a read of
    # the plan's items.
    assert re.search(r"initiative_plan_department.*(\n.*){0,3}department_id\s*>\s*(\?|s\.)", plan)
