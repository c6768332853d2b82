"""Settings come from the environment and fail loudly; demo accounts exist only on request."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError

from initiatives.access import manages_plan
from initiatives.models import Plan
from reformtracker.env import env_bool, env_int


def run_settings(env: dict) -> subprocess.CompletedProcess:
    code = "import django; from django.conf import settings; django.setup(); print(settings.DEBUG, settings.DATABASES['default']['ENGINE'])"
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_ENV", "SECRET_KEY", "DATABASE_URL", "DJANGO_DEBUG"}
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "reformtracker.settings", **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_settings({})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_debug_is_off_unless_asked_and_sqlite_is_the_default():
    result = run_settings({"DJANGO_ENV": "development"})
    assert result.stdout.split() == ["False", "django.db.backends.sqlite3"]


def test_database_url_selects_postgresql():
    result = run_settings(
        {
            "DJANGO_ENV": "development",
            "DATABASE_URL": "postgresql://u@127.0.0.1:5432/x",
            "DJANGO_DEBUG": "1",
        }
    )
    assert result.stdout.split() == ["True", "django.db.backends.postgresql"]


def test_typed_env_helpers_fail_loudly_on_bad_values(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "perhaps")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env_bool("SOME_FLAG")
    monkeypatch.setenv("SOME_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="SOME_NUMBER"):
        env_int("SOME_NUMBER", 1)


def test_an_unknown_django_env_is_refused():
    result = run_settings({"DJANGO_ENV": "staging"})
    assert result.returncode != 0
    assert "DJANGO_ENV must be" in result.stderr


def test_migrations_alone_create_no_user(db):
    assert get_user_model().objects.count() == 0


def test_demo_loader_creates_one_account_per_role_twice_without_duplicates(db, capsys):
    call_command("load_seed", verbosity=0)
    call_command("load_demo_accounts")
    call_command("load_demo_accounts")
    users = get_user_model().objects.order_by("username")
    assert [u.username for u in users] == [
        "admin",
        "kitakyushu-office",
        "osaka-kankyo",
        "osaka-office",
        "osaka-zaisei",
    ]
    office = users.get(username="osaka-office")
    assert office.memberships.get().department.is_reform_office
    assert users.get(username="osaka-kankyo").memberships.get().department.name == "環境局"
    assert users.get(username="admin").is_superuser
    assert "osaka-kankyo" in capsys.readouterr().out


def test_demo_loader_lists_each_account_with_its_role(db, capsys):
    call_command("load_seed", verbosity=0)
    capsys.readouterr()
    call_command("load_demo_accounts")
    assert capsys.readouterr().out.splitlines() == [
        "Demo accounts (password: demo-pass-2025):",
        "  osaka-kankyo       所管課職員    環境局 職員（デモ） <osaka-kankyo@example.jp>",
        "  osaka-zaisei       所管課職員    財政局 職員（デモ） <osaka-zaisei@example.jp>",
        "  osaka-office       市政改革室    市政改革室 職員（デモ） <osaka-office@example.jp>",
        "  kitakyushu-office  市政改革室    市政変革室 職員（デモ） <kitakyushu-office@example.jp>",
        "  admin              管理者      システム管理者（デモ） <admin@example.jp>",
    ]


def test_demo_office_account_manages_its_citys_plan_and_staff_do_not(db):
    call_command("load_seed", verbosity=0)
    call_command("load_demo_accounts")
    osaka = Plan.objects.get(municipality__slug="osaka")
    users = get_user_model().objects
    assert manages_plan(users.get(username="osaka-office"), osaka)
    assert not manages_plan(users.get(username="kitakyushu-office"), osaka)
    assert not manages_plan(users.get(username="osaka-kankyo"), osaka)
    assert manages_plan(users.get(username="admin"), osaka)


def test_demo_loader_is_refused_in_production(db, settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="本番環境"):
        call_command("load_demo_accounts")
