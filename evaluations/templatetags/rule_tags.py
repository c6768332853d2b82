"""``{% rating_rule plan summary %}``: the plan's rating rule in words and as a formula with the
plan's own figures (evaluations.rating_rules), so a citizen can recompute the headline from
the listed items. Reads no database."""

from __future__ import annotations

from django import template

from evaluations import rating_rules
from evaluations.rates import EMPTY
from reformtracker.display import language

register = template.Library()


@register.inclusion_tag("evaluations/_rating_rule.html")
def rating_rule(plan, summary=None, items_url=""):
    shown = rating_rules.headline(plan, summary or EMPTY, language())
    return {"plan": plan, "headline": shown, "rule": shown.rule, "items_url": items_url}
