"""Small cross-cutting middleware: refused requests in the log beside logins and lock-outs, and
no caching of signed-in pages."""

import logging

from django.core.exceptions import PermissionDenied

from reformtracker.public_pages import PRIVATE_AREAS

logger = logging.getLogger("reformtracker.security")


class PermissionDeniedLogMiddleware:
    """Writes one log line for every PermissionDenied a view raises (then lets Django answer 403)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied):
            user = request.user.get_username() if request.user.is_authenticated else "-"
            logger.warning(
                "permission denied: user=%s method=%s path=%s reason=%s",
                user,
                request.method,
                request.path,
                exception,
            )
        return None


# Signed-in pages and the sign-in itself: never kept by a browser or a proxy, so the back button
# on a shared computer or a proxy's cache shows no one's worklist, drafts or CSRF token.


class PrivatePagesNoStoreMiddleware:
    """``Cache-Control: private, no-store`` on the staff, office, account and admin pages and on
    every response to a signed-in user (their public pages carry their own header and token);
    the public pages keep their caching (evaluations.public_cache)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path_info.startswith(PRIVATE_AREAS) or _signed_in(request):
            response["Cache-Control"] = "private, no-store"
        return response


def _signed_in(request) -> bool:
    # A stored public page is served before the auth middleware runs: no request.user, and
    # the cache serves only visitors without a session.
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated
