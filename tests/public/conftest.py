"""Fixtures for the public pages: the seed data, a grown plan, and the page cache switched on."""

from datetime import UTC, date, datetime

import pytest
from django.core.cache import cache
from django.core.management import call_command

from evaluations.choices import Result
from evaluations.models import Publication, PublishedPillar, PublishedResult, Round
from initiatives.models import Initiative, Plan

OSAKA = "osaka-shin-shisei-kaikaku"
KITAKYUSHU = "kitakyushu-shisei-henkaku"


# One of each public page type (Japanese addresses; /en/ + the same for English).
PUBLIC_PAGES = [
    "/",
    f"/plans/{OSAKA}/",
    f"/plans/{OSAKA}/pillars/2/",
    f"/plans/{OSAKA}/initiatives/6-5/",
    f"/plans/{KITAKYUSHU}/",
    f"/plans/{KITAKYUSHU}/pillars/1/",
    "/initiatives/",
    "/meetings/",
    f"/meetings/{KITAKYUSHU}/schedule/",
    "/open-data/",
]


@pytest.fixture
def seeded(db):
    call_command("load_seed", verbosity=0)


@pytest.fixture
def page_cache(settings):
    """The whole-page cache as in production (tests have it off by default), emptied."""
    settings.PUBLIC_PAGE_CACHE = True
    settings.PUBLIC_PAGE_FINGERPRINT_SECONDS = 0  # tests publish and look at once
    cache.clear()
    yield
    cache.clear()


def grow_and_publish(slug: str = OSAKA, total: int = 10_000, fiscal_year: int = 2025):
    """Brings the plan to ``total`` initiatives (bulk rows under pillar 2) and publishes a
    year-end 時点 for ``fiscal_year`` holding every one of them: 2 achieved, 1 not achieved in
    every 3, and the seed's own results for the seed's items. Returns the publication."""
    plan = Plan.objects.get(slug=slug)
    pillar = plan.pillars.get(order=2)
    department = plan.initiatives.first().department
    existing = plan.initiatives.count()
    Initiative.objects.bulk_create(
        [
            Initiative(
                plan=plan,
                pillar=pillar,
                department=department,
                code=f"g-{n}",
                order=1000 + n,
                title=f"追加の取組{n}",
            )
            for n in range(total - existing)
        ],
        batch_size=1000,
    )
    round_ = Round.objects.create(
        plan=plan, fiscal_year=fiscal_year, as_of=date(fiscal_year + 1, 3, 31), state="closed"
    )
    publication = Publication.objects.create(
        round=round_, published_at=datetime(fiscal_year + 1, 6, 1, 5, tzinfo=UTC)
    )
    PublishedPillar.objects.bulk_create(
        PublishedPillar(
            publication=publication,
            pillar=p,
            order=p.order,
            name=p.name,
            office_tracks_items=p.office_tracks_items,
        )
        for p in plan.pillars.all()
    )
    rows = []
    for n, item in enumerate(
        plan.initiatives.filter(pillar__office_tracks_items=True).select_related("department")
    ):
        result = Result.NOT_ACHIEVED if n % 3 == 2 else Result.ACHIEVED
        rows.append(
            PublishedResult(
                publication=publication,
                initiative=item,
                pillar_id=item.pillar_id,
                department=item.department,
                code=item.code,
                order=item.order,
                title=item.title,
                department_name=item.department.name,
                result=result,
            )
        )
    PublishedResult.objects.bulk_create(rows, batch_size=1000)
    return publication
