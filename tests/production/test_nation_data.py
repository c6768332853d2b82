"""The nation-scale bench's data (bench/nation.py) is what the services write: written set-based
for speed, it must hold the same versions, history and snapshots, or its figures mean nothing."""

import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from django.db import connection

from evaluations import services
from evaluations.choices import EntryState, Result
from evaluations.models import Entry, HistoryEvent, Publication, PublishedResult, Round
from evaluations.services.rounds import AlreadyPublished
from initiatives.models import Initiative, Municipality, Plan
from initiatives.prefectures import validate_local_code

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from nation import generate

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the nation is written with PostgreSQL's COPY and INSERT … SELECT (DATABASE_URL)",
    ),
]


def _trail(entry: Entry) -> list[tuple]:
    """What an entry's history says, without ids and times."""
    return [
        (event.action, sorted(event.changes), event.changes.get("version"))
        for event in entry.history.order_by("id")
    ]


def test_the_generated_entries_have_the_versions_and_history_the_services_write():
    counts = generate(3, 6)
    assert counts["initiatives_plan"] == 3 and counts["evaluations_publication"] == 9
    plan = Plan.objects.filter(slug__startswith="plan-n").order_by("pk").first()
    generated = (
        Entry.objects.filter(round__plan=plan, round__fiscal_year=2024, result=Result.ACHIEVED)
        .order_by("pk")
        .first()
    )
    # The same initiative's next year, through the services.
    round_ = services.open_round_as_system(
        plan=plan, fiscal_year=2025, as_of=date(2026, 3, 31), actor_name="test"
    )
    for entry in round_.entries.all():
        services.update_entry_as_system(
            entry_id=entry.pk,
            expected_version=entry.version,
            values={"result": Result.ACHIEVED, "narrative": "計画どおり。"},
            state=EntryState.CONFIRMED,
            actor_name="test",
        )
    services.publish_round_as_system(round_=round_, actor_name="test")
    made = round_.entries.get(initiative=generated.initiative)
    assert (generated.version, generated.state) == (made.version, made.state) == (3, "published")
    assert _trail(generated) == _trail(made)

    def round_actions(r: Round) -> Counter:
        return Counter(HistoryEvent.objects.filter(round=r).values_list("action", flat=True))

    assert round_actions(generated.round) == round_actions(round_)


def test_the_generated_snapshots_are_exactly_what_publishing_would_freeze():
    generate(2, 6)
    for round_ in Round.objects.filter(plan__slug__startswith="plan-n"):
        # Publishing again finds nothing new: the snapshot rows equal what the service would
        # freeze from the round's entries and the plan's pillars, field by field.
        with pytest.raises(AlreadyPublished):
            services.publish_round_as_system(round_=round_, actor_name="test")
        publication = Publication.objects.get(round=round_)
        event = HistoryEvent.objects.get(publication=publication, action="round.publish")
        assert event.changes == {"results": round_.entries.count()}
    assert (
        PublishedResult.objects.filter(publication__round__plan__slug__startswith="plan-n")
        .exclude(result__in=Result.values)
        .count()
        == 0
    )


def test_the_generated_cities_have_valid_codes_across_the_prefectures(client, settings):
    generate(94, 3)
    cities = Municipality.objects.filter(slug__startswith="n")
    assert cities.values("prefecture").distinct().count() == 47
    for code, prefecture in cities.values_list("local_code", "prefecture"):
        validate_local_code(code)
        assert code.startswith(prefecture)
    settings.PUBLIC_HOME_BOARDS_MAX = 0
    hokkaido = client.get("/?prefecture=01").content.decode()
    assert "2件中 1〜2件目を表示" in hokkaido


def test_the_generated_search_text_is_what_the_models_write():
    generate(2, 20)  # 40 initiatives with consecutive ids: some are 評価対象外 in every year
    initiatives = Initiative.objects.filter(plan__slug__startswith="plan-n")
    rows = PublishedResult.objects.filter(initiative__in=initiatives)
    assert initiatives.exists() and rows.filter(result=Result.EXCLUDED).exists()
    for item in initiatives:
        assert item.search_text == item.searchable()
    for row in rows:
        assert row.search_text == row.searchable()
