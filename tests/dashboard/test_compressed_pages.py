"""A stored public page is kept gzipped too, compressed once (by its first hit that accepts
gzip; a long page as it is stored), and served so to every client that accepts gzip; everyone
else gets the same bytes as before (evaluations.public_cache; reformtracker.public_pages,
GZIP_MIN_BYTES)."""

import gzip

import pytest
from django.core.cache import cache

from evaluations import public_cache
from reformtracker.public_pages import GZIP_MIN_BYTES, accepts_gzip
from tests.constants import OSAKA

pytestmark = pytest.mark.django_db
PLAN = f"/plans/{OSAKA}/"
RESULTS = f"/open-data/{OSAKA}/2024/results"
BROWSER = {"Accept-Encoding": "gzip, deflate, br, zstd"}


def test_a_browser_gets_the_stored_page_gzipped_on_every_hit(client, seeded, page_cache):
    plain = client.get(PLAN, headers=BROWSER)  # rendered, stored, and sent as it is
    assert plain["X-Public-Cache"] == "miss" and "Content-Encoding" not in plain
    assert "Accept-Encoding" in plain["Vary"]
    for _ in range(2):
        zipped = client.get(PLAN, headers=BROWSER)
        assert zipped["X-Public-Cache"] == "hit"
        assert zipped["Content-Encoding"] == "gzip"
        assert gzip.decompress(zipped.content) == plain.content
        assert int(zipped["Content-Length"]) == len(zipped.content) < len(plain.content) / 2
        assert zipped["ETag"] == plain["ETag"][:-1] + '-gzip"'
        assert "Accept-Encoding" in zipped["Vary"]
        assert zipped["Content-Type"] == plain["Content-Type"]
    identity = client.get(PLAN)  # a client that asks for no gzip: the page as it was
    assert identity["X-Public-Cache"] == "hit" and "Content-Encoding" not in identity
    assert (identity.content, identity["ETag"]) == (plain.content, plain["ETag"])


def test_each_page_is_compressed_once_by_its_first_hit_that_takes_it(
    client, seeded, page_cache, monkeypatch
):
    calls = []
    compress = gzip.compress
    monkeypatch.setattr(gzip, "compress", lambda *a, **k: calls.append(1) or compress(*a, **k))
    client.get(f"{RESULTS}.csv", headers=BROWSER)  # stored: never compressed unless asked again
    client.get(f"{RESULTS}.csv")
    client.get("/initiatives/?q=nobody-asks-again", headers=BROWSER)
    assert calls == []
    for _ in range(3):
        assert client.get(f"{RESULTS}.csv", headers=BROWSER)["Content-Encoding"] == "gzip"
    assert calls == [1]


def test_either_etag_the_visitor_holds_gets_a_304(client, seeded, page_cache):
    plain = client.get(PLAN)["ETag"]
    zipped = client.get(PLAN, headers=BROWSER)["ETag"]
    held_zipped = client.get(PLAN, headers={**BROWSER, "If-None-Match": zipped})
    assert (held_zipped.status_code, held_zipped["ETag"]) == (304, zipped)
    # A copy received gzipped names the same content, whichever way it is asked for now.
    assert client.get(PLAN, headers={"If-None-Match": zipped}).status_code == 304
    assert client.get(PLAN, headers={**BROWSER, "If-None-Match": plain}).status_code == 304


def test_an_etag_held_in_either_form_still_gets_a_304_when_nothing_is_stored(client, seeded):
    plain = client.get(PLAN)
    assert plain["X-Public-Cache"] == "bypass" and "Content-Encoding" not in plain
    zipped = plain["ETag"][:-1] + '-gzip"'
    assert client.get(PLAN, headers={**BROWSER, "If-None-Match": zipped}).status_code == 304


def test_an_etag_the_balancer_made_weak_still_gets_a_304(client, seeded, page_cache):
    """nginx gzips what the app sends uncompressed and makes its ETag weak (W/"…");
    If-None-Match compares weakly (RFC 9110 13.1.2)."""
    etag = client.get(PLAN)["ETag"]
    assert client.get(PLAN, headers={"If-None-Match": f"W/{etag}"}).status_code == 304
    browsed = client.get("/initiatives/?q=abc")  # stored too: weak either way
    assert (
        client.get(
            "/initiatives/?q=abc", headers={"If-None-Match": f"W/{browsed['ETag']}"}
        ).status_code
        == 304
    )


def test_pages_rendered_every_time_are_never_compressed(client, seeded):
    """Without the page cache nothing is compressed per request: it would cost every request
    CPU for what the cache does once."""
    response = client.get(f"{RESULTS}.json", headers=BROWSER)
    assert "Content-Encoding" not in response
    assert response.json()["plan"]["slug"] == OSAKA


def test_images_and_short_documents_are_stored_as_they_are(client, seeded, page_cache):
    client.get("/card.png")
    card = client.get("/card.png", headers=BROWSER)
    assert card["X-Public-Cache"] == "hit" and "Content-Encoding" not in card
    assert "Accept-Encoding" not in card["Vary"]
    assert card.content.startswith(b"\x89PNG")
    client.get(f"/plans/{OSAKA}/badge.svg")
    badge = client.get(f"/plans/{OSAKA}/badge.svg", headers=BROWSER)
    assert badge["X-Public-Cache"] == "hit"
    if len(badge.content) < GZIP_MIN_BYTES:
        assert "Content-Encoding" not in badge
    else:
        assert gzip.decompress(badge.content).startswith(b"<svg")


@pytest.mark.parametrize(
    ("header", "accepted"),
    [
        ("", False),
        ("gzip", True),
        ("GZIP", True),
        ("deflate, gzip;q=0.5", True),
        ("gzip;q=0", False),
        ("gzip; q=0.0, deflate", False),
        ("x-gzip", True),
        ("*", True),
        ("*;q=0", False),
        ("gzip;q=0, *", False),
        ("*, gzip;q=0", False),
        ("br, zstd", False),
        ("identity", False),
        ("gzip;q=nonsense", False),
    ],
)
def test_accept_encoding_is_read_as_rfc_9110_says(rf, header, accepted):
    request = rf.get("/", headers={"Accept-Encoding": header} if header else {})
    assert accepts_gzip(request) is accepted


def test_a_long_page_is_stored_apart_from_its_gzip_copy_which_alone_serves_a_gzip_hit(
    client, seeded, page_cache, monkeypatch
):
    """Reading an entry reads all of it: a gzip hit of a 7.3 MB results file should not copy
    the 7.3 MB beside its 0.1 MB copy. Its copy is made as it is stored, and the visit that
    stores it already gets it."""
    monkeypatch.setattr(public_cache, "APART_MIN_BYTES", 4096)
    read = []
    get = public_cache._get
    monkeypatch.setattr(public_cache, "_get", lambda key: read.append(key) or get(key))
    url = f"{RESULTS}.json"
    first = client.get(url, headers=BROWSER)
    assert first["X-Public-Cache"] == "miss" and first["Content-Encoding"] == "gzip"
    rendered = client.get(url)
    assert rendered["X-Public-Cache"] == "hit" and len(rendered.content) > 4096
    assert gzip.decompress(first.content) == rendered.content

    read.clear()
    zipped = client.get(url, headers=BROWSER)
    assert zipped["X-Public-Cache"] == "hit"
    assert gzip.decompress(zipped.content) == rendered.content
    assert len(read) == 1

    read.clear()
    plain = client.get(url)
    assert plain["X-Public-Cache"] == "hit" and plain.content == rendered.content
    assert read == [read[0], read[0] + public_cache.APART]

    # The page itself evicted on its own: rendered and stored again, never a broken answer,
    # and not compressed again: its copy was still stored.
    cache.delete(read[1])
    compressed = []
    compress = gzip.compress
    monkeypatch.setattr(gzip, "compress", lambda *a, **k: compressed.append(1) or compress(*a, **k))
    again = client.get(url)
    assert again["X-Public-Cache"] == "miss" and again.content == rendered.content
    assert client.get(url)["X-Public-Cache"] == "hit"
    assert compressed == []
    assert gzip.decompress(client.get(url, headers=BROWSER).content) == rendered.content


def test_a_short_page_is_one_entry_for_every_client(client, seeded, page_cache, monkeypatch):
    read = []
    get = public_cache._get
    monkeypatch.setattr(public_cache, "_get", lambda key: read.append(key) or get(key))
    client.get(PLAN)
    for headers in ({}, BROWSER):
        read.clear()
        assert client.get(PLAN, headers=headers)["X-Public-Cache"] == "hit"
        assert len(read) == 1
