"""Two real app servers sharing one memcached (CACHE_URL), as scripts/run-production.sh runs them:

- a page stored through one server is served from the cache through the other;
- a round published through server A shows through server B on the very next request, although
  each process is allowed to keep the publication fingerprint for a minute: the fingerprint is
  in the shared cache, and publishing puts the new one there;
- with memcached gone, both servers still answer every page (rendered, not refused);
- a page's gzip copy, made once as one server stored it, is what the other serves to a client
  that accepts gzip.

Each server has its own database connections and its own processes; they share only PostgreSQL
and memcached. PostgreSQL pass only (the servers need a database of their own).
"""

import gzip
import os
import shutil
import signal
import subprocess
import time

import pytest
from django.db import connection

from tests.constants import OSAKA
from tests.production import pgserver
from tests.production.appserver import Gunicorn, prepare, production_env

MEMCACHED = shutil.which("memcached") or "/usr/bin/memcached"

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
PLAN_JSON = f"/open-data/plans/{OSAKA}.json"


def _memcached(port: int) -> subprocess.Popen:
    root = ["-u", "root"] if os.geteuid() == 0 else []
    process = subprocess.Popen(
        [MEMCACHED, "-l", "127.0.0.1", "-p", str(port), "-U", "0", "-m", "32", *root],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(0.3)
    assert process.poll() is None, "memcached did not start"
    return process


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """(A, B, the office's session, the open round, memcached) over one database."""
    tmp = tmp_path_factory.mktemp("shared-cache")
    cache_port = pgserver.free_port()
    cache = _memcached(cache_port)
    try:
        with pgserver.PostgresServer() as pg:
            env = production_env(
                tmp,
                pg.url,
                CACHE_URL=f"memcached://127.0.0.1:{cache_port}",
                # A minute: what shows a publication at once is the shared fingerprint.
                PUBLIC_PAGE_FINGERPRINT_SECONDS=60,
                PUBLIC_PAGE_LOCAL_ENTRIES=200,
            )
            ids = prepare(env, confirm_all=True)
            a = Gunicorn({**env, "PRIVATE_MEDIA_ROOT": str(tmp / "a")}, pgserver.free_port())
            b = Gunicorn({**env, "PRIVATE_MEDIA_ROOT": str(tmp / "b")}, pgserver.free_port())
            with a, b:
                yield a, b, ids, cache
    finally:
        if cache.poll() is None:
            cache.send_signal(signal.SIGTERM)
            cache.wait(timeout=10)


def _get(server, path):
    """A visitor's request as the balancer passes it on: the same Host whichever server
    answers (nginx's $http_host), so both servers' pages have the same keys."""
    return server.get(path, headers={"Host": "127.0.0.1"})


def _results_2025(server):
    """令和7年度's results as open data: 404 until its round is published."""
    return _get(server, f"/open-data/{OSAKA}/2025/results.json")


def test_a_page_stored_through_one_server_is_served_from_the_cache_through_the_other(servers):
    a, b, _ids, _cache = servers
    path = f"/initiatives/?plan={OSAKA}&q=%E6%A5%AD%E5%8B%99"
    first = _get(b, path)
    assert first.status == 200 and first.headers["X-Public-Cache"] == "miss"
    # Every worker of A: none rendered it, each finds B's copy.
    for _ in range(4):
        again = _get(a, path)
        assert again.status == 200
        assert again.headers.get("X-Public-Cache") == "hit"
        assert again.body == first.body


def test_the_gzip_copy_stored_through_one_server_is_served_through_the_other(servers):
    a, b, _ids, _cache = servers
    path = f"/open-data/{OSAKA}/2024/results.csv"
    plain = _get(a, path)
    assert plain.status == 200 and "Content-Encoding" not in plain.headers
    for _ in range(4):
        zipped = b.get(path, headers={"Host": "127.0.0.1", "Accept-Encoding": "gzip"})
        assert zipped.headers["X-Public-Cache"] == "hit"
        assert zipped.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(zipped.body) == plain.body


def test_a_round_published_through_one_server_shows_through_the_other_at_once(servers):
    a, b, ids, _cache = servers
    page_before = _get(b, PLAN_PAGE)
    assert _get(b, PLAN_PAGE).headers["X-Public-Cache"] == "hit"
    assert _get(a, PLAN_PAGE).headers["X-Public-Cache"] == "hit"
    assert _results_2025(b).status == 404

    published = a.post(f"/staff/rounds/{ids['round']}/publish/", {}, session=ids["office"])
    assert published.status == 302

    # The very next requests through B, with no wait: the new 時点, rendered afresh.
    results = _results_2025(b)
    assert results.status == 200 and "2026-03-31" in results.text
    page_after = _get(b, PLAN_PAGE)
    assert page_after.status == 200
    assert page_after.headers["X-Public-Cache"] == "miss"
    assert page_after.headers["ETag"] != page_before.headers["ETag"]
    assert _get(a, PLAN_PAGE).body == page_after.body


def test_with_memcached_gone_both_servers_still_answer_every_page(servers):
    a, b, _ids, cache = servers
    cache.send_signal(signal.SIGTERM)
    cache.wait(timeout=10)
    for server in (a, b, a, b):
        for path in ("/", PLAN_PAGE, PLAN_JSON, f"/initiatives/?plan={OSAKA}&result=achieved"):
            assert _get(server, path).status == 200, path
