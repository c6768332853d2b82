"""What the public may see: the published snapshots (時点), read in a constant number of queries.

Every public page, open-data file and badge goes through these functions, so "latest published"
means the same thing everywhere: the publication of the plan's latest 時点 (as-of date), and for a
round published more than once, its newest publication.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from evaluations.choices import Result, RoundKind
from evaluations.models import Publication, PublishedPillar, PublishedResult
from evaluations.rates import EMPTY, Summary, summarize, summarize_by
from initiatives.models import MasterDataVersion
from reformtracker import memos
from reformtracker.db_routers import read_connection


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


def every_current_publication() -> list[Publication]:
    """``current_publications()`` of every plan, with each round (not its plan). With
    ``PUBLIC_DATA_MEMO`` on it is the memoised ``published_state`` (no query once read for the
    fingerprint); off, one query."""
    if memo_enabled():
        return published_state().publications
    return _newest_per_round(
        Publication.objects.select_related("round").order_by(
            "-round__as_of", "-published_at", "-id"
        )
    )


def latest_by_plan(plan_ids: Iterable[int] | None = None) -> dict[int, Publication]:
    """Each plan's latest published 時点 (one query)."""
    latest: dict[int, Publication] = {}
    for publication in current_publications(plan_ids):
        latest.setdefault(publication.round.plan_id, publication)
    return latest


def publication_for(plan, fiscal_year: int) -> Publication | None:
    """The 時点 a fiscal year's report and open-data files show: the newest publication of the
    year-end round, or of the year's latest interim round when the year-end one is not
    published yet."""
    candidates = [p for p in current_publications([plan.pk]) if p.round.fiscal_year == fiscal_year]
    candidates.sort(key=lambda p: (p.round.kind == RoundKind.YEAR_END, p.round.as_of), reverse=True)
    return candidates[0] if candidates else None


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


def pillar_in_time(
    pillar_id: int, publications: list[Publication]
) -> tuple[PublishedPillar | None, list[PublishedPillar]]:
    """One pillar as frozen in the latest of ``publications`` (its plan's current ones, newest
    時点 first) and its narratives of the earlier 時点 (newest first, those with text): one
    query, the pillar page's."""
    if not publications:
        return None, []
    by_id = {p.pk: p for p in publications}
    rows = list(PublishedPillar.objects.filter(pillar_id=pillar_id, publication_id__in=list(by_id)))
    for row in rows:
        row.publication = by_id[row.publication_id]
    latest = next((r for r in rows if r.publication_id == publications[0].pk), None)
    earlier = sorted(
        (r for r in rows if r is not latest and (r.done or r.next_steps)),
        key=lambda r: (r.publication.round.as_of, r.publication.published_at),
        reverse=True,
    )
    return latest, earlier


# --- the publication fingerprint ----------------------------------------------------------------

# "value": the fingerprint last read; "until": when this process reads it again.
_fingerprint = memos.store()
# With a shared cache (settings.PUBLIC_CACHE_SHARED) the fingerprint is kept there, under this key.
FINGERPRINT_KEY = "publication-fingerprint"
# The fingerprint one request reads once and keeps (PublicPageCacheMiddleware pins it), so its
# cache key and the data its view memoises name the same publications.
_pinned: ContextVar[str | None] = ContextVar("publication_fingerprint", default=None)


def read_fingerprint() -> str:
    """The publications' count and newest id, and the master data's version
    (MasterDataVersion), in one query, read from the database now (``publication_fingerprint``
    is what pages use: it keeps this per process or in the shared cache). On the connection the
    router chooses: the primary's, except inside ``reading_from(REPLICA)``, where
    evaluations.replica asks what the replica holds."""
    connection = read_connection(Publication)
    q = connection.ops.quote_name
    sql = (
        f"SELECT COUNT(*), MAX({q('id')}), (SELECT {q('version')} FROM"
        f" {q(MasterDataVersion._meta.db_table)} WHERE {q('id')} = 1)"
        f" FROM {q(Publication._meta.db_table)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        count, last, version = cursor.fetchone()
    return f"{count}.{last or 0}.{version or 0}"


def _shared_timeout() -> int:
    return math.ceil(settings.PUBLIC_PAGE_FINGERPRINT_SECONDS)


def publication_fingerprint() -> str:
    """Changes whenever a publication is added or removed, or master data the public pages
    show live is edited (one query).

    Each process's own cache: each re-reads it at most once per
    ``PUBLIC_PAGE_FINGERPRINT_SECONDS``, so a cache hit usually touches no database at all, and
    a publication shows within that time in every worker. A shared cache: it is read from there
    (one round trip, once per request), where ``announce_publications`` puts a new publication
    at once, so every server shows it from the next request; the database is read when the
    cache holds none, which it keeps for ``PUBLIC_PAGE_FINGERPRINT_SECONDS``.
    """
    pinned = _pinned.get()
    if pinned is not None:
        return pinned
    if settings.PUBLIC_CACHE_SHARED:
        value = cache.get(FINGERPRINT_KEY)
        if value is None:
            value = read_fingerprint()
            # add, not set: a reader that read the database before a publication committed
            # never overwrites what announce_publications put there after it.
            cache.add(FINGERPRINT_KEY, value, _shared_timeout())
        return value
    ttl = settings.PUBLIC_PAGE_FINGERPRINT_SECONDS
    now = time.monotonic()
    if ttl > 0 and _fingerprint.get("value") is not None and now < _fingerprint["until"]:
        return _fingerprint["value"]
    value = read_fingerprint()
    _fingerprint.update(value=value, until=now + ttl)
    return value


@contextmanager
def fingerprint_pinned(value: str | None):
    """Within the block, ``publication_fingerprint()`` is ``value`` (when not None)."""
    if value is None:
        yield
        return
    token = _pinned.set(value)
    try:
        yield
    finally:
        _pinned.reset(token)


def announce_publications() -> None:
    """Called once a publication (or its removal), or an edit of master data, has committed:
    this process reads the fingerprint afresh, and with a shared cache every server does, from
    its next request.

    Set again until the database agrees with what was set, so of two publications committed
    at once the later announcement cannot leave the earlier state behind."""
    _fingerprint.clear()
    if not settings.PUBLIC_CACHE_SHARED:
        return
    value = read_fingerprint()
    for _attempt in range(5):
        cache.set(FINGERPRINT_KEY, value, _shared_timeout())
        again = read_fingerprint()
        if again == value:
            return
        value = again


def announce_master_data_edit() -> None:
    """``announce_publications`` for an edit of master data (the history writer's on-commit
    callback: a function of its own, so it is registered once per transaction)."""
    announce_publications()


# --- what the dashboards read, memoised per publication fingerprint ---------------------------


@dataclass(frozen=True)
class PublishedState:
    """Everything the dashboards take from publications: immutable for one fingerprint.

    Publications are append-only and their snapshot rows never change (docs/architecture.md,
    "Public pages read published snapshots"), and a published round's plan, fiscal year, kind
    and as-of date are fixed, so for a given set of publications (the fingerprint) all of this is
    fixed too. Live rows (plans, pillars) are not in here.
    """

    fingerprint: str
    publications: list[Publication]  # the newest publication of every round, newest 時点 first
    latest: dict[int, Publication]  # plan id → its latest 時点
    summaries: dict[int, Summary]  # publication id → its summary
    pillar_summaries: dict[int, Summary]  # pillar id → its summary in its plan's latest 時点
    pillars: dict[int, PublishedPillar]  # pillar id → as frozen in its plan's latest 時点
    # pillar id → its narratives in the plan's earlier 時点, newest first, those with text
    earlier: dict[int, list[PublishedPillar]]
    excluded: dict[int, list[PublishedResult]]  # latest publication id → its 評価対象外 rows
    # plan id → its publications, oldest 時点 first (a plan's trend, without walking every
    # plan's publications per board: among 1,741 plans that walk was most of home.json's time)
    by_plan: dict[int, list[Publication]]
    # plan id → its publications newest 時点 first, as ``current_publications([plan id])``
    # gives them (the pillar page's)
    current: dict[int, list[Publication]]


_state_memo: dict[str, PublishedState] = memos.store()


def memo_enabled() -> bool:
    return settings.PUBLIC_DATA_MEMO


def _read_state(fingerprint: str, plan_ids: list[int] | None) -> PublishedState:
    """Five queries, whatever the number of plans and initiatives."""
    qs = Publication.objects.select_related("round").order_by(
        "-round__as_of", "-published_at", "-id"
    )
    if plan_ids is not None:
        qs = qs.filter(round__plan_id__in=plan_ids)
    publications = _newest_per_round(qs)
    latest: dict[int, Publication] = {}
    for publication in publications:
        latest.setdefault(publication.round.plan_id, publication)
    latest_ids = [p.pk for p in latest.values()]
    latest_rows = PublishedResult.objects.filter(publication_id__in=latest_ids)
    excluded: dict[int, list[PublishedResult]] = {pk: [] for pk in latest_ids}
    for row in latest_rows.filter(result=Result.EXCLUDED).order_by("order", "code"):
        excluded[row.publication_id].append(row)
    by_plan: dict[int, list[Publication]] = {}
    for publication in publications:
        by_plan.setdefault(publication.round.plan_id, []).append(publication)
    current = {plan_id: list(history) for plan_id, history in by_plan.items()}
    for history in by_plan.values():
        history.sort(key=lambda p: (p.round.as_of, p.published_at))
    pillars, earlier = _pillars_by_time(publications, set(latest_ids))
    return PublishedState(
        by_plan=by_plan,
        current=current,
        fingerprint=fingerprint,
        publications=publications,
        latest=latest,
        summaries=summaries_of(publications),
        pillar_summaries=summarize_by(latest_rows, "pillar_id"),
        pillars=pillars,
        earlier=earlier,
        excluded=excluded,
    )


def _pillars_by_time(
    publications: list[Publication], latest_ids: set[int]
) -> tuple[dict[int, PublishedPillar], dict[int, list[PublishedPillar]]]:
    """Every current publication's pillars in one query: each pillar as frozen in its plan's
    latest 時点, and its narratives of the earlier 時点 (newest first, those with text), so a
    later 時点 still without a narrative does not hide the earlier ones."""
    by_id = {p.pk: p for p in publications}
    latest: dict[int, PublishedPillar] = {}
    earlier: dict[int, list[PublishedPillar]] = {}
    for row in PublishedPillar.objects.filter(publication_id__in=list(by_id)):
        row.publication = by_id[row.publication_id]  # with its round: no query per row
        if row.publication_id in latest_ids:
            latest[row.pillar_id] = row
        elif row.done or row.next_steps:
            earlier.setdefault(row.pillar_id, []).append(row)
    for rows in earlier.values():
        rows.sort(key=lambda r: (r.publication.round.as_of, r.publication.published_at))
        rows.reverse()
    return latest, earlier


def published_state(plan_ids: Iterable[int] | None = None) -> PublishedState:
    """The publications side of the dashboards of ``plan_ids`` (all plans when None).

    With ``PUBLIC_DATA_MEMO`` on (outside tests), each process reads it once per publication
    fingerprint, for every plan, and keeps only the newest; a publication shows as soon as the
    fingerprint sees it. Off, it is read for just the plans asked, every time.
    """
    if not memo_enabled():
        return _read_state("", None if plan_ids is None else list(plan_ids))
    fingerprint = publication_fingerprint()
    state = _state_memo.get(fingerprint)
    if state is None:
        state = _read_state(fingerprint, None)
        _state_memo.clear()  # only the current fingerprint is ever asked for again
        _state_memo[fingerprint] = state
    return state
