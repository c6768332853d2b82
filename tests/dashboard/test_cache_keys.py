"""What the public page cache keys on: the host and scheme (validated first), and only the
query parameters a page's view reads (``public_page(params=…)``)."""

import pytest

from tests.constants import OSAKA

pytestmark = pytest.mark.django_db
PLAN = f"/plans/{OSAKA}/"


def test_a_host_django_refuses_is_refused_even_when_the_page_is_stored(client, seeded, page_cache):
    assert client.get(PLAN)["X-Public-Cache"] == "miss"
    assert client.get(PLAN)["X-Public-Cache"] == "hit"
    refused = client.get(PLAN, HTTP_HOST="evil.example")
    assert refused.status_code == 400
    assert "X-Public-Cache" not in refused


def test_each_allowed_host_and_scheme_gets_its_own_copy(client, seeded, page_cache, settings):
    settings.ALLOWED_HOSTS = ["city-a.example", "city-b.example"]
    a = client.get(PLAN, HTTP_HOST="city-a.example")
    b = client.get(PLAN, HTTP_HOST="city-b.example")
    assert (a["X-Public-Cache"], b["X-Public-Cache"]) == ("miss", "miss")
    og_image = f'<meta property="og:image" content="http://city-a.example/plans/{OSAKA}/card.png'
    assert og_image in a.content.decode()
    assert "city-a.example" not in b.content.decode()  # og:image names the host asked
    secure = client.get(PLAN, HTTP_HOST="city-a.example", secure=True)
    assert secure["X-Public-Cache"] == "miss"
    assert og_image.replace("http:", "https:") in secure.content.decode()
    assert client.get(PLAN, HTTP_HOST="city-b.example")["X-Public-Cache"] == "hit"


def test_unknown_query_parameters_share_the_stored_card(client, seeded, page_cache):
    first = client.get("/card.png?r=1")
    assert first["X-Public-Cache"] == "miss"
    again = client.get("/card.png?r=2")
    assert again["X-Public-Cache"] == "hit"
    assert again.content == first.content
    assert client.get("/card.png")["X-Public-Cache"] == "hit"
    assert client.get(f"/plans/{OSAKA}/card.png?r=1&utm_source=x")["X-Public-Cache"] == "miss"
    assert client.get(f"/plans/{OSAKA}/card.png?r=9")["X-Public-Cache"] == "hit"


def test_a_page_never_shows_a_parameter_it_does_not_read(client, seeded, page_cache):
    body = client.get(f"{PLAN}?r=%22tracked%22").content.decode()
    assert "tracked" not in body  # og:url and the language links name the canonical address
    assert client.get(PLAN)["X-Public-Cache"] == "hit"


def test_the_browser_filters_still_separate_and_their_order_does_not(client, seeded, page_cache):
    osaka = client.get(f"/initiatives/?plan={OSAKA}&result=excluded")
    assert osaka["X-Public-Cache"] == "miss"
    swapped = client.get(f"/initiatives/?result=excluded&plan={OSAKA}&r=5")
    assert swapped["X-Public-Cache"] == "hit"
    assert swapped.content == osaka.content
    # A repeated parameter counts as the browser reads it: its last value.
    repeated = client.get(f"/initiatives/?plan=x&plan={OSAKA}&result=excluded")
    assert repeated["X-Public-Cache"] == "hit"
    other = client.get("/initiatives/?result=excluded")
    assert other["X-Public-Cache"] == "miss"
    assert other.content != osaka.content
    page2 = client.get("/initiatives/?page=2")
    assert page2["X-Public-Cache"] == "miss"
    assert "21〜" in page2.content.decode()
    api = client.get(f"/open-data/initiatives.json?plan={OSAKA}&junk=1")
    assert api["X-Public-Cache"] == "miss"
    assert api.json()["filters"] == {"plan": OSAKA}
    assert client.get(f"/open-data/initiatives.json?plan={OSAKA}")["X-Public-Cache"] == "hit"


def test_the_meeting_pages_still_read_their_plan_filter(client, seeded):
    assert client.get("/open-data/meetings.json?plan=nothing-here").json()["meetings"] == []
    assert client.get("/open-data/meetings.json").json()["meetings"] != []


def test_an_htmx_target_no_view_reads_does_not_make_a_new_entry(client, seeded, page_cache):
    htmx = {"HTTP_HX_REQUEST": "true"}
    first = client.get(f"/initiatives/?plan={OSAKA}", HTTP_HX_TARGET="results", **htmx)
    assert first["X-Public-Cache"] == "miss"
    other = client.get(f"/initiatives/?plan={OSAKA}", HTTP_HX_TARGET="r-12345", **htmx)
    assert other["X-Public-Cache"] == "hit"
    assert other.content == first.content
    page = client.get(f"/initiatives/?plan={OSAKA}")
    assert page["X-Public-Cache"] == "miss"  # the whole page is another variant
    assert page.content != first.content


def test_the_open_data_files_are_stored_once_per_publication(client, seeded, page_cache):
    for address in (
        f"/open-data/{OSAKA}/2024/results.csv",
        f"/open-data/{OSAKA}/2024/results.json",
        "/open-data/plans.json",
        "/open-data/",
    ):
        first = client.get(f"{address}?r=1")
        assert first["X-Public-Cache"] == "miss", address
        again = client.get(f"{address}?r=2")
        assert again["X-Public-Cache"] == "hit", address
        assert again.content == first.content
        assert again["Content-Type"] == first["Content-Type"]
        assert again.get("Content-Disposition") == first.get("Content-Disposition")
        assert again.get("Access-Control-Allow-Origin") == first.get("Access-Control-Allow-Origin")
        assert client.get(address, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
