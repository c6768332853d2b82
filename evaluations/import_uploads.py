"""Uploaded 照会票 kept between upload, preview and confirm.

What is kept is the file as parsed at upload (``workbooks.ParsedWorkbook`` as JSON, with the
file's SHA-256), so the preview and the confirmation compare and apply exactly what was read,
without reading the workbook again. It waits in the private media root under a random token (the
session remembers which tokens are the user's). Confirming removes it; one left behind (the preview closed, the tab
abandoned) is removed once older than IMPORT_UPLOAD_MAX_AGE_HOURS: on every new upload, and by
``manage.py clear_stale_imports`` from cron for a quiet office.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path

from django.conf import settings

SUFFIX = ".json"


def max_age_seconds() -> float:
    return settings.IMPORT_UPLOAD_MAX_AGE_HOURS * 3600


def directory() -> Path:
    path = Path(settings.PRIVATE_MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _path(token: str) -> Path | None:
    # Tokens are ours (hex); anything else never names a file.
    if not token or not token.isalnum():
        return None
    return directory() / f"{token}{SUFFIX}"


def store(parsed) -> str:
    """Keeps a parsed upload for preview and confirmation; returns its token."""
    sweep()
    token = secrets.token_hex(16)
    _path(token).write_text(parsed.to_json(), encoding="utf-8")
    return token


def read(token: str):
    """The parsed upload (a ``workbooks.ParsedWorkbook``), or None when it is gone: confirmed
    already, or removed as stale."""
    from evaluations.workbooks import ParsedWorkbook

    path = _path(token)
    if path is None or not path.exists():
        return None
    if time.time() - path.stat().st_mtime > max_age_seconds():
        path.unlink(missing_ok=True)
        return None
    try:
        return ParsedWorkbook.from_json(path.read_text(encoding="utf-8"))
    except (ValueError, KeyError, TypeError):  # not one we wrote whole: as good as gone
        path.unlink(missing_ok=True)
        return None


def discard(token: str) -> None:
    path = _path(token)
    if path is not None:
        path.unlink(missing_ok=True)


def sweep(now: float | None = None) -> int:
    """Removes uploads older than the limit; returns how many."""
    limit = (now if now is not None else time.time()) - max_age_seconds()
    removed = 0
    for path in directory().iterdir():  # every file here is an upload (older ones: .xlsx)
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # another worker swept it first
            pass
    return removed
