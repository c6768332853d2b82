"""No lost update on the office's edit pages: real concurrent requests against PostgreSQL, twelve
office members saving the plan's summary from the same loaded form at once.

Exactly one save wins; every other gets 409 with its own text kept and the stored row's token;
re-applied on top of it, the saves line up in the history one after another, each one's "before"
the previous one's "after". SQLite serialises writers, so this runs in the PostgreSQL pass only.
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
from evaluations.services.plan_edits import edit_token
from initiatives.roles import Role, ensure_groups
from tests.personas import build_world, make_user

THREADS = 12
RETRIES = 12
TOKEN = re.compile(r'name="token" value="([0-9a-f]+)"')

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs concurrent writers on a real PostgreSQL server (DATABASE_URL); "
        "SQLite serialises writes, so the race under test cannot happen",
    ),
]


def test_simultaneous_saves_of_the_plan_lose_nothing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    world = build_world()
    group = ensure_groups()[Role.REFORM_OFFICE]
    clients = []
    for i in range(THREADS):
        client = Client()
        client.force_login(make_user(f"office-{i:02d}", department=world.office_dept, group=group))
        clients.append(client)
    url = f"/office/plans/{world.plan.slug}/edit/"
    seen = edit_token(world.plan)
    barrier = threading.Barrier(THREADS)
    outcomes: dict[int, list[int]] = {i: [] for i in range(THREADS)}
    errors: list[BaseException] = []

    def editor(i: int):
        try:
            data = {"token": seen, "summary": f"担当{i:02d}の概要"}
            barrier.wait(timeout=60)
            for _attempt in range(1 + RETRIES):
                response = clients[i].post(url, data)
                outcomes[i].append(response.status_code)
                if response.status_code != 409:
                    return
                body = response.content.decode()
                assert f"担当{i:02d}の概要</textarea>" in body
                data = {**data, "token": TOKEN.search(body)[1]}
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=editor, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors
    first = [outcomes[i][0] for i in range(THREADS)]
    assert first.count(302) == 1, "exactly one of the simultaneous saves may win"
    assert first.count(409) == THREADS - 1
    accepted = sum(codes.count(302) for codes in outcomes.values())
    events = list(HistoryEvent.objects.filter(action=HistoryAction.PLAN_CHANGE).order_by("id"))
    assert len(events) == accepted
    assert events[0].changes["summary"]["before"] == ""
    for previous, event in itertools.pairwise(events):
        assert event.changes["summary"]["before"] == previous.changes["summary"]["after"]
    world.plan.refresh_from_db()
    assert world.plan.summary == events[-1].changes["summary"]["after"]
