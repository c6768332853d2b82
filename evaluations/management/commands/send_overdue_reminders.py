"""Sends each department a reminder of its overdue entries (past the round's due date), each
with a direct link to the entry's page (``SITE_URL``).

Mail goes through Django's mailer (console by default, SMTP in production: see settings). Run
it daily from cron; it only reads, so running it twice sends twice but changes nothing. The mail
is composed by evaluations.reminders, as the office's one-click reminder is.
"""

from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from evaluations import reminders


class Command(BaseCommand):
    help = (
        "提出期限を過ぎた未提出の回答がある所属に、回答ページへのリンク付きの督促メールを送ります。"
    )
    # Run by a timer all day: the system checks (every URLconf and view imported, a fifth of
    # a second) are `manage.py check`'s job, run by the deploy (migrate) and the tests.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="送信せず、送信先と件数だけを表示します。"
        )

    def handle(self, *args, dry_run=False, **options):
        if not settings.SITE_URL and not dry_run:
            raise CommandError(
                "SITE_URL が設定されていないため、督促メールに回答ページへのリンクを書けません。"
            )
        by_department = defaultdict(list)
        for entry in reminders.overdue_entries(timezone.localdate()):
            by_department[entry.initiative.department].append(entry)
        sent = 0
        for department, entries in by_department.items():
            recipients = reminders.recipients_of(department)
            if not recipients:
                self.stderr.write(
                    f"{department.name}: 宛先（メールアドレスのある職員）がいません。"
                )
                continue
            if dry_run:
                self.stdout.write(f"{department.name}: {len(entries)}件 → {', '.join(recipients)}")
                continue
            subject, body = reminders.compose(department, entries)
            send_mail(subject, body, None, recipients)
            sent += 1
        self.stdout.write(f"督促メール: {sent}通（対象の所属 {len(by_department)}）")
