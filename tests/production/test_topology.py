"""The production topology of one machine, end to end: scripts/run-production.sh starts
PostgreSQL and a streaming read replica of it, two gunicorn app servers (each with its own
private-files folder), the worker and nginx in front, and people use it over real HTTP as their
browsers would.

Through the balancer a department member signs in, edits and submits an answer; the reform office
confirms and publishes; the public page changes. A large report is asked of app server A, made
by the worker, and followed and downloaded through app server B; evidence uploaded through A
downloads from B byte for byte. Both app servers served requests, and nginx serves the static
files itself with the far-future cache header.

The read replica, with both servers logging every statement: an anonymous visitor's public page
is read from the replica on either app server (the primary never sees its query), a department
member's save runs on the primary and nothing of theirs on the replica, and with the replica's
replay paused (a replica lagging behind) the public page right after a publication shows it,
read from the primary, until the replica has caught up.

One topology serves the whole module (starting it is most of the time); the tests run in order
on it. It runs once, in the PostgreSQL pass of `make test`, as it starts its own PostgreSQL.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import time
import uuid
from pathlib import Path
from urllib.parse import urljoin

import pikepdf
import pytest
from django.conf import settings
from django.db import connection

from tests.production import topology as topology_helper
from tests.production.topology import Browser

pytestmark = [
    pytest.mark.topology,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the production topology (its own PostgreSQL, two gunicorns, a worker, nginx) "
        "runs once, in the PostgreSQL pass",
    ),
]

PASSWORD = "demo-pass-2025"  # initiatives/management/commands/load_demo_accounts.py
PLAN = "osaka-shin-shisei-kaikaku"
# Private files in the database, so that two app servers sharing only the database see the
# same files: until that setting exists, a file saved on one server is not on the other.
private_files_shared = pytest.mark.xfail(
    not hasattr(settings, "PRIVATE_FILES_BACKEND"),
    strict=True,
    reason="needs PRIVATE_FILES_BACKEND=database (private files stored in the database)",
)


@pytest.fixture(scope="module")
def topology(tmp_path_factory):
    running = topology_helper.start(
        tmp_path_factory.mktemp("topology"),
        extra_env={
            # The seed's Osaka plan (24 published items) becomes a "large" report: a background
            # job, made by the worker.
            "REPORT_BACKGROUND_THRESHOLD": "5",
            # One web worker per app server, not warming WeasyPrint (no app server makes a PDF
            # here): starting four processes that each import it was most of the boot's CPU.
            "WEB_CONCURRENCY": "1",
            "REPORT_WARM_UP": "off",
        },
    )
    print(f"topology ready in {running.boot_seconds:.1f} s")
    _reopen_the_seed_round(running.balancer)
    yield running
    assert running.stop() in (0, 143), running.stderr_path.read_text()
    # Stopped means stopped: the primary and the replica too (pg_ctl runs them detached).
    for name in ("PG_PID", "PG_REPLICA_PID"):
        assert _exited(int(running.env[name])), f"{name} still runs after the script stopped"


def _exited(pid: int, within: float = 10.0) -> bool:
    """Whether process ``pid`` has exited, within ``within`` seconds. pg_ctl's wait ends when
    the server removes its pid file, a moment before the process itself ends; and a server
    detached by pg_ctl is the child of the machine's first process, which may leave it a zombie
    (exited, not yet reaped) for a while."""
    deadline = time.monotonic() + within
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return True
        if state in ("Z", "X"):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)


def _reopen_the_seed_round(base: str) -> None:
    """The seed's round is published (公表済), so read-only: the office reopens it for a
    correction through the balancer, as a city would, so departments have answers to work on
    (again after a test publishes it)."""
    office = _signed_in(base, "osaka-office")
    rounds = office.get(f"{base}/staff/rounds/").text
    round_id = re.search(r'href="/staff/rounds/(\d+)/"', rounds)[1]
    page = office.get(f"{base}/staff/rounds/{round_id}/").text
    if 'data-testid="round-read-only"' not in page:
        return  # open already
    reopened = office.post(f"{base}/staff/rounds/{round_id}/reopen/", {"reason": "訂正のため再開"})
    assert reopened.status_code == 200 and "受付中" in reopened.text, reopened.text[:500]


def _version(html: str) -> str:
    return re.search(r'name="version"[^>]*value="(\d+)"', html)[1]


def _entries_of(html: str) -> list[str]:
    return list(dict.fromkeys(re.findall(r'href="/staff/entries/(\d+)/"', html)))


def _signed_in(base: str, username: str) -> Browser:
    browser = Browser()
    page = browser.sign_in(base, username, PASSWORD)
    assert page.status_code == 200 and "担当の取組項目" in page.text, page.text[:500]
    return browser


def _transition(browser: Browser, base: str, entry: str, action: str, comment="") -> str:
    page = browser.get(f"{base}/staff/entries/{entry}/").text
    response = browser.post(
        f"{base}/staff/entries/{entry}/{action}/",
        {"version": _version(page), "comment": comment},
    )
    assert response.status_code == 200, response.text[:500]
    return response.text


def _state(html: str) -> str:
    return re.search(r'data-testid="entry-state"[^>]*>([^<]+)<', html)[1].strip()


def _returned_for_correction(topology, entry: str) -> None:
    """The office returns a published answer for a correction (the seed's round is published)."""
    office = _signed_in(topology.balancer, "osaka-office")
    page = _transition(office, topology.balancer, entry, "return", "追記をお願いします。")
    assert _state(page) == "差戻し"


def _query(topology, sql: str, *params) -> list[tuple]:
    return topology_helper.query(topology.env["DATABASE_URL"], sql, *params)


def _query_replica(topology, sql: str, *params) -> list[tuple]:
    return topology_helper.query(topology.replica_url, sql, *params)


def test_it_prints_one_ready_line_and_writes_where_every_part_is(topology):
    assert set(topology.env) == {
        "DATABASE_URL",
        "PG_DATA",
        "PG_BINDIR",
        "PG_RUN_AS",
        "BALANCER_URL",
        "APP_A_URL",
        "APP_B_URL",
        "PG_PID",
        "APP_A_PID",
        "APP_B_PID",
        "WORKER_PID",
        "NGINX_PID",
        "CACHE_URL",
        "MEMCACHED_PID",
        "DATABASE_REPLICA_URL",
        "PG_REPLICA_DATA",
        "PG_REPLICA_PID",
    }
    assert topology.env["DATABASE_URL"].startswith("postgresql://")
    # Both app servers share one memcached, the public pages' cache.
    assert topology.env["CACHE_URL"].startswith("memcached://127.0.0.1:")
    # The read replica: a hot standby of the primary, streaming its log.
    assert topology.replica_url.startswith("postgresql://")
    assert topology.replica_url != topology.env["DATABASE_URL"]
    assert _query_replica(topology, "SELECT pg_is_in_recovery()") == [(True,)]
    assert _query_replica(topology, "SELECT status FROM pg_stat_wal_receiver") == [("streaming",)]
    for url in (topology.balancer, topology.app_a, topology.app_b):
        assert Browser().get(url + "/readyz").text == "ready"
    assert len({topology.balancer, topology.app_a, topology.app_b}) == 3


@pytest.fixture(scope="module")
def department_entry(topology) -> str:
    """The answer the department edits in these tests: the first on its worklist at the start."""
    staff = _signed_in(topology.balancer, "osaka-kankyo")
    return _entries_of(staff.get(f"{topology.balancer}/staff/").text)[0]


def _an_answer_edited(topology, entry: str, narrative: str) -> tuple[Browser, str]:
    """The department member's answer, returned for a correction unless it is open already,
    saved with ``narrative`` through the balancer (a plain form post, as without JavaScript):
    (their browser, the answer's public page's URL)."""
    base = topology.balancer
    _reopen_the_seed_round(base)  # a test before published it again
    staff = _signed_in(base, "osaka-kankyo")
    entry_page = staff.get(f"{base}/staff/entries/{entry}/").text
    public_url = urljoin(base, re.search(r'<a href="([^"]+)">取組項目のページ</a>', entry_page)[1])
    if _state(entry_page) not in ("差戻し", "入力中"):
        _returned_for_correction(topology, entry)
    page = staff.get(f"{base}/staff/entries/{entry}/").text
    saved = staff.post(
        f"{base}/staff/entries/{entry}/",
        {
            "result": "achieved",
            "reason": "",
            "narrative": narrative,
            "staff_comment": "",
            "version": _version(page),
        },
    )
    assert saved.status_code == 200 and _state(saved.text) == "入力中"
    return staff, public_url


def _submitted_confirmed_and_published(topology, staff: Browser, entry: str) -> None:
    """The department submits; the office confirms, then publishes the round."""
    base = topology.balancer
    assert _state(_transition(staff, base, entry, "submit")) == "提出済"
    office = _signed_in(base, "osaka-office")
    assert _state(_transition(office, base, entry, "confirm")) == "確認済"
    round_id = re.search(r'href="/staff/rounds/(\d+)/"', office.get(f"{base}/staff/rounds/").text)[
        1
    ]
    office.get(f"{base}/staff/rounds/{round_id}/")
    published = office.post(f"{base}/staff/rounds/{round_id}/publish/", {})
    assert "公表しました。" in published.text


def _shown_within(visitor: Browser, url: str, text: str, seconds: float) -> str:
    """The page at ``url`` once it shows ``text``, polled as a visitor reloads it."""
    deadline = time.monotonic() + seconds
    while text not in (shown := visitor.get(url).text):
        assert time.monotonic() < deadline, f"{text!r} never reached {url}"
        time.sleep(0.5)
    return shown


def test_a_department_submits_the_office_confirms_and_publishes_and_the_public_page_changes(
    topology, department_entry
):
    narrative = "令和7年4月から全区で委託を開始した（本番構成の試験）。"
    visitor = Browser()
    staff, public_url = _an_answer_edited(topology, department_entry, narrative)
    assert narrative not in visitor.get(public_url).text
    _submitted_confirmed_and_published(topology, staff, department_entry)
    # The public page shows it, through the balancer, from whichever app server answers
    # (each notices the new publication within PUBLIC_PAGE_FINGERPRINT_SECONDS).
    assert "達成" in _shown_within(visitor, public_url, narrative, 10)


# --- the read replica -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def statements_logged(topology):
    topology.log_statements()
    return topology


def _searched(url: str) -> str:
    """A visitor's search of the initiative browser for a word no one searched before: a page
    no cache holds, and a word that names its queries in the servers' logs."""
    word = f"rt{uuid.uuid4().hex[:12]}"
    response = Browser().get(f"{url}/initiatives/?q={word}")
    assert response.status_code == 200
    return word


def _ran_with(statements: list[str], word: str) -> list[str]:
    return [sql for sql in statements if word in sql]


def _upstream_of(topology, word: str) -> str:
    # nginx writes the access-log line after the response has gone, so the client can be
    # ahead of it by a moment.
    deadline = time.monotonic() + 5
    while True:
        log = topology.log("nginx-access").splitlines()
        lines = [line for line in log if f"?q={word} " in line]
        if lines or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    (line,) = lines
    return re.search(r"upstream=127\.0\.0\.1:(\d+) ", line)[1]


def test_an_anonymous_visitors_public_page_is_read_from_the_replica_on_both_app_servers(
    statements_logged,
):
    topology = statements_logged
    app_ports = {url.rsplit(":", 1)[1] for url in (topology.app_a, topology.app_b)}
    served_by = set()
    for _ in range(6):  # round-robin: consecutive requests go to A and B
        with topology.watch() as ran:
            word = _searched(topology.balancer)
        assert _ran_with(ran.replica, word), "the search ran on the replica"
        assert _ran_with(ran.primary, word) == [], "and not on the primary"
        served_by.add(_upstream_of(topology, word))
        if served_by == app_ports:
            break
    assert served_by == app_ports


def test_a_department_members_save_runs_on_the_primary_and_nothing_of_theirs_on_the_replica(
    statements_logged, department_entry
):
    topology = statements_logged
    narrative = f"主担当課の入力（{uuid.uuid4().hex[:8]}）"
    with topology.watch() as ran:
        _an_answer_edited(topology, department_entry, narrative)
    assert any(
        sql.startswith('UPDATE "evaluations_entry"') for sql in _ran_with(ran.primary, narrative)
    )
    assert ran.replica == [], "staff and the office read their own writes on the primary"
    # The replica holds the save only by streaming it from the primary.
    entry_text = "SELECT count(*) FROM evaluations_entry WHERE narrative = %s"
    deadline = time.monotonic() + 30
    while _query_replica(topology, entry_text, narrative) != [(1,)]:
        assert time.monotonic() < deadline, "the save never reached the replica"
        time.sleep(0.2)


def test_the_page_right_after_a_publication_shows_it_while_the_replica_lags_behind(
    statements_logged, department_entry
):
    topology = statements_logged
    narrative = f"公表直後の試験（{uuid.uuid4().hex[:8]}）"
    staff, public_url = _an_answer_edited(topology, department_entry, narrative)
    publications = "SELECT count(*) FROM evaluations_publication"
    _query_replica(topology, "SELECT pg_wal_replay_pause()")
    try:
        _submitted_confirmed_and_published(topology, staff, department_entry)
        assert _query_replica(topology, publications) != _query(topology, publications)
        # Both app servers show the publication at once, read from the primary: the replica
        # has not replayed it.
        for app in (topology.app_a, topology.app_b):
            path = public_url.removeprefix(topology.balancer)
            assert "達成" in _shown_within(Browser(), app + path, narrative, 10)
        assert _query_replica(topology, publications) != _query(topology, publications)
        with topology.watch() as ran:
            words = [_searched(topology.app_a), _searched(topology.app_b)]
        for word in words:
            assert _ran_with(ran.primary, word), "read from the primary while the replica lags"
            assert _ran_with(ran.replica, word) == []
    finally:
        _query_replica(topology, "SELECT pg_wal_replay_resume()")

    deadline = time.monotonic() + 30
    while _query_replica(topology, publications) != _query(topology, publications):
        assert time.monotonic() < deadline, "the replica never caught up"
        time.sleep(0.2)
    with topology.watch() as ran:
        word = _searched(topology.balancer)
    assert _ran_with(ran.replica, word), "caught up: read from the replica again"
    assert _ran_with(ran.primary, word) == []


def _report_job(topology) -> tuple[Browser, str]:
    """The office asks app server A for the plan's report: a background job (its page on A)."""
    office = _signed_in(topology.app_a, "osaka-office")
    office.get(f"{topology.app_a}/office/reports/")
    response = office.post(f"{topology.app_a}/office/reports/{PLAN}/2024/jobs/", {})
    assert response.status_code == 200
    job = re.fullmatch(rf"{re.escape(topology.app_a)}/office/reports/jobs/([^/]+)/", response.url)
    assert job, response.url
    return office, job[1]


@pytest.fixture(scope="module")
def report_job(topology):
    return _report_job(topology)


def _finished(topology, office: Browser, job_id: str) -> None:
    """Polls the job's page on app server B, as the office's browser does, until it is done."""
    job_on_b = f"{topology.app_b}/office/reports/jobs/{job_id}/"
    deadline = time.monotonic() + 60
    while "PDFをダウンロード" not in (page := office.get(job_on_b).text):
        assert "失敗" not in page, page
        assert time.monotonic() < deadline, "the worker did not finish the report"
        time.sleep(0.5)


def test_a_report_asked_of_a_is_made_by_the_worker_and_followed_on_b(topology, report_job):
    office, job_id = report_job
    _finished(topology, office, job_id)
    # The task was claimed by the worker process the script started (its heartbeat row names
    # its pid), not run inside either app server's request.
    (worker_id,) = _query(
        topology,
        "SELECT worker_id FROM evaluations_workerheartbeat WHERE pid = %s",
        int(topology.env["WORKER_PID"]),
    )[0]
    (claimed_by,) = _query(
        topology,
        "SELECT worker_ids FROM django_tasks_database_dbtaskresult "
        "WHERE status = 'SUCCESSFUL' AND args_kwargs::text LIKE %s",
        f"%{job_id}%",
    )[0]
    assert claimed_by == [worker_id]


@private_files_shared
def test_the_report_the_worker_made_downloads_through_b_as_a_pdf(topology, report_job):
    office, job_id = report_job
    _finished(topology, office, job_id)
    download = office.get(f"{topology.app_b}/office/reports/jobs/{job_id}/download/")
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "application/pdf"
    with pikepdf.open(io.BytesIO(download.content)) as document:
        assert len(document.pages) > 1


@private_files_shared
def test_evidence_uploaded_through_a_downloads_byte_identical_through_b(topology):
    _reopen_the_seed_round(topology.balancer)  # an earlier test published it again
    staff_a = _signed_in(topology.app_a, "osaka-kankyo")
    entry = _entries_of(staff_a.get(f"{topology.app_a}/staff/").text)[-1]
    _returned_for_correction(topology, entry)
    staff_a.get(f"{topology.app_a}/staff/entries/{entry}/")
    evidence = b"%PDF-1.4\n" + bytes(range(256)) * 64 + b"\n%%EOF\n"
    added = staff_a.post(
        f"{topology.app_a}/staff/entries/{entry}/evidence/add/",
        {"title": "委託契約書", "url": ""},
        files={"file": ("keiyaku.pdf", evidence, "application/pdf")},
    )
    assert added.status_code == 200, added.text[:500]
    (link,) = set(re.findall(r'href="(/staff/evidence/\d+/)"', added.text))

    staff_b = _signed_in(topology.app_b, "osaka-kankyo")
    download = staff_b.get(topology.app_b + link)
    assert download.status_code == 200
    assert download.content == evidence


def _access_lines(log: str) -> list[dict]:
    return [
        entry
        for line in log.splitlines()
        if line.startswith("{")
        and (entry := json.loads(line)).get("logger") == "reformtracker.access"
    ]


def test_both_app_servers_served_requests_through_the_balancer(topology):
    for _ in range(6):
        Browser().get(topology.balancer + "/")
    upstreams = re.findall(
        r'"GET / HTTP/1\.1" 200 \d+ upstream=(\S+)', topology.log("nginx-access")
    )
    app_ports = {url.rsplit(":", 1)[1] for url in (topology.app_a, topology.app_b)}
    assert {u.rsplit(":", 1)[1] for u in upstreams} == app_ports
    for name in ("app-a", "app-b"):
        served = [line for line in _access_lines(topology.log(name)) if line["path"] == "/"]
        assert served, f"{name} served no page"


def test_static_files_come_from_nginx_cached_for_good(topology):
    page = Browser().get(topology.balancer + "/").text
    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page)[1]
    response = Browser().get(topology.balancer + stylesheet, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "max-age=315360000, public, immutable"
    assert response.headers["Content-Encoding"] == "gzip"
    # nginx answered it from disk (no upstream), and neither app server saw it.
    (line,) = [
        line for line in topology.log("nginx-access").splitlines() if f"GET {stylesheet} " in line
    ]
    assert "upstream=- " in line
    for name in ("app-a", "app-b"):
        assert stylesheet not in topology.log(name)


def test_text_goes_out_gzipped_through_the_balancer(topology):
    base, gzip_accepted = topology.balancer, {"Accept-Encoding": "gzip"}
    results = f"{base}/open-data/{PLAN}/2024/results.json"
    plain = Browser().get(results)
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    # A stored page: the app's own gzip copy, made once, passed through with its strong ETag.
    stored = Browser().get(results, headers=gzip_accepted)
    assert stored.headers["X-Public-Cache"] == "hit"
    assert stored.headers["Content-Encoding"] == "gzip"
    assert stored.headers["ETag"] == plain.headers["ETag"][:-1] + '-gzip"'
    assert gzip.decompress(stored.content) == plain.content
    # A page rendered for one visitor (signed in: never stored) is gzipped by nginx, which
    # makes its ETag weak (the app compares weakly: tests/dashboard/test_compressed_pages.py).
    staff = _signed_in(base, "osaka-office")
    page = staff.get(f"{base}/plans/{PLAN}/", headers=gzip_accepted)
    assert page.headers["X-Public-Cache"] == "bypass"
    assert page.headers["Content-Encoding"] == "gzip"
    assert page.headers["ETag"].startswith('W/"')
    assert "達成率" in gzip.decompress(page.content).decode()
    # The staff's own pages, with no ETag, are gzipped too.
    worklist = staff.get(f"{base}/staff/", headers=gzip_accepted)
    assert worklist.headers["Content-Encoding"] == "gzip"
    assert "担当の取組項目" in gzip.decompress(worklist.content).decode()
