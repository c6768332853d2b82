"""An office's edit of master data shows on the very next public request with the page cache on,
in each process's own cache and through a shared one (settings.PUBLIC_CACHE_SHARED, the test's
cache standing for memcached); a staff member's save of an entry changes no public page.

Each process here keeps the fingerprint for a minute, so only the edit itself (its history row
counted in MasterDataVersion, and the announcement when it commits) can make the page fresh.
tests/office_edit/test_master_data_servers.py runs the same through two gunicorns and memcached.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import transaction

from evaluations import masterdata, published, services
from evaluations.choices import HistoryAction
from evaluations.identity import update_identity
from evaluations.services import meetings
from evaluations.services.plan_edits import edit_token
from initiatives.models import MasterDataVersion, PlanNote
from tests.factories import make_office_meeting
from tests.personas import client_for, edit_data

pytestmark = pytest.mark.usefixtures("page_cache")


@pytest.fixture(params=["own", "shared"])
def cache_kind(request, settings):
    """Each process's own cache, or one every server shares; either way the fingerprint is
    kept a minute, far longer than the test takes."""
    settings.PUBLIC_PAGE_FINGERPRINT_SECONDS = 60
    if request.param == "shared":
        settings.PUBLIC_CACHE_SHARED = True
        settings.PUBLIC_PAGE_LOCAL_ENTRIES = 50
    return request.param


def _stored(public, url) -> str:
    """The page, asked twice so the second answer comes from the cache."""
    first = public.get(url)
    again = public.get(url)
    assert again["X-Public-Cache"] == "hit"
    assert again.content == first.content
    return again.content.decode()


def _fresh(public, url) -> str:
    after = public.get(url)
    assert after.status_code == 200
    assert after["X-Public-Cache"] == "miss", "the page came from the cache: the edit is not shown"
    return after.content.decode()


def test_a_plan_note_written_in_the_office_page_shows_on_the_next_public_request(
    world, cache_kind, django_capture_on_commit_callbacks
):
    public = client_for(world, "anonymous")
    url = f"/plans/{world.plan.slug}/"
    assert "新たに見えた課題。" not in _stored(public, url)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world, "office").post(
            f"/office/plans/{world.plan.slug}/notes/",
            {"fiscal_year": 2024, "kind": "challenge", "body": "新たに見えた課題。"},
        )
    assert response.status_code == 302
    assert "新たに見えた課題。" in _fresh(public, url)


def test_an_initiatives_new_title_shows_on_its_page_at_once(
    world, cache_kind, django_capture_on_commit_callbacks
):
    item = world.initiative_a
    public = client_for(world, "anonymous")
    url = f"/plans/{world.plan.slug}/initiatives/{item.code}/"
    assert "ごみ収集業務の全面委託化" in _stored(public, url)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world, "office").post(
            f"/office/plans/{world.plan.slug}/initiatives/{item.code}/",
            {
                "token": edit_token(item),
                "title": "ごみ収集業務の民間委託（全区）",
                "order": item.order,
                "department": item.department_id,
                "evaluation_timing": "every_year",
            },
        )
    assert response.status_code == 302
    page = _fresh(public, url)
    assert "ごみ収集業務の民間委託（全区）" in page
    assert "ごみ収集業務の全面委託化" not in page


def test_a_meetings_new_date_shows_on_the_page_of_the_item_it_discussed_at_once(
    world, cache_kind, django_capture_on_commit_callbacks
):
    office = world.users["office"]
    meeting = make_office_meeting(world)
    meetings.link_initiative(
        user=office, meeting_id=meeting.pk, initiative_id=world.initiative_a.pk
    )
    public = client_for(world, "anonymous")
    url = f"/plans/{world.plan.slug}/initiatives/{world.initiative_a.code}/"
    assert "第2回X会議（7月上旬" in _stored(public, url)
    with django_capture_on_commit_callbacks(execute=True):
        meetings.edit_meeting(user=office, meeting_id=meeting.pk, date_text="9月下旬")
    page = _fresh(public, url)
    assert "第2回X会議（9月下旬" in page
    assert "7月上旬" not in page


def test_a_citys_new_display_name_shows_in_its_plans_header_at_once(
    world, cache_kind, django_capture_on_commit_callbacks
):
    public = client_for(world, "anonymous")
    url = f"/plans/{world.plan.slug}/"
    assert "テスト市役所 市政改革室" not in _stored(public, url)
    with django_capture_on_commit_callbacks(execute=True):
        update_identity(
            user=world.users["office"],
            slug=world.plan.municipality.slug,
            values={"display_name": "テスト市役所 市政改革室"},
        )
    assert "テスト市役所 市政改革室" in _fresh(public, url)


def test_a_staff_save_of_an_entry_leaves_every_public_page_as_stored(
    world, cache_kind, django_capture_on_commit_callbacks
):
    public = client_for(world, "anonymous")
    urls = [
        f"/plans/{world.plan.slug}/",
        f"/plans/{world.plan.slug}/initiatives/{world.initiative_a.code}/",
        "/",
    ]
    before = {url: _stored(public, url) for url in urls}
    fingerprint = published.publication_fingerprint()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client_for(world, "staff_a").post(
            f"/staff/entries/{world.entry_a.pk}/",
            edit_data(world.entry_a, result="achieved", narrative="委託化した。"),
        )
    assert response.status_code in (200, 302)
    world.refresh()
    assert world.entry_a.narrative == "委託化した。"  # saved: an entry, not master data
    assert callbacks == []  # nothing announced
    assert published.publication_fingerprint() == fingerprint
    for url in urls:
        again = public.get(url)
        assert again["X-Public-Cache"] == "hit", url
        assert again.content.decode() == before[url]


def test_a_shared_cache_gets_the_new_fingerprint_as_the_edit_commits(
    world, settings, django_capture_on_commit_callbacks
):
    settings.PUBLIC_CACHE_SHARED = True
    settings.PUBLIC_PAGE_FINGERPRINT_SECONDS = 60
    client_for(world, "anonymous").get(f"/plans/{world.plan.slug}/")
    old = cache.get(published.FINGERPRINT_KEY)
    assert old is not None
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.plan_edits.add_note(
            user=world.users["office"],
            plan_id=world.plan.pk,
            values={"fiscal_year": 2024, "kind": "challenge", "body": "一つ目"},
        )
    assert len(callbacks) == 1
    assert cache.get(published.FINGERPRINT_KEY) not in (None, old)


def _version() -> int:
    return MasterDataVersion.objects.values_list("version", flat=True).first() or 0


def test_each_edit_counts_and_one_transaction_announces_once(
    world, django_capture_on_commit_callbacks
):
    """A plan workbook writes its hundred history rows in one transaction: each counts, and
    the new fingerprint is announced once, when it commits."""
    # The migration's row, or none when a transactional test in this process flushed it; the
    # first count then makes it (services.base), so "none" counts as 0.
    version = _version()
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for order, body in enumerate(("一つ目", "二つ目", "三つ目"), start=1):
            note = PlanNote.objects.create(
                plan=world.plan, fiscal_year=2024, kind="challenge", order=order, body=body
            )
            masterdata.record_save(note, None, actor=world.users["office"])
    assert _version() == version + 3
    assert callbacks == [published.announce_master_data_edit]


def test_an_edit_rolled_back_announces_nothing_and_the_next_one_still_does(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.plan_edits.add_note(
                user=world.users["office"],
                plan_id=world.plan.pk,
                values={"fiscal_year": 2024, "kind": "challenge", "body": "取り消される"},
            )
            raise RuntimeError("the request failed after the edit")
        services.plan_edits.add_note(
            user=world.users["office"],
            plan_id=world.plan.pk,
            values={"fiscal_year": 2024, "kind": "challenge", "body": "残る"},
        )
    assert callbacks == [published.announce_master_data_edit]


def test_only_edits_of_what_public_pages_show_live_count_as_master_data():
    assert HistoryAction.PLANNOTE_CREATE.edits_master_data
    assert HistoryAction.INITIATIVE_RETIRE.edits_master_data
    assert HistoryAction.PILLARNARRATIVE_CHANGE.edits_master_data
    assert HistoryAction.MEETING_CHANGE.edits_master_data
    assert HistoryAction.SCHEDULEACTIVITY_CHANGE.edits_master_data
    assert HistoryAction.MUNICIPALITY_IDENTITY.edits_master_data
    for staff_work in (
        HistoryAction.ENTRY_UPDATE,
        HistoryAction.ENTRY_SUBMIT,
        HistoryAction.ENTRY_CONFIRM,
        HistoryAction.EVIDENCE_ADD,
        HistoryAction.ROUND_PUBLISH,
        HistoryAction.INDICATOR_RECORD,
        HistoryAction.USER_PASSWORD,
    ):
        assert not staff_work.edits_master_data, staff_work


def test_a_meeting_the_office_adds_shows_in_the_plans_stored_feed_at_once(
    world, cache_kind, django_capture_on_commit_callbacks
):
    public = client_for(world, "anonymous")
    url = f"/plans/{world.plan.slug}/feed/"
    assert "公共施設マネジメント" not in _stored(public, url)
    with django_capture_on_commit_callbacks(execute=True):
        make_office_meeting(world)
    assert "公共施設マネジメント" in _fresh(public, url)
