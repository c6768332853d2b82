"""One log line per request (reformtracker.access_log): method, path, status, duration, request
id and user, a JSON object in production (reformtracker.log_lines.JsonFormatter)."""

import io
import json
import logging

import pytest
from django.test import Client

from reformtracker.log_lines import JsonFormatter
from tests.personas import client_for

pytestmark = pytest.mark.django_db

ACCESS = logging.getLogger("reformtracker.access")


@pytest.fixture
def access_log(settings, caplog):
    """The access log on, as in production, its records in caplog."""
    settings.ACCESS_LOG = True
    ACCESS.addHandler(caplog.handler)
    yield caplog
    ACCESS.removeHandler(caplog.handler)


def _lines(caplog):
    return [r for r in caplog.records if r.name == "reformtracker.access"]


def test_a_visitors_request_is_one_line_with_its_fields(access_log):
    Client().get("/healthz?probe=1", headers={"X-Request-ID": "access-1"})
    (line,) = _lines(access_log)
    assert (line.method, line.path, line.status, line.user) == ("GET", "/healthz", 200, "-")
    assert line.request_id == "access-1"
    assert isinstance(line.duration_ms, float) and line.duration_ms >= 0
    # The CPU the request used: never more than its time (one thread), a bit of it.
    assert isinstance(line.cpu_ms, float) and 0 <= line.cpu_ms <= line.duration_ms + 0.1
    assert line.cache == "-"  # not a stored public page


def test_the_line_says_whether_the_page_cache_served_a_public_page(access_log, page_cache, world):
    anonymous = client_for(world, "anonymous")
    anonymous.get("/")
    anonymous.get("/")
    assert [(r.path, r.cache) for r in _lines(access_log)] == [("/", "miss"), ("/", "hit")]


def test_a_page_that_works_the_cpu_says_so(access_log, world):
    """The staff entry page renders a form and its history: it costs measurable CPU, which is
    what the line is for (bench/bench_load.py adds them up per kind of request)."""
    client_for(world, "staff_a").get(f"/staff/entries/{world.entry_a.pk}/")
    (line,) = _lines(access_log)
    assert line.status == 200 and line.cpu_ms > 0


def test_a_signed_in_users_request_names_their_id(access_log, world):
    client_for(world, "staff_a").get("/staff/")
    (line,) = _lines(access_log)
    assert line.user == world.users["staff_a"].pk
    assert line.status == 200


def test_refused_and_missing_pages_are_logged_with_their_status(access_log, world):
    Client().get("/no-such-page/")
    client_for(world, "staff_b").get(f"/staff/entries/{world.entry_a.pk}/")
    assert [(r.path, r.status) for r in _lines(access_log)] == [
        ("/no-such-page/", 404),
        (f"/staff/entries/{world.entry_a.pk}/", 404),
    ]


def test_the_access_log_is_off_unless_asked_for(settings, caplog):
    settings.ACCESS_LOG = False
    ACCESS.addHandler(caplog.handler)
    try:
        Client().get("/healthz")
    finally:
        ACCESS.removeHandler(caplog.handler)
    assert _lines(caplog) == []


def test_in_json_the_line_is_one_object_with_every_field(access_log):
    Client().get("/healthz", headers={"X-Request-ID": "access-json"})
    (record,) = _lines(access_log)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["logger"] == "reformtracker.access"
    assert entry["level"] == "INFO"
    assert entry["request_id"] == "access-json"
    assert entry["time"].endswith("+00:00")
    assert {k: entry[k] for k in ("method", "path", "status", "user", "cache")} == {
        "method": "GET",
        "path": "/healthz",
        "status": 200,
        "user": "-",
        "cache": "-",
    }
    assert isinstance(entry["cpu_ms"], float)
    assert entry["message"] == f"GET /healthz 200 {entry['duration_ms']}ms"


def test_what_a_visitor_types_into_the_path_stays_inside_the_json_line(settings):
    settings.ACCESS_LOG = True
    # The configured handler (pytest may add its own capturing ones beside it).
    (handler,) = [h for h in ACCESS.handlers if type(h) is logging.StreamHandler]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    formatter = handler.formatter
    handler.setFormatter(JsonFormatter())
    try:
        Client().get("/%0Afake%20line%E2%80%A8%C2%85/", headers={"X-Request-ID": "access-2"})
    finally:
        handler.setStream(previous)
        handler.setFormatter(formatter)
    (line,) = stream.getvalue().splitlines()
    assert json.loads(line)["path"] == "/\nfake line\u2028\x85/"
    assert json.loads(line)["request_id"] == "access-2"
