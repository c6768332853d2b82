"""The form renderer writes its commonest widgets in Python (reformtracker.form_renderer): each
must be, byte for byte, what Django's widget templates render for the same widget."""

from datetime import date, datetime
from pathlib import Path

import django
import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy, override
from hypothesis import given, settings
from hypothesis import strategies as st

from reformtracker import form_renderer
from reformtracker.form_renderer import FormRenderer

TEMPLATES = DjangoTemplates()
WRITTEN = FormRenderer()

TRICKY = [
    "",
    "0",
    "a<b>&\"'c",
    "改革\n第2行",
    mark_safe("<b>安全</b>"),
    gettext_lazy("入力中"),
    0,
    1234567,
    3.5,
    date(2025, 3, 31),
    datetime(2025, 3, 31, 9, 30),
]
ATTRS = [
    {},
    {"id": "id_x", "required": True, "disabled": False, "maxlength": 200},
    {"class": 'a "b" <c>', "placeholder": gettext_lazy("例：委託"), "data-n": 0, "hidden": None},
    {"aria-describedby": mark_safe("x<y"), "min": 1000, "step": 0.5},
]


def _both(widget: forms.Widget, value, attrs=None) -> tuple[str, str]:
    return (
        widget.render("field", value, attrs, renderer=TEMPLATES),
        widget.render("field", value, attrs, renderer=WRITTEN),
    )


WIDGETS = [
    forms.TextInput(),
    forms.HiddenInput(),
    forms.URLInput(),
    forms.EmailInput(),
    forms.NumberInput(),
    forms.PasswordInput(render_value=True),
    forms.DateInput(),
    forms.DateTimeInput(),
    forms.TimeInput(),
    forms.SearchInput(),
    forms.TelInput(),
    forms.ColorInput(),
    forms.FileInput(),
    forms.CheckboxInput(),
    forms.Textarea(),
    forms.Select(choices=[("", "---"), ("achieved", "達成"), ("not_achieved", "未達成")]),
    forms.Select(
        choices=[
            ("", "---"),
            ("大阪", [(1, "新・市政改革プラン"), (2, 'a<b>"c"')]),
            (gettext_lazy("北九州"), [(3, mark_safe("<i>市政変革</i>"))]),
            (2024, "2024年度"),
        ]
    ),
]


@pytest.mark.parametrize("widget", WIDGETS, ids=lambda w: type(w).__name__)
@pytest.mark.parametrize("language", ["ja", "en"])
def test_each_written_widget_is_what_its_template_renders(widget, language):
    with override(language):
        for value in [None, *TRICKY, "achieved", 2, True, False]:
            for attrs in ATTRS:
                templated, written = _both(widget, value, attrs)
                assert written == templated, (type(widget).__name__, value, attrs)


@settings(max_examples=300, deadline=None)
@given(
    value=st.one_of(st.none(), st.text(max_size=12), st.integers(), st.booleans()),
    attrs=st.dictionaries(
        st.sampled_from(["id", "class", "title", "required", "maxlength", "data-x"]),
        st.one_of(st.text(max_size=8), st.booleans(), st.integers(), st.none()),
        max_size=4,
    ),
)
def test_any_value_and_attributes_render_as_the_templates_render_them(value, attrs):
    for widget in (forms.TextInput(), forms.Textarea(), WIDGETS[-1], forms.CheckboxInput()):
        templated, written = _both(widget, value, dict(attrs))
        assert written == templated


def test_a_value_a_template_would_call_is_left_to_the_template():
    widget = forms.TextInput()
    called = lambda: "呼ばれた"  # noqa: E731
    assert _both(widget, None, {"data-x": called})[1] == _both(widget, None, {"data-x": called})[0]
    assert 'data-x="呼ばれた"' in _both(widget, None, {"data-x": called})[1]


def test_the_input_only_templates_are_still_only_the_input_template():
    # Written as input.html: each must still be nothing but its include (a Django upgrade that
    # changed one would otherwise be rendered the old way).
    folder = Path(django.__file__).parent / "forms" / "templates"
    for name in form_renderer.INPUT_ONLY:
        text = (folder / name).read_text(encoding="utf-8")
        assert text == '{% include "django/forms/widgets/input.html" %}\n', name


def test_the_site_renders_its_forms_with_this_renderer(client):
    from django.forms.renderers import get_default_renderer

    assert isinstance(get_default_renderer(), FormRenderer)


def test_the_written_widgets_do_not_go_through_their_templates(monkeypatch):
    from django.forms.renderers import BaseRenderer

    templated = []
    render = BaseRenderer.render
    monkeypatch.setattr(
        BaseRenderer,
        "render",
        lambda self, name, context, request=None: (
            templated.append(name) or render(self, name, context, request)
        ),
    )
    for widget in WIDGETS:
        widget.render("field", "値", {"id": "id_field"}, renderer=WRITTEN)
    assert templated == []
    forms.RadioSelect(choices=[("a", "A")]).render("field", "a", renderer=WRITTEN)
    assert templated == ["django/forms/widgets/radio.html"]  # not written: its template
