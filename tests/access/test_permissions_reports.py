"""The permission matrix for the reform office's outputs (/office/reports/…) and the 照会票
import (/staff/import/…), the same checklist as tests/access/test_permissions.py: anonymous →
sign-in, another scope → 404, in scope but not allowed → 403, bad id → 404."""

from __future__ import annotations

import io

import pytest
from django.test import Client

from evaluations.models import Entry, HistoryEvent
from tests.access.matrix import request_case
from tests.access.reports_matrix import CASES
from tests.personas import PERSONAS, client_for


@pytest.fixture(autouse=True)
def private_media_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def _fingerprint():
    return (
        sorted(Entry.objects.values_list("pk", "version", "state")),
        HistoryEvent.objects.count(),
    )


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("case", CASES, ids=str)
def test_it_answers_each_persona_with_the_expected_status(world, case, persona):
    if case.setup:
        case.setup(world)
    before = _fingerprint()
    response = request_case(world, case, persona)
    if persona == "anonymous":
        assert response.status_code == 302
    assert _fingerprint() == before, "reading or refusing changed an entry or the history"


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "staff_a"])
def test_it_keeps_an_uploaded_import_to_the_session_that_uploaded_it(world, persona):
    uploader = client_for(world, "staff_a")
    blank = uploader.get(f"/staff/import/rounds/{world.round.pk}/workbook.xlsx").content
    upload = io.BytesIO(blank)
    upload.name = "shokaihyo.xlsx"
    response = uploader.post("/staff/import/", {"file": upload})
    assert response.status_code in (302, 422), response.content[:300]
    if response.status_code == 422:
        pytest.skip("a blank 照会票 is refused as having no changes")
    preview = response["Location"]
    assert uploader.get(preview).status_code == 200
    other: Client = client_for(world, persona)
    expected = 302 if persona == "anonymous" else 404
    assert other.get(preview).status_code == expected
    before = _fingerprint()
    assert other.post(preview + "confirm/").status_code == expected
    assert _fingerprint() == before
