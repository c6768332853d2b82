"""The progress report's 「前回からの変化」: the figures against the 時点 before and every item
whose result changed, read back from the PDF's text."""

import shutil
import subprocess

import pytest

from evaluations.choices import Result
from evaluations.reports import pdf
from tests.factories import make_initiative, make_plan, make_published_round

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing"),
]


def _text(data: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode()


def test_the_second_years_report_says_what_changed_since_the_first(tmp_path):
    plan = make_plan()
    a, b = make_initiative(plan, title="窓口の電子化"), make_initiative(plan, title="施設の統廃合")
    make_published_round(plan, {a: Result.ACHIEVED, b: Result.NOT_ACHIEVED}, fiscal_year=2024)
    c = make_initiative(plan, title="委託の拡大")
    make_published_round(
        plan, {a: Result.ACHIEVED, b: Result.ACHIEVED, c: Result.NOT_ACHIEVED}, fiscal_year=2025
    )
    text = _text(pdf.render_pdf(plan, 2025), tmp_path)
    assert "前回からの変化" in text
    assert "令和6年度末時点（達成1項目／評価対象2項目、達成率50.0パーセント）" in text
    # The section, up to the page break before the first pillar's chapter.
    changed = text[text.index("前回からの変化") :].split("\f")[0]
    assert "施設の統廃合" in changed and "未達成" in changed
    assert "委託の拡大" in changed and "（新たに評価）" in changed
    assert "窓口の電子化" not in changed  # achieved both years: unchanged, not listed


def test_a_first_years_report_has_no_such_section(tmp_path):
    plan = make_plan()
    make_published_round(plan, [Result.ACHIEVED])
    assert "前回からの変化" not in _text(pdf.render_pdf(plan, plan.start_fiscal_year), tmp_path)


def test_the_report_lists_each_indicator_with_its_actual_and_progress(tmp_path):
    from decimal import Decimal

    from evaluations import services
    from evaluations.models import IndicatorValue
    from initiatives.models import Indicator
    from tests.factories import confirm_entries, open_year_end_round

    plan = make_plan()
    item = make_initiative(plan, title="次世代への投資")
    indicator = Indicator.objects.create(
        initiative=item,
        name="次世代投資",
        unit="億円",
        baseline_value=0,
        baseline_year=2024,
        target_value=330,
        target_year=2026,
    )
    round_ = open_year_end_round(plan, 2024)
    IndicatorValue.objects.create(round=round_, indicator=indicator, value=Decimal(110))
    confirm_entries(round_, {item: Result.ACHIEVED})
    services.publish_round_as_system(round_=round_, actor_name="test")
    text = _text(pdf.render_pdf(plan, 2024), tmp_path)
    assert "指標の実績" in text
    row = next(line for line in text.splitlines() if "次世代投資（億円）" in line)
    assert "330" in row and "110" in row and "約33.3%" in row
