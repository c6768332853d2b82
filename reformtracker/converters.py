"""Path converters for the numbers in addresses: ``<id:pk>`` and ``<fy:fiscal_year>``.

Django's ``<int:…>`` matches any run of digits, so ``/office/reports/<slug>/1900/progress.pdf``
reached the view with a year no era names (a 500), and a 20-digit id reached the database. These
match only numbers the sites handle (reformtracker.bounds): anything else is a 404 before a view
runs. Registered by reformtracker.apps.
"""

from __future__ import annotations

from django.urls import register_converter

from reformtracker.bounds import BIGINT_MAX, FIRST_FISCAL_YEAR, LAST_FISCAL_YEAR, bounded_int


class IdConverter:
    """An id (or an order, a number) the database's 64-bit integers hold."""

    regex = "[0-9]{1,19}"
    lo, hi = 0, BIGINT_MAX

    def to_python(self, value: str) -> int:
        number = bounded_int(value, self.lo, self.hi)
        if number is None:
            raise ValueError(value)  # the resolver tries the next pattern, then answers 404
        return number

    def to_url(self, value) -> str:
        return str(int(value))


class FiscalYearConverter(IdConverter):
    """A fiscal year as 西暦 (2025 = 令和7年度) within the years the sites handle."""

    regex = "[0-9]{4}"
    lo, hi = FIRST_FISCAL_YEAR, LAST_FISCAL_YEAR


def register() -> None:
    register_converter(IdConverter, "id")
    register_converter(FiscalYearConverter, "fy")
