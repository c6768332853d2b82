"""CONN_MAX_AGE from the environment is what the production settings give PostgreSQL (it was
once fixed at 60 whatever the variable said), read by a fresh process as a server reads it."""

from tests.fresh_settings import read_settings

READ = "[s.DATABASES['default'][k] for k in ('ENGINE', 'CONN_MAX_AGE', 'CONN_HEALTH_CHECKS')]"


def _settings_with(**env) -> str:
    engine, max_age, health_checks = read_settings(
        READ,
        forget=("DATABASE_",),
        DJANGO_ENV="production",
        ALLOWED_HOSTS="example.jp",
        DATABASE_URL="postgresql://rt@db.example.jp:5432/reformtracker",
        **env,
    )
    return f"{engine} {max_age} {health_checks}"


def test_postgresql_keeps_connections_as_long_as_conn_max_age_says():
    assert _settings_with(CONN_MAX_AGE="7") == "django.db.backends.postgresql 7 True"


def test_without_the_variable_production_keeps_them_60_seconds_and_checks_can_be_off():
    assert _settings_with(CONN_HEALTH_CHECKS="off") == "django.db.backends.postgresql 60 False"
