"""Every output says where its figures and texts come from: the plan, pillar and initiative
pages, the open-data CSV/JSON, the PDF, the 照会票 workbook, the share card and the badge — and
the staff and public histories give the seed's publication one date."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from datetime import date, datetime
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from evaluations import cards, history, provenance
from evaluations.boards import plan_data
from evaluations.models import HistoryEvent, Publication, PublishedResult, Round
from evaluations.reports import pdf
from evaluations.workbooks.export import export_round
from initiatives.models import Initiative, Provenance
from tests.constants import KITAKYUSHU, OSAKA

pytestmark = pytest.mark.django_db
RELEASE = datetime(2025, 9, 16, 14, 0, tzinfo=ZoneInfo("Asia/Tokyo"))


def marks(html: str, kind: str) -> int:
    """The item marks (links to the legend; the legend's own samples are not links)."""
    return html.count(f'<a class="provenance provenance-{kind}" href="#provenance-legend">')


def test_the_osaka_plan_page_says_its_item_data_is_illustrative_and_its_totals_the_citys(
    client, osaka
):
    html = client.get(f"/plans/{OSAKA}/").content.decode()
    assert 'id="provenance-legend"' in html
    assert "公表された合計に合うように置いた例示です" in html
    source = re.search(r'data-testid="totals-source">(.*?)</p>', html, re.S).group(1)
    assert "大阪市が公表した数値です" in source
    assert "「新・市政改革プラン」の進捗状況(令和6年度末時点)を取りまとめました" in source
    assert "令和7年9月16日公表" in source
    assert "柱ごとの達成・評価対象の内訳と達成率は、公表された合計に合わせた例示です" in html
    # Pillar 5's description is our wording, and its page says so beside it.
    pillar_5 = client.get(f"/plans/{OSAKA}/pillars/5/").content.decode()
    assert re.search(
        r"連携して取組を進めています。<a class=\"provenance provenance-ours\"", pillar_5
    )


def test_each_published_row_of_a_pillar_carries_its_mark(client, osaka):
    html = client.get(f"/plans/{OSAKA}/pillars/6/").content.decode()
    rows = PublishedResult.objects.filter(pillar__plan__slug=OSAKA, pillar__order=6)
    illustrative = rows.filter(provenance=Provenance.ILLUSTRATIVE).count()
    assert illustrative == 7
    assert marks(html, "illustrative") == illustrative
    assert marks(html, "ours") == 1  # 6-5: its title and reason are the release's
    assert 'id="provenance-legend"' in html


def test_the_initiative_page_says_what_of_it_is_ours_and_what_illustrative(client, osaka):
    html = client.get(f"/plans/{OSAKA}/initiatives/2-1/").content.decode()
    note = re.search(r'data-testid="item-provenance">(.*?)</p>', html, re.S).group(1)
    assert "例示" in note and "所管・目標・評価結果は例示" in note


def test_kitakyushu_marks_its_period_and_schedule_as_our_reading(client, kitakyushu):
    html = client.get(f"/plans/{KITAKYUSHU}/").content.decode()
    assert re.search(r"令和6年度〜</dd>", html) is None  # the period carries a mark
    assert "取組期間は公表資料に明記がなく" in html
    assert "月の範囲は、資料の矢印から当サイトが読み取ったもの" in html
    schedule = client.get(f"/meetings/{KITAKYUSHU}/schedule/").content.decode()
    assert re.search(
        r'data-testid="schedule-provenance"><span class="provenance provenance-ours">当サイトの整理</span> スケジュール表の各活動の月の範囲',
        schedule,
    )
    pillar = client.get(f"/plans/{KITAKYUSHU}/pillars/1/").content.decode()
    assert marks(pillar, "ours") == 2  # K-A-1 and K-A-2: placed under this pillar by us


def test_a_plan_published_by_its_office_claims_no_city_release(osaka, client):
    plan = osaka
    plan.source_as_of = None
    plan.save()
    html = client.get(f"/plans/{OSAKA}/").content.decode()
    assert "大阪市が当サイトで公表した取組項目ごとの評価結果を集計したもの" in html


def test_the_open_data_rows_carry_the_provenance_and_the_page_documents_it(client, osaka):
    rows = client.get(f"/open-data/{OSAKA}/2024/results.json").json()["results"]
    values = {row["code"]: row["provenance"] for row in rows}
    assert values["6-5"] == "ours"
    assert set(values.values()) == {"ours", "illustrative"}
    assert sum(v == "illustrative" for v in values.values()) == 23
    text = client.get(f"/open-data/{OSAKA}/2024/results.csv").content.decode("utf-8-sig")
    header, *lines = list(csv.reader(io.StringIO(text)))
    assert header[-1] == "provenance"
    assert {line[-1] for line in lines} == {"ours", "illustrative"}
    api = client.get(f"/open-data/plans/{OSAKA}/pillars/6.json").json()
    assert {r["code"]: r["provenance"] for r in api["results"]}["6-5"] == "ours"
    assert api["plan"]["provenance"]["items"] == "illustrative"
    assert api["plan"]["provenance"]["source"]["published_on"] == "2025-09-16"
    item = client.get(f"/open-data/plans/{OSAKA}/initiatives/2-1.json").json()["initiative"]
    assert item["provenance"] == "illustrative" and "例示" in item["provenance_note"]
    page = client.get("/open-data/").content.decode()
    assert "<code>provenance</code>" in page and 'id="provenance-field"' in page


@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="poppler-utils missing")
def test_the_pdf_names_the_sites_operator_as_author_and_marks_its_rows(osaka, settings, tmp_path):
    settings.SITE_OPERATOR = "改革データ研究会"
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf.render_pdf(osaka, 2024, issued_on=date(2025, 10, 1)))
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    author = re.search(r"^Author:\s*(.*)$", info.stdout, re.M).group(1)
    assert author == "改革データ研究会"
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    compact = re.sub(r"\s+", "", text)
    assert "データの出典について" in compact
    assert "大阪市が公表した数値です" in compact and "令和7年9月16日公表" in compact
    assert compact.count("［例示］") >= 23
    assert "作成：改革データ研究会" in compact


def test_the_workbook_names_each_rows_provenance(osaka):
    round_ = Round.objects.get(plan=osaka, fiscal_year=2024)
    book = openpyxl.load_workbook(io.BytesIO(export_round(round_)))
    values = []
    for sheet in book.worksheets[1:]:
        header = [c.value for c in sheet[1]]
        column = header.index("出典の種別")
        values += [row[column] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert (
        len(values)
        == Initiative.objects.filter(plan=osaka, pillar__office_tracks_items=True).count()
    )
    assert set(values) == {"例示", "当サイトの整理"}
    summary = [c for row in book["概要"].iter_rows(values_only=True) for c in row if c]
    assert any("例示" in str(c) for c in summary)


def test_the_share_card_and_badge_say_where_the_figures_come_from(client, osaka):
    lines = cards.plan_card(plan_data(OSAKA)).lines()
    assert "出典：大阪市の公表資料（令和7年9月16日公表）" in lines
    badge = client.get(f"/plans/{OSAKA}/badge.svg").content.decode()
    assert "出典：大阪市の公表資料（令和7年9月16日公表）" in badge


def test_the_history_gives_the_seed_publication_one_date_and_no_false_not_illustrative(osaka):
    item = Initiative.objects.get(plan=osaka, code="2-1")
    staff = history.staff_rows(item)
    publish = [row for row in staff if row.action == "公表"]
    assert publish and {row.at for row in publish} == {RELEASE}
    assert Publication.objects.get(round__plan=osaka).published_at == RELEASE
    assert {row.at for row in history.public_rows(item)} == {RELEASE}
    # Every event of the seed's round is dated at its release; master data at the load.
    round_events = HistoryEvent.objects.filter(round__plan=osaka)
    assert set(round_events.values_list("at", flat=True)) == {RELEASE}
    labels = [(c.label, c.after) for row in staff for c in row.changes]
    assert ("出典の種別", "例示") in labels
    assert not any("名称・結果は例示" in label for label, _ in labels)


def test_a_new_initiative_claims_the_citys_publication_by_default():
    assert Initiative._meta.get_field("provenance").default == Provenance.PUBLISHED
    assert provenance.mark(Provenance.PUBLISHED) is None
    assert provenance.weakest("published", "ours", "published") == "ours"
    assert provenance.weakest("ours", "illustrative") == "illustrative"
