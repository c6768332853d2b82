"""The only writers of rounds, entries, publications and history.

Each function runs in one transaction and writes its history row together with the change, so a
change without its record (or a record without its change) cannot exist. Views, the admin, bulk
actions, imports and the seed loader all come through here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations import access
from evaluations import evidence as evidence_files
from evaluations.choices import EntryState, RoundKind, RoundState
from evaluations.models import (
    Entry,
    Evidence,
    HistoryEvent,
    PillarNarrative,
    Publication,
    PublishedPillar,
    PublishedResult,
    Round,
)
from evaluations.workflow import STAFF_EDITABLE, Action, resolve
from initiatives.access import manages_plan
from initiatives.models import Initiative, Plan
from initiatives.roles import Role

ENTRY_FIELDS = ("result", "reason", "narrative", "staff_comment", "review_comment")


@dataclass
class Conflict(Exception):
    """Somebody else saved the entry since the editor loaded it."""

    entry: Entry
    their_changes: dict = field(default_factory=dict)

    def __str__(self):
        return _(
            "ほかの人がこの回答を先に更新しました。内容を確認してから、もう一度保存してください。"
        )


def _actor_name(actor) -> str:
    if actor is None:
        return "system"
    return actor.get_full_name() or actor.get_username()


def record(action: str, *, actor=None, actor_name: str = "", **kwargs) -> HistoryEvent:
    """Appends a history row. Call only inside a service function's transaction."""
    return HistoryEvent.objects.create(
        action=action,
        actor=actor,
        actor_name=actor_name or _actor_name(actor),
        **kwargs,
    )


@transaction.atomic
def open_round(
    *,
    plan: Plan,
    fiscal_year: int,
    kind: str = RoundKind.YEAR_END,
    as_of: date,
    due_on: date | None = None,
    actor=None,
    actor_name: str = "",
) -> Round:
    """Opens an update round (照会) with one blank entry per initiative the office tracks."""
    round_ = Round(plan=plan, fiscal_year=fiscal_year, kind=kind, as_of=as_of, due_on=due_on)
    round_.full_clean()
    round_.save()
    initiatives = Initiative.objects.filter(plan=plan, pillar__office_tracks_items=True)
    Entry.objects.bulk_create(Entry(round=round_, initiative=i) for i in initiatives)
    record(
        "round.open",
        actor=actor,
        actor_name=actor_name,
        round=round_,
        changes={"fiscal_year": fiscal_year, "kind": kind, "as_of": as_of.isoformat()},
    )
    return round_


def _field_changes(before: dict, after: dict) -> dict:
    return {
        name: {"before": before[name], "after": after[name]}
        for name in after
        if before.get(name) != after[name]
    }


@transaction.atomic
def update_entry(
    *,
    entry_id: int,
    expected_version: int,
    values: dict,
    actor=None,
    actor_name: str = "",
    state: str | None = None,
    comment: str = "",
    action: str = "entry.update",
) -> Entry:
    """Saves an entry's result, reason and narrative if nobody saved it since ``expected_version``.

    The version check is the UPDATE's own WHERE clause, so two concurrent saves cannot both
    pass it: the loser gets ``Conflict`` with what the winner changed, and nothing is written.
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
    action: str,
) -> Entry:
    """``update_entry`` on an entry already loaded (with its round and initiative) by the
    caller, in the caller's transaction. The version check is still the UPDATE's WHERE clause,
    so a stale ``entry`` cannot win; on success the object is brought up to date in memory
    rather than read again (the status update's round trips are what its latency is made of)."""
    _require_open(entry.round)
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
    _check_lengths(after)
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
        raise Conflict(entry=entry, their_changes=_changes_since(entry, expected_version))
    changes = _field_changes(before, after)
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
    )
    return entry


def _require_open(round_: Round) -> None:
    if round_.state != RoundState.OPEN:
        raise ValidationError(_("この照会は締め切られているため、変更できません。"))


def _check_lengths(values: dict) -> None:
    """TextField's max_length is enforced only by forms; imports and bulk calls come here too."""
    errors = {}
    for name, value in values.items():
        limit = Entry._meta.get_field(name).max_length
        if limit and value and len(value) > limit:
            errors[name] = _("%(limit)d文字以内で入力してください（現在%(count)d文字）。") % {
                "limit": limit,
                "count": len(value),
            }
    if errors:
        raise ValidationError(errors)


def _changes_since(entry: Entry, version: int) -> dict:
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


@transaction.atomic
def publish_round(
    *,
    round_: Round,
    actor=None,
    actor_name: str = "",
    published_at: datetime | None = None,
    note: str = "",
) -> Publication:
    """Freezes the round's confirmed entries into a new 時点 the public reads from then on.

    Every entry must be confirmed (確認済) or already published; a half-reviewed round is refused
    whole rather than published in part.
    """
    round_ = Round.objects.select_for_update().select_related("plan").get(pk=round_.pk)
    entries = Entry.objects.filter(round=round_).select_related(
        "initiative__pillar", "initiative__department"
    )
    pending = entries.exclude(state__in=[EntryState.CONFIRMED, EntryState.PUBLISHED]).count()
    if pending:
        raise ValidationError(
            _("確認済になっていない回答が%(count)d件あるため公表できません。") % {"count": pending}
        )
    missing = entries.filter(result="").count()
    if missing:
        raise ValidationError(
            _("評価結果が未入力の回答が%(count)d件あるため公表できません。") % {"count": missing}
        )
    publication = Publication.objects.create(
        round=round_,
        published_at=published_at or timezone.now(),
        published_by=actor,
        note=note,
    )
    PublishedResult.objects.bulk_create(
        PublishedResult(
            publication=publication,
            initiative=e.initiative,
            pillar=e.initiative.pillar,
            department=e.initiative.department,
            code=e.initiative.code,
            order=e.initiative.order,
            title=e.initiative.title,
            department_name=e.initiative.department.name,
            target=e.initiative.target,
            result=e.result,
            reason=e.reason,
            narrative=e.narrative,
            reform_level=e.initiative.reform_level,
        )
        for e in entries
    )
    narratives = {
        n.pillar_id: n
        for n in PillarNarrative.objects.filter(
            pillar__plan=round_.plan, fiscal_year=round_.fiscal_year
        )
    }
    PublishedPillar.objects.bulk_create(
        PublishedPillar(
            publication=publication,
            pillar=pillar,
            order=pillar.order,
            name=pillar.name,
            managed_through=pillar.managed_through,
            office_tracks_items=pillar.office_tracks_items,
            done=getattr(narratives.get(pillar.pk), "done", ""),
            next_steps=getattr(narratives.get(pillar.pk), "next_steps", ""),
        )
        for pillar in round_.plan.pillars.all()
    )
    # Every state change bumps the version, so an editor holding the pre-publication version
    # gets a conflict instead of silently editing a published entry; each entry gets its row.
    rows = list(entries)
    before = {e.pk: e.state for e in rows}
    entries.update(state=EntryState.PUBLISHED, version=F("version") + 1)
    HistoryEvent.objects.bulk_create(
        HistoryEvent(
            action="entry.publish",
            actor=actor,
            actor_name=actor_name or _actor_name(actor),
            entry=e,
            round=round_,
            initiative=e.initiative,
            publication=publication,
            changes={
                **(
                    {"state": {"before": before[e.pk], "after": EntryState.PUBLISHED}}
                    if before[e.pk] != EntryState.PUBLISHED
                    else {}
                ),
                "version": e.version + 1,
            },
        )
        for e in rows
    )
    record(
        "round.publish",
        actor=actor,
        actor_name=actor_name,
        round=round_,
        publication=publication,
        changes={"results": entries.count()},
    )
    return publication


# --- The staff workflow: permission-checked actions of signed-in users --------------------------
#
# Each function takes the acting user, finds the object through evaluations.access (outside the
# scope: PermissionDenied, which views have already turned into 404 by looking it up themselves),
# asks evaluations.workflow whether the action is allowed, and writes through update_entry or
# record() in the same transaction. Bulk actions call the per-entry function inside one
# transaction, so one refused entry refuses the whole batch.

STAFF_FIELDS = ("result", "reason", "narrative", "staff_comment")


def _entry_in_scope(user, entry_id: int, entry: Entry | None = None) -> Entry:
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
        raise Conflict(entry=entry, their_changes=_changes_since(entry, expected_version))


@transaction.atomic
def edit_entry(
    *, user, entry_id: int, expected_version: int, values: dict, entry: Entry | None = None
) -> Entry:
    """Saves a department's answer (result, reason, 進捗状況, comment) and makes it 入力中.

    Refused when the round is closed, the entry is read-only in its state (提出済, 確認済, 公表),
    or somebody saved it since ``expected_version`` (Conflict, with their changes). ``entry``:
    the view's copy from ``access.entries_for(user)``, to save reading it again.
    """
    entry = _entry_in_scope(user, entry_id, entry)
    _require_open(entry.round)
    _require_version(entry, expected_version)
    new_state = resolve(user, access.roles_for(user, entry), Action.EDIT, entry.state)
    return _save_entry(
        entry,
        expected_version=expected_version,
        values={name: values[name] for name in STAFF_FIELDS if name in values},
        actor=user,
        actor_name="",
        state=new_state,
        comment="",
        action="entry.edit",
    )


@transaction.atomic
def transition_entry(
    *, user, entry_id: int, expected_version: int, action: str, comment: str = ""
) -> Entry:
    """Moves one entry along the workflow: submit (所管課), return or confirm (市政改革室).

    A return needs a comment (the reason, shown to the department); a submission needs a result.
    """
    if action not in (Action.SUBMIT, Action.RETURN, Action.CONFIRM):
        raise ValueError(f"not an entry transition: {action}")
    entry = _entry_in_scope(user, entry_id)
    _require_open(entry.round)
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
        action=f"entry.{action}",
    )


@transaction.atomic
def bulk_transition(
    *, user, items: list[tuple[int, int]], action: str, comment: str = ""
) -> list[Entry]:
    """Returns or confirms many entries at once: (entry id, version seen) pairs, all or none.

    Each entry goes through ``transition_entry``, so each gets its own history row.
    """
    if action not in (Action.RETURN, Action.CONFIRM):
        raise ValueError(f"not a bulk action: {action}")
    if not items:
        raise ValidationError(_("対象の回答を選んでください。"))
    return [
        transition_entry(
            user=user, entry_id=pk, expected_version=version, action=action, comment=comment
        )
        for pk, version in items
    ]


def _managed_round(user, round_id: int, *, lock: bool = False) -> Round:
    qs = Round.objects.select_related("plan")
    if lock:
        qs = qs.select_for_update()
    round_ = qs.filter(pk=round_id, plan__in=Plan.objects.managed_by(user)).first()
    if round_ is None or not user.has_perm("evaluations.manage_round"):
        raise PermissionDenied(_("この照会を操作する権限がありません。"))
    return round_


@transaction.atomic
def start_round(
    *, user, plan: Plan, fiscal_year: int, kind: str, as_of: date, due_on: date | None
) -> Round:
    """The reform office opens a round (照会) for one of its municipality's plans."""
    if not manages_plan(user, plan) or not user.has_perm("evaluations.manage_round"):
        raise PermissionDenied(_("この計画の照会を開始する権限がありません。"))
    return open_round(
        plan=plan, fiscal_year=fiscal_year, kind=kind, as_of=as_of, due_on=due_on, actor=user
    )


@transaction.atomic
def close_round(*, user, round_id: int) -> Round:
    """Closes a round: from then on its entries can no longer be edited or moved."""
    round_ = _managed_round(user, round_id, lock=True)
    _require_open(round_)
    round_.state = RoundState.CLOSED
    round_.save(update_fields=["state"])
    record(
        "round.close",
        actor=user,
        round=round_,
        changes={"state": {"before": RoundState.OPEN, "after": RoundState.CLOSED}},
    )
    return round_


@transaction.atomic
def publish(*, user, round_id: int, note: str = "") -> Publication:
    """The reform office publishes a round: a new 時点 frozen from its confirmed entries."""
    round_ = _managed_round(user, round_id)
    return publish_round(round_=round_, actor=user, note=note)


def _evidence_entry(user, entry_id: int) -> Entry:
    entry = _entry_in_scope(user, entry_id)
    _require_open(entry.round)
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
            "evidence.add",
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
        "evidence.remove",
        actor=user,
        entry=entry,
        round=entry.round,
        initiative=entry.initiative,
        changes={"evidence": {"before": item.title, "after": ""}, **_touch_entry(entry, user)},
    )
    return item


# --- Bulk entry updates (the Excel import of 照会票) ---------------------------------------------


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
def update_entries(
    *,
    changes: list[EntryChange],
    round_: Round,
    actor=None,
    actor_name: str = "",
    comment: str = "",
    action: str = "entry.import",
) -> int:
    """``update_entry`` for many entries of one round at once: the same version check, one
    history row per entry, all or nothing. Callers have already decided scope and workflow.

    The versions are read under SELECT … FOR UPDATE (a stale one: ``Conflict`` naming it), and
    each UPDATE (executemany, one statement per row) repeats the check in its WHERE clause; if
    the rows matched fall short of the rows sent, the whole batch is rolled back with Conflict.
    """
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    _require_open(round_)
    for change in changes:
        _check_lengths(change.values)
    if not changes:
        return 0
    ids = [c.entry_id for c in changes]
    current = {
        pk: (version, initiative_id)
        for pk, version, initiative_id in Entry.objects.select_for_update()
        .filter(pk__in=ids)
        .values_list("pk", "version", "initiative_id")
    }
    stale = next(
        (c for c in changes if current.get(c.entry_id, (None,))[0] != c.expected_version), None
    )
    if stale is not None:
        entry = Entry.objects.get(pk=stale.entry_id)
        raise Conflict(entry=entry, their_changes=_changes_since(entry, stale.expected_version))
    now = timezone.now()
    table = connection.ops.quote_name(Entry._meta.db_table)
    columns = [*IMPORT_FIELDS, "state"]
    assignments = ", ".join(f"{connection.ops.quote_name(c)} = %s" for c in columns)
    sql = (
        f"UPDATE {table} SET {assignments}, version = version + 1, updated_by_id = %s, "
        f"updated_at = %s WHERE id = %s AND version = %s AND round_id = %s"
    )
    stamp = connection.ops.adapt_datetimefield_value(now)
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
        matched = cursor.rowcount
    if matched != len(changes):
        # Saved by somebody between the check above and the UPDATE (possible where the
        # database does not lock rows on SELECT … FOR UPDATE, as SQLite): refuse the batch.
        entry = Entry.objects.get(pk=changes[0].entry_id)
        raise Conflict(entry=entry, their_changes={})
    # The history rows go in with one executemany as well: bulk_create's per-object model
    # instances cost more than the whole UPDATE for 10,000 rows. Every column is prepared by
    # its own field from one template row (so a field added later gets its default), and
    # only the entry, the initiative and the changes differ from row to row.
    template = HistoryEvent(
        action=action,
        actor=actor,
        actor_name=actor_name or _actor_name(actor),
        round_id=round_.pk,
        comment=comment,
    )
    fields = [f for f in HistoryEvent._meta.concrete_fields if not f.primary_key]
    base = [f.get_db_prep_save(f.pre_save(template, True), connection) for f in fields]
    attnames = [f.attname for f in fields]
    entry_at, initiative_at, changes_at = (
        attnames.index(name) for name in ("entry_id", "initiative_id", "changes")
    )
    changes_field = fields[changes_at]
    rows = []
    for change in changes:
        diff = _field_changes(change.before, change.values)
        if change.state != change.state_before:
            diff["state"] = {"before": change.state_before, "after": change.state}
        diff["version"] = change.expected_version + 1
        row = base.copy()
        row[entry_at] = change.entry_id
        row[initiative_at] = current[change.entry_id][1]
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
    return len(changes)
