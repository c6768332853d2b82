"""The checklist both permission matrices follow: a ``Case`` is one URL (and, for a POST, its
data), what to set up first, and the status each persona must get. ``request_case`` sends a case
as one persona and checks the status; an anonymous visitor sent away must land on the sign-in
page. The tables are tests/access/staff_matrix.py and tests/access/reports_matrix.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.personas import PERSONAS, client_for

BAD_ID = 987654  # an id no row has: a bad id is 404 for everyone signed in


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


def request_case(world, case: Case, persona: str):
    """Sends one matrix case as one persona and checks its status (and, for an anonymous
    visitor sent away, that it goes to the login page)."""
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
