"""No chart label is clipped, in either language, measured in a real browser.

The English value 「approx. 85.7%」 used to run past the drawing's right edge. The chart now
takes the value's room from the track by an upper-bound width estimate
(evaluations.charts.text_width); here Chromium measures every label as drawn
(getComputedTextLength) and each must end inside the viewBox, and the estimate must never be
shorter than the real text.
"""

import pytest
from django.core.management import call_command

from evaluations.charts import text_width
from tests.browser.staff_site import chromium
from tests.constants import OSAKA

pytestmark = pytest.mark.browser


def test_every_chart_label_fits_its_drawing_in_japanese_and_english(
    transactional_db, live_server, chromium_executable, capsys
):
    call_command("load_seed", verbosity=0)
    measured = []
    with chromium(chromium_executable) as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        for path in (f"/plans/{OSAKA}/", f"/en/plans/{OSAKA}/"):
            assert page.goto(live_server.url + path).status == 200
            texts = page.evaluate(
                """() => [...document.querySelectorAll('svg.bar-chart')].flatMap(svg => {
                    const width = svg.viewBox.baseVal.width;
                    return [...svg.querySelectorAll('text')].map(t => ({
                        text: t.textContent, x: t.x.baseVal[0].value,
                        length: t.getComputedTextLength(), width: width}));
                })"""
            )
            assert texts, f"no chart on {path}"
            measured += [(path, t) for t in texts]
    longest = max(measured, key=lambda m: m[1]["x"] + m[1]["length"])
    with capsys.disabled():
        print(
            f"\n{len(measured)} chart labels; the one reaching furthest: {longest[1]['text']!r} "
            f"on {longest[0]}, ends at {longest[1]['x'] + longest[1]['length']:.1f} of "
            f"{longest[1]['width']:.0f}"
        )
    clipped = [(p, t) for p, t in measured if t["x"] + t["length"] > t["width"]]
    assert clipped == []
    underestimated = [(p, t) for p, t in measured if text_width(t["text"]) < t["length"]]
    assert underestimated == []
    # The English rate label is among them, so the case that was clipped is measured.
    assert any(t["text"].startswith("approx.") for _p, t in measured)
