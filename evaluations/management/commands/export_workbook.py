"""manage.py export_workbook PLAN_SLUG --fiscal-year 2024 [--department CODE] --output FILE.xlsx"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from evaluations import workbooks
from evaluations.choices import RoundKind
from evaluations.models import Round
from initiatives.models import Department, Plan
from reformtracker.calendar_ja import CalendarError, fy_label_ja, parse_fiscal_year


def round_for(plan: Plan, fiscal_year: int) -> Round | None:
    """The year-end round of the year, or its latest interim round when there is none."""
    rounds = Round.objects.filter(plan=plan, fiscal_year=fiscal_year).select_related("plan")
    return rounds.filter(kind=RoundKind.YEAR_END).first() or rounds.order_by("-as_of").first()


class Command(BaseCommand):
    help = "照会票（Excel）を出力します。--department で所属ごとの照会票にします。"

    def add_arguments(self, parser):
        parser.add_argument("plan_slug")
        parser.add_argument("--fiscal-year", required=True)
        parser.add_argument("--department", help="所属コード（省略時は全所属）")
        parser.add_argument("--output", required=True, type=Path)

    def handle(self, plan_slug, fiscal_year, output, department=None, **options):
        plan = Plan.objects.filter(slug=plan_slug).first()
        if plan is None:
            raise CommandError(f"計画「{plan_slug}」はありません。")
        try:
            year = parse_fiscal_year(fiscal_year)
        except CalendarError as exc:
            raise CommandError(str(exc)) from None
        round_ = round_for(plan, year)
        if round_ is None:
            raise CommandError(f"{fy_label_ja(year)}の照会はありません。")
        dept = None
        if department:
            dept = Department.objects.filter(
                municipality_id=plan.municipality_id, code=department
            ).first()
            if dept is None:
                raise CommandError(f"所属コード「{department}」はありません。")
        data = workbooks.export_round(round_, dept)
        output.write_bytes(data)
        self.stdout.write(f"{output}: {len(data):,} bytes")
