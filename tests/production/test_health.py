"""/healthz says the process is alive; /readyz says it can serve: the database answers
(reformtracker.health). A balancer takes a server whose database is unreachable out of rotation,
and the health check keeps saying it is alive, so nothing restarts it for the database's fault."""

from unittest import mock

import pytest
from django.db import OperationalError, connections
from django.db.backends.sqlite3.base import DatabaseWrapper
from django.test import Client
from django.test.utils import CaptureQueriesContext

from reformtracker import health

pytestmark = pytest.mark.django_db


def _database_down():
    return mock.patch.object(
        connections["default"],
        "ensure_connection",
        side_effect=OperationalError("connection refused"),
    )


def test_a_ready_server_says_so():
    response = Client().get("/readyz")
    assert response.status_code == 200
    assert response.content == b"ready"
    assert "no-cache" in response["Cache-Control"]


def test_readiness_asks_the_database_and_health_does_not():
    with CaptureQueriesContext(connections["default"]) as ready:
        Client().get("/readyz")
    with CaptureQueriesContext(connections["default"]) as alive:
        Client().get("/healthz")
    assert [q["sql"] for q in ready.captured_queries] == ["SELECT 1"]
    assert alive.captured_queries == []


def test_a_server_whose_database_is_down_is_not_ready_but_still_alive():
    with _database_down():
        ready = Client().get("/readyz")
        alive = Client().get("/healthz")
    assert ready.status_code == 503
    assert ready.content == b"not ready: database unreachable"
    assert alive.status_code == 200


def test_a_database_that_cannot_be_reached_at_all_is_reported(tmp_path):
    # A real failure, not a patched one: a SQLite file in a folder that does not exist.
    unreachable = DatabaseWrapper(
        {**connections["default"].settings_dict, "NAME": str(tmp_path / "missing" / "db.sqlite3")},
        "unreachable",
    )
    with mock.patch.object(health, "connection", unreachable):
        assert health.problems() == ["database unreachable"]


def test_the_outage_is_logged_for_the_operator(caplog):
    with _database_down(), caplog.at_level("WARNING", logger="reformtracker.health"):
        Client().get("/readyz", headers={"X-Request-ID": "lb-probe-1"})
    (record,) = [r for r in caplog.records if r.name == "reformtracker.health"]
    assert "database unreachable: connection refused" in record.getMessage()


def test_every_readiness_check_is_asked_and_each_problem_named(monkeypatch):
    monkeypatch.setattr(
        health, "READINESS_CHECKS", [*health.READINESS_CHECKS, lambda: "worker heartbeat stale"]
    )
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.content == b"not ready: worker heartbeat stale"
    with _database_down():
        response = Client().get("/readyz")
    assert response.content == b"not ready: database unreachable; worker heartbeat stale"
