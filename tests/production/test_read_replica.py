"""A read replica for real: a PostgreSQL primary, a streaming physical replica made from it with
``pg_basebackup -R`` (tests/production/replica.py), and gunicorn with production settings and
DATABASE_REPLICA_URL (reformtracker/db_routers.py). Both servers log every statement with the
client's name, so the test reads off which server ran what.

- A visitor's public pages and open-data JSON are read from the replica; the primary is asked
  for nothing but the publication fingerprint.
- A department member's page and save run on the primary alone: the replica sees nothing.
- With the replica's replay paused (a replica lagging behind), the page right after a
  publication shows it, read from the primary; once the replica has caught up, public pages
  read from it again.
- With the replica stopped, public pages are read from the primary.

The test owns both servers; PostgreSQL pass only.
"""

from __future__ import annotations

import subprocess
import sys
import urllib.parse
from dataclasses import dataclass

import pytest
from django.db import connection

from tests.constants import OSAKA
from tests.production import pgserver
from tests.production.appserver import ROOT, Gunicorn, prepare, production_env
from tests.production.replica import (
    StreamingReplica,
    log_everything,
    log_mark,
    statements_since,
)

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="starts a PostgreSQL primary and a streaming replica of its own: "
        "run in the PostgreSQL pass only",
    ),
    pytest.mark.skipif(not pgserver.available(), reason="PostgreSQL 15 binaries not installed"),
]

# evaluations.published's one query for the fingerprint, always the primary's.
FINGERPRINT = 'FROM "initiatives_masterdataversion" WHERE "id" = 1) FROM "evaluations_publication"'
# The 時点 the test's publication makes (prepare: the FY2025 year-end round).
NEW_TIME_POINT = "令和7年度末"
PUBLIC_READS = [
    "/",
    f"/plans/{OSAKA}/",
    f"/plans/{OSAKA}/pillars/2/",
    f"/initiatives/?q={urllib.parse.quote('委託')}",
    "/open-data/home.json",
    f"/open-data/plans/{OSAKA}.json",
]

CONFIRM_ALL = """
import django
django.setup()
from evaluations import services
from evaluations.choices import EntryState, Result
from evaluations.models import Entry
for entry in Entry.objects.filter(round_id=ROUND).order_by("pk"):
    services.update_entry_as_system(
        entry_id=entry.pk, expected_version=entry.version,
        values={"result": Result.ACHIEVED}, state=EntryState.CONFIRMED, actor_name="test",
    )
"""


@dataclass
class Site:
    primary: pgserver.PostgresServer
    replica: StreamingReplica
    web: Gunicorn
    env: dict
    ids: dict


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("replica")
    with pgserver.PostgresServer() as primary:
        log_everything(primary)
        env = production_env(tmp, primary.url)
        ids = prepare(env)
        with StreamingReplica(primary) as replica:
            web_env = {**env, "DATABASE_REPLICA_URL": replica.url}
            with Gunicorn(web_env, pgserver.free_port(), workers=1, log=tmp / "web.log") as web:
                yield Site(primary, replica, web, env, ids)


def _reads(statements: list[str]) -> list[str]:
    """The SELECTs among ``statements`` other than the fingerprint's and the health check's."""
    return [
        sql
        for sql in statements
        if sql.startswith("SELECT")
        and FINGERPRINT not in sql
        and sql != "SELECT 1"
        # a new connection's set-up
        and not sql.startswith("SELECT set_config(")
    ]


class _Watch:
    """What the site ran on each server while the block ran."""

    def __init__(self, site: Site):
        self.site = site

    def __enter__(self):
        self.marks = (log_mark(self.site.primary), log_mark(self.site.replica))
        return self

    def __exit__(self, *exc):
        # The backends write their log lines before they answer the client.
        self.primary = statements_since(self.site.primary, self.marks[0])
        self.replica = statements_since(self.site.replica, self.marks[1])


def test_the_replica_is_a_hot_standby_with_the_primarys_data(site):
    assert site.replica.in_recovery()
    count = "SELECT count(*) FROM evaluations_publishedresult"
    pgserver.wait_until(lambda: site.replica.psql(count) == site.primary.psql(count), timeout=30)


@pytest.mark.parametrize("path", PUBLIC_READS)
def test_a_visitors_public_page_is_read_from_the_replica(site, path):
    with _Watch(site) as ran:
        response = site.web.get(path)
    assert response.status == 200
    assert _reads(ran.replica), "the page read its rows from the replica"
    assert _reads(ran.primary) == [], "the primary was asked for the fingerprint alone"


def test_a_department_members_page_and_save_run_on_the_primary_alone(site):
    entry = site.ids["entry"]
    version = site.primary.psql(f"SELECT version FROM evaluations_entry WHERE id = {entry}")
    with _Watch(site) as ran:
        page = site.web.get(f"/staff/entries/{entry}/", session=site.ids["staff"])
        saved = site.web.post(
            f"/staff/entries/{entry}/",
            {
                "result": "achieved",
                "reason": "",
                "narrative": "レプリカ試験の入力",
                "staff_comment": "",
                "version": version,
            },
            session=site.ids["staff"],
        )
    assert page.status == 200
    assert saved.status in (200, 302)
    assert any(sql.startswith('UPDATE "evaluations_entry"') for sql in ran.primary)
    assert ran.replica == [], "staff read their own writes: nothing of theirs on the replica"
    narrative = f"SELECT narrative FROM evaluations_entry WHERE id = {entry}"
    assert site.primary.psql(narrative) == "レプリカ試験の入力"


def test_the_page_right_after_a_publication_shows_it_while_the_replica_lags(site):
    subprocess.run(
        [sys.executable, "-c", f"ROUND = {site.ids['round']}\n" + CONFIRM_ALL],
        env=site.env,
        cwd=ROOT,
        check=True,
        timeout=120,
        capture_output=True,
    )
    publications = "SELECT count(*) FROM evaluations_publication"
    site.replica.pause_replay()
    try:
        published = site.web.post(
            f"/staff/rounds/{site.ids['round']}/publish/", {}, session=site.ids["office"]
        )
        assert published.status == 302
        assert site.replica.psql(publications) != site.primary.psql(publications)

        with _Watch(site) as ran:
            page = site.web.get(f"/plans/{OSAKA}/")
        assert page.status == 200
        assert NEW_TIME_POINT in page.text
        assert _reads(ran.primary), "read from the primary while the replica lags"
        assert _reads(ran.replica) == []
    finally:
        site.replica.resume_replay()

    pgserver.wait_until(
        lambda: site.replica.psql(publications) == site.primary.psql(publications), timeout=30
    )
    with _Watch(site) as ran:
        page = site.web.get(f"/plans/{OSAKA}/pillars/2/")
    assert page.status == 200
    assert NEW_TIME_POINT in page.text
    assert _reads(ran.replica), "caught up: read from the replica again"
    assert _reads(ran.primary) == []


def test_with_the_replica_stopped_public_pages_are_read_from_the_primary(site):
    site.replica.stop()
    with _Watch(site) as ran:
        page = site.web.get(f"/initiatives/?q={urllib.parse.quote('改革')}")
        json_document = site.web.get("/open-data/plans.json")
    assert page.status == 200
    assert json_document.status == 200
    assert _reads(ran.primary)
    assert "replica unavailable" in site.web.log_path.read_text()
