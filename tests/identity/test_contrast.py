"""The accent colour's contrast, computed by one function (evaluations.identity), against the
design tokens' backgrounds and text as the stylesheets resolve them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from evaluations.identity import AA_TEXT, accent_problems, contrast_ratio, token_colour


def test_the_contrast_formula_gives_the_known_values():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#ec0000", "#f2f2f2") == pytest.approx(4.1, abs=0.05)
    assert contrast_ratio("#1a5fb4", "#ffffff") == contrast_ratio("#ffffff", "#1a5fb4")


def test_the_tokens_are_read_from_the_stylesheets():
    assert token_colour("var(--bg)") == "#ffffff"
    assert token_colour("var(--fg)") == "#1a1a1a"
    assert token_colour("var(--color-neutral-solid-gray-50, #f2f2f2)") == "#f2f2f2"


@pytest.mark.parametrize("colour", ["#1a5fb4", "#00118f", "#8a3c00", "#264af4"])
def test_a_dark_enough_accent_is_accepted(colour):
    assert accent_problems(colour) == []


def test_a_light_accent_is_refused_naming_each_pairing_under_4_5():
    problems = accent_problems("#ffd700")
    assert len(problems) == 3
    assert all("4.5:1" in p for p in problems)
    assert "ページの背景" in problems[0] and "#ffffff" in problems[0]


def test_a_grey_that_passes_on_white_but_not_on_the_table_header_is_refused():
    assert contrast_ratio("#767676", "#ffffff") >= AA_TEXT
    problems = accent_problems("#767676")
    assert len(problems) == 1 and "表の見出しの背景" in problems[0]


@pytest.mark.parametrize("value", ["", "1a5fb4", "#12345", "#gggggg", "blue"])
def test_what_is_not_a_colour_is_refused(value):
    assert accent_problems(value)


def test_the_provenance_marks_colours_meet_aa_on_the_page_and_table_backgrounds():
    css = (Path(settings.BASE_DIR) / "static/css/site.css").read_text(encoding="utf-8")
    for kind in ("illustrative", "ours"):
        colour = re.search(rf"\.provenance-{kind} {{ color: (#[0-9a-f]{{6}}); }}", css).group(1)
        assert accent_problems(colour) == [], kind
