"""The permission matrix of the reform office's outputs (/office/reports/…) and the 照会票
import (/staff/import/…): every URL × every persona → the expected status code
(tests/access/test_permissions_reports.py asks each case).
"""

from __future__ import annotations

from evaluations import services
from tests.access.matrix import BAD_ID, Case, expect
from tests.personas import client_for, move


def _published(world):
    move(world, world.entry_a, "edit", "submit", "confirm")
    move(world, world.entry_b, "edit", "submit", "confirm")
    services.publish_round(user=world.users["admin"], round_id=world.round.pk)


def _pdf(world, slug=None):
    return f"/office/reports/{slug or world.plan.slug}/2024/progress.pdf"


def _job_of(world, persona: str) -> str:
    client = client_for(world, persona)
    response = client.post(f"/office/reports/{world.plan.slug}/2024/jobs/")
    assert response.status_code == 302
    return response["Location"]


def _office_job(world):
    _published(world)
    world.job_url = _job_of(world, "office")


CASES = [
    Case(
        "indicator actuals of a round",
        "get",
        lambda w: f"/office/indicators/rounds/{w.round.pk}/",
        expect(302, 403, 403, 200, 200, 403),
    ),
    Case(
        "indicator actuals of another city's round",
        "get",
        lambda w: f"/office/indicators/rounds/{w.other_round.pk}/",
        expect(302, 404, 404, 404, 200, 404),
    ),
    Case(
        "indicators of an initiative",
        "get",
        lambda w: f"/office/indicators/initiatives/{w.initiative_a.pk}/",
        expect(302, 403, 403, 200, 200, 403),
    ),
    Case(
        "indicators of another city's initiative",
        "get",
        lambda w: f"/office/indicators/initiatives/{w.other_entry.initiative_id}/",
        expect(302, 403, 403, 404, 200, 403),
    ),
    Case(
        "office outputs", "get", lambda w: "/office/reports/", expect(302, 403, 403, 200, 200, 403)
    ),
    Case(
        "progress report PDF",
        "get",
        _pdf,
        expect(302, 404, 404, 200, 200, 403),
        setup=_published,
    ),
    Case(
        "progress report PDF of another city",
        "get",
        lambda w: _pdf(w, w.other_plan.slug),
        # The administrator sees every city; a year with nothing published is an empty report.
        expect(302, 404, 404, 404, 200, 404),
    ),
    Case(
        "progress report PDF, bad plan",
        "get",
        lambda w: _pdf(w, "no-such-plan"),
        expect(302, 404, 404, 404, 404, 404),
    ),
    Case(
        "start a report job",
        "post",
        lambda w: f"/office/reports/{w.plan.slug}/2024/jobs/",
        expect(302, 404, 404, 302, 302, 403),
        setup=_published,
    ),
    Case(
        "start a report job, bad plan",
        "post",
        lambda w: "/office/reports/no-such-plan/2024/jobs/",
        expect(302, 404, 404, 404, 404, 404),
    ),
    Case(
        "the office's report job",
        "get",
        lambda w: w.job_url,
        expect(302, 404, 404, 200, 404, 404),  # a job is its starter's own
        setup=_office_job,
    ),
    Case(
        "the office's report download",
        "get",
        lambda w: w.job_url + "download/",
        expect(302, 404, 404, 200, 404, 404),
        setup=_office_job,
    ),
    Case(
        "report job, bad id",
        "get",
        lambda w: "/office/reports/jobs/0123456789abcdef/",
        expect(302, 404, 404, 404, 404, 404),
    ),
    Case("import page", "get", lambda w: "/staff/import/", expect(302, 200, 200, 200, 200, 200)),
    Case(
        "round workbook",
        "get",
        lambda w: f"/staff/import/rounds/{w.round.pk}/workbook.xlsx",
        expect(302, 200, 200, 200, 200, 200),
    ),
    Case(
        "round workbook of another department",
        "get",
        lambda w: f"/staff/import/rounds/{w.round.pk}/workbook.xlsx?department=zaisei",
        expect(302, 404, 200, 200, 200, 404),
    ),
    Case(
        "round workbook of another city",
        "get",
        lambda w: f"/staff/import/rounds/{w.other_round.pk}/workbook.xlsx",
        expect(302, 404, 404, 404, 200, 404),
    ),
    Case(
        "round workbook, bad id",
        "get",
        lambda w: f"/staff/import/rounds/{BAD_ID}/workbook.xlsx",
        expect(302, 404, 404, 404, 404, 404),
    ),
    Case(
        "import preview, unknown token",
        "get",
        lambda w: "/staff/import/0123456789abcdef0123456789abcdef/",
        expect(302, 404, 404, 404, 404, 404),
    ),
    Case(
        "import confirm, unknown token",
        "post",
        lambda w: "/staff/import/0123456789abcdef0123456789abcdef/confirm/",
        expect(302, 404, 404, 404, 404, 404),
        data=lambda w: {},
    ),
]
