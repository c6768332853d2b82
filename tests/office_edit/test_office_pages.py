"""The office's edit pages in the browser's terms: plain forms that post and redirect, errors at
their fields (422), a stale form answered with what is stored (409) and the typed text kept,
htmx getting only the form back, and the public pages showing a retired item honestly."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.utils import timezone

from evaluations.choices import HistoryAction, Result
from evaluations.models import HistoryEvent
from evaluations.services import plan_edits, publish_round_as_system
from evaluations.services.plan_edits import edit_token
from initiatives.models import PlanNote
from tests.factories import confirm_entries
from tests.personas import HTMX, client_for


def _base(world) -> str:
    return f"/office/plans/{world.plan.slug}"


def test_the_plans_office_page_links_every_edit_page(world):
    page = client_for(world, "office").get(f"{_base(world)}/").content.decode()
    for path in ("edit/", "notes/", "initiatives/", "schedules/"):
        assert f'href="{_base(world)}/{path}"' in page
    assert f'href="{_base(world)}/pillars/{world.initiative_a.pillar.order}/"' in page


def test_the_office_reports_page_links_each_plans_edit_page(world):
    page = client_for(world, "office").get("/office/reports/").content.decode()
    assert f'href="{_base(world)}/"' in page


def test_a_plain_form_saves_the_plan_and_redirects_with_a_message(world):
    client = client_for(world, "office")
    response = client.post(
        f"{_base(world)}/edit/",
        {"token": edit_token(world.plan), "summary": "行政運営の改革。", "contact": "市政改革室"},
        follow=True,
    )
    assert response.redirect_chain == [(f"{_base(world)}/", 302)]
    assert "計画の概要・出典・問合せ先を保存しました。" in response.content.decode()
    world.plan.refresh_from_db()
    assert world.plan.summary == "行政運営の改革。"


def test_an_invalid_field_answers_422_with_the_error_tied_to_its_field(world):
    client = client_for(world, "office")
    response = client.post(
        f"{_base(world)}/edit/",
        {"token": edit_token(world.plan), "source_url": "not a url"},
    )
    assert response.status_code == 422
    page = response.content.decode()
    described = re.search(r'<input[^>]*name="source_url"[^>]*>', page)[0]
    assert 'aria-invalid="true"' in described
    assert 'aria-describedby="id_source_url_error"' in described
    assert re.search(r'<div class="errors" id="id_source_url_error"><p>[^<]+</p>', page)


def test_a_stale_form_gets_409_with_what_is_stored_and_keeps_the_typed_text(world):
    client = client_for(world, "office")
    seen = edit_token(world.plan)
    plan_edits.edit_plan(
        user=world.users["admin"], plan_id=world.plan.pk, token=seen, values={"contact": "先の保存"}
    )
    response = client.post(
        f"{_base(world)}/edit/", {"token": seen, "summary": "わたしの概要", "contact": ""}
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "ほかの人がこの内容を先に更新しました。" in page
    assert "<dd>先の保存</dd>" in page
    assert "わたしの概要</textarea>" in page
    world.plan.refresh_from_db()
    assert (world.plan.contact, world.plan.summary) == ("先の保存", "")
    # The page carries the stored row's token: saving again is a deliberate overwrite.
    token = re.search(r'name="token" value="([0-9a-f]+)"', page)[1]
    assert token == edit_token(world.plan)


def test_htmx_gets_only_the_form_back_on_a_refusal_and_a_redirect_on_success(world):
    client = client_for(world, "office")
    url = f"{_base(world)}/notes/"
    refused = client.post(url, {"fiscal_year": 2024, "kind": "outcome", "body": ""}, **HTMX)
    assert refused.status_code == 422
    body = refused.content.decode()
    assert body.lstrip().startswith("<form") and "<html" not in body
    saved = client.post(url, {"fiscal_year": 2024, "kind": "outcome", "body": "成果。"}, **HTMX)
    assert saved.status_code == 200
    assert saved["HX-Redirect"] == url


def test_notes_page_reorders_with_buttons_that_work_without_javascript(world):
    client = client_for(world, "office")
    for body in ("一つ目", "二つ目"):
        client.post(
            f"{_base(world)}/notes/", {"fiscal_year": 2024, "kind": "outcome", "body": body}
        )
    second = PlanNote.objects.get(body="二つ目")
    page = client.get(f"{_base(world)}/notes/").content.decode()
    assert f'action="{_base(world)}/notes/{second.pk}/move/"' in page
    client.post(
        f"{_base(world)}/notes/{second.pk}/move/",
        {"token": edit_token(second), "direction": "up"},
    )
    assert list(PlanNote.objects.order_by("order").values_list("body", flat=True)) == [
        "二つ目",
        "一つ目",
    ]


def test_a_note_whose_year_cannot_be_read_is_refused_at_its_field_and_nothing_is_saved(world):
    response = client_for(world, "office").post(
        f"{_base(world)}/notes/", {"fiscal_year": "令和", "kind": "outcome", "body": "成果。"}
    )
    assert response.status_code == 422
    assert 'aria-describedby="id_fiscal_year' in response.content.decode()
    assert not PlanNote.objects.filter(body="成果。").exists()


def test_the_english_row_buttons_name_their_row_inside_the_attribute(world):
    client = client_for(world, "office")
    client.post(f"{_base(world)}/notes/", {"fiscal_year": 2024, "kind": "outcome", "body": "A"})
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"{_base(world)}/notes/").content.decode()
    labels = re.findall(r'aria-label="(Move [^"]*)"', page)
    assert labels and all(label.endswith((" up", " down")) for label in labels)


def test_a_narrative_form_of_a_published_year_says_the_change_waits_for_a_publication(world):
    confirm_entries(
        world.round, {world.initiative_a: Result.ACHIEVED, world.initiative_b: Result.ACHIEVED}
    )
    publish_round_as_system(round_=world.round, actor_name="test")
    order = world.initiative_a.pillar.order
    page = client_for(world, "office").get(f"{_base(world)}/pillars/{order}/narratives/2024/")
    assert "この年度は公表済みです" in page.content.decode()
    fresh = client_for(world, "office").get(f"{_base(world)}/pillars/{order}/narratives/2025/")
    assert "この年度は公表済みです" not in fresh.content.decode()


def test_deleting_an_evaluated_initiative_is_refused_with_a_japanese_message(world):
    client = client_for(world, "office")
    item = world.initiative_a
    page = client.get(f"{_base(world)}/initiatives/{item.code}/").content.decode()
    assert "削除できません" in page and "この取組項目を削除" not in page
    response = client.post(
        f"{_base(world)}/initiatives/{item.code}/delete/", {"token": edit_token(item)}, follow=True
    )
    assert "評価の記録" in response.content.decode()
    assert not HistoryEvent.objects.filter(action=HistoryAction.INITIATIVE_DELETE).exists()


def test_a_retirement_without_a_reason_is_refused_at_its_field(world):
    item = world.initiative_a
    response = client_for(world, "office").post(
        f"{_base(world)}/initiatives/{item.code}/retire/",
        {"retire-token": edit_token(item), "retire-reason": ""},
    )
    assert response.status_code == 422
    assert 'id="id_retire-reason_error"' in response.content.decode()


def test_the_public_pages_show_a_retired_initiative_as_retired_with_its_reason(world):
    item = world.initiative_a
    client_for(world, "office").post(
        f"{_base(world)}/initiatives/{item.code}/retire/",
        {"retire-token": edit_token(item), "retire-reason": "事業の統合により廃止"},
    )
    public = client_for(world, "anonymous")
    detail = public.get(f"/plans/{world.plan.slug}/initiatives/{item.code}/").content.decode()
    assert "廃止（事業の統合により廃止）" in detail
    browser = public.get(f"/initiatives/?plan={world.plan.slug}").content.decode()
    assert "廃止（事業の統合により廃止）" in browser
    pillar = public.get(f"/plans/{world.plan.slug}/pillars/{item.pillar.order}/").content.decode()
    assert "廃止（事業の統合により廃止）" in pillar
    english = public.get(f"/en/plans/{world.plan.slug}/initiatives/{item.code}/").content.decode()
    assert "Retired (事業の統合により廃止)" in english


@pytest.mark.usefixtures("page_cache")
def test_an_edit_shows_publicly_on_the_next_request_and_leaves_the_publication_alone(
    world, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    confirm_entries(
        world.round, {world.initiative_a: Result.ACHIEVED, world.initiative_b: Result.ACHIEVED}
    )
    publish_round_as_system(round_=world.round, actor_name="test")
    public = client_for(world, "anonymous")
    url = f"/plans/{world.plan.slug}/"
    before = public.get(url).content.decode()
    item = world.initiative_a
    client_for(world, "office").post(
        f"{_base(world)}/initiatives/{item.code}/",
        {
            "token": edit_token(item),
            "title": "ごみ収集業務の民間委託（全区）",
            "order": item.order,
            "department": item.department_id,
            "evaluation_timing": "every_year",
        },
    )
    client_for(world, "office").post(
        f"{_base(world)}/notes/",
        {"fiscal_year": 2024, "kind": "challenge", "body": "新たに見えた課題。"},
    )
    # No wait for the stored page to expire: the edit changed the fingerprint its key carries.
    after = public.get(url).content.decode()
    assert after != before
    assert "新たに見えた課題。" in after
    # The published 時点 still names the item as it was published.
    pillar = public.get(f"/plans/{world.plan.slug}/pillars/{item.pillar.order}/").content.decode()
    assert "ごみ収集業務の全面委託化" in pillar
    assert "ごみ収集業務の民間委託（全区）" not in pillar


def test_the_notes_page_reads_a_constant_number_of_queries_however_many_notes(
    world, django_assert_max_num_queries
):
    client = client_for(world, "office")
    url = f"{_base(world)}/notes/"
    client.get(url)
    PlanNote.objects.bulk_create(
        PlanNote(plan=world.plan, fiscal_year=2024, kind="outcome", order=n, body=f"成果{n}")
        for n in range(1, 31)
    )
    with django_assert_max_num_queries(12):
        page = client.get(url).content.decode()
    assert page.count("/move/") == 60


def test_a_years_first_narrative_written_meanwhile_by_someone_else_is_a_409_not_an_overwrite(
    world,
):
    pillar = world.initiative_a.pillar
    url = f"{_base(world)}/pillars/{pillar.order}/narratives/2025/"
    plan_edits.save_narrative(
        user=world.users["admin"],
        pillar_id=pillar.pk,
        fiscal_year=2025,
        token="",
        values={"done": "先に書かれた取組状況"},
    )
    response = client_for(world, "office").post(
        url, {"token": "", "done": "わたしの取組状況", "next_steps": ""}
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "<dd>先に書かれた取組状況</dd>" in page
    assert "わたしの取組状況</textarea>" in page


def test_a_conflict_on_an_initiative_lists_only_the_fields_that_differ(world):
    item = world.initiative_a
    seen = edit_token(item)
    plan_edits.edit_initiative(
        user=world.users["admin"],
        initiative_id=item.pk,
        token=seen,
        values={"target": "全区で委託"},
    )
    response = client_for(world, "office").post(
        f"{_base(world)}/initiatives/{item.code}/",
        {
            "token": seen,
            "title": item.title,
            "order": item.order,
            "department": item.department_id,
            "evaluation_timing": "every_year",
        },
    )
    assert response.status_code == 409
    rows = re.findall(r"<dt>([^<]+)</dt><dd>([^<]*)</dd>", response.content.decode())
    assert rows == [("目標", "全区で委託")]
