"""CONN_MAX_AGE from the environment is what the production settings give PostgreSQL (it was
once fixed at 60 whatever the variable said), read by a fresh process as a server reads it."""

import os
import subprocess
import sys

from django.conf import settings

READ = (
    "import django; django.setup(); from django.conf import settings; "
    "d = settings.DATABASES['default']; print(d['ENGINE'], d['CONN_MAX_AGE'], "
    "d['CONN_HEALTH_CHECKS'])"
)


def _settings_with(**env) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    clean.update(
        DJANGO_SETTINGS_MODULE="reformtracker.settings",
        DJANGO_ENV="production",
        SECRET_KEY="conn-max-age-test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        ALLOWED_HOSTS="example.jp",
        DATABASE_URL="postgresql://rt@db.example.jp:5432/reformtracker",
        **env,
    )
    done = subprocess.run(
        [sys.executable, "-c", READ],
        env=clean,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip()


def test_postgresql_keeps_connections_as_long_as_conn_max_age_says():
    assert _settings_with(CONN_MAX_AGE="7") == "django.db.backends.postgresql 7 True"


def test_without_the_variable_production_keeps_them_60_seconds_and_checks_can_be_off():
    assert _settings_with(CONN_HEALTH_CHECKS="off") == "django.db.backends.postgresql 60 False"
