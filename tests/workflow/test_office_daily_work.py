"""The office's daily work: bulk actions that name each row they refuse and offer the rest, the
公表 button arriving with the bulk confirm's answer, a department submitting every ready answer at
once, the overdue list with its one-click reminder, reminder mail that links each entry, and a
warning for a round opened past its due date."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from evaluations import services
from evaluations.choices import EntryState, HistoryAction
from evaluations.models import HistoryEvent, Round
from tests.personas import HTMX, client_for, move


def _ticks(*entries) -> list[str]:
    for entry in entries:
        entry.refresh_from_db()
    return [f"{e.pk}:{e.version}" for e in entries]


def test_bulk_confirm_names_the_row_already_confirmed_and_changes_nothing(world):
    move(world, world.entry_a, "edit", "submit", "confirm")
    move(world, world.entry_b, "edit", "submit")
    office = client_for(world, "office")
    response = office.post(
        f"/staff/rounds/{world.round.pk}/bulk/",
        {"action": "confirm", "entries": _ticks(world.entry_a, world.entry_b)},
    )
    assert response.status_code == 422
    page = response.content.decode()
    refused = page[page.index('data-testid="bulk-refused"') :]
    assert f"{world.initiative_a.code} {world.initiative_a.title}：" in refused
    assert "「確認済」の回答には「確認」を行えません。" in refused
    assert world.initiative_b.title not in refused.split("</ul>")[0]
    assert "残りの1件に適用する" in refused
    assert world.refresh().entry_b.state == EntryState.SUBMITTED


def test_applying_to_the_rest_confirms_the_others_and_says_which_it_left_out(world):
    move(world, world.entry_a, "edit", "submit", "confirm")
    move(world, world.entry_b, "edit", "submit")
    office = client_for(world, "office")
    response = office.post(
        f"/staff/rounds/{world.round.pk}/bulk/",
        {
            "action": "confirm",
            "entries": _ticks(world.entry_a, world.entry_b),
            "skip_refused": "1",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "1件を処理しました。" in page
    assert f"対象外にした回答：{world.initiative_a.code} {world.initiative_a.title}" in page
    assert world.refresh().entry_b.state == EntryState.CONFIRMED
    assert HistoryEvent.objects.filter(action="entry.confirm", entry=world.entry_b).count() == 1
    assert HistoryEvent.objects.filter(action="entry.confirm", entry=world.entry_a).count() == 1


def test_the_bulk_confirm_answer_brings_the_publish_button_out_of_band(world):
    move(world, world.entry_a, "edit", "submit")
    move(world, world.entry_b, "edit", "submit")
    office = client_for(world, "office")
    before = office.get(f"/staff/rounds/{world.round.pk}/").content.decode()
    assert 'data-testid="publish-link"' not in before
    response = office.post(
        f"/staff/rounds/{world.round.pk}/bulk/",
        {"action": "confirm", "entries": _ticks(world.entry_a, world.entry_b)},
        **HTMX,
    )
    fragment = response.content.decode()
    assert response.status_code == 200
    assert 'id="round-actions" hx-swap-oob="true"' in fragment
    assert 'data-testid="publish-link"' in fragment


def test_a_department_submits_every_ready_answer_at_once(world):
    second = services.open_round_as_system(plan=world.plan, fiscal_year=2025)
    later = second.entries.get(initiative=world.initiative_a)
    move(world, world.entry_a, "edit")
    move(world, later, "edit")
    staff = client_for(world, "staff_a")
    worklist = staff.get("/staff/").content.decode()
    assert "この2件をまとめて提出する" in worklist
    ticks = worklist.split('data-testid="submit-ready"')[1].split("</form>")[0]
    values = [v.split('"')[0] for v in ticks.split('name="entries" value="')[1:]]
    response = staff.post("/staff/submit-ready/", {"entries": values}, follow=True)
    assert "2件を提出しました" in response.content.decode()
    world.entry_a.refresh_from_db()
    later.refresh_from_db()
    assert (world.entry_a.state, later.state) == (EntryState.SUBMITTED, EntryState.SUBMITTED)
    assert HistoryEvent.objects.filter(action="entry.submit").count() == 2


def test_submitting_all_refuses_the_whole_batch_naming_an_answer_changed_since(world):
    second = services.open_round_as_system(plan=world.plan, fiscal_year=2025)
    later = second.entries.get(initiative=world.initiative_a)
    move(world, world.entry_a, "edit")
    move(world, later, "edit")
    seen = _ticks(world.entry_a, later)
    move(world, later, "edit", result="not_achieved")  # somebody saved it again since
    response = client_for(world, "staff_a").post(
        "/staff/submit-ready/", {"entries": seen}, follow=True
    )
    page = response.content.decode()
    assert "次の回答を提出できないため、どれも提出していません" in page
    assert (
        f"{world.initiative_a.code} {world.initiative_a.title}：ほかの人が先に更新しました" in page
    )
    assert world.refresh().entry_a.state == EntryState.IN_PROGRESS
    assert not HistoryEvent.objects.filter(action="entry.submit").exists()


def test_the_office_sees_overdue_answers_per_department_and_reminds_one_with_a_click(
    world, time_machine, settings
):
    settings.SITE_URL = "https://kaikaku.example.jp"
    move(world, world.entry_b, "edit", "submit")  # B is done: not overdue
    time_machine.move_to("2025-06-02 09:00 +09:00")
    office = client_for(world, "office")
    assert (
        'data-testid="overdue-link"'
        in office.get(f"/staff/rounds/{world.round.pk}/").content.decode()
    )
    page = office.get(f"/staff/rounds/{world.round.pk}/overdue/").content.decode()
    assert "環境局（1件）" in page and world.initiative_a.title in page
    assert "財政局" not in page
    assert "督促メールを送る（宛先1人）" in page
    response = office.post(
        f"/staff/rounds/{world.round.pk}/overdue/{world.dept_a.pk}/remind/", follow=True
    )
    assert "環境局に督促メールを送りました（1件）。" in response.content.decode()
    (message,) = mail.outbox
    assert message.to == ["staff-a@example.jp"]
    assert f"https://kaikaku.example.jp/staff/entries/{world.entry_a.pk}/" in message.body
    event = HistoryEvent.objects.get(action=HistoryAction.ROUND_REMIND)
    assert (event.round, event.subject_repr, event.changes) == (
        world.round,
        "環境局",
        {"entries": 1, "recipients": 1},
    )


def test_a_department_with_nothing_overdue_gets_no_reminder(world, time_machine):
    time_machine.move_to("2025-05-30 09:00 +09:00")  # before the due date
    response = client_for(world, "office").post(
        f"/staff/rounds/{world.round.pk}/overdue/{world.dept_a.pk}/remind/", follow=True
    )
    assert "環境局に提出期限を過ぎた回答はありません。" in response.content.decode()
    assert mail.outbox == []
    assert not HistoryEvent.objects.filter(action=HistoryAction.ROUND_REMIND).exists()


def test_the_reminder_command_links_each_entry_from_site_url(world, time_machine, settings):
    settings.SITE_URL = "https://kaikaku.example.jp"
    time_machine.move_to("2025-06-02 09:00 +09:00")
    call_command("send_overdue_reminders", stdout=StringIO())
    bodies = {m.to[0]: m.body for m in mail.outbox}
    assert (
        f"https://kaikaku.example.jp/staff/entries/{world.entry_a.pk}/"
        in bodies["staff-a@example.jp"]
    )
    assert (
        f"https://kaikaku.example.jp/staff/entries/{world.entry_b.pk}/"
        in bodies["staff-b@example.jp"]
    )


def test_the_reminder_command_refuses_to_mail_links_without_site_url(world, settings):
    settings.SITE_URL = ""
    with pytest.raises(CommandError, match="SITE_URL が設定されていない"):
        call_command("send_overdue_reminders", stdout=StringIO())
    assert mail.outbox == []


def test_opening_a_round_with_a_due_date_already_past_warns(world, time_machine):
    time_machine.move_to("2026-07-01 09:00 +09:00")
    response = client_for(world, "office").post(
        "/staff/rounds/",
        {
            "plan": world.plan.pk,
            "fiscal_year": 2025,
            "kind": "year_end",
            "as_of": "2026-03-31",
            "due_on": "2026-06-30",
        },
        follow=True,
    )
    page = response.content.decode()
    assert Round.objects.filter(plan=world.plan, fiscal_year=2025).exists()
    assert "提出期限の令和8年6月30日は既に過ぎています。" in page


def test_the_demo_accounts_have_addresses_so_the_reminder_command_finds_them(seeded, time_machine):
    call_command("load_demo_accounts", stdout=StringIO())
    osaka_round = services.open_round_as_system(
        plan=Round.objects.get(fiscal_year=2024, plan__slug__startswith="osaka").plan,
        fiscal_year=2025,
        due_on=date(2026, 6, 30),
    )
    assert osaka_round.entries.exists()
    time_machine.move_to("2026-07-01 09:00 +09:00")
    out = StringIO()
    call_command("send_overdue_reminders", stdout=out)
    addresses = {address for m in mail.outbox for address in m.to}
    assert "osaka-kankyo@example.jp" in addresses
    assert "osaka-zaisei@example.jp" in addresses
    assert f"督促メール: {len(mail.outbox)}通" in out.getvalue()
