"""Addresses of pages, memoised: ``reverse`` and ``translate_url`` are pure functions of the
URLconf, the script prefix and the language, and were a large share of a dashboard's render."""

from collections.abc import Callable
from urllib.parse import quote

from django.urls import get_script_prefix, reverse, translate_url
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import get_language

from reformtracker import memos


@memos.lru(maxsize=4096)
def _reverse(prefix: str, language_code: str, name: str, *args) -> str:
    return reverse(name, args=args)


def cached_reverse(name: str, *args) -> str:
    """``reverse(name, args=args)`` in the active language, memoised per process."""
    return _reverse(get_script_prefix(), get_language() or "", name, *args)


# Stands for the last argument in an address reversed once (reverse quotes it as %00); no
# slug, number or code holds it.
_HOLE = "\x00"


def reverser(name: str, *args) -> Callable[[str], str]:
    """A function of ``last`` giving ``reverse(name, args=(*args, last))`` in the active
    language, for a pattern whose last part is a ``str`` converter: the address is reversed once
    with a placeholder there, and each value quoted into it as ``reverse`` quotes it. Reversing
    each row of a list (the initiative browser's twenty titles) was a tenth of rendering it.
    A value that ``str`` would refuse (empty, or with a slash) goes through ``reverse``."""
    head, hole, tail = cached_reverse(name, *args, _HOLE).partition("%00")
    assert hole, "the last argument is the address's"
    safe = RFC3986_SUBDELIMS + "/~:@"

    def address(last: str) -> str:
        if not last or "/" in last:
            return reverse(name, args=(*args, last))
        return f"{head}{quote(last, safe=safe)}{tail}"

    return address


@memos.lru(maxsize=4096)
def _translated(prefix: str, path: str, code: str) -> str:
    return translate_url(path, code)


def translated_url(path: str, code: str) -> str:
    """``path`` in language ``code`` (resolve, then reverse in the other language), memoised
    per process; the LRU bounds the paths. A query string is kept as it is (``translate_url``
    keeps it), so the memo holds the path alone: each new search of the initiative browser
    was a new entry, resolved and reversed again."""
    base, mark, query = path.partition("?")
    if not query or "#" in path:
        return _translated(get_script_prefix(), path, code)
    return f"{_translated(get_script_prefix(), base, code)}{mark}{query}"
