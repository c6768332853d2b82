"""Template tags of the public pages. The labels themselves live in evaluations.labels (and
reformtracker.display for dates); this library registers them, adds the markup filters for the
language of parts, the language switcher, and the dashboard fragment memo.
"""

from __future__ import annotations

import itertools

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from evaluations import labels, published
from reformtracker import memos
from reformtracker.display import language
from reformtracker.links import translated_url

register = template.Library()

register.filter("loc", labels.localised)
for _name in (
    "asof",
    "period",
    "approx",
    "month_column",
    "month_span",
    "fy_or_label",
    "result_class",
    "result_label",
    "department_name",
    "narrative_point",
):
    register.filter(_name, getattr(labels, _name))


# --- language of parts (WCAG 2.0 SC 3.1.2, JIS X 8341-3 AA) ----------------------------------


@register.filter
def ja(value):
    """``{{ initiative.title|ja }}``: on an English page, Japanese text in ``<span lang="ja">``
    (always escaped, unless it is already safe markup such as ``|linebreaksbr``'s), so a screen
    reader reads it in Japanese.

    Anything else (every value on a Japanese page, English text such as a ``*_en`` field) is
    returned as it came, to be escaped as usual. For a block (narratives with ``white-space:
    pre-line``, ``<option>``), put :func:`ja_attr` on the element instead.
    """
    if not labels.japanese_on_english_page(value):
        return value
    return mark_safe(f'<span lang="ja">{conditional_escape(value)}</span>')


@register.simple_tag
def ja_attr(*values):
    """`` lang="ja"`` (leading space included) for an element that shows ``values``, when the
    page is English and any of them is Japanese; otherwise nothing. For content a span cannot
    wrap: a narrative block, an ``<option>``, SVG ``<text>``:
    ``<p class="narrative"{% ja_attr snapshot.done %}>{{ snapshot.done }}</p>``."""
    if any(labels.japanese_on_english_page(value) for value in values):
        return mark_safe(' lang="ja"')
    return ""


@register.simple_tag(takes_context=True)
def language_urls(context):
    """[(code, name, url, is_current)] for the switcher: the same page in each language."""
    request = context["request"]
    current = language()
    path = request.get_full_path()
    return [
        {
            "code": code,
            "name": name,
            "url": translated_url(path, code),
            "current": current.startswith(code),
        }
        for code, name in (("ja", "日本語"), ("en", "English"))
    ]


# --- one plan's dashboard, rendered once per publication ------------------------------------

_DASHBOARD = "evaluations/_dashboard.html"
_MAX_FRAGMENTS = 512
# "fingerprint": the publication fingerprint the fragments are for; "items": key → markup.
_fragments = memos.store()


def _fragment_key(board: dict, testid: str) -> tuple:
    """Everything _dashboard.html shows. The publication's figures, excluded items and 時点 are
    fixed by its id; the chart bars carry the live labels and links (pillar names in English,
    the plan's slug), so an edit of those gives a new key rather than a stale fragment."""
    publication = board["publication"]
    chart, trend = board["chart"], board["trend_chart"]
    return (
        language(),
        testid,
        board["plan"].slug,
        publication.pk if publication else None,
        tuple(chart.bars) if chart else None,
        tuple(trend.bars) if trend else None,
        tuple(row.pk for row in board["excluded"]),
    )


@register.simple_tag(takes_context=True)
def dashboard(context, board, testid="headline-rate"):
    """Renders _dashboard.html for ``board`` from nothing but the board and the language.

    With ``PUBLIC_DATA_MEMO`` on, the markup (headline, 1–5 table, SVG charts and their tables)
    is kept per publication fingerprint: it is a function of immutable published rows and of
    the live labels in its key, so it never goes stale. The page around it is rendered for
    every request.
    """
    template_ = context.template.engine.get_template(_DASHBOARD)

    def render():
        values = {"board": board, "testid": testid, "LANGUAGE_CODE": language()}
        return template_.render(context.new(values))

    fingerprint = board.get("fingerprint")
    # A plan's meeting facts (home page, plans without a publication) change with today: never kept.
    if not (fingerprint and published.memo_enabled()) or board.get("meeting_facts"):
        return render()
    if (
        _fragments.get("fingerprint") != fingerprint
        or len(_fragments.get("items", ())) > _MAX_FRAGMENTS
    ):
        _fragments.update(fingerprint=fingerprint, items={})
    key = _fragment_key(board, testid)
    markup = _fragments["items"].get(key)
    if markup is None:
        markup = _fragments["items"][key] = render()
    return markup


# --- a part of a page kept per process for what it shows -------------------------------------

# Two memos: the large parts of a page (a form's selects, tens of KB each) and the rows of a
# table (a history row, under a kilobyte), so that rows, of which there are many more, do not
# push the large parts out.
_KEPT = {"parts": memos.Bounded(512), "rows": memos.Bounded(4096)}


# Tells apart the {% kept %} tags of a process: Django records a tag's position in its
# template only while debugging, and two tags of one template may be given the same key.
_kept_tags = itertools.count()


class _KeptNode(template.Node):
    def __init__(self, nodelist, key, kept: memos.Bounded):
        self.nodelist, self.key, self.kept = nodelist, key, kept
        self.tag = next(_kept_tags)

    def render(self, context):
        key = self.key.resolve(context)
        if not key:  # None, or missing from the context
            return self.nodelist.render(context)
        # This tag (its template, and which of the process's kept tags) and the view's key.
        key = (self.origin.name, self.tag, key)
        markup = self.kept.get(key)
        if markup is None:
            markup = self.nodelist.render(context)
            self.kept.put(key, markup)
        return markup


@register.tag
def kept(parser, token):
    """``{% kept key %}…{% endkept %}``: the markup inside, rendered once per process for
    ``key`` and then reused; rendered every time when ``key`` is None (or missing). The view
    makes ``key`` hold everything the markup shows (the language, the rows it lists as their
    digest, the chosen values), so the same key gives the same markup: e.g. the initiative
    browser's filter selects (evaluations.browse.field_keys), forty-seven prefectures and the
    plans', pillars' and departments' options, which took most of a new search's rendering.
    ``{% kept key rows %}`` keeps it among the rows of tables (``history_key``)."""
    bits = token.split_contents()
    if len(bits) not in (2, 3) or (len(bits) == 3 and bits[2] != "rows"):
        raise template.TemplateSyntaxError("usage: {% kept key %} or {% kept key rows %}")
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    kept_in = _KEPT["rows" if len(bits) == 3 else "parts"]
    return _KeptNode(nodelist, parser.compile_filter(bits[1]), kept_in)


@register.filter
def history_key(row, show_actor):
    """The key a history row's markup is kept under (history.Row.markup_key), or None (rendered
    every time) with ``PUBLIC_DATA_MEMO`` off."""
    return row.markup_key(show_actor) if published.memo_enabled() else None
