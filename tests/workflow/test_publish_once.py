"""Publishing is idempotent: a second 公表 with nothing changed since the round's latest
publication (a double click, a second tab, two simultaneous requests) adds no 時点, and the
office is told 「すでに公表済みです」 rather than shown an error."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client

from evaluations import services
from evaluations.models import HistoryEvent, PillarNarrative, Publication
from tests.personas import build_world, client_for, move


def _confirm_both(world):
    move(world, world.entry_a, "edit", "submit", "confirm")
    move(world, world.entry_b, "edit", "submit", "confirm")


def _counts(world) -> tuple[int, int]:
    return Publication.objects.filter(round=world.round).count(), HistoryEvent.objects.count()


def test_a_second_publish_post_creates_nothing_and_says_so(world):
    _confirm_both(world)
    office = client_for(world, "office")
    url = f"/staff/rounds/{world.round.pk}/publish/"
    assert office.post(url).status_code == 302
    published = _counts(world)
    again = office.post(url, follow=True)
    assert again.status_code == 200
    assert "すでに公表済みです。" in again.content.decode()
    assert _counts(world) == published
    history = client_for(world, "anonymous").get(world.initiative_a.get_absolute_url())
    assert history.content.decode().count("<td>公表<") == 1  # one row in the public history


def test_the_system_variant_refuses_an_identical_publication_too(world):
    _confirm_both(world)
    first = services.publish_round_as_system(round_=world.round)
    with pytest.raises(services.AlreadyPublished) as refused:
        services.publish_round_as_system(round_=world.round)
    assert refused.value.publication == first
    assert refused.value.messages == ["すでに公表済みです。公表後に変更された回答はありません。"]


def test_a_change_since_the_last_publication_is_published_again(world):
    _confirm_both(world)
    office = world.users["office"]
    services.publish_round(user=office, round_id=world.round.pk)
    # A corrected answer: the round reopened, the answer returned, edited, confirmed again.
    move(
        world, world.entry_a, "reopen", "return", "edit", "submit", "confirm", result="not_achieved"
    )
    services.publish_round(user=office, round_id=world.round.pk)
    assert Publication.objects.filter(round=world.round).count() == 2
    # A pillar narrative written since then is a change the public would see too.
    PillarNarrative.objects.create(
        pillar=world.initiative_a.pillar, fiscal_year=world.round.fiscal_year, done="実施した。"
    )
    services.reopen_round(user=office, round_id=world.round.pk, reason="取組状況の追記")
    services.publish_round(user=office, round_id=world.round.pk)
    assert Publication.objects.filter(round=world.round).count() == 3
    with pytest.raises(services.AlreadyPublished):
        services.publish_round(user=office, round_id=world.round.pk)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs concurrent writers on a real PostgreSQL server (DATABASE_URL); "
    "SQLite serialises writes, so the race under test cannot happen",
)
def test_two_simultaneous_publish_posts_publish_once(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    world = build_world()
    _confirm_both(world)
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(world.users["office"])
    url = f"/staff/rounds/{world.round.pk}/publish/"
    barrier = threading.Barrier(len(clients))
    statuses, errors = [], []

    def publish(client):
        try:
            barrier.wait(timeout=30)
            statuses.append(client.post(url).status_code)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=publish, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert statuses == [302, 302]
    assert Publication.objects.filter(round=world.round).count() == 1
