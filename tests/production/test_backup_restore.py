"""manage.py backup_site and restore_site (evaluations.backup): a site with history, evidence,
a finished report and publications, backed up and restored into a fresh database and an empty
storage folder, gives back every open-data document byte for byte, the same figures on its
public pages, the same history and the same files — on both backends of the private files, on
SQLite in the SQLite pass and on PostgreSQL (pg_dump/pg_restore) in the PostgreSQL pass.

The restored site is read by a fresh process configured only by its environment, as another
server would be (tests/production/site_state.py)."""

import io
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from evaluations import import_uploads, services
from evaluations.choices import Result
from evaluations.models import StoredFile
from evaluations.reports import jobs
from initiatives.models import Department, MasterDataVersion, Plan
from tests.factories import confirm_entries, open_year_end_round
from tests.personas import PDF_BYTES, make_member
from tests.private_files import BACKENDS
from tests.production.site_state import capture

ROOT = Path(settings.BASE_DIR)


def _build_history(osaka):
    """A new year of the seed plan: evidence on an entry, every entry confirmed (history),
    published (a new 時点), a finished report, and an upload waiting for its confirmation."""
    round_ = open_year_end_round(osaka, 2025)
    staff = make_member("kaikaku", Department.objects.get(code="shisei-kaikaku"))
    entry = round_.entries.filter(initiative__department__code="shisei-kaikaku").first()
    for n, content in enumerate([PDF_BYTES, PDF_BYTES + bytes(range(256)) * 512]):
        services.add_evidence(
            user=staff,
            entry_id=entry.pk,
            title=f"契約書{n}",
            upload=SimpleUploadedFile(f"keiyaku{n}.pdf", content),
        )
    results = [Result.ACHIEVED, Result.NOT_ACHIEVED, Result.ACHIEVED]
    confirm_entries(
        round_,
        {e.initiative: results[i % 3] for i, e in enumerate(round_.entries.order_by("pk"))},
    )
    services.publish_round_as_system(round_=round_, actor_name="test", note="令和7年度末時点")
    office = make_member("office", Department.objects.get(code="shisei-kaikaku"))
    jobs.read(jobs.start(user=office, plan=osaka, fiscal_year=2025))
    import_uploads.storage().save("0123abcd.json", ContentFile(b'{"waiting": true}'))


def _fresh_database(tmp_path):
    """An empty database beside the test's, and the environment naming it; dropped after."""
    if connection.vendor == "sqlite":
        yield {"SQLITE_PATH": str(tmp_path / "restored.sqlite3")}
        return
    db = connection.settings_dict
    name = f"restored_{uuid.uuid4().hex[:12]}"
    server = dict(
        host=db["HOST"], port=db["PORT"], user=db["USER"], password=db["PASSWORD"] or None
    )
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
        url = f"postgresql://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{name}"
        yield {"DATABASE_URL": url}
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def fresh_database(tmp_path_factory):
    yield from _fresh_database(tmp_path_factory.mktemp("database"))


def _run(args, environment):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SQLITE_PATH"}}
    env.update(environment, DJANGO_SETTINGS_MODULE="reformtracker.settings", DJANGO_ENV="test")
    done = subprocess.run(
        [sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("private_media", BACKENDS, indirect=True)
def test_a_restored_site_gives_back_every_document_figure_history_row_and_file(
    osaka, private_media, fresh_database, tmp_path_factory, settings
):
    _build_history(osaka)
    before = capture()
    kinds = ("/results.json", "/results.csv", "/pillars/", "/initiatives/", "/schedules/")
    assert all(any(kind in url for url in before["open_data"]) for kind in kinds)
    assert before["rows"]["HistoryEvent"] > 0
    assert sum(len(files) for files in before["files"].values()) == 4  # 2 evidence, PDF, upload
    assert before["figures"]["/"] and before["figures"][f"/plans/{osaka.slug}/"]

    backup = tmp_path_factory.mktemp("backup")
    call_command("backup_site", backup, stdout=io.StringIO())
    manifest = json.loads((backup / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["database"]["vendor"] == connection.vendor
    assert {a: s["files"] for a, s in manifest["storages"].items()} == {
        a: len(files) for a, files in before["files"].items()
    }
    applied = MigrationRecorder(connection).applied_migrations()
    assert set(manifest["migrations"]["evaluations"]) == {
        name for app, name in applied if app == "evaluations"
    }

    restored_media = tmp_path_factory.mktemp("restored") / "media"
    elsewhere = {
        **fresh_database,
        "PRIVATE_MEDIA_ROOT": str(restored_media),  # a new, empty folder
        "PRIVATE_FILES_BACKEND": settings.PRIVATE_FILES_BACKEND,
    }
    restored = _run(["manage.py", "restore_site", str(backup)], elsewhere)
    assert "復元しました" in restored
    after = json.loads(_run(["-m", "tests.production.site_state"], elsewhere))

    assert after["open_data"] == before["open_data"]
    assert after["figures"] == before["figures"]
    assert after["rows"] == before["rows"]
    assert after["files"] == before["files"]
    if settings.PRIVATE_FILES_BACKEND == "database":  # the files came back inside the dump
        assert not restored_media.exists()
        assert not any(part.startswith("files-") for part in manifest["parts"])


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_restore_over_a_database_that_holds_data(seeded, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("elsewhere")
    call_command("backup_site", tmp_path / "backup", stdout=io.StringIO())
    with pytest.raises(CommandError, match="戻し先のデータベースには既にデータがあります"):
        call_command("restore_site", tmp_path / "backup", stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_it_refuses_a_backup_whose_part_changed_since_it_was_made(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("elsewhere")
    call_command("backup_site", tmp_path / "backup", stdout=io.StringIO())
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text(encoding="utf-8"))
    part = tmp_path / "backup" / manifest["database"]["part"]
    data = bytearray(part.read_bytes())
    data[len(data) // 2] ^= 0xFF
    part.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="SHA-256 不一致"):
        call_command("restore_site", tmp_path / "backup", "--force", stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_it_will_not_write_a_backup_over_another(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("elsewhere")
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "manifest.json").write_text("{}")
    with pytest.raises(CommandError, match="空ではありません"):
        call_command("backup_site", tmp_path / "backup", stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("private_media", ["database"], indirect=True)
def test_with_the_database_backend_the_dump_holds_the_files(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("elsewhere")
    import_uploads.storage().save("waiting.json", ContentFile(b"{}"))
    call_command("backup_site", tmp_path / "backup", stdout=io.StringIO())
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["storages"]["imports"] == {"backend": "database", "files": 1, "part": None}
    assert sorted(manifest["parts"]) == [manifest["database"]["part"]]
    assert StoredFile.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_it_will_not_back_up_into_a_folder_it_backs_up(private_media):
    with pytest.raises(CommandError, match="フォルダの中にはできません"):
        call_command("backup_site", private_media / "backup", stdout=io.StringIO())


def _master_data_version() -> int:
    return MasterDataVersion.objects.values_list("version", flat=True).get(pk=1)


@pytest.mark.django_db(transaction=True)
def test_a_page_stored_before_a_restore_is_not_served_after_it_though_the_version_is_the_same(
    osaka, client, page_cache, private_media, tmp_path_factory
):
    backup = tmp_path_factory.mktemp("backup") / "site"
    call_command("backup_site", backup, stdout=io.StringIO())
    version = _master_data_version()
    # The site's data and the backup's differ at the same version number, as after a restore
    # that reused a number or a database whose pages a shared cache outlived. Every write of a
    # plan is counted (the history writer, and the database's triggers for any other), so the
    # number is set back by hand after the write.
    Plan.objects.filter(pk=osaka.pk).update(title="差し替え前のプラン名")
    assert _master_data_version() > version
    MasterDataVersion.objects.filter(pk=1).update(version=version)
    page = f"/plans/{osaka.slug}/"
    assert "差し替え前のプラン名" in client.get(page).content.decode()
    assert client.get(page)["X-Public-Cache"] == "hit"
    assert _master_data_version() == version

    restored_at = time.time_ns() // 1000
    call_command("restore_site", backup, "--force", stdout=io.StringIO())

    after = client.get(page)
    assert after["X-Public-Cache"] == "miss"
    assert osaka.title in after.content.decode()
    assert "差し替え前のプラン名" not in after.content.decode()
    # Past the replaced database's number and past the restore's time in microseconds, which
    # no count of edits reaches: so also past a lost database's, into an empty one.
    assert _master_data_version() > max(version, restored_at)
