"""Public pages are cached per publication; ETag and 304 for repeat visits.

docs/architecture.md, "Public pages cache exactly by publication".
"""

from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluations.choices import Result
from tests.constants import OSAKA
from tests.factories import grow_and_publish, make_plan, make_published_round

pytestmark = pytest.mark.django_db
PLAN = f"/plans/{OSAKA}/"


def test_it_serves_the_second_visit_from_the_cache_with_one_query(client, seeded, page_cache):
    first = client.get(PLAN)
    assert first["X-Public-Cache"] == "miss"
    with CaptureQueriesContext(connection) as ctx:
        second = client.get(PLAN)
    assert second["X-Public-Cache"] == "hit"
    assert len(ctx.captured_queries) == 1  # the publication fingerprint
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]


def test_it_answers_304_to_a_visitor_who_has_the_page(client, seeded, page_cache):
    etag = client.get(PLAN)["ETag"]
    again = client.get(PLAN, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert client.get(PLAN, HTTP_IF_NONE_MATCH='"stale"').status_code == 200


def test_a_new_publication_changes_the_page_and_its_etag_at_once(client, seeded, page_cache):
    before = client.get(PLAN)
    assert "約82.6%" in before.content.decode()
    grow_and_publish(total=30, fiscal_year=2025)
    after = client.get(PLAN, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert after["X-Public-Cache"] == "miss"
    assert after["ETag"] != before["ETag"]
    body = after.content.decode()
    assert "令和7年度末時点" in body
    assert "年度ごとの推移" in body  # two 時点 now: the trend appears


def test_it_keys_by_language_and_by_query_string(client, seeded, page_cache):
    ja = client.get(PLAN).content.decode()
    en = client.get(f"/en{PLAN}").content.decode()
    assert "約82.6%" in ja and "approx. 82.6%" in en
    a = client.get(f"/initiatives/?plan={OSAKA}").content
    b = client.get("/initiatives/?result=excluded").content
    assert a != b


def test_signed_in_staff_bypass_the_cache_and_cached_pages_hold_no_csrf_token(
    client, seeded, page_cache
):
    anonymous = client.get(PLAN)
    assert b"csrfmiddlewaretoken" not in anonymous.content
    assert b"X-CSRFToken" not in anonymous.content
    assert "csrftoken" not in anonymous.cookies
    user = get_user_model().objects.create_user("staff-a", password="x" * 12, is_staff=True)
    client.force_login(user)
    staff = client.get(PLAN)
    assert staff["X-Public-Cache"] == "bypass"
    assert b"X-CSRFToken" in staff.content  # their own page, never stored


def test_a_plan_with_no_publication_is_cached_and_then_changes_on_its_first(client, page_cache):
    plan = make_plan(slug="fresh-plan")
    assert "—" in client.get(f"/plans/{plan.slug}/").content.decode()
    assert client.get(f"/plans/{plan.slug}/")["X-Public-Cache"] == "hit"
    make_published_round(
        plan,
        [Result.ACHIEVED, Result.NOT_ACHIEVED],
        published_at=datetime(2025, 6, 1, tzinfo=UTC),
    )
    page = client.get(f"/plans/{plan.slug}/")
    assert page["X-Public-Cache"] == "miss"
    assert "50.0%" in page.content.decode()


def test_meeting_pages_get_an_etag_and_304_and_are_stored_by_day(client, seeded, page_cache):
    first = client.get("/meetings/")
    assert first.has_header("ETag")
    assert first["X-Public-Cache"] == "miss"
    assert client.get("/meetings/")["X-Public-Cache"] == "hit"
    assert client.get("/meetings/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_the_badge_keeps_its_own_headers_when_served_from_the_cache(client, seeded, page_cache):
    url = f"/plans/{OSAKA}/badge.svg"
    miss, hit = client.get(url), client.get(url)
    assert (miss["X-Public-Cache"], hit["X-Public-Cache"]) == ("miss", "hit")
    for response in (miss, hit):
        assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
        # Other sites embed it in <img>: without this header a browser may refuse it.
        assert response["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert hit.content == miss.content
    again = client.get(url, headers={"If-None-Match": hit["ETag"]})
    assert again.status_code == 304
    assert again["Cross-Origin-Resource-Policy"] == "cross-origin"


def test_a_hit_is_the_response_the_whole_stack_made_with_the_same_headers(
    client, seeded, page_cache
):
    miss = client.get("/en/" + PLAN.lstrip("/"))
    hit = client.get("/en/" + PLAN.lstrip("/"))
    assert (miss["X-Public-Cache"], hit["X-Public-Cache"]) == ("miss", "hit")
    # Served before the session, locale and clickjacking middleware run, yet with their headers:
    # the cache keeps the response they finished.
    assert hit["Content-Language"] == "en" and hit["X-Frame-Options"] == "DENY"
    names = {n.lower() for n in miss.headers} - {"x-public-cache"}
    assert names == {n.lower() for n in hit.headers} - {"x-public-cache"}
    for name in names - {"x-request-id"}:  # each request's own id
        assert hit[name] == miss[name], name
    assert hit["X-Request-ID"] != miss["X-Request-ID"]
    assert hit.content == miss.content


def test_a_page_that_sets_a_cookie_is_not_stored(client, seeded, page_cache, monkeypatch):
    from evaluations.views import public
    from reformtracker import page_memo

    render = public.render

    def render_with_a_cookie(*args, **kwargs):
        response = render(*args, **kwargs)
        response.set_cookie("visited", "1")
        return response

    monkeypatch.setattr(public, "render", render_with_a_cookie)
    monkeypatch.setattr(page_memo, "render", render_with_a_cookie)
    assert client.get(PLAN)["X-Public-Cache"] == "miss"
    assert client.get(PLAN)["X-Public-Cache"] == "miss"  # never stored: not a hit


def _routes_outside_i18n_patterns(patterns=None, prefix=""):
    from django.urls import URLResolver, get_resolver
    from django.urls.resolvers import LocalePrefixPattern

    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p.pattern, LocalePrefixPattern):
            continue  # the public pages
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            yield from _routes_outside_i18n_patterns(p.url_patterns, route)
        else:
            yield route


def test_addresses_that_are_never_public_pages_skip_the_cache(client, seeded, page_cache):
    from reformtracker.public_pages import NOT_PUBLIC

    # Every route outside i18n_patterns starts with one of NOT_PUBLIC, so /healthz and the
    # staff pages pay no cache lookup (and no publication-fingerprint query).
    routes = list(_routes_outside_i18n_patterns())
    assert len(routes) > 20
    assert [r for r in routes if not ("/" + r).startswith(NOT_PUBLIC)] == []
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/healthz").status_code == 200
    assert len(ctx.captured_queries) == 0
