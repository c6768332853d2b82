"""No lost update on the office's meeting pages: every form carries the digest of what its editor
saw (the meeting's own fields, or its 議題, its 資料, its linked initiatives), and a save made
over someone else's is refused with 409, nothing written, the typed text kept and what changed
named. With htmx each section answers with its own fragment; without JavaScript the whole page.
(Simultaneous saves on a real PostgreSQL: tests/meetings/test_simultaneous_saves.py.)"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from evaluations.choices import HistoryAction
from evaluations.models import HistoryEvent
from evaluations.services import meeting_versions as versions
from evaluations.services import meetings as services
from tests.factories import make_office_meeting
from tests.personas import HTMX, client_for
from xmeetings.models import Meeting, MeetingMaterial, MeetingTopic


@pytest.fixture
def meeting(world):
    office = world.users["office"]
    meeting = make_office_meeting(world)
    services.add_topic(user=office, meeting_id=meeting.pk, name="区役所")
    services.add_material(
        user=office, meeting_id=meeting.pk, title="次第", url="https://example.jp/shidai"
    )
    return meeting


def _details(meeting, token, **values):
    data = {
        "meeting-token": token,
        "meeting-fiscal_year": "2025",
        "meeting-number": str(meeting.number),
        "meeting-date_text": "7月上旬",
        "meeting-title": meeting.title,
        "meeting-summary": "",
        "meeting-status": "scheduled",
    }
    return data | {f"meeting-{k}": v for k, v in values.items()}


def _someone_else(world, meeting):
    """Another member of the office saves the meeting, a topic, a material and a link first."""
    admin = world.users["admin"]
    services.edit_meeting(
        user=admin,
        meeting_id=meeting.pk,
        date_text="7月中旬",
        fiscal_year=2025,
        number=2,
        title="先に保存した名称",
        summary="",
        status="scheduled",
    )
    services.add_topic(user=admin, meeting_id=meeting.pk, name="先に追加した議題")
    services.add_material(
        user=admin, meeting_id=meeting.pk, title="先に追加した資料", url="https://example.jp/a"
    )
    services.link_initiative(user=admin, meeting_id=meeting.pk, initiative_id=world.initiative_b.pk)


# --- the meeting's own fields ---------------------------------------------------------------------


def test_a_details_save_over_someone_elses_is_refused_keeping_the_typed_text(world, meeting):
    seen = versions.meeting_token(meeting)
    _someone_else(world, meeting)
    office = client_for(world, "office")
    response = office.post(
        f"/office/meetings/{meeting.pk}/", _details(meeting, seen, title="わたしの名称")
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "ほかの人がこの内容を先に更新しました。" in page
    assert 'value="わたしの名称"' in page
    # What the stored meeting says now, where it differs from the form: its name and date.
    assert "<dt>名称</dt><dd>先に保存した名称</dd>" in page
    assert "<dt>開催日</dt><dd>7月中旬</dd>" in page
    meeting.refresh_from_db()
    assert meeting.title == "先に保存した名称"
    # The refused form carries the stored token: saving again is a deliberate overwrite.
    token = re.search(r'name="meeting-token" value="([0-9a-f]+)"', page)[1]
    assert token == versions.meeting_token(meeting)
    again = office.post(
        f"/office/meetings/{meeting.pk}/", _details(meeting, token, title="わたしの名称")
    )
    assert again.status_code == 302
    meeting.refresh_from_db()
    assert meeting.title == "わたしの名称"


def test_a_form_sent_without_its_token_is_a_conflict_not_an_overwrite(world, meeting):
    response = client_for(world, "office").post(
        f"/office/meetings/{meeting.pk}/", _details(meeting, "", title="上書き")
    )
    assert response.status_code == 409
    assert Meeting.objects.get(pk=meeting.pk).title == "公共施設マネジメント"


def test_marking_held_after_someone_changed_the_meeting_shows_its_stored_status(world, meeting):
    seen = versions.meeting_token(meeting)
    services.mark_meeting_held(user=world.users["admin"], meeting_id=meeting.pk)
    response = client_for(world, "office").post(
        f"/office/meetings/{meeting.pk}/held/",
        {"held-token": seen, "held-held_on": "2025-07-04"},
        **HTMX,
    )
    assert response.status_code == 409
    fragment = response.content.decode()
    assert fragment.lstrip().startswith('<form method="post" id="meeting-held"')
    assert "<dt>状態</dt><dd>開催済</dd>" in fragment
    assert 'value="2025-07-04"' in fragment
    assert HistoryEvent.objects.filter(action=HistoryAction.MEETING_HELD).count() == 1


def test_deleting_a_meeting_someone_has_just_changed_is_refused(world, meeting):
    seen = versions.meeting_token(meeting)
    _someone_else(world, meeting)
    office = client_for(world, "office")
    response = office.post(f"/office/meetings/{meeting.pk}/delete/", {"token": seen}, follow=True)
    assert Meeting.objects.filter(pk=meeting.pk).exists()
    assert "ほかの人がこの内容を先に更新しました" in response.content.decode()


# --- the sections: 議題, 資料, linked initiatives -------------------------------------------------


def _topic(meeting):
    return MeetingTopic.objects.get(meeting=meeting, name="区役所")


def _material(meeting):
    return MeetingMaterial.objects.get(meeting=meeting, title="次第")


@dataclass(frozen=True)
class Change:
    """One change of a section: the section, the address (``{meeting}``, ``{topic}``,
    ``{material}`` and ``{linked}``, the initiative linked first, filled in), the data without
    the token (``"A"`` is initiative A), the token's field name, and whether the office had
    linked initiative B first (so that it can unlink it)."""

    section: str
    path: str
    data: dict
    field: str = "token"
    linked_first: bool = False

    def url(self, meeting, world) -> str:
        places = {
            "meeting": lambda: meeting.pk,
            "topic": lambda: _topic(meeting).pk,
            "material": lambda: _material(meeting).pk,
            "linked": lambda: world.initiative_b.pk,
        }
        names = re.findall(r"{(\w+)}", self.path)
        return self.path.format(**{name: places[name]() for name in names})


CHANGES = {
    "add a topic": Change(
        "topics",
        "/office/meetings/{meeting}/topics/",
        {"topic-name": "わたしの議題"},
        "topic-token",
    ),
    "rename a topic": Change(
        "topics", "/office/meetings/topics/{topic}/", {"name": "わたしの議題"}
    ),
    "move a topic": Change("topics", "/office/meetings/topics/{topic}/", {"move": "down"}),
    "remove a topic": Change("topics", "/office/meetings/topics/{topic}/", {"remove": "1"}),
    "add a material": Change(
        "materials",
        "/office/meetings/{meeting}/materials/",
        {"material-title": "わたしの資料", "material-url": "https://example.jp/mine"},
        "material-token",
    ),
    "make a material private": Change(
        "materials", "/office/meetings/materials/{material}/", {"title": "次第", "is_public": "0"}
    ),
    "remove a material": Change(
        "materials", "/office/meetings/materials/{material}/", {"remove": "1"}
    ),
    "link an initiative": Change(
        "links", "/office/meetings/{meeting}/initiatives/", {"link-initiative": "A"}, "link-token"
    ),
    "unlink an initiative": Change(
        "links",
        "/office/meetings/{meeting}/initiatives/{linked}/remove/",
        {},
        linked_first=True,
    ),
}
ADDED = {
    "topics": "追加：先に追加した議題",
    "materials": "追加：先に追加した資料",
    "links": "追加：",
}


def _state(meeting):
    return (
        list(meeting.topics.order_by("order").values_list("name", flat=True)),
        list(meeting.materials.order_by("order").values_list("title", "is_public")),
        sorted(meeting.initiatives.values_list("pk", flat=True)),
    )


@pytest.mark.parametrize("change", CHANGES)
def test_a_section_change_made_over_someone_elses_is_refused_and_names_what_changed(
    world, meeting, change
):
    case = CHANGES[change]
    section, field = case.section, case.field
    if case.linked_first:
        services.link_initiative(
            user=world.users["office"], meeting_id=meeting.pk, initiative_id=world.initiative_b.pk
        )
    data = {k: (world.initiative_a.pk if v == "A" else v) for k, v in case.data.items()}
    seen = versions.section_token(meeting, section)
    target = case.url(meeting, world)
    if section == "links":
        # Someone else links another initiative first.
        other = world.initiative_a if case.linked_first else world.initiative_b
        services.link_initiative(
            user=world.users["admin"], meeting_id=meeting.pk, initiative_id=other.pk
        )
    else:
        _someone_else(world, meeting)
    before = _state(meeting)
    events = HistoryEvent.objects.count()
    response = client_for(world, "office").post(target, {**data, field: seen}, **HTMX)
    assert response.status_code == 409, change
    fragment = response.content.decode()
    # Only the section, with the conflict first in focus and what changed listed.
    assert fragment.lstrip().startswith(f'<section id="meeting-{section}"')
    assert "ほかの人がこの欄を先に変更しました。" in fragment
    assert 'class="conflict" role="alert" tabindex="-1" data-swap-focus' in fragment
    assert ADDED[section] in fragment or "削除：" in fragment
    if "わたしの" in str(data):
        assert "わたしの" in fragment, "the typed text is kept"
    assert _state(meeting) == before and HistoryEvent.objects.count() == events
    # The section now carries the stored token: the same change goes through.
    fresh = versions.section_token(meeting, section)
    assert f'value="{fresh}"' in fragment
    again = client_for(world, "office").post(target, {**data, field: fresh}, **HTMX)
    assert again.status_code == 200, change
    assert 'role="status" tabindex="-1" data-swap-focus' in again.content.decode()


def test_a_removed_topic_is_named_from_its_history(world, meeting):
    seen = versions.section_token(meeting, "topics")
    services.remove_topic(user=world.users["admin"], topic_id=_topic(meeting).pk)
    response = client_for(world, "office").post(
        f"/office/meetings/{meeting.pk}/topics/",
        {"topic-name": "わたしの議題", "topic-token": seen},
    )
    assert response.status_code == 409
    assert "削除：区役所" in response.content.decode()


def test_a_change_in_one_section_leaves_the_other_forms_of_the_page_valid(world, meeting):
    tokens = {s: versions.section_token(meeting, s) for s in versions.SECTIONS}
    details = versions.meeting_token(meeting)
    office = client_for(world, "office")
    added = office.post(
        f"/office/meetings/{meeting.pk}/topics/",
        {"topic-name": "新しい議題", "topic-token": tokens["topics"]},
    )
    assert added.status_code == 302
    material = office.post(
        f"/office/meetings/{meeting.pk}/materials/",
        {
            "material-title": "動画",
            "material-url": "https://example.jp/v",
            "material-token": tokens["materials"],
        },
    )
    assert material.status_code == 302
    saved = office.post(f"/office/meetings/{meeting.pk}/", _details(meeting, details, title="新"))
    assert saved.status_code == 302
    assert Meeting.objects.get(pk=meeting.pk).title == "新"


# --- htmx and without JavaScript -----------------------------------------------------------------


def test_with_htmx_adding_a_topic_swaps_the_topics_section_with_its_notice(world, meeting):
    response = client_for(world, "office").post(
        f"/office/meetings/{meeting.pk}/topics/",
        {"topic-name": "政策連携団体", "topic-token": versions.section_token(meeting, "topics")},
        **HTMX,
    )
    assert response.status_code == 200
    fragment = response.content.decode()
    assert fragment.lstrip().startswith('<section id="meeting-topics"')
    assert "<html" not in fragment and "meeting-materials" not in fragment
    assert "議題を追加しました。" in fragment and 'value="政策連携団体"' in fragment
    # The add form is blank again and carries the new token.
    assert f'value="{versions.section_token(meeting, "topics")}"' in fragment


def test_with_htmx_a_refused_material_swaps_its_section_with_the_error_summary(world, meeting):
    response = client_for(world, "office").post(
        f"/office/meetings/{meeting.pk}/materials/",
        {"material-title": "x", "material-token": versions.section_token(meeting, "materials")},
        **HTMX,
    )
    assert response.status_code == 422
    fragment = response.content.decode()
    assert fragment.lstrip().startswith('<section id="meeting-materials"')
    assert 'id="material-errors" tabindex="-1" data-swap-focus' in fragment
    assert "リンクかファイルのどちらか一方を指定してください。" in fragment


def test_without_javascript_a_conflict_is_the_whole_page_with_409(world, meeting):
    seen = versions.section_token(meeting, "topics")
    _someone_else(world, meeting)
    response = client_for(world, "office").post(
        f"/office/meetings/topics/{_topic(meeting).pk}/", {"name": "区役所のあり方", "token": seen}
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "<html" in page and "追加：先に追加した議題" in page
    # The typed name stays in its row; the stored one is unchanged.
    assert 'value="区役所のあり方"' in page
    assert _topic(meeting).name == "区役所"


def test_without_javascript_a_refused_rename_is_the_page_with_422_and_the_reason(world, meeting):
    response = client_for(world, "office").post(
        f"/office/meetings/topics/{_topic(meeting).pk}/",
        {"name": "", "token": versions.section_token(meeting, "topics")},
    )
    assert response.status_code == 422
    assert 'class="message message-error" role="alert"' in response.content.decode()
    assert _topic(meeting).name == "区役所"


def test_a_signed_out_htmx_request_sends_the_browser_to_sign_in_and_back_to_the_page(
    world, meeting
):
    page = f"http://testserver/office/meetings/{meeting.pk}/"
    response = client_for(world, "anonymous").post(
        f"/office/meetings/{meeting.pk}/topics/",
        {"topic-name": "x", "topic-token": versions.section_token(meeting, "topics")},
        HTTP_HX_CURRENT_URL=page,
        **HTMX,
    )
    assert response["HX-Redirect"] == f"/accounts/login/?next=/office/meetings/{meeting.pk}/"
    assert not meeting.topics.filter(name="x").exists()


def test_with_htmx_a_new_meeting_refused_swaps_its_form_and_a_saved_one_opens_its_page(world):
    office = client_for(world, "office")
    url = f"/office/meetings/plans/{world.plan.slug}/"
    data = {
        "meeting-fiscal_year": "2025",
        "meeting-number": "5",
        "meeting-date_text": "7月末旬",
        "meeting-status": "scheduled",
    }
    refused = office.post(url, data, **HTMX)
    assert refused.status_code == 422
    fragment = refused.content.decode()
    assert fragment.lstrip().startswith('<form method="post" id="meeting-add"')
    assert 'id="meeting-errors" tabindex="-1" data-swap-focus' in fragment
    saved = office.post(url, {**data, "meeting-date_text": "7月上旬"}, **HTMX)
    meeting = Meeting.objects.get(plan=world.plan, number=5)
    assert saved["HX-Redirect"] == f"/office/meetings/{meeting.pk}/"


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(
            "topics;99999999999999999999999:ab;x;:;12", id="an id too large and parts unreadable"
        ),
        pytest.param("materials;1:ab", id="a token naming another section"),
        pytest.param(";;;", id="separators only"),
        pytest.param("x" * 200, id="two hundred letters of nothing"),
    ],
)
def test_a_token_that_is_not_one_the_page_gave_is_a_conflict_not_an_error(world, meeting, token):
    response = client_for(world, "office").post(
        f"/office/meetings/{meeting.pk}/topics/", {"topic-name": "議題", "topic-token": token}
    )
    assert response.status_code == 409
    assert not meeting.topics.filter(name="議題").exists()
