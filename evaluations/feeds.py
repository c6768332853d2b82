"""What the Atom feeds say about publications: each publication of a plan's 時点 (a later one of
the same round is a 訂正), with the plan's headline under its rule; for one initiative, its own
result in each. Bounded to the newest ``FEED_ENTRIES``; two queries whatever the data's size.
With ``PUBLIC_DATA_MEMO`` each process keeps them (``kept``) by the publications' fingerprint,
the language and the live rows they show (plans' titles, rules and bands; the initiative), as
reformtracker.page_memo keeps pages. Composed with the meetings' entries, which are live and
read every time, in evaluations/views/feeds.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from evaluations import boards, rating_rules
from evaluations.choices import HistoryAction
from evaluations.labels import asof, localised
from evaluations.models import HistoryEvent, Publication, PublishedResult
from evaluations.published import publication_fingerprint, summaries_of
from reformtracker import memos, page_memo
from reformtracker.db_routers import read_connection
from reformtracker.display import language
from reformtracker.links import cached_reverse
from xmeetings.models import Meeting

FEED_ENTRIES = 50
# Entry lists kept, at most (a plan's and each initiative's feed in two languages); the
# fingerprint in their keys makes a kept list never stale.
KEPT_LISTS = 1024

_kept: dict = memos.store()


@dataclass(frozen=True)
class FeedEntry:
    """One Atom entry: ``key`` is stable (the entry's id), ``updated`` its last change."""

    key: str
    title: str
    summary: str
    link: str
    updated: datetime
    kind: str  # publication, correction, meeting_added, meeting_held


def _publications(plan=None):
    qs = Publication.objects.select_related("round__plan__municipality").order_by(
        "-published_at", "-id"
    )
    if plan is not None:
        qs = qs.filter(round__plan=plan)
    return qs


def _ordered_with_corrections(publications: list[Publication]) -> list[tuple[Publication, bool]]:
    """``publications`` each with whether it is a 訂正: an older publication of its round
    exists. That older one may lie beyond the feed's newest entries, so ask the database (one
    query, however many rounds)."""
    rounds = {p.round_id for p in publications}
    oldest_of_round: dict[int, int] = {}
    for round_id, pk in (
        Publication.objects.filter(round_id__in=rounds)
        .order_by("-published_at", "-id")
        .values_list("round_id", "id")
    ):
        oldest_of_round[round_id] = pk  # newest first, so the last one kept is the oldest
    return [(p, oldest_of_round.get(p.round_id) != p.pk) for p in publications]


def publication_entries(plan=None) -> list[FeedEntry]:
    """The newest publications (of ``plan``, or of every plan), as feed entries (three queries)."""
    publications = list(_publications(plan)[:FEED_ENTRIES])
    summaries = summaries_of(publications)
    bands = rating_rules.bands_for((p, p.round.plan) for p in publications)
    lang = language()
    entries = []
    for publication, correction in _ordered_with_corrections(publications):
        plan_ = publication.round.plan
        shown = rating_rules.headline(
            plan_, summaries[publication.pk], lang, bands.get(publication.pk)
        )
        when = asof(publication.round)
        title = (
            _("%(plan)s：%(asof)sの結果を訂正しました")
            if correction
            else _("%(plan)s：%(asof)sの結果を公表しました")
        ) % {"plan": localised(plan_, "title"), "asof": when}
        counts = summaries[publication.pk]
        summary = _("達成%(a)d項目 / 評価対象%(e)d項目（評価対象外%(x)d項目）") % {
            "a": counts.achieved,
            "e": counts.evaluated,
            "x": counts.excluded,
        }
        if shown.exists:
            summary += "。" + _("%(rule)s：%(value)s") % {
                "rule": shown.rule.name,
                "value": shown.display,
            }
        entries.append(
            FeedEntry(
                key=f"publication/{publication.pk}",
                title=title,
                summary=summary,
                link=cached_reverse("plan_detail", plan_.slug),
                updated=publication.published_at,
                kind="correction" if correction else "publication",
            )
        )
    return entries


def initiative_entries(initiative) -> list[FeedEntry]:
    """The initiative's own result in each publication that lists it (two queries)."""
    rows = list(
        PublishedResult.objects.filter(initiative=initiative)
        .select_related("publication__round__plan")
        .order_by("-publication__published_at", "-publication_id")[:FEED_ENTRIES]
    )
    publications = [row.publication for row in rows]
    flagged = dict((p.pk, correction) for p, correction in _ordered_with_corrections(publications))
    entries = []
    for row in rows:
        publication = row.publication
        correction = flagged[publication.pk]
        when = asof(publication.round)
        title = (
            _("%(item)s：%(asof)sの結果（訂正）") if correction else _("%(item)s：%(asof)sの結果")
        ) % {"item": localised(initiative, "title"), "asof": when}
        entries.append(
            FeedEntry(
                key=f"publication/{publication.pk}/initiative/{initiative.pk}",
                title=title,
                summary=row.get_result_display() if row.result else _("結果なし"),
                link=cached_reverse(
                    "initiative_detail", publication.round.plan.slug, initiative.code
                ),
                updated=publication.published_at,
                kind="correction" if correction else "publication",
            )
        )
    return entries


def kept(name: str, live_rows, make) -> list[FeedEntry]:
    """``make()`` (the publications' entries of a feed), kept per process for the current
    publications, the language, the feed (``name``) and a digest of ``live_rows()``: every
    live row the entries show (the plans they name, the initiative)."""
    if not settings.PUBLIC_DATA_MEMO:
        return make()
    key = (publication_fingerprint(), get_language(), name, page_memo.digest(live_rows()))
    entries = _kept.get(key)
    if entries is None:
        if len(_kept) >= KEPT_LISTS or any(k[0] != key[0] for k in _kept):
            _kept.clear()  # only the current publications' lists are ever asked for again
        entries = _kept[key] = make()
    return entries


# The meetings' reads, prepared (boards.Prepared): the ORM's compiler cost a feed more than its
# queries, and a feed reads them on every request.
_meetings_with_plans = boards.Prepared(Meeting, "pk", join="plan")


def _meeting_filter(plan=None, initiative=None) -> tuple[str, list]:
    """``AND …`` of the meetings of ``plan`` or linked to ``initiative`` (table ``t0``)."""
    q = read_connection(Meeting).ops.quote_name
    sql, params = "", []
    if plan is not None:
        sql += f" AND t0.{q('plan_id')} = %s"
        params.append(plan.pk)
    if initiative is not None:
        link = Meeting._meta.get_field("initiatives")
        sql += (
            f" AND t0.{q('id')} IN (SELECT {q(link.m2m_column_name())}"
            f" FROM {q(link.m2m_db_table())} WHERE {q(link.m2m_reverse_name())} = %s)"
        )
        params.append(initiative.pk)
    return sql, params


def held_meetings(plan=None, initiative=None) -> list[Meeting]:
    """The newest held meetings (of ``plan``, or linked to ``initiative``), each with its plan:
    marked 開催済, or 予定 with its whole date range past (xmeetings.feeds, "held"). One
    query."""
    connection = read_connection(Meeting)
    q = connection.ops.quote_name
    today = connection.ops.adapt_datefield_value(timezone.localdate())
    more, params = _meeting_filter(plan, initiative)
    return _meetings_with_plans.query(
        f"WHERE (t0.{q('status')} = %s OR (t0.{q('status')} = %s AND t0.{q('latest')} < %s))"
        f"{more} ORDER BY t0.{q('latest')} DESC, t0.{q('number')} DESC, t0.{q('id')} DESC"
        f" LIMIT {FEED_ENTRIES}",
        [Meeting.Status.HELD.value, Meeting.Status.SCHEDULED.value, today, *params],
    )


# (meeting id, when it was added) of each feed's newest added meetings, for the fingerprint
# "fingerprint": the history is append-only, and a meeting's creation (its history row) is an
# edit of master data, which changes the fingerprint (initiatives.models.MasterDataVersion).
_added_events: dict = memos.store()


def meetings_added(plan=None, initiative=None) -> list[tuple]:
    """(meeting, when it was added) for the newest meetings whose creation the history records
    (the office's pages and the admin write it; the seed's meetings have none, so they have no
    such entry): two prepared queries. With ``PUBLIC_DATA_MEMO`` the first, which reads the
    history (no index serves it: 8 ms among 20,000 history rows), is kept per publication
    fingerprint; the meetings, with their plans, are read every time."""
    if not settings.PUBLIC_DATA_MEMO:
        events = _added_events_of(plan, initiative)
    else:
        fingerprint = publication_fingerprint()
        if _added_events.get("fingerprint") != fingerprint:
            _added_events.clear()
            _added_events["fingerprint"] = fingerprint
        key = (getattr(plan, "pk", None), getattr(initiative, "pk", None))
        events = _added_events.get(key)
        if events is None:
            if len(_added_events) > KEPT_LISTS:
                _added_events.clear()
                _added_events["fingerprint"] = fingerprint
            events = _added_events[key] = _added_events_of(plan, initiative)
    if not events:
        return []
    q = read_connection(Meeting).ops.quote_name
    ids = sorted({pk for pk, _at in events})
    found = {
        m.pk: m
        for m in _meetings_with_plans.query(
            f"WHERE t0.{q('id')} IN ({', '.join(['%s'] * len(ids))})", ids
        )
    }
    return [(found[pk], at) for pk, at in events if pk in found]


def _added_events_of(plan, initiative) -> list[tuple]:
    connection = read_connection(HistoryEvent)
    q = connection.ops.quote_name
    more, params = _meeting_filter(plan, initiative)
    at = HistoryEvent._meta.get_field("at").get_col(HistoryEvent._meta.db_table)
    convert = connection.ops.get_db_converters(at) + at.get_db_converters(connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {q('subject_id')}, {q('at')} FROM {q(HistoryEvent._meta.db_table)}"
            f" WHERE {q('action')} = %s AND {q('subject_type')} = %s AND {q('subject_id')} IN"
            f" (SELECT t0.{q('id')} FROM {q(Meeting._meta.db_table)} t0 WHERE 1 = 1{more})"
            f" ORDER BY {q('at')} DESC, {q('id')} DESC LIMIT {FEED_ENTRIES}",
            [HistoryAction.MEETING_CREATE.value, Meeting._meta.label_lower, *params],
        )
        events = []
        for subject_id, value in cursor.fetchall():
            for function in convert:
                value = function(value, at, connection)
            events.append((subject_id, value))
    return events
