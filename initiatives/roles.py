"""The two capacities staff act in, with the group each is given and that group's permissions.

A user's *role on an object* comes from their department memberships (initiatives.access); what
a role may do there also needs the Django permission its group grants (evaluations.workflow).
This is the one vocabulary for both: the workflow's table, the staff groups and the demo
accounts all name roles by ``Role``.

The data migration evaluations/0003 keeps its own frozen copy of the groups, as migrations
should; ``ensure_groups`` re-grants today's definition (a flushed test database has no groups).
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    # 所管課: the department owning an initiative enters and submits its answer.
    DEPARTMENT_STAFF = "department_staff", _("所管課職員")
    # 市政改革室 (Department.is_reform_office): reviews, confirms and publishes its city's plans.
    REFORM_OFFICE = "reform_office", _("市政改革室")

    @property
    def group_name(self) -> str:
        """The auth group's name: stored in the database, so never translated."""
        return GROUP_NAMES[self]


GROUP_NAMES = {Role.DEPARTMENT_STAFF: "所管課職員", Role.REFORM_OFFICE: "市政改革室"}

# The permission a role needs on top of its membership to manage a plan's rounds (open, close,
# publish) and to take its reports.
MANAGE_ROUND = "evaluations.manage_round"

# Department staff enter and submit their own answers; which ones is initiatives.access's call.
STAFF_PERMISSIONS = ("submit_entry", "view_entry")

# The reform office maintains plans and results through the admin and runs the workflow; nobody
# gets add/change/delete on history (the model refuses it anyway).
OFFICE_APPS = ("initiatives", "evaluations", "xmeetings")
OFFICE_NEVER = ("add_historyevent", "change_historyevent", "delete_historyevent")


def ensure_groups() -> dict[Role, Group]:
    """Creates (or resets) both groups with their permissions."""
    staff, _created = Group.objects.get_or_create(name=Role.DEPARTMENT_STAFF.group_name)
    staff.permissions.set(
        Permission.objects.filter(
            content_type__app_label="evaluations", codename__in=STAFF_PERMISSIONS
        )
    )
    office, _created = Group.objects.get_or_create(name=Role.REFORM_OFFICE.group_name)
    office.permissions.set(
        Permission.objects.filter(content_type__app_label__in=OFFICE_APPS).exclude(
            codename__in=OFFICE_NEVER
        )
    )
    return {Role.DEPARTMENT_STAFF: staff, Role.REFORM_OFFICE: office}
