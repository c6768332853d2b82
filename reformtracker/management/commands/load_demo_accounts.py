"""Creates one demo account per role for trying the app locally. Refused in production."""

from importlib import import_module

from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from initiatives.models import Department, Membership

DEMO_PASSWORD = "demo-pass-2025"

# (username, full name, municipality slug, department code or None, role)
ACCOUNTS = [
    ("osaka-kankyo", "環境局 職員（デモ）", "osaka", "kankyo", "department_staff"),
    ("osaka-zaisei", "財政局 職員（デモ）", "osaka", "zaisei", "department_staff"),
    ("osaka-office", "市政改革室 職員（デモ）", "osaka", "shisei-kaikaku", "reform_office"),
    (
        "kitakyushu-office",
        "市政変革室 職員（デモ）",
        "kitakyushu",
        "shisei-henkaku",
        "reform_office",
    ),
    ("admin", "システム管理者（デモ）", None, None, "administrator"),
]

ROLE_LABELS = {
    "department_staff": "所管課職員",
    "reform_office": "市政改革室",
    "administrator": "管理者",
}

# The groups and their permissions are made by a data migration, so production has them too;
# the same function re-grants them here (a flushed test database has no groups).
_groups_migration = import_module("evaluations.migrations.0003_staff_groups_and_permissions")


def ensure_groups() -> dict[str, Group]:
    return _groups_migration.grant(django_apps)


class Command(BaseCommand):
    help = "Creates demo accounts for each role (development only). Safe to run twice."

    @transaction.atomic
    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "デモアカウントは本番環境（DJANGO_ENV=production）では作成できません。"
            )
        groups = ensure_groups()
        User = get_user_model()
        lines = []
        for username, full_name, municipality, code, role in ACCOUNTS:
            user, _created = User.objects.get_or_create(username=username)
            # Japanese names read family-first; one field avoids Django's first-last order.
            user.first_name, user.last_name = full_name, ""
            user.is_staff = role in ("reform_office", "administrator")
            user.is_superuser = role == "administrator"
            user.set_password(DEMO_PASSWORD)
            user.save()
            if role in groups:
                user.groups.add(groups[role])
            if code:
                department = Department.objects.get(municipality__slug=municipality, code=code)
                Membership.objects.get_or_create(user=user, department=department)
            lines.append(f"  {username:<18} {ROLE_LABELS[role]:<8} {full_name}")
        self.stdout.write(f"Demo accounts (password: {DEMO_PASSWORD}):")
        for line in lines:
            self.stdout.write(line)
