"""Evidence (根拠資料) of an entry: adding a link or a checked file, and withdrawing one.

Both count as an edit of the entry (a new version, 未着手/差戻し → 入力中) and are allowed only
to the entry's department while staff may still edit it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations import access
from evaluations import evidence as evidence_files
from evaluations.choices import EntryState, HistoryAction
from evaluations.models import Entry, Evidence
from evaluations.rules import control_problem
from evaluations.services.base import record, require_open
from evaluations.services.entries import entry_in_scope
from evaluations.workflow import STAFF_EDITABLE, Action, resolve
from initiatives.roles import Role


def _evidence_entry(user, entry_id: int) -> Entry:
    entry = entry_in_scope(user, entry_id)
    require_open(entry.round)
    roles = access.roles_for(user, entry)
    if Role.DEPARTMENT_STAFF not in roles or not user.has_perm("evaluations.submit_entry"):
        raise PermissionDenied(_("この回答の根拠資料を変更する権限がありません。"))
    if entry.state not in STAFF_EDITABLE:
        raise ValidationError(
            _("「%(state)s」の回答の根拠資料は変更できません。")
            % {"state": EntryState(entry.state).label}
        )
    return entry


def _touch_entry(entry: Entry, user) -> dict:
    """Counts an evidence change as an edit of the entry: a new version (so an editor holding the
    old one gets a conflict rather than overwriting unseen evidence) and 未着手/差戻し → 入力中.
    Returns the history changes (state, version) for the caller's row."""
    version, state = (
        Entry.objects.select_for_update().filter(pk=entry.pk).values_list("version", "state").get()
    )
    new_state = resolve(user, access.roles_for(user, entry), Action.EDIT, state)
    Entry.objects.filter(pk=entry.pk, version=version).update(
        state=new_state, version=version + 1, updated_by=user, updated_at=timezone.now()
    )
    entry.version, entry.state = version + 1, new_state
    changes = {"version": version + 1}
    if new_state != state:
        changes["state"] = {"before": state, "after": new_state}
    return changes


@transaction.atomic
def add_evidence(*, user, entry_id: int, title: str, url: str = "", upload=None) -> Evidence:
    """Attaches a link or a checked file (see evaluations.evidence) to an entry, with history.

    Counts as an edit: the entry gets a new version and leaves 未着手/差戻し for 入力中."""
    entry = _evidence_entry(user, entry_id)
    title = (title or "").strip()
    # A file named "report\u202efdp.exe" shows as "reportexe.pdf": refused like a title.
    named = {"title": title, "url": url, "file": upload.name if upload is not None else ""}
    if problems := {k: m for k, v in named.items() if (m := control_problem(v or ""))}:
        raise ValidationError(problems)
    if bool(url) == bool(upload):
        raise ValidationError(_("リンクかファイルのどちらか一方を指定してください。"))
    item = Evidence(entry=entry, added_by=user)
    if upload is not None:
        ext, file_type = evidence_files.check_upload(upload)
        item.kind = Evidence.Kind.FILE
        item.file_name = upload.name[-200:]
        item.title = title or item.file_name
        item.content_type = file_type.content_type
        item.size = upload.size
    else:
        item.kind = Evidence.Kind.LINK
        item.url = url
        item.title = title or url[:200]
    item.full_clean(exclude=["file_path", "entry", "added_by"], validate_constraints=False)
    if upload is not None:
        item.file_path = evidence_files.save(entry, upload, ext)
    try:
        item.save()
        item.recorded_event = record(
            HistoryAction.EVIDENCE_ADD,
            actor=user,
            entry=entry,
            round=entry.round,
            initiative=entry.initiative,
            changes={"evidence": {"before": "", "after": item.title}, **_touch_entry(entry, user)},
        )
    except Exception:
        # The file was written before the row; don't leave it behind without one.
        if item.file_path:
            evidence_files.storage().delete(item.file_path)
        raise
    return item


@transaction.atomic
def remove_evidence(*, user, evidence_id: int) -> Evidence:
    """Withdraws an evidence item. The row and the file stay, so the history still names them.
    Counts as an edit, as adding does."""
    item = access.evidence_for(user).filter(pk=evidence_id).first()
    if item is None:
        raise PermissionDenied(_("この根拠資料を操作する権限がありません。"))
    entry = _evidence_entry(user, item.entry_id)
    updated = Evidence.objects.filter(pk=item.pk, removed_at__isnull=True).update(
        removed_at=timezone.now(), removed_by=user
    )
    if not updated:
        raise ValidationError(_("この根拠資料は既に削除されています。"))
    item.recorded_event = record(
        HistoryAction.EVIDENCE_REMOVE,
        actor=user,
        entry=entry,
        round=entry.round,
        initiative=entry.initiative,
        changes={"evidence": {"before": item.title, "after": ""}, **_touch_entry(entry, user)},
    )
    return item
