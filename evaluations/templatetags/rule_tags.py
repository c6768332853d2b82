"""``{% rating_rule plan summary %}``: the plan's rating rule in words and as a formula with the
plan's own figures (evaluations.rating_rules), so a citizen can recompute the headline from
the listed items. Reads no database, except the indicator bands of a plan under that rule."""

from __future__ import annotations

from django import template

from evaluations import indicators, rating_rules
from evaluations.rates import EMPTY
from reformtracker.display import language

register = template.Library()


@register.inclusion_tag("evaluations/_rating_rule.html")
def rating_rule(plan, summary=None, items_url="", publication=None):
    # Under the indicator rule the bands are read here (one query, those plans only).
    bands = rating_rules.bands_for([(publication, plan)]).get(getattr(publication, "pk", None))
    shown = rating_rules.headline(plan, summary or EMPTY, language(), bands)
    return {"plan": plan, "headline": shown, "rule": shown.rule, "items_url": items_url}


@register.filter
def kpi_number(value):
    """An indicator's Decimal as people read it (1,288 / 151.5), never in exponent form."""
    return "" if value is None else indicators.number(value)
