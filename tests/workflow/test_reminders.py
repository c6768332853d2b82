"""The reminder command mails each department its overdue entries, and nobody else."""

from io import StringIO

from django.core import mail
from django.core.management import call_command

from tests.personas import move


def test_it_mails_each_department_its_overdue_entries(world, time_machine):
    move(world, world.entry_b, "edit", "submit")  # B has submitted: nothing overdue for B
    time_machine.move_to("2025-06-02 09:00 +09:00")
    out = StringIO()
    call_command("send_overdue_reminders", stdout=out)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["staff-a@example.jp"]
    assert "環境局" in message.subject and "1件" in message.subject
    assert world.initiative_a.title in message.body
    assert "令和7年5月31日" in message.body
    assert world.initiative_b.title not in message.body
    assert "督促メール: 1通" in out.getvalue()


def test_it_sends_nothing_before_the_due_date_or_for_a_closed_round(world, time_machine):
    time_machine.move_to("2025-05-31 18:00 +09:00")
    call_command("send_overdue_reminders", stdout=StringIO())
    assert mail.outbox == []
    world.round.state = "closed"
    world.round.save()
    time_machine.move_to("2025-07-01 09:00 +09:00")
    call_command("send_overdue_reminders", stdout=StringIO())
    assert mail.outbox == []


def test_it_only_lists_recipients_in_a_dry_run(world, time_machine):
    time_machine.move_to("2025-06-02 09:00 +09:00")
    out = StringIO()
    call_command("send_overdue_reminders", "--dry-run", stdout=out)
    assert mail.outbox == []
    assert "環境局: 1件 → staff-a@example.jp" in out.getvalue()
    assert "財政局: 1件 → staff-b@example.jp" in out.getvalue()
