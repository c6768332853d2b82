"""Helpers for tests that run over both backends of the private storages
(settings.PRIVATE_FILES_BACKEND): parametrise with
``pytest.mark.parametrize("private_media", BACKENDS, indirect=True)``."""

import os
from datetime import timedelta

from django.core.files.storage import FileSystemStorage
from django.utils import timezone

from evaluations.models import StoredFile
from reformtracker.env import PRIVATE_FILES_BACKENDS

BACKENDS = PRIVATE_FILES_BACKENDS


def age(storage, name: str, hours: float) -> None:
    """Makes a stored file look ``hours`` old, whichever backend keeps it."""
    past = timezone.now() - timedelta(hours=hours)
    if isinstance(storage, FileSystemStorage):
        os.utime(storage.path(name), (past.timestamp(), past.timestamp()))
    else:
        StoredFile.objects.filter(name=f"{storage.location}/{name}").update(modified_at=past)


def files(storage, path: str = "") -> list[str]:
    """The names of the files directly under ``path``; none when nothing was ever saved."""
    try:
        return storage.listdir(path)[1]
    except FileNotFoundError:
        return []
