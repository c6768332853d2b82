"""Rules of an entry's answer, each written once: the model, its database constraints, the staff
forms, the services and the workbook import all apply these. Also the rule for the text people
write: no invisible control characters. (Integers from a request: reformtracker.bounds.)

Nothing here imports a model, so ``evaluations.models`` can build its fields and constraints
from it.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
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


# --- text people write ---------------------------------------------------------------------------

# Characters that change how text displays without being seen: Unicode's format characters
# (category Cf: the bidi embeddings, overrides and isolates U+202A–U+202E and U+2066–U+2069,
# the marks U+200E/U+200F/U+061C, zero-width spaces, U+FEFF, tags…) and control characters
# (Cc) other than tab and line breaks. U+202E can make 「未達成」 read as something else on the
# public pages. Refused rather than stripped: removing them silently could change what a
# sentence says. Allowed: ZWNJ and ZWJ (U+200C, U+200D), which emoji sequences and some
# scripts need to render correctly and which cannot reorder text.
_ALLOWED_FORMAT = frozenset("\u200c\u200d\t\n\r")
CONTROL_CHARACTER = _(
    "制御文字（%(code)s）は使えません。見えない文字が含まれていないか確認してください。"
)


def invisible_character(value: str) -> str | None:
    """The first character of ``value`` that the sites refuse in text people write, as U+XXXX."""
    for char in value or "":
        if char not in _ALLOWED_FORMAT and unicodedata.category(char) in ("Cf", "Cc"):
            return f"U+{ord(char):04X}"
    return None


def control_problem(value: str) -> str | None:
    """The message when ``value`` holds a character ``invisible_character`` finds, else None."""
    if code := invisible_character(value):
        return str(CONTROL_CHARACTER) % {"code": code}
    return None


def text_problem(name: str, value: str) -> str | None:
    """Everything wrong with a stored text field's value: invisible characters, then length."""
    return control_problem(value) or length_problem(name, value)


def validate_visible_text(value: str) -> None:
    """Form validator for every text field people write (evaluations.staff_forms)."""
    if message := control_problem(value):
        raise ValidationError(message, code="control_character")
