"""Service functions for everything edited in the admin: initiatives, plans, pillars, plan notes,
X会議 and schedules, rounds' dates, memberships, departments, users. Each saves (or deletes) and
appends its HistoryEvent in one transaction, with every changed field before → after, like the
entry services in evaluations.services. A delete records every field of the object and of each
object the database deletes with it, so no deleted text is lost.

They live here, not in ``initiatives``, because the append-only log (HistoryEvent) lives in
``evaluations`` and the arrows point ``evaluations → initiatives`` only: the log's rows refer to
rounds, entries and publications too, so moving it under ``initiatives`` would reverse them. The
admin for these models is wrapped in evaluations/admin.py for the same reason.

Related objects are recorded by name as they were (「環境局」, not an id), so the history still
reads right after a department is renamed or a pillar deleted.
"""

from __future__ import annotations

from django.contrib.admin.utils import NestedObjects
from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.utils.translation import gettext as _

from evaluations.choices import HistoryAction
from evaluations.models import Entry, PublishedResult
from evaluations.services import record
from initiatives.models import Initiative, Plan

# Fields that say nothing a reader needs, or must never be copied into the log (a password
# hash; a change of password is recorded without either side; a search text derived from the
# fields that are recorded).
SKIPPED = frozenset({"id", "password", "last_login", "search_text"})


def _fields(model) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in SKIPPED and not getattr(f, "auto_now", False)
    ]


def _many_to_many(model) -> list[models.Field]:
    return [f for f in model._meta.many_to_many if f.name not in SKIPPED]


def _value(obj, field: models.Field):
    """A field's value as history keeps it: JSON-friendly, related objects by name."""
    if field.is_relation:
        related_id = getattr(obj, field.attname)
        if related_id is None:
            return ""
        return str(getattr(obj, field.name))
    value = getattr(obj, field.attname)
    if value is None:
        return ""
    if isinstance(value, str | int | bool):
        return value
    return str(value)


def snapshot(obj) -> dict:
    """Every field as history keeps it; many-to-many links (a meeting's initiatives, a user's
    groups) as the sorted names of what is linked."""
    values = {f.name: _value(obj, f) for f in _fields(type(obj))}
    if obj.pk is not None:
        for field in _many_to_many(type(obj)):
            values[field.name] = sorted(str(o) for o in getattr(obj, field.name).all())
    return values


def stored(obj) -> dict | None:
    """The object as the database holds it now (locked until the transaction ends), or None
    for a new one: the "before" side of a save is read from here, never from a form."""
    if obj._state.adding or obj.pk is None:
        return None
    current = type(obj)._base_manager.select_for_update().filter(pk=obj.pk).first()
    return snapshot(current) if current is not None else None


def record_save(obj, before: dict | None, *, actor=None, actor_name: str = "") -> dict:
    """Records a save whose "before" was read by ``stored`` ahead of it (None: created), after
    the object and its many-to-many links are saved. Nothing changed: no row. Returns the
    changes recorded."""
    after = snapshot(obj)
    if before is None:
        changes = {
            name: {"before": "", "after": value}
            for name, value in after.items()
            if value not in ("", [])
        }
    else:
        changes = {
            name: {"before": before.get(name, ""), "after": value}
            for name, value in after.items()
            if before.get(name, "") != value
        }
    if changes:
        record(
            _action(obj, "create" if before is None else "change"),
            actor=actor,
            actor_name=actor_name,
            changes=changes,
            **_subject(obj),
        )
    return changes


def _subject(obj) -> dict:
    """Which object an event is about, by name as well (it may be deleted later); an
    initiative's events also hang on its id, so its page lists them."""
    subject = {
        "subject_type": obj._meta.label_lower,
        "subject_id": obj.pk,
        "subject_repr": str(obj)[:300],
    }
    if isinstance(obj, Initiative):
        subject["initiative_id"] = obj.pk
    return subject


def _action(obj, verb: str) -> HistoryAction:
    # ValueError for a model or verb without a declared action (and so without a label).
    return HistoryAction(f"{obj._meta.model_name}.{verb}")


@transaction.atomic
def save(obj, *, actor=None, actor_name: str = "") -> dict:
    """Saves a new or edited object and records what changed.

    The "before" side is read from the database under a row lock, not from the form, so what
    the history says was there is what was there. An edit that changes nothing writes no row.
    Returns the changes recorded.
    """
    before = stored(obj)
    obj.save()
    return record_save(obj, before, actor=actor, actor_name=actor_name)


@transaction.atomic
def record_password_change(user, *, actor=None, actor_name: str = "") -> None:
    """Records that someone set a user's password (neither the old nor the new hash)."""
    record(
        HistoryAction.USER_PASSWORD,
        actor=actor,
        actor_name=actor_name,
        changes={},
        **_subject(user),
    )


def _refuse_if_evaluated(initiative: Initiative) -> None:
    if (
        Entry.objects.filter(initiative=initiative).exists()
        or PublishedResult.objects.filter(initiative=initiative).exists()
    ):
        raise ValidationError(
            _("「%(title)s」には照会の回答または公表済みの評価結果があるため削除できません。")
            % {"title": initiative.title}
        )


def _cascade(obj) -> tuple[list, list]:
    """What the database would do to others when ``obj`` goes: the objects it would delete
    with it (each once; the many-to-many link rows are left out, the parents' snapshots name
    them), and the (object, field) pairs it would set to null (an initiative's cluster)."""
    collector = NestedObjects(using=router.db_for_write(type(obj), instance=obj))
    collector.collect([obj])
    deleted = []
    for model, instances in collector.data.items():
        if model._meta.auto_created:
            continue
        deleted += [o for o in instances if not (model is type(obj) and o.pk == obj.pk)]
    deleted.sort(key=lambda o: (o._meta.label_lower, o.pk))
    gone = {(o._meta.label_lower, o.pk) for o in deleted}
    nulled = [
        (o, field)
        for (field, _value), batches in collector.field_updates.items()
        for batch in batches
        for o in batch
        if (o._meta.label_lower, o.pk) not in gone
    ]
    return deleted, nulled


def _record_delete(obj, *, actor, actor_name) -> None:
    before = snapshot(obj)
    record(
        _action(obj, "delete"),
        actor=actor,
        actor_name=actor_name,
        changes={name: {"before": value, "after": ""} for name, value in before.items()},
        **_subject(obj),
    )


@transaction.atomic
def delete(obj, *, actor=None, actor_name: str = "") -> None:
    """Deletes an object and records every field it had, and every field of each object the
    database deletes with it (a meeting's topics and materials, a schedule's rows, a pillar's
    narratives), so a deletion never loses text; a link the database clears (an initiative's
    cluster, a schedule row's pillar) is recorded as a change of the object that had it.

    An initiative with entries or published results is refused (the database refuses it too:
    those rows PROTECT it); its history stays, keeping the initiative's id. A model without a
    declared delete action refuses the whole deletion (ValueError) rather than lose its record.
    """
    if isinstance(obj, Initiative):
        _refuse_if_evaluated(obj)
    if isinstance(obj, Plan):
        # Each initiative goes first through this function, so one with entries or results
        # refuses the whole deletion in Japanese.
        for initiative in obj.initiatives.order_by("order", "pk"):
            delete(initiative, actor=actor, actor_name=actor_name)
    deleted, nulled = _cascade(obj)
    for dependent in deleted:
        _record_delete(dependent, actor=actor, actor_name=actor_name)
    for other, field in nulled:
        record(
            _action(other, "change"),
            actor=actor,
            actor_name=actor_name,
            changes={field.name: {"before": _value(other, field), "after": ""}},
            **_subject(other),
        )
    _record_delete(obj, actor=actor, actor_name=actor_name)
    obj.delete()


@transaction.atomic
def delete_many(queryset, *, actor=None, actor_name: str = "") -> int:
    """``delete`` for each object of a queryset (the admin's bulk delete), all or none."""
    count = 0
    for obj in queryset:
        delete(obj, actor=actor, actor_name=actor_name)
        count += 1
    return count
