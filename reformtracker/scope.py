"""Who may see what: the one place that decides an object's scope.

A user's scope comes from their department memberships:

- department staff (所管課職員) see the entries of initiatives their departments own;
- a member of a reform office (市政改革室, ``Department.is_reform_office``) sees every plan of
  that office's municipality;
- a superuser sees everything.

Views fetch objects through these querysets (``get_object_or_404(scope.entries_for(user), ...)``),
so anything outside a user's scope is a 404 and its existence is not revealed. Whether an object
in scope may be *changed* is the workflow's question (evaluations.workflow), answered with 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.db import connection
from django.db.models import Q, QuerySet

STAFF = "staff"
OFFICE = "office"


@dataclass(frozen=True)
class Reach:
    """The departments a user belongs to and the municipalities whose reform office they are in."""

    everything: bool
    departments: frozenset[int]
    office_municipalities: frozenset[int]

    @property
    def is_office(self) -> bool:
        return self.everything or bool(self.office_municipalities)


_NOBODY = Reach(False, frozenset(), frozenset())


@cache
def _memberships_sql() -> str:
    """The user's departments with their municipality and reform-office flag. Plain SQL: every
    staff request starts here, and building the joined queryset cost more than running it."""
    from initiatives.models import Department, Membership

    q = connection.ops.quote_name
    m, d = Membership._meta, Department._meta
    return (
        f"SELECT d.{q('id')}, d.{q(d.get_field('municipality').column)}, "
        f"d.{q(d.get_field('is_reform_office').column)} "
        f"FROM {q(m.db_table)} m JOIN {q(d.db_table)} d "
        f"ON d.{q('id')} = m.{q(m.get_field('department').column)} "
        f"WHERE m.{q(m.get_field('user').column)} = %s"
    )


def reach_of(user) -> Reach:
    """Reads (once per user object, so once per request) what the user belongs to."""
    if user is None or not user.is_authenticated or not user.is_active:
        return _NOBODY
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


def _entry_q(reach: Reach, prefix: str = "") -> Q:
    # Only the parts the user has: most staff are in no reform office, and the empty half
    # would still cost a join to the plan.
    q = Q()
    if reach.departments:
        q |= Q(**{f"{prefix}initiative__department_id__in": reach.departments})
    if reach.office_municipalities:
        q |= Q(**{f"{prefix}initiative__plan__municipality_id__in": reach.office_municipalities})
    return q


def entries_for(user) -> QuerySet:
    """Entries the user may see (and, workflow permitting, act on)."""
    from evaluations.models import Entry

    reach = reach_of(user)
    qs = Entry.objects.select_related(
        "round__plan", "initiative__pillar", "initiative__department", "updated_by"
    )
    if reach.everything:
        return qs
    if not (reach.departments or reach.office_municipalities):
        return qs.none()
    return qs.filter(_entry_q(reach))


def initiatives_for(user) -> QuerySet:
    """Initiatives whose full (unpublished) history the user may see."""
    from initiatives.models import Initiative

    reach = reach_of(user)
    if reach.everything:
        return Initiative.objects.all()
    if not (reach.departments or reach.office_municipalities):
        return Initiative.objects.none()
    return Initiative.objects.filter(
        Q(department_id__in=reach.departments)
        | Q(plan__municipality_id__in=reach.office_municipalities)
    )


def plans_managed_by(user) -> QuerySet:
    """Plans whose rounds the user may open, close, review and publish (reform office)."""
    from initiatives.models import Plan

    reach = reach_of(user)
    if reach.everything:
        return Plan.objects.all()
    return Plan.objects.filter(municipality_id__in=reach.office_municipalities)


def rounds_for(user) -> QuerySet:
    """Rounds the user can see: those of plans they manage, or holding one of their entries."""
    from evaluations.models import Round

    reach = reach_of(user)
    qs = Round.objects.select_related("plan")
    if reach.everything:
        return qs
    if not (reach.departments or reach.office_municipalities):
        return qs.none()
    staff_rounds = Round.objects.filter(
        entries__initiative__department_id__in=reach.departments
    ).values("pk")
    return qs.filter(
        Q(plan__municipality_id__in=reach.office_municipalities) | Q(pk__in=staff_rounds)
    )


def evidence_for(user) -> QuerySet:
    """Evidence items (not removed) attached to entries the user may see."""
    from evaluations.models import Evidence

    return Evidence.objects.filter(
        entry__in=entries_for(user).values("pk"), removed_at__isnull=True
    ).select_related("entry")


def roles_for_entry(user, entry) -> frozenset[str]:
    """The capacities in which the user acts on this entry: 所管課 (staff), 市政改革室 (office)."""
    reach = reach_of(user)
    if reach.everything:
        return frozenset({STAFF, OFFICE})
    roles = set()
    if entry.initiative.department_id in reach.departments:
        roles.add(STAFF)
    if entry.round.plan.municipality_id in reach.office_municipalities:
        roles.add(OFFICE)
    return frozenset(roles)


def manages_plan(user, plan) -> bool:
    reach = reach_of(user)
    return reach.everything or plan.municipality_id in reach.office_municipalities
