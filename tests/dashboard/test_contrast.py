"""Colour contrast as JIS X 8341-3:2016 AA (WCAG 2.0 1.4.3) and non-text contrast (1.4.11),
computed from the colours the browser really uses: site.css's custom properties resolved
through the vendored デジタル庁 design tokens (their fallbacks apply only if a token is gone).

axe checks text contrast on each rendered page (tests/browser); this covers what it does not:
chart segments, legend swatches, the focus ring, and every text colour on every background the
stylesheet pairs, whether or not a seed page happens to show it."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from evaluations.choices import Result

STATIC = Path(settings.BASE_DIR) / "static"
VAR = re.compile(r"var\((--[\w-]+)(?:,\s*([^)]+))?\)")


def _declarations(path: Path) -> dict[str, str]:
    text = path.read_text(encoding="utf-8")
    return {name: value.strip() for name, value in re.findall(r"(--[\w-]+)\s*:\s*([^;]+);", text)}


TOKENS = _declarations(STATIC / "vendor/design-tokens/tokens.css")
SITE = _declarations(STATIC / "css/site.css")


def colour(value: str) -> str:
    """A CSS value (a hex colour or var(--x, fallback)) resolved to #rrggbb."""
    value = value.strip()
    match = VAR.fullmatch(value)
    if match:
        name, fallback = match.groups()
        resolved = SITE.get(name) or TOKENS.get(name) or fallback
        assert resolved, f"{name} is defined nowhere"
        return colour(resolved)
    if value in ("#fff", "white"):
        return "#ffffff"
    if value in ("#000", "black"):
        return "#000000"
    assert re.fullmatch(r"#[0-9a-fA-F]{6}", value), value
    return value.lower()


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ratio(a: str, b: str) -> float:
    la, lb = sorted((luminance(colour(a)), luminance(colour(b))), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_the_contrast_formula_gives_the_known_extremes():
    assert ratio("#000000", "#ffffff") == pytest.approx(21)
    assert ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


TEXT = [
    ("本文", "var(--fg)", "var(--bg)"),
    ("補足の文字（.muted）", "var(--fg-muted)", "var(--bg)"),
    ("表の見出し", "var(--fg)", "var(--color-neutral-solid-gray-50, #f2f2f2)"),
    (
        "補足の文字（表の見出し上）",
        "var(--fg-muted)",
        "var(--color-neutral-solid-gray-50, #f2f2f2)",
    ),
    ("リンク", "var(--accent)", "var(--bg)"),
    ("リンク（ホバー）", "var(--accent-dark)", "var(--bg)"),
    ("評価結果「達成」の札", "#ffffff", "var(--achieved)"),
    ("評価結果「未達成」の札", "#ffffff", "var(--not-achieved)"),
    ("評価結果「評価対象外」の札", "#ffffff", "var(--excluded)"),
    ("エラーの文字", "var(--not-achieved)", "var(--bg)"),
    ("グラフの文字", "var(--fg)", "var(--bg)"),
]


@pytest.mark.parametrize(("what", "fg", "bg"), TEXT, ids=[t[0] for t in TEXT])
def test_every_text_colour_reaches_4_5_to_1_on_its_background(what, fg, bg):
    assert ratio(fg, bg) >= 4.5, f"{what}: {colour(fg)} on {colour(bg)} = {ratio(fg, bg):.2f}"


NON_TEXT = [
    # Each bar segment against the white gap that separates it from its neighbour, and against
    # the grey track it is drawn on; the hatch of 未達成 against its own fill.
    ("達成の棒と区切り", "var(--achieved)", "var(--bg)"),
    ("未達成の棒と区切り", "var(--not-achieved)", "var(--bg)"),
    ("達成の棒と背景の帯", "var(--achieved)", "var(--color-neutral-solid-gray-50, #f2f2f2)"),
    ("未達成の棒と背景の帯", "var(--not-achieved)", "var(--color-neutral-solid-gray-50, #f2f2f2)"),
    ("未達成の斜線", "var(--bg)", "var(--not-achieved)"),
    ("背景の帯の枠線", "var(--line)", "var(--bg)"),
    # The focus ring: a black ring around a yellow outline, so one of them stands out on
    # any background (white page, blue link, dark result badge).
    ("フォーカスの黒い輪と白地", "#000000", "var(--bg)"),
    ("フォーカスの黄色と黒い輪", "var(--focus)", "#000000"),
    ("入力欄の枠線", "var(--fg-muted)", "var(--bg)"),
]


@pytest.mark.parametrize(("what", "a", "b"), NON_TEXT, ids=[t[0] for t in NON_TEXT])
def test_chart_parts_focus_and_borders_reach_3_to_1(what, a, b):
    assert ratio(a, b) >= 3, f"{what}: {colour(a)} / {colour(b)} = {ratio(a, b):.2f}"


def test_the_stylesheet_separates_bar_segments_and_hatches_not_achieved():
    css = (STATIC / "css/site.css").read_text(encoding="utf-8")
    chart = (Path(settings.BASE_DIR) / "templates/evaluations/_bar_chart.html").read_text()
    # Colour alone never tells 達成 from 未達成 (1.4.1): a hatch and a white gap do too.
    assert "chart-not-achieved-hatch" in chart and "<pattern" in chart
    assert re.search(r"\.chart-achieved\s*{[^}]*stroke:\s*var\(--bg\)", css)
    assert re.search(r"\.legend-not-achieved::before\s*{[^}]*repeating-linear-gradient", css)


RESULT_PROPERTIES = {
    Result.ACHIEVED: "--achieved",
    Result.NOT_ACHIEVED: "--not-achieved",
    Result.EXCLUDED: "--excluded",
}


@pytest.mark.parametrize("result", list(Result), ids=[r.value for r in Result])
def test_the_site_and_the_pdf_take_each_result_colour_from_result(result):
    # One colour per result, declared in Result: the site's custom property is Result.colour,
    # and the PDF, which reads no CSS variables, prints Result.hex for the same result class.
    assert SITE[RESULT_PROPERTIES[result]] == result.colour
    pdf_css = (Path(settings.BASE_DIR) / "evaluations/reports/progress_report.css").read_text()
    rule = re.search(rf"\.{result.css_class}\s*{{\s*color:\s*([^;]+);", pdf_css)
    assert rule, f".{result.css_class} is not styled in the PDF"
    assert rule.group(1).strip() == result.hex
    assert re.search(rf"\.{result.css_class}\s*{{", (STATIC / "css/site.css").read_text())
