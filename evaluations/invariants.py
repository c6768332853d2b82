"""What must hold in the database whatever happened to the processes writing it: checked after a
database restart, a killed worker or a restore (``manage.py check_invariants``).

- Every entry's version is its history: version 1 when made, and each write of an entry (an edit,
  a workflow move, evidence, an import, publication) bumps it and records the new version in its
  history row, in one transaction. So an entry's version is 1 + the count of its history rows
  that carry a version, and the highest version they carry. An UPDATE without its history row (a
  half-applied change, one entry of a bulk import without its row) breaks this.
- Every publication's snapshot is complete: as many result rows as its 公表 history row says it
  froze, one 公表 row per entry it moved to 公表, and a pillar row for every pillar its results
  name.
- No report job is left "running" with a heartbeat older than REPORT_JOB_STALE_SECONDS (its
  worker died and no poll or clean-up has yet marked it failed).

Each check is one aggregate query (a GROUP BY, or a subquery per publication), not a loop over
rows: it must finish on a nation-sized database of 500,000 entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.fields.json import KT, KeyTextTransform
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evaluations.choices import HistoryAction
from evaluations.models import (
    Entry,
    HistoryEvent,
    Publication,
    PublishedPillar,
    PublishedResult,
    ReportJob,
)

# How many offending ids one violation lists (the count is always the full one).
SHOWN = 20

CHECKS = {
    "entry_version": gettext_lazy("回答の版と変更履歴"),
    "publication_snapshot": gettext_lazy("公表時点の内容"),
    "report_job_stuck": gettext_lazy("報告書の作成ジョブ"),
}


@dataclass(frozen=True)
class Violation:
    """One kind of broken invariant: which check, the rows that break it, in words."""

    check: str
    ids: tuple
    count: int
    message: str


def _ids(values) -> tuple:
    return tuple(values[:SHOWN])


def entry_versions() -> list[Violation]:
    """Entries whose version is not what their history says: 1 + the rows carrying a version,
    and the highest version recorded (1 when there is none)."""
    recorded = Q(history__changes__has_key="version")
    version = Cast(KeyTextTransform("version", "history__changes"), IntegerField())
    wrong = (
        Entry.objects.order_by()
        # Grouped by the id and version alone: one pass over the join, no wide GROUP BY.
        .values("pk", "version")
        .annotate(
            writes=Count("history", filter=recorded),
            top=Coalesce(Max(version, filter=recorded), Value(1)),
        )
        .filter(~Q(version=F("writes") + 1) | ~Q(version=F("top")))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    ids = list(wrong)
    if not ids:
        return []
    return [
        Violation(
            "entry_version",
            _ids(ids),
            len(ids),
            _(
                "版が変更履歴と合わない回答が%(count)d件あります（変更の一部だけが書き込まれた可能性があります）。"
            )
            % {"count": len(ids)},
        )
    ]


def publication_snapshots() -> list[Violation]:
    """Publications whose frozen rows are not all there: result rows fewer or more than the
    公表 history row counted (or no such row), 公表 rows of entries not one per result, or a
    result whose pillar has no pillar row in the same publication."""
    publish_events = HistoryEvent.objects.filter(publication=OuterRef("pk"))
    results = (
        PublishedResult.objects.filter(publication=OuterRef("pk"))
        .order_by()
        .values("publication")
        .annotate(n=Count("pk"))
        .values("n")
    )
    entry_rows = (
        publish_events.filter(action=HistoryAction.ENTRY_PUBLISH)
        .order_by()
        .values("publication")
        .annotate(n=Count("pk"))
        .values("n")
    )
    counted = (
        publish_events.filter(action=HistoryAction.ROUND_PUBLISH)
        .order_by("id")
        .annotate(n=Cast(KT("changes__results"), IntegerField()))
        .values("n")[:1]
    )
    pillar_missing = PublishedResult.objects.filter(publication=OuterRef("pk")).exclude(
        Exists(
            PublishedPillar.objects.filter(
                publication=OuterRef("publication"), pillar=OuterRef("pillar")
            )
        )
    )
    incomplete = (
        Publication.objects.order_by()
        .annotate(
            results_n=Coalesce(Subquery(results), Value(0)),
            entries_n=Coalesce(Subquery(entry_rows), Value(0)),
            counted_n=Subquery(counted),
        )
        .filter(
            Q(counted_n__isnull=True)
            | ~Q(results_n=F("counted_n"))
            | ~Q(entries_n=F("results_n"))
            | Exists(pillar_missing)
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    ids = list(incomplete)
    if not ids:
        return []
    return [
        Violation(
            "publication_snapshot",
            _ids(ids),
            len(ids),
            _("公表時点の内容がそろっていない公表が%(count)d件あります。") % {"count": len(ids)},
        )
    ]


def stuck_report_jobs(now=None) -> list[Violation]:
    """Report jobs still "running" whose heartbeat (or start, if it never beat) is older than
    REPORT_JOB_STALE_SECONDS."""
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.REPORT_JOB_STALE_SECONDS)
    stuck = (
        ReportJob.objects.filter(state=ReportJob.State.RUNNING)
        .annotate(last=Coalesce("heartbeat_at", "started_at", "created_at"))
        .filter(last__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)
    )
    ids = [str(pk) for pk in stuck]
    if not ids:
        return []
    return [
        Violation(
            "report_job_stuck",
            _ids(ids),
            len(ids),
            _("作成中のまま%(seconds)d秒以上応答のない報告書の作成ジョブが%(count)d件あります。")
            % {"count": len(ids), "seconds": settings.REPORT_JOB_STALE_SECONDS},
        )
    ]


def check(now=None) -> list[Violation]:
    """Every violation, in the order of CHECKS; empty when all hold."""
    return [*entry_versions(), *publication_snapshots(), *stuck_report_jobs(now)]
