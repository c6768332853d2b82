"""Every method on every kind of address (issue 11 #15): a method the view does not take is 405
with an Allow header (never the page, never CSRF's 403), OPTIONS answers Allow and no body,
and HEAD is GET without the body wherever GET is allowed."""

from django.test import Client

from reformtracker.http_methods import allowed_methods
from tests.constants import OSAKA
from tests.personas import signed_in

PUBLIC = ["/", f"/plans/{OSAKA}/", "/initiatives/", "/open-data/plans.json", "/en/"]


def methods(response) -> set[str]:
    return {m.strip() for m in response["Allow"].split(",")}


def test_a_public_page_refuses_what_it_does_not_take(site):
    client = Client(enforce_csrf_checks=True)
    for path in PUBLIC:
        for method in ["TRACE", "PUT", "DELETE", "PATCH", "POST", "PROPFIND", "CONNECT"]:
            response = client.generic(method, path)
            assert response.status_code == 405, (method, path)
            assert methods(response) == {"GET", "HEAD", "OPTIONS"}
            assert response.content == b""


def test_options_answers_allow_and_no_body(site):
    for path in PUBLIC:
        response = Client().options(path)
        assert response.status_code == 200
        assert methods(response) == {"GET", "HEAD", "OPTIONS"}
        assert response.content == b""


def test_head_is_get_without_the_body(site):
    for path in ["/", "/healthz", "/open-data/home.json", f"/plans/{OSAKA}/badge.svg"]:
        get, head = Client().get(path), Client().head(path)
        assert head.status_code == get.status_code == 200, path
        assert head.content == b""
        assert head["Content-Type"] == get["Content-Type"]


def test_staff_get_views_answer_head(site):
    """require_GET refuses HEAD by itself; the middleware answers it as GET without the body."""
    office = signed_in("osaka-office")
    for path in ["/staff/", "/office/reports/", "/staff/rounds/"]:
        get, head = office.get(path), office.head(path)
        assert get.status_code == 200, path
        assert head.status_code == 200, path
        assert head.content == b""
        assert int(head["Content-Length"]) == len(get.content)


def test_staff_views_keep_their_own_methods(site):
    office = signed_in("osaka-office")
    office_csrf = Client(enforce_csrf_checks=True)
    office_csrf.cookies = office.cookies
    # A GET-only view: POST, PUT and DELETE are 405 (before CSRF), with its Allow.
    for method in ["POST", "PUT", "DELETE", "TRACE"]:
        response = office_csrf.generic(method, "/staff/")
        assert response.status_code == 405, method
        assert methods(response) == {"GET", "HEAD", "OPTIONS"}
    # A POST-only view: GET is 405; POST without a token is still CSRF's 403.
    round_pk = site.round.pk
    response = office_csrf.get(f"/staff/rounds/{round_pk}/publish/")
    assert response.status_code == 405
    assert methods(response) == {"POST", "OPTIONS"}
    assert office_csrf.post(f"/staff/rounds/{round_pk}/publish/").status_code == 403
    assert methods(office_csrf.options("/staff/import/")) == {"GET", "HEAD", "POST", "OPTIONS"}


def test_sign_in_sign_out_and_language_switch(site):
    client = Client(enforce_csrf_checks=True)
    assert methods(client.options("/accounts/login/")) == {"GET", "HEAD", "POST", "OPTIONS"}
    assert client.head("/accounts/login/").status_code == 200
    assert client.put("/accounts/login/").status_code == 405
    # Signing out is POST only (a link or an image on another site cannot sign anyone out).
    logout = client.get("/accounts/logout/")
    assert logout.status_code == 405 and methods(logout) == {"POST", "OPTIONS"}
    assert client.generic("TRACE", "/i18n/setlang/").status_code == 405
    assert client.generic("TRACE", "/admin/").status_code == 405
    assert client.delete("/admin/login/").status_code == 405


def test_an_unknown_view_takes_get_and_post_outside_the_public_pages(rf):
    def plain(request):
        return None

    assert allowed_methods(rf.get("/staff/x/"), plain) == ["GET", "POST", "HEAD", "OPTIONS"]
    assert allowed_methods(rf.get("/plans/x/"), plain) == ["GET", "HEAD", "OPTIONS"]


def test_the_health_check_answers_plain_http_in_production(site, production_like):
    """A load balancer asks over HTTP: 200 there, while every page redirects to HTTPS."""
    assert Client().get("/healthz").status_code == 200
    assert Client().head("/healthz").status_code == 200
    redirected = Client().get("/")
    assert redirected.status_code == 301 and redirected["Location"].startswith("https://")
