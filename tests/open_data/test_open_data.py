"""Open data files of published results: CSV with BOM and JSON, stable columns, CC BY 4.0."""

import csv
import io
from datetime import date

import pytest

from evaluations import services
from evaluations.views.opendata import RESULT_COLUMNS
from tests.constants import OSAKA, OSAKA_FY2024, OSAKA_PILLARS

pytestmark = pytest.mark.django_db

CSV_URL = f"/open-data/{OSAKA}/2024/results.csv"
JSON_URL = f"/open-data/{OSAKA}/2024/results.json"


def test_it_serves_csv_with_a_bom_and_the_documented_columns(client, osaka):
    response = client.get(CSV_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert 'rel="license"' in response["Link"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [name for name, _ in RESULT_COLUMNS]
    assert len(rows) == 1 + 24
    records = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert sum(r["result"] == "achieved" for r in records) == 19
    excluded = [r for r in records if r["result"] == "excluded"]
    assert [r["title"] for r in excluded] == ["環境負荷の低減に係る取組の推進"]
    assert excluded[0]["evaluated"] == "false"
    assert {r["pillar_name"] for r in records} == {OSAKA_PILLARS[i - 1] for i in (2, 3, 6)}


def test_it_serves_json_with_the_licence_and_the_summary(client, osaka):
    data = client.get(JSON_URL).json()
    assert data["licence"]["name"] == "CC BY 4.0"
    assert data["summary"] == OSAKA_FY2024
    assert [c["name"] for c in data["columns"]] == [n for n, _ in RESULT_COLUMNS]
    assert len(data["results"]) == 24
    assert [p["name"] for p in data["pillars"]] == OSAKA_PILLARS
    assert data["pillars"][0]["summary"] is None  # tracked through the DX strategy


def test_the_files_keep_their_published_content_after_live_edits(client, osaka):
    before = client.get(CSV_URL).content
    services.open_round_as_system(
        plan=osaka, fiscal_year=2025, as_of=date(2026, 3, 31), actor_name="t"
    )
    published = osaka.rounds.get(fiscal_year=2024)
    published.state = "open"  # reopened, as for a correction
    published.save(update_fields=["state"])
    entry = published.entries.filter(result="achieved").first()
    services.update_entry_as_system(
        entry_id=entry.pk,
        expected_version=entry.version,
        values={"result": "not_achieved"},
        actor_name="t",
    )
    assert client.get(CSV_URL).content == before


def test_unknown_plans_and_unpublished_years_are_404(client, osaka, kitakyushu):
    assert client.get("/open-data/nope/2024/results.csv").status_code == 404
    assert client.get("/open-data/osaka-shin-shisei-kaikaku/2025/results.json").status_code == 404
    assert client.get("/open-data/kitakyushu-shisei-henkaku/2024/results.csv").status_code == 404


def test_the_open_data_page_documents_the_columns_and_links_the_files(client, osaka):
    page = client.get("/open-data/").content.decode()
    for name, _ in RESULT_COLUMNS:
        assert f"<code>{name}</code>" in page
    assert CSV_URL in page and JSON_URL in page
    assert "CC BY 4.0" in page


def test_the_plan_page_links_the_files(client, osaka):
    page = client.get("/plans/osaka-shin-shisei-kaikaku/").content.decode()
    assert CSV_URL in page and JSON_URL in page
