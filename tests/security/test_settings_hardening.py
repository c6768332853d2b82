"""Settings the probe found missing (issue 11 #16, #18)."""

from django.conf import settings

from reformtracker.env import SQLITE_OPTIONS, database_settings


def test_a_sqlite_url_gets_the_same_options_as_the_sqlite_file():
    from_file = database_settings(None, "/srv/db.sqlite3", 60)
    from_url = database_settings("sqlite:////srv/db.sqlite3", "/unused", 60)
    assert from_file["OPTIONS"] == from_url["OPTIONS"] == SQLITE_OPTIONS
    assert "journal_mode=WAL" in from_url["OPTIONS"]["init_command"]
    assert from_url["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    for key in ("ENGINE", "NAME", "CONN_MAX_AGE"):
        assert from_file[key] == from_url[key], key


def test_a_postgresql_url_is_left_as_it_was():
    config = database_settings("postgres://u:p@db:5432/rt", "/unused", 0)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert "transaction_mode" not in config.get("OPTIONS", {})


def test_private_files_and_sqlite_side_files_are_ignored_by_git():
    ignored = (settings.BASE_DIR / ".gitignore").read_text(encoding="utf-8").split()
    for entry in ["/private_media/", "db.sqlite3-wal", "db.sqlite3-shm", "db.sqlite3-journal"]:
        assert entry in ignored
