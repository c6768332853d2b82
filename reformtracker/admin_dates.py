"""The Django admin's own dates and timestamps the Japanese way: 令和7年11月26日 10:09 in
Japanese, ISO (2025-11-26 10:09) in English, through reformtracker.display (and so
calendar_ja), as every other page shows them.

The admin formats a date with the locale's DATE_FORMAT, which cannot say 令和. ``WarekiDates``
shows each date or timestamp column of a change list, and each date shown (not edited) on a
change or view page, through a column of its own (``wareki_<field>``) that keeps the field's
label and sorts by the field. Dates the form edits keep their input as the admin writes it.

A change list names each fiscal year as every page does (令和6年度, FY2024, through
``display.nendo``), in place of the admin's bare 2024: its fiscal-year columns through
``WarekiDates`` (``nendo_<field>``, sorted by the field), its filter through ``FiscalYearFilter``.
"""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from reformtracker.bounds import fiscal_year_or_none
from reformtracker.display import nendo, wareki_or_iso

PREFIX = "wareki_"
# The change-list column of a fiscal-year field.
NENDO = "nendo_"


def admin_date(value) -> str:
    """A date or timestamp as the admin shows it: 和暦 in Japanese, ISO in English."""
    return wareki_or_iso(value)


def _date_fields(model) -> dict[str, models.Field]:
    # DateTimeField is a DateField.
    return {f.name: f for f in model._meta.concrete_fields if isinstance(f, models.DateField)}


def _fiscal_year_fields(model) -> dict[str, models.Field]:
    """The fields holding a fiscal year (2024 = 令和6年度): ``fiscal_year``, ``start_fiscal_year``…"""
    return {
        f.name: f
        for f in model._meta.concrete_fields
        if f.name == "fiscal_year" or f.name.endswith("_fiscal_year")
    }


def _swap(names, swapped: set[str]):
    """``names`` (a fieldset's fields, a name or a tuple of names on one line) with each field of
    ``swapped`` replaced by its column and the columns themselves left out where they stand
    alone (the admin appends read-only names at the end)."""
    out = []
    for name in names:
        if isinstance(name, list | tuple):
            out.append(type(name)(_swap(name, swapped)))
        elif isinstance(name, str) and name.startswith(PREFIX) and name[len(PREFIX) :] in swapped:
            continue
        else:
            out.append(f"{PREFIX}{name}" if name in swapped else name)
    return out


class WarekiDates:
    """A ModelAdmin mixin: each date field the admin shows rather than edits, through
    ``admin_date``; and each fiscal-year column of the change list, through ``nendo``."""

    def __getattr__(self, name):
        if name.startswith(PREFIX):
            field = _date_fields(self.model).get(name[len(PREFIX) :])
            if field is not None:
                return self._column(field)
        if name.startswith(NENDO):
            field = _fiscal_year_fields(self.model).get(name[len(NENDO) :])
            if field is not None:
                return self._fiscal_year_column(field)
        raise AttributeError(name)

    def _fiscal_year_column(self, field):
        @admin.display(description=field.verbose_name, ordering=field.name)
        def column(obj):
            value = getattr(obj, field.attname)
            return nendo(value) if value is not None else self.get_empty_value_display()

        column.__name__ = f"{NENDO}{field.name}"
        return column

    def _list_column(self, name):
        """The change-list column showing ``name``: its own column for a date or fiscal year."""
        if isinstance(name, str):
            if name in _date_fields(self.model):
                return f"{PREFIX}{name}"
            if name in _fiscal_year_fields(self.model):
                return f"{NENDO}{name}"
        return name

    def _column(self, field):
        def column(obj):
            value = getattr(obj, field.attname)
            return admin_date(value) if value is not None else self.get_empty_value_display()

        column.short_description = field.verbose_name
        column.admin_order_field = field.name
        column.__name__ = f"{PREFIX}{field.name}"
        return column

    def get_list_display(self, request):
        return [self._list_column(name) for name in super().get_list_display(request)]

    def get_list_display_links(self, request, list_display):
        links = super().get_list_display_links(request, list_display)
        if not links:
            return links
        return [self._list_column(name) for name in links]

    def _shown_dates(self, request, obj) -> set[str]:
        """The date fields a change or view page shows without a form field."""
        dates = set(_date_fields(self.model))
        viewing = (
            not self.has_change_permission(request, obj)
            if obj is not None
            else not self.has_add_permission(request)
        )
        if viewing:
            return dates
        return dates & {n for n in super().get_readonly_fields(request, obj) if isinstance(n, str)}

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly + [f"{PREFIX}{name}" for name in sorted(self._shown_dates(request, obj))]

    def get_fieldsets(self, request, obj=None):
        swapped = self._shown_dates(request, obj)
        fieldsets = super().get_fieldsets(request, obj)
        if not swapped:
            return fieldsets
        return [
            (title, {**options, "fields": _swap(options["fields"], swapped)})
            for title, options in fieldsets
        ]


class FiscalYearFilter(admin.SimpleListFilter):
    """The list filter of a model's ``fiscal_year``: the years of the rows the admin shows this
    user (its scoped queryset), each named 令和6年度 in Japanese, FY2024 in English."""

    title = _("年度")
    parameter_name = "fiscal_year"

    def lookups(self, request, model_admin):
        years = (
            model_admin.get_queryset(request)
            .order_by(self.parameter_name)
            .values_list(self.parameter_name, flat=True)
            .distinct()
        )
        return [(str(year), nendo(year)) for year in years]

    def queryset(self, request, queryset):
        if self.value() is None:
            return None
        # A year typed into the address that no site handles matches nothing, not a 500.
        year = fiscal_year_or_none(self.value())
        return queryset.none() if year is None else queryset.filter(fiscal_year=year)
