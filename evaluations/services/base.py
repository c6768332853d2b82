"""What every service shares: the history row, the version conflict and the open-round check."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils.translation import gettext as _

from evaluations import published
from evaluations.choices import HistoryAction, RoundState
from evaluations.models import Entry, HistoryEvent, Round
from initiatives.models import MasterDataVersion, Plan


@dataclass
class Conflict(Exception):
    """Somebody else saved the entry since the editor loaded it."""

    entry: Entry
    their_changes: dict = field(default_factory=dict)

    def __str__(self):
        return _(
            "ほかの人がこの回答を先に更新しました。内容を確認してから、もう一度保存してください。"
        )


def name_of(actor) -> str:
    """The name a history row keeps for its actor (it outlives a renamed or removed user)."""
    if actor is None:
        return "system"
    return actor.get_full_name() or actor.get_username()


def record(action: HistoryAction, *, actor=None, actor_name: str = "", **kwargs) -> HistoryEvent:
    """Appends a history row. Call only inside a service function's transaction.

    An edit of master data the public pages show live (``HistoryAction.edits_master_data``)
    also counts in MasterDataVersion, in the same transaction, so the publication fingerprint
    (and with it every cached public page) changes as the edit commits: every master-data
    writer writes its history here, so none has to remember it."""
    action = HistoryAction(action)
    event = HistoryEvent.objects.create(
        action=action,
        actor=actor,
        actor_name=actor_name or name_of(actor),
        **kwargs,
    )
    if action.edits_master_data:
        count_master_data_edit()
    return event


_VERSION = MasterDataVersion._meta.get_field("version")


def count_master_data_edit(*, beyond: int = 0) -> None:
    """Adds one to MasterDataVersion and announces the new fingerprint when the transaction
    commits, once per transaction (a plan workbook's hundred rows announce once).

    ``beyond``: the new version is past this number too (a restore, evaluations.backup: the
    restored database's number may be one the page cache already keys another state on)."""
    counted = F("version") + 1
    if beyond:
        counted = Greatest(F("version"), Value(beyond, output_field=_VERSION)) + 1
    if not MasterDataVersion.objects.filter(pk=1).update(version=counted):
        # The row its migration adds is gone (a test database flushed): start it again.
        MasterDataVersion.objects.get_or_create(pk=1, defaults={"version": beyond + 1})
    connection = transaction.get_connection()
    announce = published.announce_master_data_edit
    open_blocks = set(connection.savepoint_ids)
    if connection.in_atomic_block and any(
        callback is announce and savepoints <= open_blocks
        for savepoints, callback, _robust in connection.run_on_commit
    ):
        # Registered by an earlier edit in a block still open around this one: it commits
        # (or rolls back) with this edit, and announces both.
        return
    transaction.on_commit(announce)


def field_changes(before: dict, after: dict) -> dict:
    """Each field of ``after`` that differs from ``before``, as history records it."""
    return {
        name: {"before": before[name], "after": after[name]}
        for name in after
        if before.get(name) != after[name]
    }


def changes_since(entry: Entry, version: int) -> dict:
    """What others changed after ``version``, merged oldest to newest, for the conflict message."""
    merged: dict = {}
    events = entry.history.filter(changes__version__gt=version).order_by("at", "id")
    for event in events:
        for name, change in event.changes.items():
            if name == "version":
                continue
            merged.setdefault(name, {"before": change["before"]})["after"] = change["after"]
            merged[name]["by"] = event.actor_name
    return merged


def require_open(round_: Round) -> None:
    if round_.state == RoundState.PUBLISHED:
        raise ValidationError(
            _(
                "この照会は公表済みのため、変更できません。訂正が必要な場合は、"
                "市政改革室が照会を「訂正のため再開」してください。"
            )
        )
    if round_.state != RoundState.OPEN:
        raise ValidationError(_("この照会は締め切られているため、変更できません。"))


def hold_period(plan_ids) -> None:
    """Locks the plan row (``plan_ids``: a query giving its id, or a list of it) until the
    transaction ends, before any row of it: a change of the period (plan_edits.edit_plan_period,
    which holds the same lock while it checks) then cannot come between a write's check of its
    年度 against the period and its commit. Always plan first, so two writers never wait on each
    other in a circle."""
    list(Plan.objects.select_for_update().filter(pk__in=plan_ids).values_list("pk", flat=True))
