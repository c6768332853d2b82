"""Sign-in hardening: lock-out per username + address with a cool-off, idle timeout, password
rules, CSRF on htmx requests, security events in the log, and a clean `check --deploy`."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reformtracker.sessions import renew_after
from tests.personas import HTMX, PASSWORD, client_for, edit_data


def sign_in(client, username, password, ip="192.0.2.10"):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_it_signs_in_and_lands_on_the_worklist(world):
    client = Client()
    response = sign_in(client, "staff-a", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/staff/"
    assert "担当の取組項目" in client.get("/staff/").content.decode()


def test_it_locks_a_username_and_address_pair_for_the_cool_off_only(world, time_machine, caplog):
    caplog.set_level(logging.INFO, logger="reformtracker")
    time_machine.move_to(timezone.now(), tick=False)
    attacker = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(attacker, "staff-a", "wrong-password", ip="198.51.100.7")
    locked = sign_in(attacker, "staff-a", PASSWORD, ip="198.51.100.7")
    assert locked.status_code == 429
    assert "ログインを一時的に停止しました" in locked.content.decode()
    # The colleague, from their own address, is not locked out by someone else's failures.
    assert sign_in(Client(), "staff-a", PASSWORD, ip="192.0.2.10").status_code == 302
    # And after the cool-off the pair may try again.
    time_machine.shift(settings.AXES_COOLOFF_TIME + timedelta(minutes=1))
    assert sign_in(Client(), "staff-a", PASSWORD, ip="198.51.100.7").status_code == 302
    log = caplog.text
    assert "login failed: user=staff-a ip=198.51.100.7" in log
    assert "locked out: user=staff-a ip=198.51.100.7" in log
    assert "login: user=staff-a" in log


def test_it_shows_a_japanese_message_for_a_wrong_password(world):
    response = sign_in(Client(), "staff-a", "wrong-password")
    assert response.status_code == 200
    assert "正しいユーザー名とパスワードを入力してください" in response.content.decode()


def test_it_ends_an_idle_session(world, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    client = Client()
    sign_in(client, "staff-a", PASSWORD)
    time_machine.shift(timedelta(minutes=25))
    assert client.get("/staff/").status_code == 200  # activity keeps the session alive
    time_machine.shift(timedelta(minutes=25))
    assert client.get("/staff/").status_code == 200
    time_machine.shift(timedelta(seconds=settings.SESSION_COOKIE_AGE + 60))
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def _session_writes(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if "django_session" in q["sql"] and not q["sql"].startswith("SELECT")
    ]


def test_a_session_is_renewed_at_most_once_a_minute(world, time_machine):
    """A request within a minute (a thirtieth of the half hour) of the session's last renewal
    writes nothing of it (no write transaction on the database, no cookie); the first one
    after that minute renews both."""
    assert renew_after() == 60
    time_machine.move_to(timezone.now(), tick=False)
    client = Client()
    sign_in(client, "staff-a", PASSWORD)
    time_machine.shift(timedelta(seconds=30))
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/staff/")
    assert response.status_code == 200
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert _session_writes(queries.captured_queries) == []
    time_machine.shift(timedelta(seconds=31))
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/staff/")
    assert response.status_code == 200
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == settings.SESSION_COOKIE_AGE
    assert len(_session_writes(queries.captured_queries)) == 1


@pytest.mark.parametrize("idle", [30 * 60, 45])
def test_a_session_lasts_at_least_a_thirtieth_less_than_its_idle_time(
    world, time_machine, settings, idle
):
    settings.SESSION_COOKIE_AGE = idle
    renew = renew_after()
    time_machine.move_to(timezone.now(), tick=False)
    client = Client()
    sign_in(client, "staff-a", PASSWORD)  # renewed now
    time_machine.shift(timedelta(seconds=renew - 1))
    assert client.get("/staff/").status_code == 200  # not renewed: too soon
    time_machine.shift(timedelta(seconds=idle - renew))
    assert client.get("/staff/").status_code == 200  # a second before it would end: renewed
    time_machine.shift(timedelta(seconds=idle - 1))
    assert client.get("/staff/").status_code == 200
    time_machine.shift(timedelta(seconds=idle + 1))
    assert client.get("/staff/")["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("weak", ["password", "12345678", "short1", "staff-a-user"])
def test_it_applies_djangos_password_validators(world, weak):
    user = world.users["staff_a"]
    user.username = "staff-a-user"
    with pytest.raises(ValidationError):
        validate_password(weak, user)


def test_it_requires_the_csrf_token_on_htmx_requests(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["staff_a"])
    page = client.get(f"/staff/entries/{world.entry_a.pk}/")
    body_tag = page.content.decode().split("<body", 1)[1].split(">", 1)[0]
    assert "X-CSRFToken" in body_tag  # base.html sends the token on every htmx request
    data = edit_data(world.entry_a, narrative="トークンなし")
    refused = client.post(f"/staff/entries/{world.entry_a.pk}/", data, **HTMX)
    assert refused.status_code == 403
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    accepted = client.post(
        f"/staff/entries/{world.entry_a.pk}/", data, HTTP_X_CSRFTOKEN=token, **HTMX
    )
    assert accepted.status_code == 200


def test_it_logs_permission_denials(world, caplog):
    caplog.set_level(logging.WARNING, logger="reformtracker")
    client = client_for(world, "staff_a")
    assert client.get("/staff/rounds/").status_code == 403
    assert "permission denied: user=staff-a method=GET path=/staff/rounds/" in caplog.text


def test_it_signs_out_with_a_post_only(world):
    client = client_for(world, "staff_a")
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/staff/").status_code == 302


def test_deploy_checks_report_nothing_under_production_settings():
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DJANGO_DEBUG", "EMAIL_BACKEND", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DJANGO_ENV="production",
        SECRET_KEY="x" * 20 + "-a-long-random-production-secret-key-for-the-check",
        ALLOWED_HOSTS="reform.example.jp",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (1 silenced)." in result.stdout
