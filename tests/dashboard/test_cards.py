"""Share cards (og:image): a 1200×630 PNG per plan and one for the site, drawn in the bundled font
with the plan page's figures; every public page points og:image at one."""

import io
import re

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from fontTools.ttLib import TTFont
from PIL import Image

from evaluations import cards
from evaluations.boards import dashboards, live_plans, pillar_data, plan_data
from evaluations.models import Publication
from evaluations.reports.typesetting import FONT_FILE
from initiatives.models import Plan
from tests.constants import KITAKYUSHU, OSAKA, PUBLIC_PAGES
from tests.factories import grow_and_publish

pytestmark = pytest.mark.django_db

# The pages about one plan show that plan's card; the others the site's.
PLAN_OF_PAGE = {
    f"/plans/{OSAKA}/": OSAKA,
    f"/plans/{OSAKA}/pillars/2/": OSAKA,
    f"/plans/{OSAKA}/initiatives/6-5/": OSAKA,
    f"/plans/{KITAKYUSHU}/": KITAKYUSHU,
    f"/plans/{KITAKYUSHU}/pillars/1/": KITAKYUSHU,
    f"/meetings/{KITAKYUSHU}/schedule/": KITAKYUSHU,
    f"/plans/{OSAKA}/departments/": OSAKA,
}


def _meta(html: str, key: str) -> str:
    match = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">', html)
    assert match, f"{key} missing"
    return match.group(1)


def _plan_rate(html: str) -> str:
    return re.search(r'data-testid="plan-rate">([^<]+)<', html).group(1)


def _lines(kind: str, language: str, slug: str = OSAKA) -> list[str]:
    with translation.override(language):
        if kind == "site":
            return cards.site_card(dashboards(live_plans())).lines()
        return cards.plan_card(plan_data(slug)).lines()


def _png(response) -> Image.Image:
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "PNG"
    return image


def _unescape(value: str) -> str:
    return value.replace("&quot;", '"').replace("&#x27;", "'").replace("&amp;", "&")


def test_the_osaka_card_is_a_1200x630_png_with_the_figures_of_the_plan_page_and_badge(
    client, seeded
):
    image = _png(client.get(f"/plans/{OSAKA}/card.png"))
    assert image.size == (1200, 630)
    lines = _lines("plan", "ja")
    assert "市政改革の進捗" in lines
    assert "大阪市" in lines and "新・市政改革プラン" in lines
    assert "令和6年度末時点の達成率" in lines
    assert "約82.6%" in lines
    assert "達成19項目 / 評価対象23項目" in lines
    page = client.get(f"/plans/{OSAKA}/").content.decode()
    badge = client.get(f"/plans/{OSAKA}/badge.svg").content.decode()
    assert _plan_rate(page) == "約82.6%"
    assert 'data-value="約82.6%"' in badge
    assert "達成19項目 / 評価対象23項目" in page


def test_the_card_follows_a_new_publication_like_the_plan_page(client, seeded):
    grow_and_publish(total=30, fiscal_year=2025)
    page = client.get(f"/plans/{OSAKA}/").content.decode()
    lines = _lines("plan", "ja")
    assert _plan_rate(page) in lines
    assert _plan_rate(page) != "約82.6%"
    assert "令和7年度末時点の達成率" in lines


def test_the_english_card_uses_the_english_labels_of_the_english_plan_page(client, seeded):
    image = _png(client.get(f"/en/plans/{OSAKA}/card.png"))
    assert image.size == (1200, 630)
    lines = _lines("plan", "en")
    assert "City reform progress" in lines
    assert "Osaka City" in lines
    assert "Achievement rate, end of FY2024" in lines
    assert "approx. 82.6%" in lines
    assert "19 achieved / 23 evaluated" in lines
    page = client.get(f"/en/plans/{OSAKA}/").content.decode()
    assert _plan_rate(page) == "approx. 82.6%" and "19 achieved / 23 evaluated" in page
    # Nothing Japanese is left on it: the plan has an English title, and every label is translated.
    assert not [line for line in lines if re.search(r"[\u3000-\u9fff\uff00-\uffef]", line)]
    # The Japanese and English cards are different images at different addresses.
    assert client.get(f"/en/plans/{OSAKA}/card.png").content != (
        client.get(f"/plans/{OSAKA}/card.png").content
    )


def test_a_plan_without_a_publication_says_so_on_its_card(client, seeded):
    _png(client.get(f"/plans/{KITAKYUSHU}/card.png"))
    lines = _lines("plan", "ja", KITAKYUSHU)
    assert "市政変革" in lines
    assert "公表された評価結果はまだありません。" in lines
    assert not any("%" in line for line in lines)
    assert "No results have been published yet." in _lines("plan", "en", KITAKYUSHU)


def test_the_site_card_has_one_row_per_plan_with_its_rate(client, seeded):
    image = _png(client.get("/card.png"))
    assert image.size == (1200, 630)
    lines = _lines("site", "ja")
    assert lines[:3] == ["市政改革の進捗", "reformtracker", "市政改革プランの進捗状況"]
    assert "大阪市「新・市政改革プラン」" in lines and "約82.6%" in lines
    assert "令和6年度末時点：達成19項目 / 評価対象23項目" in lines
    assert "北九州市「市政変革」" in lines and "—" in lines
    english = _lines("site", "en")
    assert "approx. 82.6%" in english
    assert "end of FY2024: 19 achieved / 23 evaluated" in english
    _png(client.get("/en/card.png"))


def test_every_character_drawn_is_in_the_bundled_font(seeded):
    with TTFont(str(FONT_FILE), lazy=True) as font:
        cmap = set(font.getBestCmap())
    drawn = set()
    for language in ("ja", "en"):
        drawn |= set("".join(_lines("site", language)))
        for slug in (OSAKA, KITAKYUSHU):
            drawn |= set("".join(_lines("plan", language, slug)))
    missing = sorted(ch for ch in drawn if ord(ch) not in cmap)
    assert not missing, f"drawn without a glyph: {missing}"


def test_a_title_with_characters_the_font_lacks_gets_no_missing_glyph_boxes(seeded):
    plan = Plan.objects.get(slug=OSAKA)
    plan.title = "𠮷野町DX™の市政改革\nプラン"  # 𠮷 is outside JIS X 0208; ™ has an NFKC form
    plan.save()
    lines = _lines("plan", "ja")
    assert "〓野町DXTMの市政改革 プラン" in lines
    cmap = cards.font_characters()
    assert all(ord(ch) in cmap for ch in "".join(lines))


def test_a_long_title_wraps_by_character_within_the_card_without_a_closing_mark_first(seeded):
    plan = Plan.objects.get(slug=OSAKA)
    plan.title = "持続可能な行財政基盤の構築と、市民サービスの向上を両立させるための、" * 4
    plan.save()
    with translation.override("ja"):
        card = cards.plan_card(plan_data(OSAKA))
    title = [t for t in card.texts if t.y >= 186 and t.y < 346]
    assert len(title) == 2
    for t in title:
        assert cards.text_width(t.text, t.size) <= cards.WIDTH - 2 * cards.MARGIN
        assert t.text[0] not in "、。」）"
    assert title[-1].text.endswith("…")
    assert "約82.6%" in card.lines()  # the figures keep their place


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_every_text_on_the_cards_meets_wcag_aa_contrast(seeded):
    for language in ("ja", "en"):
        with translation.override(language):
            drawn = [cards.site_card(dashboards(live_plans()))] + [
                cards.plan_card(plan_data(slug)) for slug in (OSAKA, KITAKYUSHU)
            ]
        for card in drawn:
            for t in card.texts:
                light, dark = sorted((_luminance(t.fill), _luminance(t.background)), reverse=True)
                assert (light + 0.05) / (dark + 0.05) >= 4.5, t


@pytest.mark.parametrize("url", PUBLIC_PAGES + ["/en" + u for u in PUBLIC_PAGES])
def test_every_public_page_has_an_og_image_that_answers_a_png(client, seeded, url):
    page = client.get(url).content.decode()
    image = _unescape(_meta(page, "og:image"))
    prefix = "/en" if url.startswith("/en/") else ""
    slug = PLAN_OF_PAGE.get(url.removeprefix("/en"))
    card = f"{prefix}/plans/{slug}/card.png" if slug else f"{prefix}/card.png"
    address, _, version = image.partition("?v=")
    assert address == f"http://testserver{card}"
    # A new publication gives the card a new address (networks keep images by URL).
    published = {str(p.pk) for p in Publication.objects.all()}
    assert version == "" or set(version.split("-")) <= published
    assert _meta(page, "og:image:type") == "image/png"
    assert _meta(page, "og:image:width") == "1200"
    assert _meta(page, "og:image:height") == "630"
    assert _meta(page, "og:image:alt").strip()
    assert _meta(page, "twitter:card") == "summary_large_image"
    response = client.get(image.removeprefix("http://testserver"))
    assert _png(response).size == (1200, 630)
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"


def test_the_alt_text_says_the_figures_of_the_card_in_the_page_language(client, seeded):
    ja = _unescape(_meta(client.get(f"/plans/{OSAKA}/").content.decode(), "og:image:alt"))
    assert ja == (
        "大阪市「新・市政改革プラン」の達成率は令和6年度末時点で約82.6%"
        "（達成19項目 / 評価対象23項目）です。"
    )
    en = _unescape(_meta(client.get(f"/en/plans/{OSAKA}/").content.decode(), "og:image:alt"))
    assert en == (
        "Osaka City “New Administrative Reform Plan: Reform for the Future”: achievement rate "
        "approx. 82.6% as of end of FY2024 (19 achieved / 23 evaluated)."
    )
    home = _unescape(_meta(client.get("/").content.decode(), "og:image:alt"))
    assert (
        "約82.6%" in home and "北九州市「市政変革」：公表された評価結果はまだありません。" in home
    )
    kitakyushu = client.get(f"/en/plans/{KITAKYUSHU}/").content.decode()
    assert "no results have been published yet" in _meta(kitakyushu, "og:image:alt")


def test_building_the_og_image_tags_reads_no_database(seeded):
    request = RequestFactory().get(f"/plans/{OSAKA}/pillars/2/")
    board = plan_data(OSAKA)
    pillar = pillar_data(OSAKA, 2)
    boards = dashboards(live_plans())
    tags = Template(
        "{% load card_tags %}{% og_card plan board=board %}{% og_card pillar.plan %}"
        "{% og_card boards=boards %}{% og_card %}"
    )
    context = Context({"request": request, "plan": board["plan"], "board": board})
    context.update({"pillar": pillar, "boards": boards})
    with CaptureQueriesContext(connection) as ctx:
        html = tags.render(context)
    assert len(ctx.captured_queries) == 0
    assert html.count('property="og:image"') == 4


def test_a_second_request_with_its_etag_gets_304(client, seeded, page_cache):
    url = f"/plans/{OSAKA}/card.png"
    first = client.get(url)
    assert first["X-Public-Cache"] == "miss"
    etag = first["ETag"]
    hit = client.get(url)
    assert hit["X-Public-Cache"] == "hit"
    assert hit.content == first.content and hit["Content-Type"] == "image/png"
    assert hit["Cross-Origin-Resource-Policy"] == "cross-origin"
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    site = client.get("/card.png")
    assert client.get("/card.png", HTTP_IF_NONE_MATCH=site["ETag"]).status_code == 304


def test_the_card_is_drawn_the_same_every_time_so_its_etag_holds_without_the_cache(client, seeded):
    first = client.get(f"/plans/{OSAKA}/card.png")
    assert client.get(f"/plans/{OSAKA}/card.png")["ETag"] == first["ETag"]
    again = client.get(f"/plans/{OSAKA}/card.png", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_an_unknown_plan_has_no_card(client, seeded):
    assert client.get("/plans/no-such-plan/card.png").status_code == 404


def test_the_site_card_keeps_many_plans_on_the_card_and_counts_the_rest(seeded):
    with translation.override("ja"):
        boards = dashboards(live_plans()) * 3  # six plans
        card = cards.site_card(boards)
    assert card.lines()[-1] == "ほか3計画"
    assert sum(line == "約82.6%" for line in card.lines()) == 2
    for t in card.texts:
        assert 0 <= t.y <= cards.HEIGHT - t.size


def test_a_new_publication_gives_the_plan_card_a_new_address(client, seeded):
    before = _unescape(_meta(client.get(f"/plans/{OSAKA}/").content.decode(), "og:image"))
    publication = grow_and_publish(total=30)
    after = _unescape(_meta(client.get(f"/plans/{OSAKA}/").content.decode(), "og:image"))
    assert before != after and after.endswith(f"?v={publication.pk}")
