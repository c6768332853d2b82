"""Registers evaluations.provenance for templates (the marks, notices and source lines)."""

from django import template

from evaluations import identity, provenance

register = template.Library()


@register.simple_tag
def plan_notices(plan):
    return provenance.plan_notices(plan)


@register.simple_tag
def totals_by_city(plan, publication):
    return provenance.totals_published_by_city(plan, publication)


@register.filter
def provenance_explanation(value):
    return provenance.explanation(value)


@register.simple_tag
def card_line(plan, publication):
    return provenance.card_line(plan, publication)


@register.filter
def contact_source_line(municipality):
    """Where a municipality's 問合せ先 was quoted from (empty for the office's own words)."""
    return identity.Identity(municipality).contact_source_line
