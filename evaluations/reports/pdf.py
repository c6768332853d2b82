"""The progress report (進捗状況) as an A4 PDF, in Japanese, from a published 時点.

The figures come from the published snapshot rows of the fiscal year's newest publication
(``evaluations.published``) and are counted only by ``evaluations.rates``, so a report for
令和6年度末時点 printed years later says what was published then. A plan with no publication for
the year (Kitakyushu's method pillars have no item-level results) gets a report without the
評価結果 table: its pillars' narratives, X会議 and schedule grid.

This module reads the database and writes the HTML; ``typesetting`` turns HTML into PDF with
the shipped font, and ``parts`` does so in several processes for a large report.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.template.loader import render_to_string
from django.utils import timezone, translation

from evaluations import changes, identity, indicators, provenance, published
from evaluations.choices import Result
from evaluations.models import PillarNarrative, PublishedResult
from evaluations.rates import EMPTY, Summary, indicator_progress, percent_display
from evaluations.reports import ahead, parts, typesetting
from evaluations.reports.typesetting import FONT_FAMILY, FONT_FILE
from initiatives.models import Plan, PlanNote
from reformtracker.calendar_ja import fy_label_ja
from xmeetings.models import Meeting, Schedule

TEMPLATE = "evaluations/reports/progress_report.html"

logger = logging.getLogger(__name__)

Progress = Callable[[int, str], None]


class ReportError(Exception):
    """A report that cannot be made (no such plan or year); the message is Japanese."""


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
    publication = published.publication_for(plan, fiscal_year)
    if publication is not None:
        summary, excluded, sections = _published_sections(publication)
        as_of_label = publication.round.as_of_label_ja
    else:
        summary, excluded, sections = EMPTY, [], _unpublished_sections(plan, fiscal_year)
        as_of_label = f"{fy_label_ja(fiscal_year)}（評価結果は未公表）"
    meetings, schedules = _meetings_and_schedules(plan, fiscal_year)
    notes = _notes(plan, fiscal_year)
    with translation.override("ja"):
        notices = provenance.plan_notices(plan)
        totals_line = provenance.totals_line(plan, publication) if publication else ""
    return {
        "changes": _changes(publication) if publication is not None else None,
        "indicators": _indicators(publication) if publication is not None else [],
        "plan": plan,
        # The cover: the city as its reform office presents it (evaluations.identity), and
        # who made the document: the site's operator, its Author, never the city itself.
        "municipality": plan.municipality,
        "logo_uri": _logo_uri(plan.municipality),
        "operator": provenance.operator(),
        "site_name": identity.site_name_ja(),
        "provenance_notices": notices,
        "totals_line": totals_line,
        "explanations": {
            value: provenance.explanation(value) for value in ("illustrative", "ours")
        },
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
        "toc": _contents(publication, sections, meetings, schedules, notes),
        # What of the report this HTML holds: all of it, unless it is made in parts.
        "front": True,
        "results_chapter": True,
        "body_sections": sections,
        "tail": True,
        "colours": {result.value: result.hex for result in Result},
        "font_url": FONT_FILE.as_uri(),
        "font_family": FONT_FAMILY,
    }


def _indicators(publication) -> list:
    """「指標の実績」: every indicator the publication froze, with its item's code and its
    progress (one query; none when the plan has no indicators)."""
    code = PublishedResult.objects.filter(
        publication=publication, initiative_id=OuterRef("initiative_id")
    ).values("code")[:1]
    rows = list(
        publication.indicator_values.annotate(code=Subquery(code)).order_by("code", "order", "pk")
    )
    for row in rows:
        progress = indicator_progress(
            row.baseline_value, row.target_value, row.actual, row.direction
        )
        row.progress_text = percent_display(progress)
        row.numbers = {
            "baseline": indicators.number(row.baseline_value),
            "target": indicators.number(row.target_value),
            "actual": indicators.number(row.actual),
        }
    return rows


def _changes(publication) -> dict | None:
    """「前回からの変化」: the figures against the 時点 published before, and every item whose
    result changed or that was newly evaluated (evaluations.changes); None for a first 時点."""
    previous = changes.previous_of(publication)
    if previous is None:
        return None
    rows = list(changes.changed_rows(previous, publication))
    for row in rows:
        row.before_label = (
            Result(row.before_result).label if row.before_result else "（新たに評価）"
        )
    return {
        "before_label": previous.round.as_of_label_ja,
        "before": published.summary_of(previous),
        "items": rows,
    }


def _logo_uri(municipality) -> str:
    """The logo as a data: URL (the report fetches nothing but its own files)."""
    if not municipality.logo:
        return ""
    import base64

    storage = identity.logo_storage()
    with storage.open(municipality.logo.name, "rb") as handle:
        data = handle.read()
    content_type = identity.logo_content_type(municipality.logo.name)
    return f"data:{content_type};base64,{base64.b64encode(data).decode('ascii')}"


def _published_sections(publication) -> tuple[Summary, list[PublishedResult], list[PillarSection]]:
    """The headline, the 評価対象外 items and one section per pillar, as published."""
    results = list(
        PublishedResult.objects.filter(publication=publication).order_by(
            "pillar_id", "order", "code"
        )
    )
    by_pillar = published.pillar_summaries(publication)
    by_pillar_results: dict[int, list] = {}
    for row in results:
        by_pillar_results.setdefault(row.pillar_id, []).append(row)
    excluded = sorted(
        (r for r in results if r.result == Result.EXCLUDED), key=lambda r: (r.order, r.code)
    )
    sections = [
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
        for snap in publication.pillars.order_by("order")
    ]
    return published.summary_of(publication), excluded, sections


def _unpublished_sections(plan: Plan, fiscal_year: int) -> list[PillarSection]:
    """A year with nothing published: the pillars and their live narratives, no figures."""
    narratives = {
        n.pillar_id: n
        for n in PillarNarrative.objects.filter(pillar__plan=plan, fiscal_year=fiscal_year)
    }
    sections = []
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
    return sections


def _notes(plan: Plan, fiscal_year: int) -> list[PlanNote]:
    """The plan's notes of this fiscal year and of the next (the report looks ahead)."""
    return list(
        PlanNote.objects.filter(plan=plan, fiscal_year__in=[fiscal_year, fiscal_year + 1]).order_by(
            "fiscal_year", "kind", "order"
        )
    )


@dataclass
class ContentsEntry:
    anchor: str
    label: str
    # Printed as is when the report is made in parts; None: WeasyPrint's target-counter.
    page: int | str | None = None


def _contents(publication, sections, meetings, schedules, notes) -> list[ContentsEntry]:
    entries = [ContentsEntry("results", "評価結果")] if publication else []
    entries += [ContentsEntry(s.anchor, f"{s.order} {s.name}") for s in sections]
    if meetings:
        entries.append(ContentsEntry("meetings", "X会議"))
    entries += [
        ContentsEntry(f"schedule-{item['schedule'].fiscal_year}", f"{item['label']}のスケジュール")
        for item in schedules
    ]
    if notes:
        entries.append(ContentsEntry("notes", "振り返りと今後の進め方"))
    return entries


def _meetings_and_schedules(plan: Plan, fiscal_year: int):
    """X会議 and schedule grids of the year and the next one (a year-end report looks ahead)."""
    years = [fiscal_year, fiscal_year + 1]
    meetings = list(
        Meeting.objects.filter(plan=plan, fiscal_year__in=years)
        .prefetch_related("topics")
        .order_by("fiscal_year", "earliest", "number")
    )
    schedules = []
    for schedule in Schedule.objects.filter(plan=plan, fiscal_year__in=years).with_grid():
        columns, rows = schedule.grid(
            [m for m in meetings if m.fiscal_year == schedule.fiscal_year]
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


def warm_up() -> None:
    """Imports WeasyPrint (1.5 s: cffi bindings to Pango, fontTools) and prepares the fonts and
    the stylesheet, so that a web worker's first report costs what every later one does
    (reformtracker/wsgi.py calls it when REPORT_WARM_UP is on, as in production)."""
    typesetting.warm_up()


def render_pdf(plan: Plan, fiscal_year: int, **options) -> bytes:
    """The report as PDF bytes; ``options`` as for ``make_report``."""
    return make_report(plan, fiscal_year, **options).data


def make_report(
    plan: Plan,
    fiscal_year: int,
    *,
    issued_on: date | None = None,
    progress: Progress | None = None,
    tagged: bool = True,
    processes: int | None = None,
) -> parts.Report:
    """The report, tagged PDF/UA-1 by default. ``progress(percent, step)`` is called as the
    steps finish, for the background job's progress bar.

    ``tagged=False`` leaves out the structure tree (about a seventh of the time of a
    1,000-item report): for drafts only — the published report must stay tagged, since
    screen readers and JIS X 8341-3 rely on it.

    It is made in up to ``processes`` parts at once (``parts``). By default a plan with at
    least REPORT_PARALLEL_THRESHOLD items is made in REPORT_PROCESSES parts, a smaller one
    here, in one piece: starting processes costs more than a short report."""
    step = progress or _no_progress
    step(5, "データを読み込んでいます")
    context = build_context(plan, fiscal_year, issued_on=issued_on)
    groups = chapter_groups(context, _processes_for(context, processes))
    part_htmls = (
        [render_html(_part(context, group, last=group is groups[-1])) for group in groups]
        if len(groups) > 1
        else None
    )

    def front_html(pages):
        return render_html(_front(context, pages))

    def whole_html():
        return render_html(context)

    report = None
    # The terminal command's typesetting process, started before Django was (ahead.py).
    typesetter = ahead.take()
    if typesetter is not None:
        try:
            report = typesetter.make(
                front_html, part_htmls, whole_html, tagged=tagged, progress=step
            )
        except ahead.Lost:
            logger.exception("The report's typesetting process was lost; making the report here")
    if report is None:
        report = parts.make(front_html, part_htmls, whole_html, tagged=tagged, progress=step)
    step(100, "完了しました")
    return report


def _no_progress(percent: int, step: str) -> None:
    pass


def _processes_for(context: dict, processes: int | None) -> int:
    if processes is not None:
        return processes
    items = sum(len(section.results) for section in context["sections"])
    return settings.REPORT_PROCESSES if items >= settings.REPORT_PARALLEL_THRESHOLD else 1


def chapter_groups(context: dict, count: int) -> list[list]:
    """The report's chapters (評価結果, then each 取組方針; each starts a page) cut into at most
    ``count`` runs of about equal work, weighed by the rows they print: a table row of five
    cells costs about what three of the 評価結果's notes on excluded items do (measured: 0.4 s
    for 200 notes, 2.0 s for 333 rows). The X会議, schedules and notes follow the last 取組方針
    without a page break, so they stay in its run."""
    chapters = (["results"] if context["publication"] else []) + list(context["sections"])
    weights = [
        10 + (len(context["excluded"]) // 3 if chapter == "results" else len(chapter.results))
        for chapter in chapters
    ]
    count = max(1, min(count, len(chapters)))
    # best[k][i]: the smallest possible heaviest run when chapters[:i] make k runs.
    best = [[float("inf")] * (len(chapters) + 1) for _ in range(count + 1)]
    cut = [[0] * (len(chapters) + 1) for _ in range(count + 1)]
    best[0][0] = 0
    for k in range(1, count + 1):
        for i in range(1, len(chapters) + 1):
            for j in range(k - 1, i):
                heaviest = max(best[k - 1][j], sum(weights[j:i]))
                if heaviest < best[k][i]:
                    best[k][i], cut[k][i] = heaviest, j
    groups, end = [], len(chapters)
    for k in range(count, 0, -1):
        groups.insert(0, chapters[cut[k][end] : end])
        end = cut[k][end]
    return [group for group in groups if group]


def _front(context: dict, pages: dict[str, int] | None) -> dict:
    """The cover and contents of a report made in parts. The contents print each chapter's
    page number as text; ``pages`` is None while they are not known yet, and a stand-in of
    three digits takes their place (the front is laid out once to learn its length)."""
    toc = [
        ContentsEntry(entry.anchor, entry.label, pages[entry.anchor] if pages else "000")
        for entry in context["toc"]
    ]
    return {
        **context,
        "toc": toc,
        "front": True,
        "results_chapter": False,
        "body_sections": [],
        "tail": False,
    }


def _part(context: dict, chapters: list, *, last: bool) -> dict:
    return {
        **context,
        "front": False,
        "results_chapter": "results" in chapters,
        "body_sections": [chapter for chapter in chapters if chapter != "results"],
        "tail": last,
    }


def filename(plan: Plan, fiscal_year: int) -> str:
    return f"{plan.slug}-progress-{fiscal_year}.pdf"
