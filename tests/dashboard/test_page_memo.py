"""Pages kept per process by a digest of the rows they show (reformtracker/page_memo.py).

With the page cache off, a public page still reads its rows on every request; only the markup
made from them is kept. These tests check that a kept page is the page a fresh render gives,
that an edit of any row it shows appears at once, that a signed-in visitor's page is never
kept, and what a kept page still costs.
"""

import gzip
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluations.models import PillarNarrative, PublishedResult
from initiatives.models import Initiative, Pillar, Plan, PlanNote
from reformtracker import memos, page_memo, public_pages
from tests.constants import KITAKYUSHU, OSAKA
from tests.personas import make_user
from xmeetings.models import Meeting, MeetingMaterial, MeetingTopic, ScheduleActivity

PAGES = [
    "/",
    "/en/",
    f"/plans/{OSAKA}/",
    f"/en/plans/{OSAKA}/",
    f"/plans/{KITAKYUSHU}/",
    f"/en/plans/{KITAKYUSHU}/",
    f"/plans/{OSAKA}/initiatives/2-1/",
    f"/en/plans/{OSAKA}/initiatives/2-1/",
    f"/plans/{KITAKYUSHU}/initiatives/K-A-1/",
    f"/plans/{OSAKA}/pillars/2/",
    f"/en/plans/{OSAKA}/pillars/2/",
    f"/plans/{KITAKYUSHU}/pillars/1/",  # no published 時点: its initiatives and narratives
    f"/en/plans/{KITAKYUSHU}/pillars/1/",
    "/initiatives/",
    "/en/initiatives/?page=2",
    f"/initiatives/?plan={OSAKA}&result=achieved&q=委託",
    "/initiatives/?pillar=abc",  # a bad request, kept as one
    "/meetings/",
    f"/meetings/?plan={KITAKYUSHU}",
    f"/en/meetings/{KITAKYUSHU}/schedule/",
    "/open-data/meetings.json",
    f"/open-data/schedules/{KITAKYUSHU}.json",
    "/card.png",
    f"/plans/{OSAKA}/card.png",
    f"/plans/{OSAKA}/badge.svg",
    "/open-data/",
    "/open-data/home.json",
    f"/open-data/plans/{OSAKA}.json",
    f"/open-data/plans/{OSAKA}/initiatives/2-1.json",
    f"/open-data/plans/{OSAKA}/pillars/2.json",
    f"/en/open-data/plans/{OSAKA}/pillars/2.json",
    f"/open-data/plans/{KITAKYUSHU}/pillars/1.json",
    "/open-data/initiatives.json?q=委託",
    f"/open-data/{OSAKA}/2024/results.csv",
    f"/en/open-data/{OSAKA}/2024/results.json",
]


@pytest.fixture
def memo(settings):
    settings.PUBLIC_DATA_MEMO = True
    settings.PUBLIC_PAGE_FINGERPRINT_SECONDS = 0  # tests publish and look at once
    memos.clear()
    yield
    memos.clear()


def _pages(client) -> dict[str, tuple]:
    pages = {}
    for url in PAGES:
        for headers in ({}, {"HX-Request": "true"}) if url.startswith("/initiatives/") else ({},):
            response = client.get(url, headers=headers)
            assert response.status_code == (400 if "abc" in url else 200), url
            pages[url, bool(headers)] = (
                response.status_code,
                response.content,
                *(
                    response.get(name)
                    for name in (
                        "Content-Type",
                        "ETag",
                        "Link",
                        "Access-Control-Allow-Origin",
                        "Cross-Origin-Resource-Policy",
                        "Content-Disposition",
                    )
                ),
            )
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
def test_an_edit_of_any_row_the_home_page_shows_appears_at_once(client, seeded, memo):
    client.get("/")
    plan = Plan.objects.get(slug=KITAKYUSHU)
    plan.title = "改名した計画"
    plan.save()
    assert "改名した計画" in client.get("/").content.decode()
    # Kitakyushu has no published 時点: its board shows its live pillars.
    pillar = Pillar.objects.filter(plan=plan).order_by("order").first()
    pillar.name = "改名した取組方針"
    pillar.save()
    assert "改名した取組方針" in client.get("/").content.decode()


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
def test_each_page_of_a_kept_pillar_page_is_byte_for_byte_the_fresh_one(
    client, seeded, settings, memo
):
    settings.PUBLIC_PILLAR_ITEMS_PER_PAGE = 1
    urls = [
        f"{prefix}{path}?page={n}"
        for prefix in ("", "/en")
        for path in (f"/plans/{OSAKA}/pillars/2/", f"/open-data/plans/{OSAKA}/pillars/2.json")
        for n in (1, 2, "last")
    ]
    first = [client.get(url).content for url in urls]
    kept = [client.get(url).content for url in urls]
    settings.PUBLIC_DATA_MEMO = False
    memos.clear()
    fresh = [client.get(url).content for url in urls]
    assert kept == fresh
    assert first == fresh
    assert fresh[0] != fresh[1]  # one item a page: the pages differ


@pytest.mark.django_db
def test_an_edit_of_any_row_the_pillar_page_shows_appears_at_once(client, seeded, memo):
    published_page, english_page = f"/plans/{OSAKA}/pillars/2/", f"/en/plans/{OSAKA}/pillars/2/"
    waiting_page = f"/plans/{KITAKYUSHU}/pillars/1/"
    for url in (published_page, english_page, waiting_page):
        client.get(url)
    pillar = Pillar.objects.get(plan__slug=OSAKA, order=2)
    pillar.description = "書き換えた柱の説明"
    pillar.save()
    assert "書き換えた柱の説明" in client.get(published_page).content.decode()
    pillar.plan.municipality.name = "改名した市"
    pillar.plan.municipality.save()
    assert "改名した市" in client.get(published_page).content.decode()
    # A published result's department shows its live English name.
    department = PublishedResult.objects.filter(pillar=pillar).first().department
    department.name_en = "Renamed Bureau"
    department.save()
    assert "Renamed Bureau" in client.get(english_page).content.decode()
    # Before a publication the page lists the live initiatives and narratives.
    item = Initiative.objects.filter(pillar__plan__slug=KITAKYUSHU, pillar__order=1).first()
    item.title = "書き換えた取組"
    item.save()
    assert "書き換えた取組" in client.get(waiting_page).content.decode()
    narrative = PillarNarrative.objects.create(
        pillar=item.pillar,
        fiscal_year=2031,
        kind=PillarNarrative.objects.first().kind,
        done="書いた取組状況",
    )
    assert "書いた取組状況" in client.get(waiting_page).content.decode()
    narrative.delete()
    assert "書いた取組状況" not in client.get(waiting_page).content.decode()


@pytest.mark.django_db
def test_a_kept_pillar_page_reads_its_rows_but_not_its_summary(client, seeded, memo):
    for url in (f"/plans/{OSAKA}/pillars/2/", f"/open-data/plans/{OSAKA}/pillars/2.json"):
        with CaptureQueriesContext(connection) as rendered:
            client.get(url)
        with CaptureQueriesContext(connection) as kept:
            assert client.get(url).status_code == 200
        # the fingerprint, the pillar (with its plan, city and managing department) and its
        # page of results; its publications, as frozen, and its results' order and count are
        # kept by the fingerprint
        assert len(kept.captured_queries) == 3
        assert len(kept.captured_queries) < len(rendered.captured_queries) <= 10


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
    # the fingerprint, the plan with its city and whether it has meetings, its pillars, its notes
    assert len(sqls) == 4
    assert any('exists (select 1 from "xmeetings_meeting"' in sql for sql in sqls)
    assert not any("publishedresult" in sql for sql in sqls)


@pytest.mark.django_db
def test_the_browser_shows_an_edited_title_and_a_new_department_at_once(client, seeded, memo):
    url = f"/initiatives/?plan={KITAKYUSHU}"
    client.get(url)
    item = Initiative.objects.get(plan__slug=KITAKYUSHU, code="K-A-1")
    item.title = "書き換えた取組項目名"
    item.save()
    assert "書き換えた取組項目名" in client.get(url).content.decode()
    item.department.name = "改名した所管"
    item.department.save()
    assert "改名した所管" in client.get(url).content.decode()


@pytest.mark.django_db
def test_held_or_upcoming_follows_the_day_on_a_kept_meetings_page(
    client, seeded, memo, time_machine
):
    meeting = Meeting.objects.filter(plan__slug=KITAKYUSHU, date_day__isnull=False).first()
    time_machine.move_to(meeting.earliest, tick=False)
    assert "開催済" not in _row_of(client.get("/meetings/?when=all").content.decode(), meeting)
    time_machine.move_to(meeting.latest + timedelta(days=1), tick=False)
    assert "開催済" in _row_of(client.get("/meetings/?when=all").content.decode(), meeting)


def _row_of(page: str, meeting) -> str:
    start = page.index(f"第{meeting.number}回</th>")
    return page[start : page.index("</tr>", start)]


@pytest.mark.django_db
def test_an_edit_of_a_topic_material_or_activity_appears_at_once(client, seeded, memo):
    client.get("/meetings/?when=all")
    client.get(f"/meetings/{KITAKYUSHU}/schedule/")
    topic = MeetingTopic.objects.filter(plan__slug=KITAKYUSHU).first()
    topic.name = "書き換えた議題"
    topic.save()
    assert "書き換えた議題" in client.get("/meetings/?when=all").content.decode()
    assert "書き換えた議題" in client.get("/open-data/meetings.json").content.decode()
    MeetingMaterial.objects.create(
        meeting=Meeting.objects.filter(plan__slug=KITAKYUSHU).first(),
        title="追加した資料",
        url="https://example.jp/material.pdf",
    )
    assert "追加した資料" in client.get("/meetings/?when=all").content.decode()
    activity = ScheduleActivity.objects.filter(lane__schedule__plan__slug=KITAKYUSHU).first()
    activity.label = "書き換えた取組"
    activity.save()
    assert "書き換えた取組" in client.get(f"/meetings/{KITAKYUSHU}/schedule/").content.decode()
    json = client.get(f"/open-data/schedules/{KITAKYUSHU}.json").content.decode()
    assert "書き換えた取組" in json


@pytest.mark.django_db
def test_the_memo_keeps_no_more_bytes_than_its_bound(client, seeded, memo, monkeypatch):
    monkeypatch.setattr(page_memo._pages, "max_bytes", 120_000)
    for url in PAGES:
        client.get(url)
    for url in PAGES:  # gzip copies weigh too: made by a repeat that takes one
        client.get(url)
        client.get(url, headers={"Accept-Encoding": "gzip"})
    kept = sum(len(page[0]) + len(page[4] or b"") for page in page_memo._pages.values())
    assert 0 < kept <= 120_000
    assert kept == page_memo._pages.weight
    assert any(page[4] for page in page_memo._pages.values())


GZIP = {"Accept-Encoding": "gzip, deflate, br"}
RESULTS = f"/open-data/{OSAKA}/2024/results.json"


@pytest.mark.django_db
def test_a_kept_page_goes_out_gzipped_to_a_client_that_takes_it(client, seeded, memo):
    fresh = client.get(RESULTS)
    assert "Content-Encoding" not in fresh and "Accept-Encoding" in fresh["Vary"]
    for _ in range(2):
        zipped = client.get(RESULTS, headers=GZIP)
        assert zipped["Content-Encoding"] == "gzip"
        assert gzip.decompress(zipped.content) == fresh.content
        assert int(zipped["Content-Length"]) == len(zipped.content)
        assert zipped["ETag"] == fresh["ETag"][:-1] + '-gzip"'
    held = client.get(RESULTS, headers={**GZIP, "If-None-Match": zipped["ETag"]})
    assert (held.status_code, held["ETag"]) == (304, zipped["ETag"])
    assert client.get(RESULTS, headers={"If-None-Match": zipped["ETag"]}).status_code == 304
    assert client.get(RESULTS)["ETag"] == fresh["ETag"]


@pytest.mark.django_db
def test_a_kept_pages_copy_is_made_once_and_only_when_asked_for(client, seeded, memo, monkeypatch):
    made = []
    compress = page_memo.gzip_content
    monkeypatch.setattr(page_memo, "gzip_content", lambda c: made.append(1) or compress(c))
    client.get(RESULTS)
    client.get(RESULTS)
    client.get("/initiatives/?q=first-seen", headers=GZIP)  # made and sent once: not compressed
    assert made == []
    for _ in range(3):
        client.get(RESULTS, headers=GZIP)
    assert made == [1]


@pytest.mark.django_db
def test_a_kept_page_brings_its_etag_and_is_not_hashed_again(client, seeded, memo, monkeypatch):
    hashed = []
    etag = public_pages.content_etag
    monkeypatch.setattr(public_pages, "content_etag", lambda c: hashed.append(1) or etag(c))
    first = client.get(RESULTS)
    again = client.get(RESULTS)
    assert hashed == [] and again["ETag"] == first["ETag"] == etag(first.content)


@pytest.mark.django_db
def test_the_pillar_page_reads_its_results_without_their_search_text(
    client, seeded, settings, memo
):
    """The folded search text is the browser's: the pillar page neither shows its results'
    nor reads it, and rendering them never asks for it (a deferred column read back would be a
    query per row). Its rows, a hundred to a page, are read and digested on every uncached
    request."""
    settings.PUBLIC_PILLAR_ITEMS_PER_PAGE = 3
    for url in (f"/plans/{OSAKA}/pillars/2/", f"/open-data/plans/{OSAKA}/pillars/2.json"):
        memos.clear()
        with CaptureQueriesContext(connection) as rendered:
            assert client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as kept:
            assert client.get(url).status_code == 200
        for ctx in (rendered, kept):
            read = [
                q["sql"] for q in ctx.captured_queries if "evaluations_publishedresult" in q["sql"]
            ]
            page = [sql for sql in read if 'WHERE t0."id" IN (' in sql]  # the page's rows
            assert len(page) == 1 and "search_text" not in page[0], read
        assert len(kept.captured_queries) == 3
        assert len(rendered.captured_queries) <= 10


def test_rows_as_read_digest_alike_when_equal_and_apart_when_any_value_differs():
    rows = [(1, "委託", Decimal("1.5"), date(2025, 3, 31)), (2, 'a "quoted" \\ text', None, None)]
    assert page_memo.rows_digest(rows) == page_memo.rows_digest([tuple(row) for row in rows])
    for changed in (
        [rows[0], (2, 'a "quoted" \\ text.', None, None)],
        [rows[0], (2, 'a "quoted" \\ text', Decimal("0"), None)],
        [(1, "委託", Decimal("1.50"), date(2025, 3, 31)), rows[1]],  # written as read
        rows[:1],
    ):
        assert page_memo.rows_digest(changed) != page_memo.rows_digest(rows)
    assert page_memo.rows_digest("plans", rows) != page_memo.rows_digest("pillars", rows)
