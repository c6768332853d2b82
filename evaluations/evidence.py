"""Evidence files: what may be uploaded, and where it is kept.

A file is accepted only when its extension AND its first bytes agree on one of the allowed
types, so a renamed executable or HTML page is refused whatever it is called. A zip container
(.xlsx) must also pass the 照会票 import's container checks (``workbooks.safety.check_zip``:
members, sizes, ratio, no name twice), so a zip bomb is refused however it is served. The server
reads nothing else of a file: PDF and images are stored and downloaded as they are. Files go to the
``evidence`` storage (settings.STORAGES), which is outside MEDIA_ROOT and never has a public
URL: only the permission-checked download view reads them.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from evaluations.workbooks.problems import ImportRejected
from evaluations.workbooks.safety import check_zip

# Enough for the longest signature of TYPES (PNG's 8 bytes, GIF's 6).
SNIFF_BYTES = 16


def _is_xlsx(head: bytes, upload) -> bool:
    # An .xlsx is a zip; so are .docx and .jar. Look inside for the workbook part.
    if not head.startswith(b"PK\x03\x04"):
        return False
    upload.seek(0)
    try:
        with zipfile.ZipFile(io.BytesIO(upload.read())) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return False
    finally:
        upload.seek(0)
    return "[Content_Types].xml" in names and "xl/workbook.xml" in names


@dataclass(frozen=True)
class FileType:
    content_type: str
    label: str
    sniff: object  # (head: bytes, upload) -> bool
    container: bool = False  # a zip, held to the container checks


TYPES = {
    "pdf": FileType("application/pdf", "PDF", lambda head, _u: head.startswith(b"%PDF-")),
    "png": FileType("image/png", "PNG", lambda head, _u: head.startswith(b"\x89PNG\r\n\x1a\n")),
    "jpg": FileType("image/jpeg", "JPEG", lambda head, _u: head.startswith(b"\xff\xd8\xff")),
    "jpeg": FileType("image/jpeg", "JPEG", lambda head, _u: head.startswith(b"\xff\xd8\xff")),
    "gif": FileType("image/gif", "GIF", lambda head, _u: head[:6] in (b"GIF87a", b"GIF89a")),
    "xlsx": FileType(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Excel",
        _is_xlsx,
        container=True,
    ),
}


def max_bytes() -> int:
    return settings.EVIDENCE_MAX_BYTES


def allowed_label() -> str:
    return "PDF、PNG、JPEG、GIF、Excel（.xlsx）"


def check_upload(upload, limit: int | None = None) -> tuple[str, FileType]:
    """Returns (extension, type) of an acceptable upload, or raises a Japanese ValidationError.
    ``limit``: the largest size in bytes (EVIDENCE_MAX_BYTES unless given: X会議 materials have
    their own)."""
    limit = limit or max_bytes()
    name = PurePath(upload.name or "").name
    ext = PurePath(name).suffix.lower().lstrip(".")
    if upload.size > limit:
        raise ValidationError(
            _("ファイルが大きすぎます（%(size)s）。%(limit)sまでのファイルを選んでください。")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    file_type = TYPES.get(ext)
    if file_type is None:
        raise ValidationError(
            _("このファイル形式（.%(ext)s）は登録できません。登録できる形式：%(allowed)s")
            % {"ext": ext or "?", "allowed": allowed_label()},
            code="bad_type",
        )
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    if not file_type.sniff(head, upload):
        raise ValidationError(
            _(
                "ファイルの中身が拡張子（.%(ext)s）と一致しません。%(label)sのファイルを選んでください。"
            )
            % {"ext": ext, "label": file_type.label},
            code="bad_content",
        )
    if file_type.container:
        _check_container(upload)
    return ext, file_type


def _check_container(upload) -> None:
    upload.seek(0)
    try:
        check_zip(upload.read())
    except ImportRejected as exc:
        raise ValidationError(
            _("このファイルは登録できません。%(why)s")
            % {"why": " ".join(p.message for p in exc.problems)},
            code="unsafe_container",
        ) from None
    finally:
        upload.seek(0)


def storage():
    """The private storage for evidence (settings.STORAGES["evidence"]). Never the default
    storage, whose files are public under MEDIA_URL."""
    return storages["evidence"]


def save(entry, upload, ext: str) -> str:
    """Stores the upload under a name that reveals nothing and cannot collide; returns the path."""
    path = f"evidence/{entry.round_id}/{entry.pk}/{uuid.uuid4().hex}.{ext}"
    return storage().save(path, upload)
