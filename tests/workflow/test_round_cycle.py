"""The year's cycle: publishing closes a round (公表済, read-only); a correction reopens it and is
published as a 訂正 that says what changed; 公表 asks for confirmation first; the next fiscal
year's round carries forward what is still evaluated; a fiscal year holds one interim and one
year-end round; the public pages keep every 時点 readable."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client

from evaluations import services
from evaluations.choices import EntryState, HistoryAction, Result, RoundKind, RoundState
from evaluations.models import HistoryEvent, PillarNarrative, Publication, Round
from initiatives.models import Initiative
from tests.factories import make_initiative, make_pillar, make_published_round
from tests.personas import client_for, edit_data, move

READ_ONLY = "この照会は公表済みのため、変更できません。"


def _publish(world, result_a="achieved", result_b="not_achieved") -> Publication:
    move(world, world.entry_a, "edit", "submit", "confirm", result=result_a)
    move(world, world.entry_b, "edit", "submit", "confirm", result=result_b)
    return services.publish_round(user=world.users["office"], round_id=world.round.pk)


def test_publishing_leaves_the_round_published_and_read_only(world):
    _publish(world)
    world.round.refresh_from_db()
    assert world.round.state == RoundState.PUBLISHED
    assert world.round.get_state_display() == "公表済"
    entry = world.refresh().entry_a
    with pytest.raises(ValidationError, match=READ_ONLY):
        services.transition_entry(
            user=world.users["office"],
            entry_id=entry.pk,
            expected_version=entry.version,
            action="return",
            comment="誤り",
        )
    with pytest.raises(ValidationError, match=READ_ONLY):
        services.edit_entry(
            user=world.users["staff_a"],
            entry_id=entry.pk,
            expected_version=entry.version,
            values={"result": "not_achieved"},
        )
    publish = HistoryEvent.objects.get(action=HistoryAction.ROUND_PUBLISH)
    assert publish.changes["state"] == {"before": "open", "after": "published"}


def test_staff_trying_to_edit_a_published_answer_read_the_reason_in_japanese(world):
    _publish(world)
    entry = world.refresh().entry_a
    staff = client_for(world, "staff_a")
    response = staff.post(f"/staff/entries/{entry.pk}/", edit_data(entry, result="not_achieved"))
    assert response.status_code == 422
    assert READ_ONLY in response.content.decode()
    round_page = client_for(world, "office").get(f"/staff/rounds/{world.round.pk}/")
    assert "この照会は公表済みです。回答の変更や差戻しはできません。" in round_page.content.decode()
    assert 'name="entries"' not in round_page.content.decode()  # no bulk ticks offered


def test_the_seed_leaves_its_published_round_published_so_the_worklist_has_no_row_of_it(
    osaka, staff_kaikaku
):
    published = osaka.rounds.get(fiscal_year=2024)
    assert published.state == RoundState.PUBLISHED
    client = Client()
    client.force_login(staff_kaikaku)
    page = client.get("/staff/").content.decode()
    assert published.as_of_label_ja not in page


def test_a_correction_is_published_as_a_訂正_naming_each_result_it_changed(world):
    first = _publish(world, result_a="achieved")
    services.reopen_round(user=world.users["office"], round_id=world.round.pk, reason="誤記")
    reopened = HistoryEvent.objects.get(action=HistoryAction.ROUND_REOPEN)
    assert (reopened.comment, reopened.round) == ("誤記", world.round)
    move(world, world.entry_a, "return", "edit", "submit", "confirm", result="not_achieved")
    second = services.publish_round(user=world.users["office"], round_id=world.round.pk)
    assert second.is_correction and second.corrects == first
    assert second.corrections == [
        {
            "code": world.initiative_a.code,
            "title": world.initiative_a.title,
            "before": "achieved",
            "after": "not_achieved",
        }
    ]
    history = HistoryEvent.objects.filter(action=HistoryAction.ROUND_PUBLISH).first()
    assert history.publication == second
    assert (
        history.comment == f"訂正：{world.initiative_a.code} {world.initiative_a.title} 達成→未達成"
    )
    office_page = client_for(world, "office").get(f"/staff/rounds/{world.round.pk}/")
    office_history = office_page.content.decode().split('data-testid="round-history"')[1]
    assert history.comment in office_history and "訂正のための再開" in office_history
    page = client_for(world, "anonymous").get(world.plan.get_absolute_url()).content.decode()
    assert "訂正で変わった評価結果" in page
    assert f"{world.initiative_a.code} {world.initiative_a.title}：達成 → 未達成" in page


def test_reopening_needs_a_published_round_and_a_reason(world):
    with pytest.raises(ValidationError, match="公表済の照会だけを"):
        services.reopen_round(user=world.users["office"], round_id=world.round.pk, reason="x")
    _publish(world)
    with pytest.raises(ValidationError, match="訂正の理由を入力してください"):
        services.reopen_round(user=world.users["office"], round_id=world.round.pk, reason=" ")
    office = client_for(world, "office")
    refused = office.post(f"/staff/rounds/{world.round.pk}/reopen/", {"reason": ""})
    assert refused.status_code == 422
    assert "訂正の理由を入力してください。" in refused.content.decode()


def test_publish_asks_for_confirmation_showing_what_becomes_public(world):
    move(world, world.entry_a, "edit", "submit", "confirm", result="achieved")
    move(world, world.entry_b, "edit", "submit", "confirm", result="not_achieved")
    office = client_for(world, "office")
    round_page = office.get(f"/staff/rounds/{world.round.pk}/").content.decode()
    assert f'href="/staff/rounds/{world.round.pk}/publish/confirm/"' in round_page
    page = office.get(f"/staff/rounds/{world.round.pk}/publish/confirm/").content.decode()
    preview = services.publish_preview(world.round)
    assert preview.summary.rate_display() == "50.0%"
    assert 'data-testid="publish-rate">50.0%<' in page
    assert world.initiative_a.title in page and world.initiative_b.title in page
    assert "この内容で公表する" in page
    assert not Publication.objects.exists()  # looking publishes nothing


def test_the_confirmation_of_a_correction_shows_the_changes_before_and_after(world):
    _publish(world, result_a="achieved")
    move(
        world, world.entry_a, "reopen", "return", "edit", "submit", "confirm", result="not_achieved"
    )
    page = (
        client_for(world, "office")
        .get(f"/staff/rounds/{world.round.pk}/publish/confirm/")
        .content.decode()
    )
    assert "訂正の公表の確認" in page
    changes = page[page.index('data-testid="publish-changes"') :]
    row = changes[changes.index(world.initiative_a.title) :]
    assert row.index("<td>達成</td>") < row.index("<td>未達成</td>")  # before → after
    assert world.initiative_b.title not in changes.split("</table>")[0]  # unchanged: not listed


def test_a_publish_sent_from_a_stale_confirmation_page_publishes_nothing(world):
    move(world, world.entry_a, "edit", "submit", "confirm")
    move(world, world.entry_b, "edit", "submit", "confirm")
    office = client_for(world, "office")
    page = office.get(f"/staff/rounds/{world.round.pk}/publish/confirm/").content.decode()
    shown = page.split('name="shown" value="', 1)[1].split('"', 1)[0]
    move(world, world.entry_b, "return", "edit", "submit", "confirm", result="not_achieved")
    response = office.post(
        f"/staff/rounds/{world.round.pk}/publish/", {"shown": shown}, follow=True
    )
    assert "確認画面を表示した後に回答が変わりました。" in response.content.decode()
    assert not Publication.objects.exists()


def test_the_next_fiscal_year_carries_forward_only_what_is_still_evaluated(world):
    _publish(world)
    untracked = make_pillar(world.plan, office_tracks_items=False)
    outside = make_initiative(world.plan, pillar=untracked, department=world.dept_a)
    office = client_for(world, "office")
    form = office.get("/staff/rounds/").content.decode()
    assert 'name="fiscal_year" value="2025"' in form  # the year after the latest round
    response = office.post(
        "/staff/rounds/",
        {"plan": world.plan.pk, "fiscal_year": 2025, "kind": "year_end", "as_of": ""},
        follow=True,
    )
    assert response.status_code == 200
    next_round = Round.objects.get(plan=world.plan, fiscal_year=2025)
    assert next_round.as_of == date(2026, 3, 31)  # the year end, left empty
    carried = set(next_round.entries.values_list("initiative_id", flat=True))
    assert carried == set(
        Initiative.objects.filter(plan=world.plan).evaluable().values_list("pk", flat=True)
    )
    assert carried == {world.initiative_a.pk, world.initiative_b.pk}
    assert outside.pk not in carried
    # The last year's answers and history stay where they were.
    assert world.round.entries.count() == 2
    assert HistoryEvent.objects.filter(entry=world.refresh().entry_a).exists()
    opened = HistoryEvent.objects.filter(action=HistoryAction.ROUND_OPEN, round=next_round).get()
    assert opened.changes["entries"] == 2


def test_a_fiscal_year_holds_one_interim_and_one_year_end_round(world):
    interim = services.open_round_as_system(
        plan=world.plan, fiscal_year=2024, kind=RoundKind.INTERIM
    )
    assert interim.as_of == date(2024, 8, 31)
    assert interim.as_of_label_ja == "令和6年8月31日時点"
    with pytest.raises(ValidationError, match="この年度の中間照会は既にあります。"):
        services.open_round_as_system(
            plan=world.plan, fiscal_year=2024, kind=RoundKind.INTERIM, as_of=date(2024, 9, 30)
        )
    # The database holds it too (SQLite names no constraint in its error; PostgreSQL does).
    assert "round_one_interim_per_fiscal_year" in {c.name for c in Round._meta.constraints}
    with (
        pytest.raises(IntegrityError),
        transaction.atomic(),
    ):
        Round.objects.create(
            plan=world.plan, fiscal_year=2024, kind=RoundKind.INTERIM, as_of=date(2024, 10, 31)
        )


# --- the public pages after a second year is published -------------------------------------------


def _publish_second_year(world, *, narrative_2025: str = "") -> None:
    pillar = world.initiative_a.pillar
    PillarNarrative.objects.create(
        pillar=pillar, fiscal_year=2024, done="令和6年度においては委託化を進めた。"
    )
    _publish(world)
    if narrative_2025:
        PillarNarrative.objects.create(pillar=pillar, fiscal_year=2025, done=narrative_2025)
    second = services.open_round_as_system(plan=world.plan, fiscal_year=2025)
    for entry in second.entries.all():
        services.update_entry_as_system(
            entry_id=entry.pk,
            expected_version=entry.version,
            values={"result": "achieved"},
            state=EntryState.CONFIRMED,
        )
    services.publish_round_as_system(round_=second)


def test_after_a_second_year_pages_show_the_latest_and_keep_the_earlier_narrative(world):
    _publish_second_year(world)
    anonymous = client_for(world, "anonymous")
    pillar_url = world.initiative_a.pillar.get_absolute_url()
    pillar_page = anonymous.get(pillar_url).content.decode()
    # No empty heading for the 時点 that has no narrative yet …
    assert "<h2>取組状況（令和7年度末時点）</h2>" not in pillar_page
    # … and the earlier one is still there, labelled with its own 時点, open.
    assert "取組状況（令和6年度末時点）" in pillar_page
    assert "令和6年度においては委託化を進めた。" in pillar_page
    assert "<details open>" in pillar_page
    plan_page = anonymous.get(world.plan.get_absolute_url()).content.decode()
    assert "令和6年度においては委託化を進めた。" in plan_page
    assert "目標の達成状況（令和7年度末時点）" in plan_page  # the latest publication leads
    listed = plan_page[plan_page.index('data-testid="publications"') :]
    assert listed.index("令和7年度末時点") < listed.index("令和6年度末時点")
    assert f"/open-data/{world.plan.slug}/2024/results.csv" in listed  # one click away


def test_after_a_second_year_with_its_own_narrative_the_earlier_one_is_one_click_away(world):
    _publish_second_year(world, narrative_2025="令和7年度においては全区へ広げた。")
    page = client_for(world, "anonymous").get(world.initiative_a.pillar.get_absolute_url())
    page = page.content.decode()
    assert "<h2>取組状況（令和7年度末時点）</h2>" in page
    assert "令和7年度においては全区へ広げた。" in page
    earlier = page[page.index('data-testid="earlier-narratives"') :]
    assert "<details>" in earlier and "令和6年度においては委託化を進めた。" in earlier


def test_after_osaka_publishes_fy2025_its_fy2024_narratives_stay_on_plan_and_pillar_pages(
    client, osaka
):
    """The issue as reported: the seed's 令和6年度末 narratives vanished once 令和7年度末 was
    published, and pillar pages showed an empty 「取組状況（令和7年度末時点）」 heading."""
    narrative = PillarNarrative.objects.get(pillar__plan=osaka, pillar__order=2, fiscal_year=2024)
    initiatives = Initiative.objects.filter(plan=osaka).evaluable()
    make_published_round(osaka, {i: Result.ACHIEVED for i in initiatives}, fiscal_year=2025)
    pillar_page = client.get(f"/plans/{osaka.slug}/pillars/2/").content.decode()
    assert "<h2>取組状況（令和7年度末時点）</h2>" not in pillar_page
    assert "取組状況（令和6年度末時点）" in pillar_page
    assert narrative.done in pillar_page
    plan_page = client.get(f"/plans/{osaka.slug}/").content.decode()
    assert "目標の達成状況（令和7年度末時点）" in plan_page
    assert narrative.done in plan_page
    assert f"/open-data/{osaka.slug}/2024/results.csv" in plan_page


def test_a_retired_initiative_drops_out_of_the_next_round_and_keeps_its_history(db):
    from datetime import date as day

    from evaluations.choices import Result
    from evaluations.models import PublishedResult
    from initiatives.models import Initiative
    from tests.factories import (
        make_initiative,
        make_plan,
        make_published_round,
        open_year_end_round,
    )

    plan = make_plan()
    kept, retired = make_initiative(plan), make_initiative(plan)
    make_published_round(plan, {kept: Result.ACHIEVED, retired: Result.NOT_ACHIEVED})
    Initiative.objects.filter(pk=retired.pk).update(
        retired_on=day(2025, 4, 1), retired_reason="他の取組に統合"
    )
    next_round = open_year_end_round(plan, plan.start_fiscal_year + 1)
    assert [e.initiative_id for e in next_round.entries.all()] == [kept.pk]
    assert PublishedResult.objects.filter(initiative=retired).count() == 1
