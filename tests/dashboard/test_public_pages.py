"""The first public view: both plans, the Osaka release's figures exactly, constant queries."""

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluations.choices import Result, RoundKind
from evaluations.models import Publication, PublishedPillar, PublishedResult, Round
from initiatives.models import Department, Initiative, Pillar, Plan
from tests.constants import KITAKYUSHU, OSAKA, OSAKA_FY2024
from tests.factories import unsaved_initiatives
from xmeetings.models import Meeting


def text_of(response) -> str:
    return response.content.decode()


def test_home_shows_osakas_headline_rate_beside_kitakyushu(client, seeded):
    page = text_of(client.get("/"))
    assert "約82.6%" in page
    assert "達成19項目 / 評価対象23項目" in page
    assert "新・市政改革プラン" in page
    assert "市政変革" in page


def test_plan_page_reproduces_the_releases_results_table(client, seeded):
    page = text_of(client.get(f"/plans/{OSAKA}/"))
    for row in [
        '1 進捗状況を確認した取組項目数</th><td class="num">24項目',
        '2 令和6年度末現在で評価対象とした取組項目数</th><td class="num">23項目(注)',
        '3 評価結果が「達成」であった取組項目数</th><td class="num">19項目',
        '4 評価結果が「未達成」であった取組項目数</th><td class="num">4項目',
        '5 達成率(19項目/23項目)</th><td class="num">約82.6パーセント',
    ]:
        assert row in page
    assert (
        "(注)取組項目「環境負荷の低減に係る取組の推進」については、令和9年度末時点で評価を実施のため"
        in page
    )
    assert "令和7年9月16日" in page


def test_every_pillar_rate_equals_a_hand_count_of_the_seed(client, seeded):
    seed = json.loads((Path(settings.BASE_DIR) / "fixtures" / "osaka.json").read_text())
    page = text_of(client.get(f"/plans/{OSAKA}/"))
    for order in (2, 3, 6):
        counts = Counter(i["result"] for i in seed["initiatives"] if i["pillar"] == order)
        achieved, evaluated = counts["achieved"], counts["achieved"] + counts["not_achieved"]
        percent = f"{round(achieved * 1000 / evaluated) / 10:.1f}"  # these counts never tie
        pillar_page = text_of(client.get(f"/plans/{OSAKA}/pillars/{order}/"))
        assert f'data-testid="pillar-rate-{order}">約{percent}%' in page
        assert f"達成{achieved}項目 / 評価対象{evaluated}項目" in pillar_page
    # Pillars the office does not track show no rate rather than 0%.
    assert 'data-testid="pillar-rate-1"' not in page


def test_pillar_initiative_and_kitakyushu_pages_render(client, seeded):
    assert "評価対象外" in text_of(client.get(f"/plans/{OSAKA}/initiatives/6-5/"))
    page = text_of(client.get(f"/plans/{KITAKYUSHU}/"))
    for text in [
        "局区X方針",
        "経営分析・事業分析",
        "プラチナ市役所プロジェクト",
        "事務局の振り返り",
    ]:
        assert text in page
    assert "37クラスター" in text_of(client.get(f"/plans/{KITAKYUSHU}/pillars/2/"))
    assert client.get(f"/plans/{OSAKA}/pillars/9/").status_code == 404
    assert client.get(f"/plans/{OSAKA}/initiatives/no-such/").status_code == 404
    assert client.get("/plans/no-such-plan/").status_code == 404


def test_meetings_page_shows_dates_as_written(client, seeded):
    page = text_of(client.get("/meetings/?when=all"))
    for label in ["5月23日", "7月上旬", "8月下旬", "10月下旬", "11月下旬", "1月下旬"]:
        assert label in page
    for topic in ["保育所", "子育て", "公園", "文化", "スポーツ", "環境施設", "区役所"]:
        assert topic in page


def test_schedule_page_holds_every_activity_of_the_grid(client, seeded):
    page = text_of(client.get(f"/meetings/{KITAKYUSHU}/schedule/"))
    for label in [
        "5月",
        "11月",
        "12月以降",
        "R6分析報告書の公表(5/23)",
        "PTの人選・結成",
        "成果の発表(年度末)",
    ]:
        assert label in page


def test_open_data_plans_json_has_exactly_the_published_figures(client, seeded):
    payload = client.get("/open-data/plans.json").json()
    plans = {p["slug"]: p for p in payload["plans"]}
    osaka = plans[OSAKA]
    assert (osaka["title"], osaka["municipality"]) == ("新・市政改革プラン", "大阪市")
    summary = osaka["summaries"][0]
    assert {
        k: summary[k]
        for k in [
            "fiscal_year",
            "as_of",
            "checked",
            "evaluated",
            "achieved",
            "not_achieved",
            "excluded",
            "rate_percent",
        ]
    } == {"fiscal_year": 2024, "as_of": "2025-03-31", **OSAKA_FY2024}
    assert len(osaka["summaries"]) == 1
    assert plans[KITAKYUSHU]["municipality"] == "北九州市"
    assert plans[KITAKYUSHU]["summaries"] == []


def _grow(plan: Plan, extra: int):
    """Adds ``extra`` initiatives and their published results to the plan's latest 時点."""
    pillar = Pillar.objects.get(plan=plan, order=2)
    department = Department.objects.filter(municipality=plan.municipality).first()
    Initiative.objects.bulk_create(
        unsaved_initiatives(
            plan, pillar, department, extra, code="G", title="生成した取組", order=1000
        )
    )
    publication = Publication.objects.filter(round__plan=plan).latest()
    PublishedResult.objects.bulk_create(
        PublishedResult(
            publication=publication,
            initiative=i,
            pillar=pillar,
            department=department,
            code=i.code,
            order=i.order,
            title=i.title,
            department_name=department.name,
            result=Result.ACHIEVED if n % 3 else Result.NOT_ACHIEVED,
        )
        for n, i in enumerate(Initiative.objects.filter(code__startswith="G-"))
    )
    meetings_plan = Plan.objects.get(slug=KITAKYUSHU)
    for n in range(7, 7 + extra // 100):
        m = Meeting(
            plan=meetings_plan,
            fiscal_year=2025,
            number=n,
            date_year=2025,
            date_month=9,
            date_part="middle",
        )
        m.save()


PAGES = [
    "/",
    f"/plans/{OSAKA}/",
    f"/plans/{OSAKA}/pillars/2/",
    f"/plans/{OSAKA}/initiatives/2-1/",
    f"/plans/{KITAKYUSHU}/",
    f"/plans/{KITAKYUSHU}/pillars/1/",
    "/meetings/",
    f"/meetings/{KITAKYUSHU}/schedule/",
    "/open-data/",
    "/open-data/plans.json",
]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_queries_per_page_do_not_grow_with_1000_initiatives(client, seeded):
    before = {url: _queries(client, url) for url in PAGES}
    _grow(Plan.objects.get(slug=OSAKA), 1000)
    after = {url: _queries(client, url) for url in PAGES}
    assert after == before
    assert max(after.values()) <= 10
    # And the grown data is really on the page the counts were taken from.
    # 6 + 666 achieved, 1 + 334 not achieved.
    assert "達成672項目 / 評価対象1007項目" in text_of(client.get(f"/plans/{OSAKA}/pillars/2/"))


def test_a_later_publication_becomes_the_headline_and_the_old_one_stays_in_open_data(
    client, seeded
):
    plan = Plan.objects.get(slug=OSAKA)
    old = Publication.objects.get(round__plan=plan)
    interim = Round.objects.create(
        plan=plan, fiscal_year=2025, kind=RoundKind.INTERIM, as_of=datetime(2025, 8, 31).date()
    )
    newer = Publication.objects.create(
        round=interim, published_at=datetime(2025, 10, 1, tzinfo=UTC)
    )
    for r in old.results.all()[:2]:
        PublishedResult.objects.create(
            publication=newer,
            initiative=r.initiative,
            pillar=r.pillar,
            department=r.department,
            code=r.code,
            title=r.title,
            department_name=r.department_name,
            result=Result.ACHIEVED,
        )
    PublishedPillar.objects.bulk_create(
        PublishedPillar(publication=newer, pillar=p, order=p.order, name=p.name)
        for p in plan.pillars.all()
    )
    assert "100.0%" in text_of(client.get("/"))
    summaries = {p["slug"]: p for p in client.get("/open-data/plans.json").json()["plans"]}[OSAKA][
        "summaries"
    ]
    assert [s["as_of"] for s in summaries] == ["2025-03-31", "2025-08-31"]
    assert summaries[0]["rate_percent"] == "82.6"
