"""Integers read from a request, bounded before they reach the database or the calendar: ids
and counters the database's columns hold, and the fiscal years the sites handle. The path
converters (reformtracker.converters), the initiative browser and the staff forms use these.
"""

from __future__ import annotations

import re
from datetime import date

from django.utils.translation import gettext_lazy as _

# The database's integers: ids are 64-bit (BigAutoField), versions and counters 32-bit
# (IntegerField); a larger number in a query overflows there (SQLite: OverflowError, PostgreSQL:
# "out of range") and was a 500. Every integer read from a request is checked against these.
BIGINT_MAX = 2**63 - 1
INT_MAX = 2**31 - 1

# The fiscal years the sites handle: the plans' own bounds (initiatives.models
# plan_start_fiscal_year_plausible), all within the eras calendar_ja names.
FIRST_FISCAL_YEAR = 1989
LAST_FISCAL_YEAR = 2200
FISCAL_YEAR_MESSAGE = _("年度は西暦で入力してください（例：2025）。")
# A date people give (a round's 時点 and due date) lies within those fiscal years: every page
# writes dates in 和暦, and 1900-01-01 named no era (a 500 on every page showing the round).
FIRST_DATE = date(FIRST_FISCAL_YEAR, 4, 1)
LAST_DATE = date(LAST_FISCAL_YEAR + 1, 3, 31)
DATE_MESSAGE = _("日付は1989年4月1日から2201年3月31日までの間で入力してください。")


_INTEGER = re.compile(r"-?[0-9]{1,19}")


def bounded_int(value, lo: int = 1, hi: int = BIGINT_MAX) -> int | None:
    """``value`` (a request's text) as an int in lo…hi, or None when it is anything else: not
    digits (``1e20``, ``1.5``, ``R6``), or outside the range. Never raises."""
    text = str(value if value is not None else "").strip()
    # At most 19 digits, tested before int(): int() of a million digits costs time.
    if not _INTEGER.fullmatch(text):
        return None
    number = int(text)
    return number if lo <= number <= hi else None


def fiscal_year_or_none(value) -> int | None:
    """A fiscal year (西暦, e.g. 2025) the sites handle, or None."""
    return bounded_int(value, FIRST_FISCAL_YEAR, LAST_FISCAL_YEAR)


def date_in_range(day: date | None) -> bool:
    """Whether ``day`` (None: no date given) lies within the fiscal years the sites handle."""
    return day is None or FIRST_DATE <= day <= LAST_DATE
