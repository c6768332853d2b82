"""A pillar's narrative belongs to a 時点 — its fiscal year and point (年度末, or the year's
中間 8月末), named as rounds name theirs — not only to a 年度: the office writes each in its own
page, each round's publication freezes the narrative of its own 時点, and the public pages keep
the earlier 時点' narratives readable. Narratives written before 時点 existed are year-end ones."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from evaluations import services
from evaluations.choices import HistoryAction, Result, RoundKind
from evaluations.models import HistoryEvent, PillarNarrative, PublishedPillar
from evaluations.services import plan_edits
from tests.factories import confirm_entries, make_initiative, make_plan
from tests.personas import client_for

INTERIM_TEXT = "令和6年度上半期においては、委託の範囲を3区に広げた。"
YEAR_END_TEXT = "令和6年度においては、全区で委託化した。"


def _office_page(world, suffix: str) -> str:
    pillar = world.initiative_a.pillar
    return f"/office/plans/{world.plan.slug}/pillars/{pillar.order}/{suffix}"


def _write_both_points(world):
    office = client_for(world, "office")
    for suffix, text in (
        ("narratives/2024/interim/", INTERIM_TEXT),
        ("narratives/2024/", YEAR_END_TEXT),
    ):
        response = office.post(
            _office_page(world, suffix),
            {"token": "", "done": text, "next_steps": "引き続き進める。"},
        )
        assert response.status_code == 302, response.content.decode()[:500]


def _publish(round_, world):
    confirm_entries(
        round_, {world.initiative_a: Result.ACHIEVED, world.initiative_b: Result.NOT_ACHIEVED}
    )
    return services.publish_round_as_system(round_=round_, actor_name="test")


def _interim_round(world):
    return services.open_round_as_system(
        plan=world.plan,
        fiscal_year=2024,
        kind=RoundKind.INTERIM,
        as_of=date(2024, 8, 31),
        actor_name="test",
    )


def test_the_pillar_page_offers_each_years_year_end_and_interim_narrative(world):
    page = client_for(world, "office").get(_office_page(world, "")).content.decode()
    assert "令和6年度末時点の取組状況を書く（未作成）" in page
    assert "令和6年度中間時点の取組状況を書く（未作成）" in page
    assert f'href="{_office_page(world, "narratives/2024/interim/")}"' in page
    _write_both_points(world)
    page = client_for(world, "office").get(_office_page(world, "")).content.decode()
    assert "令和6年度末時点の取組状況を編集" in page
    assert "令和6年度中間時点の取組状況を編集" in page


def test_the_office_writes_a_years_interim_and_year_end_narratives_apart(world):
    _write_both_points(world)
    pillar = world.initiative_a.pillar
    stored = {n.kind: n.done for n in PillarNarrative.objects.filter(pillar=pillar)}
    assert stored == {RoundKind.INTERIM: INTERIM_TEXT, RoundKind.YEAR_END: YEAR_END_TEXT}
    created = HistoryEvent.objects.filter(action=HistoryAction.PILLARNARRATIVE_CREATE)
    assert sorted(e.changes["kind"]["after"] for e in created) == ["interim", "year_end"]
    # Editing the interim one leaves the year-end one as it was.
    interim = PillarNarrative.objects.get(pillar=pillar, kind=RoundKind.INTERIM)
    form = client_for(world, "office").get(_office_page(world, "narratives/2024/interim/"))
    assert "令和6年度中間時点の取組状況" in form.content.decode()
    client_for(world, "office").post(
        _office_page(world, "narratives/2024/interim/"),
        {"token": plan_edits.edit_token(interim), "done": "書き直した。", "next_steps": ""},
    )
    stored = {n.kind: n.done for n in PillarNarrative.objects.filter(pillar=pillar)}
    assert stored == {RoundKind.INTERIM: "書き直した。", RoundKind.YEAR_END: YEAR_END_TEXT}


def test_each_rounds_publication_takes_the_narrative_of_its_own_point(world):
    _write_both_points(world)
    pillar = world.initiative_a.pillar
    interim = _publish(_interim_round(world), world)
    year_end = _publish(world.round, world)
    assert PublishedPillar.objects.get(publication=interim, pillar=pillar).done == INTERIM_TEXT
    assert PublishedPillar.objects.get(publication=year_end, pillar=pillar).done == YEAR_END_TEXT


def test_an_interim_round_without_a_narrative_of_its_own_publishes_none(world):
    """Not the year-end narrative of the same year: that one speaks of the whole year."""
    client_for(world, "office").post(
        _office_page(world, "narratives/2024/"),
        {"token": "", "done": YEAR_END_TEXT, "next_steps": ""},
    )
    interim = _publish(_interim_round(world), world)
    row = PublishedPillar.objects.get(publication=interim, pillar=world.initiative_a.pillar)
    assert (row.done, row.next_steps) == ("", "")


def test_public_pages_show_the_latest_points_narrative_and_keep_the_interim_one_readable(world):
    _write_both_points(world)
    public = client_for(world, "anonymous")
    pillar_url = f"/plans/{world.plan.slug}/pillars/{world.initiative_a.pillar.order}/"

    _publish(_interim_round(world), world)
    page = public.get(pillar_url).content.decode()
    assert "取組状況（令和6年8月31日時点）" in page
    assert INTERIM_TEXT in page
    assert YEAR_END_TEXT not in page  # not published yet

    _publish(world.round, world)
    page = public.get(pillar_url).content.decode()
    assert "取組状況（令和6年度末時点）" in page
    assert page.index(YEAR_END_TEXT) < page.index(INTERIM_TEXT)
    earlier = page[page.index('data-testid="earlier-narratives"') :]
    assert "取組状況（令和6年8月31日時点）" in earlier and INTERIM_TEXT in earlier
    plan_page = public.get(f"/plans/{world.plan.slug}/").content.decode()
    assert YEAR_END_TEXT in plan_page and INTERIM_TEXT in plan_page


def test_before_any_publication_the_pillar_page_names_each_narratives_point(world):
    _write_both_points(world)
    public = client_for(world, "anonymous")
    pillar_url = f"/plans/{world.plan.slug}/pillars/{world.initiative_a.pillar.order}/"
    page = public.get(pillar_url).content.decode()
    assert page.index("取組状況（令和6年度中間時点）") < page.index("取組状況（令和6年度末時点）")
    english = public.get(f"/en{pillar_url}").content.decode()
    assert "FY2024, interim" in english and "end of FY2024" in english
    data = public.get(
        f"/open-data/plans/{world.plan.slug}/pillars/{world.initiative_a.pillar.order}.json"
    ).json()
    points = [(n["fiscal_year"], n["point"]) for n in data["narratives"]]
    assert points == [(2024, "interim"), (2024, "year_end")]


def test_one_narrative_per_pillar_and_point_by_named_constraints(world):
    pillar = world.initiative_a.pillar
    PillarNarrative.objects.create(pillar=pillar, fiscal_year=2024, kind=RoundKind.INTERIM)
    PillarNarrative(pillar=pillar, fiscal_year=2024, kind=RoundKind.YEAR_END).validate_constraints()
    with pytest.raises(ValidationError) as twice:
        PillarNarrative(
            pillar=pillar, fiscal_year=2024, kind=RoundKind.INTERIM
        ).validate_constraints()
    assert "この柱のこの時点の取組状況は既にあります。" in twice.value.messages
    with pytest.raises(ValidationError) as unknown:
        PillarNarrative(pillar=pillar, fiscal_year=2025, kind="monthly").validate_constraints()
    assert "時点の種別は「年度末」か「中間」です。" in unknown.value.messages
    names = {c.name for c in PillarNarrative._meta.constraints}
    assert {"pillar_narrative_one_per_point", "pillar_narrative_kind_is_a_point"} <= names


BEFORE = ("evaluations", "0020_office_rest_actions")
AFTER = ("evaluations", "0021_narrative_point")


@pytest.mark.django_db(transaction=True)
def test_narratives_written_before_points_existed_become_year_end_narratives():
    plan = make_plan()
    pillar = make_initiative(plan).pillar
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    try:
        old = executor.loader.project_state([BEFORE]).apps
        Narrative = old.get_model("evaluations", "PillarNarrative")
        for fy in (2024, 2025):
            Narrative.objects.create(pillar_id=pillar.pk, fiscal_year=fy, done=f"{fy}年度の取組")
        executor = MigrationExecutor(connection)
        executor.migrate([AFTER])
    finally:
        # Back to the latest migrations: the later ones (the search tables among them) were
        # undone by going back, and the next test in this process needs them.
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    rows = PillarNarrative.objects.filter(pillar=pillar).order_by("fiscal_year")
    assert [(n.fiscal_year, n.kind, n.done) for n in rows] == [
        (2024, RoundKind.YEAR_END, "2024年度の取組"),
        (2025, RoundKind.YEAR_END, "2025年度の取組"),
    ]
