"""Processes killed with SIGKILL mid-work, against PostgreSQL:

- a gunicorn worker in the middle of a publish: the publish is all or nothing. Nothing in the
  product waits for the test: the test holds a row lock (in its own connection, as another
  editor's transaction would) on an entry the publish moves to 公表 after it has already
  written the 時点 and its result rows, so the publish waits inside its transaction; the
  worker is killed there. Nothing of it remains; a second publish succeeds.
- the ``db_worker`` in the middle of a report: before REPORT_JOB_STALE_SECONDS nobody can tell a
  dead worker from a slow one, so ``check_invariants`` is clean; after it, the job is reported
  stuck until a poll shows it failed with a Japanese message, and then all is clean again.

The test owns its PostgreSQL server (tests/production/pgserver.py); PostgreSQL pass only.
"""

import os
import signal
import subprocess
import sys
import threading
import time

import psycopg
import pytest
from django.db import connection

from tests.constants import OSAKA
from tests.production import pgserver
from tests.production.appserver import (
    ROOT,
    Gunicorn,
    check_invariants,
    prepare,
    production_env,
)

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="kills processes mid-transaction on a PostgreSQL server of its own: "
        "run in the PostgreSQL pass only",
    ),
    pytest.mark.skipif(not pgserver.available(), reason="PostgreSQL 15 binaries not installed"),
]

STALE_SECONDS = 6


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("kills")
    with pgserver.PostgresServer() as pg:
        env = production_env(
            tmp,
            pg.url,
            TASKS_BACKEND="django_tasks_db.DatabaseBackend",
            REPORT_JOB_STALE_SECONDS=STALE_SECONDS,
            REPORT_PROCESSES=1,
        )
        ids = prepare(env, confirm_all=True)
        yield pg, env, ids, tmp


def _count(pg, sql: str) -> int:
    return int(pg.psql(sql))


def _publish_waiting_on_the_lock(pg) -> int | None:
    """The backend of a publish waiting on a row lock to move entries to 公表, if there is one,
    provided it already holds the result rows it wrote (its lock on their table)."""
    found = pg.psql(
        "SELECT a.pid FROM pg_stat_activity a WHERE a.wait_event_type = 'Lock' "
        "AND a.query LIKE 'UPDATE \"evaluations_entry\"%' AND EXISTS ("
        "SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
        "WHERE l.pid = a.pid AND c.relname = 'evaluations_publishedresult' "
        "AND l.mode = 'RowExclusiveLock')"
    )
    return int(found) if found else None


def test_a_worker_killed_mid_publish_leaves_nothing_of_it_and_a_retry_publishes(site):
    pg, env, ids, tmp = site
    round_id = ids["round"]
    publications = f"SELECT count(*) FROM evaluations_publication WHERE round_id = {round_id}"
    with Gunicorn(env, pgserver.free_port(), workers=1, log=tmp / "publish.log") as web:
        (worker,) = web.worker_pids()
        holder = psycopg.connect(pg.url)
        holder.execute(
            "SELECT id FROM evaluations_entry WHERE round_id = %s ORDER BY id DESC LIMIT 1 "
            "FOR UPDATE",
            [round_id],
        )
        answers = []
        publish = threading.Thread(
            target=lambda: answers.append(
                _quietly(web.post, f"/staff/rounds/{round_id}/publish/", {}, session=ids["office"])
            )
        )
        publish.start()
        try:
            waiting = None
            deadline = time.monotonic() + 30
            while waiting is None and time.monotonic() < deadline:
                waiting = _publish_waiting_on_the_lock(pg)
                time.sleep(0.05)
            assert waiting, "the publish reached the entries' UPDATE with its rows written"
            os.kill(worker, signal.SIGKILL)
        finally:
            holder.rollback()
            holder.close()
        publish.join(timeout=30)
        assert answers and answers[0] is None, "the browser got no answer"
        pgserver.wait_until(lambda: _backend_gone(pg, waiting), timeout=30)

        assert _count(pg, publications) == 0
        assert _count(pg, "SELECT count(*) FROM evaluations_publishedresult") == _seed_results(pg)
        assert (
            _count(
                pg,
                f"SELECT count(*) FROM evaluations_entry WHERE round_id = {round_id} "
                "AND state <> 'confirmed'",
            )
            == 0
        )
        invariants = check_invariants(env)
        assert invariants.returncode == 0, invariants.stdout

        # gunicorn replaced the worker; the office presses 公表 again.
        pgserver.wait_until(lambda: len(web.worker_pids()) == 1, timeout=30)
        assert web.worker_pids() != {worker}
        retried = web.post(f"/staff/rounds/{round_id}/publish/", {}, session=ids["office"])
        assert retried.status == 302
    assert _count(pg, publications) == 1
    assert (
        _count(
            pg,
            "SELECT count(*) FROM evaluations_publishedresult r JOIN evaluations_publication p "
            f"ON p.id = r.publication_id WHERE p.round_id = {round_id}",
        )
        == ids["entries"]
    )
    invariants = check_invariants(env)
    assert invariants.returncode == 0, invariants.stdout


def _quietly(call, *args, **kwargs):
    """The response, or None when the connection died without one (the worker was killed)."""
    try:
        return call(*args, **kwargs)
    except OSError:
        return None


def _backend_gone(pg, pid: int) -> bool:
    return _count(pg, f"SELECT count(*) FROM pg_stat_activity WHERE pid = {pid}") == 0


def _seed_results(pg) -> int:
    """The result rows of the seed's own publications (other rounds)."""
    return _count(
        pg,
        "SELECT count(*) FROM evaluations_publishedresult r JOIN evaluations_publication p "
        "ON p.id = r.publication_id JOIN evaluations_round o ON o.id = p.round_id "
        "WHERE o.fiscal_year <> 2025",
    )


def test_a_db_worker_killed_mid_report_is_reported_stuck_after_the_stale_time_then_failed(site):
    pg, env, ids, tmp = site
    with Gunicorn(env, pgserver.free_port(), workers=1, log=tmp / "report.log") as web:
        # The office asks for the report on the web; the job waits for a worker.
        asked = web.post(f"/office/reports/{OSAKA}/2024/jobs/", {}, session=ids["office"])
        assert asked.status == 302
        job_url = asked.headers["Location"]
        job_id = job_url.rstrip("/").rsplit("/", 1)[1]
        job = f"SELECT state, percent FROM evaluations_reportjob WHERE id = '{job_id}'"
        assert pg.psql(job).split("|")[0] == "queued"
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.1"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            pgserver.wait_until(lambda: pg.psql(job).split("|")[0] != "queued", timeout=60)
            state, percent = pg.psql(job).split("|")
            assert state == "running", (state, percent)
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=30)
        killed = time.monotonic()

        # Within the stale time the job is as a slow one would be: not (yet) a violation.
        early = check_invariants(env)
        if time.monotonic() - killed < STALE_SECONDS:
            assert early.returncode == 0, early.stdout
        assert pg.psql(job).split("|")[0] == "running"

        time.sleep(max(0, killed + STALE_SECONDS + 1 - time.monotonic()))
        late = check_invariants(env)
        assert late.returncode == 1
        assert "作成中のまま6秒以上応答のない報告書の作成ジョブが1件あります" in late.stdout
        assert job_id in late.stdout

        # The requester's next poll shows it failed, with the Japanese message; then all holds.
        polled = web.get(job_url, session=ids["office"], headers={"HX-Request": "true"})
        assert polled.status == 200
        assert "レポートの作成が中断されました。もう一度お試しください。" in polled.text
        assert "hx-trigger" not in polled.text, "the page stops polling"
    assert pg.psql(job).split("|")[0] == "failed"
    invariants = check_invariants(env)
    assert invariants.returncode == 0, invariants.stdout
