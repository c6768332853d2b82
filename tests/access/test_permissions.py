"""The permission matrix: every staff URL × every persona → the expected status code.

Outside a persona's scope an object is 404 (its existence is not revealed); inside the scope but
not allowed, 403; anonymous visitors are sent to the sign-in page (302). A refused request
changes nothing: no entry version moves and no history row is written.
"""

from __future__ import annotations

from datetime import date

import pytest

from evaluations.models import Entry, Evidence, HistoryEvent, Round
from tests.access.matrix import request_case
from tests.access.office_matrix import CASES as OFFICE_CASES
from tests.access.staff_matrix import CASES
from tests.personas import PERSONAS, client_for, edit_data


def _fingerprint():
    return (
        sorted(Entry.objects.values_list("pk", "version", "state")),
        HistoryEvent.objects.count(),
        sorted(Round.objects.values_list("pk", "state")),
        sorted(Evidence.objects.values_list("pk", "removed_at")),
    )


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("case", CASES + OFFICE_CASES, ids=str)
def test_it_answers_each_persona_with_the_expected_status(world, case, persona):
    if case.setup:
        case.setup(world)
    before = _fingerprint()
    request_case(world, case, persona)
    expected = case.expected[persona]
    if expected in (403, 404) or persona == "anonymous":
        assert _fingerprint() == before, "a refused request changed something"
    elif case.method == "post" and expected == 302:
        assert _fingerprint() != before, "an accepted POST changed nothing"


def test_it_sends_an_htmx_request_of_a_signed_out_user_to_the_sign_in_page(world):
    client = client_for(world, "anonymous")
    response = client.post(
        f"/staff/entries/{world.entry_a.pk}/",
        {},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver/staff/entries/{world.entry_a.pk}/",
    )
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/accounts/login/?next=")


def test_it_lets_the_office_of_another_city_see_nothing_here(world):
    client = client_for(world, "other_office")
    assert client.get(f"/staff/entries/{world.entry_a.pk}/").status_code == 404
    assert client.get(f"/staff/rounds/{world.round.pk}/").status_code == 404
    assert client.get(f"/staff/rounds/{world.other_round.pk}/").status_code == 200
    page = client.get("/staff/").content.decode()
    assert world.initiative_a.title not in page


def test_it_refuses_a_member_without_the_group_permission(world):
    world.users["staff_a"].groups.clear()
    client = client_for(world, "staff_a")
    world.entry_a.refresh_from_db()
    data = edit_data(world.entry_a, result="achieved", narrative="委託化を完了した。")
    response = client.post(f"/staff/entries/{world.entry_a.pk}/", data)
    assert response.status_code == 403


def test_it_opens_no_round_for_a_plan_of_another_city(world):
    client = client_for(world, "office")
    response = client.post(
        "/staff/rounds/",
        {
            "plan": world.other_plan.pk,
            "fiscal_year": 2025,
            "kind": "interim",
            "as_of": "2025-08-31",
            "due_on": "2025-09-19",
        },
    )
    assert response.status_code == 422
    assert "正しく選択してください" in response.content.decode()
    assert not Round.objects.filter(plan=world.other_plan, as_of=date(2025, 8, 31)).exists()
