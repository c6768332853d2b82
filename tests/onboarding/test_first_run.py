"""The first-run setup: on an empty site the operator registers themself in the browser; after
that the page is gone for good, also for a second person racing the first."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from evaluations.choices import HistoryAction
from evaluations.models import HistoryEvent
from evaluations.services import onboarding
from tests.personas import make_user

OPERATOR = {
    "username": "unyou",
    "full_name": "運用 太郎",
    "email": "unyou@example.jp",
    "password": "Midori-Operator-2025!",
    "password_again": "Midori-Operator-2025!",
}


def test_an_empty_site_offers_the_setup_page_and_no_cache_keeps_it(client, db):
    response = client.get("/setup/")
    assert response.status_code == 200
    assert "初期設定：運用者の登録" in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"


def test_the_setup_registers_a_superuser_signs_them_in_and_records_it(client, db):
    response = client.post("/setup/", OPERATOR)
    assert response.status_code == 302 and response["Location"] == "/office/setup/"
    user = get_user_model().objects.get()
    assert (user.username, user.is_superuser, user.email) == ("unyou", True, "unyou@example.jp")
    assert client.get("/office/setup/").status_code == 200  # signed in
    event = HistoryEvent.objects.get(action=HistoryAction.SITE_SETUP)
    assert event.actor == user and event.change_token == onboarding.SETUP_TOKEN


def test_after_the_setup_the_page_is_gone_for_good(client, db):
    client.post("/setup/", OPERATOR)
    client.logout()
    assert client.get("/setup/").status_code == 404
    assert client.post("/setup/", {**OPERATOR, "username": "intruder"}).status_code == 404
    # Even with every user removed, the setup stays done: its history row remains.
    get_user_model().objects.update(is_active=False)
    HistoryEvent.objects.filter(action=HistoryAction.SITE_SETUP).update(actor=None)
    get_user_model().objects.all().delete()
    assert client.get("/setup/").status_code == 404
    assert not get_user_model().objects.exists()


def test_a_site_that_already_has_users_never_offers_the_setup(client, db):
    make_user("someone")
    assert client.get("/setup/").status_code == 404


def test_a_weak_or_mismatched_password_is_refused_in_japanese(client, db):
    response = client.post("/setup/", {**OPERATOR, "password": "1234", "password_again": "1234"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "このパスワードは短すぎます" in page or "短すぎ" in page
    response = client.post("/setup/", {**OPERATOR, "password_again": "something-else-2025"})
    assert "パスワードが一致しません" in response.content.decode()
    assert not get_user_model().objects.exists()


def test_the_second_of_two_setups_is_refused_even_if_both_passed_the_first_check(db):
    onboarding.create_operator(username="first", email="a@example.jp", password="Fi-rst-2025!x")
    # The second caller's check ran before the first committed: the unique token refuses it.
    with pytest.raises(onboarding.SetupClosed):
        onboarding.create_operator(
            username="second", email="b@example.jp", password="Se-cond-2025!x"
        )
    assert list(get_user_model().objects.values_list("username", flat=True)) == ["first"]


@pytest.mark.django_db(transaction=True)
def test_two_setups_at_the_same_moment_make_one_operator():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL (SQLite serialises every write)")
    results, barrier = [], threading.Barrier(2)
    original = onboarding.setup_is_open

    def both_see_an_empty_site():
        answer = original()
        barrier.wait(timeout=10)  # neither inserts before both have checked
        return answer

    def attempt(name):
        try:
            onboarding.create_operator(
                username=name, email=f"{name}@example.jp", password=f"{name}-Pass-2025!"
            )
            results.append("created")
        except onboarding.SetupClosed:
            results.append("refused")
        finally:
            connection.close()

    onboarding.setup_is_open = both_see_an_empty_site
    try:
        threads = [threading.Thread(target=attempt, args=(n,)) for n in ("alpha", "bravo")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        onboarding.setup_is_open = original
    assert sorted(results) == ["created", "refused"]
    assert get_user_model().objects.count() == 1
    assert HistoryEvent.objects.filter(action=HistoryAction.SITE_SETUP).count() == 1
