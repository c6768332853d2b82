"""The PDF progress report: figures, pillars, fonts, structure and reproducibility."""

import re
import shutil
import subprocess
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from evaluations import services
from evaluations.choices import EntryState
from evaluations.reports import parts, pdf, typesetting
from tests.constants import ISSUED, OSAKA_PILLARS

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing"),
]


def pdf_text(data: bytes, tmp_path, name="report.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode()


def pdf_tool(tool: str, data: bytes, tmp_path) -> str:
    path = tmp_path / "tool.pdf"
    path.write_bytes(data)
    return subprocess.run([tool, str(path)], capture_output=True, check=True).stdout.decode()


@pytest.fixture
def osaka_pdf(osaka):
    return pdf.render_pdf(osaka, 2024, issued_on=ISSUED)


def test_it_prints_the_results_table_as_the_osaka_release(osaka_pdf, tmp_path):
    text = pdf_text(osaka_pdf, tmp_path)
    compact = re.sub(r"\s+", "", text)
    assert "1進捗状況を確認した取組項目数24項目" in compact
    assert "2令和6年度末現在で評価対象とした取組項目数23項目(注)" in compact
    assert "3評価結果が「達成」であった取組項目数19項目" in compact
    assert "4評価結果が「未達成」であった取組項目数4項目" in compact
    assert "5達成率(19項目/23項目)約82.6パーセント" in compact
    assert "環境負荷の低減に係る取組の推進" in compact
    assert "令和9年度末時点で評価を実施のため" in compact


def test_it_names_every_pillar_with_its_rate(osaka_pdf, tmp_path):
    compact = re.sub(r"\s+", "", pdf_text(osaka_pdf, tmp_path))
    for name in OSAKA_PILLARS:
        assert name in compact
    assert "官民連携の推進：達成6項目／評価対象7項目（達成率約85.7%）" in compact
    assert "業務改革の推進：達成7項目／評価対象9項目（達成率約77.8%）" in compact


def test_it_has_a_cover_with_the_as_of_and_the_issue_date_in_wareki(osaka_pdf, tmp_path):
    first_page = pdf_text(osaka_pdf, tmp_path).split("\f")[0]
    assert "令和6年度末時点" in first_page
    assert "令和7年9月16日" in first_page
    assert "大阪市" in first_page


def test_it_embeds_the_shipped_japanese_font(osaka_pdf, tmp_path):
    fonts = pdf_tool("pdffonts", osaka_pdf, tmp_path)
    rows = [line.split() for line in fonts.splitlines()[2:]]
    assert rows
    for row in rows:
        assert "Reform-Gothic" in row[0]
        # emb, sub, uni columns: embedded, subset, with a ToUnicode map
        assert row[-5:-2] == ["yes", "yes", "yes"]


def test_it_is_a_tagged_a4_pdf_with_page_numbers_and_a_table_of_contents(osaka_pdf, tmp_path):
    info = pdf_tool("pdfinfo", osaka_pdf, tmp_path)
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages >= 5
    assert "Tagged:          yes" in info
    assert "595.276 x 841.89 pts (A4)" in info
    text = pdf_text(osaka_pdf, tmp_path)
    page_texts = text.split("\f")
    assert re.search(rf"\b2\s*/\s*{pages}\b", page_texts[1])
    assert re.search(rf"\b{pages}\s*/\s*{pages}\b", page_texts[pages - 1])
    toc = page_texts[1]
    assert "目次" in toc
    match = re.search(r"評価結果\.+\s*(\d+)", toc)
    assert match, toc
    assert "評価結果" in page_texts[int(match.group(1)) - 1]
    toc_page = int(re.search(r"官民連携の推進\s*\.+\s*(\d+)", toc).group(1))
    assert "2 官民連携の推進" in page_texts[toc_page - 1]


def test_it_logs_no_missing_glyphs(osaka, kitakyushu, caplog):
    with caplog.at_level("WARNING", logger="weasyprint"):
        pdf.render_pdf(osaka, 2024, issued_on=ISSUED)
        pdf.render_pdf(kitakyushu, 2025, issued_on=ISSUED)
    assert not [r for r in caplog.records if ".notdef" in r.getMessage()]


def test_it_gives_the_same_report_for_a_past_as_of_after_later_edits(osaka, tmp_path):
    before = pdf_text(pdf.render_pdf(osaka, 2024, issued_on=ISSUED), tmp_path, "a.pdf")
    # A new year starts; the old year's entries are corrected live as well.
    services.open_round_as_system(
        plan=osaka, fiscal_year=2025, as_of=date(2026, 3, 31), actor_name="test"
    )
    old = osaka.rounds.get(fiscal_year=2024)
    old.state = "open"  # reopened, as for a correction
    old.save(update_fields=["state"])
    for entry in old.entries.filter(result="achieved")[:3]:
        services.update_entry_as_system(
            entry_id=entry.pk,
            expected_version=entry.version,
            values={"result": "not_achieved", "narrative": "後日修正"},
            state=EntryState.IN_PROGRESS,
            actor_name="test",
        )
    pillar = osaka.pillars.get(order=2)
    pillar.name = "官民連携の推進（改称）"
    pillar.save()
    after = pdf_text(pdf.render_pdf(osaka, 2024, issued_on=ISSUED), tmp_path, "b.pdf")
    assert after == before
    assert "改称" not in after


def test_it_shows_kitakyushu_meetings_and_schedule_grid(kitakyushu, tmp_path):
    text = pdf_text(pdf.render_pdf(kitakyushu, 2024, issued_on=ISSUED), tmp_path)
    compact = re.sub(r"\s+", "", text)
    for name in ("局区X方針", "経営分析・事業分析", "プラチナ市役所プロジェクト"):
        assert name in compact
    assert "第1回" in compact and "5月23日" in compact
    assert "7月上旬" in compact and "1月下旬" in compact
    assert "令和7年度のスケジュール" in compact
    assert "12月以降" in compact
    assert "R6分析報告書の公表(5/23)" in compact
    assert "評価結果は未公表" in compact


def test_it_refuses_a_year_outside_the_plan(osaka):
    with pytest.raises(pdf.ReportError, match="取組期間"):
        pdf.render_pdf(osaka, 2030)


def test_the_command_writes_the_report(osaka, tmp_path):
    out = tmp_path / "r.pdf"
    call_command(
        "progress_report",
        "osaka-shin-shisei-kaikaku",
        "--fiscal-year",
        "令和6年度",
        "--output",
        str(out),
        "--issued-on",
        "R7.9.16",
    )
    assert "約82.6パーセント" in pdf_text(out.read_bytes(), tmp_path)


def test_the_command_says_what_is_wrong(osaka, tmp_path):
    with pytest.raises(CommandError, match="計画「nope」はありません"):
        call_command("progress_report", "nope", "--fiscal-year", "2024", "--output", "x.pdf")
    with pytest.raises(CommandError, match="年度として読めません"):
        call_command("progress_report", osaka.slug, "--fiscal-year", "来年", "--output", "x.pdf")


def test_an_untagged_draft_can_be_made_and_the_default_stays_tagged(osaka, osaka_pdf, tmp_path):
    draft = pdf.render_pdf(osaka, 2024, issued_on=ISSUED, tagged=False)
    assert "Tagged:          no" in pdf_tool("pdfinfo", draft, tmp_path)
    assert "Tagged:          yes" in pdf_tool("pdfinfo", osaka_pdf, tmp_path)
    assert pdf_text(draft, tmp_path, "draft.pdf") == pdf_text(osaka_pdf, tmp_path, "tagged.pdf")


def test_the_page_reference_memo_follows_added_pages():
    import pydyf

    typesetting.memoise_page_references()
    document = pydyf.PDF()
    first = document.page_references
    document.add_page(pydyf.Dictionary({"Type": "/Page"}))
    document.add_page(pydyf.Dictionary({"Type": "/Page"}))
    second = document.page_references
    assert len(second) == len(first) + 2
    assert second == tuple(f"{n} 0 R".encode() for n in document.pages["Kids"][::3])
    assert document.page_references is second


def test_pdf_streams_are_deflated_at_level_6_not_9():
    import zlib

    import pydyf

    typesetting.warm_up()
    data = "取組項目 ".encode() * 2000
    deflate = pydyf.zlib.compressobj(level=9)
    ours = deflate.compress(data) + deflate.flush()
    six = zlib.compressobj(6)
    assert ours == six.compress(data) + six.flush()
    assert zlib.decompress(ours) == data
    assert pydyf.zlib.compress(data) == zlib.compress(data)


def test_the_collector_thresholds_are_raised_only_while_reports_are_made(osaka):
    import gc

    before = gc.get_threshold()
    with parts.fewer_collections():
        raised = gc.get_threshold()
        with parts.fewer_collections():
            assert gc.get_threshold() == raised
        assert gc.get_threshold() == raised  # the outer report is still running
    assert raised[0] > before[0]
    assert gc.get_threshold() == before
    with pytest.raises(pdf.ReportError):
        pdf.render_pdf(osaka, 2030)
    assert gc.get_threshold() == before
