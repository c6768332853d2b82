"""The initiative browser finds what Japanese readers type, marks what matched, and keeps the
stored search text in step with the titles and the published rows."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluations.models import PublishedResult
from initiatives.models import Initiative
from reformtracker.textnorm import normalise
from tests.constants import KITAKYUSHU, OSAKA
from tests.factories import grow_and_publish

pytestmark = pytest.mark.django_db

GARBAGE = "ごみ収集業務（一般廃棄物）における普通ごみ以外の収集業務の全面委託化"


def _codes(response) -> list[str]:
    body = response.content.decode()
    table = body.split('class="initiative-table"', 1)[-1] if "initiative-table" in body else ""
    return re.findall(r"<tr>\s*<td>([^<]+)</td>", table)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_katakana_finds_what_hiragana_finds(client, seeded):
    garbage = Initiative.objects.get(plan__slug=OSAKA, title=GARBAGE)
    for typed in ("ごみ", "ゴミ", "ｺﾞﾐ", "ゴミ　委託"):
        assert garbage.code in _codes(client.get(f"/initiatives/?q={typed}")), typed
    assert _codes(client.get("/initiatives/?q=ゴミ")) == _codes(client.get("/initiatives/?q=ごみ"))


def test_every_word_of_the_query_must_match(client, seeded):
    both = set(_codes(client.get("/initiatives/?q=ごみ 委託")))
    assert both and both <= set(_codes(client.get("/initiatives/?q=ごみ")))
    assert _codes(client.get("/initiatives/?q=ごみ 存在しない語")) == []


def test_the_match_is_marked_in_the_title_and_in_the_narrative_when_the_title_lacks_it(
    client, seeded
):
    body = client.get("/initiatives/?q=ゴミ").content.decode()
    assert "<mark>ごみ</mark>収集業務" in body
    # 6-5 matches by its published reason, which the row shows with the match marked.
    body = client.get("/initiatives/?q=令和9年度末時点で評価").content.decode()
    assert re.search(r'class="muted search-match">[^<]*<mark>令和9年度末時点で評価</mark>', body)


def test_a_title_with_markup_is_shown_escaped_with_only_the_marks_added(client, seeded):
    # Kitakyushu publishes no item results, so the page shows the title as it is now.
    item = Initiative.objects.filter(plan__slug=KITAKYUSHU).first()
    item.title = "<script>alert(1)</script>ゴミ対策"
    item.save()
    body = client.get("/initiatives/?q=ごみ対策").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<mark>ゴミ対策</mark>" in body
    assert "<script>alert(1)" not in body


def test_the_stored_search_text_follows_every_way_a_title_is_written(seeded):
    item = Initiative.objects.filter(plan__slug=OSAKA).first()
    item.title = "コールセンターの委託"
    item.save(update_fields=["title"])
    item.refresh_from_db()
    assert item.search_text.startswith(normalise("コールセンターの委託"))
    grow_and_publish(total=30, fiscal_year=2025)  # bulk_create of initiatives and snapshots
    added = Initiative.objects.filter(plan__slug=OSAKA).order_by("-pk").first()
    assert added.search_text == added.searchable() != ""
    rows = PublishedResult.objects.filter(publication__round__fiscal_year=2025)
    assert rows and all(row.search_text == row.searchable() for row in rows)


def test_a_search_costs_the_same_queries_with_one_word_or_five_and_at_any_size(client, seeded):
    small = [_queries(client, f"/initiatives/?q={q}") for q in ("委託", "ごみ 委託 収集 業務 全面")]
    grow_and_publish(total=2_000)
    large = [_queries(client, f"/initiatives/?q={q}") for q in ("委託", "ごみ 委託 収集 業務 全面")]
    assert small == large
    assert small[0] == small[1]
