"""The markup of each history row is kept per process for what the row shows
(``history.Row.markup_key``, public_tags ``{% kept … rows %}``), with ``PUBLIC_DATA_MEMO`` on as
in production.

A history row never changes once written, and the staff entry page renders twenty of them on
every visit and again after every conflicting save. Kept, each is rendered once; the page is the
same page byte for byte, in either language, with or without the actor's column, and a row whose
shown values change (a 時点 renamed) is rendered afresh.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings as django_settings
from django.template import Context, engines

from evaluations import history
from evaluations.choices import RoundKind
from evaluations.models import HistoryEvent, Round
from evaluations.templatetags import public_tags
from reformtracker import memos
from tests.personas import HTMX, client_for, edit_data

pytestmark = pytest.mark.django_db

# What differs between two renderings of one page whatever is kept: the CSRF token (masked anew
# each time) and the form's change token (one per rendering).
TOKEN = re.compile(
    r'name="(csrfmiddlewaretoken|change_token)" value="[^"]*"|"X-CSRFToken": "[^"]*"'
)


def _keep(settings, on: bool) -> None:
    settings.PUBLIC_DATA_MEMO = on
    memos.clear()


def _saved_three_times(world):
    client = client_for(world, "staff_a")
    for n in range(3):
        world.entry_a.refresh_from_db()
        client.post(
            f"/staff/entries/{world.entry_a.pk}/",
            edit_data(world.entry_a, narrative=f"第{n + 1}回の保存。"),
            **HTMX,
        )
    return client


def _page(client, path: str, language: str = "ja") -> str:
    """The page as ``language``'s reader gets it (the staff pages' language is the cookie's)."""
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    return TOKEN.sub("", client.get(path).content.decode())


def _rows_kept() -> int:
    return len(public_tags._KEPT["rows"])


def test_the_entry_page_from_kept_rows_is_the_page_rendered_afresh(world, settings):
    client = _saved_three_times(world)
    path = f"/staff/entries/{world.entry_a.pk}/"
    _keep(settings, False)
    fresh = {language: _page(client, path, language) for language in ("ja", "en")}
    assert _rows_kept() == 0

    _keep(settings, True)
    first = {language: _page(client, path, language) for language in ("ja", "en")}
    kept = {language: _page(client, path, language) for language in ("ja", "en")}

    rows = HistoryEvent.objects.filter(initiative=world.entry_a.initiative).count()
    assert rows >= 3
    assert _rows_kept() == 2 * rows  # each row once per language
    assert first == kept == fresh
    assert "第1回の保存。" in kept["ja"] and "end of FY2024" in kept["en"]


def test_a_kept_row_is_not_rendered_again(world, settings, monkeypatch):
    _saved_three_times(world)
    _keep(settings, True)
    rows = history.staff_rows(world.entry_a.initiative)
    table = engines["django"].engine.get_template("evaluations/_history_table.html")
    markup = table.render(Context({"rows": rows, "show_actor": True}))
    assert _rows_kept() == len(rows) >= 3

    # Rendered again, every row comes from what was kept: none is rendered and kept anew.
    rendered = []
    monkeypatch.setattr(public_tags._KEPT["rows"], "put", lambda *args: rendered.append(args))
    assert table.render(Context({"rows": rows, "show_actor": True})) == markup
    assert rendered == []


def test_the_actors_column_is_part_of_what_is_kept(world, settings):
    _saved_three_times(world)
    _keep(settings, True)
    rows = history.staff_rows(world.entry_a.initiative)
    table = engines["django"].engine.get_template("evaluations/_history_table.html")
    actor = f"<td>{rows[0].actor}</td>"
    # The same rows, first with the actor's column (staff), then without it (the public).
    assert actor in table.render(Context({"rows": rows, "show_actor": True}))
    assert actor not in table.render(Context({"rows": rows, "show_actor": False}))
    assert _rows_kept() == 2 * len(rows)


def test_a_row_whose_shown_values_change_is_rendered_afresh(world, settings):
    client = _saved_three_times(world)
    path = f"/staff/entries/{world.entry_a.pk}/"
    _keep(settings, True)
    assert "令和6年度末時点" in _history(_page(client, path))
    # The office makes the round an interim one (its 時点 is then its date): a raw update, as
    # any writer around the services would make it.
    Round.objects.filter(pk=world.entry_a.round_id).update(kind=RoundKind.INTERIM)
    shown = _history(_page(client, path))
    assert "令和7年3月31日時点" in shown and "令和6年度末時点" not in shown


def _history(page: str) -> str:
    return page[page.index('id="entry-history"') :]
