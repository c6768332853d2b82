"""The admin's change lists filter by fiscal year as every page names one: 令和6年度 in Japanese,
FY2024 in English, never the bare 2024 the admin would show; a year typed into the address that
no site handles lists nothing instead of failing."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from evaluations.models import PillarNarrative, Round
from initiatives.models import AnalysisCluster, Plan, PlanNote
from reformtracker.calendar_ja import fy_label_en, fy_label_ja
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
