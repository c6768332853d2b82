"""Japanese by default and English under /en/; the badge shows the plan page's figure; OGP on
every public page."""

import re

import pytest
from django.urls import translate_url
from django.utils.translation import override

from reformtracker.links import translated_url
from tests.constants import KITAKYUSHU, OSAKA, PUBLIC_PAGES
from tests.factories import grow_and_publish

pytestmark = pytest.mark.django_db


def _plan_rate(html: str) -> str:
    return re.search(r'data-testid="plan-rate">([^<]+)<', html).group(1)


def _badge_value(svg: str) -> str:
    return re.search(r'data-value="([^"]+)"', svg).group(1)


def test_it_shows_the_plan_page_in_japanese_with_wareki_dates(client, seeded):
    page = client.get(f"/plans/{OSAKA}/").content.decode()
    assert '<html lang="ja">' in page
    assert _plan_rate(page) == "約82.6%"
    assert "令和7年9月16日" in page  # published
    assert "令和6年度末時点" in page
    assert "令和6年度〜令和9年度" in page
    assert "達成19項目 / 評価対象23項目" in page


def test_it_shows_the_plan_page_in_english_with_western_dates(client, seeded):
    page = client.get(f"/en/plans/{OSAKA}/").content.decode()
    assert '<html lang="en">' in page
    assert _plan_rate(page) == "approx. 82.6%"
    assert "16 September 2025" in page
    assert "end of FY2024" in page
    assert "FY2024–FY2027" in page
    assert "19 achieved / 23 evaluated" in page
    assert "Achievement rate (19 items / 23 items)" in page
    assert "New Administrative Reform Plan" in page
    assert "令和7年9月16日" not in page
    # The seed's own text (narratives, reasons) stays as published, in Japanese.
    assert "環境負荷の低減に係る取組の推進" in page


def test_the_language_switcher_links_to_the_same_page_with_its_query(client, seeded):
    page = client.get(f"/initiatives/?plan={OSAKA}").content.decode()
    switcher = page.split('class="language-switcher"', 1)[1].split("</nav>", 1)[0]
    assert f'href="/en/initiatives/?plan={OSAKA}" lang="en"' in switcher
    assert 'aria-current="true">日本語' in switcher
    english = client.get(f"/en/initiatives/?plan={OSAKA}").content.decode()
    assert f'href="/initiatives/?plan={OSAKA}" lang="ja"' in english


def test_the_switchers_address_keeps_the_query_as_djangos_translate_url_does():
    # The memo holds the path alone; the query is added back as translate_url adds it.
    paths = [
        "/initiatives/?q=%E3%81%94%E3%81%BF&page=2",
        "/en/initiatives/?q=a+b&plan=x",
        f"/plans/{OSAKA}/pillars/2/?page=3",
        "/nowhere/?a=1",
        "/initiatives/?",
        "/initiatives/?q=1#top",
        "/en/?directory=1",
    ]
    for path in paths:
        # As on a page: the language of its address is active.
        with override("en" if path.startswith("/en/") else "ja"):
            for code in ("ja", "en"):
                assert translated_url(path, code) == translate_url(path, code), (path, code)


def test_meetings_read_as_written_in_japanese_and_in_english(client, seeded):
    # Every seed meeting is held by today (2026-11-26): they are on the held list.
    ja = client.get("/meetings/?when=held").content.decode()
    en = client.get("/en/meetings/?when=held").content.decode()
    assert "7月上旬" in ja and "5月23日" in ja
    assert "early July 2025" in en and "23 May 2025" in en
    schedule = client.get(f"/en/meetings/{KITAKYUSHU}/schedule/").content.decode()
    assert "December onwards" in schedule


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_the_badge_shows_the_figure_of_the_plan_page(client, seeded, prefix):
    page = client.get(f"{prefix}/plans/{OSAKA}/").content.decode()
    badge = client.get(f"{prefix}/plans/{OSAKA}/badge.svg")
    assert badge["Content-Type"].startswith("image/svg+xml")
    assert _badge_value(badge.content.decode()) == _plan_rate(page)
    # …and still after a new publication changes it.
    grow_and_publish(total=30, fiscal_year=2025)
    page = client.get(f"{prefix}/plans/{OSAKA}/").content.decode()
    svg = client.get(f"{prefix}/plans/{OSAKA}/badge.svg").content.decode()
    assert _badge_value(svg) == _plan_rate(page) != "約82.6%"
    assert f'src="http://testserver{prefix}/plans/{OSAKA}/badge.svg"' in page.replace(
        "&quot;", '"'
    ).replace("&lt;", "<").replace("&gt;", ">")


def test_a_plan_without_results_gets_a_dash_badge(client, seeded):
    svg = client.get(f"/plans/{KITAKYUSHU}/badge.svg").content.decode()
    assert _badge_value(svg) == "—"


@pytest.mark.parametrize("url", PUBLIC_PAGES + ["/en" + u for u in PUBLIC_PAGES])
def test_every_public_page_has_open_graph_meta(client, seeded, url):
    page = client.get(url).content.decode()
    for prop in ["og:title", "og:description", "og:type", "og:url", "og:site_name", "og:locale"]:
        match = re.search(rf'<meta property="{prop}" content="([^"]*)">', page)
        assert match and match.group(1).strip(), f"{prop} missing on {url}"
    assert re.search(r'<meta property="og:url" content="http://testserver' + re.escape(url), page)
