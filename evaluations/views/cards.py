"""The share cards (og:image) as PNG: one per plan, and one for the site.

They read the same boards as the plan page and the dashboard (evaluations.boards), so a card
shows the page's figures, and are cached per publication with an ETag like the pages (public_page).
"""

from __future__ import annotations

import threading
from functools import partial

from django.http import HttpResponse

from evaluations import cards
from evaluations.boards import boards_digest, home_boards, plan_data, plan_digest
from reformtracker import page_memo
from reformtracker.public_pages import public_page

# The process shares one FreeType face per size (cards._font), and a face must not be used by
# two threads at once: a threaded server lays out and draws one card at a time. Cards are
# cached per publication, so they are seldom drawn.
_drawing = threading.Lock()


def _png(build, board) -> HttpResponse:
    with _drawing:
        png = build(board).png()
    response = HttpResponse(png, content_type="image/png")
    # Other sites show it (social networks, LINE, embeds); the page cache keeps the header.
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


@public_page
def plan_card(request, slug):
    """/plans/<slug>/card.png: the plan's headline rate as the plan page shows it."""
    board = plan_data(slug)
    make = partial(_png, cards.plan_card, board)
    return page_memo.respond(request, "plan_card.png", partial(plan_digest, board), make)


@public_page
def site_card(request):
    """/card.png: every plan's headline rate, as the dashboard shows them."""
    boards = home_boards()
    make = partial(_png, cards.site_card, boards)
    return page_memo.respond(request, "site_card.png", partial(boards_digest, boards), make)
