"""Cross-cutting views: the health and readiness checks for load balancers (and the benchmark),
and the error pages.

The error pages are rendered from templates/errors/ without a request context: no session, user,
messages or database, so a 500 caused by a broken database or session still gets its page. The
language is the address's (/en/… English, otherwise Japanese), and the page shows the request's
id (reformtracker.request_id) so a visitor's report leads to the log lines. While the database
is unreachable the 500 handler answers 503 instead (reformtracker.outage).
"""

import sys

from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from reformtracker import health, outage


@require_safe
def healthz(request):
    """Answers "ok" without touching the database: the trivial baseline of bench/."""
    return HttpResponse("ok", content_type="text/plain")


@never_cache
@require_safe
def readyz(request):
    """ "ready", or 503 naming what is not (reformtracker.health): a balancer takes this server
    out of rotation while its database is unreachable, and back when it answers again."""
    if problems := health.problems():
        return HttpResponse(
            "not ready: " + "; ".join(problems), content_type="text/plain", status=503
        )
    return HttpResponse("ready", content_type="text/plain")


def _language(request) -> str:
    return translation.get_language_from_path(request.path_info) or "ja"


def _error_page(request, status: int, kind: str = "", **extra) -> HttpResponse:
    language = _language(request)
    context = {
        "kind": kind or str(status),
        "request_id": getattr(request, "id", ""),
        "LANGUAGE_CODE": language,
        "method": request.method,
        **extra,
    }
    with translation.override(language):
        content = loader.get_template("errors/error.html").render(context)
    return HttpResponse(content, status=status)


def bad_request(request, exception=None):
    if (error := outage.cause_of(exception)) is not None:
        # The database went away after the view had run: its change may have been committed.
        return database_unavailable(request, error, finished=True)
    return _error_page(request, 400)


def permission_denied(request, exception=None):
    return _error_page(request, 403)


def page_not_found(request, exception=None):
    return _error_page(request, 404)


def server_error(request):
    # Called while Django handles the exception, which sys.exc_info() still holds.
    error = sys.exc_info()[1]
    if outage.is_database_outage(error):
        return database_unavailable(request, error)
    return _error_page(request, 500)


def database_unavailable(request, error, *, finished: bool = False) -> HttpResponse:
    """503 while the database is unreachable: the error page; for htmx a short message, for the
    read API's .json addresses the same message as JSON. ``finished``: the connection was lost
    after the view had run (saving the session), so a POST's change may have been saved: the
    message says that it could not be confirmed rather than that nothing was saved.

    htmx swaps nothing on an error status, so a form sent with htmx stays on the page as the user
    typed it; static/js/htmx-errors.js shows the message above it (HX-Reswap: none says the same
    to htmx should that default change).
    """
    outage.log(request, error)
    with translation.override(_language(request)):
        if request.method == "POST" and finished:
            message = gettext(
                "データベースとの接続が途中で切れたため、保存できたかどうかを確認できませんでした。"
                "入力した内容はそのまま残っています。時間をおいて、もう一度保存するか、"
                "画面を開き直して確かめてください。"
            )
        elif request.method == "POST":
            message = gettext(
                "保存できませんでした。データベースに接続できません。"
                "入力した内容はそのまま残っています。時間をおいてもう一度保存してください。"
            )
        else:
            message = gettext(
                "表示できませんでした。データベースに接続できません。"
                "時間をおいてもう一度お試しください。"
            )
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(message, content_type="text/plain; charset=utf-8", status=503)
        response["HX-Reswap"] = "none"
    elif request.path_info.endswith(".json"):
        # Open-data clients get JSON, shaped as the read API's other errors.
        response = JsonResponse(
            {"errors": {"database": message}},
            status=503,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        response = _error_page(request, 503, "database", finished=finished)
    response["Retry-After"] = str(outage.RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    # Logged above in one line: Django need not add a traceback per request.
    response._has_been_logged = True
    return response


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: the form was stale or came from elsewhere (the 403 of a failed check)."""
    return _error_page(request, 403, "csrf")
