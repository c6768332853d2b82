"""Every process-wide memo in one registry, so one ``clear()`` empties them all.

A memo here is something a process keeps between requests outside Django's cache framework: a
``functools.lru_cache`` of a pure function (``lru``), or a dict a module fills (``store``). Each
is a function of its key alone, so none needs clearing in production; tests clear them between
runs (rolled-back ids are reused), and they do so through ``clear()`` alone.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

_clearers: list[Callable[[], None]] = []


def register(clear: Callable[[], None]) -> Callable[[], None]:
    """Adds ``clear`` to what ``clear()`` calls; returns it."""
    _clearers.append(clear)
    return clear


def lru(maxsize: int):
    """``functools.lru_cache(maxsize)`` whose entries ``clear()`` drops."""

    def decorate(function):
        memoised = lru_cache(maxsize=maxsize)(function)
        register(memoised.cache_clear)
        return memoised

    return decorate


def store() -> dict:
    """A dict a module keeps its memo in (by whatever keys it likes); ``clear()`` empties it."""
    memo: dict = {}
    register(memo.clear)
    return memo


def clear() -> None:
    """Empties every memo of the process."""
    for clear_one in _clearers:
        clear_one()
