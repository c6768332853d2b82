"""Achievement by department (所管別): plan × department × 時点, from the published snapshots."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluations import published
from evaluations.models import Publication, PublishedResult
from evaluations.rates import EMPTY
from initiatives.models import Department, Plan
from tests.constants import KITAKYUSHU, OSAKA
from tests.factories import grow_and_publish

PAGE = f"/plans/{OSAKA}/departments/"
JSON = f"/open-data/plans/{OSAKA}/departments.json"


def text_of(response) -> str:
    return response.content.decode()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_departments_add_up_to_the_plans_published_headline(client, seeded):
    document = client.get(JSON).json()
    publication = published.latest_by_plan()[Plan.objects.get(slug=OSAKA).pk]
    headline = published.summary_of(publication)
    assert [p["id"] for p in document["publications"]] == [publication.pk]
    achieved = sum(d["results"][0]["summary"]["achieved"] for d in document["departments"])
    evaluated = sum(d["results"][0]["summary"]["evaluated"] for d in document["departments"])
    assert (achieved, evaluated) == (headline.achieved, headline.evaluated) == (19, 23)
    assert document["totals"][0]["summary"]["rate_display"] == headline.rate_display("ja")
    # One row per department that owned a published item, none twice.
    owners = set(
        PublishedResult.objects.filter(publication=publication).values_list(
            "department__code", flat=True
        )
    )
    assert sorted(d["code"] for d in document["departments"]) == sorted(owners)


def test_each_figure_links_to_the_browser_showing_exactly_the_items_it_counts(client, seeded):
    document = client.get(JSON).json()
    for department in document["departments"]:
        result = department["results"][0]
        link = result["initiatives_url"].removeprefix("http://testserver")
        assert link.startswith("/initiatives/?") and "department=" in link and "fy=2024" in link
        listed = client.get(link.replace("/initiatives/", "/open-data/initiatives.json", 1))
        assert listed.status_code == 200
        assert listed.json()["count"] == result["summary"]["checked"], department["code"]
    page = client.get(PAGE).content.decode()
    first = document["departments"][0]["results"][0]["initiatives_url"]
    assert f'href="{first.removeprefix("http://testserver").replace("&", "&amp;")}"' in page


def test_the_page_shows_the_published_names_and_the_english_ones_where_the_city_gave_them(
    client, seeded
):
    publication = published.latest_by_plan()[Plan.objects.get(slug=OSAKA).pk]
    row = PublishedResult.objects.filter(publication=publication).first()
    department = Department.objects.get(pk=row.department_id)
    department.name_en = "Bureau of Testing"
    department.name = "改称後の局"  # a live rename: the page keeps the published name
    department.save()
    japanese = text_of(client.get(PAGE))
    assert row.department_name in japanese and "改称後の局" not in japanese
    assert "令和6年度末時点" in japanese
    english = text_of(client.get(f"/en{PAGE}"))
    assert "Bureau of Testing" in english


def test_a_plan_without_item_results_says_so(client, seeded):
    response = client.get(f"/plans/{KITAKYUSHU}/departments/")
    assert response.status_code == 200
    assert "まだ公表されていません" in text_of(response)
    assert client.get(f"/open-data/plans/{KITAKYUSHU}/departments.json").json()["departments"] == []


def test_an_unknown_plan_is_404(client, seeded):
    assert client.get("/plans/no-such-plan/departments/").status_code == 404
    assert client.get("/open-data/plans/no-such-plan/departments.json").status_code == 404


def test_the_queries_do_not_grow_with_a_few_hundred_initiatives_and_another_year(client, seeded):
    before = {url: _queries(client, url) for url in (PAGE, JSON)}
    grow_and_publish(OSAKA, total=400, fiscal_year=2025)
    after = {url: _queries(client, url) for url in (PAGE, JSON)}
    assert after == before
    assert max(after.values()) <= 6
    document = client.get(JSON).json()
    # Two 時点 now, newest first; the grown year's totals count every grown item.
    assert [p["fiscal_year"] for p in document["publications"]] == [2025, 2024]
    newest = Publication.objects.get(round__plan__slug=OSAKA, round__fiscal_year=2025)
    assert document["totals"][0]["summary"]["checked"] == (
        PublishedResult.objects.filter(publication=newest).count()
    )
    assert document["totals"][0]["summary"]["checked"] >= 300


def test_the_page_is_cached_by_publication(client, seeded, page_cache):
    first = client.get(PAGE)
    assert first["X-Public-Cache"] == "miss"
    assert client.get(PAGE)["X-Public-Cache"] == "hit"
    grow_and_publish(OSAKA, total=300, fiscal_year=2025)
    published.announce_publications()
    after = client.get(PAGE)
    assert after["X-Public-Cache"] == "miss"
    assert after.content != first.content


def test_the_totals_are_the_sum_of_the_department_cells(client, seeded):
    grow_and_publish(OSAKA, total=300, fiscal_year=2025)
    document = client.get(JSON).json()
    for n, publication in enumerate(document["publications"]):
        total = sum(
            (
                r["summary"]["achieved"]
                for d in document["departments"]
                for r in d["results"]
                if r["publication_id"] == publication["id"]
            ),
            EMPTY.achieved,
        )
        assert document["totals"][n]["summary"]["achieved"] == total
        headline = published.summary_of(Publication.objects.get(pk=publication["id"]))
        assert document["totals"][n]["summary"]["achieved"] == headline.achieved
