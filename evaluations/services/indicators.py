"""The reform office defines an initiative's indicators and records their actuals in a round.

Each change is one atomic function that writes its history. Actuals are recorded all or
nothing: one wrong number refuses the whole form, naming the indicator.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations.choices import HistoryAction
from evaluations.models import IndicatorValue, Round
from evaluations.services.base import record, require_open
from initiatives.access import manages_plan
from initiatives.models import Indicator, Initiative, Plan


def _managed_initiative(user, initiative_id: int) -> Initiative:
    initiative = (
        Initiative.objects.select_related("plan")
        .filter(pk=initiative_id, plan__in=Plan.objects.managed_by(user))
        .first()
    )
    if initiative is None or not manages_plan(user, initiative.plan):
        raise PermissionDenied(_("指標の登録は市政改革室の職員だけが行えます。"))
    return initiative


@transaction.atomic
def define_indicator(*, user, initiative_id: int, values: dict) -> Indicator:
    """Adds an indicator (name, unit, direction, baseline and target with their years)."""
    initiative = _managed_initiative(user, initiative_id)
    indicator = Indicator(initiative=initiative, **values)
    indicator.order = initiative.indicators.count()
    indicator.full_clean()
    indicator.save()
    record(
        HistoryAction.INDICATOR_CREATE,
        actor=user,
        initiative=initiative,
        subject_type=indicator._meta.label_lower,
        subject_id=indicator.pk,
        subject_repr=str(indicator),
        changes={name: {"before": None, "after": str(value)} for name, value in values.items()},
    )
    return indicator


@transaction.atomic
def record_indicator_values(*, user, round_id: int, values: dict[int, Decimal | None]) -> int:
    """Records the round's actuals ({indicator id: value, None to clear}); how many changed.
    Only indicators of the round's own initiatives are taken."""
    round_ = (
        Round.objects.select_for_update()
        .select_related("plan")
        .filter(pk=round_id, plan__in=Plan.objects.managed_by(user))
        .first()
    )
    if round_ is None or not manages_plan(user, round_.plan):
        raise PermissionDenied(_("照会を操作する権限がありません。"))
    require_open(round_)
    allowed = {
        i.pk: i
        for i in Indicator.objects.filter(
            initiative__entries__round=round_, pk__in=list(values)
        ).select_related("initiative")
    }
    unknown = set(values) - set(allowed)
    if unknown:
        raise ValidationError(_("この照会の取組項目ではない指標が含まれています。"))
    return _write_values(round_, allowed, values, actor=user)


@transaction.atomic
def record_indicator_values_as_system(
    *,
    round_: Round,
    values: dict[int, Decimal | None],
    expected: dict[int, Decimal | None],
    actor=None,
    actor_name: str = "",
    comment: str = "",
) -> int:
    """Records actuals read from a 照会票 ({indicator id: value, None to clear}); how many
    changed. Asks nobody's permission: the caller (evaluations.workbooks) checked each row's
    scope when it read the file. ``expected`` holds each actual as the file was exported; one
    that has changed since refuses the whole call (ValidationError naming the indicator), so
    an import over a newer actual saves nothing. Called inside the import's transaction, with
    the entries' changes, so both are saved or neither."""
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    require_open(round_)
    if not values:
        return 0
    allowed = {
        i.pk: i
        for i in Indicator.objects.filter(
            initiative__entries__round=round_, pk__in=list(values)
        ).select_related("initiative")
    }
    if set(values) - set(allowed):
        raise ValidationError(_("この照会の取組項目ではない指標が含まれています。"))
    live = dict(
        IndicatorValue.objects.select_for_update()
        .filter(round=round_, indicator_id__in=list(values))
        .values_list("indicator_id", "value")
    )
    for pk in values:
        if live.get(pk) != expected.get(pk):
            raise ValidationError(
                _(
                    "取込中にほかの人が指標「%(name)s」の実績を更新しました。"
                    "照会票を出力し直してください。"
                )
                % {"name": allowed[pk]}
            )
    return _write_values(
        round_, allowed, values, actor=actor, actor_name=actor_name, comment=comment
    )


def _write_values(
    round_: Round, allowed: dict, values: dict, *, actor, actor_name: str = "", comment: str = ""
) -> int:
    """Writes each changed actual with its history row; the one writer of actuals."""
    current = {
        v.indicator_id: v
        for v in IndicatorValue.objects.filter(round=round_, indicator_id__in=list(values))
    }
    changed = 0
    now = timezone.now()
    for pk, value in values.items():
        before = current.get(pk)
        # Read before the row is changed below: the history's 「変更前」 is the old value.
        before_value = None if before is None else before.value
        if value is None:
            if before is not None:
                before.delete()
            else:
                continue
        elif before is None:
            IndicatorValue.objects.create(
                round=round_, indicator_id=pk, value=value, updated_at=now
            )
        elif before.value == value:
            continue
        else:
            before.value, before.updated_at = value, now
            before.save(update_fields=["value", "updated_at"])
        indicator = allowed[pk]
        record(
            HistoryAction.INDICATOR_RECORD,
            actor=actor,
            actor_name=actor_name,
            comment=comment,
            round=round_,
            initiative=indicator.initiative,
            subject_type=indicator._meta.label_lower,
            subject_id=pk,
            subject_repr=str(indicator),
            changes={
                "actual": {
                    "before": None if before_value is None else str(before_value),
                    "after": None if value is None else str(value),
                }
            },
        )
        changed += 1
    return changed
