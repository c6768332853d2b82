"""Service functions for the master data the reform office edits in the admin: initiatives,
plans and pillars. Each saves (or deletes) and appends its HistoryEvent in one transaction, with
every changed field before → after, like the entry services in evaluations.services.

They live here, not in ``initiatives``, because the append-only log (HistoryEvent) lives in
``evaluations`` and the arrows point ``evaluations → initiatives`` only: the log's rows refer to
rounds, entries and publications too, so moving it under ``initiatives`` would reverse them. The
admin for these models is wrapped in evaluations/admin.py for the same reason.

Related objects are recorded by name as they were (「環境局」, not an id), so the history still
reads right after a department is renamed or a pillar deleted.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from evaluations.choices import HistoryAction
from evaluations.models import Entry, PublishedResult
from evaluations.services import record
from initiatives.models import Initiative, Plan

# Fields that say nothing a reader needs (sort keys kept in step by the seed loader, say).
SKIPPED = frozenset({"id"})


def _fields(model) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in SKIPPED and not getattr(f, "auto_now", False)
    ]


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
    return {f.name: _value(obj, f) for f in _fields(type(obj))}


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
    """Saves a new or edited initiative, plan or pillar and records what changed.

    The "before" side is read from the database under a row lock, not from the form, so what
    the history says was there is what was there. An edit that changes nothing writes no row.
    Returns the changes recorded.
    """
    model = type(obj)
    creating = obj._state.adding or obj.pk is None
    before = {}
    if not creating:
        current = model.objects.select_for_update().filter(pk=obj.pk).first()
        creating = current is None
        before = snapshot(current) if current is not None else {}
    obj.save()
    after = snapshot(obj)
    if creating:
        changes = {
            name: {"before": "", "after": value} for name, value in after.items() if value != ""
        }
    else:
        changes = {
            name: {"before": before.get(name, ""), "after": value}
            for name, value in after.items()
            if before.get(name, "") != value
        }
    if changes:
        record(
            _action(obj, "create" if creating else "change"),
            actor=actor,
            actor_name=actor_name,
            changes=changes,
            **_subject(obj),
        )
    return changes


def _refuse_if_evaluated(initiative: Initiative) -> None:
    if (
        Entry.objects.filter(initiative=initiative).exists()
        or PublishedResult.objects.filter(initiative=initiative).exists()
    ):
        raise ValidationError(
            _("「%(title)s」には照会の回答または公表済みの評価結果があるため削除できません。")
            % {"title": initiative.title}
        )


@transaction.atomic
def delete(obj, *, actor=None, actor_name: str = "") -> None:
    """Deletes an initiative, plan or pillar and records every field it had.

    An initiative with entries or published results is refused (the database refuses it too:
    those rows PROTECT it); its history stays, keeping the initiative's id.
    """
    if isinstance(obj, Initiative):
        _refuse_if_evaluated(obj)
    if isinstance(obj, Plan):
        # The database would take the plan's initiatives and pillars with it unrecorded: each
        # goes first through this function, so the history names every one (and an initiative
        # with entries or results refuses the whole deletion, in Japanese).
        for initiative in obj.initiatives.order_by("order", "pk"):
            delete(initiative, actor=actor, actor_name=actor_name)
        for pillar in obj.pillars.order_by("order"):
            delete(pillar, actor=actor, actor_name=actor_name)
    subject = _subject(obj)
    before = snapshot(obj)
    obj.delete()
    record(
        _action(obj, "delete"),
        actor=actor,
        actor_name=actor_name,
        changes={name: {"before": value, "after": ""} for name, value in before.items()},
        **subject,
    )


@transaction.atomic
def delete_many(queryset, *, actor=None, actor_name: str = "") -> int:
    """``delete`` for each object of a queryset (the admin's bulk delete), all or none."""
    count = 0
    for obj in queryset:
        delete(obj, actor=actor, actor_name=actor_name)
        count += 1
    return count
