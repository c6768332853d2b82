"""manage.py progress_report PLAN_SLUG --fiscal-year 2024 --output report.pdf"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from evaluations.reports import pdf
from initiatives.models import Plan
from reformtracker.calendar_ja import CalendarError, parse_date, parse_fiscal_year


class Command(BaseCommand):
    help = "進捗状況報告（PDF）を公表済みの時点から作成します。"
    # The system checks import every URLconf and view (0.15 s of CPU time before the report
    # starts, 0.6 s of wall time on a busy machine); they are `manage.py check`'s job, run by the
    # deploy and the tests, not every report's. A report reads the database and its templates.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("plan_slug")
        parser.add_argument(
            "--fiscal-year", required=True, help="2024、R6、令和6年度 のいずれの書き方でも可"
        )
        parser.add_argument("--output", required=True, type=Path)
        parser.add_argument("--issued-on", help="表紙の発行日（例：令和7年9月16日）。既定は今日")

    def handle(self, plan_slug, fiscal_year, output, issued_on=None, **options):
        plan = Plan.objects.select_related("municipality").filter(slug=plan_slug).first()
        if plan is None:
            raise CommandError(f"計画「{plan_slug}」はありません。")
        try:
            year = parse_fiscal_year(fiscal_year)
            issued = parse_date(issued_on) if issued_on else None
        except CalendarError as exc:
            raise CommandError(str(exc)) from None
        try:
            data = pdf.render_pdf(plan, year, issued_on=issued)
        except pdf.ReportError as exc:
            raise CommandError(str(exc)) from None
        output.write_bytes(data)
        self.stdout.write(f"{output}: {len(data):,} bytes")
