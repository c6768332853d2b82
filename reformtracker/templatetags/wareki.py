"""Template filters for Japanese dates and fiscal years; they follow the active language.

The functions live in reformtracker.display; this library only registers them.
"""

from django import template

from reformtracker import display

register = template.Library()

for _name in (
    "wareki",
    "seireki",
    "nendo",
    "nendomatsu",
    "rate",
    "wareki_month",
    "wareki_datetime",
    "wareki_or_iso",
):
    register.filter(_name, getattr(display, _name))
