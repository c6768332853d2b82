"""What changed between two 時点 of a plan: interim vs year-end, year vs year, published vs
corrected (a re-publication of the same round).

Both sides are published snapshots (docs/architecture.md, "Public pages read published
snapshots"); every figure comes from ``rates.summarize_by`` and the item lists are joined in SQL,
so the page costs the same queries at 24 and at 10,000 items and lists its changed items a page
at a time.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from evaluations.choices import Result
from evaluations.indicators import plain
from evaluations.labels import asof
from evaluations.models import (
    Publication,
    PublishedIndicatorValue,
    PublishedPillar,
    PublishedResult,
)
from evaluations.published import publication_fingerprint
from evaluations.rates import EMPTY, Summary, summarize_by

PARAMS = ("from", "to", "page")


@dataclass(frozen=True)
class Side:
    """One 時点 as a choice: its publication, its label, and whether it corrects an earlier one."""

    publication: Publication
    correction: int  # 0 for the first publication of its round, then 1, 2… for each 訂正

    @property
    def label(self) -> str:
        text = asof(self.publication.round)
        return f"{text}（訂正{self.correction}）" if self.correction else text


def sides(plan) -> list[Side]:
    """Every publication of the plan, superseded ones too, oldest 時点 first (one query)."""
    publications = list(
        Publication.objects.filter(round__plan=plan)
        .select_related("round")
        .order_by("round__as_of", "round_id", "published_at", "id")
    )
    seen: dict[int, int] = {}
    result = []
    for publication in publications:
        n = seen.get(publication.round_id, -1) + 1
        seen[publication.round_id] = n
        result.append(Side(publication, n))
    return result


def _pick(choices: list[Side], value, default: Side | None) -> Side | None:
    if value in (None, ""):
        return default
    for side in choices:
        if str(side.publication.pk) == str(value):
            return side
    raise Http404("No such 時点 for this plan")


@dataclass(frozen=True)
class Figures:
    before: Summary
    after: Summary

    @property
    def achieved_change(self) -> int:
        return self.after.achieved - self.before.achieved

    @property
    def evaluated_change(self) -> int:
        return self.after.evaluated - self.before.evaluated

    @property
    def rate_change(self):
        """Percentage points, from the rounded figures a reader sees (None if either has none)."""
        if self.before.rate_percent is None or self.after.rate_percent is None:
            return None
        return self.after.rate_percent - self.before.rate_percent


def _side_by_side(ids: tuple[int, int]) -> tuple[Figures, list[dict], list[dict]]:
    """Figures of both sides for the plan, per pillar and per department, each pillar and
    department with its order and name as the later side published them (the earlier side's
    for one the later does not list): one GROUP BY (a few rows per pillar and department,
    the plan's figures the sum of its pillars') and the pillars as frozen (one query)."""
    before, after = ids
    grouped = summarize_by(
        PublishedResult.objects.filter(publication_id__in=ids),
        "publication_id",
        "pillar_id",
        "department_id",
        "department_name",
    )
    frozen = {
        (row.publication_id, row.pillar_id): (row.order, row.name)
        for row in PublishedPillar.objects.filter(publication_id__in=ids).only(
            "publication_id", "pillar_id", "order", "name"
        )
    }
    totals = {before: EMPTY, after: EMPTY}
    cells: dict[str, dict] = {"pillar": {}, "department": {}}
    labels: dict[str, dict] = {"pillar": {}, "department": {}}
    for (publication_id, pillar, department, name), summary in grouped.items():
        totals[publication_id] += summary
        pillar_label = frozen.get((publication_id, pillar), (0, ""))
        for kind, pk, label in (
            ("pillar", pillar, pillar_label),
            # Departments in name order: the published name, as the later side has it.
            ("department", department, (name, name)),
        ):
            cell = (publication_id, pk)
            cells[kind][cell] = cells[kind].get(cell, EMPTY) + summary
            if pk not in labels[kind] or publication_id == after:
                labels[kind][pk] = label

    def listed(kind: str) -> list[dict]:
        known, figures = labels[kind], cells[kind]
        return [
            {
                "key": k,
                "order": known[k][0],
                "name": known[k][1],
                "figures": Figures(figures.get((before, k), EMPTY), figures.get((after, k), EMPTY)),
            }
            for k in sorted(known, key=lambda k: known[k])
        ]

    return Figures(totals[before], totals[after]), listed("pillar"), listed("department")


def _counts(before: Publication, after: Publication) -> tuple[int, int]:
    """How many items changed (or were added) and how many dropped out: one query."""

    def count(rows):
        # Every row has the same publication: one group, its size (NULL when none).
        return Coalesce(
            Subquery(
                rows.order_by().values("publication_id").annotate(n=Count("pk")).values("n")[:1]
            ),
            0,
        )

    found = (
        Publication.objects.filter(pk=after.pk)
        .annotate(changed=count(_rows(before, after)), dropped=count(_dropped(before, after)))
        .values_list("changed", "dropped")
        .get()
    )
    return found


def compare(plan, from_value=None, to_value=None, page=None) -> dict:
    """The compare page of ``plan``: both sides, plan, pillar and department figures side by
    side, and one page of the items that changed, were added or dropped out."""
    choices = sides(plan)
    if len(choices) < 1:
        return {"plan": plan, "choices": choices, "empty": True}
    after = _pick(choices, to_value, choices[-1])
    default_before = None
    index = choices.index(after)
    if index > 0:
        default_before = choices[index - 1]
    before = _pick(choices, from_value, default_before)
    if before is None:
        return {"plan": plan, "choices": choices, "empty": True, "after": after}
    ids = (before.publication.pk, after.publication.pk)
    plan_figures, pillars, departments = _side_by_side(ids)
    changed_count, dropped_count = _counts(before.publication, after.publication)
    paginator = Paginator(
        _rows(before.publication, after.publication), settings.PUBLIC_PILLAR_ITEMS_PER_PAGE
    )
    paginator.count = changed_count  # counted above with the dropped items, in one query
    items = paginator.get_page(page)
    dropped = _dropped(before.publication, after.publication)
    for row in items.object_list:  # one page: the label of the earlier result
        row.before_label = Result(row.before_result).label if row.before_result else None
    return {
        "plan": plan,
        "choices": choices,
        "empty": False,
        "before": before,
        "after": after,
        "plan_figures": plan_figures,
        "pillars": pillars,
        "departments": departments,
        "items": items,
        "dropped": list(dropped[: settings.PUBLIC_PILLAR_ITEMS_PER_PAGE]),
        "dropped_count": dropped_count,
        "indicators": list(_indicator_changes(before.publication, after.publication)),
    }


def memo_rows(plan) -> tuple:
    """What the compare page and its JSON show besides the publications' snapshots (fixed by
    their fingerprint): the plan and its city as read (reformtracker.page_memo keys a kept
    page on them)."""
    return (publication_fingerprint(), plan, plan.municipality)


def previous_of(publication: Publication) -> Publication | None:
    """The 時点 published just before ``publication`` in its plan (its corrected original, or
    the latest of an earlier round), or None (two queries at most)."""
    choices = sides(publication.round.plan)
    ids = [side.publication.pk for side in choices]
    if publication.pk not in ids or ids.index(publication.pk) == 0:
        return None
    return choices[ids.index(publication.pk) - 1].publication


def changed_rows(before: Publication, after: Publication):
    """Every item of ``after`` whose result differs from ``before``'s or that ``before`` does
    not list, with ``before_result`` (the PDF lists them all; the page one page at a time)."""
    return _rows(before, after)


def _rows(before: Publication, after: Publication):
    earlier = PublishedResult.objects.filter(
        publication=before, initiative_id=OuterRef("initiative_id")
    )
    # Spelled out rather than ~Q(before_result=F("result")): an added item's earlier result is
    # NULL, and NOT (NULL = x) is not true in SQL.
    return (
        PublishedResult.objects.filter(publication=after)
        .annotate(before_result=Subquery(earlier.values("result")[:1]))
        .filter(
            Q(before_result__isnull=True)
            | Q(before_result__lt=F("result"))
            | Q(before_result__gt=F("result"))
        )
        .order_by("order", "code", "pk")
    )


def _indicator_changes(before: Publication, after: Publication):
    """Indicators whose actual differs between the two sides, or that only the later one
    publishes, with ``before_actual`` (None when new) and their item's code: one query, at
    most a page of them (an indicator belongs to few items; the JSON says when more)."""
    earlier = PublishedIndicatorValue.objects.filter(
        publication=before, indicator_id=OuterRef("indicator_id")
    ).values("actual")[:1]
    code = PublishedResult.objects.filter(
        publication=after, initiative_id=OuterRef("initiative_id")
    ).values("code")[:1]
    return (
        PublishedIndicatorValue.objects.filter(publication=after)
        .annotate(before_actual=Subquery(earlier), code=Subquery(code))
        .filter(
            Q(before_actual__isnull=True)
            | Q(before_actual__lt=F("actual"))
            | Q(before_actual__gt=F("actual"))
        )
        .order_by("code", "order", "pk")[: settings.PUBLIC_PILLAR_ITEMS_PER_PAGE]
    )


def _dropped(before: Publication, after: Publication):
    """Items the earlier side lists and the later does not (retired, or no longer evaluated)."""
    return (
        PublishedResult.objects.filter(publication=before)
        .exclude(
            initiative_id__in=PublishedResult.objects.filter(publication=after).values(
                "initiative_id"
            )
        )
        .order_by("order", "code", "pk")
    )


def _figures_json(figures: Figures) -> dict:
    return {
        "before": figures.before.as_dict(),
        "after": figures.after.as_dict(),
        "achieved_change": figures.achieved_change,
        "evaluated_change": figures.evaluated_change,
        "rate_change_points": None if figures.rate_change is None else str(figures.rate_change),
    }


def _side_json(side: Side) -> dict:
    publication = side.publication
    return {
        "id": publication.pk,
        "as_of": publication.round.as_of.isoformat(),
        "label": side.label,
        "correction": side.correction,
        "published_at": publication.published_at.isoformat(),
    }


def as_json(data: dict) -> dict:
    """The compare page as JSON (the same data, one page of changed items)."""
    payload = {
        "plan": data["plan"].slug,
        "choices": [_side_json(side) for side in data["choices"]],
    }
    if data["empty"]:
        return {**payload, "from": None, "to": None}
    items = data["items"]
    return {
        **payload,
        "from": _side_json(data["before"]),
        "to": _side_json(data["after"]),
        "plan_figures": _figures_json(data["plan_figures"]),
        "pillars": [
            {"order": p["order"], "name": p["name"], **_figures_json(p["figures"])}
            for p in data["pillars"]
        ],
        "departments": [
            {"name": d["name"], **_figures_json(d["figures"])} for d in data["departments"]
        ],
        "changed_items": {
            "count": items.paginator.count,
            "page": items.number,
            "pages": items.paginator.num_pages,
            "items": [
                {
                    "code": row.code,
                    "title": row.title,
                    "before": row.before_result,
                    "after": row.result,
                    "added": row.before_result is None,
                }
                for row in items.object_list
            ],
        },
        "changed_indicators": [
            {
                "code": row.code,
                "indicator": row.name,
                "unit": row.unit,
                "before": None if row.before_actual is None else plain(row.before_actual),
                "after": plain(row.actual),
            }
            for row in data["indicators"]
        ],
        "dropped_items": {
            "count": data["dropped_count"],
            "items": [
                {"code": row.code, "title": row.title, "before": row.result}
                for row in data["dropped"]
            ],
        },
    }
