"""Who a user is in the organisation, and the plan-level rules that follow from it.

A user's reach comes from their department memberships:

- department staff (所管課職員) act on the initiatives their departments own;
- a member of a reform office (市政改革室, ``Department.is_reform_office``) acts on every plan of
  that office's municipality;
- a superuser reaches everything.

The querysets built on the reach are model methods (``Plan.objects.managed_by(user)``,
``Initiative.objects.visible_to(user)``, and in evaluations ``Entry.objects.visible_to(user)``);
the helpers that answer 404 or 403 for one object are in evaluations.access. Whether an object
in reach may be *changed* is the workflow's question (evaluations.workflow).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db import connection
from django.db.models import Q

from initiatives.roles import MANAGE_ROUND, Role
from reformtracker import memos


@dataclass(frozen=True)
class Reach:
    """The departments a user belongs to and the municipalities whose reform office they are in."""

    everything: bool
    departments: frozenset[int]
    office_municipalities: frozenset[int]

    @property
    def is_office(self) -> bool:
        return self.everything or bool(self.office_municipalities)

    @property
    def is_empty(self) -> bool:
        return not (self.everything or self.departments or self.office_municipalities)

    def roles(self, department_id: int, municipality_id: int) -> frozenset[Role]:
        """The roles this reach holds on an initiative of ``department_id`` in a plan of
        ``municipality_id``: 所管課 if it is their department's, 市政改革室 if their city's."""
        if self.everything:
            return frozenset(Role)
        roles = set()
        if department_id in self.departments:
            roles.add(Role.DEPARTMENT_STAFF)
        if municipality_id in self.office_municipalities:
            roles.add(Role.REFORM_OFFICE)
        return frozenset(roles)

    def initiatives_q(self, prefix: str = "") -> Q:
        """Initiatives in reach, as a filter on ``prefix`` + the initiative's fields. Only the
        parts the user has: most staff are in no reform office, and the empty half would still
        cost a join to the plan. Not for an empty or unlimited reach (callers answer those)."""
        q = Q()
        if self.departments:
            q |= Q(**{f"{prefix}department_id__in": self.departments})
        if self.office_municipalities:
            q |= Q(**{f"{prefix}plan__municipality_id__in": self.office_municipalities})
        return q


NOBODY = Reach(False, frozenset(), frozenset())
# What the system itself acts with (the seed loader, an import run without a user).
SYSTEM = Reach(True, frozenset(), frozenset())


@memos.lru(maxsize=1)
def _memberships_sql() -> str:
    """The user's departments with their municipality and reform-office flag. Plain SQL: every
    staff request starts here, and building the joined queryset cost more than running it."""
    membership = apps.get_model("initiatives", "Membership")._meta
    department = apps.get_model("initiatives", "Department")._meta
    q = connection.ops.quote_name
    return (
        f"SELECT d.{q('id')}, d.{q(department.get_field('municipality').column)}, "
        f"d.{q(department.get_field('is_reform_office').column)} "
        f"FROM {q(membership.db_table)} m JOIN {q(department.db_table)} d "
        f"ON d.{q('id')} = m.{q(membership.get_field('department').column)} "
        f"WHERE m.{q(membership.get_field('user').column)} = %s"
    )


def reach_of(user) -> Reach:
    """Reads (once per user object, so once per request) what the user belongs to."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOBODY
    cached = getattr(user, "_scope_reach", None)
    if cached is not None:
        return cached
    departments, offices = set(), set()
    with connection.cursor() as cursor:
        cursor.execute(_memberships_sql(), [user.pk])
        for dept_id, municipality_id, is_office in cursor:
            departments.add(dept_id)
            if is_office:
                offices.add(municipality_id)
    reach = Reach(user.is_superuser, frozenset(departments), frozenset(offices))
    user._scope_reach = reach
    return reach


def manages_rounds(user) -> bool:
    """Whether the user is the reform office of some plan: in a reform office (or a superuser)
    and holding the permission to manage rounds. The office's pages ask this first."""
    return reach_of(user).is_office and user.has_perm(MANAGE_ROUND)


def manages_plan(user, plan) -> bool:
    """The one rule for "the reform office of this plan": a member of the reform office of the
    plan's municipality (or a superuser) who holds the permission to manage rounds. Rounds,
    publication and the plan's reports all ask this."""
    reach = reach_of(user)
    in_office = reach.everything or plan.municipality_id in reach.office_municipalities
    return in_office and user.has_perm(MANAGE_ROUND)
