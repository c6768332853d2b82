"""One helper per object type for the doors staff come through (staff pages, reports, import).

Each fetches through the models' ``visible_to``/``managed_by`` querysets, which build on the
user's reach (initiatives.access): outside it an object is 404, so its existence is not revealed;
in reach but not the user's to manage, 403. What an entry's holder may do to it in its state is
the workflow's question (evaluations.workflow), asked with the roles ``roles_for`` gives.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from evaluations.models import Entry, Evidence, Round
from initiatives.access import Reach, manages_plan, manages_rounds, reach_of
from initiatives.models import Initiative, Plan
from initiatives.roles import Role

# What every staff page shows of an entry, read with it.
ENTRY_RELATED = ("round__plan", "initiative__pillar", "initiative__department", "updated_by")


def roles_on(reach: Reach, entry: Entry) -> frozenset[Role]:
    """The capacities in which a reach acts on this entry: 所管課 (its initiative's department),
    市政改革室 (its plan's municipality). No query: the entry's initiative and round's plan are
    read with it (``entries_for``)."""
    return reach.roles(entry.initiative.department_id, entry.round.plan.municipality_id)


def roles_for(user, entry: Entry) -> frozenset[Role]:
    return roles_on(reach_of(user), entry)


def entries_for(user) -> QuerySet[Entry]:
    """Entries the user may see, with what staff pages show of them."""
    return Entry.objects.visible_to(user).select_related(*ENTRY_RELATED)


def entry_for_user(user, pk: int, entries: QuerySet[Entry] | None = None) -> Entry:
    """The entry, or 404 outside the user's reach. ``entries``: a narrower ``entries_for``."""
    entry = get_object_or_404(entries if entries is not None else entries_for(user), pk=pk)
    _share_plan(entry)
    return entry


def _share_plan(entry: Entry) -> None:
    """An entry's initiative is of its round's plan: the plan read with the round serves the
    initiative too (its public address, on every entry page), rather than a query of its own."""
    if not (Entry.round.is_cached(entry) and Entry.initiative.is_cached(entry)):
        return
    round_, initiative = entry.round, entry.initiative
    if (
        Round.plan.is_cached(round_)
        and not Initiative.plan.is_cached(initiative)
        and initiative.plan_id == round_.plan_id
    ):
        initiative.plan = round_.plan


def evidence_for(user) -> QuerySet[Evidence]:
    """Evidence items (not removed) of entries the user may see."""
    return Evidence.objects.visible_to(user).select_related("entry")


def evidence_for_user(user, pk: int, **lookup) -> Evidence:
    """An evidence item (not removed) of an entry the user may see, or 404."""
    return get_object_or_404(evidence_for(user), pk=pk, **lookup)


def rounds_for(user) -> QuerySet[Round]:
    return Round.objects.visible_to(user).select_related("plan")


def require_round_manager(user) -> None:
    """403 unless the user is the reform office of some plan (the office's own pages)."""
    if not manages_rounds(user):
        raise PermissionDenied(_("照会の管理は市政改革室の職員だけが行えます。"))


def round_for_manager(user, pk: int) -> Round:
    """A round the user manages: 404 if they cannot see it, 403 if they see it (staff with an
    entry in it, an office member without the permission) but do not manage its plan."""
    round_ = get_object_or_404(rounds_for(user), pk=pk)
    if not manages_plan(user, round_.plan):
        raise PermissionDenied(_("照会の管理は市政改革室の職員だけが行えます。"))
    return round_


def plan_for_manager(user, slug: str) -> Plan:
    """A plan whose reports the user may take: 404 outside their reform office's reach, 403
    for an office member who does not manage it (as on the plan's round pages)."""
    plan = get_object_or_404(
        Plan.objects.in_office_reach(user).select_related("municipality"), slug=slug
    )
    if not manages_plan(user, plan):
        raise PermissionDenied(_("照会の管理は市政改革室の職員だけが行えます。"))
    return plan
