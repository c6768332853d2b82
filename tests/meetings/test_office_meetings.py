"""The reform office keeps its own plan's X会議 in the browser: meetings, 議題 in order, 資料 as
files or links (public ones downloadable by anyone), linked initiatives; each change one service
call with its history row; nobody else, and never another city's."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from evaluations.choices import HistoryAction
from evaluations.models import HistoryEvent
from evaluations.services import meeting_versions as versions
from evaluations.services import meetings as services
from tests.personas import PDF_BYTES, client_for
from tests.private_files import BACKENDS
from xmeetings.models import Meeting, MeetingMaterial, MeetingTopic


@pytest.fixture
def meeting(world):
    return services.create_meeting(
        user=world.users["office"],
        plan_slug=world.plan.slug,
        fiscal_year=2025,
        number=2,
        date_text="7月上旬",
        title="",
        summary="",
        status=Meeting.Status.SCHEDULED,
    )


def _token(meeting, section=None):
    """The token the meeting page gives its forms (the meeting's own, or a section's)."""
    if section is None:
        return versions.meeting_token(meeting)
    return versions.section_token(meeting, section)


def _pdf(name="shidai.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


# --- who may -------------------------------------------------------------------------------------

# anonymous, staff_a, staff_b, office, admin, office_member, other_office
PAGES = {
    "plans": (lambda w, m: "/office/meetings/", (302, 403, 403, 200, 200, 403, 200)),
    "plan": (
        lambda w, m: f"/office/meetings/plans/{w.plan.slug}/",
        (302, 404, 404, 200, 200, 403, 404),
    ),
    "meeting": (lambda w, m: f"/office/meetings/{m.pk}/", (302, 404, 404, 200, 200, 403, 404)),
    "bad id": (lambda w, m: "/office/meetings/987654/", (302, 404, 404, 404, 404, 404, 404)),
    "other city's plan": (
        lambda w, m: f"/office/meetings/plans/{w.other_plan.slug}/",
        (302, 404, 404, 404, 200, 404, 200),
    ),
}
WHO = ["anonymous", "staff_a", "staff_b", "office", "admin", "office_member", "other_office"]


@pytest.mark.parametrize("page", PAGES)
def test_only_the_plans_own_reform_office_reaches_its_meeting_pages(world, meeting, page):
    url, statuses = PAGES[page]
    for persona, expected in zip(WHO, statuses, strict=True):
        response = client_for(world, persona).get(url(world, meeting))
        assert response.status_code == expected, (page, persona)
        if expected == 302:
            assert response["Location"].startswith("/accounts/login/")


def test_another_citys_office_cannot_change_the_meeting(world, meeting):
    client = client_for(world, "other_office")
    assert (
        client.post(f"/office/meetings/{meeting.pk}/topics/", {"topic-name": "x"}).status_code
        == 404
    )
    assert client.post(f"/office/meetings/{meeting.pk}/delete/").status_code == 404
    staff = client_for(world, "staff_a")
    assert staff.post(f"/office/meetings/{meeting.pk}/held/").status_code == 404
    assert Meeting.objects.filter(pk=meeting.pk, status=Meeting.Status.SCHEDULED).exists()
    assert not MeetingTopic.objects.filter(meeting=meeting).exists()


# --- what the office does --------------------------------------------------------------------------


def test_the_office_adds_a_meeting_from_its_plan_page_and_history_records_it(world):
    client = client_for(world, "office")
    response = client.post(
        f"/office/meetings/plans/{world.plan.slug}/",
        {
            "meeting-fiscal_year": "2025",
            "meeting-number": "3",
            "meeting-date_text": "８月下旬",
            "meeting-title": "公共施設マネジメント",
            "meeting-summary": "",
            "meeting-status": "scheduled",
        },
    )
    meeting = Meeting.objects.get(plan=world.plan, number=3)
    assert response.status_code == 302 and response["Location"] == f"/office/meetings/{meeting.pk}/"
    assert (meeting.earliest, meeting.latest) == (date(2025, 8, 21), date(2025, 8, 31))
    event = HistoryEvent.objects.get(action=HistoryAction.MEETING_CREATE, subject_id=meeting.pk)
    assert event.actor == world.users["office"]
    assert event.changes["title"] == {"before": "", "after": "公共施設マネジメント"}


def test_a_date_it_cannot_read_is_refused_in_japanese_beside_the_date_field(world):
    client = client_for(world, "office")
    response = client.post(
        f"/office/meetings/plans/{world.plan.slug}/",
        {
            "meeting-fiscal_year": "2025",
            "meeting-number": "4",
            "meeting-date_text": "7月末旬",
            "meeting-status": "scheduled",
        },
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="id_meeting-date_text_error"' in page
    assert 'aria-describedby="id_meeting-date_text_helptext id_meeting-date_text_error"' in page
    assert "「7月末旬」を日付として読めません" in page
    assert not Meeting.objects.filter(plan=world.plan, number=4).exists()


def test_topics_keep_their_order_and_move_rename_and_go_with_history(world, meeting):
    client = client_for(world, "office")
    for name in ("公共施設マネジメント", "政策連携団体", "区役所"):
        client.post(
            f"/office/meetings/{meeting.pk}/topics/",
            {"topic-name": name, "topic-token": _token(meeting, "topics")},
        )
    names = lambda: list(meeting.topics.order_by("order").values_list("name", flat=True))  # noqa: E731
    assert names() == ["公共施設マネジメント", "政策連携団体", "区役所"]
    last = meeting.topics.get(name="区役所")
    client.post(
        f"/office/meetings/topics/{last.pk}/", {"move": "up", "token": _token(meeting, "topics")}
    )
    assert names() == ["公共施設マネジメント", "区役所", "政策連携団体"]
    client.post(
        f"/office/meetings/topics/{last.pk}/",
        {"name": "区役所のあり方", "token": _token(meeting, "topics")},
    )
    client.post(
        f"/office/meetings/topics/{meeting.topics.get(name='政策連携団体').pk}/",
        {"remove": "1", "token": _token(meeting, "topics")},
    )
    assert names() == ["公共施設マネジメント", "区役所のあり方"]
    actions = set(
        HistoryEvent.objects.filter(subject_type="xmeetings.meetingtopic").values_list(
            "action", flat=True
        )
    )
    assert actions == {
        HistoryAction.MEETINGTOPIC_CREATE,
        HistoryAction.MEETINGTOPIC_CHANGE,
        HistoryAction.MEETINGTOPIC_DELETE,
    }
    public = client_for(world, "anonymous").get(f"/meetings/?plan={world.plan.slug}&when=all")
    assert "公共施設マネジメント、区役所のあり方" in public.content.decode()


@pytest.mark.parametrize("private_media", BACKENDS, indirect=True)
def test_a_public_file_is_downloadable_by_anyone_and_a_private_one_only_by_the_office(
    world, meeting, private_media
):
    office = client_for(world, "office")
    response = office.post(
        f"/office/meetings/{meeting.pk}/materials/",
        {
            "material-title": "資料1 次第",
            "material-file": _pdf(),
            "material-is_public": "on",
            "material-token": _token(meeting, "materials"),
        },
    )
    assert response.status_code == 302
    office.post(
        f"/office/meetings/{meeting.pk}/materials/",
        {
            "material-title": "内部メモ",
            "material-file": _pdf("memo.pdf"),
            "material-token": _token(meeting, "materials"),
        },
    )
    public, private = MeetingMaterial.objects.filter(meeting=meeting).order_by("order")
    assert (public.is_public, private.is_public) == (True, False)
    anonymous = client_for(world, "anonymous")
    download = anonymous.get(f"/meetings/materials/{public.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES
    assert download["Content-Disposition"].startswith("attachment")
    assert anonymous.get(f"/meetings/materials/{private.pk}/").status_code == 404
    assert office.get(f"/office/meetings/materials/{private.pk}/file/").status_code == 200
    assert (
        client_for(world, "other_office")
        .get(f"/office/meetings/materials/{private.pk}/file/")
        .status_code
        == 404
    )
    page = anonymous.get(f"/meetings/?plan={world.plan.slug}&when=held").content.decode()
    assert f'href="/meetings/materials/{public.pk}/"' in page and "内部メモ" not in page
    listed = anonymous.get(f"/open-data/meetings.json?plan={world.plan.slug}").json()
    assert listed["meetings"][0]["materials"] == [
        {
            "title": "資料1 次第",
            "url": f"http://testserver/meetings/materials/{public.pk}/",
            "file": True,
        }
    ]


def test_a_file_that_is_not_what_its_name_says_is_refused_and_nothing_is_kept(world, meeting):
    response = client_for(world, "office").post(
        f"/office/meetings/{meeting.pk}/materials/",
        {
            "material-title": "x",
            "material-file": SimpleUploadedFile("x.pdf", b"MZ\x90\x00"),
            "material-token": _token(meeting, "materials"),
        },
    )
    assert response.status_code == 422
    assert "ファイルの中身が拡張子（.pdf）と一致しません" in response.content.decode()
    assert not MeetingMaterial.objects.exists()


def test_a_link_and_its_removal_are_in_the_history_with_what_it_was(world, meeting):
    office = client_for(world, "office")
    office.post(
        f"/office/meetings/{meeting.pk}/materials/",
        {
            "material-title": "動画",
            "material-url": "https://example.jp/x-kaigi",
            "material-token": _token(meeting, "materials"),
        },
    )
    link = MeetingMaterial.objects.get(meeting=meeting)
    office.post(
        f"/office/meetings/materials/{link.pk}/",
        {"remove": "1", "token": _token(meeting, "materials")},
    )
    assert not MeetingMaterial.objects.exists()
    removed = HistoryEvent.objects.get(action=HistoryAction.MEETINGMATERIAL_DELETE)
    assert removed.changes["url"]["before"] == "https://example.jp/x-kaigi"


def test_initiatives_of_the_meetings_own_plan_only_are_linked(world, meeting):
    office = client_for(world, "office")
    response = office.post(
        f"/office/meetings/{meeting.pk}/initiatives/",
        {"link-initiative": world.initiative_a.pk, "link-token": _token(meeting, "links")},
    )
    assert response.status_code == 302
    other = world.other_plan.initiatives.get()
    refused = office.post(
        f"/office/meetings/{meeting.pk}/initiatives/",
        {"link-initiative": other.pk, "link-token": _token(meeting, "links")},
    )
    assert refused.status_code == 422
    assert list(meeting.initiatives.all()) == [world.initiative_a]
    assert HistoryEvent.objects.filter(action=HistoryAction.MEETING_LINK).count() == 1
    office.post(
        f"/office/meetings/{meeting.pk}/initiatives/{world.initiative_a.pk}/remove/",
        {"token": _token(meeting, "links")},
    )
    assert not meeting.initiatives.exists()
    assert HistoryEvent.objects.get(action=HistoryAction.MEETING_UNLINK).changes["initiatives"][
        "before"
    ] == str(world.initiative_a)


def test_deleting_a_meeting_records_its_topics_and_materials_and_removes_its_files(world, meeting):
    services.add_topic(user=world.users["office"], meeting_id=meeting.pk, name="保育所")
    item = services.add_material(
        user=world.users["office"], meeting_id=meeting.pk, title="資料", upload=_pdf()
    )
    storage = services.material_storage()
    assert storage.exists(item.file_path)
    response = client_for(world, "office").post(
        f"/office/meetings/{meeting.pk}/delete/", {"token": _token(meeting)}
    )
    assert response.status_code == 302
    assert not Meeting.objects.filter(pk=meeting.pk).exists()
    deleted = set(
        HistoryEvent.objects.filter(changes__has_key="name").values_list("action", flat=True)
    )
    assert HistoryAction.MEETINGTOPIC_DELETE in deleted
    assert HistoryEvent.objects.filter(action=HistoryAction.MEETINGMATERIAL_DELETE).exists()
    assert HistoryEvent.objects.filter(action=HistoryAction.MEETING_DELETE).exists()


@pytest.mark.django_db(transaction=True)
def test_a_deleted_meetings_file_is_gone_once_committed(world):
    meeting = services.create_meeting(
        user=world.users["office"],
        plan_slug=world.plan.slug,
        fiscal_year=2025,
        number=1,
        date_text="5/23",
    )
    item = services.add_material(
        user=world.users["office"], meeting_id=meeting.pk, title="資料", upload=_pdf()
    )
    services.delete_meeting(user=world.users["office"], meeting_id=meeting.pk)
    assert not services.material_storage().exists(item.file_path)


def test_marking_held_is_its_own_history_action_with_the_day(world, meeting):
    client_for(world, "office").post(
        f"/office/meetings/{meeting.pk}/held/",
        {"held-held_on": "2025-07-04", "held-token": _token(meeting)},
    )
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD and meeting.date_label_ja == "7月4日"
    event = HistoryEvent.objects.get(action=HistoryAction.MEETING_HELD)
    assert event.changes == {
        "status": {"before": "scheduled", "after": "held"},
        "date": {"before": "7月上旬", "after": "7月4日"},
    }


def test_the_office_finds_its_meeting_pages_from_its_outputs_page(world):
    from tests.personas import client_for

    page = client_for(world, "office").get("/office/reports/").content.decode()
    assert f'href="/office/meetings/plans/{world.plan.slug}/"' in page
    assert f'href="/office/identity/{world.plan.municipality.slug}/"' in page
