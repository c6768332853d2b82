"""Creates one demo account per role for trying the app locally. Refused in production."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from initiatives.models import Department, Membership
from initiatives.roles import Role, ensure_groups

DEMO_PASSWORD = "demo-pass-2025"
DEMO_MAIL_DOMAIN = "example.jp"
ADMINISTRATOR = "管理者"  # a superuser: no group, no department

# (username, full name, municipality slug, department code or None, role or None: administrator)
ACCOUNTS = [
    ("osaka-kankyo", "環境局 職員（デモ）", "osaka", "kankyo", Role.DEPARTMENT_STAFF),
    ("osaka-zaisei", "財政局 職員（デモ）", "osaka", "zaisei", Role.DEPARTMENT_STAFF),
    ("osaka-office", "市政改革室 職員（デモ）", "osaka", "shisei-kaikaku", Role.REFORM_OFFICE),
    (
        "kitakyushu-office",
        "市政変革室 職員（デモ）",
        "kitakyushu",
        "shisei-henkaku",
        Role.REFORM_OFFICE,
    ),
    ("admin", "システム管理者（デモ）", None, None, None),
]


class Command(BaseCommand):
    help = "Creates demo accounts for each role (development only). Safe to run twice."

    @transaction.atomic
    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "デモアカウントは本番環境（DJANGO_ENV=production）では作成できません。"
            )
        # A flushed test database has no groups: the migration's are made again.
        groups = ensure_groups()
        User = get_user_model()
        lines = []
        for username, full_name, municipality, code, role in ACCOUNTS:
            user, _created = User.objects.get_or_create(username=username)
            # Japanese names read family-first; one field avoids Django's first-last order.
            user.first_name, user.last_name = full_name, ""
            # An address on the reserved example domain, so the reminder command has someone
            # to mail and `make run`'s console backend shows the letter.
            user.email = f"{username}@{DEMO_MAIL_DOMAIN}"
            user.is_staff = role in (Role.REFORM_OFFICE, None)
            user.is_superuser = role is None
            user.set_password(DEMO_PASSWORD)
            user.save()
            if role is not None:
                user.groups.add(groups[role])
            if code:
                department = Department.objects.get(municipality__slug=municipality, code=code)
                Membership.objects.get_or_create(user=user, department=department)
            label = role.group_name if role is not None else ADMINISTRATOR
            lines.append(f"  {username:<18} {label:<8} {full_name} <{user.email}>")
        self.stdout.write(f"Demo accounts (password: {DEMO_PASSWORD}):")
        for line in lines:
            self.stdout.write(line)
