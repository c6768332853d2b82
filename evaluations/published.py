"""What the public may see: the published snapshots (時点), read in a constant number of queries.

Every public page, open-data file and badge goes through these functions, so "latest published"
means the same thing everywhere: the publication of the plan's latest 時点 (as-of date), and for a
round published more than once, its newest publication.
"""

from __future__ import annotations

from collections.abc import Iterable

from evaluations.models import Publication, PublishedPillar, PublishedResult
from evaluations.rates import EMPTY, Summary, summarize, summarize_by


def _newest_per_round(publications: Iterable[Publication]) -> list[Publication]:
    seen: set[int] = set()
    newest = []
    for publication in publications:
        if publication.round_id not in seen:
            seen.add(publication.round_id)
            newest.append(publication)
    return newest


def current_publications(plan_ids: Iterable[int] | None = None) -> list[Publication]:
    """The newest publication of every published round, newest 時点 first (one query)."""
    qs = Publication.objects.select_related("round__plan__municipality").order_by(
        "-round__as_of", "-published_at", "-id"
    )
    if plan_ids is not None:
        qs = qs.filter(round__plan_id__in=list(plan_ids))
    return _newest_per_round(qs)


def latest_by_plan(plan_ids: Iterable[int] | None = None) -> dict[int, Publication]:
    """Each plan's latest published 時点 (one query)."""
    latest: dict[int, Publication] = {}
    for publication in current_publications(plan_ids):
        latest.setdefault(publication.round.plan_id, publication)
    return latest


def summaries_of(publications: Iterable[Publication]) -> dict[int, Summary]:
    """Summary per publication id, in one GROUP BY query."""
    ids = [p.pk for p in publications]
    if not ids:
        return {}
    grouped = summarize_by(PublishedResult.objects.filter(publication_id__in=ids), "publication_id")
    return {pk: grouped.get(pk, EMPTY) for pk in ids}


def summary_of(publication: Publication | None, **filters) -> Summary:
    if publication is None:
        return EMPTY
    return summarize(PublishedResult.objects.filter(publication=publication, **filters))


def pillar_summaries(publication: Publication | None) -> dict[int, Summary]:
    """Summary per pillar id of one publication (one query)."""
    if publication is None:
        return {}
    return summarize_by(PublishedResult.objects.filter(publication=publication), "pillar_id")


def published_pillars(publication: Publication) -> dict[int, PublishedPillar]:
    return {p.pillar_id: p for p in publication.pillars.all()}
