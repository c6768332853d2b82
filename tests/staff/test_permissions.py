"""The permission matrix: every staff URL × every persona → the expected status code.

Outside a persona's scope an object is 404 (its existence is not revealed); inside the scope but
not allowed, 403; anonymous visitors are sent to the sign-in page (302). A refused request
changes nothing: no entry version moves and no history row is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from evaluations import services
from evaluations.models import Entry, Evidence, HistoryEvent, Round
from tests.staff.conftest import PDF_BYTES, PERSONAS, client_for, edit_data, move

BAD_ID = 987654


def _with_file_evidence(world) -> Evidence:
    return services.add_evidence(
        user=world.users["staff_a"],
        entry_id=world.entry_a.pk,
        title="委託契約書",
        upload=SimpleUploadedFile("keiyaku.pdf", PDF_BYTES, content_type="application/pdf"),
    )


@dataclass
class Case:
    name: str
    method: str
    url: object  # world -> str
    expected: dict  # persona -> status
    data: object = None  # world -> dict
    setup: object = None  # world -> None

    def __str__(self):
        return self.name


def expect(anonymous, staff_a, staff_b, office, admin, office_member) -> dict:
    statuses = (anonymous, staff_a, staff_b, office, admin, office_member)
    return dict(zip(PERSONAS, statuses, strict=True))


def _submitted(world):
    move(world, world.entry_a, "edit", "submit")


def _all_confirmed(world):
    move(world, world.entry_a, "edit", "submit", "confirm")
    move(world, world.entry_b, "edit", "submit", "confirm")


def _edit(world):
    world.entry_a.refresh_from_db()
    return edit_data(world.entry_a, result="achieved", narrative="委託化を完了した。")


def _version(world):
    world.entry_a.refresh_from_db()
    return {"version": world.entry_a.version, "comment": "確認しました。"}


CASES = [
    Case("worklist", "get", lambda w: "/staff/", expect(302, 200, 200, 200, 200, 200)),
    Case(
        "entry page",
        "get",
        lambda w: f"/staff/entries/{w.entry_a.pk}/",
        expect(302, 200, 404, 200, 200, 200),
    ),
    Case(
        "entry of another city",
        "get",
        lambda w: f"/staff/entries/{w.other_entry.pk}/",
        expect(302, 404, 404, 404, 200, 404),
    ),
    Case(
        "entry, bad id",
        "get",
        lambda w: f"/staff/entries/{BAD_ID}/",
        expect(302, 404, 404, 404, 404, 404),
    ),
    Case(
        "edit entry",
        "post",
        lambda w: f"/staff/entries/{w.entry_a.pk}/",
        expect(302, 302, 404, 403, 302, 403),
        data=_edit,
    ),
    Case(
        "edit entry, bad id",
        "post",
        lambda w: f"/staff/entries/{BAD_ID}/",
        expect(302, 404, 404, 404, 404, 404),
        data=_edit,
    ),
    Case(
        "submit entry",
        "post",
        lambda w: f"/staff/entries/{w.entry_a.pk}/submit/",
        expect(302, 302, 404, 403, 302, 403),
        data=_version,
        setup=lambda w: move(w, w.entry_a, "edit"),
    ),
    Case(
        "return entry",
        "post",
        lambda w: f"/staff/entries/{w.entry_a.pk}/return/",
        expect(302, 403, 404, 302, 302, 403),
        data=_version,
        setup=_submitted,
    ),
    Case(
        "confirm entry",
        "post",
        lambda w: f"/staff/entries/{w.entry_a.pk}/confirm/",
        expect(302, 403, 404, 302, 302, 403),
        data=_version,
        setup=_submitted,
    ),
    Case(
        "unknown transition",
        "post",
        lambda w: f"/staff/entries/{w.entry_a.pk}/frobnicate/",
        expect(302, 404, 404, 404, 404, 404),
        data=_version,
    ),
    Case(
        "add evidence link",
        "post",
        lambda w: f"/staff/entries/{w.entry_a.pk}/evidence/add/",
        expect(302, 302, 404, 403, 302, 403),
        data=lambda w: {"title": "委託の公表資料", "url": "https://www.city.example.jp/itaku"},
    ),
    Case(
        "download evidence",
        "get",
        lambda w: f"/staff/evidence/{Evidence.objects.get().pk}/",
        expect(302, 200, 404, 200, 200, 200),
        setup=_with_file_evidence,
    ),
    Case(
        "download evidence, bad id",
        "get",
        lambda w: f"/staff/evidence/{BAD_ID}/",
        expect(302, 404, 404, 404, 404, 404),
    ),
    Case(
        "remove evidence",
        "post",
        lambda w: f"/staff/evidence/{Evidence.objects.get().pk}/remove/",
        expect(302, 302, 404, 403, 302, 403),
        data=lambda w: {},
        setup=_with_file_evidence,
    ),
    Case("rounds", "get", lambda w: "/staff/rounds/", expect(302, 403, 403, 200, 200, 403)),
    Case(
        "open a round",
        "post",
        lambda w: "/staff/rounds/",
        expect(302, 403, 403, 302, 302, 403),
        data=lambda w: {
            "plan": w.plan.pk,
            "fiscal_year": 2025,
            "kind": "interim",
            "as_of": "2025-08-31",
            "due_on": "2025-09-19",
        },
    ),
    Case(
        "round page",
        "get",
        lambda w: f"/staff/rounds/{w.round.pk}/",
        expect(302, 403, 403, 200, 200, 403),
    ),
    Case(
        "round of another city",
        "get",
        lambda w: f"/staff/rounds/{w.other_round.pk}/",
        expect(302, 404, 404, 404, 200, 404),
    ),
    Case(
        "round, bad id",
        "get",
        lambda w: f"/staff/rounds/{BAD_ID}/",
        expect(302, 404, 404, 404, 404, 404),
    ),
    Case(
        "bulk confirm",
        "post",
        lambda w: f"/staff/rounds/{w.round.pk}/bulk/",
        expect(302, 403, 403, 302, 302, 403),
        data=lambda w: {
            "action": "confirm",
            "entries": [f"{w.entry_a.pk}:{Entry.objects.get(pk=w.entry_a.pk).version}"],
        },
        setup=_submitted,
    ),
    Case(
        "close round",
        "post",
        lambda w: f"/staff/rounds/{w.round.pk}/close/",
        expect(302, 403, 403, 302, 302, 403),
        data=lambda w: {},
    ),
    Case(
        "publish round",
        "post",
        lambda w: f"/staff/rounds/{w.round.pk}/publish/",
        expect(302, 403, 403, 302, 302, 403),
        data=lambda w: {},
        setup=_all_confirmed,
    ),
    Case("health check", "get", lambda w: "/healthz", expect(200, 200, 200, 200, 200, 200)),
    Case("sign-in page", "get", lambda w: "/accounts/login/", expect(200, 302, 302, 302, 302, 302)),
]


def _fingerprint():
    return (
        sorted(Entry.objects.values_list("pk", "version", "state")),
        HistoryEvent.objects.count(),
        sorted(Round.objects.values_list("pk", "state")),
        sorted(Evidence.objects.values_list("pk", "removed_at")),
    )


def request_case(world, case: Case, persona: str):
    """Sends one matrix case as one persona and checks its status (and, for an anonymous
    visitor sent away, that it goes to the login page). Shared with the reports matrix."""
    client = client_for(world, persona)
    url = case.url(world)
    if case.method == "get":
        response = client.get(url)
    else:
        response = client.post(url, case.data(world) if case.data else {})
    expected = case.expected[persona]
    assert response.status_code == expected, (case.name, persona, response.content[:500])
    if persona == "anonymous" and expected == 302:
        assert response["Location"].startswith("/accounts/login/?next=")
    return response


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("case", CASES, ids=str)
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
    response = client.post(f"/staff/entries/{world.entry_a.pk}/", _edit(world))
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
