"""The plans as a directory for many cities: filtered by prefecture and name, grouped by
prefecture, one page at a time. The home page (views/public.py) and /open-data/plans.json
(views/opendata.py) read it.

Every figure comes from the published snapshots of the page's plans only (evaluations.published),
so a page costs the same few queries with 2 plans or 1,741.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.translation import gettext_lazy as _

from evaluations import published
from evaluations.boards import Prepared
from evaluations.rates import EMPTY
from initiatives.models import Plan
from initiatives.prefectures import Prefecture
from reformtracker.bounds import bounded_int
from reformtracker.calendar_ja import normalize
from reformtracker.db_routers import read_connection
from reformtracker.links import cached_reverse

# Everything the directory reads from the query string (the page cache keys on these alone).
PARAMS = ("prefecture", "q", "page")
# A name search longer than any municipality's or plan's name finds nothing: cut it first.
QUERY_MAX_LENGTH = 100

BAD_PREFECTURE = _(
    "都道府県の指定「%(value)s」は正しくありません。この条件を外して表示しています。"
)
BAD_PAGE = _("ページの指定「%(value)s」は正しくありません。")
BAD_PER_PAGE = _("1ページの件数は1から%(max)d までで指定してください。")


@dataclass
class Filters:
    """The directory's query string, read: what it means, and what could not mean anything."""

    prefecture: str = ""  # a JIS code 01–47, or "" for every prefecture
    q: str = ""  # the name search, NFKC-normalised
    page: int = 1
    per_page: int = 20
    problems: dict[str, str] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return bool(self.prefecture or self.q)

    def query(self) -> dict[str, str]:
        """The filters as a query string's values (for the page links), without the page."""
        return {k: v for k, v in (("prefecture", self.prefecture), ("q", self.q)) if v}


def read_filters(params, *, per_page: int, max_per_page: int | None = None) -> Filters:
    """The filters from ``params`` (a QueryDict). A prefecture that is not a JIS code is
    dropped with a message; so is a page that is not a positive number. ``per_page`` is read
    from the query only when ``max_per_page`` is given (the JSON's clients choose it)."""
    filters = Filters(per_page=per_page)
    prefecture = normalize(params.get("prefecture") or "")
    if prefecture.isdigit() and len(prefecture) == 1:
        prefecture = "0" + prefecture  # 1 is 北海道's 01, as people write it
    if prefecture in Prefecture.values:
        filters.prefecture = prefecture
    elif prefecture:
        filters.problems["prefecture"] = str(BAD_PREFECTURE % {"value": prefecture})
    filters.q = normalize(params.get("q") or "")[:QUERY_MAX_LENGTH]
    raw_page = params.get("page")
    if raw_page:
        page = bounded_int(raw_page, 1, 10**9)
        if page is None:
            filters.problems["page"] = str(BAD_PAGE % {"value": raw_page[:20]})
        else:
            filters.page = page
    raw_size = params.get("per_page") if max_per_page else None
    if raw_size:
        size = bounded_int(raw_size, 1, max_per_page)
        if size is None:
            filters.problems["per_page"] = str(BAD_PER_PAGE % {"max": max_per_page})
        else:
            filters.per_page = size
    return filters


def matching_plans(filters: Filters):
    """The plans the filters choose, with their municipalities, ordered by prefecture (JIS code
    order, plans of no prefecture last), then as the plans are ordered."""
    plans = Plan.objects.select_related("municipality")
    if filters.prefecture:
        plans = plans.filter(municipality__prefecture=filters.prefecture)
    if q := filters.q:
        # icontains works alike on SQLite and PostgreSQL and needs no word splitting, which
        # Japanese names have none of (大阪 finds 大阪市 and 東大阪市).
        plans = plans.filter(
            Q(municipality__name__icontains=q)
            | Q(municipality__name_en__icontains=q)
            | Q(title__icontains=q)
            | Q(title_en__icontains=q)
        )
    unplaced = Case(
        When(municipality__prefecture="", then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return plans.order_by(unplaced, "municipality__prefecture", "order", "slug")


def page_of(filters: Filters) -> Page:
    """One page of the matching plans (two queries: the count and the page). A page past the
    last is the last, as the initiative browser does. Without filters (/open-data/, the home
    page's and plans.json's first request) by prepared queries: the ORM's compiler cost more
    than the queries."""
    plans = matching_plans(filters) if filters.active else _EveryPlan()
    return Paginator(plans, filters.per_page).get_page(filters.page)


# Every plan with its municipality (boards.Prepared), in ``matching_plans``'s order.
_plans_with_municipalities = Prepared(Plan, "pk", join="municipality")


class _EveryPlan:
    """``matching_plans`` without filters, for a Paginator: its count and the slice shown,
    each one prepared query."""

    ordered = True

    def count(self) -> int:
        connection = read_connection(Plan)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(Plan._meta.db_table)}")
            return cursor.fetchone()[0]

    def __getitem__(self, page: slice) -> list[Plan]:
        q = read_connection(Plan).ops.quote_name
        prefecture = f"t1.{q('prefecture')}"
        return _plans_with_municipalities.query(
            f"ORDER BY CASE WHEN {prefecture} = '' THEN 1 ELSE 0 END, {prefecture},"
            f" t0.{q('order')}, t0.{q('slug')} LIMIT %s OFFSET %s",
            [page.stop - page.start, page.start],
        )


def prefecture_label(code: str) -> str:
    return str(Prefecture(code).label) if code else str(_("都道府県の登録なし"))


def directory(filters: Filters) -> dict:
    """The home page's directory: one page of plans grouped by prefecture, each with its latest
    published 時点 and headline figures. Four queries whatever the number of plans."""
    page = page_of(filters)
    plans = list(page.object_list)
    latest = published.latest_by_plan([p.pk for p in plans])
    summaries = published.summaries_of(latest.values())
    groups: list[dict] = []
    for plan in plans:
        code = plan.municipality.prefecture
        if not groups or groups[-1]["code"] != code:
            groups.append({"code": code, "label": prefecture_label(code), "rows": []})
        publication = latest.get(plan.pk)
        groups[-1]["rows"].append(
            {
                "plan": plan,
                "url": cached_reverse("plan_detail", plan.slug),
                "publication": publication,
                "summary": summaries[publication.pk] if publication else EMPTY,
            }
        )
    return {
        "filters": filters,
        "page": page,
        "groups": groups,
        "prefectures": Prefecture.choices,
        "query": filters.query(),
        "problems": filters.problems,
    }


def shows_boards() -> bool:
    """Whether the home page shows every plan's dashboard (few plans) rather than the directory
    (one prepared query)."""
    return _EveryPlan().count() <= settings.PUBLIC_HOME_BOARDS_MAX
