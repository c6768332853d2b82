"""Registers evaluations.provenance for templates (the marks, notices and source lines)."""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from evaluations import identity, labels, provenance

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
    """Where a municipality's 問合せ先 was quoted from (empty for the office's own words), its
    Japanese title marked ``lang="ja"`` on an English page."""
    source = identity.contact_source(municipality)
    if source is None:
        return ""
    title = conditional_escape(source.title)
    if labels.japanese_on_english_page(source.title):
        title = f'<span lang="ja">{title}</span>'
    return mark_safe(
        _("出典：%(title)s（%(date)s公表）")
        % {"title": title, "date": conditional_escape(source.published_on_label)}
    )
