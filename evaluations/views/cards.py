"""The share cards (og:image) as PNG: one per plan, and one for the site.

They read the same boards as the plan page and the dashboard (views.public), so a card shows the
page's figures, and are cached per publication with an ETag like the pages (public_page).
"""

from __future__ import annotations

import threading
from functools import wraps

from django.http import HttpResponse

from evaluations import cards
from evaluations.public_cache import public_page
from evaluations.views.public import dashboards, live_plans, plan_data


def cross_origin(view):
    """Lets other sites show the image (social networks, LINE, embeds). Outside public_page,
    so the header is on cache hits and 304s too, not only on freshly drawn cards."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Cross-Origin-Resource-Policy"] = "cross-origin"
        return response

    return wrapper


# The process shares one FreeType face per size (cards._font), and a face must not be used by
# two threads at once: a threaded server lays out and draws one card at a time. Cards are
# cached per publication, so they are seldom drawn.
_drawing = threading.Lock()


def _png(build, board) -> HttpResponse:
    with _drawing:
        png = build(board).png()
    return HttpResponse(png, content_type="image/png")


@cross_origin
@public_page
def plan_card(request, slug):
    """/plans/<slug>/card.png: the plan's headline rate as the plan page shows it."""
    return _png(cards.plan_card, plan_data(slug))


@cross_origin
@public_page
def site_card(request):
    """/card.png: every plan's headline rate, as the dashboard shows them."""
    return _png(cards.site_card, dashboards(live_plans()))
