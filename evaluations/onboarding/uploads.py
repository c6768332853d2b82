"""A parsed plan workbook kept between upload, preview and confirmation, in the same storage
and under the same age limit as the 照会票 uploads (``evaluations.import_uploads``): the file is
read once, at upload."""

from __future__ import annotations

from django.utils import timezone

from evaluations import import_uploads
from evaluations.onboarding.reader import ParsedPlan


def store(parsed: ParsedPlan) -> str:
    return import_uploads.store(parsed)


def read(token: str) -> ParsedPlan | None:
    """The parsed workbook, or None once confirmed, removed as stale, or not one of ours."""
    name = import_uploads._name(token)
    storage = import_uploads.storage()
    if name is None or not storage.exists(name):
        return None
    if import_uploads._stale(name, timezone.now()):
        storage.delete(name)
        return None
    try:
        with storage.open(name, "rb") as file:
            return ParsedPlan.from_json(file.read().decode("utf-8"))
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError):
        return None


def discard(token: str) -> None:
    import_uploads.discard(token)


__all__ = ["discard", "read", "store"]
