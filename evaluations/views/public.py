"""Public pages: the dashboard, plans, pillars, initiatives, the initiative browser and badges.

What each page shows is built by evaluations.boards and evaluations.browse (the read API calls
the same functions); these views only render it. Each is cached whole per publication
(evaluations.public_cache).
"""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string

from evaluations import boards, directory
from evaluations.browse import PARAMS, browse, browse_digest
from reformtracker import page_memo
from reformtracker.public_pages import public_page


@public_page(params=directory.PARAMS)
def home(request):
    """Every plan's dashboard while they are few; the directory of plans (by prefecture, with
    a filter, a name search and pages) once they are many (evaluations.directory)."""
    if directory.shows_boards():
        shown = boards.home_boards()
        rows = partial(boards.home_digest, shown)
        return page_memo.render_page(request, "evaluations/home.html", {"boards": shown}, rows)
    filters = directory.read_filters(request.GET, per_page=settings.PUBLIC_HOME_PLANS_PER_PAGE)
    context = {**directory.directory(filters), "directory_mode": True}
    template = "evaluations/home.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#directory"
    return render(request, template, context, status=400 if filters.problems else 200)


@public_page
def plan_detail(request, slug):
    data = boards.plan_data(slug)
    rows = partial(boards.plan_digest, data)
    return page_memo.render_page(request, "evaluations/plan_detail.html", data, rows)


@public_page(params=("page",))
def pillar_detail(request, slug, order):
    data = boards.pillar_rows(slug, order, request.GET.get("page"))
    rows = partial(boards.pillar_digest, data)
    # Its summary is read only when the page is rendered.
    context = partial(boards.pillar_page, data)
    return page_memo.render_page(request, "evaluations/pillar_detail.html", context, rows)


@public_page
def initiative_detail(request, slug, code):
    try:
        item = boards.initiative_of(slug, code)
    except Http404:
        # A number published pages still link to, since given up for a new one: go there.
        moved = boards.current_code(slug, code)
        if moved is None:
            raise
        return redirect("initiative_detail", slug, moved)
    rows = partial(boards.initiative_digest, item)
    # Its published history is read only when the page is rendered.
    data = partial(boards.initiative_data, slug, code, item)
    return page_memo.render_page(request, "evaluations/initiative_detail.html", data, rows)


@public_page(params=PARAMS)
def initiative_list(request):
    context = browse(request.GET)
    template = "evaluations/initiative_list.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#htmx"
    # A filter that cannot mean anything is a bad request; the page still shows, with the
    # message, so the visitor can take the filter off.
    status = 400 if context["problems"] else 200
    rows = partial(browse_digest, context)
    return page_memo.render_page(request, template, context, rows, status)


@public_page
def badge(request, slug):
    """An embeddable SVG of the plan's headline rate, for city websites (<img src=…>)."""
    data = boards.plan_data(slug)
    return page_memo.respond(
        request, "badge.svg", partial(boards.plan_digest, data), partial(_badge, slug, data)
    )


def _badge(slug, data):
    svg = render_to_string("evaluations/badge.svg", boards.badge_data(slug, data))
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    # Other sites embed it: allow cross-origin use of the image.
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response
