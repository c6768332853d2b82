"""Writing one entry: the staff's permission-checked edit and workflow moves, and the system's
unchecked save (seed data, tests, benchmarks).

Every save goes through ``_save_entry``: the version check is the UPDATE's own WHERE clause, so
two concurrent saves cannot both pass it, and the history row is written with the change.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations import access
from evaluations.choices import EntryState, HistoryAction, RoundState
from evaluations.models import Entry
from evaluations.rules import text_problem
from evaluations.services.base import (
    Conflict,
    changes_since,
    field_changes,
    record,
    require_open,
)
from evaluations.workflow import Action, resolve
from initiatives.access import reach_of
from initiatives.roles import Role

ENTRY_FIELDS = ("result", "reason", "narrative", "staff_comment", "review_comment")
STAFF_FIELDS = ("result", "reason", "narrative", "staff_comment")

# The history row each workflow move of an entry writes.
TRANSITION_ACTIONS = {
    Action.SUBMIT: HistoryAction.ENTRY_SUBMIT,
    Action.RETURN: HistoryAction.ENTRY_RETURN,
    Action.CONFIRM: HistoryAction.ENTRY_CONFIRM,
}


@transaction.atomic
def update_entry_as_system(
    *,
    entry_id: int,
    expected_version: int,
    values: dict,
    actor=None,
    actor_name: str = "",
    state: str | None = None,
    comment: str = "",
    action: HistoryAction = HistoryAction.ENTRY_UPDATE,
) -> Entry:
    """Saves an entry's result, reason and narrative if nobody saved it since ``expected_version``,
    without asking whose it is or what the workflow allows (the seed loader, tests, benchmarks).

    The loser of two concurrent saves gets ``Conflict`` with what the winner changed, and
    nothing is written.
    """
    entry = Entry.objects.select_related("round", "initiative__plan").get(pk=entry_id)
    return _save_entry(
        entry,
        expected_version=expected_version,
        values=values,
        actor=actor,
        actor_name=actor_name,
        state=state,
        comment=comment,
        action=action,
    )


def _save_entry(
    entry: Entry,
    *,
    expected_version: int,
    values: dict,
    actor,
    actor_name: str,
    state: str | None,
    comment: str,
    action: HistoryAction,
    change_token=None,
) -> Entry:
    """Saves an entry already loaded (with its round and initiative) by the caller, in the
    caller's transaction. The version check is still the UPDATE's WHERE clause, so a stale
    ``entry`` cannot win; on success the object is brought up to date in memory rather than
    read again (the status update's round trips are what its latency is made of)."""
    require_open(entry.round)
    before = {name: getattr(entry, name) for name in ENTRY_FIELDS}
    after = {name: values.get(name, before[name]) for name in ENTRY_FIELDS}
    candidate = Entry(
        pk=entry.pk, round=entry.round, initiative=entry.initiative, state=entry.state, **after
    )
    # round and initiative are the entry's own, loaded above: no need to re-check they exist.
    candidate.full_clean(
        exclude=["updated_by", "round", "initiative"],
        validate_unique=False,
        validate_constraints=False,
    )
    check_lengths(after)
    new_state = state or entry.state
    now = timezone.now()
    updated = Entry.objects.filter(pk=entry.pk, version=expected_version).update(
        **after,
        state=new_state,
        version=F("version") + 1,
        updated_by=actor,
        updated_at=now,
    )
    if not updated:
        entry.refresh_from_db()
        raise Conflict(entry=entry, their_changes=changes_since(entry, expected_version))
    changes = field_changes(before, after)
    if new_state != entry.state:
        changes["state"] = {"before": entry.state, "after": new_state}
    for name, value in after.items():
        setattr(entry, name, value)
    entry.state, entry.version, entry.updated_at = new_state, expected_version + 1, now
    entry.updated_by = actor
    # Handed back on the entry so the view can send the new history row alone (htmx) rather
    # than read and re-render the whole table.
    entry.recorded_event = record(
        action,
        actor=actor,
        actor_name=actor_name,
        entry=entry,
        round=entry.round,
        initiative=entry.initiative,
        changes={**changes, "version": entry.version},
        comment=comment,
        change_token=change_token,
    )
    return entry


def check_lengths(values: dict) -> None:
    """TextField's max_length is enforced only by forms; imports and bulk calls come here too.
    So are invisible control characters (evaluations.rules.text_problem)."""
    errors = {name: text_problem(name, value) for name, value in values.items()}
    errors = {name: message for name, message in errors.items() if message}
    if errors:
        raise ValidationError(errors)


# --- The staff workflow: permission-checked actions of signed-in users --------------------------
#
# Each function takes the acting user, finds the object through evaluations.access (outside the
# scope: PermissionDenied, which views have already turned into 404 by looking it up themselves),
# asks evaluations.workflow whether the action is allowed, and writes through _save_entry in the
# same transaction. Bulk actions call the per-entry function inside one transaction, so one
# refused entry refuses the whole batch.


def entry_in_scope(user, entry_id: int, entry: Entry | None = None) -> Entry:
    """The entry, if the user may see it. A caller that already loaded it through
    ``access.entries_for(user)`` may pass it to save a query; whether it is in scope is then
    decided again in memory (in scope ⟺ the user has a role for it)."""
    if entry is None or entry.pk != entry_id:
        entry = access.entries_for(user).filter(pk=entry_id).first()
    elif not access.roles_for(user, entry):
        entry = None
    if entry is None:
        raise PermissionDenied(_("この回答を操作する権限がありません。"))
    return entry


def _require_version(entry: Entry, expected_version: int) -> None:
    if entry.version != expected_version:
        raise Conflict(entry=entry, their_changes=changes_since(entry, expected_version))


@transaction.atomic
def edit_entry(
    *,
    user,
    entry_id: int,
    expected_version: int,
    values: dict,
    entry: Entry | None = None,
    change_token=None,
) -> Entry:
    """Saves a department's answer (result, reason, 進捗状況, comment) and makes it 入力中.

    Refused when the round is closed, the entry is read-only in its state (提出済, 確認済, 公表),
    or somebody saved it since ``expected_version`` (Conflict, with their changes). ``entry``:
    the view's copy from ``access.entries_for(user)``, to save reading it again.

    ``change_token``: the form's token (one per rendering). When the save was committed but its
    answer never reached the user (the worker was killed after COMMIT) and they send the same
    form again, its version is stale; if the entry's latest history row carries this token and
    the entry holds exactly these values, that was this very change: the entry is returned
    unchanged with ``already_saved`` set, and nothing is written a second time.
    """
    entry = entry_in_scope(user, entry_id, entry)
    require_open(entry.round)
    values = {name: values[name] for name in STAFF_FIELDS if name in values}
    try:
        _require_version(entry, expected_version)
        new_state = resolve(user, access.roles_for(user, entry), Action.EDIT, entry.state)
        saved = _save_entry(
            entry,
            expected_version=expected_version,
            values=values,
            actor=user,
            actor_name="",
            state=new_state,
            comment="",
            action=HistoryAction.ENTRY_EDIT,
            change_token=change_token,
        )
    except Conflict as conflict:
        if not _saved_already(conflict.entry, change_token, values):
            raise
        saved = conflict.entry
        saved.already_saved, saved.recorded_event = True, None
        return saved
    saved.already_saved = False
    return saved


def _saved_already(entry: Entry, change_token, values: dict) -> bool:
    """Whether the entry's latest change is the save of the form ``change_token`` names, with
    these values: a retry of a committed save, not somebody else's change."""
    if change_token is None:
        return False
    latest = entry.history.order_by("-id").values_list("change_token", flat=True).first()
    if latest is None or str(latest) != str(change_token):
        return False
    return all(getattr(entry, name) == value for name, value in values.items())


@transaction.atomic
def transition_entry(
    *, user, entry_id: int, expected_version: int, action: str, comment: str = ""
) -> Entry:
    """Moves one entry along the workflow: submit (所管課), return or confirm (市政改革室).

    A return needs a comment (the reason, shown to the department); a submission needs a result.
    """
    if action not in TRANSITION_ACTIONS:
        raise ValueError(f"not an entry transition: {action}")
    entry = entry_in_scope(user, entry_id)
    require_open(entry.round)
    _require_version(entry, expected_version)
    new_state = resolve(user, access.roles_for(user, entry), action, entry.state)
    comment = (comment or "").strip()
    values = {}
    if action == Action.SUBMIT and not entry.result:
        raise ValidationError({"result": _("評価結果を選んでから提出してください。")})
    if action == Action.RETURN:
        if not comment:
            raise ValidationError({"comment": _("差戻しの理由をコメントに入力してください。")})
        values["review_comment"] = comment
    elif action == Action.CONFIRM:
        values["review_comment"] = comment
    return _save_entry(
        entry,
        expected_version=expected_version,
        values=values,
        actor=user,
        actor_name="",
        state=new_state,
        comment=comment,
        action=TRANSITION_ACTIONS[action],
    )


@dataclass(frozen=True)
class Refusal:
    """One row a bulk action will not apply to, and why (in Japanese, for the office)."""

    entry_id: int
    code: str
    title: str
    reason: str

    def __str__(self):
        return f"{self.code} {self.title}：{self.reason}"


class BulkRefused(ValidationError):
    """Some ticked rows cannot take the action: each named with its reason. ``rest``: how many
    of the others could, so the page can offer to apply to them alone."""

    def __init__(self, refusals: list[Refusal], rest: int):
        super().__init__([str(r) for r in refusals])
        self.refusals, self.rest = refusals, rest


class BulkDone(list):
    """The entries a bulk action moved, with the rows it left out (``skipped``)."""

    skipped: list[Refusal]


def _refusal(user, entry: Entry, version: int, action: str) -> Refusal | None:
    """Why ``action`` cannot be applied to ``entry`` seen at ``version`` (None: it can)."""

    def refused(reason) -> Refusal:
        return Refusal(entry.pk, entry.initiative.code, entry.initiative.title, str(reason))

    if entry.version != version:
        return refused(_("ほかの人が先に更新しました。画面を読み込み直してください。"))
    try:
        resolve(user, access.roles_for(user, entry), action, entry.state)
    except (ValidationError, PermissionDenied) as exc:
        return refused(" ".join(getattr(exc, "messages", [str(exc)])))
    return None


@transaction.atomic
def bulk_transition(
    *,
    user,
    items: list[tuple[int, int]],
    action: str,
    comment: str = "",
    skip_refused: bool = False,
) -> BulkDone:
    """Returns or confirms many entries at once: (entry id, version seen) pairs.

    Every row is checked first. If any cannot take the action (already 確認済, changed since it
    was seen, outside the user's reach), ``BulkRefused`` names each with its reason and nothing
    is written — unless ``skip_refused``, when the rest are moved and the refused ones listed in
    the result's ``skipped``. Each entry goes through ``transition_entry``, so each gets its own
    history row, and all of them in one transaction.
    """
    if action not in (Action.RETURN, Action.CONFIRM):
        raise ValueError(f"not a bulk action: {action}")
    if not items:
        raise ValidationError(_("対象の回答を選んでください。"))
    if action == Action.RETURN and not (comment or "").strip():
        raise ValidationError({"comment": _("差戻しの理由をコメントに入力してください。")})
    found = {e.pk: e for e in access.entries_for(user).filter(pk__in=[pk for pk, _v in items])}
    refusals, ready = [], []
    for pk, version in items:
        entry = found.get(pk)
        if entry is None:
            raise PermissionDenied(_("この回答を操作する権限がありません。"))
        require_open(entry.round)
        problem = _refusal(user, entry, version, action)
        if problem is None:
            ready.append((pk, version))
        else:
            refusals.append(problem)
    if refusals and (not skip_refused or not ready):
        raise BulkRefused(refusals, rest=len(ready))
    done = BulkDone(
        transition_entry(
            user=user, entry_id=pk, expected_version=version, action=action, comment=comment
        )
        for pk, version in ready
    )
    done.skipped = refusals
    return done


# --- submitting every ready answer at once (所管課) ------------------------------------------------


def ready_to_submit(user, round_id: int | None = None):
    """The user's own departments' answers that could be submitted now: 入力中 or 差戻し, with a
    result, in an open round."""
    reach = reach_of(user)
    entries = access.entries_for(user).filter(
        round__state=RoundState.OPEN, state__in=[EntryState.IN_PROGRESS, EntryState.RETURNED]
    )
    if not reach.everything:
        entries = entries.filter(initiative__department_id__in=reach.departments)
    entries = entries.exclude(result="")
    if round_id is not None:
        entries = entries.filter(round_id=round_id)
    return entries.order_by("round__due_on", "initiative__pillar__order", "initiative__order")


@transaction.atomic
def submit_ready(*, user, items: list[tuple[int, int]]) -> list[Entry]:
    """A department submits all its ready answers at once: (entry id, version seen) pairs,
    all or nothing. An answer changed since it was listed, or no longer ready, refuses the
    whole batch with ``BulkRefused`` naming it (nothing is submitted)."""
    if not items:
        raise ValidationError(_("提出できる回答はありません。"))
    found = {e.pk: e for e in ready_to_submit(user).filter(pk__in=[pk for pk, _v in items])}
    refusals = []
    for pk, version in items:
        entry = found.get(pk)
        if entry is None:
            entry = access.entries_for(user).filter(pk=pk).first()
            if entry is None or Role.DEPARTMENT_STAFF not in access.roles_for(user, entry):
                raise PermissionDenied(_("この回答を操作する権限がありません。"))
            refusals.append(
                Refusal(
                    pk,
                    entry.initiative.code,
                    entry.initiative.title,
                    _("提出できる状態ではありません（%(state)s）。")
                    % {"state": entry.get_state_display()},
                )
            )
        elif (problem := _refusal(user, entry, version, Action.SUBMIT)) is not None:
            refusals.append(problem)
    if refusals:
        raise BulkRefused(refusals, rest=len(items) - len(refusals))
    return [
        transition_entry(user=user, entry_id=pk, expected_version=version, action=Action.SUBMIT)
        for pk, version in items
    ]
