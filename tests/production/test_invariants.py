"""``manage.py check_invariants``: what must hold after any fault (evaluations.invariants). Clean
on the seed and after a publication; each invariant broken on purpose, by writes that go around
the services as a half-applied change would, is reported with the rows that break it, and the
command exits 1."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.utils import timezone

from evaluations import invariants, services
from evaluations.choices import Result
from evaluations.models import (
    Entry,
    HistoryEvent,
    PublishedPillar,
    PublishedResult,
    ReportJob,
)
from tests.factories import confirm_entries

pytestmark = pytest.mark.django_db


def _run(*args) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("check_invariants", *args, stdout=out)
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


def _publish(world):
    confirm_entries(
        world.round, {world.initiative_a: Result.ACHIEVED, world.initiative_b: Result.NOT_ACHIEVED}
    )
    return services.publish_round_as_system(round_=world.round, actor_name="test")


def _checks(violations) -> list[str]:
    return [v.check for v in violations]


def test_the_seed_and_a_new_publication_hold_every_invariant(seeded, world):
    _publish(world)
    code, output = _run()
    assert code == 0
    assert "不変条件はすべて満たされています" in output


def test_it_speaks_english_when_asked(world):
    code, output = _run("--english")
    assert code == 0
    assert "Every invariant holds" in output


def test_the_checks_are_a_fixed_number_of_queries_however_many_rows(
    world, django_assert_num_queries
):
    _publish(world)
    with django_assert_num_queries(3):
        invariants.check()


def test_an_entry_updated_without_its_history_row_is_reported(world):
    Entry.objects.filter(pk=world.entry_a.pk).update(version=F("version") + 1, narrative="x")
    code, output = _run()
    assert code == 1
    (violation,) = invariants.check()
    assert (violation.check, violation.ids) == ("entry_version", (world.entry_a.pk,))
    assert "版が変更履歴と合わない回答が1件あります" in output
    assert f"該当: {world.entry_a.pk}" in output


def test_a_history_row_without_its_change_is_reported(world):
    services.update_entry_as_system(
        entry_id=world.entry_b.pk, expected_version=1, values={"narrative": "書いた。"}
    )
    # The change rolled back but its row stayed: the version is one behind its history.
    Entry.objects.filter(pk=world.entry_b.pk).update(version=1)
    assert [(v.check, v.ids) for v in invariants.check()] == [
        ("entry_version", (world.entry_b.pk,))
    ]


def test_a_history_row_lost_from_the_middle_is_reported(world):
    for version in (1, 2):
        services.update_entry_as_system(
            entry_id=world.entry_a.pk, expected_version=version, values={"narrative": f"{version}"}
        )
    first = HistoryEvent.objects.filter(entry=world.entry_a).order_by("id").first()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {HistoryEvent._meta.db_table} WHERE id = %s", [first.pk])
    assert _checks(invariants.check()) == ["entry_version"]


def test_a_publication_missing_a_result_row_is_reported(world):
    publication = _publish(world)
    PublishedResult.objects.filter(publication=publication).first().delete()
    code, output = _run()
    assert code == 1
    (violation,) = invariants.check()
    assert (violation.check, violation.ids) == ("publication_snapshot", (publication.pk,))
    assert "公表時点の内容がそろっていない公表が1件あります" in output


def test_a_publication_missing_a_pillar_row_is_reported(world):
    publication = _publish(world)
    PublishedPillar.objects.filter(publication=publication).delete()
    assert [(v.check, v.ids) for v in invariants.check()] == [
        ("publication_snapshot", (publication.pk,))
    ]


def test_a_publication_whose_entries_were_not_all_moved_to_published_is_reported(world):
    publication = _publish(world)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {HistoryEvent._meta.db_table} WHERE publication_id = %s "
            "AND entry_id = %s",
            [publication.pk, world.entry_a.pk],
        )
    Entry.objects.filter(pk=world.entry_a.pk).update(version=F("version") - 1)
    assert _checks(invariants.check()) == ["publication_snapshot"]


def test_a_report_job_running_with_a_stale_heartbeat_is_reported(world, settings):
    settings.REPORT_JOB_STALE_SECONDS = 60
    now = timezone.now()
    alive, dead = (
        ReportJob.objects.create(
            plan=world.plan,
            fiscal_year=2024,
            requested_by=world.users["office"],
            state=ReportJob.State.RUNNING,
            started_at=now - timedelta(seconds=age),
            heartbeat_at=now - timedelta(seconds=age),
        )
        for age in (10, 61)
    )
    code, output = _run()
    assert code == 1
    (violation,) = invariants.check()
    assert (violation.check, violation.ids) == ("report_job_stuck", (str(dead.pk),))
    assert "作成中のまま60秒以上応答のない報告書の作成ジョブが1件あります" in output
    assert str(alive.pk) not in output


def test_every_kind_of_violation_is_listed_together(world, settings):
    publication = _publish(world)
    PublishedPillar.objects.filter(publication=publication).delete()
    Entry.objects.filter(pk=world.entry_a.pk).update(version=F("version") + 5)
    ReportJob.objects.create(
        plan=world.plan,
        fiscal_year=2024,
        requested_by=world.users["office"],
        state=ReportJob.State.RUNNING,
        heartbeat_at=timezone.now() - timedelta(days=1),
    )
    code, output = _run()
    assert code == 1
    assert _checks(invariants.check()) == [
        "entry_version",
        "publication_snapshot",
        "report_job_stuck",
    ]
    assert "不変条件の違反が3種類あります" in output
