"""Every integer read from a request is bounded (reformtracker.bounds.bounded_int, the <id:…> and
<fy:…> path converters): a number the database cannot hold, a float, a negative number or a
year no era names is a 404 or a message, never a 500."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import translation

from evaluations.models import Round
from reformtracker.bounds import FISCAL_YEAR_MESSAGE
from tests.personas import client_for

BIG = "99999999999999999999"
BAD_NUMBERS = [BIG, "-1", "1e20", "1.5", "0x10", "１２", ""]


def _routes(patterns=None, prefix=""):
    """(route, pattern) for every URL pattern, the i18n prefix left out (unprefixed = ja)."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = str(pattern.pattern) if not hasattr(pattern.pattern, "language_prefix") else ""
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + route)
        elif isinstance(pattern, URLPattern):
            yield prefix + route


def _numbered_routes():
    routes = [r for r in _routes() if re.search(r"<(int|id|fy):", r)]
    assert len(routes) > 10  # the sweep reaches the staff, report, public and meeting pages
    return routes


def _address(route: str, number: str, world) -> str:
    def fill(match):
        converter, _name = match.group(1), match.group(2)
        if converter in ("int", "id", "fy"):
            return number
        if converter == "slug":
            return world.plan.slug
        return "x"

    return "/" + re.sub(r"<(\w+):(\w+)>", fill, route)


@pytest.mark.parametrize("number", [BIG, "-1", "0", "1900", "7", "2150", "30000"])
def test_no_address_with_a_number_answers_500(world, number):
    """Each address with a number in its path, for the administrator and for anonymous, by GET
    and POST: an out-of-range number is a 404 (or the sign-in redirect), never a 500."""
    admin, anonymous = client_for(world, "admin"), client_for(world, "anonymous")
    for route in _numbered_routes():
        address = _address(route, number, world)
        for client in (admin, anonymous):
            for method in (client.get, client.post):
                status = method(address).status_code
                assert status < 500, f"{method.__name__.upper()} {address} → {status}"


def test_a_report_for_a_year_no_era_names_is_404_not_500(world):
    office = client_for(world, "admin")
    for year in ("1900", "0007", "7", BIG, "2201"):
        address = f"/office/reports/{world.plan.slug}/{year}/progress.pdf"
        assert office.get(address).status_code == 404, address


BROWSER_FILTERS = [
    ("/initiatives/", "pillar"),
    ("/initiatives/", "department"),
    ("/initiatives/", "fy"),
    ("/en/initiatives/", "pillar"),
    ("/en/initiatives/", "department"),
    ("/open-data/initiatives.json", "pillar"),
    ("/open-data/initiatives.json", "department"),
    ("/open-data/initiatives.json", "fy"),
]


@pytest.mark.parametrize(("address", "name"), BROWSER_FILTERS)
def test_a_number_the_browser_cannot_use_is_a_bad_request_with_a_message(world, address, name):
    """A filter that cannot mean anything (evaluations.browse) is a 400 that names it, in
    the page and in the JSON; never a 500."""
    anonymous = client_for(world, "anonymous")
    # (全角 １２ is 12, and an empty value is no filter: both are fine.)
    for value in [BIG, "-1", "1e20", "1.5", "0x10"]:
        response = anonymous.get(address, {name: value})
        assert response.status_code == 400, f"{address}?{name}={value}"
        assert value in response.content.decode(), f"{address}?{name}={value}"


PARAMETERS_READ_LENIENTLY = [
    ("/initiatives/", "page"),  # the last page, as Django's paginator reads any page number
    ("/meetings/", "plan"),  # a plan that names nothing lists every plan's meetings
    ("/open-data/meetings.json", "plan"),
]


@pytest.mark.parametrize(("address", "name"), PARAMETERS_READ_LENIENTLY)
def test_parameters_read_leniently_take_bad_numbers_without_a_500(world, address, name):
    anonymous = client_for(world, "anonymous")
    for value in BAD_NUMBERS:
        response = anonymous.get(address, {name: value})
        assert response.status_code == 200, f"{address}?{name}={value}"


@pytest.mark.parametrize("name", ["plan", "pillar", "state"])
def test_the_worklist_filters_read_bad_numbers_as_no_filter(world, name):
    staff = client_for(world, "staff_a")
    for value in BAD_NUMBERS:
        assert staff.get("/staff/", {name: value}).status_code == 200


@pytest.mark.parametrize("version", [BIG, "1e20", "-1", "0", "1.5"])
def test_a_version_the_database_cannot_hold_is_a_form_error(world, version):
    staff = client_for(world, "staff_a")
    entry = world.entry_a
    edited = staff.post(f"/staff/entries/{entry.pk}/", {"narrative": "x", "version": version})
    assert edited.status_code == 422
    submitted = staff.post(f"/staff/entries/{entry.pk}/submit/", {"version": version})
    assert submitted.status_code == 422


@pytest.mark.parametrize(
    "ticked",
    [f"{BIG}:1", "1e20:1", "-1:1", "1:" + BIG, "1:1e20", "1", ":", "a:b", "1:2:3"],
)
def test_a_bulk_tick_with_a_bad_number_is_refused_with_a_message(world, ticked):
    office = client_for(world, "office")
    ticked = ticked.replace("1:", f"{world.entry_a.pk}:", 1) if ticked.startswith("1:") else ticked
    response = office.post(
        f"/staff/rounds/{world.round.pk}/bulk/", {"action": "confirm", "entries": ticked}
    )
    assert response.status_code == 422
    assert "選択された回答が正しくありません。" in response.content.decode()


@pytest.mark.parametrize("fiscal_year", ["7", "0", "1900", "2201", "1e20", BIG])
def test_a_round_for_a_year_no_era_names_is_refused_with_a_message(world, fiscal_year):
    """年度 7 (someone thinking of 令和7年度) was a 500: 「0007-04-01 は対応していない元号の日付です。」"""
    office = client_for(world, "office")
    rounds = Round.objects.count()
    response = office.post(
        "/staff/rounds/",
        {
            "plan": world.plan.pk,
            "fiscal_year": fiscal_year,
            "kind": "year_end",
            "as_of": "2026-03-31",
        },
    )
    assert response.status_code == 422
    # The office's form reads 西暦 or 和暦 (令和7年度, R7), and says so.
    assert "年度は西暦（例：2025）か和暦（例：令和7年度、R7）で入力してください。" in (
        response.content.decode()
    )
    assert Round.objects.count() == rounds
    with translation.override("en"):
        assert str(FISCAL_YEAR_MESSAGE) == (
            "Enter the fiscal year as a Western calendar year (e.g. 2025)."
        )


def test_a_round_for_a_plan_id_the_database_cannot_hold_is_a_form_error(world):
    office = client_for(world, "office")
    response = office.post(
        "/staff/rounds/",
        {"plan": BIG, "fiscal_year": 2025, "kind": "year_end", "as_of": "2026-03-31"},
    )
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("field", "day"), [("due_on", "1900-01-01"), ("due_on", "0001-01-01"), ("as_of", "1900-03-31")]
)
def test_a_round_date_no_era_names_is_refused_before_it_is_stored(world, field, day):
    """A due date of 1900-01-01 was stored, and every page writing it in 和暦 was a 500."""
    office = client_for(world, "office")
    rounds = Round.objects.count()
    data = {"plan": world.plan.pk, "fiscal_year": 2025, "kind": "interim"}
    data |= {"as_of": "2025-09-30", "due_on": "2025-10-31", field: day}
    response = office.post("/staff/rounds/", data)
    assert response.status_code == 422
    assert "日付は1989年4月1日から2201年3月31日までの間で入力してください。" in (
        response.content.decode()
    )
    assert Round.objects.count() == rounds
    assert office.get("/staff/rounds/").status_code == 200
