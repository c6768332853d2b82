"""Pages kept per process by a digest of the rows they show (evaluations/page_memo.py).

With the page cache off, a public page still reads its rows on every request; only the markup
made from them is kept. These tests check that a kept page is the page a fresh render gives,
that an edit of any row it shows appears at once, that a signed-in visitor's page is never
kept, and what a kept page still costs.
"""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from initiatives.models import Initiative, Pillar, Plan, PlanNote
from reformtracker import memos
from tests.constants import KITAKYUSHU, OSAKA
from tests.personas import make_user
from xmeetings.models import Meeting

PAGES = [
    f"/plans/{OSAKA}/",
    f"/en/plans/{OSAKA}/",
    f"/plans/{KITAKYUSHU}/",
    f"/en/plans/{KITAKYUSHU}/",
    f"/plans/{OSAKA}/initiatives/2-1/",
    f"/en/plans/{OSAKA}/initiatives/2-1/",
    f"/plans/{KITAKYUSHU}/initiatives/K-A-1/",
]


@pytest.fixture
def memo(settings):
    settings.PUBLIC_DATA_MEMO = True
    settings.PUBLIC_PAGE_FINGERPRINT_SECONDS = 0  # tests publish and look at once
    memos.clear()
    yield
    memos.clear()


def _pages(client) -> dict[str, bytes]:
    pages = {}
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.content
    return pages


@pytest.mark.django_db
def test_kept_pages_are_byte_for_byte_the_freshly_rendered_ones(client, seeded, settings, memo):
    first = _pages(client)  # rendered and kept
    kept = _pages(client)  # served from the memo
    settings.PUBLIC_DATA_MEMO = False
    memos.clear()
    fresh = _pages(client)
    assert kept == fresh
    assert first == fresh


@pytest.mark.django_db
def test_an_edit_of_any_row_the_plan_page_shows_appears_at_once(client, seeded, memo):
    url = f"/plans/{KITAKYUSHU}/"
    client.get(url)
    plan = Plan.objects.get(slug=KITAKYUSHU)
    plan.title = "改名した計画"
    plan.save()
    assert "改名した計画" in client.get(url).content.decode()
    plan.municipality.name = "改名した市"
    plan.municipality.save()
    assert "改名した市" in client.get(url).content.decode()
    pillar = Pillar.objects.filter(plan=plan).order_by("order").first()
    pillar.description = "書き換えた柱の説明"
    pillar.save()
    assert "書き換えた柱の説明" in client.get(url).content.decode()
    note = PlanNote.objects.filter(plan=plan).first()
    note.body = "書き換えた振り返り"
    note.save()
    assert "書き換えた振り返り" in client.get(url).content.decode()


@pytest.mark.django_db
def test_the_plan_page_links_to_its_meetings_once_it_has_one(client, seeded, memo):
    url = f"/plans/{OSAKA}/"
    assert "X会議の開催予定と議題" not in client.get(url).content.decode()
    Meeting.objects.create(
        plan=Plan.objects.get(slug=OSAKA),
        fiscal_year=2025,
        number=1,
        date_year=2025,
        date_month=7,
        date_day=1,
        earliest=date(2025, 7, 1),
        latest=date(2025, 7, 1),
    )
    assert "X会議の開催予定と議題" in client.get(url).content.decode()


@pytest.mark.django_db
def test_an_edit_of_the_initiative_page_rows_appears_at_once(client, seeded, memo):
    url = f"/plans/{OSAKA}/initiatives/2-1/"
    client.get(url)
    item = Initiative.objects.get(plan__slug=OSAKA, code="2-1")
    item.description = "書き換えた取組内容"
    item.save()
    assert "書き換えた取組内容" in client.get(url).content.decode()
    item.department.name = "改名した局"
    item.department.save()
    assert "改名した局" in client.get(url).content.decode()
    item.pillar.name = "改名した取組方針"
    item.pillar.save()
    assert "改名した取組方針" in client.get(url).content.decode()


@pytest.mark.django_db
def test_a_signed_in_visitors_page_is_never_kept(client, seeded, memo):
    url = f"/plans/{OSAKA}/"
    client.force_login(make_user("kaikaku-staff"))
    assert "ログアウト" in client.get(url).content.decode()
    client.logout()
    assert "ログアウト" not in client.get(url).content.decode()


@pytest.mark.django_db
def test_a_kept_plan_page_reads_only_its_live_rows_with_no_query_built_by_the_orm(
    client, seeded, memo
):
    url = f"/plans/{OSAKA}/"
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    sqls = [q["sql"].lower() for q in ctx.captured_queries]
    # the fingerprint, the plan with its city, its pillars, its notes, whether it has meetings
    assert len(sqls) == 5
    assert not any("publishedresult" in sql for sql in sqls)
