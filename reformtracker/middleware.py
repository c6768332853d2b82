"""Logs refused requests, so permission failures show up beside logins and lock-outs."""

import logging

from django.core.exceptions import PermissionDenied

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
