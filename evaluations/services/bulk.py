"""Many entries of one round saved at once: the Excel import of 照会票 (and the benchmarks).

``update_entries_as_system`` asks nobody's permission: its callers (``evaluations.workbooks``,
which checked scope and workflow row by row when it read the file) have decided that already.
It keeps the rules of one save — the version check in the UPDATE's WHERE clause, one history
row per entry, all or nothing — with two raw-SQL ``executemany`` statements, because 10,000
model saves would cost minutes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from evaluations.choices import HistoryAction
from evaluations.models import Entry, HistoryEvent, Round
from evaluations.services.base import (
    Conflict,
    changes_since,
    field_changes,
    name_of,
    require_open,
)
from evaluations.services.entries import check_lengths

IMPORT_FIELDS = ("result", "reason", "narrative")


@dataclass(frozen=True)
class EntryChange:
    """One row of an import: the values (``IMPORT_FIELDS``) to save if the entry is still at
    ``expected_version``."""

    entry_id: int
    expected_version: int
    before: dict
    values: dict
    state_before: str
    state: str


@transaction.atomic
def update_entries_as_system(
    *,
    changes: list[EntryChange],
    round_: Round,
    actor=None,
    actor_name: str = "",
    comment: str = "",
    action: HistoryAction = HistoryAction.ENTRY_IMPORT,
) -> int:
    """Saves many entries of one round at once: the same version check as one save, one
    history row per entry, all or nothing. Callers have already decided scope and workflow.

    The versions are read under SELECT … FOR UPDATE (a stale one: ``Conflict`` naming it), and
    each UPDATE (executemany, one statement per row) repeats the check in its WHERE clause; if
    the rows matched fall short of the rows sent, the whole batch is rolled back with Conflict.
    """
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    require_open(round_)
    for change in changes:
        check_lengths(change.values)
    if not changes:
        return 0
    initiatives = _lock_current(changes)
    if _update_rows(changes, round_, actor=actor, at=timezone.now()) != len(changes):
        # Saved by somebody between the check above and the UPDATE (possible where the
        # database does not lock rows on SELECT … FOR UPDATE, as SQLite): refuse the batch.
        entry = Entry.objects.get(pk=changes[0].entry_id)
        raise Conflict(entry=entry, their_changes={})
    template = HistoryEvent(
        action=HistoryAction(action),
        actor=actor,
        actor_name=actor_name or name_of(actor),
        round_id=round_.pk,
        comment=comment,
    )
    _insert_history(changes, initiatives, template)
    return len(changes)


def _lock_current(changes: list[EntryChange]) -> dict[int, int]:
    """Locks the entries and checks each is still at the version the change expects (else
    ``Conflict`` naming the first stale one); returns each entry's initiative id."""
    current = {
        pk: (version, initiative_id)
        for pk, version, initiative_id in Entry.objects.select_for_update()
        .filter(pk__in=[c.entry_id for c in changes])
        .values_list("pk", "version", "initiative_id")
    }
    stale = next(
        (c for c in changes if current.get(c.entry_id, (None,))[0] != c.expected_version), None
    )
    if stale is not None:
        entry = Entry.objects.get(pk=stale.entry_id)
        raise Conflict(entry=entry, their_changes=changes_since(entry, stale.expected_version))
    return {pk: initiative_id for pk, (_version, initiative_id) in current.items()}


def _update_rows(changes: list[EntryChange], round_: Round, *, actor, at) -> int:
    """One UPDATE per change (executemany), each checking the version in its WHERE clause;
    returns how many rows matched."""
    quote = connection.ops.quote_name
    columns = [*IMPORT_FIELDS, "state"]
    assignments = ", ".join(f"{quote(c)} = %s" for c in columns)
    sql = (
        f"UPDATE {quote(Entry._meta.db_table)} SET {assignments}, version = version + 1, "
        f"updated_by_id = %s, updated_at = %s WHERE id = %s AND version = %s AND round_id = %s"
    )
    stamp = connection.ops.adapt_datetimefield_value(at)
    actor_id = getattr(actor, "pk", None)
    params = [
        (
            *(change.values[name] for name in IMPORT_FIELDS),
            change.state,
            actor_id,
            stamp,
            change.entry_id,
            change.expected_version,
            round_.pk,
        )
        for change in changes
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
        return cursor.rowcount


def _insert_history(
    changes: list[EntryChange], initiatives: dict[int, int], template: HistoryEvent
) -> None:
    """One history row per change, inserted with one executemany.

    bulk_create's per-object model instances cost more than the whole UPDATE for 10,000 rows.
    Every column is prepared by its own field from ``template`` (so a field added later gets its
    default), and only the entry, the initiative and the changes differ from row to row."""
    fields = [f for f in HistoryEvent._meta.concrete_fields if not f.primary_key]
    base = [f.get_db_prep_save(f.pre_save(template, True), connection) for f in fields]
    attnames = [f.attname for f in fields]
    entry_at, initiative_at, changes_at = (
        attnames.index(name) for name in ("entry_id", "initiative_id", "changes")
    )
    changes_field = fields[changes_at]
    rows = []
    for change in changes:
        diff = field_changes(change.before, change.values)
        if change.state != change.state_before:
            diff["state"] = {"before": change.state_before, "after": change.state}
        diff["version"] = change.expected_version + 1
        row = base.copy()
        row[entry_at] = change.entry_id
        row[initiative_at] = initiatives[change.entry_id]
        row[changes_at] = changes_field.get_db_prep_save(diff, connection)
        rows.append(row)
    quote = connection.ops.quote_name
    insert = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(HistoryEvent._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    with connection.cursor() as cursor:
        cursor.executemany(insert, rows)
