"""Uploaded 照会票 kept between upload, preview and confirm.

What is kept is the file as parsed at upload (``workbooks.ParsedWorkbook`` as JSON, with the
file's SHA-256), so the preview and the confirmation compare and apply exactly what was read,
without reading the workbook again. It waits in the ``imports`` storage (settings.STORAGES) under a random token (the
session remembers which tokens are the user's). Confirming removes it; one left behind (the preview closed, the tab
abandoned) is removed once older than IMPORT_UPLOAD_MAX_AGE_HOURS: on every new upload, and by
``manage.py clear_stale_imports`` from cron for a quiet office.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.utils import timezone

SUFFIX = ".json"


def max_age_seconds() -> float:
    return settings.IMPORT_UPLOAD_MAX_AGE_HOURS * 3600


def storage() -> Storage:
    """Where uploads wait (settings.STORAGES["imports"]): a folder, or the database, which every
    app server sees, so the confirmation may reach another server than the upload did."""
    return storages["imports"]


def _name(token: str) -> str | None:
    # Tokens are ours (hex); anything else never names a file.
    if not token or not token.isalnum():
        return None
    return f"{token}{SUFFIX}"


def _stale(name: str, now) -> bool:
    try:
        modified = storage().get_modified_time(name)
    except FileNotFoundError:  # another worker swept it first
        return False
    return now - modified > timedelta(seconds=max_age_seconds())


def store(parsed) -> str:
    """Keeps a parsed upload for preview and confirmation; returns its token."""
    sweep()
    token = secrets.token_hex(16)
    storage().save(_name(token), ContentFile(parsed.to_json().encode("utf-8")))
    return token


def read(token: str):
    """The parsed upload (a ``workbooks.ParsedWorkbook``), or None when it is gone: confirmed
    already, or removed as stale."""
    from evaluations.workbooks import ParsedWorkbook

    name = _name(token)
    if name is None or not storage().exists(name):
        return None
    if _stale(name, timezone.now()):
        storage().delete(name)
        return None
    try:
        with storage().open(name, "rb") as file:
            return ParsedWorkbook.from_json(file.read().decode("utf-8"))
    except FileNotFoundError:  # confirmed by another request meanwhile
        return None
    except (ValueError, KeyError, TypeError):  # not one we wrote whole: as good as gone
        storage().delete(name)
        return None


def discard(token: str) -> None:
    name = _name(token)
    if name is not None:
        storage().delete(name)


def sweep(now=None) -> int:
    """Removes uploads older than the limit; returns how many."""
    now = now or timezone.now()
    removed = 0
    try:
        _directories, names = storage().listdir("")
    except FileNotFoundError:  # nothing uploaded yet: the folder is made on the first save
        return 0
    for name in names:  # every file here is an upload (older ones: .xlsx)
        if _stale(name, now):
            storage().delete(name)
            removed += 1
    return removed
