"""Persistent database connections with health checks, for PostgreSQL as for SQLite
(reformtracker.env.database_settings)."""

import pytest
from django.conf import settings

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
