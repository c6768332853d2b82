"""What the third city's browser walkthrough needs besides Playwright: Chromium's arguments,
axe-core on a page (the copy vendored in tests/browser/vendor, as the public pages' check runs
it, with the same tags and the same reviewed leftovers), and a stopwatch per phase."""

from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path

AXE = Path(__file__).resolve().parent.parent / "browser" / "vendor" / "axe-core" / "axe.min.js"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# axe's "needs review" reasons the public pages' check has reviewed (tests/browser/
# test_a11y_public.py says why each holds); any other is reported as a problem here too.
REVIEWED = {"imgNode", "nonBmp"}


def axe_problems(page) -> list[str]:
    """Every axe violation on the page, and anything axe leaves to review that nobody has."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return {
                violations: r.violations.map(v => v.id + ' (' + v.impact + '): ' +
                    v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')),
                review: r.incomplete.flatMap(v => v.nodes.map(n => [v.id + ' ' +
                    n.target.join(' '),
                    (n.any[0] && n.any[0].data && n.any[0].data.messageKey) || '?'])),
            };
        }""",
        AXE_TAGS,
    )
    unreviewed = [f"review {what} ({why})" for what, why in result["review"] if why not in REVIEWED]
    return result["violations"] + unreviewed


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
