"""PostgreSQL restarted under a running gunicorn (2 sync workers, production settings, persistent
connections with health checks): during the outage a visitor gets the Japanese 503 page, a JSON
client JSON, a staff member saving with htmx the "not saved" message; within 5 s of the database
accepting connections again every request succeeds, from both workers, neither restarted; and
afterwards ``check_invariants`` finds nothing half-applied.

The test owns its PostgreSQL server (tests/production/pgserver.py), since it stops it; it runs in
the PostgreSQL pass only (one pass is enough: the server is its own either way).
"""

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from tests.production import pgserver
from tests.production.appserver import Gunicorn, check_invariants, prepare, production_env

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="restarts a PostgreSQL server of its own: run in the PostgreSQL pass only",
    ),
    pytest.mark.skipif(not pgserver.available(), reason="PostgreSQL 15 binaries not installed"),
]

OUTAGE_SECONDS = 3
RECOVERY_SECONDS = 5
HTMX = {"HX-Request": "true"}
SAVE_REFUSED = "保存できませんでした。データベースに接続できません。"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("db-restart")
    with pgserver.PostgresServer() as pg:
        env = production_env(tmp, pg.url)
        ids = prepare(env)
        with Gunicorn(env, pgserver.free_port(), workers=2, log=tmp / "gunicorn.log") as web:
            yield pg, web, env, ids


def _fresh(path: str) -> str:
    """A query string no page cache holds: the request must reach the database."""
    return f"{path}?q={uuid.uuid4().hex[:8]}"


def _client_connections(pg) -> int:
    return int(
        pg.psql(
            "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' "
            "AND datname = 'reformtracker' AND pid <> pg_backend_pid()"
        )
    )


def test_a_database_restart_gives_clean_503s_then_every_worker_serves_again_unrestarted(site):
    pg, web, env, ids = site
    workers = web.worker_pids()
    entry = ids["entry"]
    # Each worker holds a kept connection before the restart.
    with ThreadPoolExecutor(4) as pool:
        assert {
            r.status for r in pool.map(lambda _: web.get(_fresh("/initiatives/")), range(16))
        } == {200}
    form = web.get(f"/staff/entries/{entry}/", session=ids["staff"])
    assert form.status == 200
    version = int(form.text.split('name="version" value="')[1].split('"')[0])

    pg.stop()
    assert not pg.accepting()
    page = web.get(_fresh("/initiatives/"), headers={"X-Request-ID": "restart-visitor"})
    data = web.get(_fresh("/open-data/home.json"))
    typed = "停止中に入力した文章。"
    save = web.post(
        f"/staff/entries/{entry}/",
        {"result": "", "reason": "", "narrative": typed, "staff_comment": "", "version": version},
        session=ids["staff"],
        headers=HTMX,
    )
    pg.start()

    assert page.status == 503
    assert "ただいまご利用いただけません" in page.text
    assert "restart-visitor" in page.text
    assert "Traceback" not in page.text
    assert data.status == 503
    assert data.headers["Content-Type"].startswith("application/json")
    assert "データベースに接続できません" in data.text
    assert save.status == 503
    assert save.headers["HX-Reswap"] == "none"
    assert save.text.startswith(SAVE_REFUSED)

    # Within RECOVERY_SECONDS every request succeeds, spread over both workers by concurrency.
    recovered = pgserver.wait_until(
        lambda: web.get(_fresh("/initiatives/")).status == 200, timeout=RECOVERY_SECONDS
    )
    with ThreadPoolExecutor(4) as pool:
        after = list(pool.map(lambda _: web.get(_fresh("/initiatives/")).status, range(24)))
        after += list(pool.map(lambda _: web.get(_fresh("/open-data/home.json")).status, range(8)))
    assert after == [200] * 32, f"recovered after {recovered:.2f} s, then {after}"
    assert _client_connections(pg) == 2, "both workers have connected again"
    saved = web.post(
        f"/staff/entries/{entry}/",
        {"result": "", "reason": "", "narrative": typed, "staff_comment": "", "version": version},
        session=ids["staff"],
        headers=HTMX,
    )
    assert saved.status == 200
    assert "保存しました" in saved.text
    assert web.worker_pids() == workers, "no worker was restarted"
    invariants = check_invariants(env)
    assert invariants.returncode == 0, invariants.stdout
