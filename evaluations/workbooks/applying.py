"""Saving an ``ImportPreview``: every change in one transaction, all or nothing, through
``services.update_entries_as_system`` (version checks and one history row per entry; scope and
workflow were checked row by row when the file was read) and, for the 「指標」 sheet's actuals,
``services.indicators.record_indicator_values_as_system`` in the same transaction."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from evaluations import services
from evaluations.services import indicators as indicator_service
from evaluations.workbooks.compare import ImportPreview
from evaluations.workbooks.preview import ParsedWorkbook, parse, preview_of
from evaluations.workbooks.problems import ImportRejected, Problem
from reformtracker.calendar_ja import format_date_ja


@transaction.atomic
def apply(preview: ImportPreview, *, actor=None, actor_name: str = "") -> int:
    """Saves every change of ``preview`` — results and indicator actuals — in one transaction
    (all or nothing); returns the count of entries and actuals changed."""
    comment = _("Excel 照会票から取込")
    if preview.filename:
        comment += f"（{preview.filename}）"
    if preview.filled_on:
        comment += _("　記入日 %(day)s") % {"day": format_date_ja(preview.filled_on)}
    changes = [
        services.EntryChange(
            entry_id=c.entry_id,
            expected_version=c.expected_version,
            before=c.before,
            values=c.after,
            state_before=c.state_before,
            state=c.state_after,
        )
        for c in preview.changes
    ]
    saved = services.update_entries_as_system(
        changes=changes,
        round_=preview.round,
        actor=actor,
        actor_name=actor_name,
        comment=comment,
    )
    if preview.indicator_changes:
        saved += indicator_service.record_indicator_values_as_system(
            round_=preview.round,
            values={c.indicator_id: c.after for c in preview.indicator_changes},
            expected={c.indicator_id: c.before for c in preview.indicator_changes},
            actor=actor,
            actor_name=actor_name,
            comment=comment,
        )
    return saved


def import_workbook(
    data: bytes, *, user=None, filename: str = "", dry_run: bool = False
) -> ImportPreview:
    """Reads and (unless ``dry_run``) applies a 照会票; returns the ImportPreview."""
    return import_parsed(parse(data, filename=filename), user=user, dry_run=dry_run)


def import_parsed(parsed: ParsedWorkbook, *, user=None, dry_run: bool = False) -> ImportPreview:
    """Compares a parsed 照会票 with the live entries and (unless ``dry_run``) applies it, without
    reading the file again; returns the ImportPreview."""
    preview = preview_of(parsed, user=user)
    if not dry_run:
        try:
            apply(preview, actor=user, actor_name="" if user else "import_workbook")
        except services.Conflict as exc:
            raise ImportRejected.because(
                _("取込中にほかの人が回答 %(id)d を更新しました。もう一度取り込んでください。")
                % {"id": exc.entry.pk}
            ) from None
        except ValidationError as exc:
            raise ImportRejected([Problem(m) for m in exc.messages]) from None
    return preview
