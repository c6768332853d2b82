"""axe-core on a page in a real browser: the one runner every accessibility check uses (a plain
module; fixtures stay in tests/conftest.py).

The copy is vendored (tests/browser/vendor/axe-core, nothing fetched at run time) and goes in as
an inline script, which the site's policy refuses: a page checked here is opened with
``bypass_csp=True`` (tests/browser/test_csp.py checks the policy itself). Every check asks the
same rules, those of ``AXE_TAGS``, and requires no violation.

``axe(page)`` is the whole report; ``violations(page)`` a line per violation; ``unreviewed`` what
axe leaves for a person to review that nobody has; ``problems(page)`` both.
"""

from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
# WCAG 2.0 A/AA is what JIS X 8341-3:2016 adopts; 2.1 A/AA checks ride along.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# What axe leaves for a person to review ("incomplete"), by axe's reason, and why each holds.
# Both are text in the stylesheet's own colours, whose ratios tests/dashboard/test_contrast.py
# computes from the design tokens; anything else left for review is a problem.
REVIEWED = {
    # Text inside the charts' <svg role="img">: axe cannot see an SVG's background. The labels
    # and values are var(--fg) on the white page (17.4:1); the bars carry no text.
    "imgNode": "chart text",
    # Symbols only axe cannot measure (→ between before and after, ① … in notes): body text
    # colours on white.
    "nonBmp": "symbols",
}


def axe(page) -> dict:
    """axe-core's report on the page as it is now (after any swap): each violation with its
    first three nodes (``targets``, and ``nodes`` with what fails at each), the number of rules
    passed, the rules left for review and each node left for review with axe's reason
    (``review``: "rule selector :: reason")."""
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return {
                violations: r.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    targets: v.nodes.slice(0, 3).map(n => n.target.join(' ')),
                    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: ' + n.failureSummary),
                })),
                passes: r.passes.length,
                incomplete: r.incomplete.map(v => v.id),
                review: r.incomplete.flatMap(v => v.nodes.map(n =>
                    v.id + ' ' + n.target.join(' ') + ' :: ' +
                    ((n.any[0] && n.any[0].data && n.any[0].data.messageKey) || '?'))),
            };
        }""",
        AXE_TAGS,
    )


def lines(result: dict) -> list[str]:
    """A line per violation of a report: "rule (impact): the first three nodes"."""
    return [f"{v['id']} ({v['impact']}): {', '.join(v['targets'])}" for v in result["violations"]]


def violations(page) -> list[str]:
    """The page's violations now, a line each (none is what every check requires)."""
    return lines(axe(page))


def unreviewed(result: dict) -> list[str]:
    """What a report leaves for review for a reason nobody has reviewed (see ``REVIEWED``)."""
    return [item for item in result["review"] if item.rsplit(" :: ", 1)[1] not in REVIEWED]


def problems(page) -> list[str]:
    """Every violation on the page, and anything axe leaves to review that nobody has."""
    result = axe(page)
    return lines(result) + [f"review {item}" for item in unreviewed(result)]
