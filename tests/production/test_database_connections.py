"""Persistent database connections with health checks, for PostgreSQL as for SQLite
(reformtracker.env.database_settings)."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from reformtracker.env import database_settings

POSTGRESQL = "postgres://u:p@db:5432/rt"
SQLITE_URL = "sqlite:////srv/db.sqlite3"


@pytest.mark.parametrize("url", [POSTGRESQL, SQLITE_URL, None])
@pytest.mark.parametrize("seconds", [0, 60, 600])
def test_conn_max_age_applies_to_every_database_as_documented(url, seconds):
    assert database_settings(url, "/srv/db.sqlite3", seconds)["CONN_MAX_AGE"] == seconds


def test_postgresql_connections_are_no_longer_kept_60_seconds_whatever_the_variable_says():
    assert database_settings(POSTGRESQL, "/unused", 0)["CONN_MAX_AGE"] == 0


@pytest.mark.parametrize("url", [POSTGRESQL, SQLITE_URL, None])
def test_kept_connections_are_health_checked_unless_turned_off(url):
    assert database_settings(url, "/srv/db.sqlite3", 60)["CONN_HEALTH_CHECKS"] is True
    checked = database_settings(url, "/srv/db.sqlite3", 60, conn_health_checks=False)
    assert checked["CONN_HEALTH_CHECKS"] is False


def test_the_running_settings_check_connections_by_default():
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


def test_a_pool_replaces_the_kept_connection_for_postgresql():
    config = database_settings(POSTGRESQL, "/unused", 60, pool=4)
    pool = config["OPTIONS"]["pool"]
    assert (pool["min_size"], pool["max_size"]) == (1, 4)
    # Django refuses a pool with persistent connections; the pool keeps them instead.
    assert config["CONN_MAX_AGE"] == 0


def test_the_pool_checks_each_connection_it_hands_out():
    from psycopg_pool import ConnectionPool

    pool = database_settings(POSTGRESQL, "/unused", 60, pool=2)["OPTIONS"]["pool"]
    assert pool["check"] is ConnectionPool.check_connection


@pytest.mark.parametrize("url", [SQLITE_URL, None])
def test_sqlite_has_no_pool_to_configure(url):
    config = database_settings(url, "/srv/db.sqlite3", 60, pool=4)
    assert "pool" not in config["OPTIONS"]
    assert config["CONN_MAX_AGE"] == 60


def test_a_pool_of_no_connections_is_refused_at_start_up():
    with pytest.raises(ImproperlyConfigured, match="DATABASE_POOL"):
        database_settings(POSTGRESQL, "/unused", 60, pool=-1)


REUSE = """
import django
django.setup()
from django.db import connection
pids = set()
for _request in range(3):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pids.add(cursor.fetchone()[0])
    connection.close()  # as at the end of each request
print(type(connection.pool).__name__, len(pids))
"""


def _connections_over_three_requests(**env) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", REUSE],
        env={**os.environ, "DJANGO_ENV": "development", "CONN_MAX_AGE": "0", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.split()


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="needs a real PostgreSQL server (DATABASE_URL): the pool is psycopg's",
)
def test_with_a_pool_django_serves_three_requests_on_one_postgresql_connection():
    assert _connections_over_three_requests(DATABASE_POOL="1") == ["ConnectionPool", "1"]
    # Without it (and CONN_MAX_AGE 0) each request opens a connection of its own.
    assert _connections_over_three_requests(DATABASE_POOL="0") == ["NoneType", "3"]
