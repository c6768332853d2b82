"""What the third city's browser walkthrough needs besides Playwright: a stopwatch per phase
(Chromium starts, and axe-core runs, as for every other browser test: tests/browser/staff_site.py
and tests/browser/axe.py)."""

from __future__ import annotations

import time
from contextlib import contextmanager


class Stopwatch:
    """Seconds per named phase, in order, without the time spent in ``aside`` (the axe checks
    are the test's, not the walkthrough's)."""

    def __init__(self):
        self.phases: list[tuple[str, float]] = []
        self._aside = 0.0

    @contextmanager
    def phase(self, name: str):
        self._aside = 0.0
        start = time.perf_counter()
        yield
        self.phases.append((name, time.perf_counter() - start - self._aside))

    @contextmanager
    def aside(self):
        start = time.perf_counter()
        yield
        self._aside += time.perf_counter() - start

    def report(self) -> str:
        width = max(len(name) for name, _seconds in self.phases)
        lines = [f"  {name:<{width}}  {seconds:6.2f} s" for name, seconds in self.phases]
        total = sum(seconds for _name, seconds in self.phases)
        return "\n".join([*lines, f"  {'total':<{width}}  {total:6.2f} s"])
