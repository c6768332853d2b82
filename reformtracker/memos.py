"""Every process-wide memo in one registry, so one ``clear()`` empties them all.

A memo here is something a process keeps between requests outside Django's cache framework: a
``functools.lru_cache`` of a pure function (``lru``), a dict a module fills (``store``), or a
bounded one (``Bounded``). Each is a function of its key alone, so none needs clearing in
production; tests clear them between runs (rolled-back ids are reused), and they do so through
``clear()`` alone.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
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


class Bounded:
    """A memo of at most ``most`` entries, the least recently used going first, for values
    made where a function of the key alone cannot make them (a template fragment rendered in
    its context); ``clear()`` empties it. Threads of one process may share it.

    With ``max_bytes``, also at most that many bytes, each value weighing ``size(value)``
    (``len`` by default): the least recently used go until both bounds hold."""

    def __init__(self, most: int, *, max_bytes: int | None = None, size=len):
        self.most, self.max_bytes, self._size = most, max_bytes, size
        self._entries: OrderedDict = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        register(self.clear)

    def get(self, key):
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        self.put_many([(key, value)])

    def get_many(self, keys) -> dict:
        """{key: value} of those of ``keys`` kept (each now recently used), under one lock: the
        values are the caller's whatever other threads put meanwhile."""
        found = {}
        with self._lock:
            entries = self._entries
            for key in keys:
                value = entries.get(key)
                if value is not None:
                    entries.move_to_end(key)
                    found[key] = value
        return found

    def put_many(self, pairs) -> None:
        """``put`` of each (key, value) of ``pairs``, under one lock."""
        weighed = self.max_bytes is not None
        with self._lock:
            entries = self._entries
            for key, value in pairs:
                if weighed:
                    replaced = entries.get(key)
                    self._bytes += self._size(value) - (
                        0 if replaced is None else self._size(replaced)
                    )
                entries[key] = value
                entries.move_to_end(key)
            while len(entries) > self.most or (weighed and self._bytes > self.max_bytes):
                _key, gone = entries.popitem(last=False)
                if weighed:
                    self._bytes -= self._size(gone)

    def values(self) -> list:
        with self._lock:
            return list(self._entries.values())

    @property
    def weight(self) -> int:
        """The bytes kept (with ``max_bytes``; 0 without)."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0


def clear() -> None:
    """Empties every memo of the process."""
    for clear_one in _clearers:
        clear_one()
