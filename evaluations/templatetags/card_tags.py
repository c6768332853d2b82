"""The og:image meta tags of the public pages: the share card (evaluations.cards) of the page.

Building them reads no database: the card's URL needs only the plan's slug, and its alt text
takes the figures only from what the page already holds (the plan page's ``board``, the
dashboard's ``boards``).
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from evaluations import cards
from reformtracker.links import cached_reverse

register = template.Library()


def _version(context, board, boards) -> str:
    """The publications whose figures the card shows, from what the page already holds (no
    query): the plan's board, the home page's boards, or the page's ``publication``."""
    sources = [board] if board else (boards or [])
    pks = [str(b["publication"].pk) for b in sources if b and b.get("publication")]
    if not pks and getattr(context.get("publication"), "pk", None):
        pks = [str(context["publication"].pk)]
    return "-".join(pks)


@register.simple_tag(takes_context=True)
def og_card(context, plan=None, board=None, boards=None):
    """``{% og_card %}``: the site card (``boards=`` for its figures in the alt text);
    ``{% og_card plan %}``: the plan's card (``board=`` for its figures in the alt text)."""
    request = context.get("request")
    if request is None:  # rendered without a request (an error page): no absolute URL to give
        return ""
    slug = plan.slug if plan else None
    path = cached_reverse("plan_card", slug) if slug else cached_reverse("site_card")
    url = request.build_absolute_uri(path)
    version = _version(context, board, boards)
    if version:
        # A new publication gives the card a new address, so social networks and LINE, which
        # keep an image by its URL, fetch the new figures instead of showing the old ones.
        url = f"{url}?v={version}"
    alt = cards.plan_alt(plan, board or None) if plan else cards.site_alt(boards or None)
    return format_html(
        '<meta property="og:image" content="{url}">\n'
        '  <meta property="og:image:type" content="image/png">\n'
        '  <meta property="og:image:width" content="{width}">\n'
        '  <meta property="og:image:height" content="{height}">\n'
        '  <meta property="og:image:alt" content="{alt}">\n'
        '  <meta name="twitter:card" content="summary_large_image">\n'
        '  <meta name="twitter:image:alt" content="{alt}">',
        url=url,
        width=cards.WIDTH,
        height=cards.HEIGHT,
        alt=alt,
    )
