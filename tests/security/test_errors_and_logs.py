"""Error pages in the site's language and layout with the request id (issue 11 #12), the id on
every response and log line, and 500s leaving their traceback in the log (#17)."""

import io
import logging

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, RequestFactory, override_settings

from reformtracker.request_id import incoming_or_new
from reformtracker.views import server_error
from tests.personas import signed_in

BOOM = override_settings(ROOT_URLCONF="tests.security.urls")


def page(response) -> str:
    return response.content.decode()


def assert_error_page(response, status, heading, request_id_label):
    assert response.status_code == status
    html = page(response)
    assert f"<h1>{heading}</h1>" in html
    assert 'class="site-header"' in html and "css/site.css" in html
    assert f"{request_id_label}" in html
    assert f"<code>{response['X-Request-ID']}</code>" in html
    assert "Traceback" not in html and "Django" not in html


@pytest.mark.django_db
def test_404_in_japanese_and_under_en_in_english():
    ja = Client().get("/no-such-page/")
    assert_error_page(ja, 404, "ページが見つかりません", "リクエストID")
    assert '<html lang="ja">' in page(ja)
    en = Client().get("/en/no-such-page/")
    assert_error_page(en, 404, "Page not found", "Request ID")
    assert '<html lang="en">' in page(en) and 'href="/en/"' in page(en)


@pytest.mark.django_db
@BOOM
def test_500_in_japanese_and_english_without_the_database():
    client = Client(raise_request_exception=False)
    assert_error_page(client.get("/boom/"), 500, "サーバーでエラーが発生しました", "リクエストID")

    # The page needs no database: rendered with every query refused.
    def refuse(*args, **kwargs):
        raise AssertionError("the 500 page queried the database")

    with connection.execute_wrapper(refuse):
        request = RequestFactory().get("/en/whatever/")
        request.id = "abc123"
        response = server_error(request)
    assert response.status_code == 500 and "Server error" in page(response)
    assert "<code>abc123</code>" in page(response)


def test_csrf_failure_and_403_pages(site):
    refused = Client(enforce_csrf_checks=True).post(
        "/accounts/login/", {"username": "a", "password": "b"}
    )
    assert_error_page(refused, 403, "送信を受け付けられませんでした", "リクエストID")
    assert "再読み込み" in page(refused)
    # A department's member on the office's round list: PermissionDenied.
    denied = signed_in("osaka-kankyo").get("/staff/rounds/")
    assert_error_page(denied, 403, "このページを表示する権限がありません", "リクエストID")


@pytest.mark.django_db
def test_400_for_a_refused_host_and_for_too_much_form_data(settings):
    bad_host = Client().get("/", headers={"host": "evil.example"})
    assert_error_page(bad_host, 400, "リクエストを受け付けられませんでした", "リクエストID")
    too_many = {f"f{i}": "x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = Client().post("/accounts/login/", too_many)
    assert_error_page(response, 400, "リクエストを受け付けられませんでした", "リクエストID")
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = Client().post("/accounts/login/", {"password": "x" * 2000})
    assert_error_page(response, 400, "リクエストを受け付けられませんでした", "リクエストID")


@pytest.mark.django_db
def test_an_incoming_request_id_is_kept_only_when_it_is_a_short_plain_token():
    kept = Client().get("/healthz", headers={"x-request-id": "lb-7f3a9c01"})
    assert kept["X-Request-ID"] == "lb-7f3a9c01"
    for forged in ["a b", "x" * 65, "id\nERROR forged line", "<script>", ""]:
        assert incoming_or_new(forged) != forged
        response = Client().get("/healthz", headers={"x-request-id": forged})
        assert response["X-Request-ID"] != forged
        assert len(response["X-Request-ID"]) == 32


def _console(logger_name: str):
    """The configured console handler of a logger, writing into a string for the test."""
    (handler,) = [
        h for h in logging.getLogger(logger_name).handlers if type(h) is logging.StreamHandler
    ]
    return handler


@pytest.mark.django_db
@BOOM
def test_a_500_leaves_its_traceback_and_request_id_in_the_log():
    assert settings.DEBUG is False
    handler = _console("django.request")
    stream = io.StringIO()
    old = handler.setStream(stream)
    try:
        response = Client(raise_request_exception=False).get("/boom/")
    finally:
        handler.setStream(old)
    assert response.status_code == 500
    log = stream.getvalue()
    assert "ERROR django.request" in log and "Internal Server Error: /boom/" in log
    assert f"[{response['X-Request-ID']}]" in log
    assert "Traceback (most recent call last)" in log
    assert "RuntimeError: the database went away" in log


@pytest.mark.django_db
def test_refusals_are_logged_with_their_request_id():
    handler = _console("django.security")
    stream = io.StringIO()
    old = handler.setStream(stream)
    try:
        response = Client(enforce_csrf_checks=True).post("/accounts/login/", {})
    finally:
        handler.setStream(old)
    assert response.status_code == 403
    log = stream.getvalue()
    assert "django.security.csrf" in log and f"[{response['X-Request-ID']}]" in log


def test_the_reformtracker_log_lines_carry_the_id_too():
    assert "request_id" in settings.LOGGING["handlers"]["console"]["filters"]
    assert "%(request_id)s" in settings.LOGGING["formatters"]["plain"]["format"]
    assert settings.LOGGING["loggers"]["reformtracker"]["handlers"] == ["console"]


@pytest.mark.django_db
def test_what_a_visitor_types_cannot_forge_a_log_line():
    handler = _console("reformtracker")
    stream = io.StringIO()
    old = handler.setStream(stream)
    try:
        Client().post(
            "/accounts/login/",
            {
                "username": "x\n2026-01-01 WARNING reformtracker.security login: user=admin",
                "password": "y",
            },
        )
    finally:
        handler.setStream(old)
    lines = stream.getvalue().splitlines()
    assert lines and all(" reformtracker.security [" in line for line in lines)
    assert any("user=x\\n2026-01-01 WARNING" in line for line in lines)
