"""Addresses of pages, memoised: ``reverse`` and ``translate_url`` are pure functions of the
URLconf, the script prefix and the language, and were a large share of a dashboard's render."""

from django.urls import get_script_prefix, reverse, translate_url
from django.utils.translation import get_language

from reformtracker import memos


@memos.lru(maxsize=4096)
def _reverse(prefix: str, language_code: str, name: str, *args) -> str:
    return reverse(name, args=args)


def cached_reverse(name: str, *args) -> str:
    """``reverse(name, args=args)`` in the active language, memoised per process."""
    return _reverse(get_script_prefix(), get_language() or "", name, *args)


@memos.lru(maxsize=4096)
def _translated(prefix: str, path: str, code: str) -> str:
    return translate_url(path, code)


def translated_url(path: str, code: str) -> str:
    """``path`` in language ``code`` (resolve, then reverse in the other language), memoised
    per process; the LRU bounds the paths."""
    return _translated(get_script_prefix(), path, code)
