"""The bar chart's geometry leaves room for the longest label in either language: the value
area is sized from the widest rate label any language writes (「約85.7%」, "approx. 85.7%"), and
a label longer than the drawing widens it. (tests/browser/test_chart_labels.py measures the
real text in Chromium.)"""

from evaluations.charts import VALUE_GAP, WIDTH, stacked_bars, text_width
from evaluations.rates import Summary


def test_the_longest_value_label_of_either_language_ends_inside_the_drawing():
    approximate = Summary(6, 1, 1)  # 85.7%: 「約85.7%」 / "approx. 85.7%"
    chart = stacked_bars([("持続可能な行財政基盤の構築", approximate, "")])
    for language in ("ja", "en"):
        label = approximate.rate_display(language)
        assert chart.value_x + text_width(label) <= chart.width, label
    assert chart.value_x == chart.track + VALUE_GAP
    assert chart.width == WIDTH


def test_a_label_longer_than_the_drawing_widens_it():
    long_label = "Building a sustainable administrative and financial foundation " * 2
    chart = stacked_bars([(long_label, Summary(1, 1, 0), "")])
    assert chart.width >= text_width(long_label) > WIDTH


def test_the_estimate_counts_full_width_characters_as_one_em():
    assert text_width("約", 14) == 14
    assert text_width("approx. 85.7%", 14) > text_width("85.7%", 14)
