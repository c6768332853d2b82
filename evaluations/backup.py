"""Backing the whole site up into a folder, and restoring it into a fresh database and storage
(``manage.py backup_site DIR`` and ``manage.py restore_site DIR``).

The folder holds the database (PostgreSQL: ``pg_dump`` custom format without owners, restored
by ``pg_restore``; SQLite: a copy made by SQLite's online backup API, which a running site may
keep writing through), one tar per private storage kept on the filesystem (with the database
backend the files are rows, so the dump holds them), and ``manifest.json``: when, which database,
the migrations applied, how many files each storage held, and the SHA-256 of every part. A
restore checks every part against the manifest before it touches anything, refuses a database
or folder that already holds data (unless forced), and checks the counts afterwards.

A restore counts as one edit of master data past every number the page cache can have keyed a
page on (``_count_as_an_edit``), so no public page stored before it is served after it.

Take the backup while the site runs: the database is copied consistently, and a file written
meanwhile is at worst a file no row names yet (evidence and reports are saved before the row
that names them).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations.filestore import DatabaseStorage
from evaluations.services.base import count_master_data_edit
from initiatives.models import MasterDataVersion
from reformtracker.env import PRIVATE_STORAGE_FOLDERS

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_PARTS = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the operator, in Japanese."""


@dataclass(frozen=True)
class Outcome:
    folder: Path
    manifest: dict

    def summary(self) -> str:
        files = ", ".join(f"{alias} {s['files']}" for alias, s in self.manifest["storages"].items())
        return f"{self.folder} ({self.manifest['database']['vendor']}; files: {files})"


# --- the parts ----------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _backend(alias: str) -> str:
    storage = storages[alias]
    if isinstance(storage, DatabaseStorage):
        return "database"
    if isinstance(storage, FileSystemStorage):
        return "filesystem"
    raise BackupError(
        _("保存先「%(alias)s」の種類（%(kind)s）はバックアップできません。")
        % {"alias": alias, "kind": type(storage).__name__}
    )


def _location(alias: str) -> Path:
    return Path(storages[alias].location).resolve()


def _files_of(alias: str) -> list[Path]:
    """The files of a filesystem storage, without those of another private storage kept in a
    folder inside it (evidence's folder holds the reports' and the uploads' folders)."""
    root = _location(alias)
    inner = {
        _location(other)
        for other in PRIVATE_STORAGE_FOLDERS
        if other != alias and _backend(other) == "filesystem"
    }
    inner = {path for path in inner if path != root and path.is_relative_to(root)}
    found = []
    for folder, directories, names in os.walk(root):
        directories[:] = sorted(d for d in directories if Path(folder, d) not in inner)
        found.extend(Path(folder, name) for name in sorted(names))
    return found


def _migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def _conninfo(passfile: Path) -> str:
    """libpq's connection string for the site's database. The password, if any, goes through a
    private pgpass file rather than the command line, where any user could read it."""
    db = connection.settings_dict
    parts = {"host": db.get("HOST"), "port": db.get("PORT"), "user": db.get("USER")}
    parts["dbname"] = db["NAME"]
    if db.get("PASSWORD"):
        escaped = str(db["PASSWORD"]).replace("\\", "\\\\").replace(":", "\\:")
        passfile.write_text(f"*:*:*:*:{escaped}\n", encoding="utf-8")
        passfile.chmod(0o600)
        parts["passfile"] = str(passfile)
    return " ".join(f"{key}={_quoted(value)}" for key, value in parts.items() if value)


def _quoted(value) -> str:
    """A value of a libpq connection string: in single quotes, with \\ and ' escaped."""
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def _pg(program: str, *args: str) -> None:
    """Runs pg_dump or pg_restore against the site's database (``--dbname`` is added)."""
    executable = Path(settings.PG_BINDIR) / program
    if not executable.exists():
        raise BackupError(
            _("%(program)s が見つかりません（PG_BINDIR=%(folder)s）。")
            % {"program": program, "folder": settings.PG_BINDIR}
        )
    with tempfile.TemporaryDirectory() as private:
        conninfo = _conninfo(Path(private) / "pgpass")
        done = subprocess.run(
            [str(executable), "--dbname", conninfo, *args], capture_output=True, text=True
        )
    if done.returncode != 0:
        raise BackupError(
            _("%(program)s が失敗しました：%(error)s")
            % {"program": program, "error": done.stderr.strip()[-2000:]}
        )


def _vendor() -> str:
    if connection.vendor not in DATABASE_PARTS:
        raise BackupError(
            _("このデータベース（%(vendor)s）のバックアップには対応していません。")
            % {"vendor": connection.vendor}
        )
    return connection.vendor


# --- backup -------------------------------------------------------------------------------------


def backup(folder: Path) -> Outcome:
    """Writes the database, the filesystem storages' files and the manifest into ``folder``
    (made if missing; it must hold no earlier backup)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if (folder / MANIFEST).exists() or any(folder.iterdir()):
        raise BackupError(
            _(
                "バックアップ先のフォルダ %(folder)s は空ではありません。空のフォルダを指定してください。"
            )
            % {"folder": folder}
        )
    for alias in PRIVATE_STORAGE_FOLDERS:
        if _backend(alias) == "filesystem" and folder.resolve().is_relative_to(_location(alias)):
            raise BackupError(
                _("バックアップ先を保存先「%(alias)s」のフォルダの中にはできません。")
                % {"alias": alias}
            )
    vendor = _vendor()
    database = folder / DATABASE_PARTS[vendor]
    if vendor == "postgresql":
        _pg("pg_dump", "--format=custom", "--no-owner", "--file", str(database))
    else:
        if connection.in_atomic_block:
            # SQLite's backup would wait for ever for this connection's own open transaction.
            raise BackupError(_("トランザクションの中ではバックアップできません。"))
        connection.ensure_connection()
        target = sqlite3.connect(database)
        try:
            connection.connection.backup(target)
        finally:
            target.close()

    stores = {}
    for alias in PRIVATE_STORAGE_FOLDERS:
        backend = _backend(alias)
        if backend == "database":
            stores[alias] = {"backend": backend, "files": storages[alias].count(), "part": None}
            continue
        part = f"files-{alias}.tar"
        root = _location(alias)
        members = _files_of(alias)
        with tarfile.open(folder / part, "w") as archive:
            for path in members:
                archive.add(path, arcname=path.relative_to(root).as_posix(), recursive=False)
        stores[alias] = {"backend": backend, "files": len(members), "part": part}

    parts = sorted(p for p in folder.iterdir() if p.name != MANIFEST)
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "database": {"vendor": vendor, "part": database.name},
        "migrations": _migrations(),
        "storages": stores,
        "parts": {p.name: {"bytes": p.stat().st_size, "sha256": _sha256(p)} for p in parts},
    }
    (folder / MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return Outcome(folder, manifest)


# --- restore ------------------------------------------------------------------------------------


def read_manifest(folder: Path) -> dict:
    """The manifest, once every part it lists is present with its recorded SHA-256."""
    path = Path(folder) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        raise BackupError(
            _("%(path)s がないか、読めません。backup_site で作ったフォルダを指定してください。")
            % {"path": path}
        ) from None
    if manifest.get("format") != FORMAT:
        raise BackupError(_("このバックアップの形式には対応していません。"))
    for name, part in manifest["parts"].items():
        file = Path(folder) / name
        if not file.is_file() or _sha256(file) != part["sha256"]:
            raise BackupError(
                _(
                    "バックアップの「%(name)s」が欠けているか、作成時と内容が違います（SHA-256 不一致）。"
                )
                % {"name": name}
            )
    return manifest


def _database_is_empty() -> bool:
    return not connection.introspection.table_names()


def restore(folder: Path, *, force: bool = False) -> Outcome:
    """Restores a backup into this site's database and private storages, which must be empty
    unless ``force``; checks the parts before and the counts after."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    vendor = _vendor()
    if manifest["database"]["vendor"] != vendor:
        raise BackupError(
            _("このバックアップは %(saved)s のものです。%(vendor)s のデータベースには戻せません。")
            % {"saved": manifest["database"]["vendor"], "vendor": vendor}
        )
    for alias, saved in manifest["storages"].items():
        if _backend(alias) != saved["backend"]:
            raise BackupError(
                _(
                    "保存先「%(alias)s」はバックアップ時に %(saved)s でした。"
                    "PRIVATE_FILES_BACKEND=%(saved)s として戻してください。"
                )
                % {"alias": alias, "saved": saved["backend"]}
            )
    if not force:
        if not _database_is_empty():
            raise BackupError(
                _(
                    "戻し先のデータベースには既にデータがあります。空のデータベースを指定するか、"
                    "上書きしてよい場合は --force を付けてください。"
                )
            )
        for alias, saved in manifest["storages"].items():
            if saved["part"] and _files_of(alias):
                raise BackupError(
                    _(
                        "保存先「%(alias)s」のフォルダ %(folder)s には既にファイルがあります。"
                        "空のフォルダを指定するか、上書きしてよい場合は --force を付けてください。"
                    )
                    % {"alias": alias, "folder": _location(alias)}
                )

    replaced = _master_data_version()
    database = folder / manifest["database"]["part"]
    if vendor == "postgresql":
        clean = [] if _database_is_empty() else ["--clean", "--if-exists"]
        connection.close()  # pg_restore --clean drops what this connection may hold
        _pg(
            "pg_restore",
            "--no-owner",
            "--exit-on-error",
            "--single-transaction",
            *clean,
            str(database),
        )
    else:
        source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        try:
            connection.ensure_connection()
            source.backup(connection.connection)
        finally:
            source.close()
    connection.close()

    for alias, saved in manifest["storages"].items():
        if not saved["part"]:
            continue
        root = _location(alias)
        root.mkdir(parents=True, exist_ok=True)
        with tarfile.open(folder / saved["part"]) as archive:
            # "data": no absolute names, no way out of the folder, no devices or links outside.
            archive.extractall(root, filter="data")

    _count_as_an_edit(replaced)
    _check_restored(manifest)
    return Outcome(folder, manifest)


def _master_data_version() -> int | None:
    """The master data's version (MasterDataVersion) the site's database holds; None when it
    has no such table (an empty database, or one made before the table)."""
    if MasterDataVersion._meta.db_table not in connection.introspection.table_names():
        return None
    return MasterDataVersion.objects.filter(pk=1).values_list("version", flat=True).first() or 0


def _count_as_an_edit(replaced: int | None) -> None:
    """Counts the restore as one edit of master data, to a number no stored page is keyed on.

    The page cache keys pages on the publications and this version (evaluations.published), and
    the restored database's number may be one the cache already holds another state's pages
    under: the replaced database's own (restoring over it), or that of a database now lost whose
    pages a shared cache, or an app server's memory, still holds. So the new number is past the
    replaced database's, and past the time of the restore in microseconds: no count of edits
    comes near that (each edit is a transaction), nor does an earlier restore's number plus the
    edits since, while the clock only moves forward. It costs one UPDATE, and the new
    fingerprint is announced: every app server reads it within PUBLIC_PAGE_FINGERPRINT_SECONDS,
    whatever its cache, where clearing the cache from here would reach only the shared cache or
    this command's own memory, not the copies each app server keeps.
    """
    if _master_data_version() is None:
        return  # a backup from before the version existed: migrate creates it afterwards
    now = time.time_ns() // 1000
    count_master_data_edit(beyond=max(replaced or 0, now))


def _check_restored(manifest: dict) -> None:
    if _migrations() != manifest["migrations"]:
        raise BackupError(_("戻したデータベースのマイグレーションがマニフェストと一致しません。"))
    for alias, saved in manifest["storages"].items():
        found = storages[alias].count() if saved["backend"] == "database" else len(_files_of(alias))
        if found != saved["files"]:
            raise BackupError(
                _("保存先「%(alias)s」のファイル数が一致しません（%(found)d / %(saved)d）。")
                % {"alias": alias, "found": found, "saved": saved["files"]}
            )
