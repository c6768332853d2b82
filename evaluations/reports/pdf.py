"""The progress report (進捗状況) as an A4 PDF, in Japanese, from a published 時点.

The figures come from the published snapshot rows of the fiscal year's newest publication
(``evaluations.published``) and are counted only by ``evaluations.rates``, so a report for
令和6年度末時点 printed years later says what was published then. A plan with no publication for
the year (Kitakyushu's method pillars have no item-level results) gets a report without the
評価結果 table: its pillars' narratives, X会議 and schedule grid.

The font ships with the project (``fonts/reformgothic.ttf``, a subset of IPAex Gothic) and is
referenced by a file:// URL, so nothing depends on fonts installed on the machine. The
stylesheet is ``progress_report.css`` beside this module, parsed once per process.
"""

from __future__ import annotations

import atexit
import gc
import os
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone, translation

from evaluations import published
from evaluations.choices import Result, RoundKind
from evaluations.models import PillarNarrative, Publication, PublishedResult
from evaluations.rates import EMPTY, Summary
from initiatives.models import Plan, PlanNote
from reformtracker.calendar_ja import fy_label_ja
from xmeetings.models import Meeting, Schedule, ScheduleActivity, ScheduleLane
from xmeetings.views import _grid

FONT_FILE = Path(
    os.environ.get("REPORT_FONT_FILE", Path(__file__).resolve().parent / "fonts/reformgothic.ttf")
)
FONT_FAMILY = "Reform Gothic"
TEMPLATE = "evaluations/reports/progress_report.html"
STYLESHEET = Path(__file__).resolve().parent / "progress_report.css"

Progress = Callable[[int, str], None]


class ReportError(Exception):
    """A report that cannot be made (no such plan or year); the message is Japanese."""


def publication_for(plan: Plan, fiscal_year: int) -> Publication | None:
    """The 時点 a fiscal year's report shows: the newest publication of the year-end round, or
    of the year's latest interim round when the year-end one is not published yet."""
    candidates = [
        p for p in published.current_publications([plan.pk]) if p.round.fiscal_year == fiscal_year
    ]
    candidates.sort(key=lambda p: (p.round.kind == RoundKind.YEAR_END, p.round.as_of), reverse=True)
    return candidates[0] if candidates else None


@dataclass
class PillarSection:
    order: int
    name: str
    managed_through: str
    tracked: bool
    done: str
    next_steps: str
    summary: Summary
    results: list = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"pillar-{self.order}"

    @property
    def chart(self) -> dict:
        """Bar lengths (out of 100) for the SVG chart; the counts are the summary's own."""
        total = self.summary.checked or 1
        achieved = 100 * self.summary.achieved / total
        not_achieved = 100 * self.summary.not_achieved / total
        return {
            "achieved": round(achieved, 2),
            "not_achieved_x": round(achieved, 2),
            "not_achieved": round(not_achieved, 2),
            "excluded_x": round(achieved + not_achieved, 2),
            "excluded": round(100 - achieved - not_achieved, 2) if self.summary.checked else 0,
        }


def build_context(plan: Plan, fiscal_year: int, *, issued_on: date | None = None) -> dict:
    """Everything the template shows, read from the published snapshot of ``fiscal_year``."""
    if not plan.covers_fiscal_year(fiscal_year):
        raise ReportError(plan.period_error(fiscal_year))
    publication = publication_for(plan, fiscal_year)
    sections: list[PillarSection] = []
    summary = EMPTY
    excluded: list[PublishedResult] = []
    if publication is not None:
        results = list(
            PublishedResult.objects.filter(publication=publication).order_by(
                "pillar_id", "order", "code"
            )
        )
        summary = published.summary_of(publication)
        by_pillar = published.pillar_summaries(publication)
        by_pillar_results: dict[int, list] = {}
        for row in results:
            by_pillar_results.setdefault(row.pillar_id, []).append(row)
        excluded = [r for r in results if r.result == Result.EXCLUDED]
        excluded.sort(key=lambda r: (r.order, r.code))
        for snap in publication.pillars.order_by("order"):
            sections.append(
                PillarSection(
                    order=snap.order,
                    name=snap.name,
                    managed_through=snap.managed_through,
                    tracked=snap.office_tracks_items,
                    done=snap.done,
                    next_steps=snap.next_steps,
                    summary=by_pillar.get(snap.pillar_id, EMPTY),
                    results=by_pillar_results.get(snap.pillar_id, []),
                )
            )
        as_of_label = publication.round.as_of_label_ja
    else:
        narratives = {
            n.pillar_id: n
            for n in PillarNarrative.objects.filter(pillar__plan=plan, fiscal_year=fiscal_year)
        }
        for pillar in plan.pillars.order_by("order"):
            narrative = narratives.get(pillar.pk)
            sections.append(
                PillarSection(
                    order=pillar.order,
                    name=pillar.name,
                    managed_through=pillar.managed_through,
                    tracked=False,
                    done=getattr(narrative, "done", "") or pillar.description,
                    next_steps=getattr(narrative, "next_steps", ""),
                    summary=EMPTY,
                )
            )
        as_of_label = f"{fy_label_ja(fiscal_year)}（評価結果は未公表）"

    meetings, schedules = _meetings_and_schedules(plan, fiscal_year)
    notes = list(
        PlanNote.objects.filter(plan=plan, fiscal_year__in=[fiscal_year, fiscal_year + 1]).order_by(
            "fiscal_year", "kind", "order"
        )
    )
    return {
        "plan": plan,
        "fiscal_year": fiscal_year,
        "fiscal_year_label": fy_label_ja(fiscal_year),
        "publication": publication,
        "as_of_label": as_of_label,
        "issued_on": issued_on or timezone.localdate(),
        "summary": summary,
        "excluded": excluded,
        "sections": sections,
        "tracked_names": [s.name for s in sections if s.tracked],
        "meetings": meetings,
        "schedules": schedules,
        "notes": notes,
        "font_url": FONT_FILE.as_uri(),
        "font_family": FONT_FAMILY,
    }


def _meetings_and_schedules(plan: Plan, fiscal_year: int):
    """X会議 and schedule grids of the year and the next one (a year-end report looks ahead)."""
    years = [fiscal_year, fiscal_year + 1]
    meetings = list(
        Meeting.objects.filter(plan=plan, fiscal_year__in=years)
        .prefetch_related("topics")
        .order_by("fiscal_year", "earliest", "number")
    )
    schedules = []
    lanes = Prefetch(
        "lanes",
        queryset=ScheduleLane.objects.prefetch_related(
            Prefetch("activities", queryset=ScheduleActivity.objects.order_by("order"))
        ).order_by("order"),
    )
    for schedule in Schedule.objects.filter(plan=plan, fiscal_year__in=years).prefetch_related(
        lanes
    ):
        columns, rows = _grid(
            schedule, [m for m in meetings if m.fiscal_year == schedule.fiscal_year]
        )
        schedules.append(
            {
                "schedule": schedule,
                "label": fy_label_ja(schedule.fiscal_year),
                "columns": columns,
                "rows": rows,
            }
        )
    return meetings, schedules


def render_html(context: dict) -> str:
    with translation.override("ja"):
        return render_to_string(TEMPLATE, context)


_font_config = None
_stylesheet = None


def _fonts():
    # One FontConfiguration per process: building it scans fontconfig, which costs more than
    # laying out a short report.
    global _font_config
    if _font_config is None:
        from weasyprint.text.fonts import FontConfiguration

        _font_config = FontConfiguration()
        atexit.register(_forget_fonts)
    return _font_config


def warm_up() -> None:
    """Imports WeasyPrint (1.5 s: cffi bindings to Pango, fontTools) and prepares the fonts and
    the stylesheet, so that a web worker's first report costs what every later one does
    (reformtracker/wsgi.py calls it when REPORT_WARM_UP is on, as in production)."""
    import weasyprint  # noqa: F401

    _stylesheets()


def _forget_fonts() -> None:
    """At exit, while WeasyPrint's modules are still whole: FontConfiguration.__del__ deletes
    its temporary folder, and fails noisily once interpreter shutdown has cleared them."""
    global _font_config, _stylesheet
    _stylesheet = _font_config = None


def _stylesheets() -> list:
    """The report's stylesheet (``progress_report.css`` after the shipped font's @font-face
    rules, which html's font-family names), parsed once per process: parsing it for every
    report took about 60 ms, a tenth of the seed report. WeasyPrint only reads a CSS object
    while it renders, so one can serve every report; it belongs to ``_fonts()``'s one
    FontConfiguration."""
    global _stylesheet
    if _stylesheet is None:
        from weasyprint import CSS

        css = f'{_font_face()}\nhtml {{ font-family: "{FONT_FAMILY}"; }}\n'
        _stylesheet = CSS(string=css + STYLESHEET.read_text(encoding="utf-8"), font_config=_fonts())
    return [_stylesheet]


_gc_lock = threading.Lock()
_gc_depth = 0
_gc_thresholds = (0, 0, 0)
REPORT_GC_THRESHOLDS = (100_000, 50, 1_000)


@contextmanager
def _fewer_collections():
    """Raises the cyclic garbage collector's thresholds while a report is made.

    Laying out a 1,000-item report creates some 650,000 objects (boxes, computed styles,
    drawing operations) that stay alive until the PDF is written. With the default thresholds
    CPython runs about 550 collections meanwhile, four of them full ones that walk every object
    of the process, and they find next to nothing: 1.6 of the report's 7.5 s of CPU time. With
    a first threshold of 100,000 it runs about ten young collections. Once the document is
    dropped, one ``gc.collect(1)`` frees its reference cycles (some 570,000 objects) at once,
    which later collections would otherwise do: that 0.45 s stays counted in the report, and
    memory goes back down before the next one. Nested and concurrent reports share the raised
    thresholds (never lower than the process's own); the last one out restores them."""
    global _gc_depth, _gc_thresholds
    with _gc_lock:
        if _gc_depth == 0:
            _gc_thresholds = gc.get_threshold()
            gc.set_threshold(*map(max, _gc_thresholds, REPORT_GC_THRESHOLDS))
        _gc_depth += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_depth -= 1
            if _gc_depth == 0:
                gc.set_threshold(*_gc_thresholds)
        gc.collect(1)


def _memoise_page_references() -> None:
    """pydyf rebuilds the tuple of every page's reference each time ``page_references`` is
    read, and WeasyPrint's PDF/UA tagging reads it once per structure element: for an 87-page
    report that is 17,000 rebuilds of an 87-item tuple. The memo is keyed on the page count
    (pages are only ever appended), so it returns exactly what the property would."""
    import pydyf

    original = pydyf.PDF.page_references
    if getattr(original, "_reformtracker_memo", False):
        return

    def page_references(self):
        count = len(self.pages["Kids"])
        memo = self.__dict__.get("_reformtracker_page_references")
        if memo is None or memo[0] != count:
            memo = (count, original.fget(self))
            self.__dict__["_reformtracker_page_references"] = memo
        return memo[1]

    page_references._reformtracker_memo = True
    pydyf.PDF.page_references = property(page_references)


def render_pdf(
    plan: Plan,
    fiscal_year: int,
    *,
    issued_on: date | None = None,
    progress: Progress | None = None,
    tagged: bool = True,
) -> bytes:
    """The report as PDF bytes, tagged PDF/UA-1 by default. ``progress(percent, step)`` is
    called as the steps finish, for the background job's progress bar.

    ``tagged=False`` leaves out the structure tree (about a seventh of the time of a
    1,000-item report): for drafts only — the published report must stay tagged, since
    screen readers and JIS X 8341-3 rely on it."""
    with _fewer_collections():
        return _render_pdf(plan, fiscal_year, issued_on, progress or _no_progress, tagged)


def _no_progress(percent: int, step: str) -> None:
    pass


def _render_pdf(plan, fiscal_year, issued_on, step: Progress, tagged: bool) -> bytes:
    from weasyprint import HTML

    _memoise_page_references()
    variant = "pdf/ua-1" if tagged else None
    step(5, "データを読み込んでいます")
    context = build_context(plan, fiscal_year, issued_on=issued_on)
    html = render_html(context)
    step(20, "ページを組版しています")
    document = HTML(string=html, base_url=str(FONT_FILE.parent)).render(
        stylesheets=_stylesheets(), font_config=_fonts(), pdf_variant=variant
    )
    step(80, f"PDFを書き出しています（{len(document.pages)}ページ）")
    data = document.write_pdf(pdf_variant=variant, uncompressed_pdf=False)
    step(100, "完了しました")
    return data


def _font_face() -> str:
    return (
        f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{FONT_FILE.as_uri()}"); }}\n'
        f'@font-face {{ font-family: "{FONT_FAMILY}"; font-weight: bold; '
        f'src: url("{FONT_FILE.as_uri()}"); }}'
    )


def filename(plan: Plan, fiscal_year: int) -> str:
    return f"{plan.slug}-progress-{fiscal_year}.pdf"
