"""The only writers of rounds, entries, evidence, publications and history.

Each function runs in one transaction and writes its history row together with the change, so a
change without its record (or a record without its change) cannot exist. Views, the admin, bulk
actions, imports and the seed loader all come through here.

One public name per operation, and it checks who may: ``open_round``, ``close_round``,
``publish_round``, ``edit_entry``, ``transition_entry``, ``bulk_transition``, ``add_evidence``,
``remove_evidence`` take the acting ``user``. Where there is no user to check (the seed loader,
the admin's round form, the import once it has checked every row, tests, benchmarks) the
``*_as_system`` variants do the same work and say in their name that they ask nobody.

    rounds.py    opening, closing, publishing, reopening for a correction; reminders
    entries.py   saving one entry; the staff workflow, bulk review, submitting all ready
    evidence.py  links and files attached to an entry
    bulk.py      many entries at once (the Excel import), in raw SQL
    base.py      the history row, the version conflict, the open-round check
"""

from typing import TYPE_CHECKING

from reformtracker.lazy_names import lazy_names

# The module of each public name. The admin imports this package as Django sets up, so every
# management command would import all five modules (and what they import: the workbook checks,
# the subscriptions, the published rows) at its start; each is imported on its name's first use.
_MODULE_OF = {
    # base.py
    "Conflict": "base",
    "record": "base",
    # bulk.py
    "IMPORT_FIELDS": "bulk",
    "EntryChange": "bulk",
    "update_entries_as_system": "bulk",
    # entries.py
    "ENTRY_FIELDS": "entries",
    "STAFF_FIELDS": "entries",
    "BulkRefused": "entries",
    "Refusal": "entries",
    "bulk_transition": "entries",
    "edit_entry": "entries",
    "ready_to_submit": "entries",
    "submit_ready": "entries",
    "transition_entry": "entries",
    "update_entry_as_system": "entries",
    # evidence.py
    "add_evidence": "evidence",
    "remove_evidence": "evidence",
    # rounds.py
    "AlreadyPublished": "rounds",
    "PublishPreview": "rounds",
    "close_round": "rounds",
    "correction_text": "rounds",
    "default_as_of": "rounds",
    "next_fiscal_year": "rounds",
    "open_round": "rounds",
    "open_round_as_system": "rounds",
    "publish_preview": "rounds",
    "publish_round": "rounds",
    "publish_round_as_system": "rounds",
    "reopen_round": "rounds",
    "send_reminder": "rounds",
}


__getattr__, __dir__ = lazy_names(__name__, _MODULE_OF, globals())


if TYPE_CHECKING:
    from evaluations.services.base import Conflict, record
    from evaluations.services.bulk import IMPORT_FIELDS, EntryChange, update_entries_as_system
    from evaluations.services.entries import (
        ENTRY_FIELDS,
        STAFF_FIELDS,
        BulkRefused,
        Refusal,
        bulk_transition,
        edit_entry,
        ready_to_submit,
        submit_ready,
        transition_entry,
        update_entry_as_system,
    )
    from evaluations.services.evidence import add_evidence, remove_evidence
    from evaluations.services.rounds import (
        AlreadyPublished,
        PublishPreview,
        close_round,
        correction_text,
        default_as_of,
        next_fiscal_year,
        open_round,
        open_round_as_system,
        publish_preview,
        publish_round,
        publish_round_as_system,
        reopen_round,
        send_reminder,
    )

__all__ = [
    "ENTRY_FIELDS",
    "IMPORT_FIELDS",
    "STAFF_FIELDS",
    "AlreadyPublished",
    "BulkRefused",
    "Conflict",
    "EntryChange",
    "PublishPreview",
    "Refusal",
    "add_evidence",
    "bulk_transition",
    "close_round",
    "correction_text",
    "default_as_of",
    "edit_entry",
    "next_fiscal_year",
    "open_round",
    "open_round_as_system",
    "publish_preview",
    "publish_round",
    "publish_round_as_system",
    "ready_to_submit",
    "record",
    "remove_evidence",
    "reopen_round",
    "send_reminder",
    "submit_ready",
    "transition_entry",
    "update_entries_as_system",
    "update_entry_as_system",
]
