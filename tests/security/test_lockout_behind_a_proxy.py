"""The sign-in lock-out behind a reverse proxy (issue 11 #7).

Decided: the lock is per (username, visitor's address). Behind TRUSTED_PROXY_COUNT proxies the
visitor's address is read from X-Forwarded-For, that many entries from the right, so an
outsider's failures lock that username from the outsider's address only: the colleague, from
their own address, still signs in. The cool-off runs from the lock: trying on during it does not
extend it.
"""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory
from django.utils import timezone

from reformtracker.client_ip import client_ip

PASSWORD = "correct-horse-battery-staple"
PROXY = "10.0.0.2"
OUTSIDER = "203.0.113.66"
COLLEAGUE = "198.51.100.20"


@pytest.fixture
def user(db):
    return get_user_model().objects.create_user("kankyo-tanaka", password=PASSWORD)


@pytest.fixture
def behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    return settings


def sign_in(password, forwarded_for, username="kankyo-tanaka"):
    return Client().post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_the_visitors_address_is_read_through_the_trusted_proxies(settings):
    factory = RequestFactory()
    request = factory.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"1.2.3.4, {OUTSIDER}")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == PROXY  # no proxy trusted: the header is the visitor's word
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == OUTSIDER  # what the visitor wrote (1.2.3.4) is ignored
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == "1.2.3.4"
    settings.TRUSTED_PROXY_COUNT = 3  # fewer entries than proxies: not through them all
    assert client_ip(request) == PROXY
    settings.TRUSTED_PROXY_COUNT = 1
    garbage = factory.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="not-an-address")
    assert client_ip(garbage) == PROXY
    assert client_ip(factory.get("/", REMOTE_ADDR=PROXY)) == PROXY


def test_an_outsider_locks_only_their_own_address(user, behind_one_proxy, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in("wrong", OUTSIDER).status_code == 200
    assert sign_in("wrong", OUTSIDER).status_code == 429  # the limit reached: locked
    assert sign_in(PASSWORD, OUTSIDER).status_code == 429
    # Writing another address in the header does not get the outsider past the lock: the proxy
    # appends the address it really saw.
    assert sign_in(PASSWORD, f"{COLLEAGUE}, {OUTSIDER}").status_code == 429
    # The colleague, through the same proxy from their own address, signs in.
    assert sign_in(PASSWORD, COLLEAGUE).status_code == 302


def test_without_the_setting_a_proxy_makes_everyone_one_address(user, settings):
    """Why the setting matters: with TRUSTED_PROXY_COUNT=0 behind a proxy, the outsider's
    failures lock the colleague out too."""
    settings.TRUSTED_PROXY_COUNT = 0
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in("wrong", OUTSIDER)
    assert sign_in(PASSWORD, COLLEAGUE).status_code == 429


def test_trying_on_during_the_lock_does_not_extend_it(
    user, behind_one_proxy, settings, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in("wrong", OUTSIDER)
    locked_at = timezone.now()
    # The outsider keeps trying every minute of the cool-off.
    while timezone.now() < locked_at + settings.AXES_COOLOFF_TIME - timedelta(minutes=1):
        time_machine.shift(timedelta(minutes=1))
        assert sign_in("wrong", OUTSIDER).status_code == 429
    assert sign_in(PASSWORD, OUTSIDER).status_code == 429  # still within the cool-off
    # Measured from the lock, not from the last attempt.
    time_machine.shift(timedelta(minutes=1, seconds=1))
    assert sign_in(PASSWORD, OUTSIDER).status_code == 302


def test_the_admins_sign_in_is_locked_the_same_way(user, behind_one_proxy, settings):
    user.is_staff = True
    user.save()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client().post(
            "/admin/login/",
            {"username": user.username, "password": "wrong"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=OUTSIDER,
        )
    assert sign_in(PASSWORD, OUTSIDER).status_code == 429
    assert sign_in(PASSWORD, COLLEAGUE).status_code == 302
