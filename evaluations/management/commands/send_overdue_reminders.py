"""Sends each department a reminder of its overdue entries (past the round's due date).

Mail goes through Django's mailer (console by default, SMTP in production: see settings). Run
it daily from cron; it only reads, so running it twice sends twice but changes nothing.
"""

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.core.management.base import BaseCommand
from django.utils import timezone

from evaluations.choices import RoundState
from evaluations.models import Entry
from evaluations.workflow import STAFF_EDITABLE
from reformtracker.calendar_ja import format_date_ja


class Command(BaseCommand):
    help = "提出期限を過ぎた未提出の回答がある所属に、督促メールを送ります。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="送信せず、送信先と件数だけを表示します。"
        )

    def handle(self, *args, dry_run=False, **options):
        today = timezone.localdate()
        overdue = (
            Entry.objects.filter(
                round__state=RoundState.OPEN, round__due_on__lt=today, state__in=STAFF_EDITABLE
            )
            .select_related("initiative__department", "round__plan")
            .order_by("initiative__department__code", "round__due_on", "initiative__code")
        )
        by_department = defaultdict(list)
        for entry in overdue:
            by_department[entry.initiative.department].append(entry)
        users = get_user_model().objects.filter(is_active=True).exclude(email="")
        sent = 0
        for department, entries in by_department.items():
            recipients = sorted(
                users.filter(memberships__department=department).values_list("email", flat=True)
            )
            if not recipients:
                self.stderr.write(
                    f"{department.name}: 宛先（メールアドレスのある職員）がいません。"
                )
                continue
            lines = [
                f"- {e.initiative.code} {e.initiative.title}（{e.round.plan.title} "
                f"{e.round.as_of_label_ja}、期限 {format_date_ja(e.round.due_on)}、"
                f"{e.get_state_display()}）"
                for e in entries
            ]
            body = "\n".join(
                [
                    f"{department.name} ご担当者様",
                    "",
                    "次の取組項目の回答が提出期限を過ぎています。入力・提出をお願いします。",
                    "",
                    *lines,
                    "",
                    "市政改革室",
                ]
            )
            subject = f"【督促】提出期限を過ぎた回答が{len(entries)}件あります（{department.name}）"
            if dry_run:
                self.stdout.write(f"{department.name}: {len(entries)}件 → {', '.join(recipients)}")
            else:
                send_mail(subject, body, None, recipients)
                sent += 1
        self.stdout.write(f"督促メール: {sent}通（対象の所属 {len(by_department)}）")
