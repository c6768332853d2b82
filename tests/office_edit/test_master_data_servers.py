"""Two real app servers sharing one memcached (CACHE_URL), each allowed to keep the fingerprint a
minute: the reform office's edit of master data through server A shows through server B on the
very next request, and a staff member's save of an entry through A leaves B's stored pages as
they were.

Each server has its own processes and database connections; they share only PostgreSQL and
memcached. PostgreSQL pass only (the servers need a database of their own).
tests/office_edit/test_master_data_fresh.py runs the same in one process, in both passes.
"""

import os
import re

import pytest
from django.db import connection

from tests.constants import OSAKA
from tests.office_edit.servers import MEMCACHED, memcached
from tests.production import pgserver
from tests.production.appserver import Gunicorn, prepare, production_env

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="two gunicorn servers on a PostgreSQL server of their own: PostgreSQL pass only",
    ),
    pytest.mark.skipif(not pgserver.available(), reason="PostgreSQL 15 binaries not installed"),
    pytest.mark.skipif(
        not os.access(MEMCACHED, os.X_OK), reason="memcached not installed (ensure-system-deps)"
    ),
]

PLAN_PAGE = f"/plans/{OSAKA}/"
VERSION = re.compile(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"')
TOKEN = re.compile(r'name="change_token" value="([0-9a-f-]{36})"')


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """(A, B, the ids and sessions PREPARE made) over one database and one memcached."""
    tmp = tmp_path_factory.mktemp("master-data")
    cache_port = pgserver.free_port()
    with memcached(cache_port), pgserver.PostgresServer() as pg:
        env = production_env(
            tmp,
            pg.url,
            CACHE_URL=f"memcached://127.0.0.1:{cache_port}",
            # A minute: only the shared fingerprint can show an edit at once.
            PUBLIC_PAGE_FINGERPRINT_SECONDS=60,
            PUBLIC_PAGE_LOCAL_ENTRIES=200,
        )
        ids = prepare(env)
        a = Gunicorn({**env, "PRIVATE_MEDIA_ROOT": str(tmp / "a")}, pgserver.free_port())
        b = Gunicorn({**env, "PRIVATE_MEDIA_ROOT": str(tmp / "b")}, pgserver.free_port())
        with a, b:
            yield a, b, ids


def _get(server, path):
    """A visitor's request as the balancer passes it on (the same Host whichever server)."""
    return server.get(path, headers={"Host": "127.0.0.1"})


def _stored_everywhere(a, b, path):
    """The page, stored: a hit through either server, the same body."""
    first = _get(b, path)
    assert first.status == 200
    for server in (b, a):
        again = _get(server, path)
        assert again.headers.get("X-Public-Cache") == "hit"
        assert again.body == first.body
    return first


def test_a_staff_save_through_one_server_leaves_the_other_servers_pages_as_stored(servers):
    a, b, ids = servers
    before = _stored_everywhere(a, b, PLAN_PAGE)
    form = a.get(f"/staff/entries/{ids['entry']}/", session=ids["staff"]).text
    version = next(g for g in VERSION.search(form).groups() if g)
    saved = a.post(
        f"/staff/entries/{ids['entry']}/",
        {
            "result": "achieved",
            "reason": "",
            "narrative": "委託化を進めた。",
            "staff_comment": "",
            "version": version,
            "change_token": TOKEN.search(form)[1],
        },
        session=ids["staff"],
    )
    assert saved.status == 302
    after = _get(b, PLAN_PAGE)
    assert after.headers.get("X-Public-Cache") == "hit"
    assert after.body == before.body


def test_an_office_edit_through_one_server_shows_through_the_other_at_once(servers):
    a, b, ids = servers
    before = _stored_everywhere(a, b, PLAN_PAGE)
    assert "二台目のサーバーにもすぐ出る課題。" not in before.text

    added = a.post(
        f"/office/plans/{OSAKA}/notes/",
        {"fiscal_year": 2024, "kind": "challenge", "body": "二台目のサーバーにもすぐ出る課題。"},
        session=ids["office"],
    )
    assert added.status == 302

    # The very next request through B, with no wait: rendered afresh, with the note.
    after = _get(b, PLAN_PAGE)
    assert after.status == 200
    assert after.headers["X-Public-Cache"] == "miss"
    assert "二台目のサーバーにもすぐ出る課題。" in after.text
    assert after.headers["ETag"] != before.headers["ETag"]
    assert _get(a, PLAN_PAGE).body == after.body
