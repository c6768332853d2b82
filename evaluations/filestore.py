"""A file storage in the database: private files that every app server sees.

Evidence files, finished reports and uploaded 照会票 awaiting confirmation are kept in
``StoredFile`` rows when PRIVATE_FILES_BACKEND is ``database`` (the default in production), so
two app servers that share only the database behave as one, and the one ``pg_dump`` a city
already runs backs the files up with the rows that name them. There is no object store to run.
The files are small (evidence is at most EVIDENCE_MAX_BYTES, a report a few MiB) and read
rarely: a staff member's download, a report's. Reads come in chunks of ``CHUNK_BYTES`` (one
query each), so a download never holds more than a chunk of the file in memory.

Names behave as FileSystemStorage's: relative, normalised, never leaving the storage's
``location`` (a prefix that keeps the three private storages apart in one table), and a name
already taken gets a random suffix rather than overwriting. There is no ``url()``: the files
are private, and only permission-checked views read them.
"""

from __future__ import annotations

import io
import posixpath
import sqlite3

from django.core.exceptions import SuspiciousFileOperation
from django.core.files import File
from django.core.files.storage import Storage
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.deconstruct import deconstructible

# One query reads this much of a file; a 10 MiB evidence file is 10 queries.
CHUNK_BYTES = 1024 * 1024


def _model():
    # The storage is built from the settings before the apps are ready.
    from evaluations.models import StoredFile

    return StoredFile


@deconstructible(path="evaluations.filestore.DatabaseStorage")
class DatabaseStorage(Storage):
    """Files as rows of ``StoredFile``, under the name prefix ``location``."""

    def __init__(self, location: str = "files"):
        self.location = location.strip("/")

    # --- names --------------------------------------------------------------------------------

    def _key(self, name: str) -> str:
        """The row's name for ``name``: refuses what FileSystemStorage's safe_join refuses."""
        name = str(name).replace("\\", "/")
        normal = posixpath.normpath(name) if name else ""
        if name.startswith("/") or normal == ".." or normal.startswith("../"):
            raise SuspiciousFileOperation(f"The name '{name}' is outside the storage.")
        if normal in ("", "."):
            return self.location
        return f"{self.location}/{normal}"

    def _rows(self):
        return _model().objects.all()

    def _row(self, name: str):
        return self._rows().filter(name=self._key(name))

    def is_name_available(self, name, max_length=None):
        limit = _model()._meta.get_field("name").max_length - len(self.location) - 1
        max_length = min(max_length or limit, limit)
        return super().is_name_available(name, max_length=max_length)

    # --- reading and writing ------------------------------------------------------------------

    def _open(self, name, mode="rb"):
        if "w" in mode or "a" in mode or "+" in mode:
            raise ValueError("DatabaseStorage opens files for reading only; save() writes them.")
        row = self._row(name).values("pk", "size").first()
        if row is None:
            raise FileNotFoundError(f"No stored file named '{name}'.")
        raw = _ChunkReader(row["pk"], row["size"])
        handle = io.BufferedReader(raw, buffer_size=CHUNK_BYTES)
        file = File(handle, name)
        file.size = row["size"]
        if "b" not in mode:
            file.file = io.TextIOWrapper(handle, encoding="utf-8")
        return file

    def _save(self, name, content):
        data = b"".join(
            chunk if isinstance(chunk, bytes) else chunk.encode("utf-8")
            for chunk in content.chunks()
        )
        # Like FileSystemStorage's O_EXCL: a name taken between get_available_name and here
        # (another app server saving at the same moment) is retried under a new name.
        while True:
            now = timezone.now()
            try:
                with transaction.atomic():
                    self._insert(self._key(name), data, now)
            except IntegrityError:
                if self.exists(name):
                    name = self.get_available_name(name)
                    continue
                raise
            return name

    def _insert(self, key: str, data: bytes, now) -> None:
        if connection.vendor != "postgresql":
            _model().objects.create(
                name=key, content=data, size=len(data), created_at=now, modified_at=now
            )
            return
        # Django's PostgreSQL cursors bind on the client, which sends the bytes as a hex literal
        # twice their size for the server to parse; a server-side-binding cursor sends them as
        # a binary parameter (%b): a 10 MiB file saved several times faster.
        import psycopg

        connection.ensure_connection()
        # Errors as Django's (IntegrityError for a name taken, OperationalError in an outage).
        with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(
                f"INSERT INTO {_model()._meta.db_table}"
                " (name, content, size, created_at, modified_at) VALUES (%s, %b, %s, %s, %s)",
                [key, data, len(data), now, now],
            )

    def delete(self, name):
        if not name:
            raise ValueError("The name must be given to delete().")
        self._row(name).delete()

    def exists(self, name):
        return self._row(name).exists()

    def size(self, name):
        size = self._row(name).values_list("size", flat=True).first()
        if size is None:
            raise FileNotFoundError(f"No stored file named '{name}'.")
        return size

    def listdir(self, path):
        """(directories, files) directly under ``path``, as FileSystemStorage lists them."""
        prefix = self._key(path) + "/"
        directories, files = set(), []
        for key in (
            self._rows().filter(name__startswith=prefix).values_list("name", flat=True).iterator()
        ):
            head, sep, _rest = key[len(prefix) :].partition("/")
            if sep:
                directories.add(head)
            else:
                files.append(head)
        return sorted(directories), sorted(files)

    def _time(self, name, field):
        value = self._row(name).values_list(field, flat=True).first()
        if value is None:
            raise FileNotFoundError(f"No stored file named '{name}'.")
        return value

    def get_modified_time(self, name):
        return self._time(name, "modified_at")

    def get_created_time(self, name):
        return self._time(name, "created_at")

    def get_accessed_time(self, name):
        # Reads are not recorded (that would be a write per download).
        return self.get_modified_time(name)

    def count(self) -> int:
        """How many files the storage holds (for the backup's manifest)."""
        return self._rows().filter(name__startswith=self.location + "/").count()

    def url(self, name):
        raise NotImplementedError(
            "Private files have no URL: a permission-checked view serves them."
        )


class _ChunkReader(io.RawIOBase):
    """Reads one stored file a chunk per query (SQL substring of the content), so a download
    streams from the database instead of loading the whole file first."""

    def __init__(self, pk, size: int):
        self._pk, self._size, self._position = pk, size, 0

    def readable(self):
        return True

    def seekable(self):
        return True

    def tell(self):
        return self._position

    def seek(self, offset, whence=io.SEEK_SET):
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        self._position = max(0, base + offset)
        return self._position

    def readinto(self, buffer):
        want = min(len(buffer), self._size - self._position)
        if want <= 0:
            return 0
        data = self._read_sqlite(want) if connection.vendor == "sqlite" else self._read(want)
        buffer[: len(data)] = data
        self._position += len(data)
        return len(data)

    def _read(self, want: int) -> bytes:
        # PostgreSQL slices the value without reading the rest of it (the column's storage is
        # EXTERNAL: out of line, uncompressed; migration 0008), and the chunk comes back in
        # binary rather than as hex text twice its size.
        import psycopg

        connection.ensure_connection()
        with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(
                f"SELECT substring(content FROM %s FOR %s) FROM {_model()._meta.db_table}"
                " WHERE id = %s",
                [self._position + 1, want, self._pk],
                binary=True,
            )
            row = cursor.fetchone()
        if row is None:
            raise FileNotFoundError("The stored file was deleted while it was being read.")
        return bytes(row[0])

    def _read_sqlite(self, want: int) -> bytes:
        # SQLite's substr() reads the whole value for every chunk; its incremental blob I/O
        # reads only the pages asked for.
        connection.ensure_connection()
        table = _model()._meta.db_table
        try:
            with connection.connection.blobopen(table, "content", self._pk, readonly=True) as blob:
                blob.seek(self._position)
                return blob.read(want)
        except sqlite3.OperationalError:
            raise FileNotFoundError(
                "The stored file was deleted while it was being read."
            ) from None
