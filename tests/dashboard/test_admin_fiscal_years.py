"""The admin's change lists filter by fiscal year, and show their fiscal-year columns, as every
page names one: 令和6年度 in Japanese, FY2024 in English, never the bare 2024 the admin would
show; the columns still sort by the year; a year typed into the address that no site handles
lists nothing instead of failing."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from evaluations.models import PillarNarrative, Round
from initiatives.models import AnalysisCluster, Plan, PlanNote
from reformtracker.calendar_ja import fy_label_en, fy_label_ja
from tests.constants import KITAKYUSHU, OSAKA
from tests.factories import open_year_end_round
from tests.personas import in_english
from xmeetings.models import Meeting, MeetingTopic, Schedule

# Every change list with a fiscal-year filter, and the model it lists.
LISTS = {
    "/admin/evaluations/round/": Round,
    "/admin/evaluations/pillarnarrative/": PillarNarrative,
    "/admin/initiatives/analysiscluster/": AnalysisCluster,
    "/admin/initiatives/plannote/": PlanNote,
    "/admin/xmeetings/meeting/": Meeting,
    "/admin/xmeetings/meetingtopic/": MeetingTopic,
    "/admin/xmeetings/schedule/": Schedule,
}


# Every change list with a fiscal-year column (list_display), and the model it lists.
COLUMNS = {path: model for path, model in LISTS.items() if model is not Meeting}


@pytest.fixture
def operator(site):
    """The superuser on the seed, with an analysis cluster of two years (the seed publishes
    none): every list then has rows to filter."""
    plan = Plan.objects.get(slug="kitakyushu-shisei-henkaku")
    for year, code in ((2024, "R6-1"), (2025, "R7-1")):
        AnalysisCluster.objects.create(plan=plan, fiscal_year=year, code=code, name="保育所")
    client = Client()
    client.force_login(get_user_model().objects.get(username="admin"))
    return client


def _year_choices(page: str, title: str) -> dict[str, str]:
    """The fiscal-year filter's links on a change list: label → query string ("All" left out)."""
    block = re.search(rf'<details data-filter-title="{title}".*?</details>', page, re.S)
    assert block, f"no {title} filter on the page"
    links = re.findall(r'<a href="([^"]*)">\s*([^<]*?)\s*</a>', block[0])
    return {label: href for href, label in links if "fiscal_year" in href}


def _years(model) -> list[int]:
    return sorted(set(model.objects.values_list("fiscal_year", flat=True)))


@pytest.mark.parametrize("path", LISTS)
def test_each_fiscal_year_filter_names_its_years_in_wareki_in_japanese(operator, path):
    page = operator.get(path)
    assert page.status_code == 200
    years = _years(LISTS[path])
    assert years, "the seed has rows of this kind"
    choices = _year_choices(page.content.decode(), "年度")
    assert choices == {fy_label_ja(year): f"?fiscal_year={year}" for year in years}


@pytest.mark.parametrize("path", LISTS)
def test_each_fiscal_year_filter_names_its_years_as_fy_in_english(operator, path):
    page = in_english(operator).get(path).content.decode()
    choices = _year_choices(page, "Fiscal year")
    assert choices == {fy_label_en(year): f"?fiscal_year={year}" for year in _years(LISTS[path])}


def test_choosing_a_year_lists_only_that_years_rows(operator):
    path = "/admin/initiatives/analysiscluster/"
    page = operator.get(path, {"fiscal_year": 2024}).content.decode()
    assert re.search(r'<li class="selected">\s*<a href="\?fiscal_year=2024">', page)
    listed = set(re.findall(rf"{path}(\d+)/change/", page))
    assert listed == {
        str(pk)
        for pk in AnalysisCluster.objects.filter(fiscal_year=2024).values_list("pk", flat=True)
    }
    assert AnalysisCluster.objects.exclude(fiscal_year=2024).exists()


@pytest.mark.parametrize("typed", ["1e20", "99999999999999999999", "R6", "1900"])
def test_a_year_no_site_handles_lists_nothing_rather_than_failing(operator, typed):
    page = operator.get("/admin/evaluations/round/", {"fiscal_year": typed})
    assert page.status_code == 200
    assert not re.findall(r"/admin/evaluations/round/(\d+)/change/", page.content.decode())


@pytest.fixture
def two_years(operator):
    """Rows of 令和6年度 and 令和7年度 in every list with a fiscal-year column (the seed has one
    year only of rounds, topics and schedules)."""
    osaka = Plan.objects.get(slug=OSAKA)
    kitakyushu = Plan.objects.get(slug=KITAKYUSHU)
    open_year_end_round(osaka, 2025)
    MeetingTopic.objects.create(plan=kitakyushu, fiscal_year=2025, name="公園")
    Schedule.objects.create(plan=kitakyushu, fiscal_year=2024)
    for model in COLUMNS.values():
        assert set(model.objects.values_list("fiscal_year", flat=True)) >= {2024, 2025}
    return operator


def _column(page: str, path: str, field: str = "fiscal_year") -> list[tuple[int, str]]:
    """The change list's rows in order: each row's id and what its fiscal-year column shows."""
    body = page.split('id="result_list"')[1].split("<tbody>")[1].split("</tbody>")[0]
    rows = re.findall(r"<tr\b.*?</tr>", body, re.S)
    return [
        (
            int(re.search(rf"{path}(\d+)/change/", row)[1]),
            re.search(rf'<td class="field-nendo_{field}[^"]*">([^<]*)</td>', row)[1],
        )
        for row in rows
    ]


@pytest.mark.parametrize("path", COLUMNS)
def test_each_fiscal_year_column_names_its_years_in_wareki_in_japanese(two_years, path):
    shown = _column(two_years.get(path).content.decode(), path)
    years = dict(COLUMNS[path].objects.values_list("pk", "fiscal_year"))
    assert sorted(pk for pk, _label in shown) == sorted(years)
    assert all(label == fy_label_ja(years[pk]) for pk, label in shown)
    assert {"令和6年度", "令和7年度"} <= {label for _pk, label in shown}


@pytest.mark.parametrize("path", COLUMNS)
def test_each_fiscal_year_column_names_its_years_as_fy_in_english(two_years, path):
    shown = _column(in_english(two_years).get(path).content.decode(), path)
    years = dict(COLUMNS[path].objects.values_list("pk", "fiscal_year"))
    assert sorted(pk for pk, _label in shown) == sorted(years)
    assert all(label == fy_label_en(years[pk]) for pk, label in shown)
    assert {"FY2024", "FY2025"} <= {label for _pk, label in shown}


def _sort_index(page: str, column: str) -> int:
    """The column's place in the change list (the admin's ``o`` parameter counts it so)."""
    headers = re.findall(r'<th scope="col" class="([^"]*)"', page)
    [index] = [i for i, classes in enumerate(headers) if f"column-{column}" in classes.split()]
    assert "sortable" in headers[index].split()
    return index


@pytest.mark.parametrize("path", COLUMNS)
def test_sorting_by_the_fiscal_year_column_sorts_by_the_year(two_years, path):
    index = _sort_index(two_years.get(path).content.decode(), "nendo_fiscal_year")
    years = dict(COLUMNS[path].objects.values_list("pk", "fiscal_year"))
    for order, descending in ((f"{index}", False), (f"-{index}", True)):
        shown = _column(two_years.get(path, {"o": order}).content.decode(), path)
        listed = [years[pk] for pk, _label in shown]
        assert listed == sorted(years.values(), reverse=descending)


def test_the_plans_period_columns_name_their_years_in_both_languages(operator):
    path = "/admin/initiatives/plan/"
    plans = {p.pk: p for p in Plan.objects.all()}
    japanese = operator.get(path).content.decode()
    english = in_english(operator).get(path).content.decode()
    for field in ("start_fiscal_year", "end_fiscal_year"):
        for page, label in ((japanese, fy_label_ja), (english, fy_label_en)):
            shown = _column(page, path, field)
            assert sorted(pk for pk, _label in shown) == sorted(plans)
            for pk, text in shown:
                year = getattr(plans[pk], field)
                assert text == (label(year) if year is not None else "-")
    osaka = Plan.objects.get(slug=OSAKA).pk
    assert (osaka, "令和6年度") in _column(japanese, path, "start_fiscal_year")
    assert (osaka, "FY2027") in _column(english, path, "end_fiscal_year")
    index = _sort_index(japanese, "nendo_start_fiscal_year")
    shown = _column(
        operator.get(path, {"o": f"-{index}"}).content.decode(), path, "start_fiscal_year"
    )
    listed = [plans[pk].start_fiscal_year for pk, _label in shown]
    assert listed == sorted(listed, reverse=True)
