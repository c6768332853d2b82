"""No machine-local state: with PRIVATE_FILES_BACKEND=database the private files (evidence,
finished reports, uploaded 照会票) live in the database, so two app servers that share only
the database serve the same files, whatever each has on its own disk.

The evidence, report-job and import tests elsewhere run over both backends
(tests/private_files.py's BACKENDS); these hold the storage's own promises."""

import hashlib
import tracemalloc

import pytest
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.core.files.storage import storages

from evaluations import evidence, filestore
from evaluations.models import StoredFile
from reformtracker.env import private_storages
from tests.fresh_settings import read_settings

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 4096 + b"\n%%EOF\n"  # 1 MiB and a bit, every byte value


def _app_server(settings, root, backend="database"):
    """Configures this process as an app server whose PRIVATE_MEDIA_ROOT is ``root``."""
    settings.PRIVATE_MEDIA_ROOT = root
    settings.STORAGES = {**settings.STORAGES, **private_storages(backend, root)}


def test_evidence_saved_on_one_app_server_reads_back_on_another_sharing_only_the_database(
    settings, tmp_path
):
    _app_server(settings, tmp_path / "server-a")
    name = evidence.storage().save("evidence/1/2/keiyaku.pdf", ContentFile(PDF))
    _app_server(settings, tmp_path / "server-b")  # another machine: an empty folder
    with evidence.storage().open(name) as file:
        assert file.read() == PDF
    assert evidence.storage().size(name) == len(PDF)
    assert not any((tmp_path / "server-b").rglob("*")) and not (tmp_path / "server-a").exists()


def test_on_the_filesystem_backend_the_other_app_server_does_not_find_it(settings, tmp_path):
    """The same steps on the filesystem: what the database backend is for."""
    _app_server(settings, tmp_path / "server-a", backend="filesystem")
    name = evidence.storage().save("evidence/1/2/keiyaku.pdf", ContentFile(PDF))
    _app_server(settings, tmp_path / "server-b", backend="filesystem")
    assert not evidence.storage().exists(name)


def test_the_three_private_storages_keep_their_files_apart(settings, tmp_path):
    _app_server(settings, tmp_path)
    for alias in ("evidence", "reports", "imports"):
        storages[alias].save("same.txt", ContentFile(alias.encode()))
    assert sorted(StoredFile.objects.values_list("name", flat=True)) == [
        "evidence/same.txt",
        "imports/same.txt",
        "reports/same.txt",
    ]
    with storages["reports"].open("same.txt") as file:
        assert file.read() == b"reports"
    storages["imports"].delete("same.txt")
    assert storages["evidence"].exists("same.txt") and not storages["imports"].exists("same.txt")


def test_a_name_already_taken_gets_a_new_one_as_on_the_filesystem(settings, tmp_path):
    _app_server(settings, tmp_path)
    storage = storages["evidence"]
    first = storage.save("a/report.pdf", ContentFile(b"one"))
    second = storage.save("a/report.pdf", ContentFile(b"two"))
    assert first == "a/report.pdf"
    assert second != first and second.startswith("a/report_") and second.endswith(".pdf")
    assert storage.listdir("a") == ([], sorted(["report.pdf", second.removeprefix("a/")]))
    assert storage.listdir("") == (["a"], [])


def test_two_servers_saving_one_name_at_once_both_keep_their_file(settings, tmp_path):
    """The second insert of a name (taken after its server checked it was free) gets a new
    name instead of failing, as FileSystemStorage's exclusive create does."""
    _app_server(settings, tmp_path)
    storage = storages["evidence"]
    first = storage._save("a/report.pdf", ContentFile(b"one"))
    second = storage._save("a/report.pdf", ContentFile(b"two"))
    assert first == "a/report.pdf" and second != first
    with storage.open(first) as one, storage.open(second) as two:
        assert (one.read(), two.read()) == (b"one", b"two")


def test_names_outside_the_storage_are_refused(settings, tmp_path):
    _app_server(settings, tmp_path)
    for name in ("../reports/x.pdf", "/etc/passwd", "a/../../x"):
        with pytest.raises(SuspiciousFileOperation):
            storages["evidence"].save(name, ContentFile(b"x"))
    assert not StoredFile.objects.exists()


def test_a_download_holds_a_chunk_of_the_file_in_memory_not_the_file(settings, tmp_path):
    _app_server(settings, tmp_path)
    big = PDF * 10  # 10 MiB and a bit: the largest evidence file
    name = storages["evidence"].save("big.pdf", ContentFile(big))
    digest, expected = hashlib.sha256(), hashlib.sha256(big).hexdigest()
    del big
    tracemalloc.start()
    with storages["evidence"].open(name) as file:  # as FileResponse reads it
        for block in iter(lambda: file.read(8192), b""):
            digest.update(block)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert digest.hexdigest() == expected
    assert peak < 3 * filestore.CHUNK_BYTES


def test_times_and_sizes_are_the_rows(settings, tmp_path, time_machine):
    _app_server(settings, tmp_path)
    time_machine.move_to("2026-04-01 09:00 +09:00", tick=False)
    name = storages["imports"].save("t.json", ContentFile(b"{}"))
    storage = storages["imports"]
    assert storage.get_created_time(name) == storage.get_modified_time(name)
    assert storage.get_modified_time(name).isoformat() == "2026-04-01T00:00:00+00:00"
    with pytest.raises(FileNotFoundError):
        storage.size("missing.json")
    with pytest.raises(FileNotFoundError):
        storage.open("missing.json")


def test_private_files_have_no_url(settings, tmp_path):
    _app_server(settings, tmp_path)
    with pytest.raises(NotImplementedError):
        storages["evidence"].url("evidence/1/2/x.pdf")


def _backends_under(django_env: str) -> dict:
    backend, storage_classes = read_settings(
        "[s.PRIVATE_FILES_BACKEND, "
        "{a: s.STORAGES[a]['BACKEND'] for a in ('evidence', 'reports', 'imports')}]",
        forget=("PRIVATE_",),
        DJANGO_ENV=django_env,
    )
    return backend, set(storage_classes.values())


def test_production_keeps_private_files_in_the_database_and_development_on_disk():
    assert _backends_under("production") == (
        "database",
        {"evaluations.filestore.DatabaseStorage"},
    )
    assert _backends_under("development") == (
        "filesystem",
        {"django.core.files.storage.FileSystemStorage"},
    )
