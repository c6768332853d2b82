"""No lost update on the office's meeting pages under real concurrency: PostgreSQL, twelve office
members posting the same loaded form at the same moment, through the pages themselves.

Exactly one save wins and the other eleven get 409, each with its own text kept and the stored
token; saving again on top of what they read, every save is accepted one after another and the
history holds each of them, every "before" the previous one's "after". SQLite serialises
writers, so this runs in the PostgreSQL pass only.
"""

from __future__ import annotations

import itertools
import re
import threading

import pytest
from django.db import connection
from django.test import Client

from evaluations.choices import HistoryAction
from evaluations.models import HistoryEvent
from evaluations.services import meeting_versions as versions
from evaluations.services import meetings as services
from initiatives.roles import Role, ensure_groups
from tests.personas import build_world, make_user
from xmeetings.models import Meeting

THREADS = 12
RETRIES = 12

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs concurrent writers on a real PostgreSQL server (DATABASE_URL); "
        "SQLite serialises writes, so the race under test cannot happen",
    ),
]


def _office_clients(world) -> list[Client]:
    group = ensure_groups()[Role.REFORM_OFFICE]
    clients = []
    for i in range(THREADS):
        client = Client()
        client.force_login(make_user(f"office-{i:02d}", department=world.office_dept, group=group))
        clients.append(client)
    return clients


def _race(clients, post) -> dict[int, list[int]]:
    """Every client sends ``post(client, i, attempt_data)`` at once after a barrier; on 409 it
    takes the token from the answer and sends again. Returns each one's status codes."""
    barrier = threading.Barrier(len(clients))
    outcomes: dict[int, list[int]] = {i: [] for i in range(len(clients))}
    errors: list[BaseException] = []

    def editor(i: int):
        try:
            barrier.wait(timeout=60)
            token = None
            for _attempt in range(1 + RETRIES):
                response = post(clients[i], i, token)
                outcomes[i].append(response.status_code)
                if response.status_code != 409:
                    return
                token = response.content.decode()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=editor, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors
    return outcomes


def _meeting(world) -> Meeting:
    return services.create_meeting(
        user=world.users["office"],
        plan_slug=world.plan.slug,
        fiscal_year=2025,
        number=2,
        date_text="7月上旬",
    )


def test_simultaneous_saves_of_a_meetings_details_lose_nothing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    world = build_world()
    meeting = _meeting(world)
    clients = _office_clients(world)
    seen = versions.meeting_token(meeting)
    stored_token = re.compile(r'name="meeting-token" value="([0-9a-f]+)"')

    def post(client, i, answer):
        if answer is not None:
            assert f'value="担当{i:02d}の名称"' in answer, "the typed text is kept"
        token = seen if answer is None else stored_token.search(answer)[1]
        return client.post(
            f"/office/meetings/{meeting.pk}/",
            {
                "meeting-token": token,
                "meeting-fiscal_year": "2025",
                "meeting-number": "2",
                "meeting-date_text": "7月上旬",
                "meeting-title": f"担当{i:02d}の名称",
                "meeting-status": "scheduled",
            },
        )

    outcomes = _race(clients, post)
    first = [outcomes[i][0] for i in range(THREADS)]
    assert first.count(302) == 1, "exactly one of the simultaneous saves may win"
    assert first.count(409) == THREADS - 1
    assert all(codes[-1] == 302 for codes in outcomes.values())
    events = list(
        HistoryEvent.objects.filter(
            action=HistoryAction.MEETING_CHANGE, subject_id=meeting.pk
        ).order_by("id")
    )
    assert len(events) == THREADS, "every accepted save is in the history"
    assert events[0].changes["title"]["before"] == ""
    for previous, event in itertools.pairwise(events):
        assert event.changes["title"]["before"] == previous.changes["title"]["after"]
    meeting.refresh_from_db()
    assert meeting.title == events[-1].changes["title"]["after"]


def test_simultaneous_topics_added_from_the_same_page_are_each_kept_once(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    world = build_world()
    meeting = _meeting(world)
    clients = _office_clients(world)
    seen = versions.section_token(meeting, "topics")
    stored_token = re.compile(r'name="topic-token" value="([^"]+)"')

    def post(client, i, answer):
        if answer is not None:
            assert f'value="議題{i:02d}"' in answer, "the typed topic is kept"
        token = seen if answer is None else stored_token.search(answer)[1]
        return client.post(
            f"/office/meetings/{meeting.pk}/topics/",
            {"topic-name": f"議題{i:02d}", "topic-token": token},
            HTTP_HX_REQUEST="true",
        )

    outcomes = _race(clients, post)
    first = [outcomes[i][0] for i in range(THREADS)]
    assert first.count(200) == 1, "exactly one of the simultaneous additions may win"
    assert first.count(409) == THREADS - 1
    names = list(meeting.topics.order_by("order").values_list("name", flat=True))
    assert sorted(names) == [f"議題{i:02d}" for i in range(THREADS)]
    assert list(meeting.topics.order_by("order").values_list("order", flat=True)) == list(
        range(1, THREADS + 1)
    )
    created = HistoryEvent.objects.filter(action=HistoryAction.MEETINGTOPIC_CREATE)
    assert sorted(e.changes["name"]["after"] for e in created) == sorted(names)
