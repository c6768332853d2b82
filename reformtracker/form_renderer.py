"""Django's form renderer, with the widget templates the site's forms render most written in
Python: the same markup, byte for byte, without a template engine's pass per widget.

Every field of a form is a widget rendered through Django's templates: ``input.html`` (and the
eleven input types that only include it), ``textarea.html``, ``select.html`` with its options,
each including ``attrs.html`` for its attributes. The staff entry page renders nine such widgets
and spent 4 of its 30 ms there, about as much in ``attrs.html``'s loop as in the rest of the
page's own markup. Here each is written with the template language's own parts
(``render_value_in_context`` for ``{{ … }}``, the ``stringformat`` filter, the same tests), so
values are localised and escaped as the templates do. Anything else (a widget with a callable
value, which a template would call; an option of another template; every other widget) goes to
the templates as before. tests/project/test_form_renderer.py compares both, widget by widget.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.template import Context
from django.template.base import render_value_in_context
from django.template.defaultfilters import stringformat
from django.utils.safestring import SafeData, mark_safe

# As the form renderer's engine renders a widget's context: autoescaped, and localised and
# put in local time by the settings (use_l10n and use_tz left to them).
_CONTEXT = Context(autoescape=True)

WIDGETS = "django/forms/widgets/"
# The templates whose whole text is {% include "django/forms/widgets/input.html" %}.
INPUT_ONLY = tuple(
    f"{WIDGETS}{name}.html"
    for name in (
        "checkbox",
        "color",
        "date",
        "datetime",
        "email",
        "file",
        "hidden",
        "number",
        "password",
        "search",
        "tel",
        "text",
        "time",
        "url",
    )
)
OPTION = f"{WIDGETS}select_option.html"


class _Called(Exception):
    """A value the template would call (a template calls what it looks up): left to it."""


def _value(value):
    if callable(value):
        raise _Called
    return value


def _shown(value) -> str:
    """``{{ value }}``."""
    return render_value_in_context(_value(value), _CONTEXT)


def _formatted(value) -> str:
    """``{{ value|stringformat:'s' }}`` (the filter keeps safe text safe)."""
    value = _value(value)
    text = stringformat(value, "s")
    return render_value_in_context(
        mark_safe(text) if isinstance(value, SafeData) else text, _CONTEXT
    )


def _attrs(attrs: dict) -> str:
    """attrs.html."""
    out = []
    for name, value in attrs.items():
        value = _value(value)
        if value is not False:
            out.append(f" {_shown(name)}")
            if value is not True:
                out.append(f'="{_formatted(value)}"')
    return "".join(out)


def _input(widget: dict) -> str:
    value = _value(widget["value"])
    html = f'<input type="{_shown(widget["type"])}" name="{_shown(widget["name"])}"'
    # The template's test, which is not "is not None" (a value may define !=).
    if value != None:  # noqa: E711
        html += f' value="{_formatted(value)}"'
    return f"{html}{_attrs(widget['attrs'])}>"


def _textarea(widget: dict) -> str:
    value = _value(widget["value"])
    shown = _shown(value) if value else ""
    return (
        f'<textarea name="{_shown(widget["name"])}"{_attrs(widget["attrs"])}>\n{shown}</textarea>'
    )


def _select(widget: dict) -> str:
    out = [f'<select name="{_shown(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        group_name = _value(group_name)
        if group_name:
            out.append(f'\n  <optgroup label="{_shown(group_name)}">')
        for option in group_choices:
            if option["template_name"] != OPTION:
                raise _Called
            # The option's template, included whole (with its closing line break).
            out.append(
                f'\n  <option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_shown(option['label'])}</option>\n"
            )
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


_WRITTEN = {
    f"{WIDGETS}input.html": _input,
    **dict.fromkeys(INPUT_ONLY, _input),
    f"{WIDGETS}textarea.html": _textarea,
    f"{WIDGETS}select.html": _select,
}


class FormRenderer(DjangoTemplates):
    """``DjangoTemplates`` (the default), with ``_WRITTEN``'s widgets written in Python. Like
    ``BaseRenderer.render``, the markup comes without surrounding whitespace."""

    def render(self, template_name, context, request=None):
        write = _WRITTEN.get(template_name)
        widget = context.get("widget") if write is not None and request is None else None
        if isinstance(widget, dict):
            try:
                return write(widget).strip()
            except (_Called, KeyError):  # (a key the template would read as "")
                pass
        return super().render(template_name, context, request)
