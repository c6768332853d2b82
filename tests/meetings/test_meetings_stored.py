"""The X会議 pages, their JSON and the iCalendar feed are stored whole by the page cache, by
day (``stored_by_day``, as the Atom feeds are): a repeated request reads only the publication
fingerprint; a meeting turns held at midnight (JST) though the page was stored; and an office's
edit, through its own pages' service or through the admin (its change form, its inlines, its
bulk delete), shows from the next request, because every such write counts in the master
data's version, which the fingerprint carries."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import lxml.html
import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluations import published
from evaluations.admin_scope import ScopedAdmin
from evaluations.choices import HistoryAction
from evaluations.services import meetings as services
from initiatives.models import Department, Membership, Plan
from tests.constants import KITAKYUSHU
from tests.personas import client_for
from xmeetings.models import Meeting

pytestmark = pytest.mark.usefixtures("page_cache")

TOKYO = ZoneInfo("Asia/Tokyo")
PAGES = [
    f"/meetings/?plan={KITAKYUSHU}",
    f"/en/meetings/?plan={KITAKYUSHU}&when=all",
    f"/meetings/{KITAKYUSHU}/schedule/",
    f"/open-data/meetings.json?plan={KITAKYUSHU}",
    f"/open-data/schedules/{KITAKYUSHU}.json",
    f"/meetings/{KITAKYUSHU}/calendar.ics",
]


def _get(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return response, len(ctx.captured_queries)


def _stored(client, url) -> bytes:
    """The page, asked twice: the second answer is the stored copy."""
    first, _ = _get(client, url)
    again, queries = _get(client, url)
    assert again["X-Public-Cache"] == "hit", url
    assert again.content == first.content, url
    assert queries == 1, url  # the fingerprint (page_cache reads it on every request)
    return again.content


def _fresh(client, url) -> bytes:
    response, _ = _get(client, url)
    assert response["X-Public-Cache"] == "miss", f"{url}: the stored copy was served"
    return response.content


@pytest.mark.parametrize("url", PAGES)
def test_a_repeated_request_is_the_stored_page_and_reads_only_the_fingerprint(client, seeded, url):
    first, _ = _get(client, url)
    assert first["X-Public-Cache"] == "miss"
    _stored(client, url)
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_a_meeting_turns_held_at_midnight_though_every_page_was_stored(
    client, seeded, time_machine
):
    # 第2回 (7月上旬) is held once 10 July has passed: two minutes before midnight, then one
    # after, well within the stored pages' lifetime (PUBLIC_PAGE_CACHE_SECONDS), so only the
    # date in their key can make them new.
    time_machine.move_to(datetime(2025, 7, 10, 23, 58, tzinfo=TOKYO), tick=False)
    before = {url: _stored(client, url) for url in PAGES}
    upcoming = client.get(f"/open-data/meetings.json?plan={KITAKYUSHU}&when=upcoming").json()
    assert 2 in [m["number"] for m in upcoming["meetings"]]
    time_machine.move_to(datetime(2025, 7, 11, 0, 1, tzinfo=TOKYO), tick=False)
    after = {url: _fresh(client, url) for url in PAGES}
    upcoming = client.get(f"/open-data/meetings.json?plan={KITAKYUSHU}&when=upcoming").json()
    assert upcoming["today"] == "2025-07-11"
    assert 2 not in [m["number"] for m in upcoming["meetings"]]
    # The upcoming list no longer shows it; the JSON of every meeting says it was held.
    assert after[PAGES[0]] != before[PAGES[0]]
    held = {m["number"]: m["held"] for m in json.loads(after[PAGES[3]])["meetings"]}
    assert held[2] is True
    assert b'"today": "2025-07-11"' in after[PAGES[3]]


def test_an_office_edit_through_its_service_shows_on_every_stored_page_at_once(
    client, seeded, world, django_capture_on_commit_callbacks, time_machine
):
    # 令和7年6月1日: 第6回 (1月下旬) is still to come, so the upcoming list shows it.
    time_machine.move_to(datetime(2025, 6, 1, 10, tzinfo=TOKYO), tick=False)
    before = {url: _stored(client, url) for url in PAGES}
    meeting = Meeting.objects.get(plan__slug=KITAKYUSHU, number=6)
    with django_capture_on_commit_callbacks(execute=True):
        services.edit_meeting(
            user=world.users["admin"],
            meeting_id=meeting.pk,
            date_text="1月27日",
            number=6,
            fiscal_year=2025,
            title="行政評価の見直し",
            summary="",
            status="scheduled",
        )
    for url in PAGES:
        page = _fresh(client, url).decode()
        assert page != before[url].decode(), url
        # The schedule shows the meeting by its date; the rest by its title too.
        assert ("1月27日" if "schedule" in url else "行政評価の見直し") in page, url


# --- the admin -----------------------------------------------------------------------------------


def _admin_form(client, url) -> dict:
    """The admin's change form as the browser would send it unchanged (its inlines' rows and
    management forms included)."""
    page = client.get(url)
    assert page.status_code == 200, url
    form = next(
        f
        for f in lxml.html.fromstring(page.content.decode()).forms
        if f.get("id", "")[-5:] == "_form"
    )
    data: dict[str, list[str]] = {}
    for name, value in form.form_values():
        data.setdefault(name, []).append(value)
    return data


def _save(client, url, data) -> None:
    """Posts an admin form; it must be accepted (the errors say why not)."""
    response = client.post(url, data)
    if response.status_code != 302:
        context = response.context
        errors = [context["adminform"].form.errors]
        errors += [f.errors for inline in context["inline_admin_formsets"] for f in inline.formset]
        pytest.fail(f"{url} refused: {errors}")


def _change_url(obj) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


def _retitle_in_admin(operator, obj, title, on_commit) -> None:
    """Renames ``obj`` through its admin change form (committed: ``on_commit`` is
    django_capture_on_commit_callbacks); the publication fingerprint must change with it."""
    fingerprint = published.read_fingerprint()
    data = _admin_form(operator, _change_url(obj))
    data["title"] = [title]
    with on_commit(execute=True):
        _save(operator, _change_url(obj), data)
    assert published.read_fingerprint() != fingerprint


@pytest.fixture
def operator(seeded, world):
    """The site operator (a superuser) in the admin, and the fingerprint as it stands."""
    return client_for(world, "admin")


def test_an_admin_edit_of_a_meeting_shows_on_the_stored_meeting_pages_at_once(
    client, operator, django_capture_on_commit_callbacks, time_machine
):
    # 令和7年6月1日: 第6回 (1月下旬) is still to come, so the upcoming list shows it.
    time_machine.move_to(datetime(2025, 6, 1, 10, tzinfo=TOKYO), tick=False)
    meeting = Meeting.objects.get(plan__slug=KITAKYUSHU, number=6)
    url = f"/meetings/?plan={KITAKYUSHU}"
    assert "市民と考える行財政改革" not in _stored(client, url).decode()
    _retitle_in_admin(
        operator, meeting, "市民と考える行財政改革", django_capture_on_commit_callbacks
    )
    assert "市民と考える行財政改革" in _fresh(client, url).decode()
    assert (
        "市民と考える行財政改革" in _fresh(client, f"/meetings/{KITAKYUSHU}/calendar.ics").decode()
    )


def test_a_topic_added_in_the_admins_meeting_inline_shows_at_once(
    client, operator, django_capture_on_commit_callbacks
):
    meeting = Meeting.objects.get(plan__slug=KITAKYUSHU, number=6)
    url = f"/open-data/meetings.json?plan={KITAKYUSHU}"
    _stored(client, url)
    data = _admin_form(operator, _change_url(meeting))
    added = int(data["topics-TOTAL_FORMS"][0])
    data["topics-TOTAL_FORMS"] = [str(added + 1)]
    data.update(
        {
            f"topics-{added}-order": ["9"],
            f"topics-{added}-name": ["上下水道"],
            f"topics-{added}-plan": [str(meeting.plan_id)],
            f"topics-{added}-fiscal_year": ["2025"],
            f"topics-{added}-meeting": [str(meeting.pk)],
        }
    )
    with django_capture_on_commit_callbacks(execute=True):
        _save(operator, _change_url(meeting), data)
    shown = _fresh(client, url).decode()
    assert "上下水道" in shown


def test_a_meeting_deleted_by_the_admins_bulk_action_leaves_the_stored_pages_at_once(
    client, operator, django_capture_on_commit_callbacks
):
    meeting = Meeting.objects.get(plan__slug=KITAKYUSHU, number=6)
    url = f"/open-data/meetings.json?plan={KITAKYUSHU}"
    assert 6 in [m["number"] for m in json.loads(_stored(client, url))["meetings"]]
    with django_capture_on_commit_callbacks(execute=True):
        response = operator.post(
            reverse("admin:xmeetings_meeting_changelist"),
            {"action": "delete_selected", "_selected_action": [meeting.pk], "post": "yes"},
        )
    assert response.status_code == 302
    assert not Meeting.objects.filter(pk=meeting.pk).exists()
    assert 6 not in [m["number"] for m in client.get(url).json()["meetings"]]


def test_an_admin_edit_of_a_plan_changes_the_fingerprint_and_the_stored_pages_show_it(
    client, operator, django_capture_on_commit_callbacks
):
    plan = Plan.objects.get(slug=KITAKYUSHU)
    url = f"/meetings/{KITAKYUSHU}/schedule/"
    assert "北九州市政変革プラン（改）" not in _stored(client, url).decode()
    _retitle_in_admin(
        operator, plan, "北九州市政変革プラン（改）", django_capture_on_commit_callbacks
    )
    assert "北九州市政変革プラン（改）" in _fresh(client, url).decode()


def test_an_admin_edit_of_a_department_changes_the_fingerprint(
    operator, django_capture_on_commit_callbacks
):
    department = Department.objects.filter(municipality__plans__slug=KITAKYUSHU).first()
    fingerprint = published.read_fingerprint()
    data = _admin_form(operator, _change_url(department))
    data["name"] = ["行財政改革推進局"]
    with django_capture_on_commit_callbacks(execute=True):
        _save(operator, _change_url(department), data)
    department.refresh_from_db()
    assert department.name == "行財政改革推進局"
    assert published.read_fingerprint() != fingerprint


# Written in the admin, but nothing a public page shows: a round's dates (the public reads
# published 時点) and who belongs to a department.
NOT_SHOWN = {"evaluations.round", "initiatives.membership"}


def test_every_admin_write_of_what_public_pages_show_counts_as_a_master_data_edit():
    """Every model the admin writes goes through ScopedAdmin (evaluations.admin_scope), whose
    saves and deletes (inlines and bulk deletions included) are recorded by the history writer,
    which counts an edit of master data (``HistoryAction.edits_master_data``) in the
    fingerprint: so each such model's recorded actions must count."""
    request = RequestFactory().get("/admin/")
    request.user = get_user_model()(is_superuser=True, is_staff=True, is_active=True)
    writable = set()
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in ("initiatives", "evaluations", "xmeetings"):
            continue
        assert isinstance(model_admin, ScopedAdmin), model
        if not (
            model_admin.has_add_permission(request)
            or model_admin.has_change_permission(request)
            or model_admin.has_delete_permission(request)
        ):
            continue  # read-only (written by the services alone), its inlines with it
        writable.add(model)
        if model_admin.has_change_permission(request):
            writable.update(i.model for i in model_admin.get_inline_instances(request))
    labels = {m._meta.label_lower for m in writable}
    assert {"xmeetings.meeting", "initiatives.department", "initiatives.plan"} <= labels
    assert Membership._meta.label_lower in labels
    for model in writable:
        name = model._meta.model_name
        if model._meta.label_lower in NOT_SHOWN:
            assert not HistoryAction(f"{name}.change").edits_master_data, name
            continue
        for verb in ("create", "change", "delete"):
            assert HistoryAction(f"{name}.{verb}").edits_master_data, f"{name}.{verb}"
