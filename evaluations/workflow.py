"""The entry workflow of an update round (照会), in one table.

    未着手 ─編集→ 入力中 ─提出→ 提出済 ─確認→ 確認済 ─公表→ 公表
                    ↑                 │              │          │
                    └─編集── 差戻し ←─┴──────差戻し──┴──────────┘

Department staff (所管課) edit and submit; the reform office (市政改革室) returns (with a comment)
or confirms, and publishes the round. Everything that moves an entry asks ``target`` here, so this
table is the whole rule; the services enforce it and the templates only show what it allows.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from evaluations.choices import EntryState as S
from initiatives.roles import MANAGE_ROUND, Role


class Action(models.TextChoices):
    EDIT = "edit", _("編集")
    SUBMIT = "submit", _("提出")
    RETURN = "return", _("差戻し")
    CONFIRM = "confirm", _("確認")
    PUBLISH = "publish", _("公表")


# (role, action) → {state before: state after}. Anything not listed is refused.
TRANSITIONS: dict[tuple[Role, str], dict[str, str]] = {
    (Role.DEPARTMENT_STAFF, Action.EDIT): {
        S.NOT_STARTED: S.IN_PROGRESS,
        S.IN_PROGRESS: S.IN_PROGRESS,
        S.RETURNED: S.IN_PROGRESS,
    },
    (Role.DEPARTMENT_STAFF, Action.SUBMIT): {S.IN_PROGRESS: S.SUBMITTED, S.RETURNED: S.SUBMITTED},
    # A published entry may be returned for a correction; the public keeps reading the
    # published snapshot until the round is published again.
    (Role.REFORM_OFFICE, Action.RETURN): {
        S.SUBMITTED: S.RETURNED,
        S.CONFIRMED: S.RETURNED,
        S.PUBLISHED: S.RETURNED,
    },
    (Role.REFORM_OFFICE, Action.CONFIRM): {S.SUBMITTED: S.CONFIRMED},
    (Role.REFORM_OFFICE, Action.PUBLISH): {S.CONFIRMED: S.PUBLISHED, S.PUBLISHED: S.PUBLISHED},
}

# The Django permission (given through the groups) each action also needs.
PERMISSIONS = {
    Action.EDIT: "evaluations.submit_entry",
    Action.SUBMIT: "evaluations.submit_entry",
    Action.RETURN: "evaluations.review_entry",
    Action.CONFIRM: "evaluations.review_entry",
    Action.PUBLISH: MANAGE_ROUND,
}

# Entries staff may still change (未着手, 入力中, 差戻し): in every other state they are read-only
# for staff. Reminders chase these, the worklist marks them overdue, evidence may change in them.
STAFF_EDITABLE = frozenset(TRANSITIONS[(Role.DEPARTMENT_STAFF, Action.EDIT)])

# Entries a round may be published with (確認済, or 公表 already); any other keeps it unpublished
# (EntryQuerySet.not_ready_to_publish).
PUBLISHABLE = frozenset(TRANSITIONS[(Role.REFORM_OFFICE, Action.PUBLISH)])


def target(role: Role, action: str, state: str) -> str | None:
    """The state ``action`` by ``role`` leads to from ``state``, or None if not allowed."""
    return TRANSITIONS.get((role, action), {}).get(state)


def may_ever(user, roles, action: str) -> bool:
    """Whether the user holds, for this entry, a role and permission that can do ``action``."""
    return user.has_perm(PERMISSIONS[action]) and any((r, action) in TRANSITIONS for r in roles)


def allowed_actions(user, roles, state: str) -> list[str]:
    """The actions the user may take on an entry in ``state`` now (for buttons)."""
    return [
        action
        for action in Action
        if action != Action.PUBLISH
        and user.has_perm(PERMISSIONS[action])
        and any(target(role, action, state) for role in roles)
    ]


def resolve(user, roles, action: str, state: str) -> str:
    """The next state, or an error: 403 when the user can never do this, a Japanese validation
    message when they could but not from the entry's current state."""
    if not may_ever(user, roles, action):
        raise PermissionDenied(gettext("この操作を行う権限がありません。"))
    for role in sorted(roles):
        after = target(role, action, state)
        if after is not None:
            return after
    raise ValidationError(
        gettext("「%(state)s」の回答には「%(action)s」を行えません。")
        % {"state": S(state).label, "action": Action(action).label}
    )
