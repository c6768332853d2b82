"""Cross-cutting views: the health and readiness checks for load balancers (and the benchmark),
and the error pages.

The error pages are rendered from templates/errors/ without a request context: no session, user,
messages or database, so a 500 caused by a broken database or session still gets its page. The
language is the address's (/en/… English, otherwise Japanese), and the page shows the request's
id (reformtracker.request_id) so a visitor's report leads to the log lines.
"""

from django.http import HttpResponse
from django.template import loader
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from reformtracker import health


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


def _error_page(request, status: int, kind: str = "") -> HttpResponse:
    language = translation.get_language_from_path(request.path_info) or "ja"
    context = {
        "kind": kind or str(status),
        "request_id": getattr(request, "id", ""),
        "LANGUAGE_CODE": language,
    }
    with translation.override(language):
        content = loader.get_template("errors/error.html").render(context)
    return HttpResponse(content, status=status)


def bad_request(request, exception=None):
    return _error_page(request, 400)


def permission_denied(request, exception=None):
    return _error_page(request, 403)


def page_not_found(request, exception=None):
    return _error_page(request, 404)


def server_error(request):
    return _error_page(request, 500)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: the form was stale or came from elsewhere (the 403 of a failed check)."""
    return _error_page(request, 403, "csrf")
