"""Rules of an entry's answer, each written once: the model, its database constraints, the staff
forms, the services and the workbook import all apply these.

Nothing here imports a model, so ``evaluations.models`` can build its fields and constraints
from it.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from evaluations.choices import Result

# The longest text each field of an entry holds (the model's max_length; forms, services and
# the import check the same numbers).
TEXT_LIMITS = {"reason": 2000, "narrative": 4000, "staff_comment": 2000, "review_comment": 2000}

TOO_LONG = _("%(limit)d文字以内で入力してください（現在%(count)d文字）。")
# The same sentence with the placeholders Django's max_length error fills in (forms).
TOO_LONG_FOR_FORMS = _("%(limit_value)d文字以内で入力してください（現在%(show_value)d文字）。")

# 評価対象外 needs a reason; no result yet (blank) needs nothing.
EXCLUDED_NEEDS_REASON = Q(result__in=[Result.ACHIEVED, Result.NOT_ACHIEVED, ""]) | (
    Q(result=Result.EXCLUDED) & ~Q(reason="")
)
EXCLUDED_NEEDS_REASON_MESSAGE = _("「評価対象外」には理由を入力してください。")


def reason_problem(result: str, reason: str) -> str | None:
    """The message when ``result`` needs a reason that ``reason`` does not give, else None."""
    if result == Result.EXCLUDED and not (reason or "").strip():
        return str(EXCLUDED_NEEDS_REASON_MESSAGE)
    return None


def length_problem(name: str, value: str) -> str | None:
    """The message when ``value`` is longer than field ``name`` holds, else None."""
    limit = TEXT_LIMITS.get(name)
    if limit and value and len(value) > limit:
        return str(TOO_LONG) % {"limit": limit, "count": len(value)}
    return None
