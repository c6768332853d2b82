"""Security headers on every kind of response: the Content-Security-Policy (issue 11 #5), the
MDN HTTP Observatory score under production's settings, cookies' flags, and no caching of
signed-in pages (#11)."""

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import Client, override_settings

from tests.constants import KITAKYUSHU, OSAKA, PRODUCTION_TRANSPORT
from tests.fresh_settings import read_settings
from tests.personas import signed_in
from tests.security import observatory

POLICY = {
    "default-src": ["'self'"],
    "base-uri": ["'none'"],
    "object-src": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}

PUBLIC = [
    "/",
    f"/plans/{OSAKA}/",
    f"/plans/{OSAKA}/pillars/2/",
    f"/plans/{OSAKA}/initiatives/6-5/",
    "/initiatives/",
    "/meetings/",
    f"/meetings/{KITAKYUSHU}/schedule/",
    "/open-data/",
    "/en/",
    f"/en/plans/{OSAKA}/",
    f"/plans/{OSAKA}/badge.svg",
    "/card.png",
    "/open-data/plans.json",
    "/open-data/home.json",
    "/open-data/initiatives.json",
    "/open-data/meetings.json",
    "/healthz",
    "/static/css/site.css",
    "/accounts/login/",
    "/admin/login/",
    "/no-such-page/",
    "/en/no-such-page/",
]
STAFF = [
    "/staff/",
    "/staff/rounds/",
    "/staff/import/",
    "/office/reports/",
    "/admin/",
    "/admin/evaluations/entry/",
]


def _csv_and_pdf(site):
    plan, year = site.round.plan.slug, site.round.fiscal_year
    return (
        f"/open-data/{plan}/{year}/results.csv",
        f"/office/reports/{plan}/{year}/progress.pdf",
    )


def assert_policy(response, path):
    header = response.get("Content-Security-Policy")
    assert header, f"{path} ({response.status_code}) has no Content-Security-Policy"
    assert observatory.parse_csp(header) == POLICY, path
    assert "unsafe" not in header


def test_the_policy_is_strict():
    header = Client().get("/healthz")["Content-Security-Policy"]
    assert observatory.parse_csp(header) == POLICY
    assert "nonce" not in header  # a stored public page is served to many visitors


def test_every_public_page_type_and_format_sends_the_policy(site):
    client = Client()
    csv, _pdf = _csv_and_pdf(site)
    for path in [*PUBLIC, csv]:
        response = client.get(path)
        assert response.status_code in (200, 404), path
        assert_policy(response, path)


def test_every_staff_page_type_sends_the_policy(site):
    office, admin = signed_in("osaka-office"), signed_in("admin")
    _csv, pdf = _csv_and_pdf(site)
    for path in [*STAFF, pdf]:
        response = (admin if path.startswith("/admin/") else office).get(path)
        assert response.status_code == 200, path
        assert_policy(response, path)


def test_a_stored_public_page_sends_the_policy_too(site, settings):
    settings.PUBLIC_PAGE_CACHE = True
    client = Client()
    client.get("/")
    hit = client.get("/")
    assert hit["X-Public-Cache"] == "hit"
    assert_policy(hit, "/ (stored)")


def test_error_responses_and_refusals_send_the_policy(site):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    responses = {
        "403 CSRF": client.post("/accounts/login/", {"username": "x", "password": "y"}),
        "405": client.generic("TRACE", "/"),
        "400 bad host": client.get("/", headers={"host": "evil.example"}),
        "302 login": client.get("/staff/"),
    }
    with override_settings(ROOT_URLCONF="tests.security.urls"):
        responses["500"] = client.get("/boom/")
    for name, response in responses.items():
        assert str(response.status_code) == name.split()[0], name
        assert_policy(response, name)


@pytest.mark.parametrize("path", ["/", f"/plans/{OSAKA}/", "/accounts/login/", "/en/"])
def test_the_observatory_score_is_at_least_110(site, production_like, path):
    response = Client().get(path, secure=True)
    assert response.status_code == 200
    score, results = observatory.score(response)
    detail = "\n".join(f"{m:+4d} {r}" for r, m in results.values())
    assert score >= 110, f"{path}: {score}\n{detail}"
    assert all(m >= 0 for _, m in results.values()), detail


def test_the_scorer_finds_what_the_observatory_finds():
    score, results = observatory.score(HttpResponse("ok", content_type="text/plain"))
    # No CSP -25, no HSTS -20, no nosniff -5, no X-Frame-Options -20.
    assert score == 30, results
    risky = HttpResponse("ok")
    risky["X-Frame-Options"] = "DENY"
    risky["Content-Security-Policy"] = "default-src 'self'; script-src 'self' 'unsafe-inline'"
    risky["Referrer-Policy"] = "unsafe-url"
    risky["Strict-Transport-Security"] = "max-age=300"
    assert observatory.csp(risky.headers)[1] == -20
    assert observatory.x_frame_options(risky.headers) == ("x-frame-options-sameorigin-or-deny", 0)
    assert observatory.referrer_policy(risky.headers)[1] == -5
    assert observatory.hsts(risky.headers)[1] == -10


def test_cookies_are_secure_httponly_and_samesite_in_production(site, production_like):
    client = Client()
    page = client.get("/accounts/login/", secure=True)
    csrf = page.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"
    token = csrf.value
    login = client.post(
        "/accounts/login/",
        {"username": "osaka-office", "password": "demo-pass-2025", "csrfmiddlewaretoken": token},
        secure=True,
    )
    assert login.status_code == 302
    session = login.cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    assert observatory.cookies(login, hsts=True)[1] == 5
    language = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, secure=True)
    cookie = language.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"


def test_the_fixture_matches_what_production_sets():
    """PRODUCTION_TRANSPORT above is what settings.py gives DJANGO_ENV=production."""
    names = sorted(PRODUCTION_TRANSPORT)
    production = read_settings(
        f"{{n: getattr(s, n) for n in {names!r}}}",
        forget=("SECURE_", "SESSION"),
        DJANGO_ENV="production",
    )
    expected = {k: list(v) if isinstance(v, tuple) else v for k, v in PRODUCTION_TRANSPORT.items()}
    assert production == expected


def test_signed_in_pages_are_never_stored(site):
    office = signed_in("osaka-office")
    for path in [*STAFF[:4], f"/plans/{OSAKA}/", "/"]:
        response = office.get(path)
        assert response["Cache-Control"] == "private, no-store", path
    admin = signed_in("admin")
    assert admin.get("/admin/")["Cache-Control"] == "private, no-store"
    anonymous = Client()
    for path in ["/accounts/login/", "/admin/login/", "/staff/"]:
        assert anonymous.get(path)["Cache-Control"] == "private, no-store", path


def test_public_pages_keep_their_caching(site):
    response = Client().get("/")
    assert response["Cache-Control"] == "no-cache"  # revalidated by ETag (evaluations.public_cache)
    assert "ETag" in response


def test_every_kind_of_response_carries_the_same_security_headers(site, settings):
    """Rendered, stored, 304, static file, JSON, CSV, SVG, PNG, OPTIONS, 405, 404, redirect."""
    settings.PUBLIC_PAGE_CACHE = True
    client = Client()
    first = client.get("/")
    csv, _pdf = _csv_and_pdf(site)
    responses = {
        "page": first,
        "stored": client.get("/"),
        "304": client.get("/", headers={"if-none-match": first["ETag"]}),
        "static": client.get("/static/css/site.css"),
        "json": client.get("/open-data/home.json"),
        "csv": client.get(csv),
        "svg": client.get(f"/plans/{OSAKA}/badge.svg"),
        "png": client.get("/card.png"),
        "options": client.options("/"),
        "405": client.put("/"),
        "404": client.get("/nothing-here/"),
        "redirect": client.get("/staff/"),
        "head": client.head("/healthz"),
    }
    assert responses["stored"]["X-Public-Cache"] == "hit"
    assert responses["304"].status_code == 304
    for name, response in responses.items():
        assert_policy(response, name)
        assert response["X-Content-Type-Options"] == "nosniff", name
        assert response["Referrer-Policy"] == "same-origin", name
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", name
        # The CSP's frame-ancestors covers framing everywhere; X-Frame-Options (the older
        # header) is left off a 304 (the stored response has it) and WhiteNoise's static files.
        if name not in {"304", "static"}:
            assert response.get("X-Frame-Options") == "DENY", name
        assert len(response["X-Request-ID"]) == 32, name
